import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "./client";
import { migrateStore } from "./migrate";

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cc-migrate-"));
  store = await openStore({ url: `file:${join(dir, "empty.db")}` });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const schemaSnapshot = async () =>
  (await store.client.execute("select type, name, sql from sqlite_master order by name")).rows.map((r) => ({
    ...r,
  }));

describe("migrations", () => {
  it("apply to an empty database, creating every table with its unique fences", async () => {
    await migrateStore(store.db);
    const names = (await schemaSnapshot()).map((r) => r.name);
    for (const table of [
      "users",
      "sessions",
      "api_tokens",
      "strategies",
      "strategy_versions",
      "subscriptions",
      "broker_accounts",
      "executions",
      "trades",
      "events",
      "backtests",
    ]) {
      expect(names).toContain(table);
    }
    expect(names).toContain("executions_candle_uq");
    expect(names).toContain("trades_execution_subscription_uq");
  });

  it("apply again as a no-op", async () => {
    const before = await schemaSnapshot();
    const applied = (await store.client.execute("select count(*) as n from __drizzle_migrations")).rows[0].n;
    await migrateStore(store.db);
    expect(await schemaSnapshot()).toEqual(before);
    expect((await store.client.execute("select count(*) as n from __drizzle_migrations")).rows[0].n).toBe(
      applied,
    );
  });
});
