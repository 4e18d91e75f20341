// Stop-loss and take-profit resting on the exchange, across processes: a worker process (startWorker,
// EXCHANGE_URL and MARKET_DATA_URL at the simulator, TIME_SCALE 60), the simulator as its own process
// replaying a CSV whose one candle in 50 drops to 90 and back. A long's stop and a short's target fill on
// the simulator inside that candle, between two closes; a signal exit before it cancels the resting pair, and
// when the exchange refuses that exit the reopened trade gets a new pair.
import { sql } from "drizzle-orm";
import { RESOLUTION_MS, type Candle } from "../db/contracts/domain";
import { QUEUES } from "../db/contracts/queues-and-channels";
import {
  startExchangeSim,
  writeCandleCsv,
  type ExchangeSimProcess,
  type SimAccountDump,
} from "../test/support/exchange-sim-process";
import { createTestStore, insertStrategy, insertUser, type TestStore } from "../test/support/store";
import {
  addExchangeSubscriber,
  SIM_BALANCES as BALANCES,
  TEST_ORDER_TIMING,
} from "../test/support/worker/exchange-subscribers";
import {
  createSharedServices,
  stopAll,
  type SharedServices,
  type WorkerProcess,
} from "../test/support/worker/processes";
import { checkInvariants, waitUntilTerminal } from "../test/support/worker/scenario";
import { BUY_CODE, ENTER_EXIT_CODE, SELL_CODE } from "../test/support/worker/strategies";
import type { CandleJob } from "./candle-jobs";

const MINUTE = RESOLUTION_MS["1m"];
const SCALE = 60;
const CYCLE = 50;
/** The row whose candle falls to 90 and comes back: below every long's stop and every short's target. */
const DROP = 5;
const ROWS: Candle[] = Array.from({ length: CYCLE }, (_, i) => ({
  time: i * MINUTE,
  open: 100,
  high: 100.5,
  low: i === DROP ? 90 : 99.5,
  close: 100,
  volume: 10,
}));

let sim: ExchangeSimProcess;
let store: TestStore;
let services: SharedServices;
let worker: WorkerProcess;
const subscribers = {} as Record<
  "long" | "short" | "exit" | "reopen",
  { strategyId: string; apiKey: string; subId: string }
>;

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
  services = await createSharedServices("protect");
  const author = await insertUser(store, "author");
  const codes = { long: BUY_CODE, short: SELL_CODE, exit: ENTER_EXIT_CODE, reopen: ENTER_EXIT_CODE };
  for (const [name, code] of Object.entries(codes) as [keyof typeof codes, string][]) {
    const strategy = await insertStrategy(store, author.id, { code, slug: `protect-${name}` });
    const subscriber = await addExchangeSubscriber(store, sim, strategy.id, name);
    subscribers[name] = { strategyId: strategy.id, ...subscriber };
  }
  worker = services.spawn(
    store.url,
    "protect-0",
    {
      concurrency: 3,
      missedAfterRealMs: 86_400_000,
      // The reconciliation runs when the test queues its job (as the cron would, every minute).
      periodic: true,
      orderTiming: TEST_ORDER_TIMING,
    },
    {
      marketData: { source: "binance", url: sim.base, waitBudgetMs: 5_000 },
      exchangeUrl: sim.base,
      timeScale: SCALE,
    },
  );
  await worker.waitFor((m) => m.type === "ready", 60_000);
}, 90_000);

afterAll(async () => {
  await stopAll(worker ? [worker] : []);
  await services?.cleanup();
  store?.cleanup();
  await sim?.stop();
});

const simTime = async () =>
  ((await (await fetch(`${sim.base}/api/v3/time`)).json()) as { serverTime: number }).serverTime;
/** The CSV row of the candle in progress at simulated time t. */
const rowAt = (t: number) => (((Math.floor(t / MINUTE) - sim.replayStart! / MINUTE) % CYCLE) + CYCLE) % CYCLE;
const near = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(b));

interface TradeRow {
  id: string;
  status: string;
  side: string;
  quantity: number;
  entry_price: number;
  stop_loss: number;
  take_profit: number;
  exit_price: number | null;
  exit_fee: number | null;
  exit_reason: string | null;
  pnl: number | null;
  closed_at: number | null;
}
interface LegRow {
  leg: string;
  state: string;
  client_order_id: string;
  trigger_price: number | null;
  average_price: number | null;
  fee: number | null;
}

async function tradeOf(subId: string): Promise<TradeRow> {
  const rows = await store.db.all<TradeRow>(sql`SELECT id, status, side, quantity, entry_price, stop_loss,
      take_profit, exit_price, exit_fee, exit_reason, pnl, closed_at FROM trades
    WHERE subscription_id = ${subId} AND status IN ('open', 'closed')`);
  expect(rows).toHaveLength(1);
  return rows[0];
}
const legsOf = (tradeId: string) =>
  store.db.all<LegRow>(sql`SELECT leg, state, client_order_id, trigger_price, average_price, fee FROM orders
    WHERE trade_id = ${tradeId} ORDER BY created_at, leg`);
const stateOf = async (tradeId: string) =>
  Object.fromEntries((await legsOf(tradeId)).map((l) => [l.leg, l.state]));
const accountOf = async (apiKey: string): Promise<SimAccountDump> =>
  (await sim.orders()).find((a) => a.apiKey === apiKey)!;
const runReconcile = () => services.queue.boss.send(QUEUES.ordersReconcile, {});
/** Every key the tests scheduled: the invariants check each execution against them. */
const scheduled: CandleJob[] = [];
const enqueue = (keys: CandleJob[]) => (scheduled.push(...keys), services.enqueue(keys));
const job = (name: keyof typeof subscribers, closeTime: number): CandleJob => ({
  strategyId: subscribers[name].strategyId,
  symbol: "BTC/USDT",
  resolution: "1m",
  closeTime,
});

it("stops and targets fill on the exchange between closes, at the exchange's price; a signal exit cancels them first", async () => {
  // Enter a little after the drop: the window's ATR sees only calm candles, and the next drop is ~25 s
  // away, time for the entries to fill and their pairs to rest. ENTER_EXIT buys on an even candle.
  const entryRow = (sim.replayStart! / MINUTE + 21) % 2 === 0 ? 22 : 23;
  const now = await vi.waitFor(
    async () => {
      const t = await simTime();
      if (rowAt(t) !== entryRow) throw new Error(`row ${rowAt(t)}, waiting for ${entryRow}`);
      return t;
    },
    { timeout: 90_000, interval: 100 },
  );
  const entryClose = Math.floor(now / MINUTE) * MINUTE;
  const keys = [job("long", entryClose), job("short", entryClose), job("exit", entryClose)];
  await enqueue(keys);
  await waitUntilTerminal(store, keys, { timeoutMs: 60_000 });

  // Each entry filled, then its stop-loss and take-profit rest on the exchange as one OCO list.
  const entered = await vi.waitFor(
    async () => {
      const trades = {
        long: await tradeOf(subscribers.long.subId),
        short: await tradeOf(subscribers.short.subId),
        exit: await tradeOf(subscribers.exit.subId),
      };
      for (const t of Object.values(trades))
        expect(await stateOf(t.id)).toEqual({ open: "filled", stop: "open", take_profit: "open" });
      return trades;
    },
    { timeout: 30_000, interval: 200 },
  );
  expect(rowAt(await simTime())).not.toBe(DROP);
  for (const t of Object.values(entered)) {
    const legs = await legsOf(t.id);
    expect(legs.find((l) => l.leg === "stop")!.trigger_price).toBe(t.stop_loss);
    expect(legs.find((l) => l.leg === "take_profit")!.trigger_price).toBe(t.take_profit);
  }
  const longAccount = await accountOf(subscribers.long.apiKey);
  expect(longAccount.lists).toHaveLength(1);
  expect(longAccount.orders.map((o) => [o.type, o.side, o.status])).toEqual([
    ["MARKET", "BUY", "FILLED"],
    ["STOP_LOSS", "SELL", "NEW"],
    ["LIMIT_MAKER", "SELL", "NEW"],
  ]);

  // The next close says CLOSE to the third subscriber: its pair comes off first, then one market exit.
  const exitKey = job("exit", entryClose + MINUTE);
  await vi.waitFor(async () => expect(await simTime()).toBeGreaterThan(exitKey.closeTime), {
    timeout: 10_000,
    interval: 100,
  });
  await enqueue([exitKey]);
  await waitUntilTerminal(store, [exitKey], { timeoutMs: 60_000 });
  await vi.waitFor(
    async () =>
      expect(await stateOf(entered.exit.id)).toEqual({
        open: "filled",
        stop: "cancelled",
        take_profit: "cancelled",
        close: "filled",
      }),
    { timeout: 30_000, interval: 200 },
  );
  expect(rowAt(await simTime())).not.toBe(DROP);

  // The drop: the long's stop and the short's target fill on the simulator; the reconciliation reads them.
  const closed = await vi.waitFor(
    async () => {
      const long = await tradeOf(subscribers.long.subId);
      const short = await tradeOf(subscribers.short.subId);
      if (long.status !== "closed" || short.status !== "closed") {
        await runReconcile();
        throw new Error("waiting for the drop's fills to be recorded");
      }
      expect(await stateOf(long.id)).toEqual({ open: "filled", stop: "filled", take_profit: "cancelled" });
      expect(await stateOf(short.id)).toEqual({ open: "filled", stop: "cancelled", take_profit: "filled" });
      return { long, short };
    },
    { timeout: 90_000, interval: 1_000 },
  );

  for (const [name, leg, sibling, reason] of [
    ["long", "stop", "take_profit", "stop_loss"],
    ["short", "take_profit", "stop", "take_profit"],
  ] as const) {
    const trade = closed[name];
    const account = await accountOf(subscribers[name].apiKey);
    const legs = await legsOf(trade.id);
    const filledLeg = legs.find((l) => l.leg === leg)!;
    const onExchange = account.orders.find((o) => o.clientOrderId === filledLeg.client_order_id)!;
    const [fill] = account.fills.filter((f) => f.orderId === onExchange.orderId);
    // Recorded at the exchange's fill (price, fee, time), not at a candle close's price or time.
    expect(trade.exit_reason).toBe(reason);
    expect(trade.exit_price).toBe(fill.price);
    // The exchange reports the commission to 8 decimals.
    expect(trade.exit_fee).toBeCloseTo(fill.commission, 8);
    expect(trade.closed_at).toBe(Math.trunc(fill.time));
    expect(fill.time % MINUTE).not.toBe(0);
    expect(rowAt(fill.time)).toBe(DROP);
    expect(fill.price).not.toBe(ROWS[DROP].close);
    expect(near(fill.price, name === "long" ? trade.stop_loss : trade.take_profit, 1e-8)).toBe(true);
    // The exchange expired the OCO sibling; the store recorded it from the exchange's state.
    const siblingOnExchange = account.orders.find(
      (o) => o.clientOrderId === legs.find((l) => l.leg === sibling)!.client_order_id,
    )!;
    expect(siblingOnExchange.status).toBe("EXPIRED");
    // Flat again on the exchange, and the subscription's figures moved once, by the trade's P&L.
    expect(near(account.balances.BTC.free + account.balances.BTC.locked, BALANCES.BTC)).toBe(true);
    const [figures] = await store.db.all<{ total_pnl: number; wins: number; losses: number }>(
      sql`SELECT total_pnl, wins, losses FROM subscriptions WHERE id = ${subscribers[name].subId}`,
    );
    expect(near(figures.total_pnl, trade.pnl!)).toBe(true);
    expect([figures.wins, figures.losses]).toEqual(trade.pnl! > 0 ? [1, 0] : [0, 1]);
    expect(name === "long" ? trade.pnl! < 0 : trade.pnl! > 0).toBe(true);
    const events = await store.db.all<{ payload: string }>(
      sql`SELECT payload FROM events WHERE type = 'trade.filled' AND payload ->> 'tradeId' = ${trade.id}
        AND payload ->> 'leg' = 'exit'`,
    );
    expect(events.map((e) => JSON.parse(e.payload).price)).toEqual([fill.price]);
  }

  // The exited trade: one market exit at the exchange's price, its pair cancelled, nothing after the drop.
  const exited = await tradeOf(subscribers.exit.subId);
  const exitAccount = await accountOf(subscribers.exit.apiKey);
  expect(exitAccount.orders.map((o) => [o.type, o.side, o.status])).toEqual([
    ["MARKET", "BUY", "FILLED"],
    ["STOP_LOSS", "SELL", "CANCELED"],
    ["LIMIT_MAKER", "SELL", "CANCELED"],
    ["MARKET", "SELL", "FILLED"],
  ]);
  expect(exitAccount.fills).toHaveLength(2);
  expect(exited).toMatchObject({ status: "closed", exit_reason: "signal_close" });
  expect(exited.exit_price).toBe(exitAccount.fills[1].price);
  expect(near(exitAccount.balances.BTC.free + exitAccount.balances.BTC.locked, BALANCES.BTC)).toBe(true);

  const report = await checkInvariants(store, scheduled);
  expect(report.problems).toEqual([]);
}, 300_000);

it("an exit the exchange refuses reopens the trade, and the reopened trade rests under a new pair", async () => {
  // Far from the drop, at a close whose candle is even: ENTER_EXIT buys there and closes at the next one.
  const now = await vi.waitFor(
    async () => {
      const t = await simTime();
      const row = rowAt(t);
      if (row < 25 || row > 40 || (Math.floor(t / MINUTE) - 1) % 2 !== 0) throw new Error(`row ${row}`);
      return t;
    },
    { timeout: 90_000, interval: 100 },
  );
  const entryKey = job("reopen", Math.floor(now / MINUTE) * MINUTE);
  await enqueue([entryKey]);
  await waitUntilTerminal(store, [entryKey], { timeoutMs: 60_000 });
  const entered = await vi.waitFor(
    async () => {
      const t = await tradeOf(subscribers.reopen.subId);
      expect(await stateOf(t.id)).toEqual({ open: "filled", stop: "open", take_profit: "open" });
      return t;
    },
    { timeout: 30_000, interval: 200 },
  );

  // The exchange refuses the next order placed: the market exit, once the pair is off.
  const refusal = "Account has insufficient balance for requested action.";
  await sim.setFaults({ reject: { next: 1, code: -2010, msg: refusal } });
  const exitKey = job("reopen", entryKey.closeTime + MINUTE);
  await vi.waitFor(async () => expect(await simTime()).toBeGreaterThan(exitKey.closeTime), {
    timeout: 10_000,
    interval: 100,
  });
  await enqueue([exitKey]);
  await waitUntilTerminal(store, [exitKey], { timeoutMs: 60_000 });

  const legs = await vi.waitFor(
    async () => {
      const rows = await legsOf(entered.id);
      expect(rows.map((l) => [l.leg, l.state])).toEqual([
        ["open", "filled"],
        ["stop", "cancelled"],
        ["take_profit", "cancelled"],
        ["close", "rejected"],
        ["stop", "open"],
        ["take_profit", "open"],
      ]);
      return rows;
    },
    { timeout: 30_000, interval: 200 },
  );
  expect(rowAt(await simTime())).not.toBe(DROP);
  const reopened = await tradeOf(subscribers.reopen.subId);
  expect(reopened).toMatchObject({ id: entered.id, status: "open", exit_price: null, pnl: null });
  expect(legs[4].trigger_price).toBe(entered.stop_loss);
  expect(legs[5].trigger_price).toBe(entered.take_profit);
  expect(legs[4].client_order_id).not.toBe(legs[1].client_order_id);

  // On the exchange: the first list cancelled, no exit (refused before it executed), the new list resting,
  // and the position still held.
  const account = await accountOf(subscribers.reopen.apiKey);
  expect(account.lists).toHaveLength(2);
  expect(account.orders.map((o) => [o.type, o.side, o.status, o.clientOrderId])).toEqual([
    ["MARKET", "BUY", "FILLED", legs[0].client_order_id],
    ["STOP_LOSS", "SELL", "CANCELED", legs[1].client_order_id],
    ["LIMIT_MAKER", "SELL", "CANCELED", legs[2].client_order_id],
    ["STOP_LOSS", "SELL", "NEW", legs[4].client_order_id],
    ["LIMIT_MAKER", "SELL", "NEW", legs[5].client_order_id],
  ]);
  expect(near(account.balances.BTC.free + account.balances.BTC.locked, BALANCES.BTC + entered.quantity)).toBe(
    true,
  );
  const events = await store.db.all<{ payload: string }>(
    sql`SELECT payload FROM events WHERE type = 'trade.filled' AND payload ->> 'tradeId' = ${entered.id}
      AND payload ->> 'leg' = 'exit'`,
  );
  expect(events.map((e) => JSON.parse(e.payload))).toMatchObject([
    { status: "rejected", reason: expect.stringContaining(refusal) },
  ]);

  const report = await checkInvariants(store, scheduled);
  expect(report.problems).toEqual([]);
}, 300_000);
