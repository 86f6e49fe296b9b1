"""Saved web pages: one news article per HTML file.

trafilatura finds the main text, title, author and site name. The url, publication date and
language come from what the page *declares* (``og:url``, ``article:published_time``, JSON-LD,
``<html lang>``), read here, because trafilatura's own date search (htmldate) guesses from
sidebars, crawl-day headers and modification times: on the 41 pages of the shared test corpus it
picked a wrong day for reuters, nationalgeographic, dw.com, rnz, sonntag-sachsen and
sueddeutsche. A date we cannot establish stays unknown, with a warning; it is never guessed.

Nothing is fetched: trafilatura is handed the decoded page, never a URL.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ..article import Article
from ..dates import parse_date
from .base import (
    ImportFailure,
    ImportOptions,
    NotAnArticle,
    RecordFailure,
    RecordWarning,
    Source,
)
from .pagefacts import (
    TEMPLATE,
    PageFacts,
    clean_title,
    displayed_headline,
    read_facts,
    site_name,
    topic_tags,
)
from .textutil import (
    decode_bytes,
    dedupe,
    head_as_utf8,
    html_to_text,
    is_web_address,
    lang_code,
    looks_like_html,
    strip_controls,
)

if TYPE_CHECKING:
    from lxml.html import HtmlElement

NAME = "html"
EXTENSIONS = (".html", ".htm")

_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.I | re.S
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_TEMPLATE = TEMPLATE

#: Meta tags (``property``, ``name`` or ``itemprop``) that declare the publication time, best
#: first. Modification times and ``dateCreated`` (rnz.de fills it with the render time) are not
#: publication dates and are left out on purpose.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "pub_date",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dc:date",
    "dcterms.date",
    "prism.publicationdate",
    "citation_publication_date",
    "bepress_citation_date",
    "date",
)
_JSONLD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{4,60})"')
#: A date the page labels as its own ("Date 10.06.2013", "veröffentlicht: 25.10.2007 15:19").
_LABELLED_DATE = re.compile(
    r"\b(?:date|datum|published(?: on)?|posted on|publié le|veröffentlicht(?: am)?|"
    r"erschienen(?: am)?)\s*:?\s*"
    r"(\d{1,2}\.\s?\d{1,2}\.\s?\d{4}(?:,?\s+\d{1,2}:\d{2})?"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|[A-Z][a-z]+\.? \d{1,2}, \d{4}(?:,? (?:at )?\d{1,2}:\d{2}\s*[ap]\.?m\.?)?)",
    re.I,
)


def sniff(head: bytes, name: str) -> bool:
    """An HTML document starts (after a BOM, XML declaration or comments) with its doctype or
    ``<html>`` tag."""
    return bool(_SNIFF.match(head_as_utf8(head)))


def read(
    source: Source, options: ImportOptions
) -> Iterator[Article | RecordFailure | RecordWarning]:
    """Yield the page's one article, then warnings about what it could not establish."""
    data = source.read_bytes()
    text = decode_bytes(data, declared=declared_charset(data))
    article, warnings = extract_page(text)
    if article.source is None:
        article.source = options.default_source
    yield article
    for reason in warnings:
        yield RecordWarning(reason)


def declared_charset(data: bytes) -> str | None:
    """The encoding the page names in a ``<meta>`` tag or XML declaration, if any."""
    head = data[:65536]
    match = _XML_ENCODING.match(head) or _CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def extract_page(text: str) -> tuple[Article, list[str]]:
    """Turn a decoded page into an article and the warnings to show with it.

    Raises :class:`ImportFailure` when the text is not HTML or is not an article: no text, an
    unrendered page template, or too few words to be one.
    """
    import trafilatura  # heavy: loaded only when a page is actually imported
    from trafilatura.settings import Document

    tree = trafilatura.load_html(text)
    if tree is None:
        raise ImportFailure("not an HTML page (it could not be parsed)")
    warnings: list[str] = []
    lang = page_lang(tree)
    url, url_warning = page_url(tree)
    date, date_warning = published_date(tree, lang)
    warnings += [w for w in (url_warning, date_warning) if w]
    facts = read_facts(tree)
    # The tree is read above before trafilatura cleans it in place; url=None keeps it offline.
    # bare_extraction gives None when its own passes find nothing: the metadata are then empty
    doc = _extract(tree) or Document()
    body = _paragraphs(doc.text or "")
    body, body_warning = _complete_body(body, text, facts)
    _refuse_non_articles(body, facts)
    warnings += [body_warning] if body_warning else []
    source = site_name(facts, _clean(doc.sitename) or None)
    title = displayed_headline(clean_title(_clean(doc.title), facts, source), facts, source)
    title = title or body.split("\n", 1)[0][:100]
    body = _without_headline(body, [title, *facts.headlines])
    body = _without_captions(body, facts.captions)
    body, byline = _without_byline(body)
    authors = _split_names(doc.author) or ([byline] if byline else [])
    article = Article(
        title=title,
        body=body,
        date=date,
        source=source,
        url=url,
        authors=authors,
        tags=topic_tags(_tags([*(doc.categories or []), *(doc.tags or [])]), facts, source, title),
        lang=lang or lang_code(doc.language),
    )
    return article, warnings


#: Fewer words than this after every fallback: not an article (an edit screen, a placeholder).
MIN_ARTICLE_WORDS = 25
#: A body under this share of the page's largest paragraph block (or of its JSON-LD
#: articleBody) is suspect: trafilatura has probably taken a caption or a teaser.
SHORT_SHARE = 0.5


def _extract(tree: HtmlElement, **options: bool) -> Any:
    """trafilatura's extraction with the settings this importer relies on."""
    import trafilatura

    return trafilatura.bare_extraction(
        tree,
        url=None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={"extensive_search": False},
        **options,
    )


def _complete_body(body: str, text: str, facts: PageFacts) -> tuple[str, str | None]:
    """The body, completed when it is suspiciously short, and a warning when it stays so.

    trafilatura's balanced pass sometimes keeps only a photo caption. When the body is short
    against the page's largest paragraph block or its JSON-LD ``articleBody``, or shorter than
    an article at all, the recall-oriented pass (``favor_recall``) is tried on a fresh tree; if
    the page's JSON-LD ``articleBody`` (the publisher's own copy of the text, the only one on
    pages drawn by JavaScript) is still more than twice as long, it is the body, with a note.
    """
    import trafilatura

    words = len(body.split())
    declared = facts.article_body
    if looks_like_html(declared):  # some CMSs put the article's HTML in articleBody
        declared = html_to_text(declared)
    declared = _paragraphs(declared)
    declared_words = len(declared.split())
    expected = max(facts.largest_block_words, declared_words)
    if words >= MIN_ARTICLE_WORDS * 2 and words >= SHORT_SHARE * expected:
        return body, None
    fresh = trafilatura.load_html(text)
    recall = _extract(fresh, favor_recall=True) if fresh is not None else None
    recalled = _paragraphs(recall.text if recall is not None else "")
    if len(recalled.split()) > words:
        body, words = recalled, len(recalled.split())
    if declared_words > 2 * words and declared_words >= MIN_ARTICLE_WORDS:
        note = (
            f"the page's layout gave only {words} words of text; body taken from its JSON-LD "
            f"articleBody ({declared_words} words, paragraph breaks as the page gives them)"
        )
        return declared, note
    if words and words < SHORT_SHARE * facts.largest_block_words:
        return body, (
            f"only {words} words of article text found, but the page shows a block of "
            f"{facts.largest_block_words} words; the body may be a caption or teaser"
        )
    return body, None


def _refuse_non_articles(body: str, facts: PageFacts) -> None:
    """Fail a page with no text; skip, with the reason, a page that is not an article: an
    unrendered page template (a CMS editing screen saved instead of the article), or one whose
    whole text is a handful of words (an empty placeholder, a consent wall)."""
    words = len(body.split())
    if not words:
        raise ImportFailure("no article text found in the page")
    if facts.visible_templates >= 3 and words < 4 * MIN_ARTICLE_WORDS:
        raise NotAnArticle(
            f"not an article: an unrendered page template ({facts.visible_templates} "
            f"'{{{{…}}}}' placeholders in its text, {words} words of text)"
        )
    if words < MIN_ARTICLE_WORDS:
        raise NotAnArticle(f"not an article: only {words} words of text in the page")


def _without_headline(body: str, headlines: list[str]) -> str:
    """The body without the headline trafilatura sometimes keeps as its first lines, together
    with the short lines around it (a kicker or section name before it, an "updated" label
    after it). Only done when the headline is among the first few paragraphs and everything
    before it is short."""
    keys = {_alnum(h) for h in headlines if _alnum(h)}
    paragraphs = body.split("\n\n")
    for index, paragraph in enumerate(paragraphs[:4]):
        if _alnum(paragraph) in keys:
            if any(len(p.split()) > 12 for p in paragraphs[:index]):
                return body
            rest = paragraphs[index + 1 :]
            while (
                len(rest) > 1
                and len(rest[0].split()) <= 3
                and not rest[0].endswith((".", "!", "?", ":"))
            ):
                rest = rest[1:]
            return "\n\n".join(rest) if rest else body
    return body


def _without_captions(body: str, captions: set[str]) -> str:
    """The body without the photo captions it starts with: a first paragraph that begins with
    the text of one of the page's image captions (``alt``, ``title``, ``<figcaption>``) and
    goes on for no more than a photo credit."""
    paragraphs = body.split("\n\n")
    while len(paragraphs) > 1:
        key = _alnum(paragraphs[0])
        caption = next((c for c in captions if key.startswith(c)), None)
        if caption is None or len(key) - len(caption) > 40:
            break
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


#: A byline on a line of its own: "By Jane Doe", "Von Gregory Lipinski", "Par Jean Dupont".
_BYLINE = re.compile(r"^(?i:by|von|par|por|di|door|av|af)\s+((?:[A-ZÀ-Þ][\w.'’-]*\s*){1,4})$")


def _without_byline(body: str) -> tuple[str, str | None]:
    """The body without a byline that stands as its first paragraph, and the name in it."""
    first, _, rest = body.partition("\n\n")
    match = _BYLINE.match(first.strip())
    if not rest or not match:
        return body, None
    return rest, " ".join(match.group(1).split())


def _alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def page_lang(tree: HtmlElement) -> str | None:
    """The primary language subtag the page declares (``de-DE`` → ``de``), else None."""
    candidates = tree.xpath("/html/@lang | /html/@xml:lang") + tree.xpath(
        "//meta[translate(@http-equiv,'CONTENTLAGU-','contentlagu-')='content-language']/@content"
        " | //meta[translate(@name,'LANGUEDC.','languedc.')='language'"
        " or translate(@name,'LANGUEDC.','languedc.')='dc.language']/@content"
        " | //meta[@property='og:locale']/@content"
    )
    for value in candidates:
        code = lang_code(value)
        if code:
            return code
    return None


def page_url(tree: HtmlElement) -> tuple[str | None, str | None]:
    """The page's own address from ``og:url`` or ``<link rel=canonical>``, and a warning.

    A relative address is resolved only against an absolute base the page gives (``og:url`` or
    ``<base href>``); template placeholders (``{{…}}``) are not addresses.
    """
    og = tree.xpath("//meta[@property='og:url' or @name='og:url']/@content")
    canonical = tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")
    bases = [b for b in tree.xpath("//base/@href") + og if is_web_address(b.strip())]
    warning = None
    for value in [*og, *canonical]:
        value = value.strip()
        if not value or _TEMPLATE.search(value) or any(c.isspace() for c in value):
            warning = f"the page's url {value!r} is not an address; url left unknown"
            continue
        if is_web_address(value):
            return value, None
        if bases:
            return urljoin(bases[0].strip(), value), None
        warning = f"the page's url {value!r} is relative and the page gives no base; url dropped"
    return None, warning


def published_date(tree: HtmlElement, lang: str | None) -> tuple[str | None, str | None]:
    """The publication date the page states, as ISO text, and a warning when there is none.

    Order: publication meta tags, JSON-LD ``datePublished``, microdata ``datePublished``, a date
    the page labels as its own ("Date 10.06.2013"), and the first dated element of the article's
    header. A date-only value is refined by a later candidate giving the time on the same day.
    """
    dayfirst = lang not in (None, "en")
    unreadable: list[str] = []
    found: list[str] = []
    for raw, dotted_dayfirst in _date_candidates(tree):
        if not raw.strip():
            continue
        iso = page_date(raw, dayfirst=dayfirst or dotted_dayfirst)
        if iso is None:
            unreadable.append(raw.strip())
        elif not found:
            found.append(iso)
            if "T" in iso:
                break
        elif iso[:10] == found[0][:10] and "T" in iso:
            return iso, None
    if found:
        return found[0], None
    if unreadable:
        return None, f"date {unreadable[0][:40]!r} not understood; date left unknown"
    return None, "no publication date found in the page; date left unknown"


def page_date(text: str, *, dayfirst: bool = False) -> str | None:
    """ISO text for a date as pages write it, including Java's ``Tue Jan 28 15:28:56 CET
    2020`` (zone names are read by :func:`parse_date`, with the one table of them in
    :mod:`archive_search.dates`); None for placeholders (``dd/MM/yyyy``) and impossible years
    (``0000``)."""
    text = " ".join(text.split())
    if not re.search(r"\d", text) or _TEMPLATE.search(text):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{4}", text):  # +0100 → +01:00
        text = f"{text[:-2]}:{text[-2:]}"
    return parse_date(text, dayfirst=dayfirst)


def _date_candidates(tree: HtmlElement) -> Iterator[tuple[str, bool]]:
    """Raw date strings in the order we trust them, each with "written day-first" (dotted)."""
    metas = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key in _PUBLISHED_META and content and key not in metas:
            metas[key] = content
    for key in _PUBLISHED_META:
        if key in metas:
            yield metas[key], False
    for script in tree.xpath("//script[contains(@type,'ld+json')]"):
        for match in _JSONLD_PUBLISHED.finditer(script.text or ""):
            yield match.group(1), False
    for node in tree.xpath("//*[@itemprop='datePublished' or @pubdate]"):
        value = node.get("datetime") or node.get("content") or node.text_content()
        yield value, "." in value
    labelled = _LABELLED_DATE.search(_visible_text(tree))
    if labelled:
        yield labelled.group(1), "." in labelled.group(1)
    yield from _article_header_dates(tree)


def _article_header_dates(tree: HtmlElement) -> Iterator[tuple[str, bool]]:
    """The first ``<time datetime>`` or date-classed element inside the article itself (the
    schema.org Article scope, else the first ``<article>`` element), never the page's sidebars.
    The microdata scope comes first: rnz.de's first ``<article>`` is a weather widget."""
    scopes = tree.xpath(
        "(//*[contains(@itemtype,'Article') or contains(@itemtype,'BlogPosting')])[1]"
        " | (//article)[1]"
    )
    scopes.sort(key=lambda node: node.get("itemtype") is None)
    for scope in scopes:
        for node in scope.xpath(".//time[@datetime]")[:1]:
            yield node.get("datetime"), False
        for node in scope.xpath(".//*[contains(@class,'date')]")[:1]:
            value = node.text_content()
            yield value, "." in value


def _visible_text(tree: HtmlElement) -> str:
    parts = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return " ".join(" ".join(parts).split())



def _paragraphs(text: str) -> str:
    """trafilatura's one-paragraph-per-line text as blank-line-separated paragraphs, without
    unrendered template expressions (``{{content.title}}``)."""
    lines = (_TEMPLATE.sub("", strip_controls(line)).strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _clean(value: str | None) -> str:
    return " ".join(_TEMPLATE.sub("", strip_controls(value or "")).split())


def _split_names(value: str | None) -> list[str]:
    return dedupe(_clean(name) for name in (value or "").split(";"))


def _tags(values: list[str]) -> list[str]:
    """Keywords as single tags: pages give them comma-joined, entity-escaped, repeated."""
    pieces = (_clean(_html.unescape(p)).strip(" ,") for v in values for p in v.split(","))
    return dedupe(p for p in pieces if len(p) <= 60)
