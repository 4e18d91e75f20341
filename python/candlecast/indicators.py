"""Technical indicators on plain sequences (standard library only), matching TA-Lib's values and warm-up.

Each returns a list aligned with its input, None where there is no value: during warm-up and at missing
inputs. Missing values (None, NaN, +-inf) split a series: each gap-free stretch is computed as if it were a
whole series, so a gap never poisons what follows it (python/README.md, "Indicators").
"""

import math
import numbers

from .indicator_inputs import columns_arg, number_arg, per_stretch, period_arg, series_arg

DAY_MS = 86_400_000


def _mean(values):
    try:
        return math.fsum(values) / len(values)
    except OverflowError:
        # Prices near 1.7e308: their sum overflows, the sum of each divided first does not.
        return math.fsum(v / len(values) for v in values)


def _sma(values, period):
    return [None] * min(period - 1, len(values)) + [_mean(values[i + 1 - period : i + 1]) for i in range(period - 1, len(values))]


def _smoothed(values, period, alpha):
    """Exponential smoothing seeded with the mean of the first `period` values (TA-Lib's EMA seeding)."""
    out = [None] * len(values)
    if len(values) < period:
        return out
    prev = _mean(values[:period])
    out[period - 1] = prev
    for i in range(period, len(values)):
        prev = prev + alpha * (values[i] - prev)
        out[i] = prev
    return out


def _ema(values, period):
    return _smoothed(values, period, 2.0 / (period + 1))


def _wilder(values, period):
    return _smoothed(values, period, 1.0 / period)


def _one(compute, values, name, *periods):
    """A one-series indicator with its periods checked, computed per gap-free stretch."""
    return per_stretch(lambda v: [compute(v, *periods)], [series_arg(values, name)], 1)[0]


def sma(values, period):
    """Simple moving average (TA-Lib SMA). Each value is the mean of its own window (not a running sum), so any
    window of the same data gives bit-identical results: live and backtest agree exactly."""
    return _one(_sma, values, "values", period_arg(period, "period"))


def ema(values, period):
    """Exponential moving average, alpha = 2 / (period + 1), seeded with the SMA of the first `period` values
    (TA-Lib EMA)."""
    return _one(_ema, values, "values", period_arg(period, "period"))


def wilder(values, period):
    """Wilder's smoothing (RMA), alpha = 1 / period, seeded with the SMA of the first `period` values (the
    smoothing inside TA-Lib's RSI and ATR)."""
    return _one(_wilder, values, "values", period_arg(period, "period"))


def _wma(values, period):
    weights = [w / (period * (period + 1) / 2.0) for w in range(1, period + 1)]
    out = [None] * len(values)
    for i in range(period - 1, len(values)):
        out[i] = math.fsum(w * v for w, v in zip(weights, values[i + 1 - period : i + 1]))
    return out


def wma(values, period):
    """Linearly weighted moving average, newest weight `period`, oldest 1 (TA-Lib WMA)."""
    return _one(_wma, values, "values", period_arg(period, "period"))


def _rsi(closes, period):
    out = [None] * len(closes)
    if len(closes) <= period:
        return out
    gains = [max(closes[i] - closes[i - 1], 0.0) for i in range(1, len(closes))]
    losses = [max(closes[i - 1] - closes[i], 0.0) for i in range(1, len(closes))]
    avg_gain = _wilder(gains, period)
    avg_loss = _wilder(losses, period)
    for i in range(period - 1, len(gains)):
        g, l = avg_gain[i], avg_loss[i]
        # Neither gains nor losses: a flat market is neutral (TA-Lib answers 0, which reads as oversold).
        out[i + 1] = 50.0 if g + l == 0 else 100.0 * g / (g + l)
    return out


def rsi(closes, period=14):
    """Relative Strength Index with Wilder's smoothing (TA-Lib RSI); first value at index `period`; 50 where
    the window has neither gains nor losses."""
    return _one(_rsi, closes, "closes", period_arg(period, "period"))


def _true_range(highs, lows, closes):
    return [None] + [
        max(highs[i] - lows[i], abs(highs[i] - closes[i - 1]), abs(lows[i] - closes[i - 1])) for i in range(1, len(closes))
    ]


def true_range(highs, lows, closes):
    """True range (TA-Lib TRANGE): max(high - low, |high - previous close|, |low - previous close|); None on the
    first bar, which has no previous close."""
    cols = columns_arg(highs=highs, lows=lows, closes=closes)
    return per_stretch(lambda h, l, c: [_true_range(h, l, c)], cols, 1)[0]


def _atr(highs, lows, closes, period):
    tr = _true_range(highs, lows, closes)
    return [None] + _wilder(tr[1:], period) if tr else []


def atr(highs, lows, closes, period=14):
    """Average True Range with Wilder's smoothing over the true ranges from the second bar on (TA-Lib ATR);
    first value at index `period`."""
    period = period_arg(period, "period")
    cols = columns_arg(highs=highs, lows=lows, closes=closes)
    return per_stretch(lambda h, l, c: [_atr(h, l, c, period)], cols, 1)[0]


def _macd(closes, fast, slow, signal):
    size = len(closes)
    line = [None] * size
    start = slow - 1
    if size > start:
        # TA-Lib MACD: both EMAs start at the slow one's first bar; the fast one is seeded there with the mean
        # of the `fast` closes ending at that bar, not from the first close.
        fast_ema = _ema(closes[start + 1 - fast :], fast)[fast - 1 :]
        slow_ema = _ema(closes, slow)[start:]
        line[start:] = [f - s for f, s in zip(fast_ema, slow_ema)]
    sig = [None] * start + _ema(line[start:], signal) if size > start else [None] * size
    first = start + signal - 1
    line = [None] * min(first, size) + line[first:]
    hist = [None if s is None else m - s for m, s in zip(line, sig)]
    return line, sig, hist


def macd(closes, fast=12, slow=26, signal=9):
    """MACD (TA-Lib MACD): line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line, histogram = line -
    signal, as three lists; all three start at index slow + signal - 2."""
    fast = period_arg(fast, "fast")
    slow = period_arg(slow, "slow")
    signal = period_arg(signal, "signal")
    if fast >= slow:
        raise ValueError("fast (%d) must be shorter than slow (%d)" % (fast, slow))
    return tuple(per_stretch(lambda c: _macd(c, fast, slow, signal), [series_arg(closes, "closes")], 3))


def _bollinger(closes, period, width):
    middle = _sma(closes, period)
    upper = [None] * len(closes)
    lower = [None] * len(closes)
    for i in range(period - 1, len(closes)):
        mean = middle[i]
        # hypot, not a sum of squares: the squares of prices near 1e300 overflow.
        dev = width * math.hypot(*(v - mean for v in closes[i + 1 - period : i + 1])) / math.sqrt(period)
        upper[i] = mean + dev
        lower[i] = mean - dev
    return upper, middle, lower


def bollinger(closes, period=20, width=2.0):
    """Bollinger Bands (TA-Lib BBANDS with an SMA): middle SMA, upper/lower at `width` population standard
    deviations, as three lists (upper, middle, lower)."""
    period = period_arg(period, "period")
    width = number_arg(width, "width", low=0.0)
    return tuple(per_stretch(lambda c: _bollinger(c, period, width), [series_arg(closes, "closes")], 3))


def _extreme(pick, values, period):
    return [None] * min(period - 1, len(values)) + [pick(values[i + 1 - period : i + 1]) for i in range(period - 1, len(values))]


def highest(values, period):
    """Highest value of each window of `period` values (TA-Lib MAX)."""
    return _one(lambda v, p: _extreme(max, v, p), values, "values", period_arg(period, "period"))


def lowest(values, period):
    """Lowest value of each window of `period` values (TA-Lib MIN)."""
    return _one(lambda v, p: _extreme(min, v, p), values, "values", period_arg(period, "period"))


def _raw_k(highs, lows, closes, period):
    """%K = 100 * (close - lowest low) / (highest high - lowest low); 50 when the range is flat (TA-Lib: 0)."""
    hh = _extreme(max, highs, period)
    ll = _extreme(min, lows, period)
    return [None if h is None else (50.0 if h == l else 100.0 * (c - l) / (h - l)) for c, h, l in zip(closes, hh, ll)]


def _smooth_from(values, period, first):
    """SMA of `values` from index `first` (where they start being defined)."""
    return [None] * first + _sma(values[first:], period) if len(values) > first else [None] * len(values)


def _blank_until(first, *series):
    return tuple([None] * min(first, len(s)) + s[first:] for s in series)


def _stochf(highs, lows, closes, fastk, fastd):
    k = _raw_k(highs, lows, closes, fastk)
    d = _smooth_from(k, fastd, fastk - 1)
    return _blank_until(fastk + fastd - 2, k, d)


def _stoch(highs, lows, closes, fastk, slowk, slowd):
    slow_k = _smooth_from(_raw_k(highs, lows, closes, fastk), slowk, fastk - 1)
    slow_d = _smooth_from(slow_k, slowd, fastk + slowk - 2)
    return _blank_until(fastk + slowk + slowd - 3, slow_k, slow_d)


def stochf(highs, lows, closes, fastk_period=14, fastd_period=3):
    """Fast stochastic (TA-Lib STOCHF): %K over `fastk_period` bars and %D = SMA(%K, `fastd_period`), as
    (k, d); both start at index fastk_period + fastd_period - 2."""
    fastk = period_arg(fastk_period, "fastk_period")
    fastd = period_arg(fastd_period, "fastd_period")
    cols = columns_arg(highs=highs, lows=lows, closes=closes)
    return tuple(per_stretch(lambda h, l, c: _stochf(h, l, c, fastk, fastd), cols, 2))


def stoch(highs, lows, closes, fastk_period=14, slowk_period=3, slowd_period=3):
    """Slow stochastic, the one charts show (TA-Lib STOCH with SMAs): slow %K = SMA(fast %K, `slowk_period`),
    slow %D = SMA(slow %K, `slowd_period`), as (slow_k, slow_d); both start at index
    fastk_period + slowk_period + slowd_period - 3."""
    fastk = period_arg(fastk_period, "fastk_period")
    slowk = period_arg(slowk_period, "slowk_period")
    slowd = period_arg(slowd_period, "slowd_period")
    cols = columns_arg(highs=highs, lows=lows, closes=closes)
    return tuple(per_stretch(lambda h, l, c: _stoch(h, l, c, fastk, slowk, slowd), cols, 2))


def stochastic(highs, lows, closes, k_period=14, d_period=3):
    """The fast stochastic under its old name: `stochf(highs, lows, closes, k_period, d_period)`."""
    return stochf(highs, lows, closes, period_arg(k_period, "k_period"), period_arg(d_period, "d_period"))


def _adx(highs, lows, closes, period):
    """TA-Lib's ADX, +DI and -DI: the smoothed sums start as the plain sums of the first period - 1 bars and are
    smoothed from there (S = S - S / period + x); a DX that is not defined (no directional movement) leaves
    ADX where it was."""
    size = len(closes)
    adx, plus_di, minus_di = [None] * size, [None] * size, [None] * size
    true_ranges = _true_range(highs, lows, closes)
    s_tr = s_plus = s_minus = 0.0
    dx_sum = 0.0
    prev_adx = None
    for i in range(1, size):
        up, down = highs[i] - highs[i - 1], lows[i - 1] - lows[i]
        plus = up if up > 0 and up > down else 0.0
        minus = down if down > 0 and down > up else 0.0
        tr = true_ranges[i]
        if i < period:
            s_tr, s_plus, s_minus = s_tr + tr, s_plus + plus, s_minus + minus
            continue
        s_tr = s_tr - s_tr / period + tr
        s_plus = s_plus - s_plus / period + plus
        s_minus = s_minus - s_minus / period + minus
        p = 0.0 if s_tr == 0 else 100.0 * s_plus / s_tr
        m = 0.0 if s_tr == 0 else 100.0 * s_minus / s_tr
        plus_di[i], minus_di[i] = p, m
        dx = None if s_tr == 0 or p + m == 0 else 100.0 * abs(p - m) / (p + m)
        if i < 2 * period - 1:
            dx_sum += dx or 0.0
            continue
        if i == 2 * period - 1:
            prev_adx = (dx_sum + (dx or 0.0)) / period
        elif dx is not None:
            prev_adx = (prev_adx * (period - 1) + dx) / period
        adx[i] = prev_adx
    return adx, plus_di, minus_di


def adx(highs, lows, closes, period=14):
    """Average Directional Index with +DI and -DI (TA-Lib ADX, PLUS_DI, MINUS_DI), as (adx, plus_di, minus_di);
    DI from index `period`, ADX from index 2 * period - 1."""
    period = period_arg(period, "period")
    cols = columns_arg(highs=highs, lows=lows, closes=closes)
    return tuple(per_stretch(lambda h, l, c: _adx(h, l, c, period), cols, 3))


def _vwap(sessions, highs, lows, closes, volumes):
    out = []
    mean = vol = 0.0
    session = None
    for s, h, l, c, v in zip(sessions, highs, lows, closes, volumes):
        if None in (s, h, l, c, v):
            out.append(None)
            continue
        if s != session:
            session, mean, vol = s, 0.0, 0.0
        vol += v
        if vol != 0:
            # A running weighted mean rather than sum(price * volume) / sum(volume): the sum overflows near 1e308.
            mean += (h / 3.0 + l / 3.0 + c / 3.0 - mean) * (v / vol)
        out.append(None if vol == 0 else mean)
    return out


def vwap_session(times, highs, lows, closes, volumes):
    """Session VWAP, the one traders mean: the volume-weighted average of the typical price (h + l + c) / 3
    since the start of the bar's UTC day (it resets at 00:00 UTC; `times` are the candles' open times in epoch
    ms). None while the session has traded no volume; a bar with a missing value is None and left out."""
    times, highs, lows, closes, volumes = columns_arg(times=times, highs=highs, lows=lows, closes=closes, volumes=volumes)
    days = [None if t is None else t // DAY_MS for t in times]
    return _vwap(days, highs, lows, closes, volumes)


def vwap_cumulative(highs, lows, closes, volumes):
    """Cumulative VWAP of the typical price from the window's first bar (it never resets, so it depends on the
    window's length). None while no volume has traded; a bar with a missing value is None and left out."""
    cols = columns_arg(highs=highs, lows=lows, closes=closes, volumes=volumes)
    return _vwap([0] * len(cols[0]), *cols)


def vwap(highs, lows, closes, volumes):
    """The cumulative VWAP under its old name: `vwap_cumulative(highs, lows, closes, volumes)`."""
    return vwap_cumulative(highs, lows, closes, volumes)


def crossover(a, b):
    """True at bars where `a` moves from at or below `b` to above it (a and b: lists or a constant b)."""
    return _cross(a, b, lambda prev_a, prev_b, cur_a, cur_b: prev_a <= prev_b and cur_a > cur_b)


def crossunder(a, b):
    """True at bars where `a` moves from at or above `b` to below it."""
    return _cross(a, b, lambda prev_a, prev_b, cur_a, cur_b: prev_a >= prev_b and cur_a < cur_b)


def _cross(a, b, test):
    if isinstance(b, numbers.Real):
        a = series_arg(a, "a")
        b = [number_arg(b, "b")] * len(a)
    else:
        a, b = columns_arg(a=a, b=b)
    out = [False] * len(a)
    for i in range(1, len(a)):
        vals = (a[i - 1], b[i - 1], a[i], b[i])
        if None not in vals:
            out[i] = test(*vals)
    return out
