"""The supervisor's own safety checks, outside any sandbox."""

import os
import subprocess
import sys
import unittest

RUNNER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "candlecast_host", "runner.py")


class SupervisorCase(unittest.TestCase):
    def test_refuses_sandbox_mode_outside_a_fresh_pid_namespace(self):
        # Its sweep kills every other process it can see: here that would be the host's.
        done = subprocess.run(
            [sys.executable, "-I", "-S", RUNNER, "sandbox", "lean", "tag"], input=b"", capture_output=True, timeout=30
        )
        self.assertEqual(done.returncode, 2)
        self.assertIn(b"outside a fresh pid namespace", done.stderr)


if __name__ == "__main__":
    unittest.main()
