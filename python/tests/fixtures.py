"""Shared test fixtures: the fixture candles and loading an example strategy from its file."""

import os

from candlecast import Candles
from candlecast_host.execute import compile_strategy, load_strategy_class

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def fixture_candles(name="btc_1h.csv"):
    rows = []
    with open(os.path.join(HERE, "fixtures", name)) as fh:
        next(fh)
        for line in fh:
            t, o, h, l, c, v = line.strip().split(",")
            rows.append((int(t), float(o), float(h), float(l), float(c), float(v)))
    return Candles.from_rows(rows)


def example_source(filename):
    with open(os.path.join(EXAMPLES, filename)) as fh:
        return fh.read()


def load_example(filename):
    """The example's Strategy class, loaded the way the runner loads uploaded code."""
    return load_strategy_class(compile_strategy(example_source(filename)))


def example_files():
    return sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py"))
