// Test fixtures: a fresh migrated libSQL file per test file, and small builders for rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../db/store/client";
import { newId, newIds } from "../../db/platform/ids";
import { migrateStore } from "../../db/store/migrate";
import { createBrokerAccount } from "../../db/store/queries/broker-accounts";
import { recordExecution } from "../../db/store/queries/executions";
import { createStrategy, publishVersion } from "../../db/store/queries/strategies";
import { brokerAccounts, subscriptions, users } from "../../db/store/schema";
import { riskSettingsSchema, RISK_DEFAULTS_INPUT } from "../../db/contracts/validation/risk-settings";

export interface TestStore extends Store {
  file: string;
  url: string;
  cleanup(): void;
}

export async function createTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), "candlecast-test-"));
  const file = join(dir, "test.db");
  const url = `file:${file}`;
  const store = await openStore({ url });
  await migrateStore(store.db);
  return {
    ...store,
    file,
    url,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A precomputed hash of "password123" keeps fixtures fast (the real KDF is slow on purpose).
export const TEST_PASSWORD = "password123";
export const TEST_PASSWORD_HASH =
  "pbkdf2$1000$AAAAAAAAAAAAAAAAAAAAAA==$g+c461eoj1iDsrJmTtH0ISefUjFqzYO+I37kBxNHYjs=";

export async function insertUser(store: Store, name = "user") {
  const id = newId();
  const paperId = newId();
  await store.db
    .insert(users)
    .values({ id, email: `${name}-${id}@example.test`, name, passwordHash: TEST_PASSWORD_HASH });
  await store.db
    .insert(brokerAccounts)
    .values({ id: paperId, userId: id, name: "Paper account", kind: "paper" });
  return { id, paperBrokerId: paperId };
}

/** A Binance broker account of `userId`, its keys encrypted with `encryptionKey` (testnet unless the keys say otherwise). */
export async function insertExchangeAccount(
  store: Store,
  userId: string,
  encryptionKey: string,
  keys: { apiKey: string; secret: string; testnet?: boolean } = {
    apiKey: "key-12345678",
    secret: "secret-12345678",
  },
) {
  return createBrokerAccount(
    store.db,
    userId,
    { kind: "exchange", name: "Binance", exchange: "binance", testnet: true, ...keys },
    encryptionKey,
  );
}

/**
 * Records one execution that opened a LONG 0.01 BTC/USDT trade at 100 for each exchange subscription given,
 * each with its entry order `pending` under its client id, as the coordinator commits them.
 */
export async function recordOpenExchangeTrades(
  store: Store,
  strategy: { strategyId: string; versionId: string },
  entries: { subscriptionId: string; userId: string; brokerAccountId: string; clientOrderId: string }[],
) {
  const tradeIds = newIds(entries.length);
  const executionId = newId();
  await recordExecution(store.db, {
    execution: {
      id: executionId,
      ...strategy,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime: 60_000,
      status: "COMPLETED",
      subscriberCount: entries.length,
      startedAt: 1,
      finishedAt: 2,
    },
    trades: entries.map((e, i) => ({
      id: tradeIds[i],
      subscriptionId: e.subscriptionId,
      userId: e.userId,
      symbol: "BTC/USDT",
      status: "open" as const,
      side: "LONG" as const,
      quantity: 0.01,
      entryPrice: 100,
      entryFee: 0,
    })),
    orders: entries.map((e, i) => ({
      id: newId(),
      tradeId: tradeIds[i],
      brokerAccountId: e.brokerAccountId,
      leg: "open" as const,
      clientOrderId: e.clientOrderId,
      symbol: "BTC/USDT",
      side: "buy" as const,
      quantity: 0.01,
      referencePrice: 100,
    })),
  });
  return { executionId, tradeIds };
}

export const SAMPLE_CODE = `from candlecast import Strategy, Signal\n\nclass Hold(Strategy):\n    lookback = 50\n\n    def on_candle(self, candles, **kwargs):\n        return Signal.hold()\n`;

export async function insertStrategy(
  store: Store,
  authorId: string,
  opts: { slug?: string; symbols?: string[]; resolution?: "1m" | "5m" | "1h"; code?: string } = {},
) {
  const slug = opts.slug ?? `s-${newId().slice(-12)}`;
  const { id } = await createStrategy(store.db, authorId, {
    name: `Strategy ${slug}`,
    slug,
    description: "",
    tags: ["trend"],
    visibility: "public",
  });
  const version = await publishVersion(store.db, authorId, id, {
    version: "1.0.0",
    code: opts.code ?? SAMPLE_CODE,
    symbols: opts.symbols ?? ["BTC/USDT"],
    resolution: opts.resolution ?? "1m",
    lookback: 50,
    params: {},
    changelog: "",
  });
  return { id, slug, versionId: version!.id };
}

/** Inserts `count` active subscriptions (one per new user unless `userId` is given), in bulk. */
export async function insertSubscriptions(
  store: Store,
  strategyId: string,
  count: number,
  opts: { userId?: string; brokerAccountId?: string } = {},
) {
  const settings = riskSettingsSchema.parse(RISK_DEFAULTS_INPUT);
  const rows: { id: string; userId: string }[] = [];
  const userRows = [];
  const brokerRows = [];
  const subRows = [];
  for (let i = 0; i < count; i++) {
    const userId = opts.userId ?? newId();
    const brokerId = opts.brokerAccountId ?? newId();
    if (!opts.userId) {
      userRows.push({
        id: userId,
        email: `sub-${userId}@example.test`,
        name: `sub${i}`,
        passwordHash: TEST_PASSWORD_HASH,
      });
      brokerRows.push({ id: brokerId, userId, name: "Paper account", kind: "paper" as const });
    }
    const id = newId();
    subRows.push({ id, userId, strategyId, brokerAccountId: brokerId, ...settings });
    rows.push({ id, userId });
  }
  for (let i = 0; i < count; i += 500) {
    if (userRows.length) {
      await store.db.insert(users).values(userRows.slice(i, i + 500));
      await store.db.insert(brokerAccounts).values(brokerRows.slice(i, i + 500));
    }
    await store.db.insert(subscriptions).values(subRows.slice(i, i + 500));
  }
  return rows;
}

/** Every row of every table, as text: the store's whole state, to prove a refused request changed nothing. */
export async function storeSnapshot(store: Store): Promise<string> {
  const tables = await store.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
  );
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await store.client.execute(`SELECT * FROM "${String(name)}" ORDER BY rowid`);
    // last_used_at moves on every authenticated request, refused or not, by design.
    parts.push(
      `${String(name)}:${JSON.stringify(rows.rows.map((r) => ({ ...r, last_used_at: undefined })))}`,
    );
  }
  return parts.join("\n");
}
