// `npm run db:seed [-- --demo --subscribers N]`: loads the example strategies, optionally demo subscribers.
import { parseArgs } from "node:util";
import { openConfiguredStore } from "../db/store/client";
import { loadConfigOrExit } from "../db/platform/config.server";
import { migrateStore } from "../db/store/migrate";
import { createStrategyRunner } from "../worker/runtime";
import { seedDemoSubscribers, seedExamples } from "./seed";

const { values } = parseArgs({
  options: { demo: { type: "boolean", default: false }, subscribers: { type: "string", default: "100" } },
});
const config = loadConfigOrExit();
const store = await openConfiguredStore(config);
await migrateStore(store.db);
const runner = createStrategyRunner({ python: config.python, sandbox: config.sandbox });
const examples = await seedExamples(store.db, runner);
console.log(`examples: ${examples.created.length ? examples.created.join(", ") : "already seeded"}`);
if (values.demo) {
  const n = Number(values.subscribers);
  if (!Number.isInteger(n) || n < 1) {
    console.error("--subscribers must be a positive whole number");
    process.exit(1);
  }
  const demo = await seedDemoSubscribers(store.db, n);
  console.log(`demo: ${demo.subscriptions} subscriptions over ${demo.strategies} strategies`);
}
store.close();
