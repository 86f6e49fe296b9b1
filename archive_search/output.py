"""Rows of results written as tables for people or as data for scripts.

Every format writes the same rows and the same field names, so a script can switch from
``--format csv`` to ``--format json`` without surprises. CSV and TSV cells that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) are prefixed with ``'``.

Articles can hold characters a terminal acts on instead of showing (an escape sequence that
clears the screen or sets the window title, a right-to-left override). :func:`visible` is the
one place that makes text safe for a terminal; tables and other text for people always go
through it, data formats only when they are written to a terminal (to a file or a pipe they keep
the data exactly), and the ``arch`` command passes all of its standard error through
:class:`TerminalSafe`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .errors import storage_error

#: Markers around highlighted words in snippets: written by search, turned into bold or
#: removed here.
HL_START, HL_END = "\x02", "\x03"

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "yaml", "markdown")
HIT_FIELDS = ("id", "date", "title", "source", "tags", "score", "snippet", "url", "path", "lang")
DEFAULT_FIELDS = {
    "table": ("date", "title", "source", "snippet"),
    "markdown": ("date", "title", "source", "snippet"),
}
DEFAULT_DATA_FIELDS = ("id", "date", "title", "source", "tags", "score", "snippet", "url")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_HL = re.compile(f"[{HL_START}{HL_END}]")
#: What a terminal acts on instead of showing: the C0 controls (escape, bell, backspace,
#: carriage return …), DEL and the C1 controls (0x9b starts a sequence as ESC [ does); the
#: bidirectional embeddings, overrides and isolates, which reorder the text around them; and
#: lone surrogates (the undecodable bytes of a file name), which cannot be encoded at all.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def parse_fields(spec: str | None, fmt: str, allowed: Sequence[str] = HIT_FIELDS) -> list[str]:
    """The columns to write: ``--fields a,b`` checked against ``allowed``, else the defaults."""
    if not spec:
        return list(DEFAULT_FIELDS.get(fmt, DEFAULT_DATA_FIELDS))
    fields = [f.strip().lower() for f in spec.split(",") if f.strip()]
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise ValueError(
            f"unknown field {unknown[0]!r} in --fields (choose from: {', '.join(allowed)})"
        )
    return fields


def write_rows(
    rows: Iterable[dict[str, Any]],
    fields: Sequence[str],
    fmt: str,
    out: TextIO,
    *,
    color: bool = False,
    width: int = 100,
) -> int:
    """Write ``rows`` (dicts with at least ``fields``) in format ``fmt``; returns the row count.

    A table's cells are always made :func:`visible`; the data formats are, only when ``out``
    is a terminal. The rows are written in one piece (see :func:`write_text`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    rows = [{f: row.get(f) for f in fields} for row in rows]
    buf = io.StringIO()
    if fmt in DATA_FORMATS:  # one document, written by dumps as every document is
        buf.write(dumps([{k: _data_value(v) for k, v in row.items()} for row in rows], fmt))
    else:  # the rows as one batch of stream_rows: one way of writing each of these formats
        _render_batch(rows, fields, fmt, buf, first=True, excel=False, color=color, width=width)
    if fmt == "table":  # made visible cell by cell, around arch's own highlighting
        _put(buf.getvalue(), out)
    else:
        write_text(buf.getvalue(), out)
    return len(rows)


#: How many rows :func:`stream_rows` renders at a time: enough that formatting costs little
#: per row, few enough that memory does not grow with the archive.
STREAM_BATCH = 200


def stream_rows(
    rows: Iterable[dict[str, Any]],
    fields: Sequence[str],
    fmt: str,
    out: TextIO,
    *,
    excel: bool = False,
    color: bool = False,
    width: int = 100,
) -> int:
    """Write ``rows`` as :func:`write_rows` does, a batch at a time as they come, so that an
    export of a whole archive never holds more than one batch: JSON as one array, YAML as one
    list, CSV/TSV, Markdown and table with their header once. ``excel`` (CSV and TSV) starts
    with a byte-order mark and ends every line with CRLF, as Excel needs to read UTF-8.
    Returns the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    terminal = _is_terminal(out)
    count = 0
    batch: list[dict[str, Any]] = []

    def flush(first: bool) -> None:
        buf = io.StringIO()
        if first and excel:
            buf.write("\ufeff")
        _render_batch(batch, fields, fmt, buf, first=first, excel=excel, color=color,
                      width=width)
        text = buf.getvalue()
        _put(visible(text, keep="\n\t") if terminal and fmt != "table" else text, out)

    for row in rows:
        batch.append({f: row.get(f) for f in fields})
        count += 1
        if len(batch) == STREAM_BATCH:
            flush(count == STREAM_BATCH)
            batch.clear()
    if batch or count == 0:
        flush(count <= STREAM_BATCH)
    if fmt == "json":
        _put("\n]\n" if count else "", out)
    _flush(out)
    return count


def _render_batch(rows: list[dict[str, Any]], fields: Sequence[str], fmt: str, buf: TextIO, *,
                  first: bool, excel: bool, color: bool, width: int) -> None:
    """One batch of :func:`stream_rows`, continuing what the batches before it wrote."""
    if fmt in ("json", "jsonl", "yaml"):
        data = [{k: _data_value(v) for k, v in row.items()} for row in rows]
        if fmt == "jsonl":
            for item in data:
                buf.write(json.dumps(item, ensure_ascii=False) + "\n")
        elif fmt == "yaml":
            buf.write(dumps(data, fmt) if data or first else "")
        elif not data:
            buf.write("[]\n" if first else "")
        else:
            items = ",\n".join(
                "  " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
                for item in data
            )
            buf.write(("[\n" if first else ",\n") + items)
    elif fmt in ("csv", "tsv"):
        _write_delimited(rows, fields, buf, "," if fmt == "csv" else "\t", header=first,
                         line_end="\r\n" if excel else "\n")
    else:
        table = io.StringIO()
        _write_table(rows, fields, table, fmt, color=color, width=width)
        text = table.getvalue()
        if not first:  # the header (and its rule) once, above the first batch
            text = text.split("\n", 2)[2] if text.count("\n") > 2 else ""
        buf.write(text)


def _flush(out: TextIO) -> None:
    """``out.flush()``, failing as :func:`_put` does: what stays buffered is written here."""
    try:
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(exc, out) from exc


#: The formats of one document of data (a record, a report), as ``arch show``, ``stats`` and
#: ``check`` write them.
DATA_FORMATS = ("json", "yaml")


def dumps(data: Any, fmt: str) -> str:
    """``data`` (dicts, lists, strings, numbers, None) as one JSON or YAML document: the one
    place arch turns data into JSON or YAML text, for rows and for single records alike."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown format {fmt!r} (choose from: {', '.join(DATA_FORMATS)})")


def write_data(data: Any, fmt: str, out: TextIO) -> None:
    """Write ``data`` as one JSON or YAML document (see :func:`dumps`), exact for a file or a
    pipe and made :func:`visible` on a terminal, as every format is (see :func:`write_text`)."""
    write_text(dumps(data, fmt), out)


def visible(text: str, keep: str = "") -> str:
    """``text`` safe to show on a terminal: every character of ``_UNSAFE`` is written as its
    Python escape (ESC as ``\\x1b``, U+202E as ``\\u202e``), so that it is seen and nothing
    is done with it. ``keep`` names the ones left as they are (``"\\n\\t"``: the line breaks
    and tabs of text that has several lines)."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


def write_text(text: str, out: TextIO, *, human: bool = False) -> None:
    """Write ``text``, made :func:`visible` (line breaks and tabs kept) when it is for people
    (``human``) or ``out`` is a terminal; data for a file or a pipe stays exact. A write that
    fails for lack of room is a :class:`~archive_search.errors.StorageError`."""
    if human or _is_terminal(out):
        text = visible(text, keep="\n\t")
    _put(text, out)


def _put(text: str, out: TextIO) -> None:
    """``out.write(text)``, where a failure (a full disk under a redirected stdout) is a
    :class:`~archive_search.errors.StorageError` naming the output; a closed pipe stays a
    BrokenPipeError, which the command ends on quietly."""
    try:
        out.write(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(exc, out) from exc


def _write_error(exc: OSError, out: TextIO) -> Exception:
    """The :class:`~archive_search.errors.StorageError` for a failed write to ``out``."""
    name = getattr(out, "name", None)
    where = name if isinstance(name, str) and not name.startswith("<") else "standard output"
    return storage_error(exc, where)


def _is_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


class TerminalSafe:
    """A text stream that makes everything written to it :func:`visible` (keeping line breaks
    and tabs) before passing it on: the ``arch`` command's standard error, so that no message
    (a file name, a query, a title) can carry a control sequence to the terminal, whoever
    wrote it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(visible(text, keep="\n\t"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return _is_terminal(self.stream)

    def __getattr__(self, name: str) -> Any:  # encoding, errors, fileno …: the stream's
        return getattr(self.stream, name)


def unfiltered(stream: TextIO) -> TextIO:
    """The stream under a :class:`TerminalSafe`, for arch's own control sequences (the progress
    line rewritten in place)."""
    return stream.stream if isinstance(stream, TerminalSafe) else stream


def plain(text: str) -> str:
    """Text without highlight markers."""
    return _HL.sub("", text)


def _data_value(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return "; ".join(f"{part}={score:.3f}" for part, score in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} ({v})" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return plain(str(value))


def neutralize(cell: str) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _write_delimited(rows: list[dict[str, Any]], fields: Sequence[str], out: TextIO,
                     delimiter: str, *, header: bool = True, line_end: str = "\n") -> None:
    """CSV is quoted as RFC 4180 says, records ending in CRLF as it says too; TSV has no
    quoting at all (tabs and line breaks inside a cell become spaces), so ``cut -f`` and
    ``awk -F'\t'`` read it directly, and its lines end in ``line_end`` (LF unless written for
    a spreadsheet)."""
    if delimiter == "\t":
        if header:
            out.write("\t".join(fields) + line_end)
        for row in rows:
            out.write("\t".join(neutralize(" ".join(_cell(row[f]).split())) for f in fields))
            out.write(line_end)
        return
    writer = csv.writer(out, lineterminator="\r\n")
    # Python's csv quotes a field for the characters of its line end only: a carriage return
    # alone would go out unquoted and end the record early for every reader
    quoted = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    if header:
        writer.writerow(fields)
    for row in rows:
        cells = [neutralize(_cell(row[f])) for f in fields]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)


def _write_table(rows: list[dict[str, Any]], fields: Sequence[str], out: TextIO, fmt: str,
                 *, color: bool, width: int) -> None:
    from tabulate import tabulate

    if not rows:
        return
    fixed = {"date": 10, "score": 8, "id": 30, "source": 22, "tags": 24, "path": 40, "url": 40,
             "articles": 8, "first": 10, "last": 10, "merged": 6}
    flexible = [f for f in fields if f not in fixed]
    room = max(width - sum(fixed.get(f, 0) + 2 for f in fields if f in fixed), 30)
    per_flexible = max(room // max(len(flexible), 1) - 2, 20)
    table = []
    for row in rows:
        line = []
        for f in fields:
            text = _cell(row[f]) if f != "snippet" else " ".join(str(row[f] or "").split())
            if fmt == "table":  # for people: nothing in it that a terminal would act on
                text = visible(text, keep=HL_START + HL_END if f == "snippet" else "")
            if f in ("date", "first", "last"):
                text = text[:10]
            limit = fixed.get(f, per_flexible)
            if fmt == "table":
                text = _shorten(text, limit if f != "snippet" else limit * 2)
                if f == "snippet":
                    text = _highlight(text, color)
            else:
                text = plain(text).replace("|", "\\|")
            line.append(text)
        table.append(line)
    if fmt == "markdown":
        out.write(tabulate(table, headers=list(fields), tablefmt="github") + "\n")
        return
    widths = {i: (fixed.get(f, per_flexible)) for i, f in enumerate(fields)}
    out.write(
        tabulate(
            table,
            headers=list(fields),
            tablefmt="simple",
            maxcolwidths=[widths[i] for i in range(len(fields))],
            disable_numparse=True,
        )
        + "\n"
    )


def _shorten(text: str, limit: int) -> str:
    visible = plain(text)
    if len(visible) <= limit:
        return text
    # cut on the visible text, then drop a dangling highlight start
    out, count = [], 0
    for ch in text:
        if ch in (HL_START, HL_END):
            out.append(ch)
            continue
        if count >= limit - 1:
            break
        out.append(ch)
        count += 1
    cut = "".join(out)
    if cut.count(HL_START) > cut.count(HL_END):
        cut += HL_END
    return cut + "…"


def _highlight(text: str, color: bool) -> str:
    if not color:
        return plain(text)
    return text.replace(HL_START, _BOLD).replace(HL_END, _RESET)


def render(rows: Iterable[dict[str, Any]], fields: Sequence[str], fmt: str) -> str:
    """The rows as a string (handy in tests and scripts)."""
    buf = io.StringIO()
    write_rows(rows, fields, fmt, buf)
    return buf.getvalue()
