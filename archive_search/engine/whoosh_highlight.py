"""Highlighted passages by Whoosh's highlighter: the best passages of an article's body around
the matched words.

Imported only when a search prints snippets, so that one that prints none (``--fields
id,title``) never loads Whoosh's highlighting machinery: every millisecond of start-up counts
for a command run once per query from scripts.
"""

from __future__ import annotations

from typing import Any

from whoosh import highlight

from ..output import HL_END, HL_START


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


def passages(hit: Any, fieldname: str, text: str) -> str:
    """The hit's best two passages of ``text`` (as ``fieldname`` analyses it), or "" when
    no word can be marked."""
    try:
        return hit.highlights(fieldname, text=text, top=2)
    except Exception:  # highlighting is a nicety; never fail a search over it
        return ""
