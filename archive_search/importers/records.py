"""One input record (a JSON object, a CSV row, front matter) turned into an article.

Exports name their fields in many ways (``headline``, ``publishedAt``, ``pubDate``,
``article_body``, ``dc:creator``); the common names are recognised case-insensitively and
whatever the spelling (camelCase, snake_case, spaces, dashes). ``--map title=headline`` (our
field = the input's key, dotted paths such as ``meta.published`` allowed) says where a field
is when the guess would be wrong. Values of unexpected types (a number as a title, nested
objects, lists) are turned into text where there is an obvious way and ignored otherwise: a
record never raises. Keys that are not recognised are dropped, so exports full of internal
columns do not flood the article files.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from .. import dates
from ..article import Article
from . import textutil
from .base import ImportFailure, ImportOptions, RecordFailure, RecordWarning, Source

NO_DATE = "no publication date found"

#: Our fields and the input keys (normalised: snake_case, lower case) tried for each, in order.
KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "subject", "heading", "web_title"),
    "date": (
        "published", "published_at", "publication_date", "date_published", "published_date",
        "publish_date", "date_publish", "pub_date", "pubdate", "date", "datetime",
        "web_publication_date", "first_published", "created", "created_at", "date_created",
        "time", "timestamp", "updated", "updated_at", "modified", "date_modified", "lastmod",
    ),
    "body": (
        "body", "text", "content", "article", "article_body", "articlebody", "full_text",
        "fulltext", "body_text", "main_text", "maintext", "article_text", "story",
        "content_text", "content_html", "html",
    ),
    "summary": (
        "description", "summary", "abstract", "excerpt", "lead", "standfirst", "teaser",
        "snippet", "subtitle",
    ),
    "tags": ("tags", "tag", "keywords", "categories", "category", "topics", "topic", "subjects"),
    "url": (
        "url", "link", "href", "canonical_url", "web_url", "article_url", "source_url", "uri",
        "permalink",
    ),
    "source": (
        "source", "site", "site_name", "publisher", "feed", "feed_title", "source_name",
        "publication", "outlet", "newspaper", "source_domain",
    ),
    "authors": (
        "authors", "author", "byline", "creator", "creators", "dc_creator", "writer", "writers",
        "author_name", "by",
    ),
    "id": ("id", "guid", "uuid", "article_id", "doc_id", "docid"),
    "lang": ("lang", "language", "locale", "lang_code", "language_code"),
    "see_also": ("see_also", "related"),
    "names": ("names", "people", "persons", "entities"),
}  # fmt: skip

#: Fields ``--map`` may name, plus friendly spellings of them.
FIELDS = ("title", "body", "date", "source", "url", "authors", "tags", "lang", "id", "see_also",
          "names")  # fmt: skip
_FIELD_ALIASES = {"author": "authors", "tag": "tags", "text": "body", "language": "lang"}
#: Keys of a nested object that hold its text (WordPress ``{"rendered": ...}``, feed tags...).
_TEXT_KEYS = ("rendered", "text", "value", "#text", "$t", "content", "name", "title", "label",
              "term", "href", "url", "$date", "$oid")  # fmt: skip
_LIST_FIELDS = ("tags", "authors", "see_also", "names")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9#$]+")
_SPLIT_TAGS = re.compile(r"\s*[,;|]\s*")
_SPLIT_NAMES = re.compile(r"\s*(?:[,;&|]|\band\b)\s*")
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//\S+$|^www\.\S+$|^/\S*$", re.I)
_MAX_TITLE = 200
_MAX_DEPTH = 4


def open_records(
    source: Source, options: ImportOptions
) -> tuple[textutil.TextReader, RecordConverter]:
    """The reader and converter every record format starts with; an empty file fails here."""
    reader = textutil.TextReader(source, max_line=options.limits.article)
    if reader.is_blank():
        raise ImportFailure("empty file")
    return reader, RecordConverter(options)


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """``--map`` with our field names made canonical; :class:`ImportFailure` for unknown ones."""
    checked = {}
    for ours, theirs in mapping.items():
        name = _FIELD_ALIASES.get(ours.strip().lower(), ours.strip().lower())
        if name not in FIELDS:
            raise ImportFailure(f"--map: unknown field {ours!r} (fields: {', '.join(FIELDS)})")
        checked[name] = str(theirs).strip()
    return checked


class RecordConverter:
    """Turns the records of one input into articles, failures and warnings.

    Made once per input so a bad ``--map`` fails the input before any record is read.
    """

    def __init__(self, options: ImportOptions) -> None:
        self.mapping = check_mapping(options.mapping)
        self.default_source = options.default_source

    def convert(
        self, record: Any, number: int | None
    ) -> Iterator[Article | RecordFailure | RecordWarning]:
        """The article for ``record`` (number ``number``, 1-based) and notes about it, or a
        :class:`RecordFailure` saying why there is none."""
        if not isinstance(record, Mapping):
            yield RecordFailure(f"{_kind(record)}, not an object with fields", number)
            return
        if not self.mapping and _is_arch_record(record):
            yield _arch_article(record, number)
            return
        record = _unwrap(record)
        values, _, notes = extract_fields(record, self.mapping)
        title, body = values.pop("title", None), values.pop("body", "")
        if not title and not body:
            yield RecordFailure(_nothing_reason(record, self.mapping), number)
            return
        if not title:
            title = _title_from_body(body)
            notes.append("no title; named by the opening words of the text")
        values.setdefault("source", self.default_source)
        article = Article(title=title, body=body, **values)
        article.origin = {"record": number} if number is not None else {}
        yield article
        yield from (RecordWarning(note, number) for note in notes)


def _is_arch_record(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is an article as ``arch export --fields all`` writes it as JSON or
    YAML: every one of its keys, a title, and objects where it writes objects (a CSV row of
    the same columns holds text made for spreadsheets, and is read as any other)."""
    from ..export import ARTICLE_FIELDS

    title = record.get("title")
    return (isinstance(title, str) and bool(title.strip())
            and all(key in record for key in ARTICLE_FIELDS)
            and isinstance(record["origin"], Mapping) and isinstance(record["extra"], Mapping))


def _arch_article(record: Mapping[str, Any], number: int | None) -> Article:
    """An article exported by arch, read back exactly as an article file would be: the text
    as it was (no HTML guessed in ``<B>``, no space trimmed), the keys arch does not know
    restored from ``extra``, and where it first came from kept when the record says so (as
    for a re-imported article file). The version number is not carried: the archive it goes
    into has none of the earlier versions."""
    from ..articlefile import article_from_meta

    meta = {k: v for k, v in record.items() if k not in ("body", "path", "version", "extra")}
    extra = record.get("extra")
    if isinstance(extra, Mapping):
        for key, value in extra.items():
            meta.setdefault(str(key), value)
    body = record.get("body")
    article = article_from_meta(meta, body if isinstance(body, str) else "")
    if not article.origin.get("sha256"):
        article.origin = {"record": number} if number is not None else {}
    return article


def extract_fields(
    record: Mapping[str, Any],
    mapping: Mapping[str, str] | None = None,
    fields: Collection[str] = FIELDS,
) -> tuple[dict[str, Any], set[str], list[str]]:
    """Article field values found in ``record`` for ``fields``, the record keys used, and notes.

    Only fields with a usable value appear in the result; ``body`` falls back to a summary-like
    field when there is no real body field.
    """
    mapping = mapping or {}
    index = _index(record)
    values: dict[str, Any] = {}
    used: set[str] = set(mapping.values())
    notes: list[str] = []
    for name in fields:
        if name in mapping:
            found = _lookup(record, index, mapping[name])
            if found is None:
                notes.append(f"--map {name}={mapping[name]}: no such key in this record")
                continue
            candidates = [(mapping[name], found)]
        else:
            keys = KEYS[name] + (KEYS["summary"] if name == "body" else ())
            candidates = [(index[k][0], index[k][1]) for k in keys if k in index]
            candidates = [(key, value) for key, value in candidates if key not in used]
        value = _convert(name, candidates, notes)
        if value is not None:
            values[name] = value
            used.update(key for key, _ in candidates)
    return values, used, notes


def fields_for_keys(keys: Iterable[str]) -> set[str]:
    """Our fields that records with these keys would fill by their names alone (a summary
    counts as a body)."""
    normalised = {_norm(key) for key in keys}
    found = {name for name, names in KEYS.items() if normalised.intersection(names)}
    return found | {"body"} if "summary" in found else found


def has_key(keys: Iterable[str], wanted: str) -> bool:
    """True when ``wanted`` names one of ``keys`` as :func:`extract_fields` would look it up."""
    return wanted in keys or _norm(wanted) in {_norm(key) for key in keys}


def _convert(name: str, candidates: list[tuple[str, Any]], notes: list[str]) -> Any:
    if name in _LIST_FIELDS:
        items = [item for _, value in candidates for item in _as_list(value, name)]
        return list(dict.fromkeys(items)) or None
    if name == "date":
        return _date(candidates, notes)
    if name == "body":
        return _body(candidates)
    for _, value in candidates:
        text = _as_text(value, ", ")
        if not text:
            continue
        if name == "title":
            return textutil.one_line(_plain(text))
        if name == "url":
            link = textutil.strip_controls(text).strip()
            if _URL.match(link):
                return link
            notes.append(f"url {_shown(text)} is not a link; ignored")
            continue
        if name == "id":  # never cut: two long ids differing at the end are two records
            return textutil.one_line(text) or None
        return textutil.one_line(text)[:120] or None
    return None


def _body(candidates: list[tuple[str, Any]]) -> str | None:
    """The longest real body field; a summary only when there is no body at all."""
    summary_keys = set(KEYS["summary"])
    texts = [(_norm(key) in summary_keys, _as_text(value, "\n\n")) for key, value in candidates]
    texts = [(is_summary, text) for is_summary, text in texts if text and text.strip()]
    if not texts:
        return None
    is_summary, text = min(texts, key=lambda t: (t[0], -len(t[1])))
    return _clean_body(_plain(text))


def _date(candidates: list[tuple[str, Any]], notes: list[str]) -> str | None:
    """The first candidate that is a date; a note quoting the first one when none is."""
    if not candidates:
        notes.append(NO_DATE)
    shown: Any = None
    for _, value in candidates:
        if isinstance(value, bool) or value is None or value == "":
            continue
        if isinstance(value, (int, float)):
            iso = dates.parse_epoch(value)
        elif isinstance(value, _dt.datetime):
            iso = dates.to_iso(value)
        elif isinstance(value, _dt.date):
            iso = dates.to_iso(value, date_only=True)
        else:
            text = _as_text(value, " ")
            iso = dates.parse_date(text) if text else None
        if iso:
            return iso
        shown = value if shown is None else shown
    if shown is not None:
        notes.append(unknown_date_note(shown))
    return None


def unknown_date_note(value: Any) -> str:
    """The warning for a date that is there but cannot be understood."""
    return f"date {_shown(value)} not understood; kept as unknown"


def _as_text(value: Any, separator: str, depth: int = 0) -> str | None:
    """Text for a value of any JSON/YAML type, or None when it holds none."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None or depth > _MAX_DEPTH:
        return None
    if isinstance(value, float):
        return None if value != value else str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        index = _index(value)
        for key in _TEXT_KEYS:
            if key in index:
                text = _as_text(index[key][1], separator, depth + 1)
                if text:
                    return text
        return None
    if isinstance(value, (list, tuple)):
        parts = [_as_text(item, separator, depth + 1) for item in value]
        return separator.join(p for p in parts if p) or None
    return None


def _as_list(value: Any, name: str) -> list[str]:
    """Items of a list field: a list, or a string with separators (names split on "and")."""
    if isinstance(value, (list, tuple)):
        texts = [_as_text(item, " ") for item in value[:1000]]
        items = [t for t in texts if t]
    else:
        text = _as_text(value, ", ")
        if not text:
            return []
        if name == "authors":
            text = re.sub(r"^by\s+", "", text, flags=re.I)
            items = _SPLIT_NAMES.split(text)
        elif name == "see_also":
            items = [text]
        else:
            items = _SPLIT_TAGS.split(text)
    return [clean for clean in (textutil.one_line(i)[:200] for i in items) if clean]


def _plain(text: str) -> str:
    """A field's text: HTML made plain; text written with references (``Tom &amp; Jerry``,
    ``MCLEAN&apos;S``) decoded once, its lines kept; text with a bare ampersand (``AT&T``) is
    plain text, left exactly as it is, whatever references it quotes."""
    if textutil.looks_like_html(text):
        return textutil.html_to_text(text)
    return textutil.decode_references(text) if textutil.is_escaped_text(text) else text


def _clean_body(text: str) -> str:
    text = textutil.strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _title_from_body(body: str) -> str:
    first = textutil.one_line(body.strip().split("\n", 1)[0])
    if len(first) <= _MAX_TITLE:
        return first
    return first[:_MAX_TITLE].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


@functools.lru_cache(maxsize=4096)  # exports repeat the same few keys in every record
def _norm(key: str) -> str:
    """``publishedAt``, ``Published At``, ``published-at`` all become ``published_at``."""
    return _NON_WORD.sub("_", _CAMEL.sub("_", str(key)).lower()).strip("_")


def _index(record: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Normalised key -> (original key, value); the first spelling of a key wins."""
    index: dict[str, tuple[str, Any]] = {}
    for key, value in record.items():
        index.setdefault(_norm(key), (str(key), value))
    return index


def _lookup(record: Mapping[str, Any], index: dict[str, tuple[str, Any]], path: str) -> Any:
    """The value at ``path``: an exact key, a key spelled differently, or a dotted path."""
    if path in record:
        return record[path]
    if _norm(path) in index:
        return index[_norm(path)][1]
    value: Any = record
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step, _index(value).get(_norm(step), (None, None))[1])
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _unwrap(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Search-engine dumps wrap each document as ``{"_source": {...}}``; use the document."""
    inner = record.get("_source")
    return inner if isinstance(inner, Mapping) else record


def _nothing_reason(record: Mapping[str, Any], mapping: Mapping[str, str]) -> str:
    missing = [f"{mapping[f]!r}" for f in ("title", "body") if f in mapping and
               _lookup(record, _index(record), mapping[f]) is None]  # fmt: skip
    if missing:
        return f"no title or text (mapped key {' / '.join(missing)} not in this record)"
    keys = ", ".join(list(map(str, record))[:8]) or "none"
    return f"no title or text (keys: {keys})"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = textutil.one_line(text)
    return repr(text if len(text) <= 60 else text[:57] + "...")
