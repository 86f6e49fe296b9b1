"""Import: read inputs, write one article file each, index what was added.

Guarantees: an input that fails leaves no article file behind; duplicates (the same normalised
title and body as an article, or as an earlier version of the article with that id) are
counted, not written; nothing else is ever dropped: a text whose id is taken is either a new
version of that article (the same story revised, judged by content) or a separate article with
an id of its own; every article file appears whole or not at all; and the index catches up with
whatever was written even if the import is killed midway (the next ``arch index`` or search
picks the files up).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import articlefile
from .article import Article, is_revision, sibling_id, slugify, version_number
from .errors import ArchiveError
from .importers import (
    FORMATS,
    ImportFailure,
    ImportOptions,
    Input,
    NothingToImport,
    RecordWarning,
    detect_format,
    importer,
    inner_name,
    read_head,
    remove_temporaries,
    textutil,
)
from .spill import SpillDict

if TYPE_CHECKING:
    from .archive import Archive
    from .index import IndexSession


@dataclass
class PlannedArticle:
    """One article of a dry run: what would happen to it and why."""

    source: str
    format: str
    id: str
    title: str
    date: str | None
    action: str


@dataclass
class InputOutcome:
    """What became of one input (a file, a zip member, standard input): every input named or
    found gets exactly one, so a batch can be checked to have lost nothing.

    ``status`` is ``imported`` (at least one new article), ``updated`` (no new article, but
    at least one new version of an article), ``duplicate`` (articles, all of them already in the
    archive), ``skipped`` (passed over on purpose, ``reason`` says why) or ``failed``
    (``reason`` says why, or some of its records failed and none was kept).
    """

    name: str
    status: str
    reason: str | None = None
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    failed: int = 0


@dataclass
class ImportReport:
    """The outcome of one import batch."""

    imported: int = 0
    #: articles whose text was replaced by a revised one (the old text kept as a version)
    updated: int = 0
    duplicates: int = 0
    #: texts left out because their id was taken, as ``--on-conflict keep-first`` asked
    kept_first: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    inputs: int = 0
    ids: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    planned: list[PlannedArticle] = field(default_factory=list)
    outcomes: list[InputOutcome] = field(default_factory=list)
    seconds: float = 0.0
    _warning_keys: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def warn(self, source: str, record: int | None, reason: str) -> None:
        where = f":{record}" if record else ""
        self.warnings.append(f"{source}{where}: {reason}")
        self._warning_keys.append((source, reason))

    def grouped_warnings(self, most: int = 3) -> list[str]:
        """Warnings to show: a reason repeated over many records of one input is said once
        with a count, instead of once per record."""
        counts = Counter(self._warning_keys)
        shown: Counter[tuple[str, str]] = Counter()
        lines = []
        for line, key in zip(self.warnings, self._warning_keys, strict=True):
            if counts[key] <= most:
                lines.append(line)
            elif not shown[key]:
                lines.append(f"{key[0]}: {key[1]} ({counts[key]} records)")
            shown[key] += 1
        return lines

    def outcome_counts(self) -> Counter[str]:
        """How many inputs ended in each status; their sum is :attr:`inputs`."""
        return Counter(o.status for o in self.outcomes)

    def summary(self) -> str:
        rate = self.imported / self.seconds if self.seconds > 0 else 0.0
        skipped = ""
        if self.skipped:
            by_reason: dict[str, list[str]] = {}
            for outcome in self.outcomes:
                if outcome.status == "skipped":
                    by_reason.setdefault(outcome.reason or "skipped", []).append(outcome.name)
            parts = []
            for reason, names in by_reason.items():
                shown = ", ".join(os.path.basename(n) for n in names[:4])
                more = ", …" if len(names) > 4 else ""
                count = f"{len(names)} " if len(by_reason) > 1 else ""
                parts.append(f"{count}{reason} ({shown}{more})")
            skipped = f", skipped {len(self.skipped)}: {'; '.join(parts)}"
        if self.kept_first:
            skipped += f", not imported {self.kept_first} whose id was taken (keep-first)"
        return (
            f"imported {self.imported}, updated {self.updated}, duplicates {self.duplicates}, "
            f"failed {len(self.failed)}"
            f"{skipped} "
            f"(from {self.inputs} input{'s' if self.inputs != 1 else ''} in {self.seconds:.1f} s"
            + (f", {rate:,.0f} articles/s)" if self.imported > 100 else ")")
        )


def file_sha256(source_open: Callable[[], object]) -> str:
    digest = hashlib.sha256()
    with source_open() as stream:  # type: ignore[attr-defined]
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_import(
    archive: Archive,
    inputs: Iterable[Input],
    fmt: str | None = None,
    options: ImportOptions | None = None,
    index: bool = True,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    bulk_hint: bool = False,
    on_conflict: str = "auto",
) -> ImportReport:
    """Import every input into ``archive``; the caller holds the write lock (unless dry run).

    ``on_conflict`` says what a text does whose id an article with other text already has:
    ``auto`` (a new version when it is the same story revised, else a separate article),
    ``version`` (always a new version), ``separate`` (always a separate article) or
    ``keep-first`` (not imported, counted apart and named in a warning: the one policy that
    leaves a text out, and only when asked).

    Whatever goes wrong inside one input (bad data, a lying zip header, a bug in an importer)
    is that input's failure, with the reason, and the batch goes on; only an interruption
    (Ctrl-C) or an error of the archive itself stops it. A format name that does not exist is
    an :class:`~archive_search.errors.ArchiveError` before anything is read.
    """
    if on_conflict not in CONFLICT_POLICIES:
        raise ValueError(f"on_conflict must be one of {', '.join(CONFLICT_POLICIES)}")
    if fmt is not None and fmt not in FORMATS:
        raise ArchiveError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    options = options or ImportOptions()
    report = ImportReport()
    started = time.perf_counter()
    manifest = archive.index.load_manifest()
    imported_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    known = _Known(ids=manifest.ids(), fingerprints=manifest.fingerprints(), policy=on_conflict)
    session = archive.index.session(bulk=bulk_hint) if index and not dry_run else None
    try:
        for item in inputs:
            report.inputs += 1
            source = item.source
            if item.skip:
                report.skipped.append(source.name)
                report.outcomes.append(InputOutcome(source.name, "skipped", item.skip))
                continue
            if item.problem:
                report.failed.append(f"{source.name}: {item.problem}")
                report.outcomes.append(InputOutcome(source.name, "failed", item.problem))
                continue
            before = (report.imported, report.updated, report.duplicates, len(report.failed),
                      len(report.warnings), report.kept_first)
            problem = skip = None
            try:
                if source.size == 0:
                    raise ImportFailure("empty file")
                head = read_head(source)
                if not head.strip():
                    raise ImportFailure("empty file")
                if textutil.looks_binary(head):
                    raise ImportFailure("binary data, not text")
                chosen = fmt or detect_format(source.name, head)
                sha = file_sha256(source.open)
                base_name = os.path.basename(source.name.split(":", 1)[0])
                member = source.name.split(":", 1)[1] if ":" in source.name else None
                stem = os.path.splitext(os.path.basename(inner_name(source.name)))[0]
                for thing in importer(chosen).read(source, options):
                    if isinstance(thing, Article) and _too_long(thing, options):
                        where = f":{thing.origin['record']}" if thing.origin.get("record") else ""
                        report.failed.append(
                            f"{source.name}{where}: {options.limits.record_failure()}")
                    elif isinstance(thing, Article):
                        fresh = _stamp(thing, base_name, member, sha, imported_at)
                        _qualify_numeric_id(thing, stem)
                        _add(thing, archive, session, report, known, chosen, source.name,
                             dry_run, progress, fresh)
                    elif isinstance(thing, RecordWarning):
                        report.warn(source.name, thing.record, textutil.clip(thing.reason, _REASON))
                    else:
                        where = f":{thing.record}" if thing.record else ""
                        report.failed.append(
                            f"{source.name}{where}: {textutil.clip(thing.reason, _REASON)}")
            except NothingToImport as exc:
                skip = textutil.clip(str(exc), _REASON)
            except ImportFailure as exc:
                problem = textutil.clip(str(exc), _REASON)
            except ArchiveError:  # the archive's own trouble (a full disk): stops the batch
                raise
            except (OSError, EOFError, UnicodeError) as exc:
                problem = textutil.clip(f"cannot read: {exc}", _REASON)
            except Exception as exc:  # noqa: BLE001 - one input's trouble is never the batch's
                # named by its type, so that a bug in arch stays visible in the summary
                problem = textutil.clip(f"{type(exc).__name__}: {exc}", _REASON)
            if problem is not None:
                report.failed.append(f"{source.name}: {problem}")
            report.outcomes.append(_outcome(source.name, report, before, problem, skip))
        if session is not None:
            if report.imported or report.updated:
                archive.corpus.make_durable(report.paths)
                session.commit()
            else:
                session.cancel()
    except BaseException:
        if session is not None:
            session.cancel()
        raise
    finally:
        remove_temporaries()
    report.seconds = time.perf_counter() - started
    return report


#: The longest reason shown for a failure (a reason quoting input never floods the terminal).
_REASON = 240


def _too_long(article: Article, options: ImportOptions) -> bool:
    """An article longer than any real news story (``import.max_article_mb``): indexing it
    would slow every later search, so it is refused like an oversized record."""
    return len(article.body) + len(article.title) > options.limits.article


def _outcome(
    name: str,
    report: ImportReport,
    before: tuple[int, ...],
    problem: str | None,
    skip: str | None = None,
) -> InputOutcome:
    """The one outcome of an input, from what the report gained while reading it."""
    imported = report.imported - before[0]
    updated = report.updated - before[1]
    duplicates = report.duplicates - before[2]
    failed = len(report.failed) - before[3]
    kept_first = report.kept_first - before[5]
    if problem is not None:
        status, reason = "failed", problem
    elif skip is not None and not (imported or updated or duplicates or failed):
        status, reason = "skipped", skip
        report.skipped.append(name)
    elif imported:
        status, reason = "imported", None
    elif updated:
        status, reason = "updated", None
    elif duplicates:
        status, reason = "duplicate", None
    elif failed:
        status, reason = "failed", f"{failed} record{'s' if failed != 1 else ''} failed"
    elif kept_first:
        status, reason = "skipped", "its ids were taken (--on-conflict keep-first)"
        report.skipped.append(name)
    else:
        # nothing came out of it and nothing was said: never let such an input vanish
        status, reason = "skipped", "no articles in it"
        report.skipped.append(name)
        if len(report.warnings) == before[4]:
            report.warn(name, None, "no articles found in it")
    return InputOutcome(name, status, reason, imported, updated, duplicates, failed)


def _stamp(article: Article, name: str, member: str | None, sha: str, imported_at: str) -> bool:
    """Record where the article came from, unless it is one of our own article files being
    re-imported (it already says where it came from, and the round trip must be exact).
    Returns whether it did."""
    if article.imported_at and article.origin.get("sha256"):
        return False
    record = article.origin.get("record")
    article.origin = {"file": name}
    if member:
        article.origin["member"] = member
    article.origin["sha256"] = sha
    if record is not None:
        article.origin["record"] = record
    article.imported_at = imported_at
    return True


def _qualify_numeric_id(article: Article, stem: str) -> None:
    """Bare numbers ("1", "2") are ids only within their file; two exports would collide.
    Prefix them with the source (or file) name: ``reuters-1``, ``desk-export-2``."""
    if article.id and article.id.isdigit():
        prefix = slugify(article.source or stem, limit=40) or "record"
        article.id = f"{prefix}-{article.id}"


#: What a text does whose id is taken by an article with other text (``--on-conflict``).
CONFLICT_POLICIES = ("auto", "version", "separate", "keep-first")


@dataclass
class _Known:
    """Ids and content fingerprints already in the archive, growing as the batch goes.

    ``fingerprints`` maps the fingerprint of every current article, and of the earlier versions
    of the ids met so far (read from ``corpus/.versions/<id>/`` when the id is first met), to
    its article's id, so that importing an old text again is a duplicate and never turns the
    article back.
    ``planned`` holds the bodies of a dry run's articles, which are not on disk to compare with.
    """

    ids: dict[str, str]
    fingerprints: dict[str, str]
    policy: str = "auto"
    planned: dict[str, str] = field(default_factory=dict)
    #: ids whose earlier versions' fingerprints have been read into ``fingerprints``
    _kept: SpillDict[bool] = field(default_factory=SpillDict)

    def duplicate_of(self, article: Article, fingerprint: str, archive: Archive) -> str | None:
        """The id of the article whose text this is: a current one, or an earlier version of
        the article with this id (or of the separate articles that took ``id-2`` … for it)."""
        if fingerprint in self.fingerprints:
            return self.fingerprints[fingerprint]
        for candidate in self.candidates(article.id or ""):
            if candidate not in self._kept:
                self._kept[candidate] = True
                for rel in archive.corpus.version_numbers(candidate).values():
                    try:
                        kept = archive.corpus.read(rel)
                    except (OSError, UnicodeDecodeError, ValueError):
                        continue  # arch check reports it; it cannot be a duplicate's original
                    self.fingerprints.setdefault(kept.fingerprint(), candidate)
        return self.fingerprints.get(fingerprint)

    def current_body(self, article_id: str, archive: Archive) -> str:
        if article_id in self.planned:
            return self.planned[article_id]
        try:
            return archive.corpus.read(self.ids[article_id]).body
        except (OSError, UnicodeDecodeError, ValueError):
            return ""  # an unreadable file is no story to compare with: a separate article

    def adopt(self, article: Article, archive: Archive) -> None:
        """Take in a file already at the path this article would be written to that the index
        does not list (written by an import with ``--no-index``, or by hand since the last
        update), so that it is compared with and never overwritten."""
        rel = archive.corpus.relpath_for(article)
        try:
            there = archive.corpus.read(rel)
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, ValueError):
            there = None
        self.ids[article.id or ""] = rel
        if there is not None:
            self.fingerprints.setdefault(there.fingerprint(), article.id or "")

    def candidates(self, article_id: str) -> list[str]:
        """The article with this id and the separate articles that took ``id-2``, ``id-3`` …
        because it was taken."""
        found = [article_id]
        while sibling_id(article_id, len(found) + 1) in self.ids:
            found.append(sibling_id(article_id, len(found) + 1))
        return found

    def imported_before(self, article: Article, archive: Archive) -> bool:
        """True when this record of this very input file (same sha256, member and record) is
        already an article or an earlier version of one: its text differs only because the
        article file was edited since, and importing the input again must not undo the edit.
        (Only for articles read from an input now: one of our own article files carries the
        origin of the input it once came from, edited or not.)"""
        if not article.origin.get("sha256"):
            return False
        key = _origin_key(article.origin)
        for candidate in self.candidates(article.id or ""):
            rels = [self.ids[candidate], *archive.corpus.version_numbers(candidate).values()]
            for rel in rels:
                try:
                    if _origin_key(archive.corpus.read(rel).origin) == key:
                        return True
                except (OSError, UnicodeDecodeError, ValueError):
                    continue
        return False

    def resolve(self, article: Article, archive: Archive) -> tuple[str, str, float]:
        """For a text whose id is taken: ``("version", id of the article it revises,
        overlap)`` or ``("separate", a free id for it, best overlap)``.

        Besides the article with its id, the separate articles that once took ``id-2``,
        ``id-3`` … for the same reason are candidates: a revision of the second story under
        the shared id updates the second story.
        """
        base = article.id or ""
        candidates = self.candidates(base)
        free = sibling_id(base, len(candidates) + 1)
        if self.policy == "version":
            return "version", base, 1.0
        if self.policy == "separate":
            return "separate", free, 0.0
        best, best_id, revision = 0.0, base, False
        for candidate in candidates:
            same, overlap = is_revision(self.current_body(candidate, archive), article.body)
            if (same, overlap) > (revision, best):
                best, best_id, revision = overlap, candidate, same
        if revision:
            return "version", best_id, best
        return "separate", free, best


def _origin_key(origin: dict[str, object]) -> tuple[object, object, object]:
    return origin.get("sha256"), origin.get("member"), origin.get("record")


def _add(
    article: Article,
    archive: Archive,
    session: IndexSession | None,
    report: ImportReport,
    known: _Known,
    fmt: str,
    source_name: str,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    fresh: bool,
) -> None:
    article.title = article.title.strip()
    if not article.title and not article.body.strip():
        where = f":{article.origin['record']}" if article.origin.get("record") else ""
        report.failed.append(f"{source_name}{where}: empty article (no title and no text)")
        return
    if not article.title:
        # every article has a title (search lists, check): its opening words stand in
        from .importers.lines import title_of

        article.title = title_of(" ".join(article.body.split()))
        report.warn(source_name, article.origin.get("record"),
                    "no title; titled by its opening words")
    article_id = article.ensure_id()
    fingerprint = article.fingerprint()
    if article_id not in known.ids and not dry_run:
        known.adopt(article, archive)
    duplicate_of = known.duplicate_of(article, fingerprint, archive)
    if duplicate_of:
        report.duplicates += 1
        action = f"duplicate of {duplicate_of}"
    elif article_id in known.ids and fresh and known.imported_before(article, archive):
        report.duplicates += 1
        action = f"duplicate of {article_id} (imported from this input before; edited since)"
    elif article_id in known.ids and known.policy == "keep-first":
        report.kept_first += 1
        report.warn(
            source_name, article.origin.get("record"),
            f"id {article_id!r} is already used by an article with other text; not imported "
            "(--on-conflict keep-first)",
        )
        action = f"not imported: id of {article_id} (keep-first)"
    elif article_id in known.ids:
        decision, target, overlap = known.resolve(article, archive)
        if decision == "version":
            action = _update(article, target, archive, session, report, known, dry_run)
            report.updated += 1
        else:
            report.warn(
                source_name, article.origin.get("record"),
                f"id {article_id!r} is already used by a different article "
                f"({overlap:.0%} of the text in common); imported as {target!r}",
            )
            article.id = target
            action = _write_new(article, fingerprint, archive, session, report, known, dry_run)
        if progress:
            progress(1)
    else:
        action = _write_new(article, fingerprint, archive, session, report, known, dry_run)
        if progress:
            progress(1)
    if dry_run:
        report.planned.append(
            PlannedArticle(source_name, fmt, article_id, article.title, article.date, action)
        )


def _write_new(
    article: Article,
    fingerprint: str,
    archive: Archive,
    session: IndexSession | None,
    report: ImportReport,
    known: _Known,
    dry_run: bool,
) -> str:
    """Write an article with an id of its own; returns what was done, for a dry run's plan."""
    article_id = article.id or ""
    rel = archive.corpus.relpath_for(article)
    if not dry_run:
        archive.corpus.write(article, rel)
        report.paths.append(rel)
        if session is not None:
            session.add(rel, article, fingerprint)
    else:
        known.planned[article_id] = article.body
    known.ids[article_id] = rel
    known.fingerprints[fingerprint] = article_id
    report.imported += 1
    report.ids.append(article_id)
    return f"import to corpus/{rel}"


def _update(
    article: Article,
    target: str,
    archive: Archive,
    session: IndexSession | None,
    report: ImportReport,
    known: _Known,
    dry_run: bool,
) -> str:
    """Make ``article`` the current version of ``target``, keeping the text it replaces.

    The current file is first copied, byte for byte, to ``corpus/.versions/<id>/<n>.md`` and
    made durable; only then is it replaced, in place (the article keeps its path, even when
    the revision moved its date). A kill in between leaves the old text twice, never lost;
    importing again completes the update. An existing version file is never overwritten with
    other bytes: a number taken by another text moves the old text to the next free one.
    """
    rel = known.ids[target]
    article.id = target
    if dry_run:
        known.planned[target] = article.body
        known.fingerprints[article.fingerprint()] = target
        return f"update of {target} (its current text kept as an earlier version)"
    data = (archive.corpus.root / rel).read_bytes()
    kept = archive.corpus.version_numbers(target)
    try:
        number = version_number(articlefile.loads(data.decode("utf-8")))
    except ValueError:  # unreadable as an article: kept all the same, as it is
        number = max(kept, default=0) + 1
    already = number in kept and (archive.corpus.root / kept[number]).read_bytes() == data
    if number in kept and not already:
        number = max(kept) + 1
    if not already:
        archive.corpus.keep_version(target, number, data)
    article.extra["version"] = max([number, *kept]) + 1
    fingerprint = article.fingerprint()
    archive.corpus.write(article, rel)
    report.paths.append(rel)
    if session is not None:
        session.replace(rel, article, fingerprint)
    known.fingerprints[fingerprint] = target
    return f"update of {target}: version {article.extra['version']} (version {number} kept)"
