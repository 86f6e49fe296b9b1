"""The search engine behind the archive: what the rest of the package may ask of it.

``fields.py`` is the one table of fields, languages and analysers; ``stored.py`` turns an
article into an index document and a stored document back into a typed record. :class:`Engine`
and :class:`EngineSession` are the engine's life cycle as the archive uses it (build, bring up
to date, add while importing, compact, open for reading); :class:`Searcher` is one consistent
view for reading: term statistics, postings, stored fields, and :meth:`Searcher.rank`, which
runs a query read by :mod:`archive_search.query` and gives a :class:`Ranking` (its hits, their
count, highlighted passages, the parts of each score). Search, related articles and ``arch
stats`` work through these and import no Whoosh. ``docs/engines.md`` maps the same surface onto
OpenSearch.

Whoosh is imported only by the modules in :data:`WHOOSH_MODULES` (``tests/test_engine.py``
keeps it so), the one implementation today: :class:`archive_search.index.Index` (with
``mapped.py`` and ``mpwriter.py``) and ``engine/whoosh_*.py`` (the searcher, the query
compiler with its bounds, the DFR weighting and feedback, the highlighter, the postings reader).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from types import TracebackType

    from ..article import Article
    from ..config import SearchSettings, Settings
    from ..manifest import Manifest, SyncReport
    from ..names import NameCatalog
    from ..query import QueryReading
    from .stored import StoredArticle

#: The modules that may import Whoosh, relative to the package.
WHOOSH_MODULES = frozenset({
    # the index: life cycle, storage, parallel writing
    "index.py", "mapped.py", "mpwriter.py",
    # reading and searching it
    "engine/whoosh_searcher.py", "engine/whoosh_query.py", "engine/whoosh_ranking.py",
    "engine/whoosh_search.py", "engine/whoosh_highlight.py", "engine/whoosh_postings.py",
    "engine/whoosh_arrays.py",
})

#: A named analyser of the index (:meth:`Searcher.analyzer`): called with a text, it gives
#: the text's tokens in order, each with ``text`` (the term), ``startchar``/``endchar``
#: (with ``chars=True``) and ``stopped`` (with ``removestops=False``, which keeps stop words
#: as tokens marked stopped rather than dropping them).
Analyzer = Callable[..., Iterable[Any]]

#: Reads an article's body given the ``path`` stored in the index (feedback reads the best
#: matches with it).
BodyReader = Callable[[str], str]


@dataclass
class RankedHit:
    """One match of a :class:`Ranking`: its document, its score and its stored fields."""

    docnum: int
    score: float
    stored: StoredArticle


class Ranking(Protocol):
    """The matches of one query in one :class:`Searcher` (valid while it is open): the best
    ones asked for, in order, and what more can be asked about them."""

    #: the matches asked for, best first (or in date order)
    hits: list[RankedHit]
    #: the query as the engine ran it, for ``--explain``
    reading: str
    #: ``(field, term)`` of every index term the query holds
    terms: list[tuple[str, str]]
    #: what was left out to answer in time (the commonest words of a very long query)
    warnings: list[str]
    #: the articles with every word came first, then those with some of them
    #: (:attr:`~archive_search.query.QueryReading.some_words_after`)
    tiered: bool
    #: a count given so far (:meth:`count`, :meth:`count_all_words`) is an estimate
    estimated: bool

    def count(self, exact: bool = False) -> int:
        """How many articles match in all: exact up to a bound the engine sets, an estimate
        beyond it unless ``exact``."""

    def count_all_words(self, exact: bool = True) -> int | None:
        """How many of them have every word, when the ranking is :attr:`tiered` (None when
        not); with ``exact=False``, None also when knowing would take a counting pass."""

    def highlight(self, hit: RankedHit, fieldname: str, text: str, chars: int) -> str:
        """The best passages of ``text`` (analysed as ``fieldname``), about ``chars``
        characters each, with the matched words between ``output.HL_START`` and ``HL_END``;
        "" when no word can be marked."""

    def explain(self, docnums: list[int]) -> dict[int, list[tuple[str, float]]]:
        """For each document, the parts of its score: ``(part of the query, score)``."""


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

    def docs_with_all(
        self, fieldname: str, terms: Iterable[str], limit: int | None = None
    ) -> set[int]:
        """The live documents holding every one of ``terms`` in ``fieldname``; with ``limit``,
        only the first ``limit`` of them in document order (a caller that needs a few pays
        for a few)."""

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

    def terms_of(self, fieldname: str, text: str) -> list[str]:
        """The index terms a query word or text stands for in ``fieldname`` (stop words
        dropped, words stemmed as the field stems them)."""

    def lexicon(self, fieldname: str) -> list[str]:
        """Every term of ``fieldname``, in order."""

    def frequency(self, fieldname: str, term: str) -> int:
        """How many times ``term`` occurs in ``fieldname`` in all (0 for an unknown term)."""

    def rank(
        self,
        reading: QueryReading,
        settings: Settings,
        *,
        sort: str = "relevance",
        limit: int | None = None,
        read_body: BodyReader | None = None,
    ) -> Ranking:
        """Run a query: its best ``limit`` matches (every one with None) by relevance, or by
        date with ``sort`` ``newest`` or ``oldest``, within the reading's dates. The engine
        parses ``reading.clean`` in the query language, with the reading's word mode, phrase
        bonus and name spellings, weighs it with ``settings.search``, and, given
        ``read_body``, re-ranks by pseudo-relevance feedback (see :mod:`archive_search.ranking`).
        Raises :class:`~archive_search.errors.QueryError` for a query it cannot run."""


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

    def sync(self, progress: Callable[[int], None] | None = None,
             clean: bool = False) -> SyncReport:
        """Bring the index in line with ``corpus/`` at a cost proportional to the change;
        ``clean``: remove the temporary files of a killed writer from ``corpus/`` on the way
        (in the walk that compares it, not one of their own)."""

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

    def searcher(self, search: SearchSettings | None = None) -> Searcher:
        """A :class:`Searcher` on the live index, to be used in a ``with`` block; its
        :meth:`Searcher.rank` weighs matches as ``search`` says (the engine's default model
        without it)."""
