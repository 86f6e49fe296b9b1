"""The search engine behind the archive: what the rest of the package may ask of it.

``fields.py`` is the one table of fields, languages and analysers; ``stored.py`` turns an
article into an index document and a stored document back into a typed record. :class:`Engine`
and :class:`EngineSession` are the engine's life cycle as the archive uses it (build, bring up
to date, add while importing, compact, open for reading); :class:`archive_search.index.Index`
is their one implementation, over Whoosh. ``docs/engines.md`` maps the same surface, and the
query side that is still Whoosh's today, onto OpenSearch.

Whoosh is imported only by the modules in :data:`WHOOSH_MODULES` (``tests/test_engine.py``
keeps it so): the implementation (``index.py``, ``mapped.py``, ``mpwriter.py``) and the query
side, which works on a Whoosh searcher from :meth:`Engine.open` (parsing and wildcard
expansion, the DFR weighting and feedback, highlighting, the term statistics of related
articles).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..article import Article
    from ..manifest import Manifest, SyncReport
    from ..names import NameCatalog

#: The modules that may import Whoosh, relative to the package.
WHOOSH_MODULES = frozenset({
    # the implementation
    "index.py", "mapped.py", "mpwriter.py",
    # the query side, on the searcher Engine.open gives
    "query.py", "ranking.py", "search.py", "snippets.py", "related.py",
    "relatedness/boilerplate.py", "relatedness/candidates.py", "relatedness/terms.py",
})


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
        """The live index for reading: its searcher is what the query side works on."""
