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
    """Wilder's original running-sum form: TR14 = TR14 - TR14/14 + TR (the ratios equal the averaged form)."""
    size = len(c)
    tr = ref_tr(h, l, c)
    pdm, mdm = [0.0], [0.0]
    for i in range(1, size):
        up, down = h[i] - h[i - 1], l[i - 1] - l[i]
        pdm.append(up if up > down and up > 0 else 0.0)
        mdm.append(down if down > up and down > 0 else 0.0)
    pdi, mdi, dx = [None] * size, [None] * size, [None] * size
    str_ = sp = sm = None
    for i in range(1, size):
        if i < n:
            continue
        if i == n:
            str_, sp, sm = sum(tr[1 : n + 1]), sum(pdm[1 : n + 1]), sum(mdm[1 : n + 1])
        else:
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

    def test_atr(self):
        got = ta.atr(self.h, self.l, self.c, 14)
        self.assertSeries(got, ref_atr(self.h, self.l, self.c, 14))
        self.assertIsNone(got[13])
        self.assertIsNotNone(got[14])

    def test_macd(self):
        line, sig, hist = ta.macd(self.c, 12, 26, 9)
        fast, slow = ref_ema(self.c, 12), ref_ema(self.c, 26)
        want_line = [None if s is None else f - s for f, s in zip(fast, slow)]
        want_sig = ref_ema(want_line, 9)
        self.assertSeries(line, want_line)
        self.assertSeries(sig, want_sig)
        self.assertSeries(hist, [None if s is None else m - s for m, s in zip(want_line, want_sig)])
        self.assertIsNone(sig[32])
        self.assertIsNotNone(sig[33])

    def test_bollinger(self):
        got = ta.bollinger(self.c, 20, 2.0)
        for g, w in zip(got, ref_bollinger(self.c, 20, 2.0)):
            self.assertSeries(g, w)

    def test_stochastic(self):
        k, d = ta.stochastic(self.h, self.l, self.c, 14, 3)
        want_k = []
        for i in range(len(self.c)):
            if i < 13:
                want_k.append(None)
                continue
            hh, ll = max(self.h[i - 13 : i + 1]), min(self.l[i - 13 : i + 1])
            want_k.append(100 * (self.c[i] - ll) / (hh - ll))
        want_d = [None if i < 15 else (want_k[i] + want_k[i - 1] + want_k[i - 2]) / 3 for i in range(len(self.c))]
        self.assertSeries(k, want_k)
        self.assertSeries(d, want_d)

    def test_adx(self):
        got = ta.adx(self.h, self.l, self.c, 14)
        for g, w in zip(got, ref_adx(self.h, self.l, self.c, 14)):
            self.assertSeries(g, w)
        self.assertIsNone(got[0][26])
        self.assertIsNotNone(got[0][27])

    def test_vwap(self):
        want, pv, vol = [], 0.0, 0.0
        for h, l, c, v in zip(self.h, self.l, self.c, self.v):
            pv += v * (h + l + c) / 3
            vol += v
            want.append(pv / vol)
        self.assertSeries(ta.vwap(self.h, self.l, self.c, self.v), want)
        self.assertEqual(ta.vwap([2], [1], [1.5], [0]), [None])

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

    def test_bad_period_is_refused(self):
        for bad in (0, -1, 2.5, True):
            with self.assertRaises(ValueError):
                ta.sma([1, 2, 3], bad)


if __name__ == "__main__":
    unittest.main()
