"""The archive as a whole: the Python API that every CLI command is a thin layer over.

>>> arc = Archive.init("news")                       # doctest: +SKIP
>>> arc.import_paths(["downloads/articles"])         # doctest: +SKIP
>>> [h.title for h in arc.search("Kim Jong-un").hits]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import config
from .article import Article, is_safe_id
from .errors import ArchiveError, ArchiveLocked, NotFound
from .index import Index
from .lock import write_lock
from .store import Corpus

if TYPE_CHECKING:
    from .importing import ImportReport
    from .manifest import SyncReport
    from .related import RelatedResult
    from .search import SearchResult
    from .stats import ArchiveStats

Progress = Callable[[int], None]


class Archive:
    """An archive folder: ``archive.yaml``, ``corpus/`` (source of truth), ``index/`` (derived)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.settings = config.load_settings(self.root)
        self.corpus = Corpus(self.root / "corpus")
        self.index = Index(self.root / "index", self.corpus, self.settings)

    # -- finding and creating ----------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Archive:
        """The archive at ``path``, else ``$ARCH_HOME``, else at or above the current folder."""
        return cls(config.find_root(path))

    @classmethod
    def init(cls, path: str | os.PathLike[str], name: str | None = None) -> Archive:
        """Create an empty archive (an existing one is left as it is and returned)."""
        root = Path(path).expanduser()
        settings_file = root / config.CONFIG_NAME
        if root.exists() and not root.is_dir():
            raise ArchiveError(f"{root} exists and is not a folder")
        if not settings_file.exists():
            root.mkdir(parents=True, exist_ok=True)
            label = name or root.resolve().name or "news archive"
            settings_file.write_text(config.TEMPLATE.format(name=label), encoding="utf-8")
        (root / "corpus").mkdir(exist_ok=True)
        (root / "index").mkdir(exist_ok=True)
        gitignore = root / "index" / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n!.gitignore\n", encoding="utf-8")
        return cls(root)

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the archive's write lock (one writer at a time; readers are never blocked)."""
        with write_lock(self.root / "index" / "write.lock", wait=wait):
            yield

    def import_paths(
        self,
        paths: list[str | os.PathLike[str]],
        *,
        format: str | None = None,  # noqa: A002 - mirrors the --format option
        mapping: dict[str, str] | None = None,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        index: bool = True,
        dry_run: bool = False,
        wait: float = 0.0,
        progress: Progress | None = None,
        follow_links: bool = False,
    ) -> ImportReport:
        """Import files, folders, ``.gz``/``.zip`` files or ``-`` (stdin) into the archive.

        What is read is bounded by the ``import`` settings (see :class:`~.importers.Limits`).
        Symbolic links in a folder that lead out of it are skipped unless ``follow_links``.
        """
        from .importers import ImportOptions, Limits, expand_inputs, remove_stale_spools
        from .importing import run_import

        limits = Limits.from_settings(self.settings["import"])
        options = ImportOptions(mapping=dict(mapping or {}), limits=limits)
        names = [str(p) for p in paths]
        bulk = _total_bytes(names) > 1024 * 1024
        inputs = expand_inputs(names, include=include, exclude=exclude, limits=limits,
                               follow_links=follow_links, spool_dir=self.index.root)
        with self.writing(wait):
            self.corpus.clean_temporaries()
            remove_stale_spools(self.index.root)
            # the duplicate check needs every file the index does not know yet; files edited
            # in place do not matter to it, so the cheap folder check decides
            if (index or dry_run) and self.index.is_stale():
                self.index.sync()
            return run_import(
                self, inputs, fmt=format, options=options, index=index, dry_run=dry_run,
                progress=progress, bulk_hint=bulk,
            )

    def update_index(
        self, rebuild: bool = False, wait: float = 0.0, progress: Progress | None = None
    ) -> SyncReport:
        """Reconcile the index with ``corpus/`` (or rebuild it from scratch)."""
        with self.writing(wait):
            self.corpus.clean_temporaries()
            return self.index.rebuild(progress) if rebuild else self.index.sync(progress)

    def ensure_index(self, progress: Progress | None = None) -> SyncReport | None:
        """Build the index on first use and catch up with added or removed files.

        Returns what was done, or None when the index was already current. When another
        process holds the write lock, an existing index is used as it is.
        """
        if not self.index.is_stale():
            return None
        try:
            with self.writing(wait=0.0 if self.index.exists() else 30.0):
                if not self.index.is_stale():
                    return None
                return self.index.sync(progress)
        except ArchiveLocked:
            if self.index.exists():
                return None
            raise

    # -- reading -----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
        sort: str = "relevance",
        limit: int | None = None,
        offset: int = 0,
        snippets: bool = True,
        explain: bool = False,
        recent: bool = False,
        suggest: bool = True,
        exact: bool = False,
        count: bool = True,
    ) -> SearchResult:
        """Ranked search; see :mod:`archive_search.query` for the query language and
        :func:`archive_search.search.run_search` for the options."""
        from .search import run_search

        self.ensure_index()
        return _reading(lambda: run_search(
            self, query, since=since, until=until, sort=sort, limit=limit, offset=offset,
            snippets=snippets, explain=explain, recent=recent, suggest=suggest, exact=exact,
            count=count,
        ))

    def names(
        self, query: str | None = None, *, limit: int | None = 20, clusters: bool = False
    ) -> list[Any]:
        """Names in the archive: those matching ``query`` best first (``NameMatch``), the
        whole catalogue most frequent first without one (``NameEntry``), or with ``clusters``
        the groups of spellings believed to be one name (``Cluster``), for review."""
        self.ensure_index()
        catalog = self.index.name_catalog()
        if catalog is None:
            return []
        if clusters:
            found = catalog.clusters()
            return found[:limit] if limit else found
        if query:
            return catalog.lookup(query, limit=limit or 10)
        return catalog.catalogue(limit)

    def related(
        self,
        article_id: str | None = None,
        *,
        text: str | None = None,
        title: str | None = None,
        limit: int = 10,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
        exclude_duplicates: bool = False,
    ) -> RelatedResult:
        """Articles related to an archived article or to a text; see
        :func:`archive_search.related.related`."""
        from .related import related

        return _reading(lambda: related(
            self, article_id, text=text, title=title, limit=limit, since=since, until=until,
            exclude_duplicates=exclude_duplicates,
        ))

    def get(self, article_id: str) -> tuple[Article, str]:
        """The article with this id and its path relative to the archive."""
        if not is_safe_id(article_id):
            raise NotFound(f"no article with id {article_id!r}")
        self.ensure_index()
        rel = self.index.load_manifest().ids().get(article_id)
        if rel is None:
            raise NotFound(f"no article with id {article_id!r} (try: arch search 'id:…')")
        return self.corpus.read(rel), f"corpus/{rel}"

    def articles(self) -> Iterator[tuple[str, Article]]:
        """Every readable article file, in path order, as ``(relpath, article)``."""
        for rel in self.corpus.scan():
            try:
                yield rel, self.corpus.read(rel)
            except (OSError, UnicodeDecodeError, ValueError):
                continue

    def stats(self, top: int = 10) -> ArchiveStats:
        """Counts, date range, top sources, tags and languages, and index freshness."""
        from .stats import archive_stats

        return archive_stats(self, top)


_T = TypeVar("_T")


def _reading(read: Callable[[], _T], attempts: int = 3) -> _T:
    """Run ``read`` (a search of the live index), again if a commit took its files away.

    A commit that merges segments deletes the merged ones' files, and Whoosh opens some files
    of a segment only when a search first needs them; a search that read the table of contents
    just before such a commit can find a file gone. Read again, it sees the new contents.
    """
    for _ in range(attempts - 1):
        try:
            return read()
        except FileNotFoundError:
            continue
    return read()


def _total_bytes(paths: list[str]) -> int:
    total = 0
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            for dirpath, _, files in os.walk(path):
                for name in files:
                    with contextlib.suppress(OSError):
                        total += os.path.getsize(os.path.join(dirpath, name))
                if total > 64 * 1024 * 1024:
                    return total
    return total
