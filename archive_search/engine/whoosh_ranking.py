"""The Whoosh side of ranking (:mod:`archive_search.ranking` says what and why): the In_expB2
weighting model, repeated words weighted, function words of long questions dropped, and
pseudo-relevance feedback: what it adds to the scores of the best matches (:func:`feedback`)."""

from __future__ import annotations

import bisect
import contextlib
import functools
import math
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from whoosh import query, scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ..ranking import FEEDBACK_CHARS, FEEDBACK_MAX_DF, FUNCTION_WORDS
from .fields import all_text_fields, is_body, is_title, text_fields, title_of
from .stored import StoredArticle

if TYPE_CHECKING:
    from ..config import SearchSettings, Settings
    from ..query import QueryReading
    from . import BodyReader

def weighting(opts: SearchSettings) -> scoring.WeightingModel:
    """The model named by ``search.weighting``: ``dfr`` (In_expB2, the default) or ``bm25``."""
    if opts.weighting == "bm25":
        return scoring.BM25F(B=opts.bm25_b, K1=opts.bm25_k1)
    return InExpB2(c=opts.dfr_c, title_c=opts.dfr_title_c)


class InExpB2(scoring.WeightingModel):
    """In_expB2 from the divergence-from-randomness family (Amati and van Rijsbergen, 2002).

    A term's informativeness is how unlikely its frequency in a document is, given how often it
    occurs in the whole archive (an inverse expected document frequency, "In_exp"); that gain
    is damped the more often the term has already been seen in the document (Bernoulli after
    effect, "B"); and term frequency is normalised to the field's average length with
    ``log2(1 + c * avg / length)`` ("2"). Larger ``c`` means less penalty for long articles;
    titles have their own ``title_c``, lower, because a long headline is not a sign of a
    long story.
    """

    def __init__(self, c: float = 1.4, title_c: float = 0.2) -> None:
        self.c = c
        self.title_c = title_c

    def supports_block_quality(self) -> bool:
        return True

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes | str, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        c = self.title_c if is_title(fieldname) else self.c
        return _InExpB2Scorer(searcher, fieldname, text, c)


class _InExpB2Scorer(scoring.WeightLengthScorer):
    def __init__(self, searcher: Searcher, fieldname: str, text: bytes | str, c: float) -> None:
        parent = searcher.get_parent()  # statistics of the whole index, not one segment
        docs = max(parent.doc_count_all(), 1)
        occurrences = parent.frequency(fieldname, text)
        holding = max(parent.doc_frequency(fieldname, text), 1)
        expected = docs * (1 - ((docs - 1) / docs) ** occurrences)
        self.gain = math.log2((docs + 1) / (expected + 0.5)) * (occurrences + 1) / holding
        self.avg = parent.avg_field_length(fieldname) or 1.0
        self.c = c
        self.setup(searcher, fieldname, text)
        self._lengths = length_bytes(searcher.reader(), fieldname)
        self._norms = _norms(c, self.avg)

    def score(self, matcher: Any) -> float:
        """The score of the document ``matcher`` is on: :meth:`_score` of its weight and
        length, with the length's byte read straight from the segment's lengths and its
        normalisation from a table of the 256 lengths a byte stands for. A question scores
        every one of tens of thousands of matches in each field it names; through Whoosh's
        layers of length look-ups that was a fifth of the search. The same arithmetic in the
        same order: the same score to the last bit."""
        lengths, docnum = self._lengths, matcher.id()
        if lengths is not None and docnum < len(lengths) and lengths[docnum]:
            tfn = matcher.weight() * self._norms[lengths[docnum]]
            return self.gain * tfn / (tfn + 1)
        return self._score(matcher.weight(), self.dfl(docnum))

    def _score(self, weight: float, length: int) -> float:
        tfn = weight * math.log2(1 + self.c * self.avg / max(length, 1))
        return self.gain * tfn / (tfn + 1)


@functools.lru_cache(maxsize=64)  # one per field and archive size; bounded for `arch serve`
def _norms(c: float, avg: float) -> tuple[float, ...]:
    """The length normalisation of In_expB2 for each length byte (Whoosh stores a field's
    length in a document as one byte, :func:`~whoosh.util.numeric.byte_to_length`)."""
    return tuple(math.log2(1 + c * avg / max(byte_to_length(b), 1)) for b in range(256))


_LENGTHS: weakref.WeakKeyDictionary[Any, dict[str, bytes | None]] = weakref.WeakKeyDictionary()


def length_bytes(reader: Any, fieldname: str) -> bytes | None:
    """The length byte of ``fieldname`` in every document of a segment (``reader``), as
    its lengths column holds them, read once per open segment; None where the segment is not
    one of Whoosh's own (then Whoosh's look-up is used, as for a byte of 0, which stands for
    the field's shortest length). Whoosh's internals used here are those of the
    whoosh-reloaded version ``pyproject.toml`` pins."""
    if not isinstance(reader, SegmentReader) or reader.is_closed:
        return None
    known = _LENGTHS.setdefault(reader, {})
    if fieldname not in known:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        known[fieldname] = (column._dbfile.get(column._basepos, column._count)
                            if isinstance(column, NumericColumn.Reader)
                            and column._fixedlen == 1 else None)
    return known[fieldname]


def prepare(
    q: query.Query,
    reading: QueryReading,
    searcher: Searcher,
    settings: Settings,
) -> query.Query:
    """The query as it will be run: repeated words weighted, function words of long questions
    dropped."""
    if not reading.words or not _text_terms(q):
        return q
    schema = searcher.schema
    q = _weigh_repeats(q, reading.words, schema)
    # analysing the function-word list costs tens of milliseconds: only when one was typed
    if any(word.lower() in FUNCTION_WORDS for word in reading.words):
        q = _drop_optional_function_words(q, schema)
    return q


def wants_feedback(q: query.Query, reading: QueryReading, opts: SearchSettings) -> bool:
    """Whether pseudo-relevance feedback re-ranks this query's matches: questions only (many
    optional words); on a short search it costs file reads and can let the vocabulary of one
    long match outweigh the word typed."""
    return (len(reading.words) >= opts.feedback_min_words and opts.feedback_docs > 0
            and min(max(opts.feedback_weight, 0.0), 0.95) > 0 and bool(_text_terms(q)))


@dataclass
class Feedback:
    """What pseudo-relevance feedback adds to the scores of the best matches, and the words
    it chose."""

    extras: dict[int, float]
    words: list[str]


def _text_terms(q: query.Query) -> list[query.Term]:
    fields = set(all_text_fields())
    return [t for t in q.leaves() if isinstance(t, query.Term) and t.fieldname in fields]


def _analysed(schema: Any, fieldname: str, words: Iterable[str]) -> list[str]:
    """Each word as ``fieldname`` indexes it (stop words vanish; 'titles' becomes 'titl')."""
    out: list[str] = []
    for word in words:
        out.extend(schema[fieldname].process_text(word.lower(), mode="query"))
    return out


def _weigh_repeats(q: query.Query, words: list[str], schema: Any) -> query.Query:
    counts: dict[str, Counter[str]] = {}

    def weigh(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and node.fieldname in schema.names():
            if node.fieldname not in counts:
                counts[node.fieldname] = Counter(_analysed(schema, node.fieldname, words))
            times = counts[node.fieldname][node.text]
            if times > 1:
                node.boost *= times
        return node

    return q.accept(weigh)


def _drop_optional_function_words(q: query.Query, schema: Any) -> query.Query:
    """Remove function-word terms from every OR group that keeps some other word."""

    def is_function_word(node: query.Query) -> bool:
        return (
            isinstance(node, query.Term)
            and node.fieldname in schema.names()
            and node.text in _function_stems(schema, node.fieldname)
        )

    def prune(node: query.Query) -> query.Query:
        if isinstance(node, query.Or):
            kept = [sub for sub in node.subqueries if not is_function_word(sub)]
            if kept and len(kept) < len(node.subqueries):
                node.subqueries = kept
        return node

    return q.accept(prune)


_FUNCTION_STEMS: dict[str, frozenset[str]] = {}


def _function_stems(schema: Any, fieldname: str) -> frozenset[str]:
    """:data:`FUNCTION_WORDS` as ``fieldname`` indexes them ('was' is 'wa' in English fields).
    Cached by field name: every archive has the same schema (see ``index.build_schema``)."""
    if fieldname not in _FUNCTION_STEMS:
        _FUNCTION_STEMS[fieldname] = frozenset(_analysed(schema, fieldname, FUNCTION_WORDS))
    return _FUNCTION_STEMS[fieldname]


def feedback(
    q: query.Query,
    ranked: list[tuple[int, float]],
    searcher: Searcher,
    opts: SearchSettings,
    read_body: BodyReader,
) -> Feedback | None:
    """Pseudo-relevance feedback (RM3-style) on ``ranked``, the best matches of ``q`` (document
    number and score, best first, at least ``feedback_rerank`` of them when there are).

    The top ``feedback_docs`` matches vote for their words (:func:`_votes`); the
    ``feedback_terms`` words with the most votes times inverse document frequency together get
    ``feedback_weight`` of the query's weight (0.6: half as much again as the typed words) and
    are scored in the body fields of the first ``feedback_rerank`` matches; the matches further
    down keep their order (their scores are below those of the first, which feedback only
    raises). A typed word that is also chosen gains weight in title and body alike.

    Scoring the new words over the whole index would cost seconds per query in a large
    archive, and so would ranking every match or running the query twice: feedback works on
    the one pass that finds the best matches, and its cost is bounded by ``feedback_docs``
    bodies read and ``feedback_terms`` times ``feedback_rerank`` look-ups, whatever the size
    of the archive.
    """
    share = min(max(opts.feedback_weight, 0.0), 0.95)
    if not ranked or not ranked[0][1] or share <= 0:
        return None
    voters = [
        (StoredArticle.of(searcher.stored_fields(docnum)), score)
        for docnum, score in ranked[: opts.feedback_docs]
    ]
    votes = _votes(voters, searcher.schema, read_body, opts.feedback_focus)
    chosen = _best_words(votes, searcher, opts.feedback_terms)
    if not chosen:
        return None
    scale = share / (1 - share) * _typed_weight(q) / sum(weight for _, weight in chosen)
    typed = {(t.fieldname, t.text) for t in _text_terms(q)}
    title_boost = opts.title_boost
    weighted: list[tuple[str, str, float]] = []
    for (field, word), weight in chosen:
        weighted.append((field, word, scale * weight))
        title_field = title_of(field)
        if (title_field, word) in typed:
            weighted.append((title_field, word, scale * weight * title_boost))
    best = sorted(docnum for docnum, _ in ranked[: opts.feedback_rerank])
    return Feedback(dict(_scores_of(searcher, weighted, best)),
                    [word for (_, word), _ in chosen])


def _votes(
    voters: list[tuple[StoredArticle, float]], schema: Any, read_body: BodyReader, focus: float
) -> Counter[tuple[str, str]]:
    """Each ``(body field, word)`` of the voting matches (stored fields, score), weighted by
    its share of a match's text and by the match's say, ``exp(focus * (score / best - 1))``:
    a clear winner speaks for the query while near-ties share the say. Function words get no
    vote; an article file that cannot be read votes with its title alone. Only the first
    :data:`FEEDBACK_CHARS` of a body are read: a story is told in its opening, and one very
    long article among the best matches would otherwise make every such query slow."""
    best = voters[0][1]
    votes: Counter[tuple[str, str]] = Counter()
    for stored, score in voters:
        body_field = text_fields(stored.lang)[1]
        text = stored.title
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError, KeyError):
            text += "\n" + read_body(stored.path)[:FEEDBACK_CHARS]
        words = Counter(schema[body_field].process_text(text, mode="index"))
        length = sum(words.values())
        say = math.exp(focus * (score / best - 1))
        skip = _function_stems(schema, body_field)
        for word, count in words.items():
            if word not in skip:
                votes[(body_field, word)] += say * count / length
    return votes


def _best_words(
    votes: Counter[tuple[str, str]], searcher: Searcher, count: int
) -> list[tuple[tuple[str, str], float]]:
    """The ``count`` words with the highest vote times idf, leaving out words in more than
    ``FEEDBACK_MAX_DF`` of the articles. Candidates are taken in order of votes and the search
    stops when no later word could beat the current choice even with the highest possible
    idf, which spares most of the index look-ups."""
    docs = max(searcher.doc_count_all(), 1)
    top_idf = _idf(docs, 1)
    chosen: list[tuple[tuple[str, str], float]] = []
    for key, vote in votes.most_common():
        if len(chosen) >= count and vote * top_idf <= chosen[-1][1]:
            break
        holding = searcher.doc_frequency(*key)
        if not holding or holding > FEEDBACK_MAX_DF * docs:
            continue
        chosen.append((key, vote * _idf(docs, holding)))
        chosen.sort(key=lambda kv: -kv[1])
        del chosen[count:]
    return chosen


def _idf(docs: int, holding: int) -> float:
    return math.log(1 + (docs - holding + 0.5) / (holding + 0.5))


def _typed_weight(q: query.Query) -> float:
    """The total weight of the typed words, counted in one body field (a word is searched in
    every language's body field; counting it once per language would inflate it)."""
    per_field: Counter[str] = Counter()
    for term in _text_terms(q):
        if is_body(term.fieldname):
            per_field[term.fieldname] += term.boost
    return max(max(per_field.values(), default=0.0), 1.0)


def _scores_of(
    searcher: Searcher, terms: list[tuple[str, str, float]], docnums: list[int]
) -> Counter[int]:
    """What the weighted ``(field, word, boost)`` terms add to each of ``docnums`` (sorted):
    each term's score, as its own search would give it, times its boost.

    The terms are looked up segment by segment, each in the documents of ``docnums`` that
    segment holds, with :func:`_seek`: the best few hundred matches of a question are spread
    over the whole archive, so the postings of a common word are read nearly block by block,
    and Whoosh's own ``skip_to`` then steps through each block one posting at a time, most of
    the cost of feedback at 200,000 articles. Each document's sum adds the terms in the order
    given, as a single pass over the terms would."""
    scores: Counter[int] = Counter()
    weighting = searcher.weighting
    leaves = searcher.leaf_searchers()
    ends = [offset for _, offset in leaves[1:]] + [searcher.doc_count_all()]
    for (leaf, offset), end in zip(leaves, ends, strict=True):
        targets = [d - offset for d in docnums if offset <= d < end]
        if not targets:
            continue
        reader = leaf.reader()
        for field, word, boost in terms:
            text = searcher.schema[field].to_bytes(word)
            if (field, text) not in reader:
                continue
            postings = _postings(reader, field, text, weighting.scorer(leaf, field, text))
            for target in targets:
                if not _seek(postings, target):
                    break
                if postings.id() == target:
                    scores[target + offset] += boost * postings.score()
    return scores


def _postings(reader: Any, field: str, text: bytes, scorer: Any) -> Any:
    """The postings of a word in one segment, scored by ``scorer``. A segment with deleted
    documents wraps them in a filter that decodes their first block as soon as it is made,
    whether or not a document sought is in it; the documents feedback seeks are matches of
    a search, never deleted ones, so the postings are taken without the filter (landing on
    a deleted document that is not the one sought is like landing on any other)."""
    if isinstance(reader, SegmentReader):
        return reader._terms.matcher(field, text, reader.schema[field].format, scorer=scorer)
    return reader.postings(field, text, scorer=scorer)


def _seek(postings: Any, target: int) -> bool:
    """Move ``postings`` (of one segment) to its first document at or after ``target``;
    whether there is one. A segment's own postings are moved by binary search within a block
    (the blocks before it are passed on their headers alone, as Whoosh passes them, and a
    block's positions are not read: :mod:`~archive_search.engine.whoosh_postings`); any other
    matcher (a word of one article keeps its posting in the term's entry) by its
    ``skip_to``. Whoosh's internals used here are those of the whoosh-reloaded version
    ``pyproject.toml`` pins."""
    if not isinstance(postings, W3LeafMatcher):
        if postings.is_active() and postings.id() < target:
            postings.skip_to(target)
        return bool(postings.is_active())
    if not postings.is_active():
        return False
    if postings.block_max_id() < target:
        postings._skip_to_block(lambda: postings.block_max_id() < target)
        if not postings.is_active():
            return False
    if postings._ids is None:
        postings._read_ids()
    postings._i = bisect.bisect_left(postings._ids, target, postings._i)
    return True
