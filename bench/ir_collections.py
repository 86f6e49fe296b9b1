"""Readers for the classic IR test collections TIME, CISI and Cranfield 1400.

Each collection is read from the files exactly as published (see section 2 of
``shared/corpora/README.md``) into one :class:`Collection`: documents with our ids, the queries
as typed, and graded relevance judgments keyed by those same ids. Everything that the files get
wrong is resolved here, once, so that the evaluation compares systems and not parsing luck:

* TIME: ``TIME.REL`` names documents by their 1-based position in ``TIME.ALL`` (not by TEXT
  number) and cites positions 424 and 425, which do not exist; those pairs are dropped and kept
  in :attr:`Collection.dropped_pairs`. Headers are irregular (``08/30 63``, runs of spaces).
  TIME has no title field, so the first text line (which starts with the headline words)
  becomes the title; the body keeps the whole text, first line included.
* CISI: CRLF line endings and field markers with trailing spaces (``.T ``). The query is the
  ``.W`` text; the ``.T``/``.A``/``.B`` that 55 queries also carry describe the paper the query
  was taken from and are not part of what a user typed.
* Cranfield: ``cranqrel`` numbers queries 1..225 by position while ``cran.qry`` says
  ``.I 001, 002, 004 ...``, so queries are keyed by position. Grades follow Cleverdon's codes in
  ``cranqrel.readme`` (1 = complete answer ... 4 = minimum interest) and become the gain
  ``5 - grade`` (4 ... 1); ``-1`` (unexplained, once per query) is judged *not relevant*,
  gain 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

NAMES = ("time", "cisi", "cranfield")

_WS = re.compile(r"\s+")
_SMART_MARKER = re.compile(r"^\.([A-Z])(?:\s+(\d+))?\s*$")
_TIME_HEADER = re.compile(r"^\*TEXT\s+(\d+)\b(.*)$")
_TIME_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})[/ ](\d{2})\b")
_TIME_FIND = re.compile(r"^\*FIND\s+(\d+)\s*$")


@dataclass(frozen=True)
class Document:
    """One document as it is imported: ``date`` is ISO 8601 text or None."""

    id: str
    title: str
    body: str
    date: str | None = None

    def to_json(self) -> str:
        record = {"id": self.id, "title": self.title, "body": self.body}
        if self.date:
            record["date"] = self.date
        return json.dumps(record, ensure_ascii=False)


@dataclass
class Collection:
    """Documents, queries and judgments of one test collection.

    ``queries`` maps query id to the query text with white space collapsed, in file order.
    ``qrels`` maps query id to ``{doc id: gain}``; a gain of 0 records a judged non-relevant
    document (Cranfield's ``-1``). ``dropped_pairs`` are judgments naming documents that do not
    exist, as ``(query id, doc number as written)``.
    """

    name: str
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    graded: bool = False
    dropped_pairs: list[tuple[str, str]] = field(default_factory=list)

    def relevant(self, query_id: str) -> dict[str, int]:
        """The documents with a positive gain for ``query_id``."""
        return {doc: gain for doc, gain in self.qrels.get(query_id, {}).items() if gain > 0}

    def judged_queries(self) -> list[str]:
        """Ids of queries that have at least one relevant document, in file order: the ones
        a ranking can be scored on."""
        return [qid for qid in self.queries if self.relevant(qid)]


def load(name: str, root: Path) -> Collection:
    """Read collection ``name`` (one of :data:`NAMES`) from ``root`` (``shared/corpora/ir``)."""
    readers = {"time": read_time, "cisi": read_cisi, "cranfield": read_cranfield}
    if name not in readers:
        raise ValueError(f"unknown collection {name!r}; choose from {', '.join(NAMES)}")
    return readers[name](root / name)


def write_jsonl(documents: Iterable[Document], path: Path) -> None:
    """Write one JSON object per line (id, title, body, date) for the JSONL importer."""
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            out.write(doc.to_json() + "\n")


def collapse(text: str) -> str:
    """White space runs (including line ends) become one space; ends are trimmed."""
    return _WS.sub(" ", text).strip()


# --- TIME -------------------------------------------------------------------------------------


def read_time(folder: Path) -> Collection:
    documents = list(_time_documents(_read_text(folder / "TIME.ALL")))
    queries: dict[str, str] = {}
    for qid, lines in _starred_records(_read_text(folder / "TIME.QUE"), _TIME_FIND):
        queries[qid] = collapse(" ".join(lines))
    by_position = {str(n): doc.id for n, doc in enumerate(documents, start=1)}
    qrels: dict[str, dict[str, int]] = {}
    dropped: list[tuple[str, str]] = []
    for line in _read_text(folder / "TIME.REL").splitlines():
        fields = line.split()
        if not fields:
            continue
        qid, positions = fields[0], fields[1:]
        judged = qrels.setdefault(qid, {})
        for position in positions:
            if position in by_position:
                judged[by_position[position]] = 1
            else:
                dropped.append((qid, position))
    return Collection("time", documents, queries, qrels, dropped_pairs=dropped)


def _time_documents(text: str) -> Iterator[Document]:
    header: re.Match[str] | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = _TIME_HEADER.match(line)
        if match or line.startswith("*STOP"):
            if header:
                yield _time_document(header, lines)
            header, lines = match, []
        elif header:
            lines.append(line)


def _time_document(header: re.Match[str], lines: list[str]) -> Document:
    text_lines = [line.strip() for line in lines if line.strip()]
    date = None
    found = _TIME_DATE.search(header.group(2))
    if found:
        month, day, year = (int(part) for part in found.groups())
        date = f"{1900 + year:04d}-{month:02d}-{day:02d}"
    title = collapse(text_lines[0]) if text_lines else ""
    return Document(f"time-{int(header.group(1))}", title, "\n".join(text_lines), date)


def _starred_records(text: str, start: re.Pattern[str]) -> Iterator[tuple[str, list[str]]]:
    """Records of a ``*FIND n`` ... ``*STOP`` file as (number, text lines)."""
    number: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = start.match(line)
        if match or line.startswith("*STOP"):
            if number is not None:
                yield number, lines
            number, lines = (str(int(match.group(1))) if match else None), []
        elif number is not None:
            lines.append(line)


# --- SMART-tagged files: CISI and Cranfield ----------------------------------------------------


def _smart_records(text: str) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """Records of a SMART file as ``(id as written, {marker: [section text, ...]})``.

    A marker repeated inside one record (Cranfield 576's second ``.W``) adds a section rather
    than replacing the first. Marker lines may carry trailing spaces; ``\\r`` is dropped.
    """
    record_id: str | None = None
    fields: dict[str, list[list[str]]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _SMART_MARKER.match(line)
        if match and match.group(1) == "I" and match.group(2):
            if record_id is not None:
                yield record_id, _joined(fields)
            record_id, fields, current = match.group(2), {}, None
        elif match and not match.group(2) and record_id is not None:
            current = []
            fields.setdefault(match.group(1), []).append(current)
        elif current is not None:
            current.append(line.rstrip())
    if record_id is not None:
        yield record_id, _joined(fields)


def _joined(fields: dict[str, list[list[str]]]) -> dict[str, list[str]]:
    return {
        key: ["\n".join(lines).strip() for lines in sections] for key, sections in fields.items()
    }


def _smart_documents(text: str, prefix: str) -> list[Document]:
    documents = []
    for record_id, fields in _smart_records(text):
        title = collapse(" ".join(fields.get("T", [])))
        body = "\n\n".join(section for section in fields.get("W", []) if section)
        documents.append(Document(f"{prefix}-{int(record_id)}", title, body))
    return documents


def read_cisi(folder: Path) -> Collection:
    documents = _smart_documents(_read_text(folder / "CISI.ALL"), "cisi")
    queries = {
        str(int(qid)): collapse(" ".join(fields.get("W", [])))
        for qid, fields in _smart_records(_read_text(folder / "CISI.QRY"))
    }
    known = {doc.id for doc in documents}
    qrels: dict[str, dict[str, int]] = {}
    dropped: list[tuple[str, str]] = []
    for line in _read_text(folder / "CISI.REL").splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        qid, doc_id = str(int(fields[0])), f"cisi-{int(fields[1])}"
        if doc_id in known:
            qrels.setdefault(qid, {})[doc_id] = 1
        else:
            dropped.append((qid, fields[1]))
    return Collection("cisi", documents, queries, qrels, dropped_pairs=dropped)


def read_cranfield(folder: Path) -> Collection:
    documents = _smart_documents(_read_text(folder / "cran.all.1400"), "cran")
    queries = {
        str(position): collapse(" ".join(fields.get("W", [])))
        for position, (_, fields) in enumerate(_smart_records(_read_text(folder / "cran.qry")), 1)
    }
    known = {doc.id for doc in documents}
    qrels: dict[str, dict[str, int]] = {}
    dropped: list[tuple[str, str]] = []
    for line in _read_text(folder / "cranqrel").splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        qid, doc_id, grade = str(int(fields[0])), f"cran-{int(fields[1])}", int(fields[2])
        if doc_id in known:
            qrels.setdefault(qid, {})[doc_id] = cranfield_gain(grade)
        else:
            dropped.append((qid, fields[1]))
    return Collection("cranfield", documents, queries, qrels, graded=True, dropped_pairs=dropped)


def cranfield_gain(grade: int) -> int:
    """Gain of a Cranfield relevance code: 1 (complete answer) -> 4 ... 4 (minimum interest)
    -> 1; anything else, notably the unexplained ``-1``, counts as not relevant (0)."""
    return 5 - grade if 1 <= grade <= 4 else 0


def _read_text(path: Path) -> str:
    """The file as text; the collections are 7-bit ASCII, but a stray byte must not stop a
    benchmark, so undecodable bytes are replaced."""
    return path.read_bytes().decode("utf-8", errors="replace")
