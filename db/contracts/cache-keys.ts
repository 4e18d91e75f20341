// Names of the keys the app and the worker share in the cache and the lock (one place, so both spell them alike).
import type { Resolution } from "./domain";

/** The active-candle registry: a set of JSON members, one per (strategy, symbol, resolution) with active subscribers. */
export const ACTIVE_CANDLES_KEY = "registry:active-candles";
/**
 * Set when the registry was last rebuilt. An empty registry deletes its set (as Redis does), so this
 * marker tells "nobody subscribes" apart from "the cache lost it" (flushed, restarted).
 */
export const ACTIVE_CANDLES_BUILT_KEY = "registry:active-candles:built";

/** A strategy's settings (its latest published version): cache-aside, the store is the truth. */
export const strategySettingsKey = (strategyId: string) => `strategy:${strategyId}:settings`;
/** A published version's code and markets; versions never change once published, so this lives long. */
export const strategyVersionKey = (versionId: string) => `strategy-version:${versionId}`;

export const STRATEGY_SETTINGS_TTL_MS = 60_000;
export const STRATEGY_VERSION_TTL_MS = 24 * 3_600_000;

/** Sandbox ms an author's live runs used at one close, across the deployment (ADR 176). */
export const authorTimeKey = (authorId: string, closeTime: number) => `author-time:${authorId}:${closeTime}`;
/** Long past any execution of that close (a late one is recorded missed, ADR 041). */
export const AUTHOR_TIME_TTL_MS = 3_600_000;

/** Held while one of a user's author jobs of this kind runs, anywhere in the deployment (ADR 177). */
export const authorJobLeaseKey = (kind: string, userId: string) => `author-job:${kind}:${userId}`;

/** The coordinator's lock on one candle of one strategy (see docs/decisions/010). */
export const executionLockKey = (k: {
  strategyId: string;
  symbol: string;
  resolution: Resolution | string;
  closeTime: number;
}) => `execution:${k.strategyId}:${k.symbol}:${k.resolution}:${k.closeTime}`;

/** Held by the one worker fetching a market's missing candles from its source (Pattern A for market data). */
export const marketDataLockKey = (m: { source: string; symbol: string; resolution: string }) =>
  `market-data:${m.source}:${m.symbol}:${m.resolution}`;
