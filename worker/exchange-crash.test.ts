// Exactly-once exchange orders across processes: 3 worker processes (startWorker, EXCHANGE_URL and
// MARKET_DATA_URL at the simulator), the simulator as its own process losing ~20 % of order answers
// after executing them, kill -9 of the worker that just committed a close (before, during or after its
// sends), >= 30 closes that each reverse every position. Afterwards the store and the exchange agree.
import { sql } from "drizzle-orm";
import { RESOLUTION_MS } from "../db/contracts/domain";
import { startExchangeSim, type ExchangeSimProcess } from "../test/support/exchange-sim-process";
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
import { FLIP_CODE } from "../test/support/worker/strategies";
import { latestClose } from "./boundaries";
import { QUEUES } from "../db/contracts/queues-and-channels";
import type { CandleJob } from "./candle-jobs";

const CLOSES = 30;
const STRATEGIES = 2;
const SUBSCRIBERS = 2;
/** Every third close, the worker that committed it is killed. */
const KILL_EVERY = 3;
const MINUTE = RESOLUTION_MS["1m"];

let sim: ExchangeSimProcess;
let store: TestStore;
let services: SharedServices;
const everyWorker: WorkerProcess[] = [];
/** Broker account id -> the simulator's API key. */
const apiKeyOf = new Map<string, string>();
const strategyIds: string[] = [];

beforeAll(async () => {
  sim = await startExchangeSim(["--symbols", "BTC/USDT"]);
  store = await createTestStore();
  services = await createSharedServices("xcrash");
  const author = await insertUser(store, "author");
  for (let s = 0; s < STRATEGIES; s++) {
    const strategy = await insertStrategy(store, author.id, { code: FLIP_CODE, slug: `xcrash-${s}` });
    strategyIds.push(strategy.id);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const subscriber = await addExchangeSubscriber(store, sim, strategy.id, `${s}-${i}`);
      apiKeyOf.set(subscriber.accountId, subscriber.apiKey);
    }
  }
}, 60_000);

afterAll(async () => {
  await stopAll(everyWorker);
  await services?.cleanup();
  store?.cleanup();
  await sim?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const near = (a: number, b: number, eps = 1e-6) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(b));

it(`${CLOSES} reversing closes, lost answers and kill -9s: every intent on the exchange exactly once`, async () => {
  const start = (slot: number, generation: number) => {
    const w = services.spawn(
      store.url,
      `x${slot}-${generation}`,
      {
        concurrency: 2,
        runConcurrency: 1,
        missedAfterRealMs: 86_400_000,
        lockTtlMs: 2_000,
        candleJobExpireSeconds: 3,
        stuckAfterMs: 4_000,
        // The janitor and the reconciliation run when the test queues their jobs (as the cron would).
        periodic: true,
        orderTiming: TEST_ORDER_TIMING,
      },
      {
        marketData: { source: "binance", url: sim.base, waitBudgetMs: 5_000 },
        exchangeUrl: sim.base,
        reportSteps: true,
      },
    );
    everyWorker.push(w);
    return w;
  };
  const slots = [start(0, 0), start(1, 0), start(2, 0)];
  await Promise.all(slots.map((w) => w.waitFor((m) => m.type === "ready")));
  await sim.setFaults({ orderLatencyMs: 10, dropAfterExecute: { next: 0, fraction: 0.2, delayMs: 0 } });
  const runJob = (queue: string) => services.queue.boss.send(queue, {});

  const t0 = Date.now();
  const first = latestClose(Date.now(), "1m") - (CLOSES - 1) * MINUTE;
  const keys: CandleJob[] = [];
  const kills: number[] = [];
  for (let k = 0; k < CLOSES; k++) {
    const closeTime = first + k * MINUTE;
    const batch = strategyIds.map((strategyId) => ({
      strategyId,
      symbol: "BTC/USDT",
      resolution: "1m" as const,
      closeTime,
    }));
    keys.push(...batch);
    const committed = Promise.race(
      slots.map((w, slot) =>
        w
          .waitFor(
            (m) =>
              m.type === "step" &&
              m.step === "recorded" &&
              (m.job as CandleJob | undefined)?.closeTime === closeTime,
            20_000,
          )
          .then(() => slot),
      ),
    );
    await services.enqueue(batch);
    if (k % KILL_EVERY === 1) {
      // The worker that just committed dies before, while or after it sends the close's orders.
      const slot = await committed.catch(() => null);
      if (slot !== null) {
        const delay = Math.floor(Math.random() * 150);
        await sleep(delay);
        slots[slot].child.kill("SIGKILL");
        await slots[slot].exited;
        kills.push(delay);
        slots[slot] = start(slot, k + 1);
      }
    } else {
      committed.catch(() => {});
    }
    await waitUntilTerminal(store, batch, {
      everyMs: 200,
      timeoutMs: 60_000,
      onTick: () => runJob(QUEUES.janitor),
    });
    await runJob(QUEUES.ordersReconcile);
  }

  const closesMs = Date.now() - t0;
  // The reconciliation decides whatever the dead left pending, sent or unknown.
  await vi.waitFor(
    async () => {
      const [{ n }] = await store.db.all<{ n: number }>(
        // A protective leg resting ('open') for an open trade is decided: it is where it should be.
        sql`SELECT count(*) AS n FROM orders WHERE state IN ('pending', 'sent', 'unknown', 'open', 'partially_filled')
          AND NOT (leg IN ('stop', 'take_profit') AND state = 'open')`,
      );
      if (Number(n) > 0) {
        await runJob(QUEUES.ordersReconcile);
        throw new Error(`${n} orders undecided`);
      }
    },
    { timeout: 45_000, interval: 1_000 },
  );

  const reconciledMs = Date.now() - t0;
  const report = await checkInvariants(store, keys);
  expect(report.problems).toEqual([]);
  expect(report.notTerminal).toEqual([]);

  const dump = new Map((await sim.orders()).map((a) => [a.apiKey, a]));
  const storeOrders = await store.db.all<{
    broker_account_id: string;
    trade_id: string;
    leg: string;
    client_order_id: string;
    side: string;
    state: string;
    filled_quantity: number | null;
    average_price: number | null;
    fee: number | null;
    reason: string | null;
  }>(sql`SELECT broker_account_id, trade_id, leg, client_order_id, side, state, filled_quantity, average_price, fee,
    reason FROM orders`);
  const trades = await store.db.all<{
    id: string;
    broker_account_id: string;
    status: string;
    side: string;
    quantity: number;
  }>(sql`SELECT t.id, s.broker_account_id, t.status, t.side, t.quantity FROM trades t
    JOIN subscriptions s ON s.id = t.subscription_id WHERE t.status IN ('open', 'closed', 'rejected')`);

  const storeFills = await store.db.all<{ client_order_id: string; exchange_trade_id: string }>(
    sql`SELECT o.client_order_id, f.exchange_trade_id FROM order_fills f JOIN orders o ON o.id = f.order_id`,
  );
  const fillIdsOf = (clientOrderId: string) =>
    storeFills
      .filter((f) => f.client_order_id === clientOrderId)
      .map((f) => f.exchange_trade_id)
      .sort();
  const problems: string[] = [];
  for (const [accountId, apiKey] of apiKeyOf) {
    const account = dump.get(apiKey)!;
    const mine = storeOrders.filter((o) => o.broker_account_id === accountId);
    const ours = new Set(mine.map((o) => o.client_order_id));
    // No exchange order without its intent in the store.
    for (const o of account.orders)
      if (!ours.has(o.clientOrderId))
        problems.push(`${apiKey}: exchange order ${o.clientOrderId} has no intent`);
    let quote = 0;
    for (const o of mine) {
      const onExchange = account.orders.filter((x) => x.clientOrderId === o.client_order_id);
      const filled = onExchange.filter((x) => x.status === "FILLED");
      if (o.state === "filled") {
        if (filled.length !== 1 || onExchange.length !== 1)
          problems.push(
            `${o.client_order_id}: filled once in the store, ${filled.length} times on the exchange`,
          );
        else {
          const x = filled[0];
          const fills = account.fills.filter((f) => f.orderId === x.orderId);
          if (fills.length !== 1) problems.push(`${o.client_order_id}: ${fills.length} exchange fills`);
          // Each exchange fill recorded once, under its trade id.
          const recorded = fillIdsOf(o.client_order_id);
          if (JSON.stringify(recorded) !== JSON.stringify(fills.map((f) => String(f.id)).sort()))
            problems.push(`${o.client_order_id}: fills ${recorded.join(",")} in the store`);
          if (
            !near(x.executedQty, o.filled_quantity!) ||
            !near(x.cummulativeQuoteQty / x.executedQty, o.average_price!)
          )
            problems.push(`${o.client_order_id}: store fill differs from the exchange's`);
          const fee = fills.reduce((s, f) => s + f.commission, 0);
          if (!near(fee, o.fee!)) problems.push(`${o.client_order_id}: fee ${o.fee} != ${fee}`);
        }
        quote += (o.side === "sell" ? 1 : -1) * o.filled_quantity! * o.average_price! - o.fee!;
      } else if (filled.length > 0) {
        // Never both void (or rejected) and filled.
        problems.push(`${o.client_order_id}: ${o.state} in the store, filled on the exchange`);
      } else if (o.state === "open" && !onExchange.some((x) => x.status === "NEW")) {
        problems.push(`${o.client_order_id}: resting in the store, ${onExchange[0]?.status} on the exchange`);
      } else if (
        o.state === "cancelled" &&
        !onExchange.every((x) => x.status === "CANCELED" || x.status === "EXPIRED")
      ) {
        problems.push(
          `${o.client_order_id}: cancelled in the store, ${onExchange[0]?.status} on the exchange`,
        );
      }
    }
    // Positions: the exchange's base balance moved by exactly what the open trades hold.
    const held = trades
      .filter((t) => t.broker_account_id === accountId && t.status === "open")
      .reduce((s, t) => s + (t.side === "LONG" ? t.quantity : -t.quantity), 0);
    const btc = account.balances.BTC.free + account.balances.BTC.locked - BALANCES.BTC;
    if (!near(btc, held, 1e-9))
      problems.push(`${apiKey}: exchange holds ${btc} BTC more, the store's trades ${held}`);
    const usdt = account.balances.USDT.free + account.balances.USDT.locked - BALANCES.USDT;
    if (!near(usdt, quote))
      problems.push(`${apiKey}: exchange USDT moved ${usdt}, the store's fills ${quote}`);
  }
  // Each trade's orders are what its state calls for: an entry, then its protective pair once the entry
  // filled (resting while the trade is open, cancelled when a signal closed it first), and one exit fill
  // at most, a market exit's or a protective leg's.
  const legsOf = (tradeId: string) => storeOrders.filter((o) => o.trade_id === tradeId);
  const protectiveCounts: Record<string, number> = {};
  for (const t of trades) {
    const entry = legsOf(t.id).find((o) => o.leg === "open")?.state;
    // A void or refused exit reopened the trade; a later one may have closed it.
    const exits = legsOf(t.id).filter((o) => o.leg !== "open");
    const exitFills = exits.filter((o) => o.state === "filled");
    const exit = exitFills[0]?.state ?? exits.find((o) => o.leg === "close")?.state;
    if (exitFills.length > 1) problems.push(`trade ${t.id} closed twice`);
    const ok =
      t.status === "open"
        ? entry === "filled" && exit !== "filled"
        : t.status === "closed"
          ? entry === "filled" && exit === "filled"
          : entry !== "filled" && exit !== "filled";
    if (!ok) problems.push(`trade ${t.id} ${t.status}: entry ${entry}, exit ${exit}`);
    const pair = exits.filter((o) => o.leg === "stop" || o.leg === "take_profit");
    if (entry === "filled" && t.status === "open" && pair.length !== 2)
      problems.push(`trade ${t.id}: ${pair.length} protective legs after its entry filled`);
    if (pair.some((o) => o.state === "open") && (t.status !== "open" || pair.some((o) => o.state !== "open")))
      problems.push(`trade ${t.id} ${t.status}: legs ${pair.map((o) => o.state).join("/")}`);
    for (const o of pair) {
      const key = `${o.leg} ${o.state}`;
      protectiveCounts[key] = (protectiveCounts[key] ?? 0) + 1;
    }
  }

  const byState: Record<string, number> = {};
  for (const o of storeOrders) {
    const why =
      o.state === "void" || (o.state === "rejected" && o.leg !== "open")
        ? `${o.state} ${o.leg}: ${o.reason?.replace(/ cc[0-9a-f]{30}| \(\d+ s after the signal\)|: it never arrived| \d+ s old/g, "")}`
        : o.state;
    byState[why] = (byState[why] ?? 0) + 1;
  }
  const requests = await sim.requests();
  const placed = [...dump.values()].reduce((s, a) => s + a.orders.length, 0);
  // Market orders go to /api/v3/order; the protective pairs to /api/v3/orderList/oco.
  const marketPlaced = [...dump.values()].reduce(
    (s, a) => s + a.orders.filter((o) => o.orderListId === -1).length,
    0,
  );
  const reversals = storeOrders.filter((o) => o.leg === "close").length;
  console.log(
    `exchange crash: ${keys.length} executions ${JSON.stringify(report.byStatus)}, orders ${JSON.stringify(byState)}, ` +
      `protective legs ${JSON.stringify(protectiveCounts)}, ` +
      `${placed} on the exchange (${marketPlaced} market), ${reversals} exits, ` +
      `${(requests["/api/v3/order"] ?? 0) - marketPlaced} look-ups and cancels, ` +
      `${kills.length} kill -9s at +${kills.join("/")} ms after a commit; closes ${closesMs} ms, all decided ${reconciledMs} ms`,
  );
  expect(problems).toEqual([]);
  expect(reversals).toBeGreaterThanOrEqual(CLOSES);
  expect(kills.length).toBeGreaterThanOrEqual(CLOSES / KILL_EVERY - 2);
  // Filled entries sent their protective pairs to the exchange (resting, cancelled before a reversal, or
  // refused there when the replayed close's levels were already crossed: how many depends on the host's speed).
  const pairsSent = ["open", "cancelled", "rejected", "filled"].reduce(
    (n, state) => n + (protectiveCounts[`stop ${state}`] ?? 0),
    0,
  );
  expect(pairsSent).toBeGreaterThanOrEqual(CLOSES);
  // Lost answers were recovered by look-ups, not by re-sending.
  expect((requests["/api/v3/order"] ?? 0) - marketPlaced).toBeGreaterThan(0);
  // Each reversal now also cancels a resting pair and places a new one: on a loaded host ~7 s a close.
}, 480_000);
