"""archive-search: a searchable full-text archive of news articles.

The library is the product; the ``arch`` command is a thin layer over it::

    from archive_search import Archive
    arc = Archive.init("news")
    arc.import_paths(["downloads/"])
    for hit in arc.search("Kim Jong-un").hits:
        print(hit.date, hit.title)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .archive import Archive  # noqa: E402
from .article import Article  # noqa: E402
from .errors import ArchiveError, ArchiveLocked, ArchiveNotFound, NotFound, QueryError  # noqa: E402

#: Public names loaded on first use: a search process never needs the manifest or stats
#: modules, and the search module brings Whoosh's query machinery with it.
_LAZY = {"Hit": "search", "SearchResult": "search", "SyncReport": "manifest",
         "ArchiveStats": "stats", "SearchOptions": "options", "RelatedOptions": "options",
         "ImportRequest": "options"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'archive_search' has no attribute {name!r}")


__all__ = [
    "Archive",
    "ArchiveError",
    "ArchiveLocked",
    "ArchiveNotFound",
    "ArchiveStats",
    "Article",
    "Hit",
    "ImportRequest",
    "NotFound",
    "QueryError",
    "RelatedOptions",
    "SearchOptions",
    "SearchResult",
    "SyncReport",
    "__version__",
]
