// Test helper process: reads an order's basis, says "read", waits for a line on stdin (the parent SIGSTOPs it
// in between), then records its answer and prints the result: a writer paused between its read and its batch.
import { createInterface } from "node:readline";
import { openStore } from "../../db/store/client";
import { applyOrderAnswer, readOrderBasis, type OrderAnswer } from "../../db/store/queries/order-answers";
import { clientOrderId } from "../../worker/brokers/client-order-id";

const [url, orderId, answer] = process.argv.slice(2);
const store = await openStore({ url });
const basis = await readOrderBasis(store.db, orderId);
process.stdout.write("read\n");
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();
const result = await applyOrderAnswer(store.db, basis, JSON.parse(answer) as OrderAnswer, { clientOrderId });
process.stdout.write(`${JSON.stringify(result)}\n`);
store.close();
