"""What a caller may ask of a search, of related articles or of an import: one frozen dataclass
per operation.

Each option and its default is defined here once. :meth:`Archive.search
<archive_search.archive.Archive.search>`, :func:`~archive_search.search.run_search`, ``--batch``
and the ``arch`` command all take the same object, so an option added here reaches every one of
them; the keyword style (``arc.search("Kim Jong-un", sort="newest", limit=20)``) builds one
through :meth:`SearchOptions.of`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

_O = TypeVar("_O", bound="_Options")


class _Options:
    """What every options object can do: be built from another one plus keyword changes."""

    @classmethod
    def of(cls: type[_O], options: _O | None = None, **changes: Any) -> _O:
        """``options`` (the defaults when None) with ``changes`` applied: how a function that
        takes both an options object and keywords reads them. An unknown keyword is a
        TypeError, as it was when the options were keyword arguments."""
        base = cls() if options is None else options
        return dataclasses.replace(base, **changes) if changes else base


@dataclass(frozen=True)
class SearchOptions(_Options):
    """How to run one query (see :func:`archive_search.search.run_search`).

    ``since``/``until`` (inclusive) narrow the dates further than the query's ``date:``
    clauses. ``limit`` None means the archive's ``search.limit`` setting, 0 every match.
    ``snippets`` reads the article files for highlighted passages (the slow part of a
    search; off when no snippet is shown). ``explain`` fills each hit's score parts;
    ``recent`` moves newer articles up among the relevant ones; ``suggest`` looks for a
    better-spelled query when few articles match; ``exact`` searches a name only as typed.
    ``count=False`` leaves ``total`` at None when the page is full: counting costs a second
    pass over every match, which a script reading only the hits should not pay.
    """

    since: _dt.datetime | None = None
    until: _dt.datetime | None = None
    sort: str = "relevance"
    limit: int | None = None
    offset: int = 0
    snippets: bool = True
    explain: bool = False
    recent: bool = False
    suggest: bool = True
    exact: bool = False
    count: bool = True


@dataclass(frozen=True)
class RelatedOptions(_Options):
    """How to find articles related to one (see :func:`archive_search.related.related`).

    ``since``/``until`` (inclusive) restrict the suggestions, not the article asked about.
    ``exclude_duplicates`` leaves out copies of the same story instead of letting them fill
    the list. ``use_tags=False`` ignores tags, for archives whose tags are noisy.
    ``semantic=True`` blends closeness in meaning into the score, ``False`` does not; None
    leaves it to the ``related.semantic`` setting (:func:`archive_search.semantic.wanted`).
    """

    limit: int = 10
    since: _dt.datetime | None = None
    until: _dt.datetime | None = None
    exclude_duplicates: bool = False
    use_tags: bool = True
    semantic: bool | None = None


@dataclass(frozen=True)
class ImportRequest(_Options):
    """How to run one import (see :meth:`Archive.import_paths
    <archive_search.archive.Archive.import_paths>`); not to be confused with
    :class:`~archive_search.importers.ImportOptions`, what each importer reads by.

    ``format`` names the input format instead of detecting it; ``mapping`` reads our field
    from the input's key (``{"date": "published_at"}``); ``include``/``exclude`` are globs
    for the files of folders. ``index=False`` writes the articles and leaves indexing for
    later; ``dry_run`` says what would be imported and changes nothing; ``wait`` is how long
    to wait for another writer. ``on_conflict`` decides a text whose id an article with other
    text already has: a new version of it when it is the same story revised, else a separate
    article (``"auto"``); always the one (``"version"``, ``"separate"``); or not imported
    (``"keep-first"``). ``follow_links`` also reads symbolic links that lead out of a folder.
    """

    format: str | None = None
    mapping: Mapping[str, str] = dataclasses.field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    index: bool = True
    dry_run: bool = False
    wait: float = 0.0
    on_conflict: str = "auto"
    follow_links: bool = False


@dataclass(frozen=True)
class ExportOptions(_Options):
    """What to export and how (see :func:`archive_search.export.export_articles`).

    Without a ``query`` every article of the archive is exported, with no limit; ``since`` and
    ``until`` (inclusive) narrow either. ``sort`` None means by relevance with a query and
    oldest first without. ``format`` is a row format of :data:`archive_search.output.FORMATS`
    (then ``fields`` are its columns, ``("all",)`` every field), ``sqlite`` or ``opensearch``
    (always every field). ``excel`` writes CSV or TSV as Excel reads UTF-8: a byte-order
    mark and CRLF line ends. ``chunk_mb`` caps each bulk file of an OpenSearch export.
    """

    query: str | None = None
    since: _dt.datetime | None = None
    until: _dt.datetime | None = None
    sort: str | None = None
    format: str = "jsonl"
    fields: tuple[str, ...] = ("id", "date", "title", "source", "tags", "url")
    excel: bool = False
    chunk_mb: float = 10.0
