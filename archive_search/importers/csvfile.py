"""CSV and TSV tables with a header row: spreadsheet and database exports.

The delimiter is taken from the header line (comma, semicolon, tab or pipe, whichever splits
it into the most columns; always tab for ``.tsv``). Rows are streamed, quoted fields may hold
newlines, and a byte-order mark is ignored. Cells are only ever text: a cell such as
``=HYPERLINK(...)`` is imported as the characters it holds, never evaluated. Record numbers
are the line on which a row starts, which is its row number in a spreadsheet.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator

from ..article import Article
from . import textutil
from .base import ImportFailure, ImportOptions, RecordFailure, RecordWarning, Source
from .records import RecordConverter, fields_for_keys, has_key, open_records

NAME = "csv"
EXTENSIONS = (".csv", ".tsv", ".tab")

_DELIMITERS = (",", ";", "\t", "|")
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def sniff(head: bytes, name: str) -> bool:
    """A header line split by one delimiter into two or more cells, and a next line split the
    same way into as many."""
    lines = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()
    if len(lines) < 2 or lines[0].lstrip()[:1] in ("{", "[", "<", "-"):
        return False
    delimiter = _delimiter(lines[0], name)
    width = _width(lines[0], delimiter)
    return width >= 2 and _width(lines[1], delimiter) == width


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One article per data row; see the module docstring."""
    reader, converter = open_records(source, options)
    # a cell is at most one article long (the csv module's default, 128 KiB, is too small)
    csv.field_size_limit(options.limits.article)
    overlong: list[int] = []
    lines = _split_lone_cr(reader.lines(), overlong)
    leading = []  # blank lines before the header, kept so that line numbers stay right
    for line in lines:
        leading.append(line)
        if line.strip():
            break
    delimiter = _delimiter(leading[-1] if leading else "", source.name)
    rows = csv.reader(itertools.chain(leading, lines), delimiter=delimiter)
    try:
        columns = _unique_names(next((row for row in rows if row), []))
    except csv.Error as exc:
        raise ImportFailure(f"unreadable header row: {exc}") from None
    _check_columns(columns, converter)
    warned = False
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows, None)
        except csv.Error as exc:
            too_long = str(exc).startswith("field larger than field limit")
            reason = options.limits.record_failure() if too_long else f"unreadable row: {exc}"
            yield RecordFailure(reason, start)
            if rows.line_num < start:
                break
            continue
        while overlong:
            yield RecordFailure(options.limits.record_failure(), overlong.pop(0))
        if row is None:
            break
        if any(cell.strip() for cell in row):
            yield from converter.convert(dict(zip(columns, row, strict=False)), start)
        if reader.fallback_line is not None and not warned:
            warned = True
            yield RecordWarning(reader.fallback_note, reader.fallback_line)


def _check_columns(columns: list[str], converter: RecordConverter) -> None:
    """Fail the whole table when no row could have a title or text: a missing header row or a
    ``--map`` naming a column that is not there would otherwise fail every row alike."""
    shown = ", ".join(textutil.clip(c, 40) for c in columns[:12])
    shown = textutil.clip(shown, 200) + (" ..." if len(columns) > 12 else "")
    for field, column in converter.mapping.items():
        if not has_key(columns, column):
            raise ImportFailure(
                f"--map {field}={textutil.clip(column, 40)}: no such column (columns: {shown})"
            )
    if not {"title", "body"} & (fields_for_keys(columns) | set(converter.mapping)):
        raise ImportFailure(
            f"no title or text column (columns: {shown}); name one in the header row "
            "or use --map title=COLUMN"
        )


def _delimiter(line: str, name: str) -> str:
    """Tab for ``.tsv``/``.tab``; otherwise the candidate that splits the header most."""
    if name.lower().endswith((".tsv", ".tab")):
        return "\t"
    return max(_DELIMITERS, key=lambda d: _width(line, d))


def _width(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _split_lone_cr(lines: Iterator[str], overlong: list[int]) -> Iterator[str]:
    """Lines ended by a lone carriage return (old Mac files) split as the csv module expects;
    the numbers of lines too long to read go to ``overlong``."""
    for line in lines:
        if isinstance(line, textutil.Overlong):
            overlong.append(line.number)
            yield line
        elif "\r" in line.rstrip("\r\n"):
            yield from (part for part in _LONE_CR.split(line) if part)
        else:
            yield line


def _unique_names(cells: list[str]) -> list[str]:
    """Header names made usable as keys: blanks named by position, repeats numbered."""
    names: list[str] = []
    for position, cell in enumerate(cells, 1):
        name = textutil.one_line(cell) or f"column_{position}"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names
