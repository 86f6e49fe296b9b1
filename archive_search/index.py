"""The search index over Whoosh: the one implementation of :class:`archive_search.engine.Engine`.

Its fields come from the table in :mod:`archive_search.engine.fields`, its documents from
:mod:`archive_search.engine.stored`; the query side that reads it with Whoosh's searcher is
listed in :data:`archive_search.engine.WHOOSH_MODULES`.

The index is derived from ``corpus/`` and can always be rebuilt from it. It is kept in
generations: ``index/gen-N/`` holds the Whoosh files plus ``manifest.sqlite`` (what corpus files
it reflects, by path, mtime and size: :mod:`archive_search.manifest`), and ``index/CURRENT``
names the live generation. Incremental updates commit into the live generation (Whoosh swaps
its table of contents atomically); a rebuild fills a new generation and then replaces
``CURRENT`` in one rename, so an interrupted rebuild leaves the old index answering.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import semantic
from .article import Article
from .engine.fields import FIELDS, SCHEMA_VERSION, Field
from .engine.stored import article_document
from .errors import ArchiveLocked, storage_error
from .spill import SpillDict
from .store import Corpus, atomic_write_text, folder_of

if TYPE_CHECKING:
    from whoosh import analysis, fields
    from whoosh import index as whoosh_index

    from .config import SearchSettings, Settings
    from .engine.whoosh_searcher import WhooshSearcher
    from .manifest import Manifest, SyncReport
    from .names import NameCatalog

# Whoosh is imported where it is used, not here: commands that never open the index (names
# from the cached catalogue, the freshness check before a search) start that much sooner.

Progress = Callable[[int], None]

#: A word of the text fields: letters and digits joined by dots (``U.S``, ``4.5``), as Whoosh
#: reads them, or initials joined by ampersands (``S&P``, ``AT&T``, ``R&D``: names of the trade
#: whose parts alone are one letter or a stop word, and would leave nothing to find; longer
#: parts, ``Procter&Gamble``, stay words of their own). ``*`` is kept for wildcards in queries.
WORD_PATTERN = r"\b\w{1,3}(?:&\w{1,3})+\b|[\w*]+(?:\.?[\w*]+)*"


#: Initialisms written in capitals without their dots whose small-letter form is a stop word:
#: ``US`` is the ``U.S.`` of the text, not the pronoun 'us', and would otherwise be dropped.
#: The value is the dotted form as :data:`WORD_PATTERN` reads it (``U.S.`` -> ``u.s``), so both
#: spellings are one word in the index and in queries.
INITIALISMS = {"US": "u.s"}


def _initialism_lowercase() -> type:
    """The lower-casing filter of the text fields: every token lower-cased, except that an
    initialism of :data:`INITIALISMS` written in capitals becomes its dotted form. It changes
    single tokens only, as Whoosh's own filter does (the searcher's word pattern relies on it).

    Made on first use, as Whoosh is imported only where it is used; it is the module attribute
    ``InitialismLowercase`` (see :func:`__getattr__`), as an index stores its analysers pickled
    with its schema and must find the class by that name when it is opened."""
    cached = globals().get("InitialismLowercase")
    if cached is not None:
        return cached
    from whoosh import analysis

    class InitialismLowercase(analysis.LowercaseFilter):
        def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
            for token in tokens:
                token.text = INITIALISMS.get(token.text) or token.text.lower()
                yield token

    InitialismLowercase.__module__ = __name__
    InitialismLowercase.__qualname__ = "InitialismLowercase"
    globals()["InitialismLowercase"] = InitialismLowercase
    return InitialismLowercase


def __getattr__(name: str) -> Any:
    """Classes an index names, made on first use (Whoosh is imported only where it is used):
    ``InitialismLowercase``, the filter class an index's schema names (pickled with it), and
    ``PostingsCodec``, which Whoosh pickles by name into every segment's table of contents,
    and ``DayDates``, the date field's class (pickled with the schema). Each must be found here
    by its name when an index is opened."""
    if name == "InitialismLowercase":
        return _initialism_lowercase()
    if name == "PostingsCodec":
        return _codec_class()
    if name == "DayDates":
        return _day_dates_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _day_dates_class() -> type:
    """The date field: searchable by day, sorted and filtered to the instant.

    Whoosh's ``DATETIME`` indexes every value as eight terms, one per 8 bits of the number, so
    that a range reads few of them; for dates to the second nearly every article has terms
    of its own, and on 194,000 Reuters articles they were 755,000 of the index's 1.04 million
    words (39 MB of postings, some 60 MB of the term file). Indexed at its day, an article
    shares its terms with that day's others; the column (sorting, and the instant within a
    range's first and last day: :func:`archive_search.engine.whoosh_search.date_filter`)
    keeps the time."""
    from whoosh import fields

    class DayDates(fields.DATETIME):  # type: ignore[misc]
        def index(self, num: Any, **kwargs: Any) -> Any:
            if isinstance(num, _dt.datetime):
                num = _dt.datetime.combine(num.date(), _dt.time())
            return super().index(num, **kwargs)

    DayDates.__module__, DayDates.__qualname__ = __name__, "DayDates"
    return DayDates


def stop_words() -> frozenset[str]:
    """arch's one stop list, the same in every text field (see :func:`_stemmed`): also what
    an export's OpenSearch mapping drops (:mod:`archive_search.opensearch`)."""
    from whoosh import analysis

    return frozenset(analysis.STOP_WORDS)


#: The manifest's file in a generation folder (:mod:`archive_search.manifest`). A generation of
#: schema 5 or before has a ``manifest.json`` instead and is rebuilt from ``corpus/``.
MANIFEST = "manifest.sqlite"


def _english() -> analysis.Analyzer:
    from whoosh import analysis
    from whoosh.lang.porter2 import stem  # Snowball English: better than Porter (bench/README)
    from whoosh.support.charset import accent_map

    # Whoosh's StemmingAnalyzer, with arch's words and lower-casing
    return (
        analysis.RegexTokenizer(WORD_PATTERN)
        | _initialism_lowercase()()
        | analysis.StopFilter(stoplist=analysis.STOP_WORDS)
        | analysis.StemFilter(stemfn=stem, cachesize=50000)
        | analysis.CharsetFilter(accent_map)
    )


def _stemmed(lang: str) -> analysis.Analyzer:
    """Snowball stemming for ``lang``, with the *same* stop words as every other text field.

    One stop list everywhere matters: a query word is searched in all language fields at
    once, and a word dropped by some fields but kept by others (English 'and' kept by a
    German list, German 'war' dropped by it) would become a required word that no English or
    no German article contains.
    """
    from whoosh import analysis
    from whoosh.support.charset import accent_map

    return (
        analysis.RegexTokenizer(WORD_PATTERN)
        | _initialism_lowercase()()
        | analysis.StopFilter(stoplist=analysis.STOP_WORDS)
        | analysis.StemFilter(lang=lang)
        | analysis.CharsetFilter(accent_map)
    )


def _neutral() -> analysis.Analyzer:
    from whoosh import analysis
    from whoosh.support.charset import accent_map

    # Whoosh's StandardAnalyzer, with arch's words and lower-casing
    return (
        analysis.RegexTokenizer(WORD_PATTERN)
        | _initialism_lowercase()()
        | analysis.StopFilter(stoplist=analysis.STOP_WORDS)
        | analysis.CharsetFilter(accent_map)
    )


def _simple() -> analysis.Analyzer:
    from whoosh import analysis
    from whoosh.support.charset import accent_map

    return analysis.SimpleAnalyzer() | analysis.CharsetFilter(accent_map)


def _tags() -> analysis.Analyzer:
    """Comma-separated tags, lower-cased; stop words dropped so that a plain query word such as
    'is' never becomes a required tag when the query is searched across fields."""
    from whoosh import analysis

    return (
        analysis.CommaSeparatedTokenizer()
        | analysis.LowercaseFilter()
        | analysis.StopFilter(minsize=1)
    )


def _analyser(name: str) -> analysis.Analyzer:
    """The Whoosh analysis chain for an analyser named in the field table."""
    if name.startswith("stemmed:"):
        return _stemmed(name.partition(":")[2])
    return {"english": _english, "neutral": _neutral, "simple": _simple, "tags": _tags}[name]()


def build_schema() -> fields.Schema:
    """The index schema, from the field table (:mod:`archive_search.engine.fields`). Titles and
    bodies are indexed per language family (``title``/``body`` for English and unknown,
    ``*_de``, ``*_fr`` with their own stemmers, ``*_xx`` unstemmed), so German text is never
    cut up by English suffix rules."""
    from whoosh import fields

    def whoosh_field(field: Field) -> fields.FieldType:
        if field.kind == "id":
            return fields.ID(stored=field.stored, unique=True)
        if field.kind == "keyword":
            return fields.ID(stored=field.stored)
        if field.kind == "stored":
            return fields.STORED()
        if field.kind == "datetime":
            return _day_dates_class()(stored=field.stored, sortable=True)
        if field.kind == "keywords":
            return fields.KEYWORD(stored=field.stored, commas=True, lowercase=True,
                                  scorable=True)
        assert field.kind == "text" and field.analyser is not None
        return fields.TEXT(stored=field.stored, analyzer=_analyser(field.analyser))

    schema = fields.Schema()
    for field in FIELDS:
        schema.add(field.name, whoosh_field(field))
    return schema


#: Metadata lists whose values are names (Reuters PEOPLE/PLACES/ORGS, written as
#: ``james-baker``); they join the names found in the text.
NAME_METADATA = ("people", "places", "orgs")


def article_names(article: Article) -> list[str]:
    """Every name of the article: given in its front matter, its authors, names in metadata,
    and those found in its title and body (:func:`archive_search.names.extract_names`)."""
    from .names import extract_names
    from .names.keys import metadata_name

    names = list(article.names) + list(article.authors)
    for key in NAME_METADATA:
        values = article.extra.get(key)
        if isinstance(values, list):
            names += [metadata_name(str(v)) for v in values if v]
    names += extract_names(article.title, article.body)
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


class Index:
    """The ``index/`` folder of an archive."""

    def __init__(self, root: Path, corpus: Corpus, settings: Settings) -> None:
        self.root = root
        self.corpus = corpus
        self.settings = settings

    # -- generations -------------------------------------------------------------------------

    def current_dir(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        # a generation of schema 4 or before has a manifest.json instead: not current, so it
        # is rebuilt from corpus/ (by the next update, or the next search)
        return path if name.startswith("gen-") and (path / MANIFEST).is_file() else None

    def exists(self) -> bool:
        gen = self.current_dir()
        return gen is not None and self._state(gen).get("schema_version") == SCHEMA_VERSION

    def _state(self, gen: Path) -> dict[str, Any]:
        """The small summary beside the manifest (schema version, folder stamps), so that a
        search can tell whether the index is current without parsing the whole manifest."""
        try:
            data = json.loads((gen / "state.json").read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_manifest(self, gen: Path, manifest: Manifest, articles_changed: bool = True) -> None:
        """Write the manifest, then its summary: a kill in between leaves the summary stale,
        which only makes the next search check the corpus again. The revision (which tells
        caches built from the articles, such as the name catalogue, that they are stale) moves
        only when ``articles_changed``."""
        manifest.save(gen / MANIFEST, bump=articles_changed)
        state = {
            "schema_version": manifest.schema_version,
            "folders": manifest.folders,
            "revision": manifest.revision,
        }
        atomic_write_text(gen / "state.json", json.dumps(state, separators=(",", ":")))
        from .names.cache import after_save  # the name catalogue's layers: names/cache.py

        after_save(gen, manifest, self.settings.names, articles_changed)
        # the article vectors of the semantic extra follow the manifest (nothing without it)
        semantic.refresh(gen, manifest, self.corpus, self.settings)

    def _state_matches(self, gen: Path, manifest: Manifest) -> bool:
        state = self._state(gen)
        return (state.get("folders"), state.get("revision")) == (manifest.folders,
                                                                 manifest.revision)

    def load_manifest(self, gen: Path | None = None) -> Manifest:
        """The manifest of ``gen`` (default: the live generation), read as asked; an empty one
        of schema 0 (which makes the index be rebuilt) when there is none or it is damaged."""
        from .manifest import Manifest, ManifestError

        gen = gen or self.current_dir()
        if gen is None:
            return Manifest(schema_version=0)
        try:
            return Manifest.open(gen / MANIFEST)
        except ManifestError:
            return Manifest(schema_version=0)

    def open(self) -> whoosh_index.Index:
        gen = self.current_dir()
        if gen is None:
            raise FileNotFoundError("no index yet")
        from .mapped import MappedStorage

        return MappedStorage(str(gen)).open_index()

    def searcher(self, search: SearchSettings | None = None) -> WhooshSearcher:
        from .engine.whoosh_searcher import WhooshSearcher

        if search is None:
            return WhooshSearcher(self.open().searcher())
        from .engine.whoosh_ranking import weighting

        return WhooshSearcher(self.open().searcher(weighting=weighting(search)))

    def open_generation(self, gen: Path) -> whoosh_index.Index:
        """The index in the generation folder ``gen`` (live or not), opened with Whoosh's plain
        file storage rather than the memory maps :meth:`open` uses: ``arch check`` reads a
        generation it names, whatever ``CURRENT`` says."""
        from whoosh import index as whoosh_index

        return whoosh_index.open_dir(str(gen))

    def _new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()
        ]
        path = self.root / f"gen-{max(numbers, default=0) + 1}"
        path.mkdir()
        from whoosh import index as whoosh_index

        whoosh_index.create_in(str(path), build_schema())
        return path

    def _publish(self, gen: Path) -> None:
        previous = self.current_dir()
        atomic_write_text(self.root / "CURRENT", gen.name + "\n")
        self.remove_stale_generations(keep=previous)

    def remove_stale_generations(self, keep: Path | None = None) -> None:
        """Delete generations other than the live one (left by a finished or killed rebuild).

        ``keep`` (the generation just replaced) stays until the next rebuild: a reader that
        found it in ``CURRENT`` a moment ago may not have opened its files yet.
        """
        live = self.current_dir()
        for path in self.root.glob("gen-*"):
            if path.is_dir() and path not in (live, keep):
                shutil.rmtree(path, ignore_errors=True)

    # -- the name catalogue ----------------------------------------------------------------

    def name_catalog(self) -> NameCatalog | None:
        """The archive's name catalogue, built from the manifest when it is missing or stale
        (:func:`archive_search.names.cache.name_catalog`)."""
        found = self._name_catalogs(recent_limit=0)
        return found[0] if found else None

    def name_catalogs(self) -> list[NameCatalog]:
        """The catalogues a search looks names up in
        (:func:`archive_search.names.cache.name_catalogs`)."""
        from .names.cache import RECENT_NAMES

        return self._name_catalogs(recent_limit=RECENT_NAMES)

    def _name_catalogs(self, recent_limit: int) -> list[NameCatalog]:
        from .names.cache import cached_catalogs

        gen = self.current_dir()
        if gen is None:
            return []
        return cached_catalogs(gen, self._state(gen).get("revision"), self.settings.names,
                               lambda: self.load_manifest(gen), recent_limit)

    # -- updating ----------------------------------------------------------------------------

    def is_stale(self) -> bool:
        """Cheap check (folder stamps only) whether files were added, removed or renamed."""
        gen = self.current_dir()
        if gen is None:
            return True
        state = self._state(gen)
        if state.get("schema_version") != SCHEMA_VERSION:
            return True
        return state.get("folders") != self.corpus.folder_stamps()

    def pending(self) -> tuple[list[str], list[str]]:
        """The files added or changed, and those deleted, since the index was last updated:
        found by listing only the folders whose time moved (a file added, removed or renamed
        moves its folder's), so it costs little on a large archive. Files edited in place
        without touching their folder are left to :meth:`sync`, as :meth:`is_stale` leaves
        them."""
        manifest = self.load_manifest()
        stamps = self.corpus.folder_stamps()
        moved = {f for f, t in stamps.items() if manifest.folders.get(f) != t}
        moved |= {f for f in manifest.folders if f not in stamps}
        if not manifest.folders:  # no index yet: every file is new
            scanned = self.corpus.scan()
            return list(scanned), []
        changed: list[str] = []
        gone: list[str] = []
        listed: dict[str, dict[str, tuple[int, int]]] = {}
        for folder in moved:
            if folder in stamps:
                listed[folder] = found = self.corpus.scan_folder(folder)
                for rel, stamp in found.items():
                    e = manifest.files.get(rel)
                    if e is None or (e.mtime_ns, e.size) != stamp:
                        changed.append(rel)
        for rel in manifest.files:
            folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else "."
            if folder in moved and rel not in listed.get(folder, ()):
                gone.append(rel)
        return changed, gone

    def sync(self, progress: Progress | None = None, clean: bool = False) -> SyncReport:
        """Bring the index in line with ``corpus/``, at a cost proportional to the change;
        with ``clean``, remove the temporary files a killed writer left in ``corpus/`` first
        (in the same walk as the survey of the corpus when the index exists).

        The caller holds the archive's write lock.
        """
        from .manifest import SyncReport

        if not self.exists():
            if clean:
                self.corpus.clean_temporaries()
            return self.rebuild(progress)
        started = time.perf_counter()
        gen = self.current_dir()
        assert gen is not None
        manifest = self.load_manifest(gen)
        report = SyncReport()
        survey = self.corpus.survey(clean=clean)
        folders = {folder: mtime for folder, (mtime, _, _) in survey.items()}
        # only the folders whose time, file count or stamp digest moved are listed file by
        # file and compared with their rows: nothing changed costs one stat per file
        moved = self.moved_folders(manifest, survey)
        scanned: dict[str, tuple[int, int]] = {}
        for folder in sorted(moved & survey.keys()):
            scanned.update(self.corpus.scan_folder(folder))
        known = manifest.files.stamps_in(moved)
        todo = sorted(rel for rel, stamp in scanned.items() if known.get(rel) != stamp)
        gone = [rel for rel in known if rel not in scanned]
        report.unchanged = sum(count for _, count, _ in survey.values()) - len(todo)

        def present(rel: str) -> bool:
            folder = folder_of(rel)
            return rel in scanned if folder in moved else folder in survey

        if todo or gone:
            with writing_index(gen):
                self._apply(gen, manifest, todo, gone, scanned, report, progress, present)
        if (todo or gone or manifest.folders != folders or manifest.digests is None
                or not self._state_matches(gen, manifest)):
            # a folder's time alone moves when a file came and went (an editor's backup):
            # recorded, so that searches stop checking, but the articles are the same
            manifest.folders = folders
            self.save_manifest(gen, manifest, articles_changed=bool(todo or gone))
        else:
            semantic.refresh(gen, manifest, self.corpus, self.settings)
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def moved_folders(manifest: Manifest, survey: dict[str, tuple[int, int, int]]) -> set[str]:
        """The folders whose files may differ from the manifest's rows: their time, count of
        files or stamp digest (:meth:`Corpus.survey <archive_search.store.Corpus.survey>`)
        is not the one recorded, or they came or went; every folder for a manifest that
        keeps no digests (written by an older arch)."""
        if manifest.digests is None:
            return set(survey) | set(manifest.folders)
        digests = manifest.digests
        moved = {folder for folder, (mtime, count, digest) in survey.items()
                 if manifest.folders.get(folder) != mtime
                 or digests.get(folder, (0, 0)) != (count, digest)}
        moved.update(folder for folder in digests.keys() | manifest.folders.keys()
                     if folder not in survey)
        return moved

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        """Index the whole corpus into a new generation and swap it in when complete."""
        from .manifest import Manifest, SyncReport

        started = time.perf_counter()
        folders = self.corpus.folder_stamps()
        scanned = self.corpus.scan()
        with writing_index(self.root):
            gen = self._new_generation()
        manifest = Manifest(schema_version=SCHEMA_VERSION)
        report = SyncReport(rebuilt=True)
        with writing_index(gen):
            self._apply(gen, manifest, list(scanned), [], scanned, report, progress,
                        scanned.__contains__, fresh=True)
        manifest.folders = folders
        self.save_manifest(gen, manifest)
        self._publish(gen)
        report.seconds = time.perf_counter() - started
        return report

    def session(self, bulk: bool = False) -> IndexSession:
        """A writer for articles just written to the corpus (used by import).

        The caller holds the write lock and has synced the index first, so the manifest is
        current and every id it adds is new to the index.
        """
        gen = self.current_dir()
        assert gen is not None
        return IndexSession(self, gen, bulk)

    def _writer(self, gen: Path, bulk: bool = False) -> Any:
        from whoosh import index as whoosh_index
        from whoosh.writing import SegmentWriter

        ix = whoosh_index.open_dir(str(gen))
        limitmb = self.settings.index.memory_mb
        procs = self.settings.index.procs if bulk else 1
        # Segments stay as separate files: Whoosh opens a compound segment by copying each of
        # its parts out of the memory map into a BytesIO, so every search process would read
        # the whole index (about 3 ms per MB) before looking up a single word.
        codec = _codec()
        # Whoosh's lock is taken here, not by the writer: a writer that fails to start (no room
        # for its first files) would hold it until the process ends
        lock = ix.lock("WRITELOCK")
        if not lock.acquire():
            raise ArchiveLocked(
                f"the index in {gen} is held by another process's index writer (a helper left "
                "running by a killed import?); end that process, then try again"
            )
        try:
            if procs > 1:
                from .mpwriter import ParallelWriter

                writer = ParallelWriter(ix, procs=procs, limitmb=limitmb, compound=False,
                                        codec=codec)
            else:
                writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False,
                                       codec=codec)
        except BaseException:
            lock.release()
            raise
        writer.writelock = lock
        return writer

    def _apply(
        self,
        gen: Path,
        manifest: Manifest,
        todo: list[str],
        gone: list[str],
        scanned: dict[str, tuple[int, int]],
        report: SyncReport,
        progress: Progress | None,
        present: Callable[[str], bool],
        fresh: bool = False,
    ) -> None:
        """Index ``todo`` (stamps in ``scanned``) and drop ``gone``; ``present`` tells whether
        a corpus file is still there (an id's earlier owner)."""
        from .manifest import ManifestEntry

        ids = manifest.ids()
        writer = self._writer(gen, bulk=fresh and len(todo) > 500)
        put = writer.add_document if fresh else writer.update_document
        try:
            for rel in gone:
                entry = manifest.files.pop(rel)
                if ids.get(entry.id) == rel:
                    writer.delete_by_term("id", entry.id)
                    del ids[entry.id]
                report.deleted += 1
            for n, rel in enumerate(todo, 1):
                if progress and n % 200 == 0:
                    progress(200)
                try:
                    article = self.corpus.read(rel)
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    report.problems.append(f"corpus/{rel}: cannot read: {exc}")
                    self._forget(writer, manifest, ids, rel)
                    continue
                if not article.id:
                    article.id = Path(rel).stem
                owner = ids.get(article.id)
                if owner is not None and owner != rel and present(owner):
                    report.problems.append(
                        f"corpus/{rel}: id {article.id!r} is already used by corpus/{owner}; "
                        "not indexed"
                    )
                    self._forget(writer, manifest, ids, rel)
                    continue
                old = manifest.files.get(rel)
                if old is not None and old.id != article.id and ids.get(old.id) == rel:
                    writer.delete_by_term("id", old.id)
                    del ids[old.id]
                names = article_names(article)
                document = article_document(article, rel, names)
                put(**document)
                manifest.files[rel] = ManifestEntry.of(scanned[rel], article, names,
                                                       document=document)
                ids[article.id] = rel
                if old is None:
                    report.added += 1
                else:
                    report.changed += 1
        except BaseException:
            cancel_writer(writer)
            raise
        commit_writer(writer)

    def replaced_documents(self) -> tuple[int, int]:
        """``(replaced, stored)``: documents that updates replaced or deleted but that still
        take room in the index, and all the documents it stores. Whoosh only marks a
        replaced document deleted; its room comes back when its segment is merged, which for
        a large segment may be never (a re-indexed batch then doubles the index)."""
        ix = self.open()
        stored = ix.doc_count_all()
        return stored - ix.doc_count(), stored

    def compact(self) -> None:
        """Merge every segment into one, leaving out the replaced and deleted documents (the
        caller holds the write lock). Costs about a quarter of a rebuild."""
        gen = self.current_dir()
        if gen is None:
            return
        writer = self._writer(gen)
        try:
            writer.commit(optimize=True)
        except BaseException:
            cancel_writer(writer)
            raise

    @staticmethod
    def _forget(writer: Any, manifest: Manifest, ids: dict[str, str], rel: str) -> None:
        old = manifest.files.pop(rel, None)
        if old is not None and ids.get(old.id) == rel:
            writer.delete_by_term("id", old.id)
            del ids[old.id]


class IndexSession:
    """Adds freshly written articles to the live index, then records them in the manifest.

    Documents stream into one Whoosh writer (memory bounded by ``index.memory_mb``); the manifest
    is written only after the commit, so a kill in between just leaves files that the next
    :meth:`Index.sync` indexes again.
    """

    def __init__(self, index: Index, gen: Path, bulk: bool) -> None:
        self.index = index
        self.gen = gen
        self.manifest = index.load_manifest(gen)
        with writing_index(gen):
            self.writer = index._writer(gen, bulk=bulk)
        self.added = 0
        self._new_ids: SpillDict[bool] = SpillDict()  # a set, on disk beyond a bound
        #: articles replaced after being added in this session: ``id -> relpath``
        self._redo: dict[str, str] = {}

    def add(self, relpath: str, article: Article, fingerprint: str | None = None) -> None:
        """Index ``article``, just written to ``relpath`` (``fingerprint``: its
        :meth:`~archive_search.article.Article.fingerprint`, when the caller has it already)."""
        st = os.stat(self.index.corpus.root / relpath)
        names = article_names(article)
        document = article_document(article, relpath, names)
        with writing_index(self.gen):
            self.writer.add_document(**document)
        self._record(relpath, st, article, names, fingerprint, document)
        self._new_ids[article.id or ""] = True
        self.added += 1

    def replace(self, relpath: str, article: Article, fingerprint: str | None = None) -> None:
        """Index ``article``, just written over the current version at ``relpath``, in place
        of that version's document.

        A Whoosh writer deletes only committed documents; one added in this session is
        replaced after the commit, in :meth:`commit`.
        """
        article_id = article.id or ""
        if article_id in self._new_ids:
            self._redo[article_id] = relpath
            return
        st = os.stat(self.index.corpus.root / relpath)
        names = article_names(article)
        document = article_document(article, relpath, names)
        with writing_index(self.gen):
            self.writer.delete_by_term("id", article_id)
            self.writer.add_document(**document)
        self._record(relpath, st, article, names, fingerprint, document)
        self._new_ids[article_id] = True
        self.added += 1

    def _record(
        self, relpath: str, st: os.stat_result, article: Article, names: list[str],
        fingerprint: str | None, document: dict[str, Any],
    ) -> None:
        from .manifest import ManifestEntry

        self.manifest.files[relpath] = ManifestEntry.of(
            (st.st_mtime_ns, st.st_size), article, names, fingerprint, document
        )

    def commit(self) -> None:
        with writing_index(self.gen):
            commit_writer(self.writer)
            if self._redo:
                writer = self.index._writer(self.gen)
                try:
                    for article_id, relpath in self._redo.items():
                        article = self.index.corpus.read(relpath)
                        st = os.stat(self.index.corpus.root / relpath)
                        names = article_names(article)
                        document = article_document(article, relpath, names)
                        writer.delete_by_term("id", article_id)
                        writer.add_document(**document)
                        self._record(relpath, st, article, names, None, document)
                except BaseException:
                    cancel_writer(writer)
                    raise
                commit_writer(writer)
        self.manifest.folders = self.index.corpus.folder_stamps()
        self.index.save_manifest(self.gen, self.manifest)

    def cancel(self) -> None:
        cancel_writer(self.writer)


#: Segments of fewer articles than this are folded into the segment each update writes, so that
#: articles imported one at a time leave one small segment rather than one each: a search opens
#: every segment (a few milliseconds each) and Whoosh's own policy lets five or six pile up.
#: Folding one costs a few milliseconds per article it holds.
TINY_SEGMENT = 32


@contextlib.contextmanager
def writing_index(folder: Path) -> Iterator[None]:
    """Turn an OSError of Whoosh's (a full disk, a read-only folder), which names no file or
    one of Whoosh's own, into a :class:`StorageError` that names the index being written."""
    try:
        yield
    except OSError as exc:
        raise storage_error(exc, folder, "update the index in") from exc


def commit_writer(writer: Any) -> None:
    """Commit ``writer``; a single-process writer also takes in the tiny segments. A commit
    that fails is cancelled, so that Whoosh's lock and temporary files go with it."""
    from whoosh.multiproc import MpWriter

    try:
        if isinstance(writer, MpWriter):
            writer.commit()
        else:
            writer.commit(mergetype=_fold_tiny_segments)
    except BaseException:
        with contextlib.suppress(Exception):  # the commit's own error is the one to report
            cancel_writer(writer)
        raise


def _fold_tiny_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: the segments below TINY_SEGMENT articles are copied into the
    segment being written, the rest go to Whoosh's usual policy for small segments."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    tiny = [s for s in segments if s.doc_count_all() < TINY_SEGMENT]
    for segment in tiny:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return list(MERGE_SMALL(writer, [s for s in segments if s not in tiny]))


#: Postings blocks of at least this many documents are zlib-compressed (level 1); smaller
#: ones are written plain. Most words occur in a few documents: their one short block is not
#: worth compressing (Whoosh's own "don't compress tiny blocks" test is overwritten on the next
#: line, so it compresses them all), while the long lists of common words are nearly all the
#: bytes. On Reuters-21578 (bench/README.md, "Scale"): postings 80 MB plain, 40 MB all
#: compressed, 42 MB this way.
COMPRESSED_BLOCK = 16


def _codec() -> Any:
    """The codec every writer uses: Whoosh's, with postings compressed by block size
    (:data:`COMPRESSED_BLOCK`). Each block records its own compression, so any Whoosh reader
    reads it."""
    return _codec_class()()


@functools.cache
def _codec_class() -> type:
    from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

    class PostingsWriter(W3PostingsWriter):  # type: ignore[misc]
        def _write_block(self, last: bool = False) -> Any:
            self._compression = 1 if len(self._ids) >= COMPRESSED_BLOCK else 0
            return super()._write_block(last)

    class PostingsCodec(W3Codec):  # type: ignore[misc]
        def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
            return PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=0, inlinelimit=self._inlinelimit)

        def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                            scorer: Any = None) -> Any:
            # a search's block is read without its positions until they are asked for
            # (engine/whoosh_postings.py); a merge, which reads all of every block, as Whoosh
            # reads it
            if terminfo.is_inlined() or scorer is None:
                return super().postings_reader(dbfile, terminfo, format_, term, scorer)
            from .engine.whoosh_postings import LeafPostings

            offset, length = terminfo.extent()
            return LeafPostings(dbfile, offset, length, format_, term=term, scorer=scorer)

    PostingsCodec.__module__, PostingsCodec.__qualname__ = __name__, "PostingsCodec"
    return PostingsCodec


def cancel_writer(writer: Any) -> None:
    """Cancel a Whoosh writer, stopping a multi-process writer's workers first.

    Whoosh's ``MpWriter.cancel`` only flags its worker processes, which never see the flag:
    an idle worker waits for work for ever (and the interpreter waits for it at exit, so a
    Ctrl-C'd import never returns); a busy one dies with a traceback about the job file that
    the cancel has just deleted. A writer already closed (a failed commit cancels its writer)
    is left alone.
    """
    if writer.is_closed:
        return
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    writer.cancel()
