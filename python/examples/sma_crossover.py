"""Trend following on moving-average crossovers: buy when the fast SMA crosses above the slow one, sell when it crosses below.

The classic "golden cross / death cross". It has a vectorised `on_history`, so backtests over long
histories are fast; both hooks compute the same thing, bar for bar.
"""

from candlecast import IntParam, Signal, Strategy
from candlecast import indicators as ta

# Shared signals: returning the same object for most bars lets the host check it once, not 100,000 times.
WARM_UP = Signal.hold("warm-up")
NO_CROSSOVER = Signal.hold("no crossover")


class SmaCrossover(Strategy):
    name = "SMA Crossover"
    resolution = "1h"
    lookback = 100
    symbols = ["BTC/USDT", "ETH/USDT"]
    tags = ["trend", "moving-average", "beginner"]

    fast = IntParam(10, low=2, high=50, description="fast SMA period")
    slow = IntParam(30, low=5, high=99, description="slow SMA period")

    def _decide(self, fast, slow, i):
        if fast[i - 1] is None or slow[i - 1] is None:
            return WARM_UP
        if fast[i - 1] <= slow[i - 1] and fast[i] > slow[i]:
            return Signal.buy(confidence=0.7, reason="SMA%d crossed above SMA%d" % (self.fast, self.slow))
        if fast[i - 1] >= slow[i - 1] and fast[i] < slow[i]:
            return Signal.sell(confidence=0.7, reason="SMA%d crossed below SMA%d" % (self.fast, self.slow))
        return NO_CROSSOVER

    def on_candle(self, candles, **kwargs):
        if self.fast >= self.slow:
            raise ValueError("fast (%d) must be shorter than slow (%d)" % (self.fast, self.slow))
        fast = ta.sma(candles.close, self.fast)
        slow = ta.sma(candles.close, self.slow)
        return self._decide(fast, slow, len(candles) - 1)

    def on_history(self, candles, **kwargs):
        if self.fast >= self.slow:
            raise ValueError("fast (%d) must be shorter than slow (%d)" % (self.fast, self.slow))
        fast = ta.sma(candles.close, self.fast)
        slow = ta.sma(candles.close, self.slow)
        return [self._decide(fast, slow, i) if i > 0 else WARM_UP for i in range(len(candles))]
