// Bench: one close opens a trade for N subscribers on exchange accounts at the exchange simulator (its own
// process, --latency-ms per placement); seconds from the commit until every entry order is filled and
// recorded, and orders per second. The floor is the same N orders as bare signed HTTP round trips to the
// same simulator, one at a time as the sender sends them (no ccxt, no store): the ratio is what ccxt,
// the state table's conditional updates and recording each fill add per order.
// Beside it, the same entry candle for N paper subscribers (paper_seconds): a paper trade is recorded in the
// candle's own commit, so its figure is the whole candle (the sandboxed run, sizing, the commit) and nothing
// follows the commit.
// Flags: --n N (subscribers, default 1000) --latency-ms N (default 20).
import { createHmac } from "node:crypto";
import pino from "pino";
import { createInfra } from "../db/infra/index.server";
import { countOrdersByState } from "../db/store/queries/orders";
import { startExchangeSim } from "../test/support/exchange-sim-process";
import {
  createTestStore,
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
} from "../test/support/store";
import { latestClose } from "../worker/boundaries";
import { createExchangeAccess } from "../worker/exchange-access";
import { BUY_CODE } from "../test/support/worker/strategies";
import { createBenchCoordinator } from "./_coordinator";
import { numberFlag } from "./_args";
import type { Need } from "./_needs";
import { againstFloor, printResult, round } from "./_stats";

export const needs: readonly Need[] = ["sandbox"];

const KEY = Buffer.alloc(32, 5).toString("base64");

/** One bare signed MARKET buy, answered FULL: what the sender's request is, without ccxt. */
async function rawOrder(base: string, apiKey: string, secret: string, clientOrderId: string) {
  const query = new URLSearchParams({
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity: "0.01",
    newClientOrderId: clientOrderId,
    newOrderRespType: "FULL",
    timestamp: String(Date.now()),
  }).toString();
  const signature = createHmac("sha256", secret).update(query).digest("hex");
  const response = await fetch(`${base}/api/v3/order?${query}&signature=${signature}`, {
    method: "POST",
    headers: { "X-MBX-APIKEY": apiKey },
  });
  const body = (await response.json()) as { status?: string; msg?: string };
  if (body.status !== "FILLED") throw new Error(`raw order not filled: ${JSON.stringify(body)}`);
}

/** Seconds of one entry candle for `n` paper subscribers, through the real coordinator (after a warm-up candle). */
async function paperCandle(store: Awaited<ReturnType<typeof createTestStore>>, n: number) {
  const infra = await createInfra({ keyPrefix: `cc-bench:orders:${process.pid}:` });
  const { runner, ...coordinator } = createBenchCoordinator(store, infra);
  try {
    const author = await insertUser(store, "paper-author");
    const close = latestClose(Date.now(), "1m");
    const candle = async (code: string, slug: string, subscribers: number) => {
      const strategy = await insertStrategy(store, author.id, { code, slug });
      await insertSubscriptions(store, strategy.id, subscribers);
      const started = performance.now();
      const outcome = await coordinator.executeCandle({
        strategyId: strategy.id,
        symbol: "BTC/USDT",
        resolution: "1m",
        closeTime: close,
      });
      if (outcome.status !== "executed" || outcome.opened !== subscribers)
        throw new Error(`paper candle: ${JSON.stringify(outcome)}`);
      return (performance.now() - started) / 1000;
    };
    await candle(BUY_CODE, `paper-warm-${process.pid}`, 1);
    return await candle(BUY_CODE, `paper-${process.pid}`, n);
  } finally {
    await runner.close();
    await infra.close();
  }
}

export default async function orders(args: string[]) {
  const n = numberFlag(args, "n", 1000, 10);
  const latencyMs = numberFlag(args, "latency-ms", 20);
  const sim = await startExchangeSim(["--symbols", "BTC/USDT"]);
  const store = await createTestStore();
  try {
    await sim.setFaults({ orderLatencyMs: latencyMs });
    const author = await insertUser(store, "author");
    const strategy = await insertStrategy(store, author.id);
    const accounts: { apiKey: string; secret: string }[] = [];
    const entries: Parameters<typeof recordOpenExchangeTrades>[2] = [];
    for (let i = 0; i < n; i++) {
      const user = await insertUser(store, `trader${i}`);
      const keys = { apiKey: `bench-${i}-${user.id}`, secret: `secret-${i}`, testnet: false };
      const account = await insertExchangeAccount(store, user.id, KEY, keys);
      await sim.addAccount({ apiKey: keys.apiKey, secret: keys.secret, balances: { USDT: 1_000_000 } });
      accounts.push(keys);
      const [sub] = await insertSubscriptions(store, strategy.id, 1, {
        userId: user.id,
        brokerAccountId: account.id,
      });
      entries.push({
        subscriptionId: sub.id,
        userId: user.id,
        brokerAccountId: account.id,
        clientOrderId: `cc-bench-${i}`,
      });
    }
    const access = createExchangeAccess({ db: store.db, encryptionKey: KEY, exchangeUrl: sim.base });
    const logger = pino({ level: "silent" });
    // Before the commit the coordinator asks each account for its limits: its client is built and warm.
    for (const { brokerAccountId } of entries) {
      const prepared = await access.prepare(brokerAccountId, "BTC/USDT");
      if ("unavailable" in prepared) throw new Error(prepared.unavailable);
    }

    // One commit with every subscriber's entry order, then the sender, as after a coordinator's commit.
    const { executionId } = await recordOpenExchangeTrades(
      store,
      { strategyId: strategy.id, versionId: strategy.versionId },
      entries,
    );
    const started = performance.now();
    await access.sendOrders(executionId, logger);
    const seconds = (performance.now() - started) / 1000;
    const states = await countOrdersByState(store.db);
    if (states.filled !== n) throw new Error(`not every order filled: ${JSON.stringify(states)}`);

    const floorStarted = performance.now();
    for (const [i, a] of accounts.entries()) await rawOrder(sim.base, a.apiKey, a.secret, `cc-raw-${i}`);
    const floorSeconds = (performance.now() - floorStarted) / 1000;

    const paperSeconds = await paperCandle(store, n);

    console.log(`${n} entry orders on exchange accounts at the simulator, ${latencyMs} ms latency each`);
    console.log(
      `the same entry candle for ${n} paper subscribers: ${round(paperSeconds, 2)} s (run, sizing, commit)`,
    );
    const rate = againstFloor("orders filled and recorded", n / seconds, n / floorSeconds, {
      unit: "orders/s",
      floorIs: "bare signed HTTP round trips, one at a time",
      rate: true,
    });
    printResult("orders", rate, {
      orders: n,
      latency_ms: latencyMs,
      seconds: round(seconds, 2),
      orders_per_s: round(n / seconds, 1),
      floor_seconds: round(floorSeconds, 2),
      paper_seconds: round(paperSeconds, 2),
    });
  } finally {
    store.cleanup();
    await sim.stop();
  }
}
