"""``arch check``: is every article file readable, and does the index agree with ``corpus/``?

``corpus/`` is the source of truth and the index is derived from it, so the two kinds of problem
are treated differently. Index problems (files missing from it, stale or orphaned entries, a
manifest that disagrees with the Whoosh index after an interrupted update, an unreadable index)
are repaired by bringing the index back in line with ``corpus/``: an incremental update first,
a rebuild when that is not enough. Corpus problems need a person, because only they know what a
file should say; the one thing done for them, and only when asked (``fix_corpus``), is moving
files that cannot be read at all to ``corpus/.quarantine/`` so that they stop being reported.
Nothing is ever deleted. Earlier versions of articles (``corpus/.versions/``) are checked as
corpus files too: readable, named by their number, belonging to a current article, with no
number missing or ahead of the current one.

The check holds the archive's write lock, so it never mistakes an import in progress for damage.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import semantic
from .article import is_safe_id, version_number
from .dates import parse_iso
from .engine.fields import ID, SCHEMA_VERSION
from .engine.stored import StoredArticle
from .errors import ReadOnlyArchive
from .importers import remove_stale_spools, stale_spools
from .index import MANIFEST
from .manifest import Manifest, SyncReport
from .output import dumps
from .store import ARTICLE_SUFFIX, TMP_PREFIX, VERSION_NUMBER, VERSIONS

if TYPE_CHECKING:
    from .archive import Archive
    from .article import Article
    from .index import Index

QUARANTINE = ".quarantine"
#: Problems with an article file itself: only a person (or --fix-corpus, for unreadable files)
#: can resolve them.
CORPUS_KINDS = ("unreadable", "no-title", "bad-date", "bad-id", "id-mismatch", "duplicate-id",
                "version-unreadable", "version-name", "version-orphan", "version-gap",
                "version-number")
#: Problems that only a rebuild of the index resolves.
REBUILD_KINDS = ("no-index", "index-unreadable", "index-outdated")
#: ``--repair`` compacts the index when at least this share of the documents it stores were
#: replaced or deleted since (an update killed between its commit and its manifest leaves a
#: whole batch stored twice).
COMPACT_SHARE = 0.1
#: Parsed article files (or why they cannot be read) by ``(relpath, mtime_ns, size)``.
_Parsed = dict[tuple[str, int, int], "Article | str"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with the file it concerns (relative to the archive) when there is one."""

    kind: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    @property
    def in_corpus(self) -> bool:
        return self.kind in CORPUS_KINDS


@dataclass
class CheckReport:
    """The outcome of :func:`check`. ``problems`` is what is wrong now, after any repair."""

    root: str
    articles: int = 0
    indexed: int = 0
    problems: list[Problem] = field(default_factory=list)
    fixed: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    temporaries: int = 0
    #: documents the index still stores though updates replaced or deleted them
    replaced: int = 0
    seconds: float = 0.0

    @property
    def bloated(self) -> bool:
        """Enough dead weight in the index for ``--repair`` to compact it."""
        return self.replaced > 0 and self.replaced >= COMPACT_SHARE * (self.indexed + self.replaced)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        """What ``arch check`` exits with: 0 healthy, 1 problems remain."""
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def check(
    archive: Archive, repair: bool = False, fix_corpus: bool = False, wait: float = 0.0
) -> CheckReport:
    """Check ``archive``; with ``repair``, bring the index in line with ``corpus/`` and check again.

    ``fix_corpus`` (which implies ``repair``) also moves unreadable article files to
    ``corpus/.quarantine/``, keeping their path below ``corpus/``. Waits up to ``wait`` seconds
    for another writer; raises :class:`~archive_search.errors.ArchiveLocked` after that. A
    read-only archive is checked without the lock (nothing writes to it), and a repair of it
    raises :class:`~archive_search.errors.ReadOnlyArchive`.
    """
    started = time.perf_counter()
    parsed: _Parsed = {}
    try:
        with archive.writing(wait):
            report = _check_and_repair(archive, parsed, repair or fix_corpus, fix_corpus)
    except ReadOnlyArchive:
        if repair or fix_corpus:
            raise
        report = inspect(archive, parsed)  # no writer works through a read-only mount
    report.seconds = time.perf_counter() - started
    return report


def _check_and_repair(
    archive: Archive, parsed: _Parsed, repair: bool, fix_corpus: bool
) -> CheckReport:
    """What :func:`check` does under the write lock."""
    report = inspect(archive, parsed)
    if repair and (report.problems or report.temporaries or report.bloated):
        found = report.problems
        actions, rebuilt = _repair(archive, report, fix_corpus)
        report = inspect(archive, parsed)
        if not rebuilt and any(not p.in_corpus for p in report.problems):
            actions.append(_describe(archive.index.rebuild()))  # sync was not enough
            report = inspect(archive, parsed)
        elif report.bloated:  # the sync re-indexed what an interrupted update had stored
            t0 = time.perf_counter()
            before = report.replaced
            archive.index.compact()
            actions.append(f"compacted the index: dropped {before} replaced document"
                           f"{'s' * (before != 1)} ({time.perf_counter() - t0:.1f} s)")
            report = inspect(archive, parsed)
        report.repaired = actions
        report.fixed = [p for p in found if p not in report.problems]
    return report


def inspect(archive: Archive, parsed: _Parsed | None = None) -> CheckReport:
    """Compare ``corpus/`` with the index and list every disagreement (the caller holds the
    write lock, or accepts that a concurrent writer shows up as problems).

    ``parsed`` carries parsed files from one pass to the next, keyed by path, mtime and size:
    parsing is most of the cost, and a repair changes the index, not the files.
    """
    report = CheckReport(root=str(archive.root))
    scanned = archive.corpus.scan()
    report.articles = len(scanned)
    report.temporaries = _count_temporaries(archive.corpus.root) + len(
        stale_spools(archive.index.root))
    parsed = {} if parsed is None else parsed
    articles = _check_files(archive, scanned, report.problems, parsed)
    _check_versions(archive, articles, report.problems, parsed)
    _check_index(archive, scanned, articles, report)
    return report


# -- corpus ------------------------------------------------------------------------------------


def _check_files(
    archive: Archive,
    scanned: dict[str, tuple[int, int]],
    problems: list[Problem],
    parsed: _Parsed,
) -> dict[str, Article]:
    """Parse every article file; return the readable ones by path below ``corpus/``."""
    articles: dict[str, Article] = {}
    owners: dict[str, list[str]] = defaultdict(list)
    for rel, stamp in scanned.items():
        where = f"corpus/{rel}"
        key = (rel, *stamp)
        if key not in parsed:
            try:
                parsed[key] = archive.corpus.read(rel)
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                parsed[key] = f"cannot read: {_read_error(exc)}"
        article = parsed[key]
        if isinstance(article, str):
            problems.append(Problem("unreadable", where, article))
            continue
        articles[rel] = article
        for kind, message in _field_problems(article, rel):
            problems.append(Problem(kind, where, message))
        owners[article.id or _stem(rel)].append(rel)
    for article_id, rels in owners.items():
        if len(rels) > 1:
            for rel in rels:
                others = ", ".join(f"corpus/{r}" for r in rels if r != rel)
                problems.append(
                    Problem(
                        "duplicate-id",
                        f"corpus/{rel}",
                        f"id {article_id!r} is also used by {others}; only one is searchable",
                    )
                )
    return articles


def _check_versions(
    archive: Archive, articles: dict[str, Article], problems: list[Problem], parsed: _Parsed
) -> None:
    """Every file in ``corpus/.versions/<id>/`` is ``<n>.md``, readable, of article ``id``;
    a current article with that id exists; its numbers run without a gap up to the current
    version. A kept file with the current number and text is the trace of an update killed
    between its two writes: harmless, as the next import of the new text finishes it."""
    current = {a.id or _stem(rel): (rel, a) for rel, a in articles.items()}
    kept: dict[str, dict[int, Article]] = defaultdict(dict)
    for article_id, rel in archive.corpus.version_files():
        where = f"corpus/{rel}"
        stem = Path(rel).name[: -len(ARTICLE_SUFFIX)]
        if not article_id or not rel.endswith(ARTICLE_SUFFIX) or not VERSION_NUMBER.fullmatch(stem):
            problems.append(Problem(
                "version-name", where,
                f"not a version file (expected {VERSIONS}/<id>/<number>{ARTICLE_SUFFIX})",
            ))
            continue
        path = archive.corpus.root / rel
        try:
            st = path.stat()
            key = (rel, st.st_mtime_ns, st.st_size)
            if key not in parsed:
                parsed[key] = archive.corpus.read(rel)
            version = parsed[key]
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            version = f"cannot read: {_read_error(exc)}"
        if isinstance(version, str):
            problems.append(Problem("version-unreadable", where, version))
            continue
        if version.id != article_id:
            problems.append(Problem(
                "version-name", where,
                f"says id {version.id!r} but is kept among the versions of {article_id!r}",
            ))
            continue
        kept[article_id][int(stem)] = version
    for article_id, numbers in kept.items():
        folder = f"corpus/{VERSIONS}/{article_id}/"
        if article_id not in current:
            problems.append(Problem(
                "version-orphan", folder,
                f"earlier versions of {article_id!r} but no current article with that id "
                f"(copy the newest back into corpus/ to restore it, or remove the folder)",
            ))
            continue
        rel, article = current[article_id]
        now = version_number(article)
        for number, version in numbers.items():
            if number > now or (number == now and version.fingerprint() != article.fingerprint()):
                problems.append(Problem(
                    "version-number", f"{folder}{number}{ARTICLE_SUFFIX}",
                    f"version {number} is not older than the current article "
                    f"(corpus/{rel} says version: {now}); renumber one of them",
                ))
        missing = [n for n in range(1, now) if n not in numbers]
        if missing:
            problems.append(Problem(
                "version-gap", folder,
                f"version{'s' * (len(missing) > 1)} {', '.join(map(str, missing))} of "
                f"{article_id!r} missing (the current is version {now})",
            ))


def _field_problems(article: Article, rel: str) -> list[tuple[str, str]]:
    """What is wrong with a readable file's front matter, as ``(kind, message)`` pairs."""
    found = []
    stem = _stem(rel)
    if not article.title:
        found.append(("no-title", "no title (add a 'title:' line to the front matter)"))
    if article.date and parse_iso(article.date) is None:
        found.append(
            (
                "bad-date",
                f"date {article.date!r} is not ISO 8601 (write it as 2023-09-18 or "
                "2023-09-18T14:17:00); the article is treated as undated",
            )
        )
    if article.id is None:
        if not is_safe_id(stem):
            found.append(("bad-id", "no id, and the file name is not a usable id"))
    elif not is_safe_id(article.id):
        found.append(
            (
                "bad-id",
                f"id {article.id!r} is not a safe id (letters, digits, '.', '_', '-'; "
                "at most 120 characters)",
            )
        )
    elif article.id != stem:
        found.append(
            (
                "id-mismatch",
                f"id {article.id!r} does not match the file name (rename the file to "
                f"{article.id}{ARTICLE_SUFFIX} or change the id)",
            )
        )
    return found


def _stem(rel: str) -> str:
    return Path(rel).name[: -len(ARTICLE_SUFFIX)]


def _count_temporaries(root: Path) -> int:
    """Leftovers of a killed writer: harmless, ignored by readers, removed by the next writer."""
    count = 0
    for _, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") or d == VERSIONS]
        count += sum(1 for name in filenames if name.startswith(TMP_PREFIX))
    return count


# -- index -------------------------------------------------------------------------------------


def _check_index(
    archive: Archive,
    scanned: dict[str, tuple[int, int]],
    articles: dict[str, Article],
    report: CheckReport,
) -> None:
    problems = report.problems
    gen = archive.index.current_dir()
    if gen is None:
        if scanned:
            problems.append(
                Problem(
                    "no-index", None, "there is no index (never built, or index/CURRENT is missing)"
                )
            )
        return
    manifest, trouble = _read_manifest(gen)
    if trouble is None and not archive.index.exists():  # the Index's own test, whatever it reads
        trouble = ("index-outdated", "the index was made by another version of archive-search")
    if trouble is not None:
        problems.append(Problem(trouble[0], f"index/{gen.name}", trouble[1]))
        return
    try:
        docs = _indexed_documents(archive.index, gen)
    except Exception as exc:  # Whoosh raises many kinds of error on damaged files
        problems.append(
            Problem(
                "index-unreadable", f"index/{gen.name}", f"cannot read the index: {_one_line(exc)}"
            )
        )
        return
    report.indexed = sum(len(paths) for paths in docs.values())
    report.replaced = archive.index.replaced_documents()[0]
    _compare(manifest, docs, scanned, articles, problems)
    vectors = semantic.problem(gen, manifest, archive.settings)  # the semantic extra's
    if vectors is not None:
        problems.append(Problem("vectors", f"index/{gen.name}", vectors))


def _read_manifest(gen: Path) -> tuple[Manifest, tuple[str, str] | None]:
    """The generation's manifest, or the kind of problem and its message."""
    try:
        manifest = Manifest.open(gen / MANIFEST)
        len(manifest.files)  # the table is there and readable
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return Manifest(), ("index-unreadable", f"cannot read its manifest: {_one_line(exc)}")
    if manifest.schema_version != SCHEMA_VERSION:
        return manifest, (
            "index-outdated",
            f"the index was built by another version (schema {manifest.schema_version}, "
            f"this version uses {SCHEMA_VERSION})",
        )
    return manifest, None


def _indexed_documents(index: Index, gen: Path) -> dict[str, list[str]]:
    """``id -> [path, …]`` for every live document (more than one path is itself a problem).

    Also reads the id field's terms, so that damage to the term files shows up here and not in
    the middle of a search.
    """
    docs: dict[str, list[str]] = defaultdict(list)
    ix = index.open_generation(gen)
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            stored = StoredArticle.of(fields)
            docs[stored.id].append(stored.path)
        terms = {
            t.decode("utf-8") if isinstance(t, bytes) else t
            for t in searcher.reader().lexicon(ID)
        }
    lost = [article_id for article_id in docs if article_id not in terms]
    if lost:
        raise ValueError(f"{len(lost)} stored documents have no id term (e.g. {lost[0]!r})")
    return docs


def _compare(
    manifest: Manifest,
    docs: dict[str, list[str]],
    scanned: dict[str, tuple[int, int]],
    articles: dict[str, Article],
    problems: list[Problem],
) -> None:
    """Every readable file indexed once under its id and path, with a matching manifest entry,
    and nothing else in the index."""
    duplicated = {p.path for p in problems if p.kind == "duplicate-id"}
    listed = manifest.ids()
    entries = dict(manifest.files.items())  # one read of the table, not one query per file
    for article_id, paths in docs.items():
        if len(paths) > 1:
            problems.append(
                Problem(
                    "duplicate-doc",
                    None,
                    f"the index holds {len(paths)} documents with id "
                    f"{article_id!r} ({', '.join(f'corpus/{p}' for p in paths)})",
                )
            )
    for rel, stamp in scanned.items():
        article = articles.get(rel)
        where = f"corpus/{rel}"
        if article is None or where in duplicated:
            continue
        article_id = article.id or _stem(rel)
        entry = entries.get(rel)
        indexed_at = docs.get(article_id, [])
        if not indexed_at:
            problems.append(Problem("missing", where, "not in the index"))
        elif rel not in indexed_at:
            problems.append(
                Problem("stale", where, f"indexed under another path ({', '.join(indexed_at)})")
            )
        elif entry is None:
            problems.append(
                Problem(
                    "manifest",
                    where,
                    "in the index but not in its manifest (an index update was interrupted)",
                )
            )
        elif (entry.mtime_ns, entry.size) != stamp or entry.fingerprint != article.fingerprint():
            problems.append(Problem("stale", where, "changed since it was indexed"))
        elif entry.id != article_id:
            problems.append(
                Problem(
                    "stale",
                    where,
                    f"indexed with id {entry.id!r}, the file now says {article_id!r}",
                )
            )
    for article_id, paths in docs.items():
        for rel in paths:
            if rel not in scanned:
                problems.append(
                    Problem(
                        "orphaned",
                        f"corpus/{rel}",
                        f"the index still has {article_id!r} but the file is gone",
                    )
                )
    for article_id, rel in listed.items():
        if rel in scanned and article_id not in docs and rel in articles:
            continue  # already reported as missing
        if article_id not in docs:
            problems.append(
                Problem(
                    "manifest",
                    f"corpus/{rel}",
                    "listed in the index manifest but not in the index",
                )
            )


# -- repair ------------------------------------------------------------------------------------


def _repair(archive: Archive, report: CheckReport, fix_corpus: bool) -> tuple[list[str], bool]:
    """Do what can be done without a person: one line per action, and whether the index was
    rebuilt (an incremental update is tried first, as it costs far less)."""
    actions: list[str] = []
    moved = 0
    if fix_corpus:
        for problem in report.problems:
            if problem.kind == "unreadable" and problem.path:
                actions.append(_quarantine(archive, problem.path))
                moved += 1
    removed = archive.corpus.clean_temporaries() + remove_stale_spools(archive.index.root)
    if removed:
        actions.append(f"removed {removed} leftover temporary file{'s' * (removed != 1)}")
    index_problems = [p for p in report.problems if not p.in_corpus]
    if not index_problems and not moved:
        return actions, False
    if any(p.kind in REBUILD_KINDS for p in index_problems):
        actions.append(_describe(archive.index.rebuild()))
        return actions, True
    actions.append(_describe(archive.index.sync()))
    return actions, False


def _quarantine(archive: Archive, where: str) -> str:
    """Move ``corpus/<rel>`` to ``corpus/.quarantine/<rel>``, never replacing a file there."""
    rel = where.removeprefix("corpus/")
    source = archive.corpus.root / rel
    target = archive.corpus.root / QUARANTINE / rel
    stem = target.name[: -len(ARTICLE_SUFFIX)]
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{stem}.{n}{ARTICLE_SUFFIX}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
    except OSError as exc:
        return f"could not move {where} to quarantine: {exc.strerror or exc}"
    return f"moved unreadable {where} to {target.relative_to(archive.root).as_posix()}"


def _describe(sync: SyncReport) -> str:
    what = "rebuilt the index" if sync.rebuilt else "updated the index"
    return (
        f"{what}: {sync.added} added, {sync.changed} changed, {sync.deleted} deleted "
        f"({sync.seconds:.1f} s)"
    )


# -- output ------------------------------------------------------------------------------------


def format_report(report: CheckReport, fmt: str = "text") -> str:
    """The report as ``arch check`` prints it: ``text`` for people, ``json`` for scripts."""
    if fmt == "json":  # as every JSON document arch writes (output.dumps)
        return dumps(report.to_dict(), "json").rstrip("\n")
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r} (choose from: text, json)")
    lines = [
        f"archive: {report.root}",
        f"articles: {report.articles:,} files, {report.indexed:,} indexed "
        f"(checked in {report.seconds:.1f} s)",
    ]
    if report.temporaries:
        lines.append(
            f"note: {report.temporaries} temporary file(s) left by an interrupted writer "
            "(harmless; removed by the next import or --repair)"
        )
    if report.bloated:
        lines.append(
            f"note: the index still stores {report.replaced:,} replaced or deleted documents "
            "(room wasted, harmless); --repair compacts it"
        )
    lines += [f"repaired: {action}" for action in report.repaired]
    if report.fixed:
        lines.append(f"fixed: {len(report.fixed)} problem(s)")
    lines += [f"problem: {p}" for p in report.problems]
    lines.append("ok" if report.ok else f"{len(report.problems)} problem(s); {_advice(report)}")
    return "\n".join(lines)


def _advice(report: CheckReport) -> str:
    kinds = {p.kind for p in report.problems}
    steps = []
    if any(k not in CORPUS_KINDS for k in kinds):
        steps.append("'arch check --repair' brings the index in line with corpus/")
    if "unreadable" in kinds:
        steps.append("'arch check --fix-corpus' moves unreadable files to corpus/.quarantine/")
    if kinds & (set(CORPUS_KINDS) - {"unreadable"}):
        steps.append("edit the files named above")
    return "; ".join(steps)


def _read_error(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start}: {exc.reason})"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
