// The "backtest-run" job: the strategy over a period of history in chunks (progress events), then the live risk and paper code.
import type { Db, Store } from "../../db/store/client";
import { readCandles } from "../../db/store/queries/candles";
import { describeMissingHistory } from "../../db/store/queries/missing-history";
import {
  RESOLUTION_MS,
  SIMULATED_SOURCE,
  type Candle,
  type Resolution,
  type Signal,
} from "../../db/contracts/domain";
import type { Bus } from "../../db/infra/bus";
import { runBacktestJobSchema } from "../../db/contracts/jobs";
import {
  completeBacktestRun,
  failBacktestRun,
  loadBacktestRun,
  recordBacktestProgress,
  startBacktestRun,
} from "../../db/store/queries/backtests";
import type { EventRow } from "../../db/store/schema";
import { simulatedCandles } from "../market-data/simulated-feed";
import type { RiskSettings } from "../risk/size-position";
import type { RuntimeError, StrategyRunner } from "../runtime";
import { LIVE_ATR_WINDOW, simulateBacktest } from "./backtest-simulation";
import { publishEvents } from "./publish-events";

export interface BacktestDeps {
  store: Store;
  bus: Bus;
  runner: StrategyRunner;
  /** History for the period, oldest first, the last candle closing at `closeTime`. Default: the simulated feed. */
  history?: (
    symbol: string,
    resolution: Resolution,
    closeTime: number,
    count: number,
  ) => Promise<Candle[]> | Candle[];
  /** Bars per runner call: each call is one progress step and stays far inside the backtest time limit. */
  chunkBars?: number;
  now?: () => number;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export type BacktestOutcome = "completed" | "failed" | "skipped";

/** The simulated market, or the candle store's rows of the exchange the backtest names. */
function historyOf(db: Db, source: string): NonNullable<BacktestDeps["history"]> {
  if (source === SIMULATED_SOURCE) return simulatedCandles;
  return async (symbol, resolution, closeTime, count) => {
    const rows = await readCandles(
      db,
      { source, symbol, resolution },
      closeTime - count * RESOLUTION_MS[resolution],
      closeTime,
    );
    return rows.map(({ filled: _filled, ...candle }) => candle);
  };
}

/** About five progress steps per backtest, each between 500 and 2,500 bars (every call is one sandbox start). */
const defaultChunk = (bars: number) => Math.min(2_500, Math.max(500, Math.ceil(bars / 5)));
/** The strategy runs take most of the time; the risk and paper replay the rest. */
const RUN_SHARE = 0.9;

/**
 * A strategy's code is its author's: only the author's own backtest records the message, the
 * traceback (source lines) and the strategy's log; anyone else's records the kind of failure.
 */
function describe(error: RuntimeError, byAuthor: boolean): string {
  if (!byAuthor)
    return `${error.kind}: the strategy failed on this history (details are shown to its author only)`;
  const parts = [`${error.kind}: ${error.message}`];
  if (error.traceback) parts.push(error.traceback);
  if (error.logs.length) parts.push(`Strategy log:\n${error.logs.join("\n")}`);
  return parts.join("\n\n");
}

export async function runBacktest(deps: BacktestDeps, payload: unknown): Promise<BacktestOutcome> {
  const { backtestId } = runBacktestJobSchema.parse(payload);
  const db = deps.store.db;
  const now = deps.now ?? Date.now;
  const run = await loadBacktestRun(db, backtestId);
  // Redelivered after it finished, or deleted with its strategy: nothing to do.
  if (!run || run.backtest.status === "completed" || run.backtest.status === "failed") return "skipped";
  const { backtest, version } = run;
  const byAuthor = run.authorId === backtest.userId;
  const publish = (row: EventRow | null) => publishEvents(deps.bus, [row], deps.logger);
  const fail = async (message: string) => {
    await publish(await failBacktestRun(db, backtest, message, now()));
    return "failed" as const;
  };

  try {
    const started = await startBacktestRun(db, backtest, now());
    if (!started) return "skipped";
    await publish(started);

    const manifest = await deps.runner.readManifest(version.code);
    if (!manifest.ok) return await fail(describe(manifest.error, byAuthor));
    const resolution = backtest.resolution as Resolution;
    const ms = RESOLUTION_MS[resolution];
    const bars = Math.round((backtest.toTime - backtest.fromTime) / ms);
    // The host answers HOLD "warm-up" for the first lookback - 1 bars it is given: those come before the period.
    // The ATR window (at least 30 candles, as live) must exist before the first bar too.
    const warm = Math.max(manifest.manifest.lookback ?? 1, version.lookback, LIVE_ATR_WINDOW) - 1;
    const history = deps.history ?? historyOf(db, backtest.marketSource);
    const candles = await history(backtest.symbol, resolution, backtest.toTime, bars + warm);
    if (candles.length < bars + warm) {
      const market = { source: backtest.marketSource, symbol: backtest.symbol, resolution };
      const from = backtest.toTime - (bars + warm) * ms;
      const missing = await describeMissingHistory(db, market, from, backtest.toTime, ms);
      return await fail(`market_data: ${missing ?? `${bars + warm - candles.length} candles are missing.`}`);
    }

    const chunk = deps.chunkBars ?? defaultChunk(bars);
    const signals: Signal[] = [];
    for (let a = 0; a < bars; a += chunk) {
      const b = Math.min(bars, a + chunk);
      const result = await deps.runner.runBacktest({
        code: version.code,
        params: version.params,
        candles: candles.slice(a, b + warm),
      });
      if (!result.ok) return await fail(describe(result.error, byAuthor));
      for (let k = warm; k < result.signals.length; k++) signals.push(result.signals[k]);
      if (b < bars) {
        const progress = Math.round((RUN_SHARE * b * 1000) / bars) / 1000;
        await publish(
          await recordBacktestProgress(
            db,
            backtest,
            progress,
            `Ran the strategy over ${b} of ${bars} candles`,
            now(),
          ),
        );
      }
    }

    const result = simulateBacktest({
      symbol: backtest.symbol,
      candles,
      signals,
      first: warm,
      resolutionMs: ms,
      lookback: version.lookback,
      settings: backtest.settings as unknown as RiskSettings,
    });
    await publish(await completeBacktestRun(db, backtest, result, now()));
    return "completed";
  } catch (error) {
    deps.logger?.error({ err: error, backtestId }, "backtest failed unexpectedly");
    return fail(
      `internal: the backtest stopped unexpectedly (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
