// Test helper process: records the same candles as its sibling process, to race recordExecution across connections.
import { readFileSync } from "node:fs";
import { openStore } from "../../db/store/client";
import { recordExecution, type RecordExecutionInput } from "../../db/store/queries/executions";

const { url, startAt, inputs } = JSON.parse(readFileSync(process.argv[2], "utf8")) as {
  url: string;
  startAt: number;
  inputs: RecordExecutionInput[];
};
const store = await openStore({ url });
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const statuses = [];
for (const input of inputs) statuses.push((await recordExecution(store.db, input)).status);
process.stdout.write(JSON.stringify(statuses));
store.close();
