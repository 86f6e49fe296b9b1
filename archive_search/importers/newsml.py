"""News agency XML: IPTC NewsML-G2, NewsML 1 and the RCV1 ``<newsitem>``.

Agencies deliver one story per file (or a ``newsMessage`` holding several). Each format keeps
the same things in different places: the headline, a dateline (``LONDON, May 2 (Reuters) -``),
the byline, subject codes, the language, the body as paragraphs, and an identifier that stays
the same across corrected versions of the story. That identifier (``guid`` in NewsML-G2,
provider, date and item id in NewsML 1, ``itemid`` in RCV1) becomes the article id, made safe
as a file name, so a later version of the same story is recognised as the same article; the
version number and the identifier as written are kept in ``extra``.

The file is parsed by lxml with external entities, DTDs and the network switched off. Named
HTML entities that XML does not define (``&nbsp;``, ``&eacute;``), which agency systems let
through, are decoded before parsing rather than failing the story. Namespaces are ignored:
agencies use the standard ones under different prefixes, or none.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from typing import Any

from ..article import Article, is_safe_id
from ..dates import parse_date
from .base import (
    ImportFailure,
    ImportOptions,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)
from .textutil import encoding_note, head_as_utf8, one_line, undeclared_xml_encoding

NAME = "newsml"
EXTENSIONS = (".xml", ".newsml")

_SNIFF = re.compile(
    rb"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*"
    rb"<(?:[\w.-]+:)?(?:newsitem|newsItem|newsMessage|NewsML|(?:package|concept|knowledge|planning"
    rb"|catalog)Item)[\s>/]",
    re.S,
)
#: A named reference; the ones XML itself does not define are decoded before parsing.
_NAMED_REFERENCE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "dd", "dt", "blockquote", "pre", "tr", "table", "section", "hl1"}
    | {"hl2", "h1", "h2", "h3", "h4", "h5", "h6", "block", "body.content", "hr", "ul", "ol"}
)
_SKIPPED = frozenset({"script", "style", "head", "media", "body.head", "body.end"})
_TEXT_TYPES = re.compile(r"^(?:text/|application/(?:xhtml|nitf|xml))", re.I)


def sniff(head: bytes, name: str) -> bool:
    """The root element (after the XML declaration, comments and a doctype) is RCV1's
    ``<newsitem>``, NewsML-G2's ``<newsItem>``, ``<newsMessage>`` or another G2 item
    (``<packageItem>``, ``<conceptItem>``…), or NewsML 1's ``<NewsML>``."""
    return bool(_SNIFF.match(head_as_utf8(head)))


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """Yield one article per news item in the file, each followed by its warnings."""
    data = source.read_bytes()
    encoding = undeclared_xml_encoding(data)
    if encoding is not None:
        # as UTF-8, with the declaration (which said nothing or UTF-8) dropped
        text = data.decode(encoding, errors="replace")
        data = _DECLARATION.sub("", text, count=1).encode("utf-8")
    root = parse(data)
    kind = _local(root.tag)
    if kind == "newsitem":
        items = [("rcv1", root)]
    elif kind == "NewsML":
        items = [("newsml1", item) for item in _all(root, "NewsItem")]
    elif kind in ("newsItem", "newsMessage"):
        items = [("g2", item) for item in _all(root, "newsItem")]
    elif kind.endswith("Item") and kind[0].islower():
        raise NothingToImport(f"a NewsML-G2 {kind}, which holds no story of its own")
    else:
        raise ImportFailure(f"not NewsML or an RCV1 newsitem (the root element is <{kind}>)")
    if not items:
        raise NothingToImport(f"no news items in this <{kind}>")
    readers = {"rcv1": rcv1_item, "newsml1": newsml1_item, "g2": g2_item}
    for record, (fmt, element) in enumerate(items, 1):
        number = record if len(items) > 1 else None
        try:
            fields = readers[fmt](element)
        except _NotText as exc:
            yield RecordFailure(str(exc), number)
            continue
        yield from _article(fields, number, options)
    if encoding is not None:
        yield RecordWarning(encoding_note(encoding))


def parse(data: bytes) -> Any:
    """The document's root element; :class:`ImportFailure` when it is not well-formed XML."""
    from lxml import etree  # loaded only when such a file is imported

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(_decode_html_entities(data), parser)
    except etree.XMLSyntaxError as exc:
        reason = re.sub(r"\s*\(<string>, line \d+\)$", "", " ".join(str(exc).split()))
        raise ImportFailure(f"not well-formed XML: {reason}") from None


def _decode_html_entities(data: bytes) -> bytes:
    """``&nbsp;`` and the other HTML names as numeric references XML accepts; XML's own five
    and unknown names are left for the parser."""
    if b"&" not in data:
        return data

    def numeric(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("ascii")
        text = html.unescape(f"&{name};")
        if name in _XML_ENTITIES or text == f"&{name};" or any(c in "<>&\"'" for c in text):
            return match.group(0)
        return "".join(f"&#{ord(c)};" for c in text).encode("ascii")

    return _NAMED_REFERENCE.sub(numeric, data)


class _NotText(Exception):
    """The item is a picture, graphic or package, not a story."""


def rcv1_item(item: Any) -> dict[str, Any]:
    """RCV1: ``<newsitem itemid date xml:lang>`` with ``<headline>``, ``<dateline>``,
    ``<byline>``, ``<text><p>…`` and ``<codes class="bip:topics:1.0"><code code=…>``."""
    codes: dict[str, list[str]] = {}
    for group in _all(item, "codes"):
        kind = (group.get("class") or "").split(":")
        name = kind[1] if len(kind) > 1 else kind[0]
        codes.setdefault(name, []).extend(
            c.get("code", "").strip() for c in _all(group, "code") if c.get("code", "").strip()
        )
    publisher = [d.get("value") for d in _all(item, "dc") if d.get("element") == "dc.source"]
    itemid = (item.get("itemid") or "").strip()
    return {
        "id": f"rcv1-{itemid}" if itemid else None,
        "guid": itemid or None,
        "title": _text(_first(item, "headline")) or _text(_first(item, "title")),
        "dateline": _text(_first(item, "dateline")),
        "byline": _text(_first(item, "byline")),
        "date": item.get("date"),
        "body": paragraphs(_first(item, "text")),
        "lang": item.get("{http://www.w3.org/XML/1998/namespace}lang"),
        "source": publisher[0] if publisher else None,
        "tags": codes.get("topics", []) + codes.get("countries", []),
        "codes": codes,
    }


def g2_item(item: Any) -> dict[str, Any]:
    """NewsML-G2: ``<newsItem guid version>`` with ``itemMeta`` (item class, provider, times)
    and ``contentMeta`` (headline, dateline, by, creator, language, subject), and the story in
    ``contentSet`` (``inlineXML`` XHTML or NITF, or ``inlineData`` text)."""
    item_class = _attribute(_first(item, "itemClass"), "qcode")
    if item_class and not item_class.endswith(":text"):
        raise _NotText(f"a {item_class.split(':')[-1]} item, not a text story")
    meta = _first(item, "contentMeta")
    item_meta = _first(item, "itemMeta")
    guid = (item.get("guid") or "").strip()
    subjects = []
    for subject in _all(meta, "subject") + _all(meta, "genre") + _all(meta, "keyword"):
        names = [n for n in subject if _local(n.tag) == "name"]
        label = _text(names[0]) if names else ""
        if _local(subject.tag) == "keyword":
            label = _text(subject)
        subjects.append(label or (subject.get("qcode") or subject.get("literal") or "").strip())
    provider = _first(item_meta, "provider")
    located = _first(meta, "located")
    lang = _first(meta, "language")
    by = _text(_first(meta, "by")) or ", ".join(
        _text(_first(c, "name")) or (c.get("literal") or "") for c in _all(meta, "creator")
    )
    return {
        "id": safe_id(guid),
        "guid": guid or None,
        "version": item.get("version"),
        "title": _text(_first(meta, "headline")) or _text(_first(item_meta, "title")),
        "dateline": _text(_first(meta, "dateline")) or _text(_first(located, "name")),
        "byline": by,
        "date": _text(_first(item_meta, "firstCreated"))
        or _text(_first(meta, "contentCreated"))
        or _text(_first(item_meta, "versionCreated")),
        "version_created": _text(_first(item_meta, "versionCreated")),
        "body": _content(_first(item, "contentSet")),
        "lang": (lang.get("tag") if lang is not None else None)
        or item.get("{http://www.w3.org/XML/1998/namespace}lang"),
        "source": _party(provider),
        "tags": subjects,
    }


def newsml1_item(item: Any) -> dict[str, Any]:
    """NewsML 1: ``<NewsItem>`` with ``Identification/NewsIdentifier`` (provider, date id,
    item id, revision), ``NewsManagement`` times and a ``NewsComponent`` tree whose
    ``NewsLines`` hold headline, byline and dateline and whose text ``ContentItem`` holds the
    story (often NITF)."""
    ident = _first(item, "NewsIdentifier")
    provider = _text(_first(ident, "ProviderId"))
    parts = [provider, _text(_first(ident, "DateId")), _text(_first(ident, "NewsItemId"))]
    guid = ":".join(p for p in parts if p) if parts[2] else _text(_first(ident, "PublicIdentifier"))
    media = [
        (m.get("FormalName") or "").lower() for m in _all(item, "MediaType") if m.get("FormalName")
    ]
    texts = [
        c
        for c in _all(item, "ContentItem")
        if _attribute(_first(c, "MediaType"), "FormalName").lower() in ("", "text")
    ]
    if media and "text" not in media:
        raise _NotText(f"a {media[0]} item, not a text story")
    subjects = [
        _attribute(subject, "FormalName")
        for code in _all(item, "SubjectCode")
        for subject in code
        if isinstance(subject.tag, str)
    ]
    lang = _first(item, "Language")
    management = _first(item, "NewsManagement")
    return {
        "id": safe_id(guid),
        "guid": guid or None,
        "version": _text(_first(ident, "RevisionId")) or None,
        "title": _text(_first(item, "HeadLine")),
        "dateline": _text(_first(item, "DateLine")),
        "byline": _text(_first(item, "ByLine")),
        "date": _text(_first(management, "FirstCreated")) or _text(_first(ident, "DateId")),
        "version_created": _text(_first(management, "ThisRevisionCreated")),
        "body": "\n\n".join(
            t for t in (paragraphs(_first(c, "DataContent")) for c in texts) if t
        ),
        "lang": lang.get("FormalName") if lang is not None else None,
        "source": provider or None,
        "tags": subjects,
    }


def safe_id(identifier: str) -> str | None:
    """An agency identifier as an article id: kept when it is already a safe file name (a
    UUID), else its readable part plus a hash of the whole, so two identifiers that differ only
    in characters a file name cannot hold (``a:b``, ``a/b``) never share an id:
    ``urn:newsml:example.com:20240501:abc`` becomes ``newsml-example.com-20240501-abc-<hash>``."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if is_safe_id(identifier):
        return identifier
    text = re.sub(r"^urn:", "", identifier, flags=re.I)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    text = re.sub(r"\.{2,}", ".", text).strip("-.")[:90].rstrip("-.")
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{text or 'item'}-{digest}"


def paragraphs(element: Any) -> str:
    """The text of an XHTML, NITF or plain element as blank-line-separated paragraphs."""
    if element is None:
        return ""
    found: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = one_line("".join(current))
        if text:
            found.append(text)
        current.clear()

    def walk(node: Any) -> None:
        name = _local(node.tag) if isinstance(node.tag, str) else ""
        if name in _SKIPPED:
            if node.tail:
                current.append(node.tail)
            return
        block = name in _BLOCKS
        if block:
            flush()
        if node.text and isinstance(node.tag, str):
            current.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node.tail and node is not element:
            current.append(node.tail)

    walk(element)
    flush()
    if len(found) == 1 and "\n\n" in "".join(element.itertext()):
        # plain text in one element: its blank lines are the paragraph breaks
        raw = "".join(element.itertext())
        found = [one_line(p) for p in re.split(r"\n\s*\n", raw) if p.strip()]
    return "\n\n".join(found)


def _content(content_set: Any) -> str:
    """The text of the first textual rendition in a ``contentSet``."""
    if content_set is None:
        return ""
    for child in content_set:
        kind = child.get("contenttype") or ""
        if _local(child.tag) in ("inlineXML", "inlineData") and (
            not kind or _TEXT_TYPES.match(kind)
        ):
            body = _first(child, "body")
            text = paragraphs(body if body is not None else child)
            if text:
                return text
    return ""


def _article(
    fields: dict[str, Any], record: int | None, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    title, body = fields.get("title") or "", fields.get("body") or ""
    if title and body.split("\n\n", 1)[0] == title:  # the XHTML body repeats its headline
        body = body[len(title) :].lstrip("\n")
    if not title and not body:
        yield RecordFailure("news item has neither a headline nor text", record)
        return
    notes = []
    if not title:
        title = one_line(body.split("\n", 1)[0])[:100]
        notes.append("no headline; named by the opening words of the text")
    raw_date = fields.get("date") or ""
    date = parse_date(raw_date) if raw_date else None
    if raw_date and date is None:
        notes.append(f"date {raw_date[:40]!r} not understood; date left unknown")
    elif not raw_date:
        notes.append("no publication date found")
    extra: dict[str, Any] = {}
    for key in ("dateline", "guid", "version", "version_created"):
        if fields.get(key):
            extra[key] = fields[key]
    for name, values in (fields.get("codes") or {}).items():
        if values:
            extra[name] = list(dict.fromkeys(values))
    byline = re.sub(r"^by\s+", "", fields.get("byline") or "", flags=re.I)
    authors = [a.strip() for a in re.split(r"\s+and\s+|,\s*|;\s*", byline) if a.strip()]
    lang = re.match(r"^[A-Za-z]{2,3}", (fields.get("lang") or "").strip())
    yield Article(
        title=title,
        body=body,
        id=fields.get("id"),
        date=date,
        source=fields.get("source") or options.default_source,
        authors=list(dict.fromkeys(authors)),
        tags=list(dict.fromkeys(t for t in fields.get("tags", []) if t)),
        lang=lang.group(0).lower() if lang else None,
        origin={"record": record} if record else {},
        extra=extra,
    )
    for note in notes:
        yield RecordWarning(note, record)


def _party(element: Any) -> str | None:
    """A provider as a name: its ``<name>``, ``literal`` or the code after ``nprov:``."""
    if element is None:
        return None
    name = _text(_first(element, "name"))
    code = (element.get("literal") or element.get("qcode") or "").split(":")[-1]
    return name or code or None


def _attribute(element: Any, name: str) -> str:
    return (element.get(name) or "").strip() if element is not None else ""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(element: Any, name: str) -> list[Any]:
    if element is None:
        return []
    return [e for e in element.iter() if _local(e.tag) == name]


def _first(element: Any, name: str) -> Any:
    found = _all(element, name)
    return found[0] if found else None


def _text(element: Any) -> str:
    return one_line("".join(element.itertext())) if element is not None else ""
