"""Highlighted snippets: the best passages of an article's body around the matched words.

Kept apart from :mod:`archive_search.search` so that a search printing no snippets (``--fields
id,title``) never imports Whoosh's highlighting machinery: every millisecond of start-up counts
for a command run once per query from scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from whoosh import highlight

from .engine.fields import text_fields
from .output import HL_END, HL_START

if TYPE_CHECKING:
    from .archive import Archive
    from .engine.stored import StoredArticle


def prepare_highlighting(results: Any, chars: int) -> None:
    """Make ``results`` (Whoosh Results) cut passages of about ``chars`` characters and mark
    matched words with HL_START/HL_END, which the output formats turn into bold or plain text."""
    results.fragmenter = highlight.ContextFragmenter(maxchars=chars, surround=60)
    results.formatter = _Marker()


class _Marker(highlight.Formatter):
    """Wraps matched words in the highlight markers, leaves the rest as it is."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{HL_START}{highlight.get_text(text, token, replace)}{HL_END}"


def snippet(archive: Archive, hit: Any, stored: StoredArticle, chars: int) -> str:
    """The hit's best two passages, or the start of its body when no word can be marked."""
    try:
        body = archive.corpus.read_body(stored.path)
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    _, body_field = text_fields(stored.lang)
    try:
        found = hit.highlights(body_field, text=body, top=2)
    except Exception:  # highlighting is a nicety; never fail a search over it
        found = ""
    if found:
        return " ".join(found.split())
    plain = " ".join(body.split())
    return plain[:chars].rsplit(" ", 1)[0] + " …" if len(plain) > chars else plain
