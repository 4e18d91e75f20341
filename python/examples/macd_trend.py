"""Trend following on MACD with an EMA filter and ATR-based stop-loss and take-profit hints.

Buys when the MACD line crosses above its signal line while price is above the trend EMA, sells on the
mirror image; stops sit `atr_stop` ATRs away and targets `atr_target` ATRs away.
"""

from candlecast import FloatParam, IntParam, Signal, Strategy
from candlecast import indicators as ta


class MacdTrend(Strategy):
    name = "MACD Trend with ATR Stops"
    resolution = "1h"
    lookback = 300
    symbols = ["BTC/USDT", "ETH/USDT", "BNB/USDT"]
    tags = ["trend", "macd", "atr-stops"]

    fast = IntParam(12, low=2, high=50, description="fast EMA period")
    slow = IntParam(26, low=5, high=100, description="slow EMA period")
    signal = IntParam(9, low=2, high=50, description="signal EMA period")
    trend = IntParam(100, low=10, high=200, description="trend filter EMA period")
    atr_period = IntParam(14, low=2, high=50, description="ATR period")
    atr_stop = FloatParam(2.0, low=0.5, high=10.0, description="stop distance in ATRs")
    atr_target = FloatParam(3.0, low=0.5, high=20.0, description="target distance in ATRs")

    def on_candle(self, candles, **kwargs):
        line, sig, _hist = ta.macd(candles.close, self.fast, self.slow, self.signal)
        trend = ta.ema(candles.close, self.trend)[-1]
        atr = ta.atr(candles.high, candles.low, candles.close, self.atr_period)[-1]
        if None in (line[-2], sig[-2], trend, atr):
            return Signal.hold("warm-up")
        close = candles.close[-1]
        up = line[-2] <= sig[-2] and line[-1] > sig[-1]
        down = line[-2] >= sig[-2] and line[-1] < sig[-1]
        strength = min(1.0, 0.5 + abs(line[-1]) / (atr or 1.0) / 4)
        if up and close > trend:
            return Signal.buy(
                confidence=strength,
                stop_loss=close - self.atr_stop * atr,
                take_profit=close + self.atr_target * atr,
                reason="MACD crossed above signal in an uptrend",
            )
        if down and close < trend:
            return Signal.sell(
                confidence=strength,
                stop_loss=close + self.atr_stop * atr,
                take_profit=max(close - self.atr_target * atr, close * 0.01),
                reason="MACD crossed below signal in a downtrend",
            )
        if (up and close < trend) or (down and close > trend):
            return Signal.close(confidence=0.5, reason="MACD crossed against the trend")
        return Signal.hold("no crossover")
