"""The article: the one record every importer produces and every other part reads.

An article is kept on disk as a readable Markdown file with YAML front matter (see
:mod:`archive_search.articlefile`). Dates are kept as ISO 8601 *text* so that what an importer
learned (a date alone, a time with or without a zone) survives the round trip unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Ids given by an input are kept when they match this: short, portable file names.
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
MAX_ID = 120
#: Names Windows reserves for devices, with or without an extension (``CON``, ``nul.txt``,
#: ``Com1``): a file ``con.md`` cannot be created there, so an archive synced to Windows breaks.
_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)", re.I)
#: Two bodies sharing at least this share of the shorter one's word 3-shingles are the same
#: story revised (an update, a correction, a re-send); below it they are different stories that
#: happen to share an id. Measured on Reuters-21578 with bench/versions_eval.py: of 283 pairs of
#: stories with the same title and day but other text, 228 (81%) share 0.6 or more (re-sends,
#: corrections at 0.87 and 0.92, expanded flashes, tables updated during the day); the different
#: stories among them (lists of SEC filings, market reports) share at most 0.54. Below the line
#: the cost is two searchable copies of one story; above it a different story would be searchable
#: only as an old version, so the line leans to the safe side (earnings tables re-sent with their
#: numbers reformatted, at 0.3 to 0.6, stay separate articles).
SAME_STORY = 0.6
#: ... and at least this share of the longer text's (see :func:`is_revision`).
SAME_STORY_OF_LONGER = 0.25

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
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
        """Give the article its stable id and return it.

        A safe id is kept. Any other id the input gave (too long, a url, a Windows device
        name) still names one record, so it becomes a readable slug plus a hash of the whole
        id: two ids differing only in their last character stay two articles. The id as given
        is kept in ``origin.id``. Without a usable id, one is derived from title, date, source
        and url.
        """
        if self.id and not is_safe_id(self.id):
            given = self.id
            self.id = safe_id_for(given)
            if self.id:
                self.origin["id"] = given
        if not self.id:
            self.id = derive_id(self.title, self.date, self.source, self.url)
        return self.id

    def fingerprint(self) -> str:
        """A hash of the normalised title and body: two copies of a story share it."""
        return content_fingerprint(self.title, self.body)


def version_number(article: Article) -> int:
    """Which version of its article ``article`` is: the ``version`` key of its front matter,
    1 when it has none (every article before its first update)."""
    value = article.extra.get("version")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return 1


def is_safe_id(value: str) -> bool:
    """True when ``value`` can be used as a file name everywhere without surprises: portable
    characters, at most 120 of them, no ``..``, no final dot, no Windows device name."""
    return (
        bool(SAFE_ID.match(value)) and ".." not in value and not value.endswith(".")
        and not _RESERVED.match(value)
    )


def safe_id_for(given: str) -> str | None:
    """A safe id standing for the unsafe id ``given``: a slug of it plus a hash of all of it,
    or None when nothing readable is left of it (``..``, ``///``)."""
    slug = slugify(given)
    if not slug:
        return None
    return f"{slug}-{_sha256(given)[:10]}"


def sibling_id(base: str, n: int) -> str:
    """The ``n``-th id of a different article whose own id ``base`` was taken: ``base-n``,
    with ``base`` shortened so that the result is still a safe id."""
    suffix = f"-{n}"
    return f"{base[: MAX_ID - len(suffix)].rstrip('.')}{suffix}"


def word_shingles(normalised: str) -> frozenset[int]:
    """Hashed word trigrams of an already :func:`normalize_text`-ed text (the whole text, when
    it has fewer than three words): what revisions and copies of a story are told by."""
    words = _WORD.findall(normalised)
    if len(words) < 3:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + 3])) for i in range(len(words) - 2))


def story_overlaps(first: str, second: str) -> tuple[float, float]:
    """The share of the shorter text's word trigrams that the other has too, and the share of
    the longer text's (each 0 to 1; 0 when either text has no words)."""
    a, b = word_shingles(normalize_text(first)), word_shingles(normalize_text(second))
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared / max(len(a), len(b))


def is_revision(first: str, second: str) -> tuple[bool, float]:
    """Whether ``second`` reads as a revision of ``first``, and their :func:`story_overlap`.

    Most of the shorter text must be in the other (:data:`SAME_STORY`), and the shared text must
    also be a real part of the longer one (:data:`SAME_STORY_OF_LONGER`): a page that is mostly
    its site's navigation is contained in every longer page of that site, yet is not the same
    story. On Reuters-21578 this keeps 216 of the 228 same-headline, same-day pairs above
    :data:`SAME_STORY` as revisions; the other 12 (a two-line flash and the full story sent
    later) become two searchable articles, the safe mistake.
    """
    of_shorter, of_longer = story_overlaps(first, second)
    return of_shorter >= SAME_STORY and of_longer >= SAME_STORY_OF_LONGER, of_shorter


def story_overlap(first: str, second: str) -> float:
    """The share of the shorter text's word trigrams that the other text has too (0 to 1).

    Containment rather than Jaccard: a wire story is often re-sent longer (a flash, then the
    full story), and that is still the same story. 0 when either text has no words.
    """
    return story_overlaps(first, second)[0]


def normalize_text(text: str) -> str:
    """Case-fold, NFKC-normalise and collapse white space: the form duplicates are judged on."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_fingerprint(title: str, body: str) -> str:
    data = normalize_text(title) + "\n" + normalize_text(body)
    return _sha256(data)[:32]


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
    digest = _sha256(key)[:10]
    slug = slugify(title) or "article"
    return f"{slug}-{digest}"


def _sha256(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8) in hex. hashlib, which loads OpenSSL (2 ms), is
    imported on first use: commands that never make an id or a fingerprint (`arch index` and
    `arch stats` with nothing changed, a search) start without it."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
