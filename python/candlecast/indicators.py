"""Technical indicators on plain sequences (standard library only); each returns a list aligned with its input, None during warm-up."""

import math


def _check_period(period):
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise ValueError("period must be a positive integer, got %r" % (period,))


def sma(values, period):
    """Simple moving average. Each value is the sum of its own window (not a running sum), so any window
    of the same data gives bit-identical results: live and backtest agree exactly."""
    _check_period(period)
    values = list(values)
    return [None] * min(period - 1, len(values)) + [sum(values[i + 1 - period : i + 1]) / period for i in range(period - 1, len(values))]


def _smoothed(values, period, alpha, start):
    """Exponential smoothing seeded with the mean of the first `period` non-None values."""
    out = [None] * len(values)
    seed_end = start + period
    if seed_end > len(values):
        return out
    prev = math.fsum(values[start:seed_end]) / period
    out[seed_end - 1] = prev
    for i in range(seed_end, len(values)):
        prev = prev + alpha * (values[i] - prev)
        out[i] = prev
    return out


def _first_value(values):
    for i, v in enumerate(values):
        if v is not None:
            return i
    return len(values)


def ema(values, period):
    """Exponential moving average, alpha = 2 / (period + 1), seeded with the SMA of the first `period` values."""
    _check_period(period)
    values = list(values)
    return _smoothed(values, period, 2.0 / (period + 1), _first_value(values))


def wilder(values, period):
    """Wilder's smoothing (RMA), alpha = 1 / period, seeded with the SMA of the first `period` values."""
    _check_period(period)
    values = list(values)
    return _smoothed(values, period, 1.0 / period, _first_value(values))


def wma(values, period):
    """Linearly weighted moving average (newest weight `period`, oldest 1)."""
    _check_period(period)
    values = list(values)
    denom = period * (period + 1) / 2.0
    weights = range(1, period + 1)
    out = [None] * len(values)
    for i in range(period - 1, len(values)):
        window = values[i + 1 - period : i + 1]
        out[i] = math.fsum(w * v for w, v in zip(weights, window)) / denom
    return out


def rsi(closes, period=14):
    """Relative Strength Index with Wilder's smoothing; first value at index `period`."""
    _check_period(period)
    closes = list(closes)
    out = [None] * len(closes)
    if len(closes) <= period:
        return out
    gains = [max(closes[i] - closes[i - 1], 0.0) for i in range(1, len(closes))]
    losses = [max(closes[i - 1] - closes[i], 0.0) for i in range(1, len(closes))]
    avg_gain = wilder(gains, period)
    avg_loss = wilder(losses, period)
    for i in range(period - 1, len(gains)):
        g, l = avg_gain[i], avg_loss[i]
        out[i + 1] = 100.0 if l == 0 else 100.0 - 100.0 / (1.0 + g / l)
    return out


def true_range(highs, lows, closes):
    """True range; the first bar has no previous close, so it is high - low."""
    out = []
    for i in range(len(closes)):
        if i == 0:
            out.append(highs[0] - lows[0])
        else:
            prev = closes[i - 1]
            out.append(max(highs[i] - lows[i], abs(highs[i] - prev), abs(lows[i] - prev)))
    return out


def atr(highs, lows, closes, period=14):
    """Average True Range with Wilder's smoothing over the true ranges from the second bar on;
    first value at index `period`."""
    _check_period(period)
    tr = true_range(highs, lows, closes)
    return [None] + wilder(tr[1:], period) if tr else []


def macd(closes, fast=12, slow=26, signal=9):
    """MACD line (EMA fast - EMA slow), signal line (EMA of the MACD line) and histogram, as three lists."""
    if fast >= slow:
        raise ValueError("fast period must be shorter than slow period")
    fast_ema = ema(closes, fast)
    slow_ema = ema(closes, slow)
    line = [None if s is None else f - s for f, s in zip(fast_ema, slow_ema)]
    sig = ema(line, signal)
    hist = [None if s is None else m - s for m, s in zip(line, sig)]
    return line, sig, hist


def bollinger(closes, period=20, width=2.0):
    """Bollinger Bands (middle SMA, upper/lower at `width` population standard deviations), as three lists."""
    _check_period(period)
    closes = list(closes)
    middle = sma(closes, period)
    upper = [None] * len(closes)
    lower = [None] * len(closes)
    for i in range(period - 1, len(closes)):
        mean = middle[i]
        # hypot, not a sum of squares: the squares of prices near 1e300 overflow.
        dev = width * math.hypot(*(v - mean for v in closes[i + 1 - period : i + 1])) / math.sqrt(period)
        upper[i] = mean + dev
        lower[i] = mean - dev
    return upper, middle, lower


def highest(values, period):
    """Highest value of each window of `period` values."""
    _check_period(period)
    values = list(values)
    return [None] * min(period - 1, len(values)) + [max(values[i + 1 - period : i + 1]) for i in range(period - 1, len(values))]


def lowest(values, period):
    """Lowest value of each window of `period` values."""
    _check_period(period)
    values = list(values)
    return [None] * min(period - 1, len(values)) + [min(values[i + 1 - period : i + 1]) for i in range(period - 1, len(values))]


def stochastic(highs, lows, closes, k_period=14, d_period=3):
    """Stochastic oscillator: %K = 100 * (close - lowest low) / (highest high - lowest low) (50 when the
    range is flat), %D = SMA of %K. Returns (k, d)."""
    hh = highest(highs, k_period)
    ll = lowest(lows, k_period)
    k = []
    for c, h, l in zip(closes, hh, ll):
        if h is None:
            k.append(None)
        else:
            k.append(50.0 if h == l else 100.0 * (c - l) / (h - l))
    start = _first_value(k)
    d = [None] * start + sma(k[start:], d_period)
    return k, d


def adx(highs, lows, closes, period=14):
    """Average Directional Index (Wilder). Returns (adx, plus_di, minus_di); DI from index `period`,
    ADX from index 2 * period - 1."""
    _check_period(period)
    n = len(closes)
    plus_dm = []
    minus_dm = []
    for i in range(1, n):
        up = highs[i] - highs[i - 1]
        down = lows[i - 1] - lows[i]
        plus_dm.append(up if up > down and up > 0 else 0.0)
        minus_dm.append(down if down > up and down > 0 else 0.0)
    tr = true_range(highs, lows, closes)[1:]
    s_tr = wilder(tr, period)
    s_plus = wilder(plus_dm, period)
    s_minus = wilder(minus_dm, period)
    plus_di = [None] * n
    minus_di = [None] * n
    dx = []
    for j in range(len(tr)):
        if s_tr[j] is None:
            dx.append(None)
            continue
        p = 0.0 if s_tr[j] == 0 else 100.0 * s_plus[j] / s_tr[j]
        m = 0.0 if s_tr[j] == 0 else 100.0 * s_minus[j] / s_tr[j]
        plus_di[j + 1] = p
        minus_di[j + 1] = m
        dx.append(0.0 if p + m == 0 else 100.0 * abs(p - m) / (p + m))
    smoothed = wilder(dx, period)
    return [None] + smoothed if n else [], plus_di, minus_di


def vwap(highs, lows, closes, volumes):
    """Cumulative volume-weighted average price of the typical price (h + l + c) / 3 from the window's
    first bar; None while no volume has traded."""
    out = []
    pv = 0.0
    vol = 0.0
    for h, l, c, v in zip(highs, lows, closes, volumes):
        pv += (h + l + c) / 3.0 * v
        vol += v
        out.append(None if vol == 0 else pv / vol)
    return out


def crossover(a, b):
    """True at bars where `a` moves from at or below `b` to above it (a and b: lists or a constant b)."""
    return _cross(a, b, lambda prev_a, prev_b, cur_a, cur_b: prev_a <= prev_b and cur_a > cur_b)


def crossunder(a, b):
    """True at bars where `a` moves from at or above `b` to below it."""
    return _cross(a, b, lambda prev_a, prev_b, cur_a, cur_b: prev_a >= prev_b and cur_a < cur_b)


def _cross(a, b, test):
    a = list(a)
    b = list(b) if isinstance(b, (list, tuple)) else [b] * len(a)
    out = [False] * len(a)
    for i in range(1, len(a)):
        vals = (a[i - 1], b[i - 1], a[i], b[i])
        if None not in vals:
            out[i] = test(*vals)
    return out
