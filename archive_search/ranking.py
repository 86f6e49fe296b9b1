"""How matches are ranked, in words any engine can follow.

Kept apart from reading queries (:mod:`archive_search.query`) and from running searches
(:mod:`archive_search.search`) so that ranking can be tuned, and measured with
``bench/ir_eval.py``, without touching either. What is here, and why (figures in
``bench/README.md``, "Ranking quality"):

* **Weighting**: In_expB2, a divergence-from-randomness model, by default. It ranks clearly
  better than BM25F on two of the three test collections and about as well on the third. Its
  one parameter, the length normalisation, is set per field (``search.dfr_c`` for bodies,
  ``search.dfr_title_c`` for titles). BM25F stays available (``search.weighting: bm25``).
* **Repeated words count**: the parser keeps one copy of a repeated word; a question that says
  "titles" three times is about titles, so each copy adds to that word's weight.
* **Function words of long questions are dropped**: in a query of optional words ("what are
  the problems of ...") words like "what", "which" or "been" only add noise. Words that a
  query requires (short queries, explicit AND) are never dropped.
* **Pseudo-relevance feedback** for questions of four words or more: the best few matches
  are read, and the words that are frequent in them but rare in the archive add to the scores
  of the best thousand matches (an RM3-style expansion). Feedback only re-ranks: the articles
  that match, and their number, are those of the typed query.
* **Newer first, when asked** (``--recent``): :func:`recency` blends relevance with age among
  the best matches.

The function-word list, the feedback bounds and the recency blend are here, for any engine;
the weighting, the query rewrites and feedback as Whoosh runs them are in
:mod:`archive_search.engine.whoosh_ranking`.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from .dates import parse_iso

if TYPE_CHECKING:
    from .config import SearchSettings
    from .engine import RankedHit

#: English function words that carry no topic. Dropped from queries of optional words only;
#: the index keeps them (its own short stop list is the same for every language field).
#: 'may', 'will', 'can' and 'us' are not here: the index already drops them.
FUNCTION_WORDS = frozenset(
    """
    about above after again against all also am any because been before being below between
    both but could did do does doing down during each either else ever every few further had
    has having he her here hers herself him himself his how however i into its itself just
    least less let like many me might more most much must my myself neither no nor now off
    often once only other others ought our ours ourselves out over own per perhaps rather same
    shall she should since so some such than their theirs them themselves then there these they
    those though through thus too toward towards under until up upon very via was were what
    where whether which while who whom whose why within without would yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
)

#: Words that occur in more than this share of the articles are never feedback words: they
#: say nothing about the topic.
FEEDBACK_MAX_DF = 0.5

#: How much of a feedback match's body is read: longer than nearly every news story (about
#: 3,000 words), so feedback on real stories is unchanged, while a book-length article among
#: the best matches costs no more than an ordinary one.
FEEDBACK_CHARS = 20_000


#: How many of the best matches ``--recent`` re-ranks, and the share of the best score a match
#: needs to count as relevant enough to be moved up for being new.
RECENT_POOL = 100
RECENT_FLOOR = 0.5


def recency(
    hits: list[RankedHit], opts: SearchSettings
) -> tuple[list[RankedHit], dict[int, float]]:
    """Blend relevance with recency among the best matches: the hits in their new order, and
    each one's blended score on the scale of the scores (the best match's relevance), so that
    the scores printed go down the list as the hits do.

    Scores are scaled to the best match (1.0); an article's recency is
    ``0.5 ** (days older than the newest match / half life)``. Only matches scoring at least
    half the best are moved up for being new, and the blend weight stays below one half, so a
    clearly better match is never buried under merely newer, weaker ones.
    """
    if not hits:
        return hits, {}
    weight = min(opts.recent_weight, 0.45)
    half_life = max(opts.recent_half_life_days, 0.1)
    best = max(h.score for h in hits) or 1.0
    dates = [h.stored.date for h in hits]
    parsed = [parse_iso(d) if d else None for d in dates]
    newest = max((d for d in parsed if d), default=None)

    def blended(pair: tuple[RankedHit, _dt.datetime | None]) -> float:
        hit, when = pair
        relevance = hit.score / best
        fresh = 0.0
        if relevance < RECENT_FLOOR:
            return (1 - weight) * relevance
        if newest and when:
            age = (newest - when).total_seconds() / 86400
            fresh = 0.5 ** (age / half_life)
        return (1 - weight) * relevance + weight * fresh

    scored = sorted(((hit, blended((hit, when))) for hit, when in zip(hits, parsed, strict=True)),
                    key=lambda pair: pair[1], reverse=True)
    return [hit for hit, _ in scored], {hit.docnum: score * best for hit, score in scored}
