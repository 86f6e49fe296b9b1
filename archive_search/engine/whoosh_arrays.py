"""Postings read, scored and added up as arrays, for the parts of a query that stand for many
words: a wildcard's thousand words or a pasted paragraph's hundred.

Whoosh matches them one posting at a time through a matcher per word, scoring each posting
with a Python call and a field-length lookup: '*e' reads a million postings at 194,000
articles, three seconds of that work (issue 15). Here each word's postings are read a block
at a time into numpy arrays, each distinct (weight, field length) pair of a word is scored
once by the weighting's own scorer, and the words are added up into one array per segment:
the same scores, for about a third of the time (unpickling Whoosh's blocks is the rest). The
result is matched by :class:`ScoredDocs`, which tells a top-N search the best score of each
block of its documents, so that a search for the ten best skips the rest without walking it;
and the commonest words of a wildcard, beyond what can be scored in time, are matched by
:class:`Unscored`, read only as far as the search walks.
"""

from __future__ import annotations

import heapq
import struct
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, Matcher
from whoosh.scoring import WeightLengthScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from .whoosh_ranking import length_bytes

if TYPE_CHECKING:
    from whoosh.searching import Searcher

#: Documents per block of a :class:`ScoredDocs`, whose best score a top-N search may skip on.
BLOCK = 128

Arrays = tuple[np.ndarray, np.ndarray]
EMPTY: Arrays = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def term_arrays(searcher: Searcher, fieldname: str, text: Any, weighting: Any,
                boost: float = 1.0, lengths: dict[Any, Any] | None = None) -> Arrays:
    """The documents holding ``text`` in ``fieldname`` (ascending numbers in ``searcher``,
    one segment's or the whole index's) and their scores, as Whoosh's ``Term`` scores them
    with ``weighting`` (the searcher's when None) and ``boost``. ``lengths`` keeps, for the
    other words and segments of the same query, the field-length columns read and the
    scorers made."""
    schema = searcher.schema
    if fieldname not in schema:
        return EMPTY
    try:
        btext = schema[fieldname].to_bytes(text)
    except ValueError:
        return EMPTY
    weighting = weighting or searcher.weighting
    cache = {} if lengths is None else lengths
    parts = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, btext) not in reader:
            continue
        ids, weights = _postings(reader.postings(fieldname, btext))
        # one scorer serves every segment: arch's weightings (In_expB2, BM25) take their
        # statistics from the whole index, and the field lengths come from each segment's
        # column below
        made = ("scorer", fieldname, btext, id(weighting))
        if made not in cache:
            cache[made] = (weighting, weighting.scorer(sub, fieldname, btext))
        scorer = cache[made][1]
        column = None
        if isinstance(scorer, WeightLengthScorer):
            key = (id(reader), fieldname)
            if key not in cache:
                cache[key] = (reader, _read_length_column(reader, fieldname))
            column = cache[key][1]
        scores = _scores(scorer, ids, weights, column)
        if scores is None:  # the segment's own scorer, one posting at a time
            scores = _each(weighting.scorer(sub, fieldname, btext), ids, weights)
        if boost != 1.0:  # as Whoosh's WrappingMatcher: each score times the boost
            scores = scores * boost
        parts.append((ids + offset, scores))
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def matcher_arrays(matcher: Any, scored: bool = True) -> Arrays:
    """What any matcher matches, walked one document at a time (for the parts of a union
    that are not words: phrases, ranges of dates)."""
    if isinstance(matcher, ScoredDocs):
        return matcher.arrays()
    ids: list[int] = []
    scores: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        scores.append(matcher.score() if scored else 1.0)
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64)


def union(parts: list[Arrays], doccount: int, boost: float = 1.0,
          scored: bool = True) -> Arrays:
    """The documents any of ``parts`` holds and the sum of their scores, each times
    ``boost``, added in the order of ``parts`` (as Whoosh's array union adds them). Every
    document of a part is kept, whatever its score."""
    acc = np.zeros(doccount, dtype=np.float64)
    found = np.zeros(doccount, dtype=bool)
    for ids, scores in parts:
        if not len(ids):
            continue
        found[ids] = True
        if scored:
            # a word's documents are distinct, so adding through an index adds each once
            acc[ids] += scores * boost if boost != 1.0 else scores
    ids = np.flatnonzero(found)
    return ids, (acc[ids] if scored else np.ones(len(ids), dtype=np.float64))


#: The lengths that open each key and value of Whoosh's ordered hash file (its word list).
_KEY_LENGTHS = struct.Struct("!ii")


def field_words(reader: Any, fieldname: str) -> list[bytes] | None:
    """Every word of ``fieldname`` in the index, sorted, read straight from each segment's
    word list through its memory map (a third of the time of Whoosh's lexicon, which decodes
    each word through five generators and merges the segments one word at a time: 0.15 s of
    a '*e' at 194,000 articles); None when a segment's word list is not a memory map."""
    found: set[bytes] = set()
    for segment, _ in reader.leaf_readers():
        words = _segment_words(segment, fieldname)
        if words is None:
            return None
        found.update(words)
    return sorted(found)


def _segment_words(reader: Any, fieldname: str) -> list[bytes] | None:
    terms = getattr(reader, "_terms", None)
    table = getattr(terms, "_tindex", None)
    data = getattr(getattr(table, "dbfile", None), "_map", None)
    if data is None or not hasattr(terms, "_keycoder") or not hasattr(table, "endofdata"):
        return None
    # each key is the field's number (two bytes) and the word, in order of both
    field = terms._keycoder(fieldname, b"")
    pos = table.closest_key_pos(field)
    words: list[bytes] = []
    end = table.endofdata
    unpack, size = _KEY_LENGTHS.unpack_from, _KEY_LENGTHS.size
    while pos is not None and pos < end:
        keylen, datalen = unpack(data, pos)
        start = pos + size
        if data[start:start + len(field)] != field:
            break
        words.append(data[start + len(field):start + keylen])
        pos = start + keylen + datalen
    return words


def _postings(m: Any) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and weights of one word's postings in one segment (without its
    deleted documents, which Whoosh filters out)."""
    if isinstance(m, FilterMatcher) and m.boost == 1.0:
        ids, weights = _postings(m.child)
        keep = np.isin(ids, np.fromiter(m._ids, dtype=np.int64, count=len(m._ids)),
                       invert=m._exclude)
        return ids[keep], weights[keep]
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        # Whoosh's on-disk postings, a block at a time (the fields of its blocks are private
        # to Whoosh, pinned at whoosh-reloaded 2.7.5 in pyproject.toml)
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        while True:
            m._read_data()
            deltas, weights, _ = m._data
            count = m._blocklength
            id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            if weights is None:
                weight_parts.append(np.ones(count, dtype=np.float64))
            elif isinstance(weights, float):
                weight_parts.append(np.full(count, weights, dtype=np.float64))
            else:
                weight_parts.append(np.asarray(weights, dtype=np.float64))
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return np.concatenate(id_parts), np.concatenate(weight_parts)
    ids: list[int] = []
    found: list[float] = []
    while m.is_active():
        ids.append(m.id())
        found.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(found, dtype=np.float64)


class _Posting:
    """One posting as a scorer reads it: its document and weight."""

    __slots__ = ("_id", "_weight")

    def __init__(self, docnum: int, weight: float) -> None:
        self._id = docnum
        self._weight = weight

    def id(self) -> int:
        return self._id

    def weight(self) -> float:
        return self._weight


def _scores(scorer: Any, ids: np.ndarray, weights: np.ndarray,
            lengths: np.ndarray | None) -> np.ndarray | None:
    """Each posting's score, as ``scorer`` gives it. A scorer of weight and field length
    (In_expB2, BM25) is asked once per distinct pair of weight and length, the lengths read
    from ``lengths`` (the field-length bytes of the segment, the column Whoosh reads one
    document at a time); None when that cannot be done (a document of no length, whose
    length Whoosh reads as None)."""
    if isinstance(scorer, WeightScorer):
        return weights.copy()
    if lengths is None or not isinstance(scorer, WeightLengthScorer):
        return None
    found = lengths[ids]
    if not found.all():
        return None
    score = scorer._score
    if len(ids) <= 8:
        return np.array([score(float(w), byte_to_length(int(b)))
                         for w, b in zip(weights, found, strict=True)], dtype=np.float64)
    # a complex number holds the pair; its distinct values come sorted, with where each is
    _, first, inverse = np.unique(weights + 1j * found, return_index=True,
                                  return_inverse=True)
    once = np.array([score(float(weights[i]), byte_to_length(int(found[i]))) for i in first],
                    dtype=np.float64)
    return once[inverse.reshape(-1)]


def _each(scorer: Any, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each posting's score by ``scorer``, one posting at a time."""
    each = zip(ids, weights, strict=True)
    return np.array([scorer.score(_Posting(int(d), float(w))) for d, w in each],
                    dtype=np.float64)


def _read_length_column(reader: Any, fieldname: str) -> np.ndarray | None:
    """The field-length bytes of every document of a segment (the column Whoosh's
    ``doc_field_length`` reads, as :func:`~.whoosh_ranking.length_bytes` keeps it per open
    segment), as numbers; None when they cannot be read whole."""
    raw = length_bytes(reader, fieldname)
    if raw is None:
        return None
    doccount = reader.doc_count_all()
    lengths = np.zeros(doccount + 1, dtype=np.float64)
    count = min(len(raw), doccount + 1)
    lengths[:count] = np.frombuffer(bytes(raw[:count]), dtype=np.uint8)
    return lengths


#: The score of a document that holds only words matched without scoring (see
#: :class:`Unscored`): above nothing, so a top-N search keeps it when nothing better matched.
UNSCORED = 1e-6
#: Moves through the documents of unscored words one at a time before the rest of their
#: postings are read whole (a search sorted by date, or with a word required beside them,
#: walks them all).
LAZY_STEPS = 256


class Unscored:
    """The documents holding any of many words (each a segment reader, field, word and the
    offset of the segment's first document), found without scoring them and read only as far
    as a search walks: a top-N search walks them only until it has N better matches, which
    costs a block or two of each word rather than every posting."""

    def __init__(self, words: list[tuple[Any, str, bytes, int]]) -> None:
        self._words = words
        self._matchers: list[Any] = [None] * len(words)
        # each word's first document, from the index's word list: nothing read yet
        self._heap: list[tuple[int, int]] = []
        for k, (reader, fieldname, word, offset) in enumerate(words):
            if (fieldname, word) in reader:
                self._heap.append((reader.term_info(fieldname, word).min_id() + offset, k))
        heapq.heapify(self._heap)
        self.steps = 0

    def is_active(self) -> bool:
        self._settle()
        return bool(self._heap)

    def id(self) -> int:
        self._settle()
        return self._heap[0][0]

    def next(self) -> None:
        self.skip_to(self.id() + 1)

    def _settle(self) -> None:
        """Open the postings of the word at the top, whose first document the word list
        gave: it may have been deleted since (Whoosh's postings leave it out)."""
        heap = self._heap
        while heap and self._matchers[heap[0][1]] is None:
            self._advance(heapq.heappop(heap)[1], 0)

    def _advance(self, k: int, target: int) -> None:
        reader, fieldname, word, offset = self._words[k]
        m = self._matchers[k]
        if m is None:
            m = self._matchers[k] = reader.postings(fieldname, word)
        if m.is_active() and target > offset:
            m.skip_to(target - offset)
        if m.is_active():
            heapq.heappush(self._heap, (m.id() + offset, k))

    def skip_to(self, target: int) -> None:
        heap = self._heap
        while heap and heap[0][0] < target:
            self._advance(heapq.heappop(heap)[1], target)
        self._settle()
        self.steps += 1

    def arrays(self) -> Arrays:
        """The documents from the current one on, each with the score :data:`UNSCORED`, read
        whole."""
        if not self._heap:
            return EMPTY
        start = self._heap[0][0]
        parts = []
        for k in {k for _, k in self._heap}:
            reader, fieldname, word, offset = self._words[k]
            ids, _ = _postings(reader.postings(fieldname, word))
            ids = ids + offset
            ids = ids[ids >= start]
            parts.append((ids, np.full(len(ids), UNSCORED)))
        self._heap = []
        if not parts:
            return EMPTY
        ids = np.unique(np.concatenate([p[0] for p in parts]))
        return ids, np.full(len(ids), UNSCORED)


class ScoredDocs(Matcher):
    """A matcher over documents and scores worked out beforehand, in blocks of :data:`BLOCK`
    documents whose best score a top-N search reads to skip the blocks that cannot reach it
    (as it does with Whoosh's own postings)."""

    def __init__(self, ids: np.ndarray, scores: np.ndarray, scored: bool = True,
                 rest: Unscored | None = None) -> None:
        self._set(ids, scores)
        self._scored = scored
        #: documents of words matched without scoring, walked beside these, each adding
        #: UNSCORED to a document's score; dropped once a top-N search needs better
        self._rest = rest if rest is not None and rest.is_active() else None

    def _set(self, ids: np.ndarray, scores: np.ndarray) -> None:
        self._arrays = (ids, scores)
        self._ids: list[int] = ids.tolist()
        self._scores: list[float] = scores.tolist()
        self._i = 0
        if len(scores):
            starts = np.arange(0, len(scores), BLOCK)
            self._best: list[float] = np.maximum.reduceat(scores, starts).tolist()
        else:
            self._best = []

    def __repr__(self) -> str:
        return f"ScoredDocs({len(self._ids)} documents)"

    def arrays(self) -> Arrays:
        """The documents and scores from the current one on (the unscored ones read whole)."""
        self._read_rest()
        ids, scores = self._arrays
        return ids[self._i:], scores[self._i:]

    def _read_rest(self) -> None:
        """Read the rest of the unscored words' documents whole and add them in."""
        if self._rest is None:
            return
        ids, scores = self._arrays
        rest_ids, rest_scores = self._rest.arrays()
        self._rest = None
        mine = (ids[self._i:], scores[self._i:])
        if not len(mine[0]):
            self._set(rest_ids, rest_scores)
            return
        start = int(min(mine[0][0], rest_ids[0] if len(rest_ids) else mine[0][0]))
        merged_ids, merged = union([(mine[0] - start, mine[1]),
                                    (rest_ids - start, rest_scores)],
                                   int(max(mine[0][-1], rest_ids[-1] if len(rest_ids) else 0))
                                   - start + 1)
        self._set(merged_ids + start, merged)

    def _here(self) -> bool:
        return self._i < len(self._ids)

    def is_active(self) -> bool:
        return self._here() or self._rest is not None

    def id(self) -> int:
        if self._rest is None:
            return self._ids[self._i]
        if not self._here():
            return self._rest.id()
        return min(self._ids[self._i], self._rest.id())

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()

    def next(self) -> bool:
        if self._rest is None:
            self._i += 1
            return self._i % BLOCK == 0
        now = self.id()
        if self._here() and self._ids[self._i] == now:
            self._i += 1
        if self._rest.id() == now:
            self._rest.next()
            if not self._rest.is_active():
                self._rest = None
            elif self._rest.steps > LAZY_STEPS:
                self._read_rest()
        return True  # the search may drop the rest as soon as it has better matches

    def skip_to(self, id: int) -> None:  # noqa: A002 (Whoosh's name)
        if self._here() and self._ids[self._i] < id:
            ids, _ = self._arrays
            self._i = int(np.searchsorted(ids, id, side="left"))
        if self._rest is not None:
            self._rest.skip_to(id)
            if not self._rest.is_active():
                self._rest = None
            elif self._rest.steps > LAZY_STEPS:
                self._read_rest()

    def supports(self, astype: str) -> bool:
        return False

    def score(self) -> float:
        now = self.id()
        score = self._scores[self._i] if self._here() and self._ids[self._i] == now else 0.0
        if self._rest is not None and self._rest.id() == now:
            score += UNSCORED
        return score

    def weight(self) -> float:
        return self.score()

    def supports_block_quality(self) -> bool:
        return self._scored

    def _extra(self) -> float:
        return UNSCORED if self._rest is not None else 0.0

    def max_quality(self) -> float:
        return max(self._best, default=0.0) + self._extra()

    def block_quality(self) -> float:
        return (self._best[self._i // BLOCK] if self._here() else 0.0) + self._extra()

    def skip_to_quality(self, minquality: float) -> int:
        skipped = 0
        if self._rest is not None and minquality >= UNSCORED:
            self._rest = None  # the search has better matches than any of these
            skipped += 1
        extra = self._extra()
        while self._here() and self._best[self._i // BLOCK] + extra <= minquality:
            self._i = (self._i // BLOCK + 1) * BLOCK
            skipped += 1
        return skipped

    def copy(self) -> ScoredDocs:
        self._read_rest()
        ids, scores = self._arrays
        return ScoredDocs(ids[self._i:], scores[self._i:], self._scored)
