"""Mean reversion on RSI: buy when RSI climbs back out of oversold, close when it reaches overbought.

Uses Wilder's RSI, so each bar is computed from its own window (per-bar hook only), with a fixed
percentage stop-loss hint under every entry.
"""

from candlecast import FloatParam, IntParam, Signal, Strategy
from candlecast import indicators as ta


class RsiMeanReversion(Strategy):
    name = "RSI Mean Reversion"
    resolution = "15m"
    lookback = 120
    symbols = ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
    tags = ["mean-reversion", "oscillator", "rsi"]

    period = IntParam(14, low=2, high=50, description="RSI period")
    oversold = FloatParam(30.0, low=5.0, high=50.0, description="buy when RSI crosses up through this level")
    overbought = FloatParam(70.0, low=50.0, high=95.0, description="close when RSI crosses up through this level")
    stop_pct = FloatParam(0.03, low=0.002, high=0.2, description="stop-loss distance below the entry")

    def on_candle(self, candles, **kwargs):
        rsi = ta.rsi(candles.close, self.period)
        prev, now = rsi[-2], rsi[-1]
        close = candles.close[-1]
        if prev is None or now is None:
            return Signal.hold("warm-up")
        if prev <= self.oversold < now:
            depth = (self.oversold - min(prev, self.oversold)) / self.oversold
            return Signal.buy(
                confidence=min(1.0, 0.5 + depth),
                stop_loss=close * (1 - self.stop_pct),
                reason="RSI %.1f left oversold (%.0f)" % (now, self.oversold),
            )
        if prev <= self.overbought < now:
            return Signal.close(confidence=0.8, reason="RSI %.1f reached overbought (%.0f)" % (now, self.overbought))
        return Signal.hold("RSI %.1f" % now)
