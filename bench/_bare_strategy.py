"""The runtime bench's floor: one warm, unsandboxed interpreter answering live-run requests line by line with the
host's own loading and running code, and nothing around it (no sandbox, no fork per run, no guard, no limits)."""

import json
import sys

sys.path.insert(0, sys.argv[1])

from candlecast.candles import Candles
from candlecast.signals import signal_to_json
from candlecast_host.execute import compile_strategy, load_strategy_class, run_live

for line in sys.stdin:
    request = json.loads(line)
    cls = load_strategy_class(compile_strategy(request["code"]))
    signal = run_live(cls, request.get("params") or {}, Candles.from_columns(request["candles"]), lambda *_: None)
    sys.stdout.write(json.dumps({"ok": True, "signal": signal_to_json(signal)}) + "\n")
    sys.stdout.flush()
