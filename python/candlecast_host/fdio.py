"""Writing to a raw file descriptor (the protocol stream, a run's answer pipe)."""

import os


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out (a pipe takes a large answer in several writes)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
