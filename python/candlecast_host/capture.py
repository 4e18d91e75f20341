"""Captures a strategy's prints and log lines into a bounded list, so they never reach the protocol stream."""


class OutputLimitExceeded(BaseException):
    """The strategy wrote more than the run allows. A BaseException so `except Exception` in user code cannot swallow it."""


class LogCapture:
    """A file-like sink for sys.stdout / sys.stderr / Strategy.log.

    Keeps at most `max_lines` lines of at most `max_line_chars` characters each (later lines are
    counted, not kept), and stops the strategy once it has written more than `max_total_bytes`."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, max_lines=200, max_line_chars=1000, max_total_bytes=1_000_000):
        self.max_lines = max_lines
        self.max_line_chars = max_line_chars
        self.max_total_bytes = max_total_bytes
        self.lines = []
        self.dropped = 0
        self.total = 0
        self.exceeded = False
        self._partial = ""

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        self.total += len(text)
        if self.total > self.max_total_bytes:
            self.exceeded = True
            raise OutputLimitExceeded("the strategy wrote more than %d characters of output" % self.max_total_bytes)
        if len(self.lines) >= self.max_lines:
            self.dropped += text.count("\n")
            return len(text)
        parts = (self._partial + text).split("\n")
        self._partial = parts.pop()[: self.max_line_chars + 1]
        for part in parts:
            self._keep(part)
        return len(text)

    def line(self, text):
        self.write(text + "\n")

    def _keep(self, line):
        if len(self.lines) >= self.max_lines:
            self.dropped += 1
            return
        if len(line) > self.max_line_chars:
            line = line[: self.max_line_chars] + "… [line truncated]"
        self.lines.append(line)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        import io

        raise io.UnsupportedOperation("the strategy's output is captured, it has no file descriptor")

    def collect(self):
        """The kept lines, with a final marker when some were dropped."""
        lines = list(self.lines)
        if self._partial:
            lines.append(self._partial[: self.max_line_chars])
        dropped = self.dropped + max(0, len(lines) - self.max_lines)
        lines = lines[: self.max_lines]
        if dropped:
            lines.append("[%d more log lines dropped; the limit is %d]" % (dropped, self.max_lines))
        return lines
