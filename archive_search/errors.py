"""Errors a user can cause and fix. Each carries the one line shown to them."""

from __future__ import annotations


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


class Unreadable(ArchiveError):
    """An article file that exists but cannot be read or parsed (edited by hand, damaged)."""

    exit_code = 1
