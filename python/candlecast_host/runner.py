"""Runner entry point: the sandbox's supervisor, which answers one request after another (see supervisor.py).

Invoked as: python3 -I -S runner.py (sandbox|bare) (lean|scientific) [TAG]
(TAG is ignored; the worker uses it to find its processes.)"""

import os
import sys

if __name__ == "__main__":
    _PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, _PACKAGE_ROOT)
    from candlecast_host.supervisor import run_supervisor

    run_supervisor(_PACKAGE_ROOT, in_sandbox=sys.argv[1] == "sandbox", scientific=sys.argv[2] == "scientific")
