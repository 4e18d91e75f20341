"""The base class every strategy derives from: metadata, parameters and the per-bar and whole-history hooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .candles import Candles
from .params import declared_params, resolve_params
from .signals import Signal

WARM_UP_REASON = "warm-up"


class Strategy:
    """Derive from this class and override `on_candle` (and optionally `on_history`).

    Class attributes (read by the host without running your code, so keep them literals):
      name: a display name.
      resolution: candle size, one of "1m", "5m", "15m", "1h", "4h", "1d".
      lookback: how many candles `on_candle` needs (Freqtrade's startup_candle_count). Bars before
        that many candles exist are HOLD ("warm-up") without calling your code.
      symbols: the markets it is meant for, e.g. ["BTC/USDT"].
      tags: short labels for the marketplace.
      Parameters: IntParam / FloatParam / BoolParam attributes, read as `self.<name>`.
    """

    INTERFACE_VERSION = 1
    name = "Unnamed strategy"
    resolution = "1h"
    lookback = 100
    symbols = ["BTC/USDT"]
    tags = []

    def __init__(
        self, params: Mapping[str, float | bool] | None = None, logger: Callable[[str], None] | None = None
    ) -> None:
        self._param_values = resolve_params(type(self), dict(params or {}))
        self._logger = logger

    def log(self, *parts: object) -> None:
        """Write a line to this run's log (shown to the author; `print` works too)."""
        line = " ".join(str(p) for p in parts)
        if self._logger is not None:
            self._logger(line)
        else:
            print(line)

    @property
    def params(self) -> dict[str, float | bool]:
        """The resolved parameter values, by name (a copy)."""
        return {name: getattr(self, name) for name in declared_params(type(self))}

    def on_candle(self, candles: Candles, **kwargs: Any) -> Signal | str:
        """Decide for the newest bar.

        candles: a read-only `Candles` window of exactly `lookback` bars, newest last.
        Return a `Signal` (or the bare action string). The default holds.
        Must depend only on `candles` and the parameters: the same window always gives the same signal,
        live or in a backtest."""
        return Signal.hold()

    def on_history(self, candles: Candles, **kwargs: Any) -> Sequence[Signal | str]:
        """Return one signal per bar of a whole history (a backtest), oldest first.

        The default slides `on_candle` over windows of `lookback` bars. Override it with a vectorised
        version when you can compute every bar at once; it must give, for every bar, exactly what
        `on_candle` gives for that bar's window (the parity tests check this). Warm-up bars
        (the first lookback - 1) are replaced by HOLD whatever you return for them."""
        size = self.lookback
        signals = [Signal.hold(WARM_UP_REASON)] * min(len(candles), size - 1)
        for end in range(size - 1, len(candles)):
            signals.append(self.on_candle(candles.window(end, size)))
        return signals
