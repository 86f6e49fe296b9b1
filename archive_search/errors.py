"""Errors a user can cause and fix. Each carries the one line shown to them."""

from __future__ import annotations

import errno


class ArchiveError(Exception):
    """Base class: something about the archive or the request is wrong (exit status 2)."""

    exit_code = 2


class ArchiveNotFound(ArchiveError):
    """No archive at or above the given place."""


class QueryError(ArchiveError):
    """The search query cannot be run as written."""


class ArchiveLocked(ArchiveError):
    """Another process is writing to the archive (``holder``: its PID, as the lock file says;
    ``by_reader``: it is a search bringing the index up to date)."""

    exit_code = 3

    def __init__(self, message: str, holder: str = "unknown", by_reader: bool = False) -> None:
        super().__init__(message)
        self.holder = holder
        self.by_reader = by_reader


class ReadOnlyArchive(ArchiveError):
    """A write to an archive that cannot be written (a read-only mount, another user's)."""


class NotFound(ArchiveError):
    """An article id that is not in the archive."""

    exit_code = 1


class StorageError(ArchiveError):
    """A file of the archive (or one it was asked to write) could not be written or read: the
    disk is full, the folder is read-only, the device failed. Not an input problem, so an
    import stops at once instead of counting it against every remaining input (exit status
    74, EX_IOERR in sysexits.h)."""

    exit_code = 74


#: errno values that mean no room is left, which a person fixes by freeing space.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}


def storage_error(exc: OSError, path: object = None, verb: str = "write") -> StorageError:
    """The one-line :class:`StorageError` for ``exc``: ``cannot VERB PATH: reason``, where
    ``path`` is needed because an OSError from a write names no file, and one from inside
    Whoosh none of ours; without ``path``, the file the OSError names, if any."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    full = "disk full: " if exc.errno in _NO_ROOM else ""
    if path is not None:
        return StorageError(f"{full}cannot {verb} {path}: {reason}")
    if exc.filename is None:
        return StorageError(f"{full}{reason}")
    where = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
    return StorageError(f"{full}{where}: {reason}")


class Unreadable(ArchiveError):
    """An article file that exists but cannot be read or parsed (edited by hand, damaged)."""

    exit_code = 1
