// Run the versions: who follows which version of the strategy, the candle window, one sandboxed run per version.
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import type { Logger } from "../../db/platform/logger.server";
import {
  listFanOutSubscriptions,
  listOpenTradesOfStrategy,
  type FanOutSubscription,
  type OpenTrade,
} from "../../db/store/queries/fan-out";
import {
  getStrategySettings,
  getVersionSettings,
  type VersionSettings,
} from "../../db/store/queries/strategy-settings";
import type { CandleJob } from "../candle-jobs";
import type { VersionOutcome } from "../fan-out";
import type { LiveResult, RunShare } from "../runtime";
import { createAuthorTime } from "./author-time";
import type { ExecutionReport } from "./report";
import type { ClaimedCandle, CoordinatorDeps } from "./types";

type VersionDeps = Pick<
  CoordinatorDeps,
  "db" | "cache" | "marketData" | "runner" | "logger" | "authorTimePerCloseMs"
>;

/** Candles for the ATR the risk function sizes with (Wilder's 14 needs 15; more smooths the seed). */
const ATR_WINDOW = 30;

export interface VersionGroup {
  version: VersionSettings;
  subscriptions: FanOutSubscription[];
}

/** The latest version's run, started before the subscribers are read. */
interface EarlyRun {
  versionId: string;
  count: number;
  candles: Promise<Candle[]>;
  run: Promise<LiveResult>;
  started: number;
}

export type Followers =
  | { followed: false; reason: "no_active_subscriptions" | "strategy_not_found"; versionId: string | null }
  | {
      followed: true;
      /** The latest version first (it names the execution row), then by following. */
      groups: VersionGroup[];
      subscriptions: FanOutSubscription[];
      versionOf: (subscription: FanOutSubscription) => string;
      early: EarlyRun | null;
      /** The author's share every run of this candle asks its slot with. */
      share: RunShare;
    };

/** Why a candle produced no signal for anyone; every subscriber is told, with their version's outcome. */
export interface RunFailure {
  errorKind: string;
  errorMessage: string;
  logs: string[];
  runMs?: number;
  outcomes: ReadonlyMap<string, VersionOutcome>;
}

export type VersionRuns =
  | {
      ok: true;
      candles: Candle[];
      runs: LiveResult[];
      outcomes: Map<string, VersionOutcome>;
      openTrades: OpenTrade[];
      runMs: number;
    }
  | { ok: false; failure: RunFailure };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createVersionRuns(deps: VersionDeps, report: ExecutionReport) {
  const { db, cache, logger } = deps;
  const shareOf = createAuthorTime({ cache, logger, perCloseMs: deps.authorTimePerCloseMs ?? 0 });
  const onCacheError = (error: unknown, context: { key: string; operation: string }) =>
    logger.warn({ err: error, ...context }, "settings cache unavailable; read the store");

  async function fetchCandles(job: CandleJob, count: number): Promise<Candle[]> {
    const candles = await deps.marketData.closedCandles(
      job.symbol,
      job.resolution as Resolution,
      job.closeTime,
      count,
    );
    const last = candles.at(-1);
    if (!last || last.time + RESOLUTION_MS[job.resolution] !== job.closeTime) {
      throw new Error(`the market data has no candle closing at ${new Date(job.closeTime).toISOString()}`);
    }
    return candles;
  }

  const run = (version: VersionSettings, candles: Candle[], share: RunShare) =>
    deps.runner.runLive(
      { code: version.code, params: version.params, candles: candles.slice(-version.lookback) },
      share,
    );

  /** The window (for the latest version's lookback and the ATR) and the run on it, started at once. */
  function startEarly(job: CandleJob, version: VersionSettings, share: RunShare): EarlyRun {
    const count = Math.max(ATR_WINDOW, version.lookback);
    const candles = fetchCandles(job, count);
    const started = performance.now();
    const early = candles.then((c) => run(version, c, share));
    // Whoever awaits them reports the failure; until then it is noted here so it is never "unhandled".
    const noted = (what: string) => (error: unknown) =>
      logger.debug(
        { err: error, job },
        `the early ${what} failed; the execution reports it when it awaits it`,
      );
    candles.catch(noted("candle read"));
    early.catch(noted("run"));
    return { versionId: version.versionId, count, candles, run: early, started };
  }

  /** The early run's result is not needed any more; a failure of it is still logged. */
  function abandon(early: EarlyRun, log: Logger) {
    early.run.then(
      (r) => {
        if (!r.ok) log.info({ errorKind: r.error.kind }, "the unneeded early run failed");
      },
      (error: unknown) => log.warn({ err: error }, "the unneeded early run threw"),
    );
  }

  const tradesMarket = (v: VersionSettings, job: CandleJob) =>
    v.resolution === job.resolution && v.symbols.includes(job.symbol);

  async function groupByVersion(job: CandleJob, latestVersionId: string | null, subs: FanOutSubscription[]) {
    const byVersion = new Map<string, FanOutSubscription[]>();
    for (const sub of subs) {
      const versionId = sub.pinnedVersionId ?? latestVersionId;
      if (!versionId) continue;
      let list = byVersion.get(versionId);
      if (!list) byVersion.set(versionId, (list = []));
      list.push(sub);
    }
    const groups: VersionGroup[] = [];
    for (const [versionId, subscriptions] of byVersion) {
      const version = await getVersionSettings(cache, db, versionId, onCacheError);
      if (version && tradesMarket(version, job)) groups.push({ version, subscriptions });
    }
    groups.sort(
      (a, b) =>
        Number(b.version.versionId === latestVersionId) - Number(a.version.versionId === latestVersionId) ||
        b.subscriptions.length - a.subscriptions.length,
    );
    return groups;
  }

  return {
    /** The versions this candle's subscribers follow, limited to versions that trade this market. */
    async readFollowers({ job, log }: ClaimedCandle): Promise<Followers> {
      const settings = await getStrategySettings(cache, db, job.strategyId, onCacheError);
      if (!settings) return { followed: false, reason: "strategy_not_found", versionId: null };
      const latest = settings.latestVersionId
        ? await getVersionSettings(cache, db, settings.latestVersionId, onCacheError)
        : null;
      // Start the latest version's run before reading the subscribers: the sandbox works in its own
      // process while this one reads 10,000 rows. Wasted only when nobody follows the latest version.
      const share = shareOf(settings.authorId, job.strategyId, job.closeTime);
      const early = latest && tradesMarket(latest, job) ? startEarly(job, latest, share) : null;
      const subs = await listFanOutSubscriptions(db, job.strategyId);
      const groups = await groupByVersion(job, settings.latestVersionId, subs);
      if (groups.length === 0) {
        if (early) abandon(early, log);
        return { followed: false, reason: "no_active_subscriptions", versionId: settings.latestVersionId };
      }
      const versionBySub = new Map<string, string>();
      for (const g of groups) for (const s of g.subscriptions) versionBySub.set(s.id, g.version.versionId);
      return {
        followed: true,
        groups,
        subscriptions: groups.flatMap((g) => g.subscriptions),
        versionOf: (s) => versionBySub.get(s.id)!,
        early,
        share,
      };
    },

    /** One run per followed version on one shared window; the open positions are read meanwhile. */
    async run(
      { job, log }: ClaimedCandle,
      followers: Extract<Followers, { followed: true }>,
    ): Promise<VersionRuns> {
      const { groups, early, share } = followers;
      const count = Math.max(ATR_WINDOW, ...groups.map((g) => g.version.lookback));
      let candles: Candle[];
      try {
        candles = early && early.count >= count ? await early.candles : await fetchCandles(job, count);
      } catch (error) {
        if (early) abandon(early, log);
        const errorMessage = `Candles unavailable: ${message(error)}`;
        const failed: VersionOutcome = { ok: false, kind: "market_data", message: errorMessage };
        return {
          ok: false,
          failure: {
            errorKind: "market_data",
            errorMessage,
            logs: [],
            outcomes: new Map(groups.map((g) => [g.version.versionId, failed])),
          },
        };
      }

      const runStarted = early?.started ?? performance.now();
      const runsDone = Promise.all(
        groups.map((g) =>
          early && g.version.versionId === early.versionId ? early.run : run(g.version, candles, share),
        ),
      ).then((r) => {
        report.ran(performance.now() - runStarted);
        return r;
      });
      const [runs, openTrades] = await Promise.all([runsDone, listOpenTradesOfStrategy(db, job.strategyId)]);
      const outcomes = new Map<string, VersionOutcome>();
      runs.forEach((r, i) =>
        outcomes.set(
          groups[i].version.versionId,
          r.ok ? { ok: true, signal: r.signal } : { ok: false, kind: r.error.kind, message: r.error.message },
        ),
      );
      return { ok: true, candles, runs, outcomes, openTrades, runMs: performance.now() - runStarted };
    },
  };
}

/** Every version failed: the candle fails with the latest version's error (the one the execution row names). */
export function everyVersionFailed(runs: Extract<VersionRuns, { ok: true }>): RunFailure | null {
  if (runs.runs.some((r) => r.ok)) return null;
  const primary = runs.runs[0];
  const error = primary.ok ? null : primary.error;
  return {
    errorKind: error?.kind ?? "runtime",
    errorMessage: error?.message ?? "The strategy failed.",
    logs: [...(error?.logs ?? []), error?.traceback ?? ""],
    runMs: runs.runMs,
    outcomes: runs.outcomes,
  };
}
