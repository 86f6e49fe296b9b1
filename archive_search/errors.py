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
    """Another process is writing to the archive."""

    exit_code = 3


class NotFound(ArchiveError):
    """An article id that is not in the archive."""

    exit_code = 1
