// Small strategies the worker's tests and benches run for real in the sandbox (short lookbacks keep runs cheap).
import type { Candle } from "../../../db/contracts/domain";

const strategy = (name: string, body: string) =>
  `from candlecast import Strategy, Signal\n\nclass ${name}(Strategy):\n    lookback = 10\n    def on_candle(self, candles, **kwargs):\n${body}\n`;

export const BUY_CODE = strategy("AlwaysBuy", "        return Signal.buy(reason='fixture')");
export const SELL_CODE = strategy("AlwaysSell", "        return Signal.sell(reason='fixture')");
export const HOLD_CODE = strategy("AlwaysHold", "        return Signal.hold('fixture')");
/** BUY on even candles, SELL on odd ones (by open time): every execution reverses the position. */
export const FLIP_CODE = strategy(
  "Flip",
  "        return Signal.buy() if (candles.time[-1] // 60000) % 2 == 0 else Signal.sell()",
);
export const CRASH_CODE = strategy(
  "Crash",
  "        self.log('about to fail')\n        raise ValueError('fixture failure')",
);
/** BUY on even candles, CLOSE on odd ones: each execution either opens or closes one position per subscriber. */
export const ENTER_EXIT_CODE = strategy(
  "EnterExit",
  "        return Signal.buy() if (candles.time[-1] // 60000) % 2 == 0 else Signal.close()",
);
/** HOLD with the window it saw as its reason: length, then the sums of closes and volumes (repr: every digit). */
export const WINDOW_ECHO_CODE = strategy(
  "WindowEcho",
  "        return Signal.hold(f'{len(candles.close)}:{sum(candles.close)!r}:{float(sum(candles.volume))!r}')",
);

/** Sleeps past the live limit (5 s): every run times out and costs its author the whole limit. */
export const SLEEP_PAST_LIMIT_CODE = strategy(
  "Sleepy",
  "        import time\n        time.sleep(30)\n        return Signal.hold('never')",
);
/** Sleeps on its first call in a run: a validation's live run, then its backtest; each backtest chunk. */
export const sleepOnceCode = (seconds: number) => `import time
from candlecast import Strategy, Signal

slept = []

class SleepOnce(Strategy):
    lookback = 10
    def on_candle(self, candles, **kwargs):
        if not slept:
            slept.append(1)
            time.sleep(${seconds})
        return Signal.hold("slept")
`;

/** Python's repr of a float: JavaScript's shortest round-tripping digits, with ".0" on integers. */
const pythonRepr = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/** The reason WINDOW_ECHO_CODE gives for this window (summed in the same order, so to the last digit). */
export const windowEcho = (w: Candle[]) =>
  `${w.length}:${pythonRepr(w.reduce((s, c) => s + c.close, 0))}:${pythonRepr(w.reduce((s, c) => s + c.volume, 0))}`;
