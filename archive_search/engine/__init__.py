"""The search engine behind the archive: what the rest of the package may ask of it.

``fields.py`` is the one table of fields, languages and analysers; ``stored.py`` turns an
article into an index document and a stored document back into a typed record. :class:`Engine`
and :class:`EngineSession` are the engine's life cycle as the archive uses it (build, bring up
to date, add while importing, compact, open for reading); :class:`archive_search.index.Index`
is their one implementation, over Whoosh. ``docs/engines.md`` maps the same surface, and the
query side that is still Whoosh's today, onto OpenSearch.

Whoosh is imported only by the modules in :data:`WHOOSH_MODULES` (``tests/test_engine.py``
keeps it so): the implementation (``index.py``, ``mapped.py``, ``mpwriter.py``,
``engine/whoosh_searcher.py``) and the query side of search, which works on a Whoosh searcher
from :meth:`Engine.open` (parsing and wildcard expansion, the DFR weighting and feedback,
highlighting). Related articles and ``arch stats`` read the index through :class:`Searcher`
(from :meth:`Engine.searcher`) and import no Whoosh.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from types import TracebackType

    from ..article import Article
    from ..manifest import Manifest, SyncReport
    from ..names import NameCatalog
    from .stored import StoredArticle

#: The modules that may import Whoosh, relative to the package.
WHOOSH_MODULES = frozenset({
    # the implementation
    "index.py", "mapped.py", "mpwriter.py", "engine/whoosh_searcher.py",
    # the query side, on the searcher Engine.open gives
    "query.py", "ranking.py", "search.py", "snippets.py",
})

#: A named analyser of the index (:meth:`Searcher.analyzer`): called with a text, it gives
#: the text's tokens in order, each with ``text`` (the term), ``startchar``/``endchar``
#: (with ``chars=True``) and ``stopped`` (with ``removestops=False``, which keeps stop words
#: as tokens marked stopped rather than dropping them).
Analyzer = Callable[..., Iterable[Any]]


class Searcher(Protocol):
    """One consistent view of the index for reading: the term statistics, postings and stored
    fields that related articles and ``arch stats`` work on. Documents are named by their
    document number, valid only within the view; closing it (``with``) frees its files."""

    def __enter__(self) -> Searcher: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def doc_count(self) -> int:
        """How many (live) documents the index holds."""

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """How many documents hold ``term`` in ``fieldname`` (0 for an unknown term)."""

    def postings(self, fieldname: str, term: str) -> list[int]:
        """The document numbers holding ``term`` in ``fieldname``, ascending; empty for an
        unknown term. Deleted documents may be among them (:meth:`is_deleted`)."""

    def docs_with_all(self, fieldname: str, terms: Iterable[str]) -> set[int]:
        """The live documents holding every one of ``terms`` in ``fieldname``."""

    def is_deleted(self, docnum: int) -> bool:
        """Whether the document was deleted (or replaced) and awaits compaction."""

    def document_number(self, article_id: str) -> int | None:
        """The live document of the article ``article_id``, or None."""

    def stored(self, docnum: int) -> StoredArticle:
        """The stored fields of a document."""

    def all_stored(self) -> Iterator[StoredArticle]:
        """The stored fields of every live document."""

    def field_length(self, docnum: int, fieldname: str) -> int:
        """How many terms the document holds in ``fieldname`` (0 for none)."""

    def dates_within(
        self, since: _dt.datetime | None, until: _dt.datetime | None
    ) -> Callable[[int], bool]:
        """A test of whether a document's date is in ``[since, until]`` (either end open);
        an undated document is never within."""

    def analyzer(self, fieldname: str) -> Analyzer:
        """The analyser the index uses for ``fieldname``."""

    def word_pattern(self, fieldname: str) -> re.Pattern[str] | None:
        """The regular expression that finds the words of a text when ``fieldname``'s
        analyser only changes or drops single words after finding them, so each distinct
        word may be analysed once; None when it does more."""


class EngineSession(Protocol):
    """A writer for articles just written to ``corpus/`` (import); the manifest is written
    only after the commit, so a kill in between leaves files the next sync indexes again."""

    def add(self, relpath: str, article: Article, fingerprint: str | None = None) -> None:
        """Index a new article, just written to ``relpath``."""

    def replace(self, relpath: str, article: Article, fingerprint: str | None = None) -> None:
        """Index ``article`` in place of the version at ``relpath``."""

    def commit(self) -> None:
        """Make what was added searchable, then record it in the manifest."""

    def cancel(self) -> None:
        """Drop what was added since the session began."""


class Engine(Protocol):
    """The index of an archive: derived from ``corpus/``, rebuilt from it at any time."""

    #: the index folder (the write lock and import spools live there too)
    root: Path

    def exists(self) -> bool:
        """Whether a complete index of this schema version is there."""

    def is_stale(self) -> bool:
        """A cheap check (folder stamps only) whether files were added, removed or renamed."""

    def pending(self) -> tuple[list[str], list[str]]:
        """The corpus files added or changed, and those deleted, since the last update."""

    def sync(self, progress: Callable[[int], None] | None = None) -> SyncReport:
        """Bring the index in line with ``corpus/`` at a cost proportional to the change."""

    def rebuild(self, progress: Callable[[int], None] | None = None) -> SyncReport:
        """Index the whole corpus anew, replacing the live index only when complete."""

    def session(self, bulk: bool = False) -> EngineSession:
        """A writer for an import (the caller holds the write lock and has synced)."""

    def load_manifest(self, gen: Path | None = None) -> Manifest:
        """What the index reflects: corpus files by path, mtime and size, ids and names."""

    def replaced_documents(self) -> tuple[int, int]:
        """``(replaced, stored)``: documents still taking room after being replaced, and all."""

    def compact(self) -> None:
        """Reclaim the room of replaced and deleted documents."""

    def name_catalog(self) -> NameCatalog | None:
        """The archive's name catalogue, built from the manifest when stale."""

    def name_catalogs(self) -> list[NameCatalog]:
        """The catalogues a search looks names up in."""

    def open(self) -> Any:
        """The live index for reading: its Whoosh searcher is what the query side of search
        (``query.py``, ``ranking.py``, ``search.py``, ``snippets.py``) works on."""

    def searcher(self) -> Searcher:
        """A :class:`Searcher` on the live index, to be used in a ``with`` block."""
