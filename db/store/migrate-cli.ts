// `npm run db:migrate`: applies pending migrations to DATABASE_URL (idempotent).
import { openConfiguredStore } from "./client";
import { loadConfigOrExit } from "../platform/config.server";
import { migrateStore } from "./migrate";

const config = loadConfigOrExit();
const store = await openConfiguredStore(config);
await migrateStore(store.db);
const { rows } = await store.client.execute("select count(*) as n from __drizzle_migrations");
console.log(`migrations applied: ${rows[0].n} (${config.databaseUrl})`);
store.close();
