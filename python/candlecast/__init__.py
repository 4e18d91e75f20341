"""Candlecast strategy SDK: the base class, signals, candle windows, parameters and indicators (standard library only)."""

from . import indicators
from .candles import Candles
from .params import BoolParam, FloatParam, IntParam
from .signals import BUY, CLOSE, HOLD, SELL, Signal
from .strategy import Strategy

__all__ = [
    "BUY",
    "CLOSE",
    "HOLD",
    "SELL",
    "BoolParam",
    "Candles",
    "FloatParam",
    "IntParam",
    "Signal",
    "Strategy",
    "indicators",
]
