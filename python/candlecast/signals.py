"""What a strategy returns for one bar, and the host's check of it (anything else is a bad_signal)."""

from __future__ import annotations

import math
from numbers import Real

BUY = "BUY"
SELL = "SELL"
CLOSE = "CLOSE"
HOLD = "HOLD"
ACTIONS = (BUY, SELL, CLOSE, HOLD)
MAX_REASON_CHARS = 500


class BadSignal(Exception):
    """A strategy returned something that is not a valid signal."""


class Signal:
    """One decision for one bar.

    action: BUY, SELL, CLOSE or HOLD.
    confidence: 0..1 (default 1).
    stop_loss / take_profit: optional absolute price hints (the subscriber's risk settings decide).
    reason: a short human-readable explanation (at most 500 characters).
    """

    __slots__ = ("action", "confidence", "stop_loss", "take_profit", "reason")

    def __init__(
        self,
        action: str,
        confidence: float = 1.0,
        stop_loss: float | None = None,
        take_profit: float | None = None,
        reason: str = "",
    ) -> None:
        self.action = action
        self.confidence = confidence
        self.stop_loss = stop_loss
        self.take_profit = take_profit
        self.reason = reason

    @classmethod
    def buy(
        cls, confidence: float = 1.0, stop_loss: float | None = None, take_profit: float | None = None, reason: str = ""
    ) -> Signal:
        return cls(BUY, confidence, stop_loss, take_profit, reason)

    @classmethod
    def sell(
        cls, confidence: float = 1.0, stop_loss: float | None = None, take_profit: float | None = None, reason: str = ""
    ) -> Signal:
        return cls(SELL, confidence, stop_loss, take_profit, reason)

    @classmethod
    def close(cls, confidence: float = 1.0, reason: str = "") -> Signal:
        return cls(CLOSE, confidence, None, None, reason)

    @classmethod
    def hold(cls, reason: str = "") -> Signal:
        return cls(HOLD, 1.0, None, None, reason)

    def __eq__(self, other):
        return isinstance(other, Signal) and self.as_tuple() == other.as_tuple()

    def __hash__(self):
        return hash(self.as_tuple())

    def as_tuple(self):
        return (self.action, self.confidence, self.stop_loss, self.take_profit, self.reason)

    def __repr__(self):
        return "Signal(%r, confidence=%r, stop_loss=%r, take_profit=%r, reason=%r)" % self.as_tuple()


def _price(value, field):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise BadSignal("%s must be a number or None, got %s" % (field, type(value).__name__))
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise BadSignal("%s must be a positive finite price, got %r" % (field, value))
    return value


def check_signal(value, last_close=None):
    """Return a clean copy of a strategy's answer, or raise BadSignal saying what is wrong.

    A bare action string ("BUY") is accepted as Signal("BUY")."""
    if isinstance(value, str):
        value = Signal(value)
    if not isinstance(value, Signal):
        raise BadSignal("expected a Signal, got %s" % type(value).__name__)
    action = value.action
    if not isinstance(action, str) or action not in ACTIONS:
        raise BadSignal("action must be one of BUY, SELL, CLOSE, HOLD, got %r" % (action,)[:80])
    confidence = value.confidence
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise BadSignal("confidence must be a number, got %s" % type(confidence).__name__)
    confidence = float(confidence)
    if not (0.0 <= confidence <= 1.0):
        raise BadSignal("confidence must be within [0, 1], got %r" % confidence)
    stop_loss = _price(value.stop_loss, "stop_loss")
    take_profit = _price(value.take_profit, "take_profit")
    reason = value.reason
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise BadSignal("reason must be a string, got %s" % type(reason).__name__)
    if len(reason) > MAX_REASON_CHARS:
        raise BadSignal("reason is %d characters; the limit is %d" % (len(reason), MAX_REASON_CHARS))
    if last_close is not None:
        _check_sides(action, stop_loss, take_profit, last_close)
    return Signal(action, confidence, stop_loss, take_profit, str(reason))


def _check_sides(action, stop_loss, take_profit, last_close):
    # A stop on the wrong side of the price would fire at once: that is a bug in the strategy, not a hint.
    if action == BUY:
        if stop_loss is not None and stop_loss >= last_close:
            raise BadSignal("BUY stop_loss %r is not below the last close %r" % (stop_loss, last_close))
        if take_profit is not None and take_profit <= last_close:
            raise BadSignal("BUY take_profit %r is not above the last close %r" % (take_profit, last_close))
    elif action == SELL:
        if stop_loss is not None and stop_loss <= last_close:
            raise BadSignal("SELL stop_loss %r is not above the last close %r" % (stop_loss, last_close))
        if take_profit is not None and take_profit >= last_close:
            raise BadSignal("SELL take_profit %r is not below the last close %r" % (take_profit, last_close))


def signal_to_json(sig):
    return {
        "action": sig.action,
        "confidence": sig.confidence,
        "stopLoss": sig.stop_loss,
        "takeProfit": sig.take_profit,
        "reason": sig.reason,
    }
