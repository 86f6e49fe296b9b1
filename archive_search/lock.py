"""One writer at a time: an exclusive lock file holding the writer's PID.

``fcntl.flock`` is released by the kernel when the holder dies, even by SIGKILL, so a lock left
by a killed process never blocks anyone: the PID in the file only serves the error message.
Readers never take the lock; Whoosh segments and our atomic renames keep what they see whole.

A forked child shares its parent's lock (flock belongs to the open file, not the process), so
helper processes that outlive a killed writer would keep the archive locked: Whoosh's
multi-process indexer forks workers that, orphaned, wait forever, holding our lock and Whoosh's
own. Children forked while the lock is held therefore close their copy of it at once and, on
Linux, are killed by the kernel when the writer dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ArchiveLocked

#: Lock files this process holds, as open file descriptors.
_held: set[int] = set()
_parent_pid = os.getpid()
_PR_SET_PDEATHSIG = 1
_prctl: Any = None


@contextlib.contextmanager
def write_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the archive's write lock for the ``with`` block.

    Waits up to ``wait`` seconds for another writer, then raises :class:`ArchiveLocked`
    naming the PID that holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    owner = os.getpid()
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
        _held.add(fd)
        _load_prctl()
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            _held.discard(fd)
            if os.getpid() == owner:  # a forked child unwinding must not unlock its parent
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        if os.getpid() == owner:
            os.close(fd)


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def _load_prctl() -> None:
    """Find Linux's ``prctl`` now, in the writer: a child should not have to load a library."""
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        import ctypes  # only writers need it: readers never fork while holding the lock

        try:
            _prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            _prctl = False


def _before_fork() -> None:
    global _parent_pid
    _parent_pid = os.getpid()


def _after_fork_in_child() -> None:
    """Let go of the parent's write lock and tie this child's life to the writer's."""
    if not _held:
        return
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing our copy does not unlock the parent's
    _held.clear()
    if not _prctl:
        return
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != _parent_pid:  # the writer died before the request took effect
        os._exit(1)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
