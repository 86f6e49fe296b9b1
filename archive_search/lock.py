"""One writer at a time: an exclusive lock file holding the writer's PID.

``fcntl.flock`` is released by the kernel when the holder dies, even by SIGKILL, so a lock left
by a killed process never blocks anyone: the PID in the file only serves the error message.
Searches read without it (Whoosh segments and our atomic renames keep what they see whole);
one takes it only to bring the index up to date after a small change, and only when it is free at
once. Such a reader marks the file (``PID reader``), and a writer that finds the lock held by a
reader waits for it (up to READER_WAIT seconds) even when told not to wait: a search must never
make an import or a check fail.

A forked child shares its parent's lock (flock belongs to the open file, not the process), so
helper processes that outlive a killed writer would keep the archive locked: Whoosh's
multi-process indexer forks workers that, orphaned, wait forever, holding our lock and Whoosh's
own. Children forked while the lock is held therefore close their copy of it at once and, on
Linux, are killed by the kernel when the writer dies.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ArchiveLocked, ReadOnlyArchive

#: Lock files this process holds, as open file descriptors.
_held: set[int] = set()
_parent_pid = os.getpid()
_PR_SET_PDEATHSIG = 1
_prctl: Any = None
#: How long a writer waits for a reader holding the lock, whatever its own ``wait``: a reader
#: holds it only for a catch-up of a few hundred files (about a second), so this bound is
#: only reached when something is badly wrong.
READER_WAIT = 30.0
#: How long a writer waits when the writer named in the lock file is gone: the children it
#: forked just before it was killed hold the lock until they run, a few milliseconds later
#: (and, without ``prctl``, until they finish what they were given).
DEAD_WRITER_WAIT = 2.0
READER_MARK = "reader"


@contextlib.contextmanager
def write_lock(path: Path, wait: float = 0.0, reader: bool = False) -> Iterator[None]:
    """Hold the archive's write lock for the ``with`` block.

    Waits up to ``wait`` seconds for another writer, then raises :class:`ArchiveLocked`
    naming the PID that holds it; a reader holding it is waited for up to READER_WAIT
    seconds in any case. ``reader``: the holder is a search catching up, which never waits
    and which writers wait for. A read-only archive raises :class:`ReadOnlyArchive` for a
    writer and the OSError itself for a reader.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if reader or exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        raise ReadOnlyArchive(
            f"cannot write to this archive: {path.parent} is read-only ({exc.strerror}); "
            "searching it works"
        ) from None
    owner = os.getpid()
    try:
        started = time.monotonic()
        deadline = started + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder, kind = _holder(path)
                now = time.monotonic()
                # an empty file is a holder between taking the lock and writing its PID, and a
                # writer that is gone (killed) leaves it only to children it forked a moment
                # before, which let go as soon as they run: each worth another look for a moment
                grace = {"reader": READER_WAIT, "none": 1.0}.get(kind, 0.0)
                if kind == "writer" and _gone(holder):
                    grace = DEAD_WRITER_WAIT
                if reader or (now >= deadline and now >= started + grace):
                    what = ("a search bringing the index up to date" if kind == "reader"
                            else "another import or index is running")
                    raise ArchiveLocked(
                        f"archive locked by PID {holder} ({what}); "
                        "retry later or pass --wait SECONDS",
                        holder=holder, by_reader=kind == "reader",
                    ) from None
                time.sleep(0.05 if kind != "writer" else 0.1)
        _held.add(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}{' ' + READER_MARK if reader else ''}\n".encode())
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


def _gone(pid: str) -> bool:
    """Whether no process has the PID ``pid`` (a writer that died holding the lock)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, OSError):  # not a number, or another user's process
        return False
    return False


def _holder(path: Path) -> tuple[str, str]:
    """The PID written in the lock file, and what holds it: ``writer``, ``reader`` or
    ``none`` (nothing written yet)."""
    try:
        text = path.read_text().split()
    except OSError:
        return "unknown", "writer"
    if not text:
        return "unknown", "none"
    return text[0], "reader" if READER_MARK in text[1:] else "writer"


def _load_prctl() -> None:
    """Find Linux's ``prctl`` in the writer, just before it forks: a child should not have to
    load a library, and a writer that never forks (`arch index` with nothing changed) is
    spared loading ctypes."""
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
    if _held:
        _load_prctl()


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
