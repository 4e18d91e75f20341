"""Each indicator against an independent, deliberately plain re-implementation (different algebra, same definition)."""

import math
import unittest

from candlecast import indicators as ta
from tests.fixtures import fixture_candles

TOL = 1e-9


def ref_sma(values, n):
    out = []
    for i in range(len(values)):
        if i < n - 1:
            out.append(None)
            continue
        total = 0.0
        for j in range(i - n + 1, i + 1):
            total += values[j]
        out.append(total / n)
    return out


def ref_ema(values, n, alpha=None):
    """Seeded with the mean of the first n defined values, then e = a*x + (1-a)*e."""
    k = alpha if alpha is not None else 2.0 / (n + 1)
    out = [None] * len(values)
    defined = [i for i, v in enumerate(values) if v is not None]
    if len(defined) < n:
        return out
    first = defined[0]
    e = sum(values[first : first + n]) / n
    out[first + n - 1] = e
    for i in range(first + n, len(values)):
        e = k * values[i] + (1 - k) * e
        out[i] = e
    return out


def ref_wilder_avg(values, n):
    out = [None] * len(values)
    if len(values) < n:
        return out
    avg = sum(values[:n]) / n
    out[n - 1] = avg
    for i in range(n, len(values)):
        avg = (avg * (n - 1) + values[i]) / n
        out[i] = avg
    return out


def ref_rsi(closes, n):
    gains, losses = [], []
    for i in range(1, len(closes)):
        d = closes[i] - closes[i - 1]
        gains.append(d if d > 0 else 0.0)
        losses.append(-d if d < 0 else 0.0)
    ag, al = ref_wilder_avg(gains, n), ref_wilder_avg(losses, n)
    out = [None]
    for g, l in zip(ag, al):
        out.append(None if g is None else (100.0 if g + l == 0 and l == 0 else 100.0 * g / (g + l)))
    return out


def ref_tr(h, l, c):
    return [h[0] - l[0]] + [max(h[i] - l[i], abs(h[i] - c[i - 1]), abs(l[i] - c[i - 1])) for i in range(1, len(c))]


def ref_atr(h, l, c, n):
    return [None] + ref_wilder_avg(ref_tr(h, l, c)[1:], n)


def ref_wma(values, n):
    out = []
    for i in range(len(values)):
        if i < n - 1:
            out.append(None)
            continue
        num = den = 0.0
        for w in range(1, n + 1):
            num += w * values[i - n + w]
            den += w
        out.append(num / den)
    return out


def ref_bollinger(closes, n, width):
    up, mid, lo = [], [], []
    for i in range(len(closes)):
        if i < n - 1:
            up.append(None), mid.append(None), lo.append(None)
            continue
        w = closes[i - n + 1 : i + 1]
        m = sum(w) / n
        sd = math.sqrt(sum((x - m) ** 2 for x in w) / n)
        up.append(m + width * sd), mid.append(m), lo.append(m - width * sd)
    return up, mid, lo


def ref_adx(h, l, c, n):
    """Wilder's running-sum form as TA-Lib starts it: TR14 = the plain sum of bars 1..13, then from bar 14 on
    TR14 = TR14 - TR14/14 + TR; a DX that is not defined (no movement) counts 0 in the first ADX and is skipped after."""
    size = len(c)
    tr = ref_tr(h, l, c)
    pdm, mdm = [0.0], [0.0]
    for i in range(1, size):
        up, down = h[i] - h[i - 1], l[i - 1] - l[i]
        pdm.append(up if up > down and up > 0 else 0.0)
        mdm.append(down if down > up and down > 0 else 0.0)
    pdi, mdi, dx = [None] * size, [None] * size, [None] * size
    str_ = sum(tr[1:n])
    sp, sm = sum(pdm[1:n]), sum(mdm[1:n])
    for i in range(n, size):
        str_, sp, sm = str_ - str_ / n + tr[i], sp - sp / n + pdm[i], sm - sm / n + mdm[i]
        pdi[i], mdi[i] = 100 * sp / str_, 100 * sm / str_
        dx[i] = 100 * abs(pdi[i] - mdi[i]) / (pdi[i] + mdi[i])
    adx = [None] * size
    first = 2 * n - 1
    if size > first:
        a = sum(dx[n : first + 1]) / n
        adx[first] = a
        for i in range(first + 1, size):
            a = (a * (n - 1) + dx[i]) / n
            adx[i] = a
    return adx, pdi, mdi


def ref_macd(closes, fast, slow, signal):
    """TA-Lib's MACD: the fast EMA is seeded at the slow EMA's first bar with the mean of the `fast` closes
    ending there; every output starts at slow + signal - 2."""
    k_fast, k_slow = 2.0 / (fast + 1), 2.0 / (slow + 1)
    start = slow - 1
    f = sum(closes[slow - fast : slow]) / fast
    s = sum(closes[:slow]) / slow
    line = [None] * len(closes)
    line[start] = f - s
    for i in range(slow, len(closes)):
        f = k_fast * closes[i] + (1 - k_fast) * f
        s = k_slow * closes[i] + (1 - k_slow) * s
        line[i] = f - s
    sig = ref_ema(line, signal)
    first = slow + signal - 2
    line = [None if i < first else v for i, v in enumerate(line)]
    hist = [None if g is None else m - g for m, g in zip(line, sig)]
    return line, sig, hist


def ref_fast_k(h, l, c, n):
    out = []
    for i in range(len(c)):
        if i < n - 1:
            out.append(None)
            continue
        hh, ll = max(h[i - n + 1 : i + 1]), min(l[i - n + 1 : i + 1])
        out.append(100 * (c[i] - ll) / (hh - ll))
    return out


def ref_sma_of_defined(values, n):
    """SMA over the values from their first defined one on."""
    first = next(i for i, v in enumerate(values) if v is not None)
    return [None] * first + ref_sma(values[first:], n)


def blank_before(first, values):
    return [None if i < first else v for i, v in enumerate(values)]


class IndicatorCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = fixture_candles()
        n = 400
        cls.h, cls.l, cls.c, cls.v = list(c.high[:n]), list(c.low[:n]), list(c.close[:n]), list(c.volume[:n])

    def assertSeries(self, got, want):
        self.assertEqual(len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            if w is None:
                self.assertIsNone(g, "bar %d should be warm-up (None)" % i)
            else:
                self.assertIsNotNone(g, "bar %d should have a value" % i)
                self.assertLessEqual(abs(g - w), TOL * max(1.0, abs(w)), "bar %d: %r != %r" % (i, g, w))

    def test_sma_small_hand_example(self):
        self.assertEqual(ta.sma([1, 2, 3, 4, 5], 3), [None, None, 2.0, 3.0, 4.0])

    def test_sma(self):
        for n in (1, 5, 30):
            self.assertSeries(ta.sma(self.c, n), ref_sma(self.c, n))

    def test_ema_hand_example(self):
        # alpha = 0.5; seed mean(1,2,3)=2; then 0.5*4+0.5*2=3; 0.5*5+0.5*3=4
        self.assertEqual(ta.ema([1, 2, 3, 4, 5], 3), [None, None, 2.0, 3.0, 4.0])

    def test_ema(self):
        for n in (3, 12, 50):
            self.assertSeries(ta.ema(self.c, n), ref_ema(self.c, n))

    def test_wma(self):
        self.assertEqual(ta.wma([1, 2, 3], 3), [None, None, (1 + 4 + 9) / 6])
        self.assertSeries(ta.wma(self.c, 10), ref_wma(self.c, 10))

    def test_rsi(self):
        for n in (2, 14):
            got = ta.rsi(self.c, n)
            self.assertSeries(got, ref_rsi(self.c, n))
            self.assertIsNone(got[n - 1])
            self.assertIsNotNone(got[n])

    def test_rsi_all_gains_is_100(self):
        self.assertEqual(ta.rsi([1, 2, 3, 4, 5], 3)[-1], 100.0)

    def test_rsi_of_a_flat_series_is_neutral(self):
        self.assertEqual(ta.rsi([7.0] * 6, 3), [None, None, None, 50.0, 50.0, 50.0])

    def test_true_range_has_no_value_on_the_first_bar(self):
        self.assertEqual(ta.true_range([3, 5], [1, 4], [2, 4.5]), [None, 3])
        self.assertSeries(ta.true_range(self.h, self.l, self.c), [None] + ref_tr(self.h, self.l, self.c)[1:])

    def test_atr(self):
        got = ta.atr(self.h, self.l, self.c, 14)
        self.assertSeries(got, ref_atr(self.h, self.l, self.c, 14))
        self.assertIsNone(got[13])
        self.assertIsNotNone(got[14])

    def test_macd(self):
        got = ta.macd(self.c, 12, 26, 9)
        for g, w in zip(got, ref_macd(self.c, 12, 26, 9)):
            self.assertSeries(g, w)
        self.assertEqual([got[0][32], got[1][32], got[2][32]], [None, None, None])
        self.assertNotIn(None, [got[0][33], got[1][33], got[2][33]])

    def test_macd_seeds_its_fast_ema_where_the_slow_one_starts(self):
        # fast 2, slow 3, signal 1 on 1, 4, 2, 8: the fast EMA starts at bar 2 as mean(4, 2) = 3, the slow one as
        # mean(1, 4, 2) = 7/3, so the line is 2/3. Seeded from the first close instead (mean(1, 4) = 2.5 at bar 1,
        # then 2.5 + 2/3 * (2 - 2.5) = 13/6 at bar 2) it would be -1/6: on a straight line both seedings agree.
        # Bar 3: fast 3 + 2/3 * (8 - 3) = 19/3, slow 7/3 + 1/2 * (8 - 7/3) = 31/6, line 7/6.
        line, sig, hist = ta.macd([1, 4, 2, 8], 2, 3, 1)
        self.assertEqual(line[:2], [None, None])
        for got, want in zip(line[2:], [2 / 3, 7 / 6]):
            self.assertAlmostEqual(got, want, places=12)
        self.assertEqual(sig[2:], line[2:])
        self.assertEqual(hist[2:], [0.0, 0.0])

    def test_bollinger(self):
        got = ta.bollinger(self.c, 20, 2.0)
        for g, w in zip(got, ref_bollinger(self.c, 20, 2.0)):
            self.assertSeries(g, w)

    def test_stochf(self):
        k, d = ta.stochf(self.h, self.l, self.c, 14, 3)
        fast_k = ref_fast_k(self.h, self.l, self.c, 14)
        self.assertSeries(k, blank_before(15, fast_k))
        self.assertSeries(d, ref_sma_of_defined(fast_k, 3))
        self.assertEqual(ta.stochastic(self.h, self.l, self.c, 14, 3), (k, d))

    def test_stoch_is_the_slow_one(self):
        slow_k, slow_d = ta.stoch(self.h, self.l, self.c, 14, 3, 3)
        want_k = ref_sma_of_defined(ref_fast_k(self.h, self.l, self.c, 14), 3)
        self.assertSeries(slow_k, blank_before(17, want_k))
        self.assertSeries(slow_d, ref_sma_of_defined(want_k, 3))
        self.assertIsNone(slow_d[16])
        self.assertIsNotNone(slow_d[17])

    def test_stochastic_of_a_flat_range_is_50(self):
        flat = [5.0] * 6
        self.assertEqual(ta.stochf(flat, flat, flat, 3, 2), ([None, None, None, 50.0, 50.0, 50.0],) * 2)

    def test_adx(self):
        got = ta.adx(self.h, self.l, self.c, 14)
        for g, w in zip(got, ref_adx(self.h, self.l, self.c, 14)):
            self.assertSeries(g, w)
        self.assertIsNone(got[0][26])
        self.assertIsNotNone(got[0][27])

    def test_vwap_cumulative(self):
        want, pv, vol = [], 0.0, 0.0
        for h, l, c, v in zip(self.h, self.l, self.c, self.v):
            pv += v * (h + l + c) / 3
            vol += v
            want.append(pv / vol)
        self.assertSeries(ta.vwap_cumulative(self.h, self.l, self.c, self.v), want)
        self.assertEqual(ta.vwap(self.h, self.l, self.c, self.v), ta.vwap_cumulative(self.h, self.l, self.c, self.v))
        self.assertEqual(ta.vwap_cumulative([2], [1], [1.5], [0]), [None])

    def test_vwap_session_resets_at_midnight_utc(self):
        hour = 3_600_000
        day = 24 * hour
        times = [day - 2 * hour, day - hour, day, day + hour]  # 22:00, 23:00, then 00:00 and 01:00 of the next day
        prices = [10.0, 20.0, 30.0, 40.0]
        got = ta.vwap_session(times, prices, prices, prices, [1.0, 3.0, 2.0, 2.0])
        self.assertEqual(got, [10.0, (10 + 60) / 4, 30.0, (60 + 80) / 4])
        self.assertEqual(ta.vwap_session([0, hour], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [0.0, 0.0]), [None, None])

    def test_vwap_session_on_the_fixture_restarts_each_utc_day(self):
        c = fixture_candles()
        got = ta.vwap_session(c.time[:100], c.high[:100], c.low[:100], c.close[:100], c.volume[:100])
        for i in range(100):
            bars = [j for j in range(i + 1) if c.time[j] // 86_400_000 == c.time[i] // 86_400_000]
            pv = sum(c.volume[j] * (c.high[j] + c.low[j] + c.close[j]) / 3 for j in bars)
            self.assertAlmostEqual(got[i], pv / sum(c.volume[j] for j in bars), places=9)

    def test_highest_lowest(self):
        self.assertEqual(ta.highest([3, 1, 4, 1, 5], 2), [None, 3, 4, 4, 5])
        self.assertEqual(ta.lowest([3, 1, 4, 1, 5], 2), [None, 1, 1, 1, 1])

    def test_crossover_crossunder(self):
        a = [1, 2, 3, 2, 1, 2]
        b = [2, 2, 2, 2, 2, 2]
        self.assertEqual(ta.crossover(a, b), [False, False, True, False, False, False])
        self.assertEqual(ta.crossunder(a, b), [False, False, False, False, True, False])
        self.assertEqual(ta.crossover(a, 2), ta.crossover(a, b))
        self.assertEqual(ta.crossover([None, 1, 3], [2, 2, 2]), [False, False, True])



if __name__ == "__main__":
    unittest.main()
