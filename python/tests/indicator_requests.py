"""Answers indicator calls as JSON for the TA-Lib parity test (test/talib-parity.test.ts): reads
{"calls": [{"fn": name, "args": [...], "kwargs": {...}}]} on stdin, writes {"results": [...]} with null for None.
Inputs use null for a missing value."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from candlecast import indicators  # noqa: E402


def answer(call):
    result = getattr(indicators, call["fn"])(*call.get("args", []), **call.get("kwargs", {}))
    return list(result) if isinstance(result, tuple) else result


if __name__ == "__main__":
    request = json.load(sys.stdin)
    json.dump({"results": [answer(call) for call in request["calls"]]}, sys.stdout, allow_nan=False)
