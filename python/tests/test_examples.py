"""The example strategies on fixture candles: they load, trade, declare their metadata, and live equals backtest bar for bar."""

import unittest

from candlecast import indicators as ta
from candlecast_host.execute import run_backtest, run_live
from candlecast_host.manifest import read_manifest
from candlecast.strategy import Strategy
from tests.fixtures import example_files, example_source, fixture_candles, load_example

EXPECTED = {"sma_crossover.py", "rsi_mean_reversion.py", "bollinger_breakout.py", "macd_trend.py"}


class ExamplesCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.candles = fixture_candles()

    def test_the_four_examples_exist(self):
        self.assertTrue(EXPECTED.issubset(set(example_files())))

    def test_every_example_declares_what_the_seed_reads(self):
        for filename in example_files():
            with self.subTest(filename):
                m = read_manifest(example_source(filename))
                self.assertTrue(m["description"].endswith("."), m["description"])
                self.assertIn(m["resolution"], ("1m", "5m", "15m", "1h", "4h", "1d"))
                self.assertIsInstance(m["lookback"], int)
                self.assertTrue(m["symbols"] and all("/" in s for s in m["symbols"]))
                self.assertTrue(m["tags"] and all(isinstance(t, str) for t in m["tags"]))
                cls = load_example(filename)
                self.assertEqual(m["lookback"], cls.lookback)
                self.assertEqual(set(m["params"]), set(cls({}).params))

    def test_every_example_trades_both_ways_on_the_fixture(self):
        for filename in example_files():
            with self.subTest(filename):
                signals = run_backtest(load_example(filename), {}, self.candles, lambda line: None)
                actions = {s.action for s in signals}
                self.assertIn("BUY", actions)
                self.assertTrue({"SELL", "CLOSE"} & actions)

    def test_live_on_each_window_equals_the_backtest_signal_for_that_bar(self):
        candles = self.candles[:700]
        for filename in example_files():
            cls = load_example(filename)
            with self.subTest(filename):
                backtest = run_backtest(cls, {}, candles, lambda line: None)
                per_bar = run_backtest(cls, {}, candles, lambda line: None, per_bar=True)
                self.assertEqual(backtest, per_bar)
                for i in range(len(candles)):
                    live = run_live(cls, {}, candles[: i + 1], lambda line: None)
                    self.assertEqual(live, backtest[i], "bar %d" % i)

    def test_sma_crossover_buys_exactly_at_golden_crosses(self):
        signals = run_backtest(load_example("sma_crossover.py"), {"fast": 5, "slow": 20}, self.candles, lambda line: None)
        fast, slow = ta.sma(self.candles.close, 5), ta.sma(self.candles.close, 20)
        up = ta.crossover(fast, slow)
        down = ta.crossunder(fast, slow)
        for i, sig in enumerate(signals):
            if i < 99:
                self.assertEqual(sig.reason, "warm-up")
                continue
            self.assertEqual(sig.action == "BUY", up[i], "bar %d" % i)
            self.assertEqual(sig.action == "SELL", down[i], "bar %d" % i)

    def test_macd_stops_are_atr_multiples_around_the_close(self):
        cls = load_example("macd_trend.py")
        signals = run_backtest(cls, {}, self.candles, lambda line: None)
        atr = ta.atr(self.candles.high, self.candles.low, self.candles.close, 14)
        entries = [(i, s) for i, s in enumerate(signals) if s.action == "BUY"]
        self.assertTrue(entries)
        for i, s in entries:
            close = self.candles.close[i]
            window_atr = ta.atr(*(getattr(self.candles[i - 299 : i + 1], k) for k in ("high", "low", "close")), 14)[-1]
            self.assertAlmostEqual(s.stop_loss, close - 2.0 * window_atr, places=6)
            self.assertAlmostEqual(s.take_profit, close + 3.0 * window_atr, places=6)
            self.assertLess(abs(window_atr - atr[i]) / atr[i], 0.05)

    def test_rsi_buys_carry_a_stop_below_the_close(self):
        signals = run_backtest(load_example("rsi_mean_reversion.py"), {"stop_pct": 0.05}, self.candles, lambda line: None)
        buys = [(i, s) for i, s in enumerate(signals) if s.action == "BUY"]
        self.assertTrue(buys)
        for i, s in buys:
            self.assertAlmostEqual(s.stop_loss, self.candles.close[i] * 0.95)

    def test_parameters_are_checked_against_their_bounds(self):
        from candlecast.params import ParamError

        cls = load_example("sma_crossover.py")
        with self.assertRaises(ParamError):
            cls({"slow": 500})
        with self.assertRaises(ParamError):
            cls({"nope": 1})
        self.assertEqual(cls({"fast": 7}).fast, 7)

    def test_the_base_strategy_holds(self):
        class Plain(Strategy):
            lookback = 3

        signals = run_backtest(Plain, {}, self.candles[:5], lambda line: None)
        self.assertEqual([s.reason for s in signals], ["warm-up", "warm-up", "", "", ""])
        self.assertTrue(all(s.action == "HOLD" for s in signals))


if __name__ == "__main__":
    unittest.main()
