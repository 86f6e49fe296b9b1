"""Reuters-21578 SGML files (``reut2-NNN.sgm``): 1,000 newswire stories of 1987 per file.

A file is a DOCTYPE line followed by ``<REUTERS …>…</REUTERS>`` elements with no root, so it is
not XML. It is read as a stream, one element at a time, with regular expressions: memory stays
bounded by the largest story, whatever the file size. The bytes are Latin-1 (one stray 0xFC in
``reut2-017``). Control characters are written as character references (``&#3;``) and one
terminal escape as ``&#27;[B``; they are wire noise and are dropped.

The same stories also travel as XML, one per file or many under a ``<LEWIS>`` root (R's ``tm``
package ships them so): those are read the same way, decoded as their XML declaration says
(UTF-8 when it says nothing, unless the bytes are not UTF-8: then the encoding is guessed and
said in a warning), and their ``&apos;`` and ``&quot;`` decoded like every other reference.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import re
from collections.abc import Iterator
from typing import BinaryIO

from ..article import Article
from ..dates import parse_date
from .base import ImportFailure, ImportOptions, RecordFailure, RecordWarning, Source
from .textutil import (
    decode_references,
    dedupe,
    encoding_note,
    guess_encoding,
    strip_controls,
)

NAME = "reuters"
EXTENSIONS = (".sgm",)

_CHUNK = 1 << 20
#: A story longer than this without ``</REUTERS>`` is broken input; the longest real one is
#: under 20 KB.
_MAX_STORY = 1 << 20
_OPEN, _CLOSE = "<REUTERS", "</REUTERS>"

_SNIFF = re.compile(rb"<!DOCTYPE\s+lewis|<REUTERS[\s>]")
_NEWID = re.compile(r'\bNEWID="(\d+)"')
_TEXT = re.compile(r"<TEXT([^>]*)>(.*?)</TEXT>", re.S)
_LISTS = ("topics", "places", "people", "orgs", "exchanges")
_LIST_RES = {name: re.compile(rf"<{name.upper()}>(.*?)</{name.upper()}>", re.S) for name in _LISTS}
_ITEM = re.compile(r"<D>(.*?)</D>", re.S)
_FIELD_RES = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.S)
    for name in ("DATE", "TITLE", "DATELINE", "BODY", "AUTHOR")
}
#: Control characters written as references, and the terminal escape ``&#27;[B``.
_CONTROL_REFERENCE = re.compile(r"&#27;\[B|&#(?:[0-9]|[12][0-9]|3[01]|127);")
_XML_DECLARATION = re.compile(
    rb"^(\xef\xbb\xbf)?<\?xml(?:[^>]*?\bencoding\s*=\s*[\"']([\w.:-]+)[\"'])?[^>]*\?>"
)
_DATE = re.compile(r"(\d{1,2})-([A-Z]{3})-(\d{4})\s+(\d{1,3}):(\d{2}):(\d{2})(?:\.\d+)?", re.I)
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
#: The closing ``Reuter`` (``REUTER``, ``Reuter...``, ``REUTER^M``, ``REUTER TAW``), alone on
#: its line or after the last sentence; some stories carry it twice.
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[\n.!?\")]))[ \t]*reuters?(?:\.\.\.|\^M|\s?[A-Z0-9]{1,3})?\s*$", re.I
)


def sniff(head: bytes, name: str) -> bool:
    """Reuters files start with ``<!DOCTYPE lewis …>`` or straight with a ``<REUTERS`` tag."""
    return bool(_SNIFF.search(head))


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """Yield one article per ``<REUTERS>`` element, in file order, streaming the file."""
    found = False
    with source.open() as stream:
        head = stream.read(_CHUNK)
    encoding, guessed = _encoding(head)
    with source.open() as stream:
        for record, (story, complete) in enumerate(stories(stream, encoding), 1):
            found = True
            if not complete:
                yield RecordFailure("story is not closed by </REUTERS>", record)
                continue
            yield from parse_story(story, record)
    if not found:
        raise ImportFailure("no <REUTERS> stories in the file")
    if guessed:
        yield RecordWarning(encoding_note(encoding))


def stories(stream: BinaryIO, encoding: str = "latin-1") -> Iterator[tuple[str, bool]]:
    """Each ``<REUTERS …>…</REUTERS>`` element's text, and whether it was closed.

    Reads the stream in 1 MiB chunks; an element that never closes is reported (False) once the
    next one starts, at the end of the input, or when it outgrows :data:`_MAX_STORY`.
    """
    buffer = ""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    while True:
        chunk = stream.read(_CHUNK)
        buffer += decoder.decode(chunk, final=not chunk)
        start = 0
        while (end := buffer.find(_CLOSE, start)) >= 0:
            end += len(_CLOSE)
            opens = _open_positions(buffer, start, end)
            for _ in opens[:-1]:
                yield "", False
            if opens:
                yield buffer[opens[-1] : end], True
            start = end
        buffer = buffer[start:]
        if len(buffer) > _MAX_STORY or not chunk:
            for _ in _open_positions(buffer, 0, len(buffer)):
                yield "", False
            # keep a possibly split tag at the very end for the next chunk
            buffer = buffer[-len(_CLOSE) :] if chunk else ""
        if not chunk:
            return


def _encoding(head: bytes) -> tuple[str, bool]:
    """Latin-1 for the SGML collection; what an XML copy declares, else UTF-8, else (for an XML
    copy that says nothing and is not UTF-8) a guess; and whether it was guessed."""
    match = _XML_DECLARATION.match(head)
    if match is None:
        return "latin-1", False
    if match.group(1):
        return "utf-8-sig", False
    if match.group(2) is None:
        try:  # a character the read cut in two at its end is no error
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return guess_encoding(head), True
        return "utf-8", False
    try:
        return codecs.lookup(match.group(2).decode("ascii")).name, False
    except LookupError:
        return "utf-8", False


def _open_positions(text: str, start: int, end: int) -> list[int]:
    positions = []
    pos = text.find(_OPEN, start, end)
    while pos >= 0:
        positions.append(pos)
        pos = text.find(_OPEN, pos + 1, end)
    return positions


def parse_story(story: str, record: int) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One ``<REUTERS>`` element as an article (then its warnings), or a record failure."""
    text_match = _TEXT.search(story)
    if text_match is None:
        yield RecordFailure("story has no <TEXT> element", record)
        return
    kind = text_match.group(1).upper()
    text = text_match.group(2)
    warnings: list[str] = []
    if "UNPROC" in kind:
        body = raw_text(text)
        title = _first_line(body)
    else:
        title = clean_inline(_field("TITLE", text)).lstrip("* ")
        body = "" if "BRIEF" in kind else body_paragraphs(_field("BODY", text))
    if not title and not body:
        # NEWID 12793 is such a story: an empty article would be nothing to search or show
        yield RecordFailure("empty story (no title and no text)", record)
        return
    newid = _NEWID.search(story[: story.find(">")])
    date, date_warning = story_date(_field("DATE", story))
    if date_warning:
        warnings.append(date_warning)
    lists = {name: story_list(story, name) for name in _LISTS}
    extra: dict[str, object] = {name: values for name, values in lists.items() if values}
    dateline = clean_inline(_field("DATELINE", text)).rstrip(" -")
    if dateline:
        extra["dateline"] = dateline
    yield Article(
        title=title,
        body=body,
        id=f"reuters-{newid.group(1)}" if newid else None,
        date=date,
        source="Reuters",
        authors=authors(_field("AUTHOR", text)),
        tags=dedupe(value for name in _LISTS for value in lists[name]),
        lang="en",
        origin={"record": record},
        extra=extra,
    )
    for reason in warnings:
        yield RecordWarning(reason, record)


def story_date(raw: str) -> tuple[str | None, str | None]:
    """``26-FEB-1987 15:01:01.79`` as ISO text, tolerating the collection's irregular forms.

    Leading or double spaces, wire junk after the time, one-digit fractions and the ``# date
    added by …`` comment are ignored. An impossible time (hour 605) keeps the day, with a
    warning.
    """
    cleaned = clean_inline(raw)
    match = _DATE.search(cleaned)
    if match is None:
        iso = parse_date(cleaned) if cleaned else None
        if iso is None:
            return None, f"date {cleaned[:40]!r} not understood; date left unknown"
        return iso, None
    day, month, year, hour, minute, second = match.groups()
    try:
        day_iso = _dt.date(int(year), _MONTHS.index(month.upper()) + 1, int(day)).isoformat()
    except ValueError:  # an unknown month name or a day the month does not have
        return None, f"date {cleaned[:40]!r} not understood; date left unknown"
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return day_iso, f"time in {match.group(0)!r} is impossible; kept the day only"
    return f"{day_iso}T{int(hour):02d}:{minute}:{second}", None


def story_list(story: str, name: str) -> list[str]:
    """The ``<D>`` values of every ``<NAME>`` element (some stories repeat an element)."""
    values = (
        clean_inline(item)
        for element in _LIST_RES[name].findall(story)
        for item in _ITEM.findall(element)
    )
    return dedupe(values)


def authors(raw: str) -> list[str]:
    """``By PATTI DOMM, Reuters`` → ``["Patti Domm"]``; joint bylines are split on "and"."""
    text = re.sub(r"^by\s+", "", clean_inline(raw), flags=re.I)
    text = re.sub(r",?\s*\breuters?\s*$", "", text, flags=re.I)
    names = (name.strip(" ,") for name in re.split(r"\s+and\s+|,", text, flags=re.I))
    return dedupe(_proper_case(name) for name in names)


def clean_inline(raw: str) -> str:
    """A one-line field: references decoded, control noise dropped, lines unwrapped."""
    return " ".join(unescape(raw).split())


def body_paragraphs(raw: str) -> str:
    """The story text as blank-line-separated paragraphs.

    The wire indents the first line of each paragraph and hard-wraps the rest at ~60
    characters, so an indented (or blank-line-preceded) line starts a paragraph and the others
    are joined to it. The ``Reuter`` sign-off is dropped.
    """
    text = _drop_sign_off(unescape(raw))
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or line[0] in " \t":
            if current:
                paragraphs.append(current)
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(current)
    return "\n\n".join(" ".join(lines) for lines in paragraphs)


def raw_text(raw: str) -> str:
    """Text of an unprocessed (tabular) story: its lines kept as they are, sign-off dropped."""
    text = _drop_sign_off(unescape(raw))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def unescape(raw: str) -> str:
    """Decode every character and entity reference (``&lt;``, ``&apos;``, ``&#233;``) in one
    pass; drop control references and the terminal escape."""
    text = decode_references(_CONTROL_REFERENCE.sub("", raw))
    return strip_controls(text.replace("\r", ""))


def _drop_sign_off(text: str) -> str:
    # only the tail is searched: a sign-off is short, and stories can be long
    text = text.rstrip()
    while match := _SIGN_OFF.search(text, max(0, len(text) - 40)):
        text = text[: match.start()].rstrip()
    return text


def _field(name: str, text: str) -> str:
    match = _FIELD_RES[name].search(text)
    return match.group(1) if match else ""


def _first_line(body: str) -> str:
    line = next((line.strip() for line in body.split("\n") if line.strip()), "")
    line = " ".join(line.split())
    if len(line) <= 100:
        return line
    return line[:100].rsplit(" ", 1)[0] or line[:100]


def _proper_case(name: str) -> str:
    letters = [c for c in name if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if letters and (upper > len(letters) * 0.6 or upper == 0):
        return name.title()
    return name
