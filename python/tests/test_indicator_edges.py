"""Every public indicator on odd series: empty, single, zero, negative, huge, NaN - no crash, aligned output, never
an infinite or NaN value."""

import math
import unittest

from candlecast import indicators as ta

SERIES = {
    "empty": [],
    "single": [5.0],
    "zero": [0.0] * 30,
    "negative": [-float(i) for i in range(1, 31)],
    "huge": [1e300 * (1 + i % 3) for i in range(30)],
    "near the float limit": [1.7e308] * 30,
    "nan": [1.0] * 10 + [float("nan")] + [2.0] * 19,
}

# Each entry returns the lists an indicator produces for one series used as every input.
INDICATORS = {
    "sma": lambda v: [ta.sma(v, 3)],
    "ema": lambda v: [ta.ema(v, 3)],
    "wilder": lambda v: [ta.wilder(v, 3)],
    "wma": lambda v: [ta.wma(v, 3)],
    "rsi": lambda v: [ta.rsi(v, 3)],
    "true_range": lambda v: [ta.true_range(v, v, v)],
    "atr": lambda v: [ta.atr(v, v, v, 3)],
    "macd": lambda v: list(ta.macd(v, 3, 5, 2)),
    "bollinger": lambda v: list(ta.bollinger(v, 3)),
    "highest": lambda v: [ta.highest(v, 3)],
    "lowest": lambda v: [ta.lowest(v, 3)],
    "stochf": lambda v: list(ta.stochf(v, v, v, 3, 2)),
    "stoch": lambda v: list(ta.stoch(v, v, v, 3, 2, 2)),
    "adx": lambda v: list(ta.adx(v, v, v, 3)),
    "vwap_session": lambda v: [ta.vwap_session([3_600_000 * i for i in range(len(v))], v, v, v, [1.0] * len(v))],
    "vwap_cumulative": lambda v: [ta.vwap_cumulative(v, v, v, [1.0] * len(v))],
    "crossover": lambda v: [ta.crossover(v, [0.0] * len(v))],
    "crossunder": lambda v: [ta.crossunder(v, [0.0] * len(v))],
}


class OddSeriesCase(unittest.TestCase):
    def test_no_crash_aligned_and_never_infinite_or_nan(self):
        for indicator, compute in INDICATORS.items():
            for name, series in SERIES.items():
                with self.subTest(indicator=indicator, series=name):
                    for out in compute(series):
                        self.assertEqual(len(out), len(series))
                        self.assertFalse(any(isinstance(x, float) and not math.isfinite(x) for x in out))

    def test_bollinger_of_huge_prices(self):
        # Window 1e300, 2e300, 3e300: mean 2e300, population deviation sqrt(2/3) * 1e300.
        upper, middle, lower = ta.bollinger([1e300, 2e300, 3e300], 3, 1.0)
        self.assertAlmostEqual(middle[2] / 1e300, 2.0, places=12)
        self.assertAlmostEqual((upper[2] - middle[2]) / 1e300, math.sqrt(2 / 3), places=12)
        self.assertAlmostEqual((middle[2] - lower[2]) / 1e300, math.sqrt(2 / 3), places=12)


if __name__ == "__main__":
    unittest.main()
