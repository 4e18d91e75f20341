"""Runner entry point: limits first, then one request (JSON on stdin, JSON on the real stdout).

Invoked as: python3 -I -S runner.py CPU_SECONDS ADDRESS_SPACE_BYTES FILE_BYTES PROCESSES OPEN_FILES [TAG]
(TAG is ignored; the client uses it to find its processes.)"""

import os
import sys

if __name__ == "__main__":
    _PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, _PACKAGE_ROOT)
    from candlecast.limits import apply_limits

    apply_limits(*(int(a) for a in sys.argv[1:6]))
    from candlecast.host import main

    main(_PACKAGE_ROOT)
