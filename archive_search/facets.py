"""How the matches of a query divide among sources and tags: the facets beside search results.

Counted from the hits of :meth:`Archive.search <archive_search.Archive.search>` (with
``limit=0``, every match), so the counts are those of the search itself, whatever engine
answers it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .search import Hit


@dataclass
class Facets:
    """The sources and tags of a set of matches with how many matches each has, most first
    (then by name); ``undated`` matches give no date."""

    sources: list[tuple[str, int]]
    tags: list[tuple[str, int]]
    undated: int


def facet_counts(hits: Sequence[Hit], top: int | None = 20) -> Facets:
    """The ``top`` sources and tags (None for all) among ``hits``: an article counts once
    under its source and once under each of its tags."""
    sources: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    undated = 0
    for hit in hits:
        if hit.source and hit.source.strip():
            sources[hit.source.strip()] += 1
        tags.update({t.strip() for t in hit.tags if t.strip()})
        undated += not hit.date
    return Facets(_most(sources, top), _most(tags, top), undated)


def _most(counter: Counter[str], top: int | None) -> list[tuple[str, int]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    return ranked if top is None else ranked[:top]
