"""The article: the one record every importer produces and every other part reads.

An article is kept on disk as a readable Markdown file with YAML front matter (see
:mod:`archive_search.articlefile`). Dates are kept as ISO 8601 *text* so that what an importer
learned (a date alone, a time with or without a zone) survives the round trip unchanged.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Ids given by an input are kept when they match this: short, portable file names.
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")

_WS = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Article:
    """One news article, as stored in ``corpus/``.

    ``date`` is ISO 8601 text (``2023-09-18``, ``2023-09-18T14:17:00``,
    ``2020-01-19T12:25:36+00:00``) or ``None`` when unknown. ``origin`` says where the article
    came from (imported file name, its sha256, the record number inside it). ``extra`` keeps
    front-matter keys this version does not know, so hand-added metadata is never dropped.
    """

    title: str
    body: str
    id: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lang: str | None = None
    see_also: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    origin: dict[str, Any] = field(default_factory=dict)
    imported_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def datetime(self) -> datetime | None:
        """The date as a naive datetime in the article's own local time, or None."""
        from .dates import parse_iso

        return parse_iso(self.date) if self.date else None

    def ensure_id(self) -> str:
        """Give the article its stable id (kept if safe, else derived) and return it."""
        if not (self.id and is_safe_id(self.id)):
            self.id = derive_id(self.title, self.date, self.source, self.url)
        return self.id

    def fingerprint(self) -> str:
        """A hash of the normalised title and body: two copies of a story share it."""
        return content_fingerprint(self.title, self.body)


def is_safe_id(value: str) -> bool:
    """True when ``value`` can be used as a file name everywhere without surprises."""
    return bool(SAFE_ID.match(value)) and ".." not in value and not value.endswith(".")


def normalize_text(text: str) -> str:
    """Case-fold, NFKC-normalise and collapse white space: the form duplicates are judged on."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_fingerprint(title: str, body: str) -> str:
    data = normalize_text(title) + "\n" + normalize_text(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def slugify(text: str, limit: int = 60) -> str:
    """ASCII, lower-case, dash-separated words, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug


def derive_id(title: str, date: str | None, source: str | None, url: str | None) -> str:
    """A stable id: a readable slug of the title plus a hash of the url, or else of the
    normalised title, date and source. The same article imported twice gets the same id."""
    if url:
        key = url.strip()
    else:
        key = "|".join([normalize_text(title), (date or "")[:10], normalize_text(source or "")])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    slug = slugify(title) or "article"
    return f"{slug}-{digest}"
