// At TIME_SCALE > 1 against an exchange with a clock of its own (the simulator), the worker's clock is
// anchored on the exchange's server time, after checking that both run at the same speed (ADR 151).
import { ConfigError } from "../../db/platform/config.server";

/** How long the exchange's clock is watched at start to measure its speed. */
const RATE_WINDOW_MS = 1_000;
/** Refused only when off by more than this factor: transit jitter on a loaded host stays far inside it. */
const RATE_TOLERANCE = 2;

export interface ExchangeClockOptions {
  sleep?: (ms: number) => Promise<void>;
  realNow?: () => number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The anchor of a clock that runs `scale` times real time in step with the exchange's: its server time
 * when the second of two readings a second apart arrived (so ours trails the exchange's by that answer's
 * transit, never leads it). An exchange clock running at another speed (a simulator started with
 * another --time-scale, a real exchange) would make every close late or long past: a ConfigError naming
 * TIME_SCALE.
 */
export async function anchorOnExchangeClock(
  serverTime: () => Promise<number>,
  scale: number,
  options: ExchangeClockOptions = {},
): Promise<{ real: number; simulated: number }> {
  const sleep = options.sleep ?? wait;
  const realNow = options.realNow ?? Date.now;
  const read = async () => {
    const before = realNow();
    const simulated = await serverTime();
    const after = realNow();
    return { midpoint: (before + after) / 2, after, simulated };
  };
  const first = await read();
  await sleep(RATE_WINDOW_MS);
  const second = await read();
  const rate = (second.simulated - first.simulated) / (second.midpoint - first.midpoint);
  if (!(rate > scale / RATE_TOLERANCE && rate < scale * RATE_TOLERANCE))
    throw new ConfigError([
      {
        variable: "TIME_SCALE",
        message:
          `${scale}, but the MARKET_DATA exchange's clock runs ${Math.round(rate)} times real time: ` +
          `start the simulator with --time-scale ${scale}, or set TIME_SCALE to its --time-scale.`,
      },
    ]);
  return { real: second.after, simulated: second.simulated };
}
