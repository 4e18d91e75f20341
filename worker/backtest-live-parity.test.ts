// A backtest on stored exchange history equals, bar for bar, the live executions over the same closes:
// the same candles (the candle store), the same strategy runs, the same risk and paper fills.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { and, eq, isNotNull } from "drizzle-orm";
import pino from "pino";
import { RESOLUTION_MS } from "../db/contracts/domain";
import { createInfra, type Infra } from "../db/infra/index.server";
import { createBacktest, getBacktest, type BacktestTrade } from "../db/store/queries/backtests";
import { trades } from "../db/store/schema";
import { backtestRequestSchema } from "../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { generatedSource } from "../scripts/exchange-sim/candle-source";
import { createExchangeSimServer } from "../scripts/exchange-sim/server";
import { createState } from "../scripts/exchange-sim/state";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../test/support/store";
import { FLIP_CODE } from "../test/support/worker/strategies";
import { createCcxtExchange } from "./brokers/ccxt-exchange.server";
import { createCoordinator } from "./coordinator";
import { exchangesDisabled } from "./exchange-access";
import { runBacktest } from "./jobs/run-backtest";
import { createCcxtUpstream } from "./market-data/ccxt-upstream.server";
import { pointExchangeAt } from "./market-data/exchange-url";
import { createStoredFeed } from "./market-data/stored-feed";
import { createWorkerMetrics } from "./metrics";
import { createStrategyRunner, type StrategyRunner } from "./runtime";

const MINUTE = RESOLUTION_MS["1m"];
const FIRST_CLOSE = Date.UTC(2025, 5, 1, 12, 0);
const CLOSES = 30;
let server: Server;
let store: TestStore;
let infra: Infra;
let runner: StrategyRunner;

beforeAll(async () => {
  const state = createState({
    source: generatedSource(),
    symbols: ["BTC/USDT"],
    now: () => FIRST_CLOSE + CLOSES * MINUTE + 400,
  });
  server = createExchangeSimServer(state);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  store = await createTestStore();
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  runner = createStrategyRunner({ python: "/usr/bin/python3", sandbox: "bwrap", maxConcurrent: 2 });
});
afterAll(async () => {
  await runner.close();
  await infra.close();
  store.cleanup();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it("a backtest on the stored candles books the trades the live executions booked", async () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id, { code: FLIP_CODE, resolution: "1m" });
  const [subscription] = await insertSubscriptions(store, strategy.id, 1);
  const coordinator = createCoordinator({
    db: store.db,
    cache: infra.cache,
    lock: infra.lock,
    bus: infra.bus,
    marketData: createStoredFeed({
      db: store.db,
      lock: infra.lock,
      upstream: createCcxtUpstream(pointExchangeAt(createCcxtExchange(), base)),
    }),
    runner,
    clock: { now: () => FIRST_CLOSE + CLOSES * MINUTE },
    workerId: "parity",
    logger: pino({ level: "silent" }),
    metrics: createWorkerMetrics(),
    exchange: exchangesDisabled,
    missedAfterMs: 86_400_000,
  });
  for (let k = 0; k < CLOSES; k++) {
    const outcome = await coordinator.executeCandle({
      strategyId: strategy.id,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime: FIRST_CLOSE + k * MINUTE,
    });
    expect(outcome.status).toBe("executed");
  }
  const live = await store.db
    .select()
    .from(trades)
    .where(and(eq(trades.subscriptionId, subscription.id), isNotNull(trades.closedAt)))
    .orderBy(trades.openedAt);
  expect(live.length).toBeGreaterThan(10);

  // The bars closing at the same closes, on the stored binance candles.
  // insertSubscriptions gives the subscriber the form's defaults: the backtest takes the same settings.
  const request = backtestRequestSchema.parse({
    ...RISK_DEFAULTS_INPUT,
    symbol: "BTC/USDT",
    from: FIRST_CLOSE - MINUTE,
    to: FIRST_CLOSE + (CLOSES - 1) * MINUTE,
  });
  const created = await createBacktest(store.db, author.id, strategy.id, request, {
    marketSource: "binance",
  });
  expect(await runBacktest({ store, bus: infra.bus, runner }, { backtestId: created!.id })).toBe("completed");
  const backtest = await getBacktest(store.db, author.id, created!.id);
  const booked = ((backtest!.trades ?? []) as unknown as BacktestTrade[]).filter(
    (t) => t.exitReason !== "end_of_period",
  );
  const shape = (t: {
    side: string | null;
    openedAt: number;
    closedAt: number | null;
    entryPrice: number | null;
    exitPrice: number | null;
    exitReason: string | null;
  }) => ({
    side: t.side,
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    exitReason: t.exitReason,
  });
  expect(booked.map(shape)).toEqual(live.map(shape));
  booked.forEach((t, i) => {
    expect(t.quantity).toBeCloseTo(live[i].quantity!, 9);
    expect(t.pnl).toBeCloseTo(live[i].pnl!, 6);
  });
}, 120_000);
