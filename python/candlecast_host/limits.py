"""rlimits for a strategy run, set in the runner before any strategy code loads."""

import resource
import signal


class CpuLimitExceeded(BaseException):
    """RLIMIT_CPU's soft limit fired (SIGXCPU); the hard limit kills the process a second later anyway."""


def _on_cpu_limit(signum, frame):
    raise CpuLimitExceeded("the strategy used more CPU time than allowed")


def apply_limits(cpu_seconds, address_space, file_size, processes, open_files):
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    # Past the file-size limit a write fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
