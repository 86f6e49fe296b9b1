"""Import: read inputs, write one article file each, index what was added.

Guarantees: an input that fails leaves no article file behind; duplicates (same id, or same
normalised title and body) are counted, not written; every article file appears whole or not at
all; and the index catches up with whatever was written even if the import is killed midway
(the next ``arch index`` or search picks the files up).
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

from . import textutil
from .article import Article, slugify
from .errors import ArchiveError
from .importers import (
    FORMATS,
    ImportFailure,
    ImportOptions,
    Input,
    NotAnArticle,
    RecordWarning,
    detect_format,
    importer,
    inner_name,
    read_head,
    remove_temporaries,
)

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

    ``status`` is ``imported`` (at least one new article), ``duplicate`` (articles, all of them
    already in the archive), ``skipped`` (passed over on purpose, ``reason`` says why) or
    ``failed`` (``reason`` says why, or some of its records failed and none was kept).
    """

    name: str
    status: str
    reason: str | None = None
    imported: int = 0
    duplicates: int = 0
    failed: int = 0


@dataclass
class ImportReport:
    """The outcome of one import batch."""

    imported: int = 0
    duplicates: int = 0
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
        return (
            f"imported {self.imported}, duplicates {self.duplicates}, failed {len(self.failed)}"
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
) -> ImportReport:
    """Import every input into ``archive``; the caller holds the write lock (unless dry run).

    Whatever goes wrong inside one input (bad data, a lying zip header, a bug in an importer)
    is that input's failure, with the reason, and the batch goes on; only an interruption
    (Ctrl-C) or an error of the archive itself stops it. A format name that does not exist is
    an :class:`~archive_search.errors.ArchiveError` before anything is read.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ArchiveError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    options = options or ImportOptions()
    report = ImportReport()
    started = time.perf_counter()
    manifest = archive.index.load_manifest()
    known = _Known(
        ids=manifest.ids(),
        fingerprints=manifest.fingerprints(),
        id_fingerprints={e.id: e.fingerprint for e in manifest.files.values()},
    )
    session = archive.index.session(bulk=bulk_hint) if index and not dry_run else None
    imported_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
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
            before = (report.imported, report.duplicates, len(report.failed),
                      len(report.warnings))
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
                        _stamp(thing, base_name, member, sha, imported_at)
                        _qualify_numeric_id(thing, stem)
                        _add(thing, archive, session, report, known, chosen, source.name,
                             dry_run, progress)
                    elif isinstance(thing, RecordWarning):
                        report.warn(source.name, thing.record, textutil.clip(thing.reason, _REASON))
                    else:
                        where = f":{thing.record}" if thing.record else ""
                        report.failed.append(
                            f"{source.name}{where}: {textutil.clip(thing.reason, _REASON)}")
            except NotAnArticle as exc:
                skip = textutil.clip(str(exc), _REASON)
            except ImportFailure as exc:
                problem = textutil.clip(str(exc), _REASON)
            except (OSError, EOFError, UnicodeError) as exc:
                problem = textutil.clip(f"cannot read: {exc}", _REASON)
            except Exception as exc:  # noqa: BLE001 - one input's trouble is never the batch's
                # named by its type, so that a bug in arch stays visible in the summary
                problem = textutil.clip(f"{type(exc).__name__}: {exc}", _REASON)
            if problem is not None:
                report.failed.append(f"{source.name}: {problem}")
            report.outcomes.append(_outcome(source.name, report, before, problem, skip))
        if session is not None:
            if report.imported:
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
    before: tuple[int, int, int, int],
    problem: str | None,
    skip: str | None = None,
) -> InputOutcome:
    """The one outcome of an input, from what the report gained while reading it."""
    imported = report.imported - before[0]
    duplicates = report.duplicates - before[1]
    failed = len(report.failed) - before[2]
    if problem is not None:
        status, reason = "failed", problem
    elif skip is not None and not (imported or duplicates or failed):
        status, reason = "skipped", skip
        report.skipped.append(name)
    elif imported:
        status, reason = "imported", None
    elif duplicates:
        status, reason = "duplicate", None
    elif failed:
        status, reason = "failed", f"{failed} record{'s' if failed != 1 else ''} failed"
    else:
        # nothing came out of it and nothing was said: never let such an input vanish
        status, reason = "skipped", "no articles in it"
        report.skipped.append(name)
        if len(report.warnings) == before[3]:
            report.warn(name, None, "no articles found in it")
    return InputOutcome(name, status, reason, imported, duplicates, failed)


def _stamp(article: Article, name: str, member: str | None, sha: str, imported_at: str) -> None:
    """Record where the article came from, unless it is one of our own article files being
    re-imported (it already says where it came from, and the round trip must be exact)."""
    if article.imported_at and article.origin.get("sha256"):
        return
    record = article.origin.get("record")
    article.origin = {"file": name}
    if member:
        article.origin["member"] = member
    article.origin["sha256"] = sha
    if record is not None:
        article.origin["record"] = record
    article.imported_at = imported_at


def _qualify_numeric_id(article: Article, stem: str) -> None:
    """Bare numbers ("1", "2") are ids only within their file; two exports would collide.
    Prefix them with the source (or file) name: ``reuters-1``, ``desk-export-2``."""
    if article.id and article.id.isdigit():
        prefix = slugify(article.source or stem, limit=40) or "record"
        article.id = f"{prefix}-{article.id}"


@dataclass
class _Known:
    """Ids and content fingerprints already in the archive, growing as the batch goes."""

    ids: dict[str, str]
    fingerprints: dict[str, str]
    id_fingerprints: dict[str, str]

    def duplicate_of(self, article_id: str, fingerprint: str) -> str | None:
        if article_id in self.ids:
            return article_id
        return self.fingerprints.get(fingerprint)


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
) -> None:
    article.title = article.title.strip()
    if not article.title and not article.body.strip():
        where = f":{article.origin['record']}" if article.origin.get("record") else ""
        report.failed.append(f"{source_name}{where}: empty article (no title and no text)")
        return
    article_id = article.ensure_id()
    fingerprint = article.fingerprint()
    duplicate_of = known.duplicate_of(article_id, fingerprint)
    if duplicate_of:
        report.duplicates += 1
        action = f"duplicate of {duplicate_of}"
        if duplicate_of == article_id and known.id_fingerprints.get(article_id) != fingerprint:
            report.warn(
                source_name, article.origin.get("record"),
                f"id {article_id!r} is already used by a different article; not imported "
                "(choose another id field with --map id=KEY)",
            )
    else:
        rel = archive.corpus.relpath_for(article)
        action = f"import to corpus/{rel}"
        if not dry_run:
            archive.corpus.write(article, rel)
            report.paths.append(rel)
            if session is not None:
                session.add(rel, article, fingerprint)
        known.ids[article_id] = rel
        known.fingerprints[fingerprint] = article_id
        known.id_fingerprints[article_id] = fingerprint
        report.imported += 1
        report.ids.append(article_id)
        if progress:
            progress(1)
    if dry_run:
        report.planned.append(
            PlannedArticle(source_name, fmt, article_id, article.title, article.date, action)
        )
