"""One run: parse the request, load and run the strategy under the guard, write one JSON answer
to the answer fd (the strategy's own output goes to a bounded capture)."""

import gc
import json
import os
import sys
import time
import traceback

from candlecast.candles import Candles
from .capture import LogCapture, OutputLimitExceeded
from .execute import StrategyShapeError, compile_strategy, load_strategy_class, run_backtest, run_live
from .fdio import write_all
from .guard import STRATEGY_FILENAME, Guard, SandboxViolation
from .limits import CpuLimitExceeded
from .manifest import ManifestError, read_manifest
from candlecast.params import ParamError
from candlecast.signals import BadSignal, signal_to_json

DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def _readable_roots(package_root):
    stdlib = os.path.dirname(os.__file__)
    return [stdlib, DIST_PACKAGES, package_root, "/usr/share/zoneinfo", "/dev/null", "/dev/urandom", "/proc/self", "/sys/devices/system/cpu"]


def classify(exc, guard, capture):
    """Map what ended the run to one of the runtime error kinds (db/contracts/domain.ts RUNTIME_ERROR_KINDS)."""
    if guard.violation is not None or isinstance(exc, SandboxViolation):
        return "sandbox", guard.violation or str(exc)
    if capture.exceeded or isinstance(exc, OutputLimitExceeded):
        return "output_limit", "the strategy wrote more than %d characters of output" % capture.max_total_bytes
    if isinstance(exc, CpuLimitExceeded):
        return "timeout", str(exc)
    if isinstance(exc, MemoryError):
        return "memory", "the strategy ran out of memory (MemoryError)"
    if isinstance(exc, SyntaxError):
        where = " (line %s)" % exc.lineno if exc.lineno else ""
        return "syntax", "%s: %s%s" % (type(exc).__name__, exc.msg, where)
    if isinstance(exc, ImportError):
        return "import", "%s: %s" % (type(exc).__name__, exc)
    if isinstance(exc, BadSignal):
        return "bad_signal", str(exc)
    if isinstance(exc, SystemExit):
        return "runtime", "the strategy called sys.exit(%r); return a Signal instead" % (exc.code,)
    if isinstance(exc, (ParamError, StrategyShapeError, ManifestError)):
        return "runtime", str(exc)
    return "runtime", "%s: %s" % (type(exc).__name__, exc)


def format_traceback(exc, limit_chars):
    """The traceback from the strategy's first frame on (the host's own frames are noise to an author), tail kept."""
    frames = traceback.extract_tb(exc.__traceback__)
    start = next((i for i, f in enumerate(frames) if f.filename == STRATEGY_FILENAME), None)
    if start is None and not isinstance(exc, SyntaxError):
        return ""
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(frames[start:]) if start is not None else []
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    return text if len(text) <= limit_chars else "…" + text[-limit_chars:]


def _signals_columns(signals):
    """Backtest signals as a table of distinct signals and one index per bar (100k bars stay small and fast to parse)."""
    table = []
    index = []
    positions = {}
    for sig in signals:
        key = sig.as_tuple()
        pos = positions.get(key)
        if pos is None:
            pos = positions[key] = len(table)
            table.append(signal_to_json(sig))
        index.append(pos)
    return {"table": table, "index": index}


def handle(request, capture, guard, timings):
    mode = request["mode"]
    code = request["code"]
    if mode == "manifest":
        return {"ok": True, "manifest": read_manifest(code)}
    code_obj = compile_strategy(code)
    candles = Candles.from_columns(request["candles"])
    started = time.perf_counter()
    guard.active = True
    cls = load_strategy_class(code_obj)
    timings["loadMs"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    params = request.get("params") or {}
    if mode == "live":
        answer = {"ok": True, "signal": signal_to_json(run_live(cls, params, candles, capture.line))}
    elif mode == "backtest":
        signals = run_backtest(cls, params, candles, capture.line, per_bar=bool(request.get("perBar")))
        answer = {"ok": True, "signals": _signals_columns(signals)}
    else:
        raise ValueError("unknown mode %r" % (mode,))
    timings["runMs"] = (time.perf_counter() - started) * 1000
    return answer


def answer_request(raw, out_fd, package_root):
    """Answer one request (`raw`, the JSON bytes) on `out_fd`, then end the process. Called in a freshly forked
    child whose fds 0-2 lead nowhere, after its limits are set (see supervisor.py)."""
    started = time.perf_counter()
    request = json.loads(raw)
    del raw
    bounds = request.get("bounds") or {}
    capture = LogCapture(
        max_lines=int(bounds.get("maxLogLines", 200)),
        max_line_chars=int(bounds.get("maxLogLineChars", 1000)),
        max_total_bytes=int(bounds.get("maxOutputChars", 1_000_000)),
    )
    traceback_chars = int(bounds.get("maxTracebackChars", 8000))
    sys.stdout = sys.stderr = capture
    guard = Guard(_readable_roots(package_root))
    guard.install()
    timings = {"parseMs": (time.perf_counter() - started) * 1000}
    try:
        answer = handle(request, capture, guard, timings)
        if guard.violation is not None or capture.exceeded:
            raise SandboxViolation(guard.violation) if guard.violation else OutputLimitExceeded()
    except BaseException as exc:  # everything the strategy can raise becomes a typed error value
        guard.active = False
        kind, message = classify(exc, guard, capture)
        tb = format_traceback(exc, traceback_chars)
        exc = None
        gc.collect()
        answer = {"ok": False, "error": {"kind": kind, "message": message[:2000], "traceback": tb}}
    guard.active = False
    answer["logs"] = capture.collect()
    timings["totalMs"] = (time.perf_counter() - started) * 1000
    answer["timings"] = timings
    write_all(out_fd, json.dumps(answer, allow_nan=False, separators=(",", ":")).encode("utf-8"))
    # Skip interpreter shutdown: a strategy's leftover threads or atexit hooks must not delay or alter the answer.
    os._exit(0)
