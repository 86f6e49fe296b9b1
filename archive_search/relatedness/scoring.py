"""The score of a pair of profiles, why they are related in words, and copies of one story.

The score is the cosine of the two term vectors blended with the idf-weighted overlap of their
names and tags: each kind of evidence can only add, explaining part of what the text leaves
unexplained. It lies in [0, 1] and is the same whichever article of the pair is asked about.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..ranking import FUNCTION_WORDS
from .profiles import Profile

#: Words that are in nearly every news story whatever it is about: how reporters attribute
#: ("said", "told", "according"), whom they met, and where things are ("across", "along").
#: Like function words, they count in the score but are never given as the reason two stories
#: are related.
NEWS_WORDS = frozenset(
    """
    according add added adding adds across ago ahead along alongside already amid among around
    ask asked asking asks away back behind beside beyond despite even ever inside later meet
    meets met near nearly onto outside said say saying says still tell telling tells told yet
    """.split()  # noqa: SIM905 - a word list reads better as text
)
NOT_REASONS = FUNCTION_WORDS | NEWS_WORDS


def score(
    mine: Profile, theirs: Profile, *, use_tags: bool, names_weight: float, tags_weight: float
) -> tuple[float, dict[str, float]]:
    """The pair's score and the weight each shared term adds to it (its products)."""
    shared = {t: w * theirs.terms[t] for t, w in mine.terms.items() if t in theirs.terms}
    # each kind of evidence can only add: what the text leaves unexplained, shared names
    # and tags explain in part (so a missing or noisy name list never lowers a score)
    missing = 1.0 - cosine(shared, mine.norm, theirs.norm)
    missing *= 1.0 - names_weight * overlap(mine.names, theirs.names)
    if use_tags:
        missing *= 1.0 - tags_weight * overlap(mine.tags, theirs.tags)
    return 1.0 - missing, shared


def reasons(
    mine: Profile,
    theirs: Profile,
    shared: dict[str, float],
    *,
    duplicate: bool,
    days: int | None,
    rarity: Callable[[str], float],
    words: dict[str, str],
    terms_of: Callable[[str], tuple[str, ...]],
    use_tags: bool,
    items: int,
) -> list[str]:
    """Why ``theirs`` is related to ``mine``, in words; empty when it shares nothing that
    counts. Shared terms are listed rarest of the strongly shared first (``rarity`` of a term),
    as their readable ``words``; at most ``items`` terms, names or tags per reason. Function
    words ("his", "since", "under") and the words of every news story (:data:`NEWS_WORDS`:
    "said", "met", "along") count in the score like any shared word but are not listed: they
    say nothing about what two stories have in common."""
    found = ["duplicate"] if duplicate else []
    names = best_shared(mine.names, theirs.names, items)
    # words of a shared name are listed as the name, not again as terms
    in_names = {t for k in names for t in terms_of(mine.name_labels[k])}
    # the rarest of the strongly shared terms say best what two stories have in common
    strength = {
        t: w * rarity(t) for t, w in shared.items()
        if t not in in_names and t not in NOT_REASONS
        and words.get(t, t).casefold() not in NOT_REASONS
    }
    best = sorted(strength, key=lambda t: (-strength[t], t))
    if best:
        found.append("shared terms: " + ", ".join(words.get(t, t) for t in best[:items]))
    if names:
        found.append("shared names: " + ", ".join(mine.name_labels[k] for k in names))
    tags = best_shared(mine.tags, theirs.tags, items) if use_tags else []
    if tags:
        found.append("same tags: " + ", ".join(mine.tag_labels[k] for k in tags))
    if not found:
        return []
    if days is not None:
        found.append(when(days))
    return found


def when(days: int) -> str:
    """How far apart in time two stories are, as a reason says it."""
    return "same day" if days == 0 else f"{days} day{'s' * (days != 1)} apart"


def days_apart(a: Profile, b: Profile) -> int | None:
    return abs((a.day - b.day).days) if a.day and b.day else None


def same_story(a: Profile, b: Profile, resemblance: float) -> bool:
    """Copies of one story: the same normalised text, or word trigrams overlapping at least
    ``resemblance`` (Jaccard) and the same figures (the Fed's daily reserve reports differ
    only in the amount: not copies)."""
    if a.fingerprint == b.fingerprint:
        return True
    if not a.shingles or not b.shingles or a.numbers != b.numbers:
        return False
    common = len(a.shingles & b.shingles)
    return common / (len(a.shingles) + len(b.shingles) - common) >= resemblance


def cosine(shared: dict[str, float], norm_a: float, norm_b: float) -> float:
    if not shared or not norm_a or not norm_b:
        return 0.0
    return min(1.0, sum(shared.values()) / (norm_a * norm_b))


def overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two idf-weighted sets (names or tags); 0 when either is empty."""
    dot = sum(w * w for k, w in a.items() if k in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def best_shared(a: dict[str, float], b: dict[str, float], count: int) -> list[str]:
    """The ``count`` keys in both, heaviest in ``a`` first."""
    return sorted((k for k in a if k in b), key=lambda k: (-a[k], k))[:count]
