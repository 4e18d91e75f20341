// Domain vocabulary shared by the app, the worker and the runtime client: candles, signals, resolutions.
import { z } from "zod";

/** Candle resolutions the scheduler aligns to, with their length in milliseconds. */
export const RESOLUTION_MS = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "4h": 14_400_000,
  "1d": 86_400_000,
} as const;

/** 00:00 UTC of the day holding t: the bucket of the daily-loss limit (ADR 032). */
export const utcDayStart = (t: number) => {
  const day = RESOLUTION_MS["1d"];
  // `%` keeps the sign of t: before 1970 it would answer the next day's start.
  return t - (((t % day) + day) % day);
};

export const RESOLUTIONS = Object.keys(RESOLUTION_MS) as Resolution[];
export const resolutionSchema = z.enum(["1m", "5m", "15m", "1h", "4h", "1d"], {
  error: "Resolution must be one of 1m, 5m, 15m, 1h, 4h, 1d",
});
export type Resolution = z.infer<typeof resolutionSchema>;

/** A symbol like BTC/USDT (ccxt's unified form). */
export const symbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, "Symbol must look like BTC/USDT");

/**
 * One OHLCV candle. `time` is the candle's OPEN time in UTC epoch milliseconds (as ccxt returns it);
 * its close time is `time + RESOLUTION_MS[resolution]`.
 */
export const candleSchema = z.object({
  time: z.number().int(),
  open: z.number().finite(),
  high: z.number().finite(),
  low: z.number().finite(),
  close: z.number().finite(),
  volume: z.number().finite().nonnegative(),
});
export type Candle = z.infer<typeof candleSchema>;

export const SIGNAL_ACTIONS = ["BUY", "SELL", "CLOSE", "HOLD"] as const;
export const signalActionSchema = z.enum(SIGNAL_ACTIONS);
export type SignalAction = z.infer<typeof signalActionSchema>;

/** What a strategy returns for one bar. Stop-loss / take-profit are optional absolute price hints. */
export const signalSchema = z.object({
  action: signalActionSchema,
  confidence: z.number().min(0).max(1).default(1),
  stopLoss: z.number().positive().finite().nullable().default(null),
  takeProfit: z.number().positive().finite().nullable().default(null),
  reason: z.string().max(500).default(""),
});
export type Signal = z.infer<typeof signalSchema>;

/** Error kinds the strategy runtime reports (python/ runner and worker/runtime client agree on these). */
export const RUNTIME_ERROR_KINDS = [
  "syntax",
  "import",
  "timeout",
  "memory",
  "sandbox",
  "bad_signal",
  "runtime",
  "output_limit",
] as const;
export type RuntimeErrorKind = (typeof RUNTIME_ERROR_KINDS)[number];
/**
 * A live run the worker did not start: its author's sandbox time for this close was spent (ADR 176). The
 * execution's errorKind and every follower's skip reason; never a sandbox's answer.
 */
export const AUTHOR_TIME_BUDGET = "author_time_budget";
/** Why a run gave no signal: what the sandbox answered, or the worker's refusal to start it. */
export type RunErrorKind = RuntimeErrorKind | typeof AUTHOR_TIME_BUDGET;

/** Why an execution failed: the runtime's kinds, the author's spent time, no candles, our own fault, or the janitor's "stuck". */
export const EXECUTION_ERROR_KINDS = [
  ...RUNTIME_ERROR_KINDS,
  AUTHOR_TIME_BUDGET,
  "market_data",
  "internal",
  "stuck",
] as const;

/** Why a trade closed (the paper broker's exits, the signal's, a backtest's end, and the subscriber's "close all"). */
export const EXIT_REASONS = [
  "stop_loss",
  "take_profit",
  "liquidation",
  "signal_close",
  "opposite_signal",
  "end_of_period",
  "kill_switch",
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** Close time (epoch ms) of the candle that closes at or before `now`. */
export function lastCloseAtOrBefore(now: number, resolution: Resolution): number {
  const ms = RESOLUTION_MS[resolution];
  return Math.floor(now / ms) * ms;
}

/** The store's enumerations: the values a row's status, kind or side may take. */
/** The built-in market's source name; any other source is a ccxt exchange id (MARKET_DATA=exchange:<id>). */
export const SIMULATED_SOURCE = "simulated";

/** Exchange orders only on exchange candles: never real money on signals computed from invented prices. */
export const sendsExchangeOrders = (marketSource: string) => marketSource !== SIMULATED_SOURCE;

export const SIMULATED_EXCHANGE_REFUSAL =
  "This deployment runs on the simulated market (MARKET_DATA=simulated): exchange accounts would trade real money on invented prices. Choose a paper account.";

/** How a page names where a figure's candles came from. */
export const marketSourceLabel = (source: string) =>
  source === SIMULATED_SOURCE ? "Simulated market" : source.charAt(0).toUpperCase() + source.slice(1);

export const STRATEGY_VISIBILITIES = ["draft", "public"] as const;
export const VERSION_STATUSES = ["draft", "published", "deprecated"] as const;
export const BROKER_KINDS = ["paper", "exchange"] as const;
export const SUBSCRIPTION_STATUSES = ["active", "paused", "cancelled"] as const;
export const EXECUTION_STATUSES = ["RUNNING", "COMPLETED", "FAILED", "SKIPPED"] as const;
export const TRADE_STATUSES = ["open", "closed", "skipped", "rejected"] as const;
export const TRADE_SIDES = ["LONG", "SHORT"] as const;
export const BACKTEST_STATUSES = ["queued", "running", "completed", "failed"] as const;
