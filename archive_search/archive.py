"""The archive as a whole: the Python API that every CLI command is a thin layer over.

>>> arc = Archive.init("news")                       # doctest: +SKIP
>>> arc.import_paths(["downloads/articles"])         # doctest: +SKIP
>>> [h.title for h in arc.search("Kim Jong-un").hits]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import config, semantic
from .article import Article, is_safe_id, version_number
from .errors import ArchiveError, ArchiveLocked, NotFound, Unreadable, storage_error
from .index import Index
from .lock import write_lock
from .store import Corpus

if TYPE_CHECKING:
    from .importing import ImportReport
    from .manifest import SyncReport
    from .names.catalog import Cluster, NameCatalog, NameEntry, NameMatch
    from .options import ImportRequest, RelatedOptions, SearchOptions
    from .related import RelatedResult
    from .search import SearchResult
    from .stats import ArchiveStats

Progress = Callable[[int], None]

#: A search brings the index up to date itself when at most this many files were added,
#: changed or deleted (about a second's work, which a writer starting meanwhile waits for);
#: beyond, it answers from the index as it is and says how far behind that is.
CATCH_UP = 200
#: With no index at all and a writer running, how long a search waits for that writer to
#: publish the first one before saying so.
FIRST_INDEX_WAIT = 5.0
_READ_ONLY_ERRORS = (errno.EROFS, errno.EACCES, errno.EPERM)


class Archive:
    """An archive folder: ``archive.yaml``, ``corpus/`` (source of truth), ``index/`` (derived)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        #: ``archive.yaml`` read and checked; ``settings_warnings`` names keys it ignored
        self.settings, self.settings_warnings = config.load_settings(self.root)
        self.corpus = Corpus(self.root / "corpus")
        self.index = Index(self.root / "index", self.corpus, self.settings)
        #: the folder stamps of ``corpus/`` when a reader last found the index behind and
        #: could not catch up (see :meth:`ensure_index`)
        self._left_behind: dict[str, int] | None = None

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
            settings_file.write_text(config.template(label), encoding="utf-8")
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
        options: ImportRequest | None = None,
        *,
        progress: Progress | None = None,
        **changes: Any,
    ) -> ImportReport:
        """Import files, folders, ``.gz``/``.zip`` files or ``-`` (stdin) into the archive.

        The options are an :class:`~archive_search.options.ImportRequest`, or its fields as
        keywords (``arc.import_paths(["export.csv"], mapping={"date": "published_at"})``), or
        both. What is read is bounded by the ``import`` settings (see
        :class:`~.importers.Limits`).
        """
        from .importers import ImportOptions, Limits, expand_inputs, remove_stale_spools
        from .importing import run_import
        from .options import ImportRequest

        request = ImportRequest.of(options, **changes)
        limits = Limits.from_settings(self.settings.import_)
        reading = ImportOptions(mapping=dict(request.mapping), limits=limits)
        names = [str(p) for p in paths]
        bulk = _total_bytes(names) > 1024 * 1024
        inputs = expand_inputs(names, include=request.include, exclude=request.exclude,
                               limits=limits, follow_links=request.follow_links,
                               spool_dir=self.index.root)
        with self.writing(request.wait):
            self.corpus.clean_temporaries()
            remove_stale_spools(self.index.root)
            # the duplicate check needs every file the index does not know yet; files edited
            # in place do not matter to it, so the cheap folder check decides
            if (request.index or request.dry_run) and self.index.is_stale():
                self.index.sync()
            elif request.index and (gen := self.index.current_dir()) is not None:
                # the semantic extra's vectors, which a killed writer may have left behind
                semantic.catch_up(gen, lambda: self.index.load_manifest(gen), self.corpus,
                                  self.settings)
            return run_import(
                self, inputs, fmt=request.format, options=reading, index=request.index,
                dry_run=request.dry_run, progress=progress, bulk_hint=bulk,
                on_conflict=request.on_conflict,
            )

    def update_index(
        self, rebuild: bool = False, wait: float = 0.0, progress: Progress | None = None
    ) -> SyncReport:
        """Reconcile the index with ``corpus/`` (or rebuild it from scratch)."""
        with self.writing(wait):
            if rebuild:
                self.corpus.clean_temporaries()
                return self.index.rebuild(progress)
            return self.index.sync(progress, clean=True)

    def ensure_index(
        self, progress: Progress | None = None, announce: Callable[[str], None] | None = None
    ) -> SyncReport | None:
        """Make the index answer for ``corpus/`` as far as a reader can without making anyone
        wait, and without failing.

        Returns None when the index was current, else what was done: a catch-up, or (with
        ``pending`` and a one-line ``note``) how far behind the index stays and why. A reader
        catches up itself only when the lock is free at that moment and at most CATCH_UP
        files changed (about a second of work; a writer that starts meanwhile waits for it);
        otherwise it answers from the last committed index: while a writer runs (which
        brings the index up to date itself), on a read-only archive, or after a large change
        (`arch index`). With no index at all it is built first, in the user's cache folder
        when the archive is read-only; ``announce`` hears one line just before such a build.
        """
        self.locate_index()
        if self.index.exists() and not self.index.is_stale():
            return None
        stamps = self.corpus.folder_stamps()
        if self._left_behind == stamps:  # said so already (a batch of searches, or the CLI
            return None                   # before the search): counting again costs time
        try:
            with write_lock(self.index.root / "write.lock", reader=True):
                return self._catch_up(progress, stamps, announce)
        except ArchiveLocked as exc:
            # cheap (nothing is counted), and not remembered: once the writer is gone, the
            # next search may catch up with what it left
            what = "another search" if exc.by_reader else "a writer"
            return self._behind(f"PID {exc.holder} ({what}) is updating the index", exc)
        except OSError as exc:
            if exc.errno not in _READ_ONLY_ERRORS or self.index.root != self.root / "index":
                raise
            if not self.index.exists():
                self._use_cache_index()
                return self.ensure_index(progress, announce)
            self._left_behind = stamps
            return self._behind("the archive is read-only", None)

    def _catch_up(
        self, progress: Progress | None, stamps: dict[str, int],
        announce: Callable[[str], None] | None,
    ) -> SyncReport | None:
        """Under the lock: build a missing index, or sync a small change."""
        if not self.index.exists():
            if announce is not None:
                elsewhere = self.index.root != self.root / "index"
                announce(f"building the index in {self.index.root} (first use; the archive is "
                         "read-only)…" if elsewhere else "building the index (first use)…")
            return self.index.rebuild(progress)
        if not self.index.is_stale():
            return None
        changed, gone = self.index.pending()
        if len(changed) + len(gone) > CATCH_UP:
            self._left_behind = stamps
            return self._behind(
                "more files changed than a search brings in itself; `arch index` does it",
                None, (changed, gone))
        return self.index.sync(progress, clean=True)

    def _behind(
        self, why: str, locked: ArchiveLocked | None,
        found: tuple[list[str], list[str]] | None = None,
    ) -> SyncReport:
        """Answer from the index as it is, counting what it does not reflect yet. With no
        index at all, wait a moment for the writer (``locked``) building it, then say so in
        one line."""
        from .manifest import SyncReport

        if locked is not None:
            deadline = time.monotonic() + FIRST_INDEX_WAIT
            while not self.index.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not self.index.exists():
                raise ArchiveLocked(
                    f"there is no index yet and PID {locked.holder} is building it; "
                    "search again when it has finished", holder=locked.holder,
                )
            # the writer brings the index up to date itself: counting what it has not
            # committed yet would only cost time
            return SyncReport(note=f"{why}; results reflect what it has committed so far")
        changed, gone = found if found is not None else self.index.pending()
        count = len(changed) + len(gone)
        if not count:
            return SyncReport()
        return SyncReport(
            pending=count,
            note=(f"the index does not reflect {count} file{'s' * (count != 1)} added, "
                  f"changed or deleted in corpus/ ({why})"),
        )

    def locate_index(self) -> None:
        """Use an index in the user's cache folder when the archive has none that can be used
        and cannot be given one (it is read-only: a DVD, another user's folder)."""
        if (self.index.root == self.root / "index" and not self.index.exists()
                and _read_only(self.index.root)):
            self._use_cache_index()

    def _use_cache_index(self) -> None:
        """Keep the index of a read-only archive in the user's cache folder instead."""
        import hashlib  # loads OpenSSL: not at the start of every command

        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        key = hashlib.sha256(str(self.root).encode("utf-8")).hexdigest()[:20]
        root = Path(base) / "archive-search" / key
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / "archive").write_text(f"{self.root}\n", encoding="utf-8")
        except OSError as exc:
            raise ArchiveError(
                f"there is no index yet, the archive is read-only, and the cache folder {root} "
                f"cannot be written either ({exc.strerror or exc})"
            ) from None
        self.index = Index(root, self.corpus, self.settings)

    # -- reading -----------------------------------------------------------------------------

    def search(
        self, query: str, options: SearchOptions | None = None, **changes: Any
    ) -> SearchResult:
        """Ranked search; see :mod:`archive_search.query` for the query language. The options
        are a :class:`~archive_search.options.SearchOptions`, or its fields as keywords
        (``arc.search("Kim Jong-un", sort="newest", limit=20)``), or both (the keywords
        change the object)."""
        from .options import SearchOptions
        from .search import run_search

        opted = SearchOptions.of(options, **changes)
        self.ensure_index()
        result = _reading(self, lambda: run_search(self, query, opted))
        # an index that is behind (a writer running, a read-only archive) may still hold
        # articles whose files were deleted: never point at a file that is not there
        present = [h for h in result.hits if os.path.isfile(self.root / h.path)]
        if len(present) < len(result.hits):
            kept = {id(h) for h in present}
            result.gone = [h.path for h in result.hits if id(h) not in kept]
            result.hits = present
            if result.total is not None:
                result.total -= len(result.gone)
        return result

    def names_matching(self, query: str, limit: int | None = 10) -> list[NameMatch]:
        """The names matching ``query``, however spelt, best first, each with its score (the
        first ``limit``; None for all)."""
        catalog = self._name_catalog()
        return [] if catalog is None else catalog.lookup(query, limit=limit)

    def name_catalogue(self, limit: int | None = 50) -> list[NameEntry]:
        """Every name in the archive, most frequent first (the first ``limit``; None for all)."""
        catalog = self._name_catalog()
        return [] if catalog is None else catalog.catalogue(limit)

    def name_clusters(self, limit: int | None = None) -> list[Cluster]:
        """The groups of spellings believed to be one name, for review: those merged, then
        those only alike (the first ``limit``; None for all)."""
        catalog = self._name_catalog()
        found = [] if catalog is None else catalog.clusters()
        return found[:limit] if limit else found

    def _name_catalog(self) -> NameCatalog | None:
        """The name catalogue of the index brought up to date first (see
        :meth:`Index.name_catalog`), None when there is no index to build it from."""
        self.ensure_index()
        return self.index.name_catalog()

    def related(
        self,
        article_id: str | None = None,
        *,
        text: str | None = None,
        title: str | None = None,
        options: RelatedOptions | None = None,
        **changes: Any,
    ) -> RelatedResult:
        """Articles related to an archived article or to a text; see
        :func:`archive_search.related.related`. The options are a
        :class:`~archive_search.options.RelatedOptions`, or its fields as keywords, or both."""
        from .options import RelatedOptions
        from .related import related

        opted = RelatedOptions.of(options, **changes)
        return _reading(
            self, lambda: related(self, article_id, text=text, title=title, options=opted)
        )

    def get(self, article_id: str, version: int | None = None) -> tuple[Article, str]:
        """The article with this id and its path relative to the archive: the current
        version, or the earlier ``version`` (a number from :meth:`versions`)."""
        if not is_safe_id(article_id):
            raise NotFound(f"no article with id {article_id!r}")
        self.ensure_index()
        indexed = rel = self.index.load_manifest().ids().get(article_id)
        if rel is None or not (self.corpus.root / rel).is_file():
            # added, moved or deleted by hand since the index was updated: the file decides
            rel = self.corpus.find(article_id)
        if version is not None and (rel is None or version != self._current_number(rel)):
            numbers = self.corpus.version_numbers(article_id)
            kept = numbers.get(version)
            if kept is None and rel is None and not numbers:
                raise NotFound(f"no article with id {article_id!r} (try: arch search 'id:…')")
            if kept is None:
                raise NotFound(
                    f"article {article_id!r} has no version {version} "
                    f"(see: arch show {article_id} --versions)"
                )
            return self.corpus.read(kept), f"corpus/{kept}"
        if rel is None and indexed is not None:
            raise NotFound(f"no article with id {article_id!r}: its file corpus/{indexed} is "
                           "gone (deleted since the index was updated)")
        if rel is None:
            raise NotFound(f"no article with id {article_id!r} (try: arch search 'id:…')")
        try:
            return self.corpus.read(rel), f"corpus/{rel}"
        except FileNotFoundError:
            raise NotFound(f"no article with id {article_id!r}: its file corpus/{rel} was "
                           "deleted a moment ago") from None
        except OSError as exc:  # the disk or its permissions, not the file's text
            raise storage_error(exc) from None
        except ValueError as exc:  # UnicodeDecodeError too: the text itself is damaged
            raise Unreadable(f"article {article_id!r}: its file corpus/{rel} cannot be read "
                             f"({_reason(exc)}); `arch check` lists such files") from None

    def versions(self, article_id: str) -> list[ArticleVersion]:
        """Every version of an article, oldest first; the last is the current one (unless
        only old versions are left, which ``arch check`` reports). Empty for an unknown id."""
        if not is_safe_id(article_id):
            return []
        self.ensure_index()
        rel = self.index.load_manifest().ids().get(article_id)
        found = []
        current_number = self._current_number(rel) if rel else None
        for number, kept in self.corpus.version_numbers(article_id).items():
            if number != current_number:
                found.append(self._version(number, kept, current=False))
        if rel is not None and current_number is not None:
            found.append(self._version(current_number, rel, current=True))
        return found

    def _current_number(self, rel: str) -> int:
        """The version number of the current file (0 when it cannot be read: damaged or
        deleted by hand, which `show` and `check` report on their own)."""
        try:
            return version_number(self.corpus.read(rel))
        except (OSError, UnicodeDecodeError, ValueError):
            return 0

    def _version(self, number: int, rel: str, current: bool) -> ArticleVersion:
        try:
            article = self.corpus.read(rel)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return ArticleVersion(number, current, f"corpus/{rel}", None, f"(unreadable: {exc})",
                                  None, 0)
        return ArticleVersion(number, current, f"corpus/{rel}", article.imported_at,
                              article.title, article.date, len(article.body.split()))

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


@dataclass
class ArticleVersion:
    """One version of an article, as ``arch show ID --versions`` lists it."""

    version: int
    current: bool
    path: str
    imported_at: str | None
    title: str
    date: str | None
    words: int


_T = TypeVar("_T")


def _reading(archive: Archive, read: Callable[[], _T], attempts: int = 3) -> _T:
    """Run ``read`` (a search of the live index), again if a commit or a rebuild took its files
    away meanwhile.

    A commit that merges segments deletes the merged ones' files, and a rebuild deletes the
    generation before the one it replaces; Whoosh opens some files of a segment only when a
    search first needs them, so a search that read the table of contents just before can find
    a file gone: a FileNotFoundError, an "index does not exist" for a generation deleted
    before it was opened, or, for a column file, a ``TypeError`` from inside Whoosh (it checks
    the file exists and reads ``None`` when not). A missing file, or any error while the index
    changed under the read, runs the read again, which sees the new contents; any other error
    is raised as it is.
    """
    for _ in range(attempts - 1):
        before = _index_state(archive)
        try:
            return read()
        except FileNotFoundError:
            continue
        except ArchiveError:
            raise
        except Exception:
            if _index_state(archive) == before:
                raise
    return read()


def _index_state(archive: Archive) -> tuple[str, tuple[str, ...]]:
    """The live generation and its tables of contents: what a commit or a rebuild changes."""
    gen = archive.index.current_dir()
    if gen is None:
        return "", ()
    try:
        return gen.name, tuple(sorted(n for n in os.listdir(gen) if n.endswith(".toc")))
    except OSError:
        return gen.name, ()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text at byte {exc.start}"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _read_only(folder: Path) -> bool:
    """True when ``folder`` (or, missing, its parent) cannot be written: a read-only mount
    answers so even to root."""
    target = folder if folder.exists() else folder.parent
    return not os.access(target, os.W_OK)


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
