// What the API answers: one zod schema per resource (the OpenAPI document's response schemas), and the row-to-resource mappers.
import { z } from "zod";
import { validationResultSchema } from "../../db/contracts/jobs";
import type { BacktestTrade } from "../../db/store/queries/backtests";
import { pickRiskSettings } from "../../db/contracts/validation/backtest";
import { riskSettingsToInput, type RiskSettings } from "../../db/contracts/validation/risk-settings";
import {
  BACKTEST_STATUSES,
  BROKER_KINDS,
  EXECUTION_STATUSES,
  STRATEGY_VISIBILITIES,
  SUBSCRIPTION_STATUSES,
  TRADE_SIDES,
  TRADE_STATUSES,
  VERSION_STATUSES,
  type Backtest,
  type Subscription,
  type Trade,
} from "../../db/store/schema";

const time = z.number().int().describe("UTC epoch milliseconds");
const nullableTime = time.nullable();

export const meSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters, to tell tokens apart"),
  createdAt: time,
  lastUsedAt: nullableTime,
  revokedAt: nullableTime,
});
export const createdTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  token: z.string().describe("The secret: shown once, only in this answer"),
});

export const strategySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: z.enum(STRATEGY_VISIBILITIES),
  tags: z.array(z.string()),
  symbols: z.array(z.string()),
  resolution: z.string().nullable(),
  latestVersionId: z.string().nullable(),
  latestVersion: z.string().nullable(),
  subscriberCount: z.number().int(),
  returnPct: z.number(),
  tradesCount: z.number().int(),
  mine: z.boolean().describe("Whether the token's user is the author"),
  createdAt: time,
  updatedAt: time,
});

export const versionSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  version: z.string(),
  status: z.enum(VERSION_STATUSES),
  symbols: z.array(z.string()),
  resolution: z.string(),
  lookback: z.number().int(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  changelog: z.string(),
  createdAt: time,
  publishedAt: nullableTime,
  code: z.string().optional().describe("The strategy's code: only its author sees it"),
});

/** Risk settings in the units the input uses (percent fields as percent: 1 = 1 %). */
export const settingsSchema = z.object({
  capital: z.number(),
  riskPerTrade: z.number(),
  leverage: z.number(),
  maxOpenPositions: z.number().int(),
  maxDailyLoss: z.number(),
  stopLossAtr: z.number(),
  takeProfitAtr: z.number(),
});

export const subscriptionSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  strategy: z.object({ name: z.string(), slug: z.string() }).optional(),
  pinnedVersionId: z.string().nullable(),
  brokerAccountId: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  settings: settingsSchema,
  tradesCount: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  totalPnl: z.number(),
  createdAt: time,
  updatedAt: time,
  pausedAt: nullableTime,
  cancelledAt: nullableTime,
});

export const tradeSchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  executionId: z.string(),
  strategyId: z.string(),
  symbol: z.string(),
  side: z.enum(TRADE_SIDES).nullable(),
  status: z.enum(TRADE_STATUSES),
  quantity: z.number().nullable(),
  entryPrice: z.number().nullable(),
  stopLoss: z.number().nullable(),
  takeProfit: z.number().nullable(),
  entryFee: z.number().nullable(),
  exitPrice: z.number().nullable(),
  exitFee: z.number().nullable(),
  pnl: z.number().nullable(),
  reason: z.string().nullable(),
  exitReason: z.string().nullable(),
  openedAt: time,
  closedAt: nullableTime,
});

export const executionSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  strategyName: z.string(),
  versionId: z.string().nullable(),
  version: z.string().nullable(),
  symbol: z.string(),
  resolution: z.string(),
  closeTime: time,
  marketSource: z
    .string()
    .describe('Where the candles came from: "simulated" or a ccxt exchange id (e.g. "binance")'),
  status: z.enum(EXECUTION_STATUSES),
  signal: z.string().nullable(),
  confidence: z.number().nullable(),
  price: z.number().nullable(),
  reason: z.string().nullable(),
  subscriberCount: z.number().int(),
  tradesCreated: z.number().int(),
  errorKind: z.string().nullable(),
  errorMessage: z.string().nullable(),
  log: z.string().nullable().describe("The strategy's own log lines, or its traceback"),
  startedAt: time,
  finishedAt: nullableTime,
  runMs: z.number().nullable(),
  fanoutMs: z.number().nullable(),
});

export const brokerAccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(BROKER_KINDS),
  exchange: z.string().nullable(),
  testnet: z.boolean(),
});

export const backtestStatsSchema = z.object({
  returnPct: z.number(),
  winRate: z.number().nullable(),
  sharpe: z.number().nullable(),
  sortino: z.number().nullable(),
  maxDrawdownPct: z.number(),
  profitFactor: z.number().nullable(),
  trades: z.number().int(),
  // ADR 127's figures; absent on backtests completed before they existed.
  closedMaxDrawdownPct: z.number().optional(),
  cagrPct: z.number().nullable().optional(),
  calmar: z.number().nullable().optional(),
  exposurePct: z.number().nullable().optional(),
  avgTradePct: z.number().nullable().optional(),
  bestTradePct: z.number().nullable().optional(),
  worstTradePct: z.number().nullable().optional(),
  maxConsecutiveLosses: z.number().int().optional(),
  sqn: z.number().nullable().optional(),
});

export const backtestSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  versionId: z.string(),
  symbol: z.string(),
  resolution: z.string(),
  from: time,
  to: time,
  marketSource: z
    .string()
    .describe('Where the candles came from: "simulated" or a ccxt exchange id (e.g. "binance")'),
  settings: settingsSchema,
  status: z.enum(BACKTEST_STATUSES),
  progress: z.number().min(0).max(1),
  stats: backtestStatsSchema.nullable(),
  error: z.string().nullable(),
  createdAt: time,
  finishedAt: nullableTime,
});

export const backtestTradeSchema = z.object({
  side: z.enum(TRADE_SIDES),
  quantity: z.number(),
  entryPrice: z.number(),
  exitPrice: z.number(),
  stopLoss: z.number(),
  takeProfit: z.number(),
  openedAt: time,
  closedAt: time,
  pnl: z.number(),
  fees: z.number(),
  exitReason: z.string(),
});

export const backtestResultSchema = backtestSchema.extend({
  equity: z.array(z.tuple([time, z.number()])).describe("[time, equity] after each closed trade"),
  trades: z.array(backtestTradeSchema),
});

export const acceptedSchema = z.object({
  id: z.string(),
  status: z.enum(["queued", "pending"]),
  poll: z.string().describe("GET this URL for the state and the result"),
});

export const validationSchema = z.discriminatedUnion("status", [
  z.object({ id: z.string(), status: z.literal("done"), result: validationResultSchema }),
  z.object({ id: z.string(), status: z.literal("pending"), poll: z.string() }),
]);

// ---- rows to resources ----

const settingsOut = (s: RiskSettings) => riskSettingsToInput(pickRiskSettings(s));

export function toSubscription(
  s: Subscription,
  strategy?: { name: string; slug: string },
): z.infer<typeof subscriptionSchema> {
  return {
    id: s.id,
    strategyId: s.strategyId,
    ...(strategy ? { strategy } : {}),
    pinnedVersionId: s.pinnedVersionId,
    brokerAccountId: s.brokerAccountId,
    status: s.status,
    settings: settingsOut(s),
    tradesCount: s.tradesCount,
    wins: s.wins,
    losses: s.losses,
    totalPnl: s.totalPnl,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    pausedAt: s.pausedAt,
    cancelledAt: s.cancelledAt,
  };
}

export function toTrade(t: Trade): z.infer<typeof tradeSchema> {
  return {
    id: t.id,
    subscriptionId: t.subscriptionId,
    executionId: t.executionId,
    strategyId: t.strategyId,
    symbol: t.symbol,
    side: t.side,
    status: t.status,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    stopLoss: t.stopLoss,
    takeProfit: t.takeProfit,
    entryFee: t.entryFee,
    exitPrice: t.exitPrice,
    exitFee: t.exitFee,
    pnl: t.pnl,
    reason: t.reason,
    exitReason: t.exitReason,
    openedAt: t.openedAt,
    closedAt: t.closedAt,
  };
}

type BacktestRow = Pick<
  Backtest,
  | "id"
  | "strategyId"
  | "versionId"
  | "symbol"
  | "resolution"
  | "fromTime"
  | "toTime"
  | "marketSource"
  | "settings"
  | "status"
  | "progress"
  | "stats"
  | "error"
  | "createdAt"
  | "finishedAt"
>;

export function toBacktest(b: BacktestRow): z.infer<typeof backtestSchema> {
  return {
    id: b.id,
    strategyId: b.strategyId,
    versionId: b.versionId,
    symbol: b.symbol,
    resolution: b.resolution,
    from: b.fromTime,
    to: b.toTime,
    marketSource: b.marketSource,
    settings: settingsOut(b.settings as unknown as RiskSettings),
    status: b.status,
    progress: b.progress,
    stats: (b.stats as z.infer<typeof backtestStatsSchema> | null) ?? null,
    error: b.error,
    createdAt: b.createdAt,
    finishedAt: b.finishedAt,
  };
}

export function toBacktestResult(b: Backtest): z.infer<typeof backtestResultSchema> {
  return {
    ...toBacktest(b),
    equity: b.equity ?? [],
    trades: (b.trades ?? []) as unknown as BacktestTrade[],
  };
}
