"""Exports: the articles of an archive, every field of them, in the files other tools read.

An export is for scripts, spreadsheets and other engines, so it carries everything an article
file holds (every front-matter key and the body, ``--fields all``) and, without a query,
every article: there is no limit to forget. Articles are read and written one at a time, so
an archive of any size exports in bounded memory; only the list of ids and paths the index
hands over is held whole.

Three kinds of target:

* a stream of rows in one of :data:`~archive_search.output.FORMATS` (CSV, JSON Lines …),
  written through :func:`~archive_search.output.stream_rows`;
* ``sqlite``: one SQLite file holding a table ``articles`` with every field, the tags and
  names also as tables of their own, and a full-text index laid out as sqlite-utils lays
  it out, so ``datasette news.db`` and ``sqlite-utils search news.db articles Kim`` work on
  it as it is (see :func:`write_sqlite`);
* ``opensearch``: a folder with the index definition ``mapping.json`` (arch's analysers and
  its DFR weighting, as ``docs/engines.md`` designs them) and ``bulk-NNNNN.ndjson`` files for
  the ``_bulk`` API, each under a size cap (see :func:`write_opensearch`).

A file is written whole or not at all: to a temporary name beside the target, renamed over
it when complete. An article whose file cannot be read is left out and named in the report;
it is never silently missing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .article import Article, version_number
from .errors import ArchiveError, storage_error
from .options import ExportOptions, SearchOptions
from .output import FORMATS as ROW_FORMATS
from .output import stream_rows
from .store import TMP_PREFIX

if TYPE_CHECKING:
    from .archive import Archive
    from .config import Settings

#: Every field of an article, in the order an export writes them: the front matter, then
#: where the file is, then the body.
ARTICLE_FIELDS = ("id", "date", "title", "source", "url", "authors", "tags", "lang",
                  "see_also", "names", "origin", "imported_at", "version", "extra", "path",
                  "body")  # fmt: skip
#: What a search adds to each article it finds (only with a query, and only when asked for).
SEARCH_FIELDS = ("score", "snippet")
EXPORT_FIELDS = ARTICLE_FIELDS + SEARCH_FIELDS
#: The fields the index itself holds: an export of only these reads no article file.
_FROM_INDEX = frozenset({"id", "date", "title", "source", "tags", "url", "path", "lang",
                         "score", "snippet"})  # fmt: skip
#: Formats that write files of their own rather than rows.
FILE_FORMATS = ("sqlite", "opensearch")
FORMATS = (*ROW_FORMATS, *FILE_FORMATS)
#: The format each extension of ``-o`` means.
EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".txt": "table",
    ".db": "sqlite", ".sqlite": "sqlite", ".sqlite3": "sqlite",
}  # fmt: skip
#: The bulk files of an OpenSearch export; a folder holding only these and ``mapping.json``
#: is an earlier export, which a new one may replace.
BULK_PATTERN = "bulk-{:05d}.ndjson"
MAPPING = "mapping.json"
#: The most a reason list on stderr names before it says how many more there are.
_SHOWN = 5


class ExportError(ArchiveError):
    """The export cannot be made as asked (a usage error, exit status 2)."""


@dataclass
class ExportReport:
    """What an export wrote: ``articles`` exported, ``skipped`` as ``(id or path, reason)``
    for articles that could not be read, the ``files`` written and their ``bytes``."""

    format: str
    articles: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    notes: list[str] = field(default_factory=list)


def format_for(path: str | os.PathLike[str]) -> str:
    """The format an output file's extension names; :class:`ExportError` for any other (a
    file ``x.xlsx`` must never silently be written as CSV)."""
    suffix = Path(path).suffix.lower()
    found = EXTENSIONS.get(suffix)
    if found is None:
        known = " ".join(sorted(EXTENSIONS))
        what = f"extension {suffix!r}" if suffix else "no extension"
        raise ExportError(f"cannot tell the format of {os.fspath(path)!r} from its {what} "
                          f"(known: {known}); name one with --format")
    return found


def parse_export_fields(spec: str | None) -> tuple[str, ...] | None:
    """``--fields a,b`` (or ``all``) checked against :data:`EXPORT_FIELDS`; None for none
    given. :class:`ExportError` names an unknown field."""
    if not spec:
        return None
    fields = [f.strip().lower() for f in spec.split(",") if f.strip()]
    if fields == ["all"]:
        return ARTICLE_FIELDS
    unknown = [f for f in fields if f not in EXPORT_FIELDS]
    if unknown:
        raise ExportError(f"unknown field {unknown[0]!r} in --fields (choose from: all, "
                          f"{', '.join(EXPORT_FIELDS)})")
    return tuple(fields)


def export_articles(archive: Archive, options: ExportOptions,
                    out: TextIO | str | os.PathLike[str], *, color: bool = False,
                    width: int = 100) -> ExportReport:
    """Export the articles ``options`` selects to ``out``: a text stream (row formats only)
    or a path, written whole or not at all. Returns what was written. ``color`` and
    ``width`` are for a table on a terminal (highlighted snippets, the terminal's width)."""
    fmt = options.format
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    if options.excel and fmt not in ("csv", "tsv"):
        raise ExportError(f"--excel is for csv and tsv, not {fmt}")
    fields = ARTICLE_FIELDS if fmt in FILE_FORMATS else options.fields
    if not options.query and set(fields) & set(SEARCH_FIELDS):
        raise ExportError("score and snippet are fields of a search: give a query")
    report = ExportReport(fmt)
    if fmt in FILE_FORMATS and not isinstance(out, (str, os.PathLike)):
        raise ExportError(f"a {fmt} export is written to a file or folder: name it with -o")
    rows = _rows(archive, options, fields, report)
    if fmt not in _DATA_FORMATS and fmt not in FILE_FORMATS:
        rows = (_flat(row) for row in rows)
    if isinstance(out, (str, os.PathLike)):
        target = Path(out)
        if fmt == "sqlite":
            report.articles = write_sqlite(rows, target)
            report.files = [target]
        elif fmt == "opensearch":
            report.articles, report.files = write_opensearch(
                rows, target, archive.settings, chunk_bytes=int(options.chunk_mb * 2**20),
                notes=report.notes, names_of=_indexed_names(archive))
        else:
            with atomic_text(target) as stream:
                report.articles = stream_rows(rows, fields, fmt, stream, excel=options.excel)
            report.files = [target]
        report.bytes = sum(f.stat().st_size for f in report.files)
    else:
        report.articles = stream_rows(rows, fields, fmt, out, excel=options.excel, color=color,
                                      width=width)
    return report


#: Row formats whose cells may hold lists and objects as they are.
_DATA_FORMATS = ("json", "jsonl", "yaml")


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """``origin`` and ``extra`` as compact JSON text, for the formats of one line of text per
    cell (CSV, TSV, tables): readable, and read back by any JSON parser."""
    return {k: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
            if isinstance(v, dict) else v for k, v in row.items()}


def _rows(archive: Archive, options: ExportOptions, fields: tuple[str, ...],
          report: ExportReport) -> Iterator[dict[str, Any]]:
    """One row per selected article, read from its file only when a field needs it."""
    result = archive.search(options.query or "*", SearchOptions(
        since=options.since, until=options.until, limit=0, suggest=False,
        sort=options.sort or ("relevance" if options.query else "oldest"),
        snippets="snippet" in fields,
    ))
    report.skipped += [(path, "its file was deleted since the index was updated")
                       for path in result.gone]
    from_file = not _FROM_INDEX.issuperset(fields)
    for hit in result.hits:
        row = hit.as_dict()
        if from_file:
            rel = hit.path.removeprefix("corpus/")
            try:
                article = archive.corpus.read(rel)
            except FileNotFoundError:
                report.skipped.append((hit.id, f"{hit.path} was deleted a moment ago"))
                continue
            except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
                report.skipped.append((hit.id, f"{hit.path} cannot be read ({exc})"))
                continue
            row.update(article_fields(article))
        yield row


def _indexed_names(archive: Archive) -> Callable[[dict[str, Any]], list[str] | None]:
    """The names the index found in a row's article, from the manifest, when it indexed the
    file as it is now (same modification time and size); None otherwise. Finding them again
    in the text cost half a millisecond an article, a third of an OpenSearch export."""
    manifest = archive.index.load_manifest()

    def names_of(row: dict[str, Any]) -> list[str] | None:
        rel = str(row["path"]).removeprefix("corpus/")
        try:
            entry = manifest.files[rel]
            st = os.stat(archive.corpus.root / rel)
        except (KeyError, OSError):
            return None
        return entry.names if (st.st_mtime_ns, st.st_size) == (entry.mtime_ns, entry.size) else None

    return names_of


def article_fields(article: Article) -> dict[str, Any]:
    """Every field of ``article`` as data (JSON types only): its front matter, with keys
    arch does not know under ``extra``, the version number, and the body."""
    extra = {k: v for k, v in article.extra.items() if k != "version"}
    return {
        "id": article.id, "date": article.date, "title": article.title,
        "source": article.source, "url": article.url, "authors": list(article.authors),
        "tags": list(article.tags), "lang": article.lang, "see_also": list(article.see_also),
        "names": list(article.names), "origin": _plain_data(article.origin),
        "imported_at": article.imported_at, "version": version_number(article),
        "extra": _plain_data(extra), "body": article.body,
    }


def _plain_data(value: Any) -> Any:
    """``value`` with JSON types only: YAML dates become ISO text, anything else unknown
    its ``str``; hand-written front matter can hold either."""
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# -- files written whole or not at all -----------------------------------------------------------

def _temporary(target: Path) -> Path:
    """The temporary name ``target`` is written under, in its own folder (so the rename is
    atomic), with the prefix ``arch check`` and an import's clean-up know."""
    return target.parent / f"{TMP_PREFIX}{os.getpid()}-{target.name}"


class _NamedText(io.TextIOWrapper):
    """UTF-8 text into a temporary file that is named as its target: a write that fails
    (:func:`~archive_search.output.stream_rows` says so) names the file the user asked for,
    not a temporary name that is gone a moment later."""

    def __init__(self, raw: Any, target: Path) -> None:
        super().__init__(raw, encoding="utf-8", newline="")
        self._target = target

    @property
    def name(self) -> str:  # type: ignore[override]
        return str(self._target)


@contextlib.contextmanager
def atomic_text(target: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces ``target`` when the block ends without an
    error; on an error the temporary file is removed and ``target`` is as it was. Line
    ends are written as given (CSV's CRLF stays CRLF)."""
    if target.is_dir():
        raise ExportError(f"{target} is a folder; name a file to export to")
    tmp = _temporary(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _NamedText(open(tmp, "wb"), target) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise storage_error(exc, target) from exc
        raise


# -- SQLite ------------------------------------------------------------------------------------

#: The columns of ``articles``: lists and objects are JSON text (SQLite's ``json_each`` and
#: Datasette read them), ``version`` a number.
_SQL_COLUMNS = {name: "INTEGER" if name == "version" else "TEXT" for name in ARTICLE_FIELDS}
_JSON_COLUMNS = ("authors", "tags", "see_also", "names", "origin", "extra")
#: The related tables: one row per (article, value), for joins and Datasette's facets.
_LINKS = {"article_tags": ("tag", "tags"), "article_names": ("name", "names"),
          "article_authors": ("author", "authors")}


def write_sqlite(rows: Iterator[dict[str, Any]], target: Path) -> int:
    """Write the articles to a new SQLite file at ``target`` (replacing any file there when
    complete); returns how many.

    The full-text index follows sqlite-utils' conventions, which Datasette shares: an FTS5
    table ``articles_fts`` over ``title`` and ``body`` with ``content=[articles]``, filled
    from ``articles``' rowids, so both tools find it without being told. Its tokenizer stems
    English words and folds accents, as arch's index does (``porter unicode61
    remove_diacritics 2``). Written with the standard library's ``sqlite3``: sqlite-utils
    would only have saved the few statements below, for a dependency every install carries.
    """
    import sqlite3

    if target.is_dir():
        raise ExportError(f"{target} is a folder; name a file for the SQLite export")
    tmp = _temporary(target)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    count = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(tmp)
        try:
            db.executescript(_sqlite_schema())
            columns = ", ".join(f"[{c}]" for c in ARTICLE_FIELDS)
            marks = ", ".join("?" for _ in ARTICLE_FIELDS)
            insert = f"INSERT INTO articles ({columns}) VALUES ({marks})"
            for row in rows:
                values = [json.dumps(row[c], ensure_ascii=False) if c in _JSON_COLUMNS
                          else row[c] for c in ARTICLE_FIELDS]
                db.execute(insert, values)
                for table, (column, source) in _LINKS.items():
                    db.executemany(f"INSERT OR IGNORE INTO {table} (article_id, {column}) "
                                   "VALUES (?, ?)", [(row["id"], v) for v in row[source]])
                count += 1
            db.executescript(
                "INSERT INTO articles_fts (rowid, title, body) "
                "SELECT rowid, title, body FROM articles;"
                "INSERT INTO articles_fts (articles_fts) VALUES ('optimize');"
            )
            db.commit()
        finally:
            db.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise storage_error(exc, target) from exc
        if isinstance(exc, sqlite3.OperationalError):  # "database or disk is full", I/O
            raise storage_error(OSError(None, str(exc)), target) from exc
        raise
    return count


def _sqlite_schema() -> str:
    columns = ",\n  ".join(
        f"[{name}] {kind}{' PRIMARY KEY' if name == 'id' else ''}"
        for name, kind in _SQL_COLUMNS.items()
    )
    links = "\n".join(
        f"CREATE TABLE [{table}] ([article_id] TEXT NOT NULL REFERENCES [articles]([id]), "
        f"[{column}] TEXT NOT NULL, PRIMARY KEY ([article_id], [{column}]));\n"
        f"CREATE INDEX [idx_{table}_{column}] ON [{table}] ([{column}]);"
        for table, (column, _) in _LINKS.items()
    )
    return f"""
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE [articles] (
  {columns}
);
CREATE INDEX [idx_articles_date] ON [articles] ([date]);
CREATE INDEX [idx_articles_source] ON [articles] ([source]);
{links}
CREATE VIRTUAL TABLE [articles_fts] USING FTS5 (
    [title], [body],
    tokenize='porter unicode61 remove_diacritics 2',
    content=[articles]
);
"""


# -- OpenSearch --------------------------------------------------------------------------------

def write_opensearch(rows: Iterator[dict[str, Any]], target: Path, settings: Settings, *,
                     chunk_bytes: int, notes: list[str],
                     names_of: Callable[[dict[str, Any]], list[str] | None] | None = None,
                     ) -> tuple[int, list[Path]]:
    """Write ``mapping.json`` and the bulk files into the folder ``target``; returns the
    article count and the files.

    Each bulk file is what one ``_bulk`` request sends: pairs of an action line (``index``
    with ``_id`` = the article id, so that loading an export twice replaces rather than
    duplicates) and the document, every line ending in a newline, at most ``chunk_bytes``
    per file (an article larger than that alone in its file, named in ``notes``). No action
    names an index: the URL does (``POST /news/_bulk``). The folder is filled under a
    temporary name and swapped in when complete; an existing ``target`` must be empty or an
    earlier export, whose files are all replaced. ``names_of`` gives a row's names as the index
    found them, if it knows them (:func:`_indexed_names`).
    """
    from .opensearch import document, mapping

    _check_replaceable(target)
    tmp = _temporary(target)
    shutil.rmtree(tmp, ignore_errors=True)
    count, number, size = 0, 0, 0
    bulk: Any = None
    try:
        tmp.mkdir(parents=True)
        (tmp / MAPPING).write_text(
            json.dumps(mapping(settings), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for row in rows:
            action = json.dumps({"index": {"_id": row["id"]}})
            names = names_of(row) if names_of else None
            pair = (action + "\n" + json.dumps(document(row, names), ensure_ascii=False)
                    + "\n").encode("utf-8")
            if bulk is None or (size and size + len(pair) > chunk_bytes):
                if bulk is not None:
                    bulk.close()
                number, size = number + 1, 0
                bulk = open(tmp / BULK_PATTERN.format(number), "wb")  # noqa: SIM115
            if len(pair) > chunk_bytes:
                notes.append(f"article {row['id']} alone is {len(pair):,} bytes, over the "
                             f"{chunk_bytes:,} of a bulk file: it is in "
                             f"{BULK_PATTERN.format(number)} on its own")
            bulk.write(pair)
            size += len(pair)
            count += 1
        if bulk is not None:
            bulk.close()
            bulk = None
        old = target.parent / f"{TMP_PREFIX}{os.getpid()}-old-{target.name}"
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        if bulk is not None:
            bulk.close()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise storage_error(exc, target) from exc
        raise
    return count, [target / MAPPING, *(target / BULK_PATTERN.format(n)
                                       for n in range(1, number + 1))]


def _check_replaceable(target: Path) -> None:
    """Refuse a folder holding anything but an earlier export: replacing it would lose files
    arch did not write."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ExportError(f"{target} is a file; an OpenSearch export is a folder")
    ours = {MAPPING}
    others = [p.name for p in target.iterdir()
              if p.name not in ours and not (p.name.startswith("bulk-")
                                             and p.name.endswith(".ndjson"))]
    if others:
        raise ExportError(f"{target} holds files an OpenSearch export did not write "
                          f"({', '.join(sorted(others)[:3])}); name a new or empty folder")


def describe(report: ExportReport, target: str | None) -> list[str]:
    """The lines ``arch export`` writes on stderr: what was written and what was left out."""
    where = f" to {target}" if target else ""
    size = f" ({_size(report.bytes)} in {len(report.files)} files)" if len(report.files) > 1 \
        else f" ({_size(report.bytes)})" if report.files else ""
    noun = "article" if report.articles == 1 else "articles"
    lines = [f"exported {report.articles:,} {noun}{where}{size}"]
    lines += [f"note: {note}" for note in report.notes]
    if report.skipped:
        shown = "; ".join(f"{what}: {why}" for what, why in report.skipped[:_SHOWN])
        more = len(report.skipped) - _SHOWN
        lines.append(f"warning: {len(report.skipped):,} articles left out, their files "
                     f"unreadable: {shown}" + (f" (and {more:,} more)" if more > 0 else ""))
    return lines


def _size(count: int) -> str:
    if count < 1024:
        return f"{count:,} bytes"
    value, unit = count / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:,.1f} {unit}"
