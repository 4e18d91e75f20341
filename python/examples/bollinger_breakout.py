"""Volatility breakout on Bollinger Bands: buy a close above the upper band on rising volume, exit back at the middle band.

A close below the lower band on rising volume is a SELL. Bands are per-window SMA and standard
deviation, so the vectorised `on_history` matches the per-bar hook exactly.
"""

from candlecast import FloatParam, IntParam, Signal, Strategy
from candlecast import indicators as ta


class BollingerBreakout(Strategy):
    name = "Bollinger Breakout"
    resolution = "4h"
    lookback = 60
    symbols = ["BTC/USDT", "ETH/USDT"]
    tags = ["breakout", "volatility", "bollinger"]

    period = IntParam(20, low=5, high=50, description="band period")
    width = FloatParam(2.0, low=0.5, high=4.0, description="band width in standard deviations")
    volume_period = IntParam(20, low=2, high=50, description="average volume period")

    def _decide(self, candles, upper, middle, lower, avg_volume, i):
        if i < 1 or None in (upper[i], upper[i - 1], avg_volume[i]):
            return Signal.hold("warm-up")
        close, prev_close = candles.close[i], candles.close[i - 1]
        loud = candles.volume[i] > avg_volume[i]
        if loud and prev_close <= upper[i - 1] and close > upper[i]:
            return Signal.buy(confidence=0.6, stop_loss=middle[i], reason="close broke above the upper band")
        if loud and prev_close >= lower[i - 1] and close < lower[i]:
            return Signal.sell(confidence=0.6, stop_loss=middle[i], reason="close broke below the lower band")
        if (prev_close > middle[i - 1]) != (close > middle[i]):
            return Signal.close(confidence=0.5, reason="back at the middle band")
        return Signal.hold("inside the bands")

    def _bands(self, candles):
        upper, middle, lower = ta.bollinger(candles.close, self.period, self.width)
        return upper, middle, lower, ta.sma(candles.volume, self.volume_period)

    def on_candle(self, candles, **kwargs):
        return self._decide(candles, *self._bands(candles), len(candles) - 1)

    def on_history(self, candles, **kwargs):
        bands = self._bands(candles)
        return [self._decide(candles, *bands, i) for i in range(len(candles))]
