"""Loads a strategy's source into a fresh module and runs it live (one window) or as a backtest (every bar)."""

import linecache
import types

from .guard import STRATEGY_FILENAME
from candlecast.signals import BadSignal, Signal, _check_sides, check_signal
from candlecast.strategy import WARM_UP_REASON, Strategy

MAX_LOOKBACK = 100_000


class StrategyShapeError(Exception):
    """The module does not define one usable Strategy class."""


def compile_strategy(code):
    """Compile without running (raises SyntaxError); registers the source so tracebacks show its lines."""
    code_obj = compile(code, STRATEGY_FILENAME, "exec", dont_inherit=True)
    linecache.cache[STRATEGY_FILENAME] = (len(code), None, code.splitlines(True), STRATEGY_FILENAME)
    return code_obj


def load_strategy_class(code_obj):
    """Execute the compiled module and return its one Strategy subclass (the most derived one)."""
    module = types.ModuleType("strategy")
    exec(code_obj, module.__dict__)
    found = [
        v
        for v in list(module.__dict__.values())
        if isinstance(v, type) and issubclass(v, Strategy) and v is not Strategy and v.__module__ == "strategy"
    ]
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) != 1:
        raise StrategyShapeError("define exactly one class derived from candlecast.Strategy (found %d)" % len(leaves))
    cls = leaves[0]
    lookback = cls.lookback
    if isinstance(lookback, bool) or not isinstance(lookback, int) or not 1 <= lookback <= MAX_LOOKBACK:
        raise StrategyShapeError("lookback must be an integer from 1 to %d, got %r" % (MAX_LOOKBACK, lookback))
    return cls


_WARM_UP = Signal.hold(WARM_UP_REASON)


def run_live(cls, params, candles, log):
    """The signal for the newest bar, from a window of exactly `lookback` candles (HOLD while too few exist)."""
    strategy = cls(params, logger=log)
    if len(candles) < cls.lookback:
        return _WARM_UP
    window = candles.tail(cls.lookback)
    last_close = window.close[-1]
    return check_signal(strategy.on_candle(window), last_close)


def run_backtest(cls, params, candles, log, per_bar=False):
    """One checked signal per bar. Uses the strategy's own `on_history` unless `per_bar` asks for the sliding default."""
    strategy = cls(params, logger=log)
    closes = candles.close
    n = len(closes)
    if per_bar or cls.on_history is Strategy.on_history:
        raw = Strategy.on_history(strategy, candles)
    else:
        raw = strategy.on_history(candles)
    if not isinstance(raw, (list, tuple)):
        if not hasattr(raw, "__len__") or len(raw) != n:
            raise BadSignal("on_history must return a list of %d signals, got %s" % (n, type(raw).__name__))
        raw = list(raw)
    if len(raw) != n:
        raise BadSignal("on_history returned %d signals for %d candles" % (len(raw), n))
    return _check_all(raw, closes, cls.lookback)


def _check_all(raw, closes, lookback):
    checked = {}
    out = [_WARM_UP] * min(lookback - 1, len(raw))
    for i in range(len(out), len(raw)):
        value = raw[i]
        clean = checked.get(id(value))
        if clean is None:
            try:
                clean = check_signal(value)
            except BadSignal as exc:
                raise BadSignal("bar %d: %s" % (i, exc)) from None
            checked[id(value)] = clean
        if clean.action in ("BUY", "SELL") and (clean.stop_loss is not None or clean.take_profit is not None):
            try:
                _check_sides(clean.action, clean.stop_loss, clean.take_profit, closes[i])
            except BadSignal as exc:
                raise BadSignal("bar %d: %s" % (i, exc)) from None
        out.append(clean)
    return out
