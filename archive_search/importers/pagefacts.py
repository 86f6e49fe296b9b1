"""What a saved page says about itself, read before trafilatura cleans the tree.

trafilatura picks the main text and most metadata well, but a journalist checking its output on
real pages finds four kinds of slip this module gives the html importer the facts to correct:

- the site's name derived from the host name ("Futurezoneat", "Ndr") although the page states
  it (``og:site_name``, the JSON-LD publisher, ``application-name``, the ``<title>`` suffix);
- titles that keep that name or a date (``… | DW | 19.01.2020``, ``… - CNET.de``);
- tags that are the site's sections or a site-wide keyword list, not the article's topics;
- a body that is a photo caption while the page holds the whole text (JSON-LD ``articleBody``
  on pages rendered by JavaScript) or a block of paragraphs far longer than what was extracted.

Everything here is generic: it compares what a page says in one place with what it says in
another (a name against the domain, one keyword list against a more specific one), never with
lists of sites.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..dates import parse_date
from .textutil import dedupe

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Separators between a headline and the site name or date a page appends to its ``<title>``.
_TITLE_SEPARATOR = re.compile(r"(\s*\|\s*|\s+[-–—›»·/]\s+|\s+::\s+)")
#: A title segment that is a numeric date alone: ``19.01.2020``, ``2020-01-19``.
_NUMERIC_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
#: The shape of a date written with a month name (``19 January 2020``, ``January 19, 2020``);
#: such a segment is only taken for a date when it also reads as one ("Episode 12, 2020" does
#: not).
_WORDED_DATE = re.compile(
    r"^(?:\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+\d{4}|[^\W\d_]{3,}\.?\s+\d{1,2},?\s+\d{4})$"
)
#: Prefixes some sites put before each keyword (``Category: Games``).
_TAG_PREFIX = re.compile(r"^(?:category|tag|topic)\s*:\s*", re.I)
#: Templates left unrendered in a page (``{{rubedo.current.page.title}}``).
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{.*?\}", re.S)
#: Most bytes of JSON-LD read from one page; beyond that, a script is not parsed.
_MAX_JSONLD = 4 * 1024 * 1024


@dataclass
class PageFacts:
    """The statements a page makes about itself that the importer checks trafilatura against."""

    #: Names the page gives itself, best first: og:site_name, JSON-LD publisher, app names.
    site_names: list[str] = field(default_factory=list)
    #: The host names of the page's absolute addresses (``og:url``, canonical, twitter:domain).
    hosts: list[str] = field(default_factory=list)
    #: The site's social-media handles (``twitter:site`` without the ``@``).
    handles: list[str] = field(default_factory=list)
    #: The ``<title>`` text, untouched.
    title_tag: str = ""
    #: Other spellings of the headline: og:title, JSON-LD headline, the first ``<h1>``.
    headlines: list[str] = field(default_factory=list)
    #: The texts of the page's first three ``<h1>`` elements.
    h1s: list[str] = field(default_factory=list)
    #: The longest JSON-LD ``articleBody``.
    article_body: str = ""
    #: Keyword lists declared for this article alone (article:tag, JSON-LD keywords,
    #: news_keywords when it differs from keywords, parsely-tags).
    specific_tags: list[str] = field(default_factory=list)
    #: The plain ``<meta name=keywords>`` list, which many sites fill with their section menu.
    keywords: list[str] = field(default_factory=list)
    #: The sections the page files the article under (article:section, JSON-LD articleSection).
    sections: list[str] = field(default_factory=list)
    #: Words in the largest run of sibling ``<p>`` elements outside navigation and footers.
    largest_block_words: int = 0
    #: Unrendered template expressions in the visible text.
    visible_templates: int = 0
    #: Image captions (alt, title, figcaption) of four words or more, as lower-case letters and
    #: digits, to recognise a caption trafilatura put at the top of the body.
    captions: set[str] = field(default_factory=set)


def read_facts(tree: HtmlElement) -> PageFacts:
    """Collect :class:`PageFacts` from a parsed page (the tree is not modified)."""
    facts = PageFacts()
    metas: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key and content and content.strip():
            metas.setdefault(key.strip(), []).append(" ".join(content.split()))
    jsonld = list(_jsonld_objects(tree))
    publisher_names = [name for obj in jsonld for name in _names(obj.get("publisher"))]
    facts.site_names = list(
        dict.fromkeys(
            [
                *metas.get("og:site_name", []),
                *publisher_names,
                *metas.get("application-name", []),
                *metas.get("apple-mobile-web-app-title", []),
                *metas.get("dc.publisher", []),
            ]
        )
    )
    addresses = [
        *metas.get("og:url", []),
        *tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"),
        *metas.get("twitter:domain", []),
    ]
    facts.hosts = dedupe([h for h in (_host(a) for a in addresses) if h])
    facts.handles = [h.lstrip("@") for h in metas.get("twitter:site", [])]
    facts.title_tag = " ".join(" ".join(tree.xpath("//head/title//text()")).split())
    facts.h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:3]]
    facts.headlines = dedupe(
        [
            *metas.get("og:title", []),
            *metas.get("twitter:title", []),
            *(str(o["headline"]) for o in jsonld if isinstance(o.get("headline"), str)),
            *facts.h1s[:1],
        ]
    )
    bodies = [o["articleBody"] for o in jsonld if isinstance(o.get("articleBody"), str)]
    facts.article_body = max(bodies, key=len, default="")
    keywords = _split(metas.get("keywords", []))
    news = _split(metas.get("news_keywords", []))
    specific = [
        *_split(metas.get("article:tag", [])),
        *(news if _folded(news) != _folded(keywords) else []),
        *_split(metas.get("parsely-tags", [])),
        *(k for o in jsonld for k in _split(_strings(o.get("keywords")))),
    ]
    facts.specific_tags = dedupe(specific)
    facts.keywords = keywords
    facts.sections = dedupe(
        [
            *_split(metas.get("article:section", [])),
            *(s for o in jsonld for s in _split(_strings(o.get("articleSection")))),
        ]
    )
    facts.largest_block_words = _largest_block_words(tree)
    visible = " ".join(tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))
    facts.visible_templates = len(TEMPLATE.findall(visible))
    texts = [
        *tree.xpath("//img/@alt | //img/@title"),
        *(f.text_content() for f in tree.xpath("//figcaption")),
    ]
    facts.captions = {_alnum(t) for t in texts if len(t.split()) >= 4}
    return facts


def site_name(facts: PageFacts, extracted: str | None) -> str | None:
    """The site's own name: the first name the page states that agrees with its domain (a
    section name in og:site_name such as "U.S." does not; one written with a capital first),
    else the ``<title>`` suffix that agrees with the domain, else the first name it states,
    else trafilatura's name unless that was only made from the host name or the Twitter
    handle ("Futurezoneat", "Ndr"), else the host name itself."""
    stated = [n for n in facts.site_names if not TEMPLATE.search(n)]
    agreeing = [n for n in stated if _agreement(n, facts.hosts)]
    # a name in lower case ("pcgamer", "the Guardian") is often the site's id or a styling;
    # when the page also writes its name with a capital ("PC Gamer"), that is the name
    written = [n for n in agreeing if n[0].isupper() or n[0].isdigit()]
    chosen = (written or agreeing or ([] if facts.hosts else stated) or [None])[0]
    if chosen is None:
        segments = _title_segments(facts.title_tag)[1:]
        scored = [(_agreement(s, facts.hosts), i, s) for i, s in enumerate(segments)]
        best = max(scored, default=(0, 0, ""))
        chosen = best[2] if best[0] else None
    if chosen is None and stated:
        chosen = stated[0]
    made_up = {_fold(h) for h in [*facts.hosts, *facts.handles]}
    if chosen is None and extracted and _fold(extracted) not in made_up:
        chosen = extracted
    if chosen is None and facts.hosts:
        chosen = facts.hosts[0]
    return chosen


def clean_title(title: str, facts: PageFacts, source: str | None) -> str:
    """``title`` without the site name and date a page appends or prepends to its headline
    (``… | DW | 19.01.2020``, ``… - CNET.de``, ``Kulu Media | …``). A segment is only removed
    when it names the site (a stated name, the domain or its initials) or is a date alone."""
    names = _own_names(facts, source)
    parts = _TITLE_SEPARATOR.split(title)
    segments, separators = parts[0::2], parts[1::2]

    def removable(segment: str) -> bool:
        return _is_date(segment.strip()) or _names_site(segment, names, facts)

    while len(segments) > 1 and removable(segments[-1]):
        segments.pop()
        separators.pop()
    while len(segments) > 1 and _names_site(segments[0], names, facts):
        segments.pop(0)
        separators.pop(0)
    kept = [segments[0]]
    for separator, segment in zip(separators, segments[1:], strict=True):
        kept += [separator, segment]
    return "".join(kept).strip()


def displayed_headline(title: str, facts: PageFacts, source: str | None) -> str:
    """The headline as the page displays it, when its ``<h1>`` is backed by the page's other
    statements: an ``<h1>`` equal to the ``<title>`` (without site name) wins over a shorter
    social-media ``og:title``; one that extends the title (a kicker before it, words the
    ``<title>`` cut off after it) wins when the ``<title>`` starts with it or it starts with the
    title."""
    key = _alnum(title)
    tag_key = _alnum(clean_title(facts.title_tag, facts, source))
    names = _own_names(facts, source)
    for h1 in facts.h1s:
        h1_key = _alnum(h1)
        if not h1_key or h1_key == key or _names_site(h1, names, facts):  # a logo in an <h1>
            continue
        if h1_key == tag_key:
            return h1
        if key and key in h1_key and (tag_key.startswith(h1_key) or h1_key.startswith(key)):
            return h1
    return title


def topic_tags(tags: list[str], facts: PageFacts, site: str | None, title: str = "") -> list[str]:
    """The tags that are the article's topics.

    Dropped: the site's own name; the title itself; its sections (article:section, JSON-LD
    articleSection: where the article sits in the site's menu) unless the page also declares
    them as tags; when the page declares tags for this article alone, the entries found only
    in its plain ``keywords`` list, which many sites fill with their whole section menu;
    machine identifiers (``channel_gaming_software``, ``5050``); and lower-case slugs
    (``show-published-date``) in a list whose other tags are written as names.
    """
    specific = _folded(facts.specific_tags)
    keywords_only = _folded(facts.keywords) - specific if specific else set()
    sections = _folded(facts.sections) - specific - _folded(facts.keywords)
    names = _own_names(facts, site)
    title_key = _alnum(title)
    kept = []
    for raw in tags:
        tag = _TAG_PREFIX.sub("", raw).lstrip("#").strip()
        key = tag.casefold()
        if not tag or key in keywords_only or key in sections or _alnum(tag) == title_key:
            continue
        if "_" in tag or not any(c.isalpha() for c in tag) or _names_site(tag, names, facts):
            continue
        kept.append(tag)
    written = any(t != t.lower() or " " in t for t in kept)
    if written:
        kept = [t for t in kept if not re.fullmatch(r"[a-z]+(?:-[a-z]+)+", t)]
    return dedupe(kept)


def _is_date(segment: str) -> bool:
    if _NUMERIC_DATE.match(segment):
        return True
    return bool(_WORDED_DATE.match(segment)) and parse_date(segment, whole=True) is not None


def _own_names(facts: PageFacts, site: str | None) -> list[str]:
    """The site's name and the names the page gives itself that agree with its domain (all of
    them when the page states no address)."""
    stated = [n for n in facts.site_names if not facts.hosts or _agreement(n, facts.hosts)]
    return [*([site] if site else []), *stated]


def _names_site(segment: str, names: list[str], facts: PageFacts) -> bool:
    key = _fold(segment)
    if not key:
        return False
    if any(key == _fold(n) for n in names if n):
        return True
    return _agreement(segment, facts.hosts) == 2


def _agreement(name: str, hosts: list[str]) -> int:
    """2 when ``name`` is the domain (``DW`` for dw.com, ``NDR.de``, ``Rhein Neckar Zeitung``
    for rnz.de by its initials), 1 when it contains the domain's name ("The GitHub Blog" for
    github.blog, "Süddeutsche.de" for sueddeutsche.de), else 0."""
    best = 0
    words = re.findall(r"[^\W_]+", name)
    initials = "".join(w[0] for w in words).casefold()
    for key in (_fold(name), _fold(name, german=True)):
        for host in hosts:
            main_key = _fold(_main_label(host))
            if key in (main_key, _fold(host)) or (len(words) > 1 and initials == main_key):
                return 2
            if len(main_key) >= 3 and main_key in key:
                best = 1
    return best


def _main_label(host: str) -> str:
    """The registered name in a host name: ``dw`` in ``www.dw.com``, ``bbc`` in
    ``news.bbc.co.uk`` (a two-letter country code after a short second level is skipped)."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _fold(text: str, german: bool = False) -> str:
    """Lower-case letters and digits only, accents removed (or German umlauts spelled out, as
    in domain names): how names are compared."""
    text = text.casefold()
    if german:
        text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _folded(values: list[str]) -> set[str]:
    return {v.casefold() for v in values}


def _title_segments(title: str) -> list[str]:
    return [s.strip() for s in _TITLE_SEPARATOR.split(title)[0::2] if s.strip()]


def _host(address: str) -> str | None:
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    return host[4:] if host.startswith("www.") else host


def _jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, nested ones (``@graph``) included."""
    budget = _MAX_JSONLD
    for script in tree.xpath("//script[contains(@type,'ld+json')]"):
        text = script.text or ""
        budget -= len(text)
        if budget < 0:
            return
        try:
            data = json.loads(text)
        except ValueError:
            continue
        yield from _walk(data, depth=0)


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in value:
                yield from _walk(value[key], depth + 1)


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [" ".join(value["name"].split())]
    return []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _split(values: list[str]) -> list[str]:
    """Keyword lists joined with commas or semicolons, entity-escaped (once or twice), as
    single entries."""
    pieces = (p for v in values for p in re.split(r"[,;]", html.unescape(html.unescape(v))))
    return [p.strip() for p in pieces if p.strip()]


def _largest_block_words(tree: HtmlElement) -> int:
    """Words in the largest group of ``<p>`` elements sharing a parent, outside navigation,
    headers, footers and asides: the page's visible article text, when it is written in
    paragraphs, to compare the extracted body with."""
    blocks: dict[Any, int] = {}
    for p in tree.xpath(
        "//body//p[not(ancestor::nav or ancestor::header or ancestor::footer"
        " or ancestor::aside or ancestor::script or ancestor::noscript)]"
    ):
        parent = p.getparent()
        blocks[parent] = blocks.get(parent, 0) + len(p.text_content().split())
    return max(blocks.values(), default=0)
