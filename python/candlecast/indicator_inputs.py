"""What an indicator accepts: periods, numeric series of one length, and missing values split into gap-free stretches."""

import math
import numbers
import operator


def period_arg(value, name):
    """`value` as an int >= 1. Integer-like values are accepted (14, numpy.int64(14), 14.0); anything else
    (2.5, True, "14", 0) is a ValueError naming the argument."""
    if not isinstance(value, bool):
        try:
            period = operator.index(value)
        except TypeError:
            period = None
            if isinstance(value, numbers.Real) and math.isfinite(value) and value == math.floor(value):
                period = int(value)
        if period is not None and period >= 1:
            return period
    raise ValueError("%s must be a positive integer, got %r" % (name, value))


def number_arg(value, name, low=None):
    """`value` as a finite float (>= `low` when given); else a ValueError naming the argument."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        if low is None or value >= low:
            return float(value)
    bound = "" if low is None else " >= %r" % (low,)
    raise ValueError("%s must be a finite number%s, got %r" % (name, bound, value))


def series_arg(values, name):
    """`values` as a list of floats with None where a value is missing (None, NaN, +-inf). A value that is not a
    number is a TypeError naming the argument and the index."""
    try:
        items = list(values)
    except TypeError:
        raise TypeError("%s must be a sequence of numbers, got %r" % (name, values)) from None
    out = []
    for i, v in enumerate(items):
        if type(v) is float:  # the common case (candle columns), checked without the slower ABC test
            out.append(v if math.isfinite(v) else None)
            continue
        if v is None:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError("%s[%d] is %r, not a number" % (name, i, v))
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        out.append(f if math.isfinite(f) else None)
    return out


def columns_arg(**named):
    """Each keyword's series through `series_arg`, refusing series of different lengths with a ValueError that
    names them all. Returns the lists in keyword order."""
    cols = [series_arg(values, name) for name, values in named.items()]
    lengths = {len(c) for c in cols}
    if len(lengths) > 1:
        names = list(named)
        raise ValueError(
            "%s and %s must have the same length (%s)"
            % (", ".join(names[:-1]), names[-1], ", ".join("%s: %d" % (n, len(c)) for n, c in zip(names, cols)))
        )
    return cols


def stretches(*cols):
    """(start, end) of each run of bars where every column has a value, in order."""
    if all(None not in c for c in cols):
        return [(0, len(cols[0]))] if cols and cols[0] else []
    out = []
    start = None
    size = len(cols[0]) if cols else 0
    for i in range(size):
        missing = any(c[i] is None for c in cols)
        if missing and start is not None:
            out.append((start, i))
            start = None
        elif not missing and start is None:
            start = i
    if start is not None:
        out.append((start, size))
    return out


def per_stretch(compute, cols, outputs):
    """Run `compute` on each gap-free stretch of `cols` as if it were a whole series; `outputs` lists come back,
    None at missing bars."""
    size = len(cols[0])
    results = [[None] * size for _ in range(outputs)]
    for start, end in stretches(*cols):
        for out, part in zip(results, compute(*(c[start:end] for c in cols))):
            out[start:end] = part
    return results
