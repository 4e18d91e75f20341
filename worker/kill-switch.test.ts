// The kill switch across processes: the exchange simulator as its own process (a flat market: no stop or
// target ever triggers), a worker process trading one user's exchange account for two subscriptions (a long
// and a short, each with its OCO pair resting), and the real API queueing the job on the workers' pg-boss.
import { sql } from "drizzle-orm";
import pino from "pino";
import { RESOLUTION_MS, type Candle } from "../db/contracts/domain";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { createApiToken } from "../db/store/queries/api-tokens";
import { createApiHarness, type ApiHarness } from "../test/api-harness";
import {
  startExchangeSim,
  writeCandleCsv,
  type ExchangeSimProcess,
  type SimAccountDump,
} from "../test/support/exchange-sim-process";
import {
  createTestStore,
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../test/support/store";
import { SIM_BALANCES, TEST_ORDER_TIMING } from "../test/support/worker/exchange-subscribers";
import { testWorkerConfig } from "../test/support/worker/config";
import {
  createSharedServices,
  stopAll,
  type SharedServices,
  type WorkerProcess,
} from "../test/support/worker/processes";
import { checkInvariants, waitUntilTerminal } from "../test/support/worker/scenario";
import { BUY_CODE, SELL_CODE } from "../test/support/worker/strategies";
import { createJobSender } from "./jobs";
import type { CandleJob } from "./candle-jobs";

const MINUTE = RESOLUTION_MS["1m"];
const SCALE = 60;
const ROWS: Candle[] = Array.from({ length: 50 }, (_, i) => ({
  time: i * MINUTE,
  open: 100,
  high: 100.5,
  low: 99.5,
  close: 100,
  volume: 10,
}));

let sim: ExchangeSimProcess;
let store: TestStore;
let services: SharedServices;
let worker: WorkerProcess;
let h: ApiHarness;
let token: string;
let accountId: string;
let apiKey: string;
const subs = {} as Record<"long" | "short", { strategyId: string; subId: string }>;

beforeAll(async () => {
  sim = await startExchangeSim([
    "--candles",
    writeCandleCsv(ROWS),
    "--symbols",
    "BTC/USDT",
    "--time-scale",
    String(SCALE),
  ]);
  store = await createTestStore();
  services = await createSharedServices("killswitch");
  const author = await insertUser(store, "author");
  const trader = await insertUser(store, "trader");
  apiKey = `key-kill-${trader.id}`;
  const keys = { apiKey, secret: "secret-kill", testnet: false };
  accountId = (await insertExchangeAccount(store, trader.id, testWorkerConfig("").encryptionKey, keys)).id;
  await sim.addAccount({ apiKey, secret: keys.secret, balances: SIM_BALANCES });
  for (const [name, code] of [
    ["long", BUY_CODE],
    ["short", SELL_CODE],
  ] as const) {
    const strategy = await insertStrategy(store, author.id, { code, slug: `kill-${name}` });
    const [sub] = await insertSubscriptions(store, strategy.id, 1, {
      userId: trader.id,
      brokerAccountId: accountId,
    });
    subs[name] = { strategyId: strategy.id, subId: sub.id };
  }
  worker = services.spawn(
    store.url,
    "kill-0",
    { concurrency: 2, missedAfterRealMs: 86_400_000, orderTiming: TEST_ORDER_TIMING },
    {
      marketData: { source: "binance", url: sim.base, waitBudgetMs: 5_000 },
      exchangeUrl: sim.base,
      timeScale: SCALE,
    },
  );
  // The web app's side: the real API on the same store, queueing on the workers' pg-boss.
  h = await createApiHarness({ store });
  h.t.app.jobs = createJobSender(services.queue.boss, h.t.app.infra.bus, pino({ level: "silent" }));
  token = (await createApiToken(store.db, trader.id, "kill")).token;
  await worker.waitFor((m) => m.type === "ready", 60_000);
}, 90_000);

afterAll(async () => {
  await stopAll(worker ? [worker] : []);
  await h?.t.close();
  await services?.cleanup();
  store?.cleanup();
  await sim?.stop();
});

interface TradeRow {
  id: string;
  status: string;
  exit_reason: string | null;
  exit_price: number | null;
  pnl: number | null;
}
const tradeOf = async (subId: string) => {
  const rows = await store.db.all<TradeRow>(sql`SELECT id, status, exit_reason, exit_price, pnl FROM trades
    WHERE subscription_id = ${subId} AND status IN ('open', 'closed')`);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const legsOf = async (tradeId: string) =>
  Object.fromEntries(
    (
      await store.db.all<{ leg: string; state: string }>(
        sql`SELECT leg, state FROM orders WHERE trade_id = ${tradeId}`,
      )
    ).map((l) => [l.leg, l.state]),
  );
const statusOf = async (subId: string) =>
  (await store.db.all<{ status: string }>(sql`SELECT status FROM subscriptions WHERE id = ${subId}`))[0]
    .status;
const account = async (): Promise<SimAccountDump> => (await sim.orders()).find((a) => a.apiKey === apiKey)!;
const closeAll = (path: string) => h.call("POST", `/api/v1${path}/close-all`, { token });
const jobDone = (id: string) =>
  vi.waitFor(
    async () =>
      expect((await services.queue.boss.getJobById(QUEUES.positionsCloseAll, id))?.state).toBe("completed"),
    { timeout: 60_000, interval: 250 },
  );
/** The trade's pair was cancelled on the exchange and one market exit filled. */
const exitedAtMarket = (tradeId: string) =>
  vi.waitFor(
    async () =>
      expect(await legsOf(tradeId)).toEqual({
        open: "filled",
        stop: "cancelled",
        take_profit: "cancelled",
        close: "filled",
      }),
    { timeout: 30_000, interval: 200 },
  );
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

it("closes open positions and cancels resting orders on the exchange, once however often it is asked", async () => {
  const now = ((await (await fetch(`${sim.base}/api/v3/time`)).json()) as { serverTime: number }).serverTime;
  const closeTime = Math.floor(now / MINUTE) * MINUTE;
  const keys: CandleJob[] = Object.values(subs).map((s) => ({
    strategyId: s.strategyId,
    symbol: "BTC/USDT",
    resolution: "1m",
    closeTime,
  }));
  await services.enqueue(keys);
  await waitUntilTerminal(store, keys, { timeoutMs: 60_000 });
  const entered = await vi.waitFor(
    async () => {
      const trades = { long: await tradeOf(subs.long.subId), short: await tradeOf(subs.short.subId) };
      for (const t of Object.values(trades))
        expect(await legsOf(t.id)).toEqual({ open: "filled", stop: "open", take_profit: "open" });
      return trades;
    },
    { timeout: 30_000, interval: 200 },
  );
  expect((await account()).lists).toHaveLength(2);

  // One subscription: its pair comes off, one market exit closes it; the other one is untouched.
  const first = await closeAll(`/subscriptions/${subs.long.subId}`);
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  expect(first.body).toEqual({ id: first.body.id, subscriptionsPaused: 1, openTrades: 1, restingOrders: 2 });
  expect(await statusOf(subs.long.subId)).toBe("paused");
  await jobDone(first.body.id);
  await exitedAtMarket(entered.long.id);
  expect(await tradeOf(subs.long.subId)).toMatchObject({ status: "closed", exit_reason: "kill_switch" });
  expect(await tradeOf(subs.short.subId)).toMatchObject({ status: "open" });
  expect(await legsOf(entered.short.id)).toEqual({ open: "filled", stop: "open", take_profit: "open" });
  expect(await statusOf(subs.short.subId)).toBe("active");

  // The whole account: the other subscription too.
  const second = await closeAll(`/broker-accounts/${accountId}`);
  expect(second.status, JSON.stringify(second.body)).toBe(202);
  expect(second.body).toMatchObject({ subscriptionsPaused: 1, openTrades: 1, restingOrders: 2 });
  await jobDone(second.body.id);
  await exitedAtMarket(entered.short.id);

  // The exchange: nothing resting, flat in BTC again; each trade's exit at the exchange's fill price.
  const after = await account();
  expect(after.orders.filter((o) => o.status === "NEW")).toEqual([]);
  expect(after.orders.map((o) => [o.type, o.status])).toEqual(
    expect.arrayContaining([
      ["STOP_LOSS", "CANCELED"],
      ["LIMIT_MAKER", "CANCELED"],
    ]),
  );
  expect(near(after.balances.BTC.free + after.balances.BTC.locked, SIM_BALANCES.BTC)).toBe(true);
  expect(after.balances.BTC.locked).toBe(0);
  for (const name of ["long", "short"] as const) {
    const trade = await tradeOf(subs[name].subId);
    expect(trade).toMatchObject({ status: "closed", exit_reason: "kill_switch" });
    const exit = (
      await store.db.all<{ client_order_id: string; average_price: number }>(
        sql`SELECT client_order_id, average_price FROM orders WHERE trade_id = ${trade.id} AND leg = 'close'`,
      )
    )[0];
    const onExchange = after.orders.find((o) => o.clientOrderId === exit.client_order_id)!;
    const [fill] = after.fills.filter((f) => f.orderId === onExchange.orderId);
    expect(trade.exit_price).toBe(fill.price);
    expect(await statusOf(subs[name].subId)).toBe("paused");
    const events = await store.db.all<{ type: string; payload: string }>(sql`SELECT type, payload FROM events
      WHERE type IN ('trade.closed', 'trade.filled') AND payload ->> 'tradeId' = ${trade.id}
        AND (type = 'trade.closed' OR payload ->> 'leg' = 'exit')`);
    expect(
      events.map((e) => [e.type, JSON.parse(e.payload).exitReason ?? JSON.parse(e.payload).price]),
    ).toEqual([
      ["trade.closed", "kill_switch"],
      ["trade.filled", fill.price],
    ]);
  }

  // Asked again: nothing open, nothing sent, nothing closed twice.
  const ordersBefore = after.orders.length;
  const rowsBefore = await store.db.all(sql`SELECT id, state FROM orders ORDER BY id`);
  const third = await closeAll(`/broker-accounts/${accountId}`);
  expect(third.status).toBe(202);
  expect(third.body).toMatchObject({ subscriptionsPaused: 0, openTrades: 0, restingOrders: 0 });
  await jobDone(third.body.id);
  expect((await account()).orders).toHaveLength(ordersBefore);
  expect(await store.db.all(sql`SELECT id, state FROM orders ORDER BY id`)).toEqual(rowsBefore);

  const report = await checkInvariants(store, keys);
  expect(report.problems).toEqual([]);
}, 300_000);
