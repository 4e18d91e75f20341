"""A read-only columnar window of OHLCV candles, newest last, with an optional pandas view."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

COLUMNS = ("time", "open", "high", "low", "close", "volume")


class Candles:
    """Columns `time` (open time, UTC epoch ms), `open`, `high`, `low`, `close`, `volume`, as tuples, newest last.

    The window is read-only: the host hands each call its own copy, so nothing a strategy does to it
    leaks into the next bar."""

    __slots__ = COLUMNS

    def __init__(
        self,
        time: Iterable[int],
        open: Iterable[float],
        high: Iterable[float],
        low: Iterable[float],
        close: Iterable[float],
        volume: Iterable[float],
    ) -> None:
        n = len(time)
        for name, col in zip(COLUMNS, (time, open, high, low, close, volume)):
            if len(col) != n:
                raise ValueError("column %s has %d values, expected %d" % (name, len(col), n))
            object.__setattr__(self, name, tuple(col))

    @classmethod
    def from_columns(cls, columns: Mapping[str, Iterable[float]]) -> Candles:
        return cls(*(columns[name] for name in COLUMNS))

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[float]]) -> Candles:
        """Build from an iterable of (time, open, high, low, close, volume) rows."""
        cols = tuple(zip(*rows)) or ((),) * 6
        return cls(*cols)

    def __setattr__(self, name, value):
        raise AttributeError("Candles are read-only")

    def __delattr__(self, name):
        raise AttributeError("Candles are read-only")

    def __len__(self) -> int:
        return len(self.time)

    def __getitem__(self, index):
        """c[i] is the i-th candle as a dict; c[a:b] is a smaller window."""
        if isinstance(index, slice):
            return self._slice(index)
        return {name: getattr(self, name)[index] for name in COLUMNS}

    def _slice(self, index):
        out = object.__new__(Candles)
        for name in COLUMNS:
            object.__setattr__(out, name, getattr(self, name)[index])
        return out

    def tail(self, count: int) -> Candles:
        """The newest `count` candles."""
        return self._slice(slice(max(0, len(self) - count), None))

    def window(self, end: int, size: int) -> Candles:
        """The `size` candles ending at index `end` (inclusive)."""
        return self._slice(slice(max(0, end + 1 - size), end + 1))

    def to_pandas(self):
        """A pandas DataFrame (index: UTC open time) where Debian's python3-pandas is installed."""
        try:
            import pandas
        except ImportError as exc:
            raise ImportError("pandas is not installed on this worker; use candlecast.indicators instead") from exc
        frame = pandas.DataFrame({name: list(getattr(self, name)) for name in COLUMNS})
        frame.index = pandas.to_datetime(frame["time"], unit="ms", utc=True)
        return frame

    def __repr__(self):
        return "Candles(%d bars)" % len(self)
