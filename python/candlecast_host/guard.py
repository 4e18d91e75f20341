"""Audit hook that turns a strategy's attempts at the network, processes, native code or host files into clear
sandbox errors. It only improves the message: bubblewrap and rlimits are the boundary (an audit hook can be evaded)."""

import os
import sys

STRATEGY_FILENAME = "<strategy>"

_NETWORK = {
    "socket.__new__": "opening a network socket",
    "socket.connect": "connecting to the network",
    "socket.bind": "binding a network socket",
    "socket.getaddrinfo": "resolving a host name",
    "socket.gethostbyname": "resolving a host name",
    "socket.gethostbyaddr": "resolving a host name",
    "socket.sendto": "sending to the network",
    "socket.sendmsg": "sending to the network",
}
_PROCESS = {
    "os.system": "running a shell command",
    "os.exec": "replacing the process (exec)",
    "os.posix_spawn": "starting a process",
    "os.spawn": "starting a process",
    "os.fork": "forking a process",
    "os.forkpty": "forking a process",
    "subprocess.Popen": "starting a subprocess",
    "pty.spawn": "starting a process",
    "os.kill": "sending a signal",
    "os.killpg": "sending a signal",
    "signal.pthread_kill": "sending a signal",
    "ctypes.dlopen": "loading native code (ctypes)",
    "ctypes.dlsym": "loading native code (ctypes)",
    "ctypes.call_function": "calling native code (ctypes)",
    "ctypes.cdata": "reading raw memory (ctypes)",
    "sys.remote_exec": "injecting code into a process",
}
_FILE_CHANGE = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink", "os.link", "os.truncate", "os.utime"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxViolation(BaseException):
    """A strategy tried something the sandbox forbids. A BaseException so `except Exception` cannot swallow it."""


class Guard:
    """Watches audit events raised while strategy code is on the stack; the first violation is remembered
    even if the strategy catches the exception."""

    def __init__(self, readable_roots, writable_roots=("/tmp",)):
        self.readable_roots = tuple(os.path.join(os.path.normpath(r), "") for r in readable_roots)
        self.writable_roots = tuple(os.path.join(os.path.normpath(r), "") for r in writable_roots)
        self.trusted_roots = tuple(r for r in self.readable_roots if "packages" in r)
        self.violation = None
        self.active = False

    def install(self):
        sys.addaudithook(self._hook)

    def _hook(self, event, args):
        if not self.active:
            return
        what = _NETWORK.get(event) or _PROCESS.get(event)
        if what is None:
            if event == "open":
                what = self._file_problem(args)
            elif event in _FILE_CHANGE:
                what = self._change_problem(args)
            if what is None:
                return
        if not self._strategy_on_stack():
            return
        message = "%s is not allowed in a strategy (%s)" % (what, event)
        if self.violation is None:
            self.violation = message
        raise SandboxViolation(message)

    def _strategy_on_stack(self):
        # Library code (numpy, pandas) may probe the platform on import; only the strategy's own calls count.
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename == STRATEGY_FILENAME:
                return True
            if filename.startswith(self.trusted_roots):
                return False
            frame = frame.f_back
        return False

    def _file_problem(self, args):
        path, mode, flags = args
        if not isinstance(path, (str, bytes)):
            return None
        full = _absolute(path)
        writing = (mode is not None and any(c in mode for c in "wax+")) or bool((flags or 0) & _WRITE_FLAGS)
        if writing:
            return None if full.startswith(self.writable_roots) else "writing %s (only /tmp is writable)" % full
        if full.startswith(self.readable_roots) or full.startswith(self.writable_roots):
            return None
        return "reading %s" % full

    def _change_problem(self, args):
        for path in args:
            if isinstance(path, (str, bytes)) and not _absolute(path).startswith(self.writable_roots):
                return "changing %s (only /tmp is writable)" % _absolute(path)
        return None


def _absolute(path):
    if isinstance(path, bytes):
        path = path.decode("utf-8", "replace")
    full = os.path.normpath(os.path.join(os.getcwd(), path))
    return full + "/" if os.path.isdir(full) else full
