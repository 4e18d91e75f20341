"""Bad series and arguments, table-driven over every public indicator: missing values split the series instead of
crashing or poisoning it, integer-like periods work, other periods and mismatched lengths are a ValueError naming
the argument, and a non-number is a TypeError naming it."""

import math
import array
import unittest

try:
    import numpy

    INT_LIKES = (numpy.int64, numpy.int32)
    FLOAT_LIKE = numpy.float64
    ARRAY = numpy.array
except ImportError:  # the sandbox's interpreter (-I -S) has no site-packages: the same protocols without numpy

    class _Index:
        def __init__(self, value):
            self.value = int(value)

        def __index__(self):
            return self.value

        def __repr__(self):
            return f"_Index({self.value})"

    class _Float(float):
        pass

    INT_LIKES = (_Index,)
    FLOAT_LIKE = _Float
    ARRAY = None

from candlecast import indicators as ta

SIZE = 40
GAP = 17
HOUR = 3_600_000
CLOSES = [100 + 5 * math.sin(i / 3) + 0.2 * i for i in range(SIZE)]
INPUTS = {
    "values": CLOSES,
    "closes": CLOSES,
    "highs": [c + 1 + (i % 3) * 0.3 for i, c in enumerate(CLOSES)],
    "lows": [c - 1 - (i % 2) * 0.4 for i, c in enumerate(CLOSES)],
    "volumes": [1.0 + i % 5 for i in range(SIZE)],
    "times": [20 * HOUR + i * HOUR for i in range(SIZE)],  # crosses 00:00 UTC at bar 4
    "a": CLOSES,
    "b": [CLOSES[0] + 0.25 * i for i in range(SIZE)],
}

# name: (function, its series arguments, its period arguments)
INDICATORS = {
    "sma": (ta.sma, ["values"], {"period": 3}),
    "ema": (ta.ema, ["values"], {"period": 3}),
    "wilder": (ta.wilder, ["values"], {"period": 3}),
    "wma": (ta.wma, ["values"], {"period": 3}),
    "rsi": (ta.rsi, ["closes"], {"period": 3}),
    "highest": (ta.highest, ["values"], {"period": 3}),
    "lowest": (ta.lowest, ["values"], {"period": 3}),
    "true_range": (ta.true_range, ["highs", "lows", "closes"], {}),
    "atr": (ta.atr, ["highs", "lows", "closes"], {"period": 3}),
    "macd": (ta.macd, ["closes"], {"fast": 2, "slow": 4, "signal": 3}),
    "bollinger": (ta.bollinger, ["closes"], {"period": 3}),
    "stochf": (ta.stochf, ["highs", "lows", "closes"], {"fastk_period": 3, "fastd_period": 2}),
    "stoch": (ta.stoch, ["highs", "lows", "closes"], {"fastk_period": 3, "slowk_period": 2, "slowd_period": 2}),
    "stochastic": (ta.stochastic, ["highs", "lows", "closes"], {"k_period": 3, "d_period": 2}),
    "adx": (ta.adx, ["highs", "lows", "closes"], {"period": 3}),
    "vwap_session": (ta.vwap_session, ["times", "highs", "lows", "closes", "volumes"], {}),
    "vwap_cumulative": (ta.vwap_cumulative, ["highs", "lows", "closes", "volumes"], {}),
    "vwap": (ta.vwap, ["highs", "lows", "closes", "volumes"], {}),
    "crossover": (ta.crossover, ["a", "b"], {}),
    "crossunder": (ta.crossunder, ["a", "b"], {}),
}
# Sums, not recursions: a missing bar is left out and the rest goes on (python/README.md).
LEAVE_OUT = {"vwap_session", "vwap_cumulative", "vwap"}
CROSSES = {"crossover", "crossunder"}


def call(name, series=None, periods=None):
    fn, args, default_periods = INDICATORS[name]
    series = {arg: INPUTS[arg] for arg in args} | (series or {})
    result = fn(**series, **(default_periods | (periods or {})))
    return list(result) if isinstance(result, tuple) else [result]


def with_value(arg, value, at=GAP):
    values = list(INPUTS[arg])
    values[at] = value
    return values


class MissingValuesCase(unittest.TestCase):
    def test_a_missing_value_in_any_argument_splits_the_series(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            if name in LEAVE_OUT | CROSSES:
                continue
            for arg in args:
                with self.subTest(indicator=name, argument=arg):
                    got = call(name, {arg: with_value(arg, None)})
                    before = call(name, {a: INPUTS[a][:GAP] for a in args})
                    after = call(name, {a: INPUTS[a][GAP + 1 :] for a in args})
                    for out, b, a in zip(got, before, after):
                        self.assertEqual(out[:GAP], b)
                        self.assertIsNone(out[GAP])
                        self.assertEqual(out[GAP + 1 :], a)
                        self.assertIsNotNone(out[-1], "the gap must not poison the rest of the series")

    def test_nan_and_infinity_are_missing_exactly_like_none(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            for arg in args:
                for bad in (float("nan"), float("inf"), -float("inf"), float("nan")):
                    with self.subTest(indicator=name, argument=arg, value=bad):
                        self.assertEqual(call(name, {arg: with_value(arg, bad)}), call(name, {arg: with_value(arg, None)}))

    def test_no_output_is_ever_nan(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            for arg in args:
                with self.subTest(indicator=name, argument=arg):
                    for out in call(name, {arg: with_value(arg, float("nan"))}):
                        self.assertFalse(any(isinstance(v, float) and math.isnan(v) for v in out))

    def test_vwap_leaves_a_missing_bar_out_and_goes_on(self):
        for name in LEAVE_OUT:
            _fn, args, _periods = INDICATORS[name]
            for arg in args:
                with self.subTest(indicator=name, argument=arg):
                    got = call(name, {arg: with_value(arg, None)})[0]
                    without = call(name, {a: INPUTS[a][:GAP] + INPUTS[a][GAP + 1 :] for a in args})[0]
                    self.assertIsNone(got[GAP])
                    self.assertEqual(got[:GAP] + got[GAP + 1 :], without)

    def test_a_cross_needs_both_bars_of_both_series(self):
        for name in CROSSES:
            for arg in ("a", "b"):
                with self.subTest(indicator=name, argument=arg):
                    got = call(name, {arg: with_value(arg, None)})[0]
                    self.assertEqual(got[GAP : GAP + 2], [False, False])
                    self.assertEqual(got[: GAP] + got[GAP + 2 :], call(name)[0][:GAP] + call(name)[0][GAP + 2 :])

    def test_true_range_treats_a_missing_value_the_same_whichever_argument_holds_it(self):
        answers = [ta.true_range(*(with_value(a, float("nan")) if a == arg else INPUTS[a] for a in ("highs", "lows", "closes")))
                   for arg in ("highs", "lows", "closes")]
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[1], answers[2])
        self.assertEqual(answers[0][GAP : GAP + 2], [None, None])  # the bar after has no previous close
        self.assertIsNotNone(answers[0][GAP + 2])

    def test_a_series_of_missing_values_has_no_value(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            with self.subTest(indicator=name):
                for out in call(name, {a: [None] * SIZE for a in args}):
                    self.assertTrue(all(v is None or v is False for v in out))

    def test_a_value_that_is_not_a_number_is_a_type_error_naming_it(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            for arg in args:
                for bad in ("100", [1.0], True):
                    with self.subTest(indicator=name, argument=arg, value=bad):
                        with self.assertRaises(TypeError) as caught:
                            call(name, {arg: with_value(arg, bad)})
                        self.assertIn("%s[%d]" % (arg, GAP), str(caught.exception))


class IntLike:
    def __index__(self):
        return 3


class PeriodsCase(unittest.TestCase):
    def test_integer_like_periods_are_accepted(self):
        for name, (_fn, _args, periods) in INDICATORS.items():
            for arg, good in periods.items():
                for like in (float(good), *(t(good) for t in INT_LIKES), FLOAT_LIKE(good)):
                    with self.subTest(indicator=name, argument=arg, value=repr(like)):
                        self.assertEqual(call(name, periods={arg: like}), call(name))
        self.assertEqual(ta.sma(CLOSES, IntLike()), ta.sma(CLOSES, 3))

    def test_other_periods_are_a_value_error_naming_the_argument(self):
        for name, (_fn, _args, periods) in INDICATORS.items():
            for arg in periods:
                for bad in (2.5, 0, -3, 0.0, True, "3", None, float("nan"), float("inf"), FLOAT_LIKE(2.5)):
                    with self.subTest(indicator=name, argument=arg, value=repr(bad)):
                        with self.assertRaises(ValueError) as caught:
                            call(name, periods={arg: bad})
                        self.assertTrue(str(caught.exception).startswith(arg + " must be a positive integer"), caught.exception)

    def test_bollinger_width_must_be_a_finite_non_negative_number(self):
        self.assertEqual(ta.bollinger(CLOSES, 3, FLOAT_LIKE(2.0)), ta.bollinger(CLOSES, 3, 2))
        for bad in (-1.0, float("nan"), float("inf"), "2", None, True):
            with self.subTest(width=repr(bad)):
                with self.assertRaisesRegex(ValueError, "^width must be a finite number"):
                    ta.bollinger(CLOSES, 3, bad)

    def test_macd_fast_must_be_shorter_than_slow(self):
        with self.assertRaisesRegex(ValueError, r"fast \(4\) must be shorter than slow \(4\)"):
            ta.macd(CLOSES, 4, 4, 2)

    def test_a_cross_against_a_bad_constant_is_a_value_error(self):
        for bad in (float("nan"), True):
            with self.subTest(b=repr(bad)):
                with self.assertRaisesRegex(ValueError, "^b must be a finite number"):
                    ta.crossover(CLOSES, bad)


class LengthsCase(unittest.TestCase):
    def test_series_of_different_lengths_are_a_value_error_naming_them(self):
        for name, (_fn, args, _periods) in INDICATORS.items():
            if len(args) < 2:
                continue
            for short in args:
                with self.subTest(indicator=name, short=short):
                    with self.assertRaises(ValueError) as caught:
                        call(name, {short: INPUTS[short][:-1]})
                    message = str(caught.exception)
                    self.assertIn("must have the same length", message)
                    for arg in args:
                        self.assertIn("%s: %d" % (arg, SIZE - 1 if arg == short else SIZE), message)

    def test_a_series_that_is_not_a_sequence_is_a_type_error_naming_it(self):
        with self.assertRaisesRegex(TypeError, "^values must be a sequence of numbers"):
            ta.sma(5.0, 3)
        with self.assertRaisesRegex(TypeError, "^closes must be a sequence of numbers"):
            ta.atr(INPUTS["highs"], INPUTS["lows"], None)

    def test_arrays_and_tuples_are_series(self):
        if ARRAY is not None:
            self.assertEqual(ta.ema(ARRAY(CLOSES), 3), ta.ema(CLOSES, 3))
        self.assertEqual(ta.ema(array.array("d", CLOSES), 3), ta.ema(CLOSES, 3))
        self.assertEqual(ta.ema(tuple(CLOSES), 3), ta.ema(CLOSES, 3))


if __name__ == "__main__":
    unittest.main()
