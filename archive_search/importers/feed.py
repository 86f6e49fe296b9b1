"""RSS and Atom feeds: one article per entry, parsed with feedparser.

feedparser is given a stream over the file's bytes, never the bytes themselves: handed bytes or
a string it first tries them as a file name (and a string as a URL), so a feed whose text
happened to be a path would be read from elsewhere.

An entry's id (RSS ``guid``, Atom ``id``: a URL, ``urn:uuid:…`` or ``tag:`` URI) is its
identity: the article id is made from it (safe as a file name, see
:func:`~archive_search.importers.newsml.safe_id`), so re-importing a feed, or an entry updated
since, finds the same id. An id that is no URI (``post-5``) is unique only within its feed and
is qualified by the feed's address or title (or not used, when the feed has neither). An entry
without a usable id gets its id from its link, and one with no link either from its content.
An id is never taken for a link: ``urn:`` and ``tag:`` ids are not addresses to warn about.

A feed that declares no encoding and is not UTF-8 (EUC-JP, GB2312, Big5, KOI8-R feeds exist) is
decoded as :func:`~archive_search.importers.textutil.guess_encoding` finds, with a warning naming
the encoding, instead of as Windows-1252 mojibake. A feed with no entries is skipped, saying so.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from typing import Any

from ..article import Article, normalize_text, slugify
from ..dates import parse_date
from .base import (
    ImportFailure,
    ImportOptions,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)
from .newsml import safe_id
from .textutil import (
    dedupe,
    encoding_note,
    head_as_utf8,
    html_to_text,
    is_web_address,
    lang_code,
    strip_controls,
    undeclared_xml_encoding,
)

NAME = "feed"
EXTENSIONS = (".rss", ".atom", ".xml")

_SNIFF = re.compile(
    rb"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:rss|feed|(?:[\w.-]+:)?RDF)[\s>]",
    re.S,
)
#: feedparser turns ``&#xD800;`` into a lone surrogate, which no file can be written with.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
#: A URI scheme: ids with one are global (``tag:``, ``urn:``, ``https:``).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")


def sniff(head: bytes, name: str) -> bool:
    """A feed's root element (after the XML declaration, comments and a doctype) is ``<rss>``,
    ``<feed>`` or ``<rdf:RDF>``."""
    return bool(_SNIFF.match(head_as_utf8(head)))


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """Yield one article per feed entry, in feed order, each followed by its warnings."""
    import feedparser  # heavy: loaded only when a feed is actually imported

    with source.open() as stream:
        data = stream.read()
    headers, notes = None, []
    encoding = undeclared_xml_encoding(data)
    if encoding is not None:
        headers = {"content-type": f"application/xml; charset={encoding}"}
        notes.append(RecordWarning(encoding_note(encoding)))
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # its loose parser raises on input such as "&#xD800;"
        raise ImportFailure(f"not a readable feed: {_reason(exc)}") from None
    if not parsed.get("entries"):
        raise _why_nothing(parsed, data)
    feed = parsed.feed
    source_name = _text_of(feed.get("title_detail"), feed.get("title")) or options.default_source
    feed_lang = lang_code(feed.get("language"))
    scope = (feed.get("link") or "").strip() or source_name or ""
    for record, entry in enumerate(parsed.entries, 1):
        yield from entry_article(entry, record, source_name, feed_lang, scope)
    yield from notes


def _why_nothing(parsed: Any, data: bytes) -> ImportFailure:
    """Why a feed gave no entries: it has none (skipped), it is broken (a truncated download)
    or it is no feed (failed). Entities HTML knows but XML does not (``&hellip;``) are no
    reason to call a feed broken: feedparser reads them."""
    from feedparser import CharacterEncodingOverride

    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, CharacterEncodingOverride) or "undefined entity" in str(problem):
        problem = None
    if parsed.get("version") and problem is None:
        return NothingToImport("feed has no entries")
    if _only_undefined_entities(data):
        names = re.findall(rb"&[^;\s]+;", data)
        shown = ", ".join(dict.fromkeys(n.decode("ascii", "replace") for n in names[:20]))
        return ImportFailure(f"nothing but undefined entities ({shown}); no feed in it")
    if problem is not None:
        return ImportFailure(f"not a readable feed: {_reason(problem)}")
    root = re.search(rb"<([A-Za-z_][\w.:-]*)", re.sub(rb"<[?!][^>]*>", b"", data))
    where = f" (the root element is <{root.group(1).decode('ascii', 'replace')}>)" if root else ""
    return ImportFailure(f"not an RSS or Atom feed{where}")


def _only_undefined_entities(data: bytes) -> bool:
    """True for a document of nothing but entity references (``&foo;&bar;``)."""
    text = re.sub(rb"<!--.*?-->|<\?[^>]*\?>", b"", data, flags=re.S).strip()
    return bool(text) and re.fullmatch(rb"(?:\s*&[A-Za-z][\w.-]*;)+\s*", text) is not None


def _reason(exc: BaseException | None) -> str:
    """feedparser's complaint on one line. The XML parser's line numbers are left out: feedparser
    rewrites the XML declaration first, so they can be off by one."""
    if exc is None:
        return "unknown error"
    get_message = getattr(exc, "getMessage", None)
    text = get_message() if callable(get_message) else str(exc)
    return " ".join(str(text).split()) or type(exc).__name__


def entry_article(
    entry: Any, record: int, source: str | None, feed_lang: str | None, scope: str = ""
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """One feedparser entry as an article and its warnings, or a record failure. ``scope``
    (the feed's address or title) qualifies entry ids that are unique only within the feed."""
    body = html_to_text(_entry_html(entry))
    title = _text_of(entry.get("title_detail"), entry.get("title"))
    if not title and not body:
        yield RecordFailure("entry has neither a title nor text", record)
        return
    if not title:
        title = _first_words(body)
    notes: list[str] = []
    guid = _plain(entry.get("id"))
    url = (entry.get("link") or "").strip() or None
    if url and entry.get("guidislink") and url == guid and not is_web_address(url):
        url = None  # feedparser copies an id (urn:uuid:…) to the link: no address at all
    if url and not is_web_address(url):
        notes.append(f"link {url[:60]!r} is not an absolute address; url left unknown")
        url = None
    extra = {}
    if guid and guid != url:
        extra["guid"] = guid
    # an id that is no URI is unique only within its feed: qualified by the feed, or not used
    # when the feed names neither its address nor its title
    identity = guid if _SCHEME.match(guid) else f"{scope}#{guid}" if guid and scope else ""
    date, date_note = entry_date(entry)
    if date_note:
        notes.append(date_note)
    article_id = safe_id(identity) if identity else None
    if not identity and not url:
        article_id = _content_id(title, body, date, source)
    yield Article(
        title=title,
        body=body,
        date=date,
        source=source,
        url=url,
        id=article_id,
        authors=dedupe(_plain(a.get("name")) for a in entry.get("authors", [])),
        tags=dedupe(_plain(t.get("term") or t.get("label")) for t in entry.get("tags", [])),
        lang=_entry_lang(entry) or feed_lang,
        origin={"record": record},
        extra=extra,
    )
    for note in notes:
        yield RecordWarning(note, record)


def _content_id(title: str, body: str, date: str | None, source: str | None) -> str:
    """The id of an entry with neither an id nor a link: its title's slug and a hash of its
    title, text, date and feed. The framework's own id leaves the text out, so two different
    entries with the same title (test feeds, "Update", "Untitled") would share one."""
    key = "|".join([normalize_text(title), normalize_text(body), date or "", source or ""])
    return f"{slugify(title) or 'entry'}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"


def entry_date(entry: Any) -> tuple[str | None, str | None]:
    """The entry's publication (else update) time as ISO text keeping its zone, and a warning.

    The entry's own text is parsed, not feedparser's UTC ``*_parsed`` value, which loses the
    zone. :func:`parse_date` keeps numeric offsets and turns zone names (``EDT``, ``CEST``) into
    offsets with the one table of them, :data:`~archive_search.dates.ZONE_OFFSETS`.
    """
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        with warnings.catch_warnings():  # dateutil warns about zone names it does not know
            warnings.simplefilter("ignore")
            iso = parse_date(raw)
        if iso is None:
            return None, f"date {raw[:40]!r} not understood; date left unknown"
        return iso, None
    return None, None


def _entry_html(entry: Any) -> str:
    """The fullest text the entry has: its longest ``content``, else its summary."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c]
    if contents:
        return max(contents, key=len)
    return entry.get("summary", "") or ""


def _text_of(detail: Any, value: str | None) -> str:
    """A title as plain text: feedparser leaves HTML in ``text/html`` titles."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "")
    return _plain(html_to_text(value) if "html" in kind else value)


def _plain(value: str | None) -> str:
    """One line of text without control characters or lone surrogates."""
    return " ".join(_SURROGATES.sub("", strip_controls(value or "")).split())


def _entry_lang(entry: Any) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        details = entry.get(key)
        for detail in details if isinstance(details, list) else [details]:
            code = lang_code((detail or {}).get("language"))
            if code:
                return code
    return None



def _first_words(body: str, limit: int = 100) -> str:
    line = body.split("\n", 1)[0]
    return line if len(line) <= limit else (line[:limit].rsplit(" ", 1)[0] or line[:limit])
