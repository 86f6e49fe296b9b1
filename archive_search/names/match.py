"""Whether two written names are the same name, and how close they are.

Whole-string similarity cannot tell a spelling variant from another person: WRatio scores
"Vostochny"/"Vostokny" 82.4 but "Kim Jong-un"/"Kim Jong-il" 81.8. So names are compared word by
word. Words are aligned (a rotated order and "Jongun" for "Jong Un" are allowed), two short
words (three letters or fewer) must agree exactly on their transliteration key, the words of
East Asian names are never compared loosely, and a word left over on *both* sides is a
conflict: "Kim Jong-un" and "Kim Jong-il" share two words but disagree on the third, so they
are two people. A word missing on one side only ("Poehl" vs "Karl Otto Poehl"), written as an
initial ("K. O. Poehl") or misspelt ("Volcer") is a partial match: good enough to find a name,
never enough to merge two.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .keys import NameToken, is_east_asian, name_tokens, order_key, surname_index
from .romanize import romanized_same, words_same

#: Scores of the whole-name equivalences, highest first.
SAME_SPELLING = 100.0
SAME_TRANSLIT = 96.0
SAME_ROTATED = 95.0
#: The best a partial or fuzzy match can score: below every equivalence above.
PARTIAL_CEILING = 94.0
#: A conflict (words left over on both sides) never scores above this.
CONFLICT_CEILING = 50.0

_INITIAL_SCORE = 0.9
_FUZZY_MIN = 0.7  # fuzz.ratio / 100 of two transliteration keys
_FUZZY_WEIGHT = 0.9
_SHORT = 3  # two words this short match only exactly (Jong-un / Jong-il, Ian / Jan)
_MISSING_SURNAME = 25.0
_MISSING_GIVEN = 6.0  # the first given name or initial missing on one side
_MISSING_MORE = 2.0  # each further one
_REORDERED = 20.0


@dataclass(frozen=True)
class _Pair:
    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float


def same_name(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the same name written differently.

    That is: equal after folding case, accents and separators, or after transliteration
    folding with few letters changed, or the same words rotated ("Poehl Karl Otto"), or the
    same name romanised by two conventions (:mod:`.romanize`: "Gorbatschow"). Partial
    and fuzzy matches are not the same name: "Poehl" may be another Poehl, "Volcer" may be
    another person.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    return _equivalence(ta, tb, a, b) is not None


def name_similarity(a: str, b: str) -> float:
    """How likely ``a`` and ``b`` name the same person/place/organisation, 0-100.

    100 same spelling, 96 same transliteration, 95 same words rotated, up to 94 a partial or
    fuzzy match, at most 50 when the names disagree on a word (another person).
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return 0.0
    exact = _equivalence(ta, tb, a, b)
    return exact if exact is not None else _aligned_score(ta, tb)


def few_edits(a: str, b: str) -> bool:
    """Whether folded spellings ``a`` and ``b`` are at most a few letters apart.

    Transliteration keys fold many letters, so two unrelated short names can share one
    ("Canada", "Kanata"). A spelling variant changes a letter or two, not every other letter:
    one edit per four letters is allowed ("Gorbatchev"/"Gorbachov" 2, "Canada"/"Kanata" 2 of 6),
    none in names of three letters or fewer.
    """
    shortest = min(len(a), len(b))
    if shortest <= 3:
        return False  # "SEC" / "SEK", "Fed" / "Feed": too short to tell a variant
    limit = max(1, shortest // 4)
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


def _equivalence(
    ta: tuple[NameToken, ...], tb: tuple[NameToken, ...], a: str, b: str
) -> float | None:
    fold_a, fold_b = "".join(t.text for t in ta), "".join(t.text for t in tb)
    if fold_a == fold_b:
        return SAME_SPELLING
    if "".join(t.key for t in ta) == "".join(t.key for t in tb) and few_edits(fold_a, fold_b):
        return SAME_TRANSLIT
    if len(ta) > 1 and order_key(ta) == order_key(tb):
        rotated_a, rotated_b = _rotation(ta), _rotation(tb)
        if few_edits(rotated_a, rotated_b):
            return SAME_ROTATED
    if romanized_same(a, b) is not None:
        return SAME_TRANSLIT
    return None


def _rotation(tokens: tuple[NameToken, ...]) -> str:
    """The folded words, rotated the way :func:`~.keys.order_key` rotates their keys."""
    keys = [t.key for t in tokens]
    texts = [t.text for t in tokens]
    best = min(range(len(keys)), key=lambda i: " ".join(keys[i:] + keys[:i]))
    return "".join(texts[best:] + texts[:best])


@lru_cache(maxsize=4096)
def _spans(tokens: tuple[NameToken, ...]) -> list[tuple[tuple[int, ...], str, str]]:
    """Single tokens, and runs of 2-3 adjacent words (to meet "Jongun" against "Jong Un")."""
    spans = [((i,), t.text, t.key) for i, t in enumerate(tokens)]
    for size in (2, 3):
        for start in range(len(tokens) - size + 1):
            run = tokens[start : start + size]
            if all(t.kind != "initial" for t in run):
                idx = tuple(range(start, start + size))
                spans.append((idx, "".join(t.text for t in run), "".join(t.key for t in run)))
    return spans


def _token_score(x: NameToken, y: NameToken, fuzzy: bool) -> float:
    if x.text == y.text:
        return 1.0
    if x.key == y.key:
        return 0.96
    if (x.kind == "initial") != (y.kind == "initial"):
        word = y if x.kind == "initial" else x
        initial = x if x.kind == "initial" else y
        return _INITIAL_SCORE if word.kind == "word" and word.text[0] == initial.text else 0.0
    if not fuzzy or x.kind != "word" or y.kind != "word":
        return 0.0
    if words_same(x.text, y.text):
        return 0.96
    if max(len(x.text), len(y.text)) <= _SHORT or min(len(x.text), len(y.text)) < _SHORT:
        return 0.0  # but a three-letter word may be a longer one misspelt ("Kal" / "Karl")
    ratio = max(fuzz.ratio(x.key, y.key), fuzz.ratio(x.text, y.text)) / 100
    return ratio * _FUZZY_WEIGHT if ratio >= _FUZZY_MIN else 0.0


def _align(ta: tuple[NameToken, ...], tb: tuple[NameToken, ...]) -> list[_Pair]:
    """Greedy best-first alignment of words and short runs of words."""
    fuzzy = not (is_east_asian(ta) or is_east_asian(tb))
    candidates: list[_Pair] = []
    spans_a, spans_b = _spans(ta), _spans(tb)
    for ia, text_a, key_a in spans_a:
        for ib, text_b, key_b in spans_b:
            if len(ia) == 1 and len(ib) == 1:
                score = _token_score(ta[ia[0]], tb[ib[0]], fuzzy)
            elif len(ia) > 1 and len(ib) > 1:
                continue
            elif text_a == text_b:
                score = 1.0
            elif key_a == key_b:
                score = 0.96
            else:
                continue
            if score > 0:
                candidates.append(_Pair(ia, ib, score))
    candidates.sort(key=lambda p: (-p.score, len(p.a) + len(p.b)))
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen = []
    for pair in candidates:
        if used_a.isdisjoint(pair.a) and used_b.isdisjoint(pair.b):
            chosen.append(pair)
            used_a.update(pair.a)
            used_b.update(pair.b)
    return chosen


def _aligned_score(ta: tuple[NameToken, ...], tb: tuple[NameToken, ...]) -> float:
    pairs = _align(ta, tb)
    if not pairs:
        return 0.0
    sur_a, sur_b = surname_index(ta), surname_index(tb)
    matched = total = 0.0
    for pair in pairs:
        weight = 2.0 if sur_a in pair.a or sur_b in pair.b else 1.0
        matched += weight * pair.score
        total += weight
    covered_a = {i for p in pairs for i in p.a}
    covered_b = {i for p in pairs for i in p.b}
    left_a = [i for i, t in enumerate(ta) if i not in covered_a and t.kind != "particle"]
    left_b = [i for i, t in enumerate(tb) if i not in covered_b and t.kind != "particle"]
    if left_a and left_b:
        unmatched = sum(2.0 if i == sur_a else 1.0 for i in left_a)
        unmatched += sum(2.0 if i == sur_b else 1.0 for i in left_b)
        return round(CONFLICT_CEILING * matched / (total + unmatched), 1)
    score = 100.0 * matched / total - _REORDERED * _extra_descents(pairs)
    left, surname = (left_a, sur_a) if left_a else (left_b, sur_b)
    if surname in left:
        score -= _MISSING_SURNAME
    given = sum(1 for i in left if i != surname)
    if given:
        score -= _MISSING_GIVEN + _MISSING_MORE * (given - 1)
    return round(max(0.0, min(score, PARTIAL_CEILING)), 1)


def _extra_descents(pairs: list[_Pair]) -> int:
    """How far the word order differs beyond a rotation ("Poehl, Karl" is a rotation of
    "Karl Poehl"; "Salman bin Mohammed" is not a rotation of "Mohammed bin Salman")."""
    order = [p.b[0] for p in sorted(pairs, key=lambda p: p.a[0])]
    descents = sum(1 for x, y in zip(order, order[1:], strict=False) if y < x)
    if descents == 1 and order[-1] > order[0]:
        descents += 1
    return max(0, descents - 1)
