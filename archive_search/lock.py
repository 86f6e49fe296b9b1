"""One writer at a time: an exclusive lock file holding the writer's PID.

``fcntl.flock`` is released by the kernel when the holder dies, even by SIGKILL, so a lock left
by a killed process never blocks anyone: the PID in the file only serves the error message.
Readers never take the lock; Whoosh segments and our atomic renames keep what they see whole.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import ArchiveLocked


@contextlib.contextmanager
def write_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the archive's write lock for the ``with`` block.

    Waits up to ``wait`` seconds for another writer, then raises :class:`ArchiveLocked`
    naming the PID that holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    raise ArchiveLocked(
                        f"archive locked by PID {holder} (another import or index is running); "
                        "retry later or pass --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"
