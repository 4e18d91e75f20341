"""The host's checks: signal validation, candle windows, the log capture, the manifest reader and error classification."""

import unittest

from candlecast import Candles, Signal
from candlecast_host.capture import LogCapture, OutputLimitExceeded
from candlecast_host.manifest import ManifestError, read_manifest
from candlecast.signals import BadSignal, check_signal


class SignalCase(unittest.TestCase):
    def test_valid_signals_are_copied_clean(self):
        s = Signal.buy(confidence=1, stop_loss=90, take_profit=120, reason="x")
        clean = check_signal(s, last_close=100)
        self.assertIsNot(clean, s)
        self.assertEqual(clean.as_tuple(), ("BUY", 1.0, 90.0, 120.0, "x"))
        self.assertEqual(check_signal("HOLD").action, "HOLD")

    def test_bad_signals_are_refused(self):
        bad = [
            Signal("LONG"),
            Signal("BUY", confidence=1.5),
            Signal("BUY", confidence=float("nan")),
            Signal("BUY", confidence=True),
            Signal("BUY", stop_loss=-1),
            Signal("BUY", stop_loss=float("inf")),
            Signal("BUY", reason="x" * 501),
            Signal("BUY", reason=42),
            {"action": "BUY"},
            None,
        ]
        for value in bad:
            with self.subTest(value=repr(value)[:60]):
                with self.assertRaises(BadSignal):
                    check_signal(value)

    def test_stops_on_the_wrong_side_are_refused(self):
        with self.assertRaises(BadSignal):
            check_signal(Signal.buy(stop_loss=101), last_close=100)
        with self.assertRaises(BadSignal):
            check_signal(Signal.sell(take_profit=101), last_close=100)


class CandlesCase(unittest.TestCase):
    def test_read_only_columns_and_windows(self):
        c = Candles.from_rows([(i, 1.0, 2.0, 0.5, float(i), 10.0) for i in range(10)])
        self.assertEqual(len(c), 10)
        self.assertEqual(c.tail(3).close, (7.0, 8.0, 9.0))
        self.assertEqual(c.window(4, 2).time, (3, 4))
        self.assertEqual(c[-1]["close"], 9.0)
        with self.assertRaises(AttributeError):
            c.close = ()
        with self.assertRaises(TypeError):
            c.close[0] = 1.0

    def test_to_pandas_where_installed(self):
        try:
            import pandas
        except ImportError:
            self.assertRaises(ImportError, Candles.from_rows([(0, 1, 1, 1, 1, 1)]).to_pandas)
            return
        frame = Candles.from_rows([(0, 1, 2, 0.5, 1.5, 3), (60000, 1.5, 2, 1, 1.8, 4)]).to_pandas()
        self.assertIsInstance(frame, pandas.DataFrame)
        self.assertEqual(list(frame.columns), ["time", "open", "high", "low", "close", "volume"])
        self.assertEqual(frame["close"].iloc[-1], 1.8)
        self.assertEqual(str(frame.index[1]), "1970-01-01 00:01:00+00:00")


class CaptureCase(unittest.TestCase):
    def test_lines_are_capped_and_counted(self):
        cap = LogCapture(max_lines=2, max_line_chars=5, max_total_bytes=1000)
        cap.write("one\ntwo\nthree\nfour\n")
        cap.write("123456789\n")
        self.assertEqual(cap.collect(), ["one", "two", "[3 more log lines dropped; the limit is 2]"])

    def test_long_lines_are_cut(self):
        cap = LogCapture(max_lines=5, max_line_chars=3, max_total_bytes=1000)
        cap.write("abcdef\n")
        self.assertEqual(cap.collect(), ["abc… [line truncated]"])

    def test_total_output_limit_cannot_be_swallowed(self):
        cap = LogCapture(max_total_bytes=10)
        with self.assertRaises(OutputLimitExceeded):
            try:
                cap.write("x" * 11)
            except Exception:  # a strategy's broad except must not hide the limit
                self.fail("OutputLimitExceeded must not be an Exception")
        self.assertTrue(cap.exceeded)


class ManifestCase(unittest.TestCase):
    SOURCE = '''"""Buys dips. Second sentence."""
from candlecast import Strategy, IntParam, FloatParam, BoolParam
import os
os.system("never runs")

class Dip(Strategy):
    name = "Dip"
    resolution = "5m"
    lookback = 42
    symbols = ["ETH/USDT"]
    tags = ["dip"]
    depth = FloatParam(0.05, low=0.01, high=0.5, description="how deep")
    period = IntParam(10, 2, 50)
    short = BoolParam(False)
'''

    def test_reads_literals_without_running_the_code(self):
        m = read_manifest(self.SOURCE)
        self.assertEqual(m["description"], "Buys dips. Second sentence.")
        self.assertEqual((m["name"], m["resolution"], m["lookback"]), ("Dip", "5m", 42))
        self.assertEqual((m["symbols"], m["tags"]), (["ETH/USDT"], ["dip"]))
        self.assertEqual(m["params"]["depth"], {"type": "float", "default": 0.05, "low": 0.01, "high": 0.5, "description": "how deep"})
        self.assertEqual(m["params"]["period"]["high"], 50)
        self.assertEqual(m["params"]["short"]["default"], False)

    def test_refuses_missing_or_computed_declarations(self):
        with self.assertRaises(ManifestError):
            read_manifest("x = 1\n")
        with self.assertRaises(ManifestError):
            read_manifest("from candlecast import Strategy\nclass A(Strategy):\n    lookback = 10 * len('abc')\n")
        with self.assertRaises(SyntaxError):
            read_manifest("class (:\n")

    def test_refuses_an_interface_version_the_host_does_not_support(self):
        source = "from candlecast import Strategy\nclass A(Strategy):\n    INTERFACE_VERSION = %s\n"
        self.assertEqual(read_manifest(source % "1")["interfaceVersion"], 1)
        for declared in ("2", "0", "True", "'1'"):
            with self.assertRaisesRegex(ManifestError, r"INTERFACE_VERSION .* is not supported by this host \(supported: 1\)"):
                read_manifest(source % declared)


if __name__ == "__main__":
    unittest.main()
