// The "strategy-validate" job: runs an author's code sandboxed on sample candles and reports the signal or the typed error.
import type { Store } from "../../db/store/client";
import { lastCloseAtOrBefore, RESOLUTION_MS, type Candle } from "../../db/contracts/domain";
import type { Bus } from "../../db/infra/bus";
import { validateStrategyJobSchema, type ValidationResult } from "../../db/contracts/jobs";
import { recordValidationResult } from "../../db/store/queries/author";
import { simulatedCandles } from "../market-data/simulated-feed";
import type { StrategyRunner } from "../runtime";
import { sampleCandles } from "../runtime";
import { summariseBacktest } from "../runtime/backtest-summary";
import { publishEvents } from "./publish-events";

export interface ValidateDeps {
  store: Store;
  bus: Bus;
  runner: StrategyRunner;
  now?: () => number;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Enough history to get past the declared lookback and still see the strategy decide on many bars. */
const SAMPLE_BARS = 300;

function candlesFor(
  job: { symbol?: string; resolution?: keyof typeof RESOLUTION_MS },
  count: number,
  now: number,
): Candle[] {
  if (job.symbol && job.resolution) {
    return simulatedCandles(job.symbol, job.resolution, lastCloseAtOrBefore(now, job.resolution), count);
  }
  return sampleCandles(count);
}

/** Runs the checks and returns the result (also written to the outbox and published for the asking user). */
export async function validateStrategy(deps: ValidateDeps, payload: unknown): Promise<ValidationResult> {
  const job = validateStrategyJobSchema.parse(payload);
  const now = deps.now ?? Date.now;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;

  // The manifest is read with `ast` (never run): a syntax error is reported before anything executes.
  const manifest = await deps.runner.readManifest(job.code);
  let result: ValidationResult;
  if (!manifest.ok) {
    result = { requestId: job.requestId, ok: false, error: manifest.error, ms: elapsed() };
  } else {
    const lookback = manifest.manifest.lookback;
    const candles = candlesFor(job, Math.max(SAMPLE_BARS, (lookback ?? 0) + SAMPLE_BARS), now());
    // Live runs on_candle on the newest window; the backtest slides the same code over every bar. One
    // after the other: a validation holds one sandbox slot at a time (ADR 177).
    const live = await deps.runner.runLive({ code: job.code, params: job.params, candles });
    const history = live.ok
      ? await deps.runner.runBacktest({ code: job.code, params: job.params, candles })
      : live;
    if (!live.ok) result = { requestId: job.requestId, ok: false, error: live.error, ms: elapsed() };
    else if (!history.ok)
      result = { requestId: job.requestId, ok: false, error: history.error, ms: elapsed() };
    else {
      result = {
        requestId: job.requestId,
        ok: true,
        signal: live.signal,
        actions: summariseBacktest(candles, history.signals).actions,
        candles: candles.length,
        logs: live.logs,
        lookback,
        ms: elapsed(),
      };
    }
  }
  const row = await recordValidationResult(deps.store.db, job.userId, result, now());
  await publishEvents(deps.bus, [row], deps.logger);
  return result;
}
