"""The sandbox's supervisor: a warm process that runs strategies one at a time, each in a fresh forked child.

Starting an interpreter and importing the host costs ~20 ms of CPU; forking a warm one costs ~1 ms. The
supervisor pays the start-up once per sandbox and forks a child per run. What keeps runs apart:

- One run at a time per sandbox, so no two strategies ever share it at once.
- The supervisor never parses a request or an answer: it moves bytes through private anonymous mappings that it
  unmaps after each run, so a later child (a copy of the supervisor's memory) finds no earlier strategy's code.
- It makes itself non-dumpable, so a child cannot ptrace it or open its /proc entries (memory, fds).
- The child gets a new session, no fds of the supervisor's (its answer goes to a pipe of its own), then its
  rlimits, then the audit guard, and only then the strategy.
- After each run every other process in the sandbox is killed, and the run is reported unclean when it left a
  process or a file behind, or ended abnormally; the worker then retires the sandbox and starts a fresh one.

Protocol on fds 0 (in) and 1 (out), big-endian lengths:
  request: >II control_len body_len, control JSON (limits, timeout), body (the request, passed through unread)
  reply:   >II meta_len answer_len, meta JSON (exitCode, signal, timedOut, answerTooLarge, strays, clean), answer
"""

import functools
import gc
import json
import mmap
import os
import select
import signal
import struct
import sys
import time
import traceback

from . import host
from .fdio import write_all
from .limits import apply_limits

_HEADER = struct.Struct(">II")
_CHILD_SETUP_FAILED = 70
_PR_SET_DUMPABLE = 4
_MAX_FD = 1 << 20


@functools.cache
def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def set_dumpable(on):
    """prctl(PR_SET_DUMPABLE): off, same-uid processes (the children) may no longer ptrace or inspect this one.
    Each child turns it back on for itself, or it could not read its own /proc/self entries. The supervisor
    loads libc once; its children inherit the handle."""
    if _libc().prctl(_PR_SET_DUMPABLE, 1 if on else 0, 0, 0, 0) != 0:
        import ctypes

        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def _read_exact(fd, view):
    got = 0
    while got < len(view):
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("the worker closed the request stream")
        got += n


def _read_request(fd):
    """(control dict, anonymous mapping holding the body, body length); None at end of input."""
    header = bytearray(_HEADER.size)
    try:
        _read_exact(fd, memoryview(header))
    except EOFError:
        return None
    control_len, body_len = _HEADER.unpack(header)
    control = bytearray(control_len)
    _read_exact(fd, memoryview(control))
    body = mmap.mmap(-1, max(body_len, 1))
    with memoryview(body) as view:
        _read_exact(fd, view[:body_len])
    return json.loads(control), body, body_len


def _run_child(control, body, body_len, answer_w, package_root):
    """In the forked child: cut every tie to the supervisor, set the limits, answer on `answer_w`. Never returns."""
    try:
        set_dumpable(True)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, answer_w)
        os.closerange(answer_w + 1, _MAX_FD)
        with memoryview(body) as view:
            raw = bytes(view[:body_len])
        body.close()
        apply_limits(
            control["cpuSeconds"], control["memoryBytes"], control["fileBytes"], control["processes"], control["openFiles"]
        )
    except BaseException:
        os._exit(_CHILD_SETUP_FAILED)
    host.answer_request(raw, answer_w, package_root)
    os._exit(0)


def _collect(pid, answer_r, deadline, max_answer):
    """Read the child's answer until it exits, the deadline passes or the answer grows too large.
    Returns (mapping, length, timed_out, too_large); the caller unmaps the mapping."""
    answer = mmap.mmap(-1, max_answer + 1)
    length = 0
    timed_out = too_large = False
    pidfd = os.pidfd_open(pid)
    try:
        with memoryview(answer) as view:
            watching = [answer_r, pidfd]
            child_exited = False
            while not child_exited:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select(watching, [], [], remaining)
                if answer_r in ready:
                    n = os.readv(answer_r, [view[length:]])
                    if n == 0:
                        watching.remove(answer_r)
                    length += n
                    if length > max_answer:
                        too_large = True
                        break
                if pidfd in ready:
                    child_exited = True
            if child_exited and answer_r in watching:
                # What the child wrote just before exiting is still in the pipe (a leftover grandchild may be writing too).
                os.set_blocking(answer_r, False)
                while length <= max_answer:
                    try:
                        n = os.readv(answer_r, [view[length:]])
                    except BlockingIOError:
                        break
                    if n == 0:
                        break
                    length += n
                too_large = length > max_answer
    finally:
        os.close(pidfd)
    return answer, length, timed_out, too_large


def _others():
    """Pids in this sandbox other than its init (1) and the supervisor, zombies excluded."""
    me = os.getpid()
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] != b"Z":
            pids.append(int(name))
    return pids


def _kill_strays():
    """Kill whatever the run left running; returns how many processes that was."""
    seen = set()
    for _ in range(1000):
        pids = _others()
        if not pids:
            break
        for pid in pids:
            seen.add(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.001)
    return len(seen)


def run_once(request, package_root, out_fd, in_sandbox):
    control, body, body_len = request
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(answer_r)
        _run_child(control, body, body_len, answer_w, package_root)
    os.close(answer_w)
    body.close()  # the child has its own copy; this process keeps none
    deadline = time.monotonic() + control["timeoutMs"] / 1000
    answer, length, timed_out, too_large = _collect(pid, answer_r, deadline, control["maxAnswerBytes"])
    os.close(answer_r)
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    strays = _kill_strays() if in_sandbox else 0
    code = os.waitstatus_to_exitcode(status)
    left_files = in_sandbox and bool(os.listdir("/tmp"))
    meta = {
        "exitCode": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timedOut": timed_out,
        "answerTooLarge": too_large,
        "strays": strays,
        "clean": code == 0 and not timed_out and not too_large and strays == 0 and not left_files,
    }
    meta_bytes = json.dumps(meta).encode()
    sent = 0 if too_large else length
    write_all(out_fd, _HEADER.pack(len(meta_bytes), sent) + meta_bytes)
    with memoryview(answer) as view:
        write_all(out_fd, view[:sent])
    answer.close()


def preload(scientific):
    """Debian's dist-packages on the path; for a scientific sandbox, numpy and pandas (where installed) imported once
    here rather than in every run that uses them (~250 ms a run saved; forking the larger process costs ~1.5 ms)."""
    if os.path.isdir(host.DIST_PACKAGES):
        sys.path.append(host.DIST_PACKAGES)
    for name in ("numpy", "pandas") if scientific else ():
        try:
            __import__(name)
        except Exception:  # not installed (or broken): strategies that import it get the ImportError themselves
            pass


def run_supervisor(package_root, in_sandbox, scientific):
    """Answer requests on fd 0 until the worker closes it. `in_sandbox` (pid namespace of our own) enables the
    sweep of leftover processes and the /tmp check; bare development runs skip both."""
    if in_sandbox and os.getpid() != 2:
        # The sweep kills every other pid it can see: only ever inside bubblewrap's pid namespace (init is 1, we are 2).
        sys.stderr.write("supervisor: sandbox mode outside a fresh pid namespace (pid %d); refusing\n" % os.getpid())
        os._exit(2)
    set_dumpable(False)
    preload(scientific)
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    gc.collect()
    gc.freeze()  # keeps the warm heap shared with every child instead of copied on the first collection
    while True:
        try:
            request = _read_request(0)
        except BaseException:
            traceback.print_exc()
            os._exit(2)
        if request is None:
            os._exit(0)
        run_once(request, package_root, out_fd, in_sandbox)
