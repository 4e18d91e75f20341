"""Typed strategy parameters with defaults and bounds, declared as class attributes and read as plain values."""

from __future__ import annotations


class ParamError(Exception):
    """A parameter value the strategy does not accept."""


class Param:
    """Base of IntParam, FloatParam and BoolParam. `self.name_of_param` reads the resolved value."""

    kind = "param"

    def __init__(self, default: float, low: float | None = None, high: float | None = None, description: str = "") -> None:
        self.default = self.coerce(default, "default")
        self.low = low
        self.high = high
        self.description = description
        self.name = None
        self.check(self.default)

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance._param_values.get(self.name, self.default)

    def __set__(self, instance, value):
        raise AttributeError("parameter %s is read-only" % self.name)

    def coerce(self, value, label):
        return value

    def check(self, value):
        if self.low is not None and value < self.low:
            raise ParamError("%s=%r is below its minimum %r" % (self.name, value, self.low))
        if self.high is not None and value > self.high:
            raise ParamError("%s=%r is above its maximum %r" % (self.name, value, self.high))
        return value

    def resolve(self, value):
        return self.check(self.coerce(value, self.name))

    def describe(self):
        return {"type": self.kind, "default": self.default, "low": self.low, "high": self.high, "description": self.description}


class IntParam(Param):
    kind = "int"

    def coerce(self, value, label):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            raise ParamError("%s must be an integer, got %r" % (label, value))
        return int(value)


class FloatParam(Param):
    kind = "float"

    def coerce(self, value, label):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ParamError("%s must be a number, got %r" % (label, value))
        return float(value)


class BoolParam(Param):
    kind = "bool"

    def __init__(self, default: bool, description: str = "") -> None:
        super().__init__(default, None, None, description)

    def coerce(self, value, label):
        if not isinstance(value, bool):
            raise ParamError("%s must be true or false, got %r" % (label, value))
        return value


def declared_params(cls):
    """The Param attributes of a strategy class (including inherited ones), by name."""
    found = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Param):
                found[name] = value
    return found


def resolve_params(cls, given):
    """Check the caller's parameter values against the declarations; unknown names are refused."""
    declared = declared_params(cls)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParamError("unknown parameter(s): %s (declared: %s)" % (", ".join(unknown), ", ".join(sorted(declared)) or "none"))
    return {name: declared[name].resolve(value) for name, value in given.items()}
