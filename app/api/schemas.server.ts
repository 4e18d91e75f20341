// What the API answers: one zod schema per resource (the OpenAPI document's response schemas), and the row-to-resource mappers.
import { z } from "zod";
import type { ValidationResult } from "../../db/contracts/jobs";
import {
  AUTHOR_TIME_BUDGET,
  EXECUTION_ERROR_KINDS,
  EXIT_REASONS,
  resolutionSchema,
  RUNTIME_ERROR_KINDS,
  SIGNAL_ACTIONS,
  type ExitReason,
  type Resolution,
  type SignalAction,
} from "../../db/contracts/domain";
import type { BacktestTrade } from "../../db/store/queries/backtests";
import { equityBasisOf } from "../../db/contracts/performance";
import { pickRiskSettings } from "../../db/contracts/validation/backtest";
import {
  RISK_DESCRIPTIONS,
  riskSettingsToInput,
  type RiskSettings,
} from "../../db/contracts/validation/risk-settings";
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
  type ExecutionStatus,
  type Subscription,
  type Trade,
} from "../../db/store/schema";

// Every field says what it is and, where it has one, its unit; named schemas (`.meta({ id })`) become the
// document's components. Enum values are lowercase on the wire (ADR 165), whatever the store holds.
const id = (what: string) =>
  z.string().meta({ description: `The ${what}'s id`, examples: ["019384a0-7c1e-7000-8000-000000000001"] });
const time = (what: string) =>
  z
    .number()
    .int()
    .meta({
      format: "int64",
      description: `${what}: UTC epoch milliseconds`,
      examples: [1735689600000],
    });
const maybeTime = (what: string) => time(`${what}, or null`).nullable();
const QUOTE = "in the market's quote currency (USDT for BTC/USDT)";
const money = (what: string) => z.number().meta({ description: `${what}, ${QUOTE}`, examples: [12.5] });
const maybeMoney = (what: string) => money(`${what}, or null`).nullable();
const percent = (what: string) =>
  z.number().meta({ description: `${what}, in percent (12.5 = 12.5 %)`, examples: [12.5] });
const maybePercent = (what: string) => percent(`${what}, or null`).nullable();
const ratio = (what: string) => z.number().meta({ description: what, examples: [1.2] });
const maybeRatio = (what: string) => ratio(`${what}, or null`).nullable();
const count = (what: string) =>
  z
    .number()
    .int()
    .meta({ description: what, examples: [3] });
const text = (description: string, example?: string) =>
  z.string().meta({ description, ...(example ? { examples: [example] } : {}) });
const lower = <T extends readonly string[]>(values: T) =>
  values.map((v) => v.toLowerCase()) as { [K in keyof T]: Lowercase<T[K]> };
const symbol = text("The market, base/quote", "BTC/USDT");
const resolution = resolutionSchema.meta({ description: "Candle length", examples: ["1h"] });
const marketSource = text(
  'Where the candles came from: "simulated" or a ccxt exchange id (e.g. "binance")',
  "simulated",
);

export const meSchema = z
  .object({
    id: id("user"),
    name: text("Display name", "Ada"),
    email: text("Sign-in email", "ada@example.com"),
  })
  .meta({ id: "Me", description: "The user a token belongs to" });

export const tokenSchema = z
  .object({
    id: id("token"),
    name: text("What the token is for", "ci"),
    prefix: text("The token's first characters, to tell tokens apart", "cc_Ab3d"),
    createdAt: time("Created"),
    lastUsedAt: maybeTime("Last used (to the minute)"),
    revokedAt: maybeTime("Revoked"),
  })
  .meta({ id: "Token", description: "A personal API token, without its secret" });
export const createdTokenSchema = z
  .object({
    id: id("token"),
    name: text("What the token is for", "ci"),
    prefix: text("The token's first characters", "cc_Ab3d"),
    token: text("The secret: shown once, only in this answer", "cc_Ab3dEf…"),
  })
  .meta({ id: "CreatedToken", description: "A new token with its secret" });

export const strategySchema = z
  .object({
    id: id("strategy"),
    slug: text("URL name, unique", "sma-cross"),
    name: text("Display name", "SMA cross"),
    description: text("What it does (Markdown)"),
    visibility: z.enum(STRATEGY_VISIBILITIES).meta({ description: "draft: only you see it; public: listed" }),
    tags: z.array(z.string()).meta({ description: "Lowercase tags", examples: [["trend"]] }),
    symbols: z
      .array(z.string())
      .meta({ description: "Markets of the latest version", examples: [["BTC/USDT"]] }),
    resolution: resolution.nullable().meta({ description: "Candle length of the latest version, or null" }),
    latestVersionId: id("latest published version").nullable(),
    latestVersion: text("Semver of the latest published version, or null", "1.2.0").nullable(),
    subscriberCount: count("Active subscriptions"),
    returnPct: percent("Return of its subscribers' closed trades"),
    tradesCount: count("Closed trades of its subscribers"),
    mine: z.boolean().meta({ description: "Whether the token's user is the author" }),
    createdAt: time("Created"),
    updatedAt: time("Last changed"),
  })
  .meta({ id: "Strategy", description: "A strategy's metadata and marketplace figures" });

export const versionSchema = z
  .object({
    id: id("version"),
    strategyId: id("strategy"),
    version: text("Semver", "1.2.0"),
    status: z.enum(VERSION_STATUSES).meta({ description: "deprecated: only pinned subscribers run it" }),
    symbols: z.array(z.string()).meta({ description: "Markets it runs on", examples: [["BTC/USDT"]] }),
    resolution,
    lookback: count("Candles each run sees (the newest last)"),
    params: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
      .meta({ description: "Parameters passed to the strategy", examples: [{ fast: 10 }] }),
    changelog: text("What changed (Markdown)"),
    createdAt: time("Created"),
    publishedAt: maybeTime("Published"),
    code: z.string().optional().meta({ description: "The strategy's code: only its author sees it" }),
  })
  .meta({ id: "Version", description: "One published version of a strategy's code and markets" });

/** Risk settings in the units the input uses (percent fields as percent: 1 = 1 %). */
export const settingsSchema = z
  .object({
    capital: z.number().meta({ description: RISK_DESCRIPTIONS.capital, examples: [1000] }),
    riskPerTrade: z.number().meta({ description: RISK_DESCRIPTIONS.riskPerTrade, examples: [1] }),
    leverage: z.number().meta({ description: RISK_DESCRIPTIONS.leverage, examples: [1] }),
    maxOpenPositions: z
      .number()
      .int()
      .meta({ description: RISK_DESCRIPTIONS.maxOpenPositions, examples: [3] }),
    maxDailyLoss: z.number().meta({ description: RISK_DESCRIPTIONS.maxDailyLoss, examples: [5] }),
    stopLossAtr: z.number().meta({ description: RISK_DESCRIPTIONS.stopLossAtr, examples: [2] }),
    takeProfitAtr: z.number().meta({ description: RISK_DESCRIPTIONS.takeProfitAtr, examples: [3] }),
  })
  .meta({ id: "RiskSettings", description: "Risk settings, percent fields in percent" });

export const subscriptionSchema = z
  .object({
    id: id("subscription"),
    strategyId: id("strategy"),
    strategy: z
      .object({ name: text("Display name", "SMA cross"), slug: text("URL name", "sma-cross") })
      .optional()
      .meta({ description: "The strategy's names (in lists)" }),
    pinnedVersionId: id("pinned version (null: follows the latest)").nullable(),
    brokerAccountId: id("broker account"),
    status: z.enum(SUBSCRIPTION_STATUSES).meta({ description: "cancelled is final" }),
    settings: settingsSchema,
    tradesCount: count("Closed trades"),
    wins: count("Closed trades with a positive P&L"),
    losses: count("Closed trades with a P&L at or below 0"),
    totalPnl: money("Realised P&L of the closed trades"),
    createdAt: time("Created"),
    updatedAt: time("Last changed"),
    pausedAt: maybeTime("Paused"),
    cancelledAt: maybeTime("Cancelled"),
  })
  .meta({ id: "Subscription", description: "A subscription with its risk settings and results" });

const PRICE = `${QUOTE} per unit of the base currency`;
const price = (what: string) => z.number().meta({ description: `${what}, ${PRICE}`, examples: [64250.5] });
const maybePrice = (what: string) => price(`${what}, or null`).nullable();
const side = z.enum(lower(TRADE_SIDES)).meta({ description: "long: bought first; short: sold first" });
const exitReason = z.enum(EXIT_REASONS).meta({ description: "Why the trade closed" });

export const tradeSchema = z
  .object({
    id: id("trade"),
    subscriptionId: id("subscription"),
    executionId: id("execution that decided it"),
    strategyId: id("strategy"),
    symbol,
    side: side.nullable().meta({ description: "long or short; null when skipped or rejected" }),
    status: z.enum(TRADE_STATUSES).meta({ description: "skipped and rejected trades never opened" }),
    quantity: z
      .number()
      .nullable()
      .meta({ description: "Size in units of the base currency (BTC for BTC/USDT), or null" }),
    entryPrice: maybePrice("Fill price"),
    stopLoss: maybePrice("Stop-loss"),
    takeProfit: maybePrice("Take-profit"),
    entryFee: maybeMoney("Fee paid at entry"),
    exitPrice: maybePrice("Exit fill price"),
    exitFee: maybeMoney("Fee paid at exit"),
    pnl: maybeMoney("Realised P&L after fees"),
    reason: text("Why it was skipped or rejected, or the signal's reason").nullable(),
    exitReason: exitReason.nullable().meta({ description: "Why the trade closed, or null while open" }),
    openedAt: time("Opened (the signal candle's close)"),
    closedAt: maybeTime("Closed"),
  })
  .meta({ id: "Trade", description: "One subscription's trade from one execution" });

export const executionSchema = z
  .object({
    id: id("execution"),
    strategyId: id("strategy"),
    strategyName: text("The strategy's display name", "SMA cross"),
    versionId: id("version that ran").nullable(),
    version: text("Semver that ran, or null", "1.2.0").nullable(),
    symbol,
    resolution,
    closeTime: time("The candle's close"),
    marketSource,
    status: z
      .enum(lower(EXECUTION_STATUSES))
      .meta({ description: "skipped: not run (a missed close, no subscribers)" }),
    signal: z.enum(lower(SIGNAL_ACTIONS)).nullable().meta({ description: "The strategy's signal, or null" }),
    confidence: z
      .number()
      .nullable()
      .meta({ description: "The signal's confidence, a fraction from 0 to 1, or null", examples: [0.8] }),
    price: maybePrice("The candle's close"),
    reason: text("The signal's reason, or why it was skipped").nullable(),
    subscriberCount: count("Subscriptions it was sized for"),
    tradesCreated: count("Trades it opened"),
    errorKind: z.enum(EXECUTION_ERROR_KINDS).nullable().meta({ description: "Why it failed, or null" }),
    errorMessage: text("The failure, in words, or null").nullable(),
    log: text("The strategy's own log lines, or its traceback, or null").nullable(),
    startedAt: time("Started"),
    finishedAt: maybeTime("Finished"),
    runMs: z.number().nullable().meta({ description: "Time in the sandbox, in milliseconds, or null" }),
    fanoutMs: z
      .number()
      .nullable()
      .meta({ description: "Time sizing and recording every subscriber, in milliseconds, or null" }),
  })
  .meta({ id: "Execution", description: "One run of a strategy for one candle close" });

export const brokerAccountSchema = z
  .object({
    id: id("broker account"),
    name: text("Display name", "Paper account"),
    kind: z.enum(BROKER_KINDS).meta({ description: "paper: simulated fills; exchange: real orders" }),
    exchange: text("The ccxt exchange id, or null for paper", "binance").nullable(),
    testnet: z.boolean().meta({ description: "Whether orders go to the exchange's testnet" }),
  })
  .meta({ id: "BrokerAccount", description: "A broker account, without its credentials" });

const backtestStatsSchema = z
  .object({
    returnPct: percent("Return on the equityBasis curve"),
    winRate: z
      .number()
      .nullable()
      .meta({ description: "Winning closed trades, a fraction from 0 to 1, or null", examples: [0.55] }),
    sharpe: maybeRatio("Sharpe ratio of daily returns, annualised (√365)"),
    sortino: maybeRatio("Sortino ratio of daily returns, annualised (√365)"),
    maxDrawdownPct: percent("Largest drop of the equityBasis curve from a high"),
    profitFactor: maybeRatio("Gross profit over gross loss"),
    trades: count("Closed trades"),
    equityBasis: z.enum(["marked", "closed"]).meta({
      description:
        "The curve the return, drawdown, Sharpe, Sortino, CAGR and Calmar are on: marked to market at each close, or after each closed trade",
    }),
    // ADR 127's figures; absent on backtests completed before they existed.
    closedMaxDrawdownPct: percent("Largest drop of the equity after each closed trade").optional(),
    cagrPct: maybePercent("Compound annual growth").optional(),
    calmar: maybeRatio("CAGR over max drawdown").optional(),
    exposurePct: maybePercent("Share of the period with a position open").optional(),
    avgTradePct: maybePercent("Average trade P&L, of the initial capital").optional(),
    bestTradePct: maybePercent("Best trade P&L, of the initial capital").optional(),
    worstTradePct: maybePercent("Worst trade P&L, of the initial capital").optional(),
    maxConsecutiveLosses: count("Longest run of losing trades").optional(),
    sqn: maybeRatio("System quality number").optional(),
  })
  .meta({ description: "Figures as ADR 127 defines them; null until completed" });

export const backtestSchema = z
  .object({
    id: id("backtest"),
    strategyId: id("strategy"),
    versionId: id("version tested"),
    symbol,
    resolution,
    from: time("Period start"),
    to: time("Period end"),
    marketSource,
    settings: settingsSchema,
    status: z.enum(BACKTEST_STATUSES).meta({ description: "queued, running, then completed or failed" }),
    progress: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: "Share of the period done, a fraction from 0 to 1", examples: [0.4] }),
    stats: backtestStatsSchema.nullable(),
    error: text("Why it failed, or null").nullable(),
    createdAt: time("Queued"),
    finishedAt: maybeTime("Finished"),
  })
  .meta({ id: "Backtest", description: "A backtest's state, progress and figures" });

export const backtestTradeSchema = z
  .object({
    side,
    quantity: z.number().meta({ description: "Size in units of the base currency", examples: [0.01] }),
    entryPrice: price("Fill price"),
    exitPrice: price("Exit fill price"),
    stopLoss: price("Stop-loss"),
    takeProfit: price("Take-profit"),
    openedAt: time("Opened"),
    closedAt: time("Closed"),
    pnl: money("Realised P&L after fees"),
    fees: money("Entry and exit fees"),
    exitReason,
  })
  .meta({ id: "BacktestTrade", description: "One closed trade of a backtest" });

export const backtestResultSchema = backtestSchema
  .extend({
    equity: z
      .array(z.tuple([time("At"), money("Marked equity")]))
      .meta({ description: "[time, equity] points of the marked equity curve (at most 2,000)" }),
    trades: z.array(backtestTradeSchema).meta({ description: "Every closed trade, in close order" }),
  })
  .meta({ id: "BacktestResult", description: "A completed backtest with its curve and trades" });

export const acceptedSchema = z
  .object({
    id: id("job"),
    status: z.enum(["queued", "pending"]).meta({ description: "Not done yet" }),
    poll: text(
      "GET this URL for the state and the result",
      "/api/v1/backtests/019384a0-7c1e-7000-8000-000000000001",
    ),
  })
  .meta({ id: "Accepted", description: "Work queued on a worker: poll the URL" });

export const closeAllQueuedSchema = z
  .object({
    id: id("close-all request"),
    subscriptionsPaused: count(
      "Subscriptions this request paused (no new entries from the next candle close)",
    ),
    openTrades: count("Open trades the job closes at market"),
    restingOrders: count(
      "Resting protective orders (stop-loss, take-profit) the job cancels on the exchange",
    ),
  })
  .meta({
    id: "CloseAllQueued",
    description:
      "The kill switch is queued: the subscriptions are paused, a worker closes the open trades at market (each trade's exit arrives as a trade.closed event, an exchange fill as trade.filled)",
  });

const validationOk = z.object({
  ok: z.literal(true).meta({ description: "The code ran and returned a valid signal" }),
  signal: z
    .object({
      action: z
        .enum(lower(SIGNAL_ACTIONS))
        .meta({ description: "What the strategy said on the last candle" }),
      confidence: z.number().meta({ description: "A fraction from 0 to 1", examples: [1] }),
      stopLoss: maybePrice("Its stop-loss hint"),
      takeProfit: maybePrice("Its take-profit hint"),
      reason: text("Its reason"),
    })
    .meta({ description: "The signal on the newest sample candle" }),
  actions: z
    .partialRecord(z.enum(lower(SIGNAL_ACTIONS)), count("Signals"))
    .meta({ description: "Signals per action over the sample history", examples: [{ hold: 180, buy: 12 }] }),
  candles: count("Sample candles it ran over"),
  logs: z.array(z.string()).meta({ description: "The strategy's log lines" }),
  lookback: count("The lookback the strategy class declares, or null").nullable(),
  ms: z.number().meta({ description: "Run time, in milliseconds", examples: [420] }),
});
const validationFailed = z.object({
  ok: z.literal(false).meta({ description: "The code failed" }),
  error: z.object({
    kind: z
      .enum([...RUNTIME_ERROR_KINDS, AUTHOR_TIME_BUDGET, "internal"])
      .meta({ description: "What kind of failure" }),
    message: text("The failure, in words"),
    traceback: text("The Python traceback, if any"),
    logs: z.array(z.string()).meta({ description: "The strategy's log lines" }),
  }),
  ms: z.number().meta({ description: "Run time, in milliseconds", examples: [420] }),
});
export const validationResultApiSchema = z
  .discriminatedUnion("ok", [validationOk, validationFailed])
  .meta({ id: "ValidationResult", description: "A validation's outcome: the signal, or the typed error" });

export const validationDoneSchema = z
  .object({
    id: id("validation"),
    status: z.literal("done").meta({ description: "Finished" }),
    result: validationResultApiSchema,
  })
  .meta({ id: "ValidationDone", description: "A finished validation" });
export const validationPendingSchema = z
  .object({
    id: id("validation"),
    status: z.literal("pending").meta({ description: "Still running" }),
    poll: text("GET this URL for the result", "/api/v1/validations/019384a0-7c1e-7000-8000-000000000001"),
  })
  .meta({ id: "ValidationPending", description: "A validation still running: poll the URL" });

// ---- rows to resources ----

const lowerCase = <T extends string>(v: T) => v.toLowerCase() as Lowercase<T>;
const lowerOrNull = <T extends string>(v: T | null) => (v === null ? null : lowerCase(v));

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
    side: lowerOrNull(t.side),
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
    exitReason: t.exitReason as ExitReason | null,
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
    resolution: b.resolution as Resolution,
    from: b.fromTime,
    to: b.toTime,
    marketSource: b.marketSource,
    settings: settingsOut(b.settings as unknown as RiskSettings),
    status: b.status,
    progress: b.progress,
    stats: b.stats
      ? ({ ...b.stats, equityBasis: equityBasisOf(b.stats) } as z.infer<typeof backtestStatsSchema>)
      : null,
    error: b.error,
    createdAt: b.createdAt,
    finishedAt: b.finishedAt,
  };
}

export function toBacktestResult(b: Backtest): z.infer<typeof backtestResultSchema> {
  return {
    ...toBacktest(b),
    equity: b.equity ?? [],
    trades: ((b.trades ?? []) as unknown as BacktestTrade[]).map((t) => ({
      ...t,
      side: lowerCase(t.side),
      exitReason: t.exitReason as ExitReason,
    })),
  };
}

type ExecutionRow = Omit<
  z.infer<typeof executionSchema>,
  "status" | "signal" | "errorKind" | "resolution"
> & {
  status: string;
  signal: string | null;
  errorKind: string | null;
  resolution: string;
};

export function toExecution(e: ExecutionRow): z.infer<typeof executionSchema> {
  return {
    ...e,
    resolution: e.resolution as Resolution,
    status: lowerCase(e.status as ExecutionStatus),
    signal: lowerOrNull(e.signal as SignalAction | null),
    errorKind: e.errorKind as z.infer<typeof executionSchema>["errorKind"],
  };
}

export function toValidationResult(r: ValidationResult): z.infer<typeof validationResultApiSchema> {
  if (!r.ok) return { ok: false, error: r.error, ms: r.ms };
  return {
    ok: true,
    signal: { ...r.signal, action: lowerCase(r.signal.action) },
    actions: Object.fromEntries(
      Object.entries(r.actions).map(([action, n]) => [action.toLowerCase(), n]),
    ) as Record<Lowercase<SignalAction>, number>,
    candles: r.candles,
    logs: r.logs,
    lookback: r.lookback,
    ms: r.ms,
  };
}
