"""How matches are scored: the weighting model and query-side ranking aids.

Kept apart from parsing (:mod:`archive_search.query`) and from running searches
(:mod:`archive_search.search`) so that ranking can be tuned, and measured with
``bench/ir_eval.py``, without touching either.
"""

from __future__ import annotations

from typing import Any

from whoosh import query, scoring
from whoosh.searching import Searcher


def weighting(opts: dict[str, Any]) -> scoring.WeightingModel:
    """BM25F with the archive's ``search.bm25_b`` and ``search.bm25_k1``."""
    return scoring.BM25F(B=float(opts.get("bm25_b", 0.75)), K1=float(opts.get("bm25_k1", 1.2)))


def prepare(q: query.Query, searcher: Searcher, settings: dict[str, Any]) -> query.Query:
    """The query as it will be run, after any ranking aids (none yet)."""
    return q
