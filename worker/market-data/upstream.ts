// Where the candle store gets what it lacks: the simulated market or an exchange (MARKET_DATA).
import type { Candle, Resolution } from "../../db/contracts/domain";

export interface UpstreamWindow {
  /** The source's closed candles with open time in [from, closeTime), oldest first; holes where nothing traded. */
  candles: Candle[];
  /** The source has a candle at or after `closeTime`, so a missing candle before it is a hole, not late. */
  movedOn: boolean;
}

export interface CandleUpstream {
  /** "simulated" or the ccxt exchange id: what executions and candle rows record. */
  readonly source: string;
  closedSince(
    symbol: string,
    resolution: Resolution,
    from: number,
    closeTime: number,
  ): Promise<UpstreamWindow>;
  /** The source's own clock (an exchange's server time), where it has one. */
  serverTime?(): Promise<number>;
}

/** The source could not answer; `retryable` when asking again later may succeed (timeout, 5xx, 429). */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
