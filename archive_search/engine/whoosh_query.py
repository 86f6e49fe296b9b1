"""A :class:`~archive_search.query.QueryReading` as a Whoosh query, within bounds.

The text is parsed by Whoosh's parser over the text fields that hold any article and the tags,
each field with its boost (``search.*_boost``); words are required or optional as the reading
says; wildcards and ranges are looked up once and matched in one pass; the words of a plain
query also count as a phrase, and the other spellings of a name are searched beside it.

Bounds, so that any text is answered or refused within about two seconds: the index words a
query's wildcards may read (:data:`MAX_SCAN`) and stand for (:data:`MAX_EXPANDED`), and the
postings a query of many optional words may score (:data:`MAX_POSTINGS`).
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import qparser, query
from whoosh.matching import IntersectionMatcher
from whoosh.query.spans import SpanWrappingMatcher, bisect_spans
from whoosh.searching import Searcher

from ..errors import QueryError
from ..query import NO_WORDS, hyphens_as_phrases
from .fields import BODY, NAMES, TAGS, TITLE, all_text_fields, boosted_fields

if TYPE_CHECKING:
    from ..config import Settings
    from ..query import QueryReading

#: The most index words the wildcards and ranges of one query may read while looking for the
#: words they match (a leading '*' reads every word of every field searched): about 0.4 s.
MAX_SCAN = 200_000
#: The most words the wildcards and ranges of one query may stand for together, each one also
#: limited to ``search.max_expansions``.
MAX_EXPANDED = 5_000
#: The most places (postings) the words of a query's wildcards and ranges are scored in, about
#: 0.15 s of reading: beyond them, their commonest words match without adding to the score.
MAX_SCORED = 150_000
#: A query of many optional words (a pasted paragraph) is answered by scoring every place its
#: words occur, twice with feedback: above this many (about a second's work), its commonest
#: words, which count least towards a match, are left out.
MAX_POSTINGS = 100_000
#: An Or of more terms than this is matched as one array union (see :class:`_ManyWords`).
MANY_CLAUSES = 100
#: ... and so is an Or whose parts occur in more places than this.
COSTLY_POSTINGS = 25_000


@dataclass
class Compiled:
    """A reading as Whoosh runs it: the query, the index terms it holds, and what was left
    out to answer in time."""

    query: query.Query
    terms: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def compile_query(reading: QueryReading, searcher: Searcher, settings: Settings) -> Compiled:
    """The Whoosh query for ``reading``; raises :class:`QueryError` when it holds no word the
    index could match, or when its wildcards and ranges break a bound."""
    compiled = Compiled(query=query.Every())
    stripped = reading.clean
    if stripped and stripped != "*":
        search = settings.search
        schema = searcher.schema
        group = qparser.AndGroup if reading.all_words else qparser.OrGroup.factory(0.9)
        boosts = {name: getattr(search, key) for name, key in boosted_fields().items()}
        parser = qparser.MultifieldParser(
            [*_present_text_fields(searcher), TAGS], schema, fieldboosts=boosts, group=group
        )
        parser.add_plugin(qparser.GtLtPlugin())
        # when every word is required, a hyphenated word is the phrase it is (Coca-Cola, not
        # 'coca' here and 'cola' there); in a long question its parts stay optional words
        # (as phrases they cost CISI 0.007 MAP, bench/README.md)
        wanted = hyphens_as_phrases(stripped) if reading.all_words else stripped
        try:
            q = parser.parse(wanted)
        except Exception as exc:  # Whoosh raises assorted errors on odd syntax
            raise QueryError(f"cannot read query: {exc}") from None
        q = _without_punctuation_terms(q)
        if q is query.NullQuery:
            raise QueryError(NO_WORDS)
        q = _expand(q, searcher, search.max_expansions)
        _score_within(q, searcher, compiled.warnings)
        if not reading.all_words:
            q = _within_postings(q, searcher, reading.words, compiled.warnings)
        if reading.phrase:
            q = _with_phrase_bonus(q, stripped, schema, search.phrase_boost)
        if reading.variants:
            q = _with_name_variants(q, reading.variants, schema, search.variant_boost)
        compiled.query = q
    compiled.query = compiled.query.accept(_Phrase.of)
    compiled.terms = sorted({(f, t.decode() if isinstance(t, bytes) else t)
                             for f, t in _safe_terms(compiled.query)})
    return compiled

def _present_text_fields(searcher: Searcher) -> list[str]:
    """The text fields that hold any article: an English-only archive is searched in two
    fields, not eight (each empty language field would still cost a lookup per word)."""
    reader = searcher.reader()
    present = [f for f in all_text_fields() if reader.field_length(f) > 0]
    return present or [TITLE, BODY]


def _expand(q: query.Query, searcher: Searcher, limit: int) -> query.Query:
    """Look up once the words each wildcard and range stands for, within the bounds.

    Each is refused when it matches more than ``limit`` words, and the query when its
    wildcards and ranges read more than MAX_SCAN index words looking for them or stand for
    more than MAX_EXPANDED together. Each is replaced by an :class:`_Expanded` copy that
    keeps the words for matching, counting and highlighting, which would each look them up
    again, and matches them in one pass (see :meth:`_Expanded.matcher`).
    """
    reader = _CountingReader(searcher.reader())
    expanded = 0

    def expand(node: query.Query) -> query.Query:
        nonlocal expanded
        if not isinstance(node, query.MultiTerm):
            return node
        # as typed: a Prefix holds 'kor' for 'kor*'; a range has no text
        pattern = (f"{node.text}*" if isinstance(node, query.Prefix)
                   else str(getattr(node, "text", "") or node))
        if isinstance(node, query.Wildcard) and pattern.strip("*?") == "":
            raise QueryError(
                f"wildcard '{pattern}' matches every word; use '*' alone for all articles"
            )
        words: list[bytes] = []
        try:
            for _, word in node.expanded_terms(reader):
                words.append(word)
                if len(words) > limit:
                    raise QueryError(
                        f"'{pattern}' matches more than {limit:,} different words; "
                        "make it more specific"
                    )
        except _ReadTooMuch:
            raise QueryError(
                f"'{pattern}' would read more than {MAX_SCAN:,} words of the index to find its "
                "matches; put a few letters before the first * or ?, or narrow the range"
            ) from None
        expanded += len(words)
        if expanded > MAX_EXPANDED:
            raise QueryError(
                f"the wildcards and ranges of this query match more than {MAX_EXPANDED:,} "
                "words together; use fewer of them, or more specific ones"
            )
        return _Expanded.of(node, words, pattern)

    def visit(node: query.Query) -> query.Query:
        node = expand(node)
        # the fields a wildcard is searched in ('*e' in title, body and tags) are added up
        # with its words, not walked document by document through a union per field
        if (type(node) is query.Or and not node.scale and not node.minmatch
                and any(isinstance(sub, _Expanded) for sub in node.subqueries)
                and not any(isinstance(sub, query.Not) for sub in node.subqueries)):
            return _ManyWords(node.subqueries, boost=node.boost)
        return node

    return q.accept(visit)


def _score_within(q: query.Query, searcher: Searcher, warnings: list[str]) -> None:
    """Mark the commonest words of the query's wildcards and ranges as matched without
    scoring (:attr:`_Expanded.unscored`) when scoring them all would read more than
    MAX_SCORED postings: reading them costs about a second per million, and '*e' stands for
    words in a million places at 194,000 articles. The rarest words are scored (they weigh
    most, and cost least); articles holding only unscored words still match, and come after
    the others. What was matched unscored is listed in ``warnings``."""
    reader = searcher.reader()
    nodes = [leaf for leaf in q.leaves() if isinstance(leaf, _Expanded)]
    places = sorted((reader.doc_frequency(node.fieldname, word), n, word)
                    for n, node in enumerate(nodes) for word in node.words)
    total = 0
    unscored: dict[int, list[bytes]] = {}
    left_out: dict[str, Counter[str]] = {}
    for count, n, word in places:
        total += count
        if total > MAX_SCORED:
            unscored.setdefault(n, []).append(word)
            text = word.decode("utf-8", "replace") if isinstance(word, bytes) else str(word)
            left_out.setdefault(nodes[n].label, Counter())[text] += count
    for n, words in unscored.items():
        nodes[n].unscored = words
    for label, counts in left_out.items():
        named = [word for word, _ in counts.most_common()]
        warnings.append(
            f"'{label}' matches so many words that its {len(named):,} commonest count as a "
            f"match but not towards the score, to answer in time (articles with only those "
            f"come last): {', '.join(named[:10])}{' …' if len(named) > 10 else ''}; "
            "name them or narrow the pattern to rank by them")


def _within_postings(
    q: query.Query, searcher: Searcher, words: list[str], warnings: list[str]
) -> query.Query:
    """A query of optional parts (an Or of words in each field, wildcards, phrases) without
    its commonest words and wildcards when scoring them all would read more than MAX_POSTINGS
    postings; the rarest stays whatever it costs, and other parts are always kept. What was
    left out is listed in ``warnings``, words as typed."""
    if not isinstance(q, query.Or):
        return q
    reader = searcher.reader()
    costs: Counter[str] = Counter()
    kept_cost = 0
    for sub in q.subqueries:
        if isinstance(sub, query.Term):
            costs[sub.text] += reader.doc_frequency(sub.fieldname, sub.text)
        elif isinstance(sub, _Expanded):
            costs[sub.label] += sum(reader.doc_frequency(sub.fieldname, w) for w in sub.words)
        else:
            kept_cost += sum(reader.doc_frequency(t.fieldname, t.text) for t in sub.leaves()
                             if isinstance(t, query.Term))
    total = kept_cost + sum(costs.values())
    dropped: list[str] = []
    for word, cost in costs.most_common()[:-1]:
        if total <= MAX_POSTINGS:
            break
        total -= cost
        dropped.append(word)
    if not dropped:
        return _ManyWords.of(q, total)
    typed = {stem: word for word in words
             for stem in searcher.schema[BODY].process_text(word, mode="query")}
    named = list(dict.fromkeys(typed.get(word, word) for word in dropped))
    warnings.append(f"left out the {len(named)} commonest words, to answer in time: "
                    + ", ".join(named[:10]) + (" …" if len(named) > 10 else ""))
    left_out = set(dropped)
    kept = [sub for sub in q.subqueries
            if not (isinstance(sub, query.Term) and sub.text in left_out)
            and not (isinstance(sub, _Expanded) and sub.label in left_out)]
    return _ManyWords.of(query.Or(kept, boost=q.boost, scale=q.scale), total)


class _ManyWords(query.Or):
    """An Or of many parts (a question or a pasted paragraph, in every field) or of costly
    ones (wildcards), matched by adding up their words' postings as arrays
    (:mod:`~archive_search.engine.whoosh_arrays`) rather than through Whoosh's tree of
    unions, which costs a few times more per posting. Whoosh adds up parts in an array above
    1,024 of them; like Whoosh's then, it has no coordination bonus. An Or with a NOT in it
    keeps Whoosh's matcher: a NOT matches the documents its part does not."""

    @classmethod
    def of(cls, q: query.Or, cost: int) -> query.Query:
        if len(q.subqueries) <= MANY_CLAUSES and cost <= COSTLY_POSTINGS:
            return q
        if any(isinstance(sub, query.Not) for sub in q.subqueries):
            return q
        return cls(q.subqueries, boost=q.boost, scale=q.scale)

    def _matcher(self, subs: list[query.Query], searcher: Searcher, context: Any) -> Any:
        from whoosh.matching import NullMatcher

        if not any(_may_match(sub, searcher.reader()) for sub in subs):
            return NullMatcher()  # six hundred words none of which is here: nothing to add
        from .whoosh_arrays import ScoredDocs, Unscored

        scored = context is None or context.weighting is not None
        # the columns and scorers read are kept for the query's other segments
        ids, scores, rest = self.arrays(searcher, context, self.__dict__.setdefault("_read", {}),
                                        subs)
        found = ScoredDocs(ids, scores, scored, Unscored(rest) if rest else None)
        return found if found.is_active() else NullMatcher()

    def arrays(self, searcher: Searcher, context: Any, lengths: dict[Any, Any],
               subs: list[query.Query] | None = None) -> Any:
        """The documents of ``searcher`` any part matches and their scores added up, and the
        words its wildcards match without scoring (see :class:`_Expanded`)."""
        from .whoosh_arrays import matcher_arrays, term_arrays, union

        scored = context is None or context.weighting is not None
        weighting = context.weighting if context is not None else None
        parts = []
        rest: list[Any] = []
        for sub in self.subqueries if subs is None else subs:
            if type(sub) is query.Term:
                parts.append(term_arrays(searcher, sub.fieldname, sub.text, weighting,
                                         sub.boost, lengths))
            elif isinstance(sub, (_Expanded, _ManyWords)):
                ids, scores, unscored = sub.arrays(searcher, context, lengths)
                parts.append((ids, scores))
                rest.extend(unscored)
            else:
                parts.append(matcher_arrays(sub.matcher(searcher, context), scored))
        return (*union(parts, searcher.doc_count_all(), self.boost, scored), rest)


def _may_match(q: query.Query, reader: Any) -> bool:
    """Whether ``q`` may match in ``reader``: False for a word, or a wildcard's words, that
    the index does not hold."""
    if type(q) is query.Term:
        return (q.fieldname, q.text) in reader
    if isinstance(q, _Expanded):
        return any((q.fieldname, word) in reader for word in q.words)
    return True


class _ReadTooMuch(Exception):
    """The wildcards and ranges of a query have read MAX_SCAN index words."""


class _CountingReader:
    """An index reader that counts the words wildcards and ranges read on their way through
    the lexicon, and stops them at MAX_SCAN: a leading '*' reads every word of a field,
    hundreds of thousands in a large archive, before it has matched a single one."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def _counted(self, words: Any) -> Any:
        for word in words:
            self.read += 1
            if self.read > MAX_SCAN:
                raise _ReadTooMuch
            yield word

    def lexicon(self, fieldname: str) -> Any:
        """Every word of a field, for a leading '*': read whole from the segments' word
        lists (:func:`~archive_search.engine.whoosh_arrays.field_words`), then counted."""
        from .whoosh_arrays import field_words

        words = None
        if fieldname in self._reader.schema:
            words = field_words(self._reader, fieldname)
        return self._counted(self._reader.lexicon(fieldname) if words is None else words)

    def expand_prefix(self, fieldname: str, prefix: Any) -> Any:
        return self._counted(self._reader.expand_prefix(fieldname, prefix))

    def terms_from(self, fieldname: str, prefix: Any) -> Any:
        return self._counted(self._reader.terms_from(fieldname, prefix))


class _Expanded:
    """A wildcard, prefix or range (mixed into a subclass of its own class) with its words
    looked up once, by :func:`_expand`.

    Whoosh would look the words up again for every segment, count and highlight, and match
    them through a tree of one matcher per word, which costs seconds for a thousand words (a
    leading-wildcard '*e' on Reuters took 11 s). Here their postings are read, scored and added
    up as arrays, in one pass (:mod:`~archive_search.engine.whoosh_arrays`).
    """

    words: list[bytes]
    #: the commonest of the words, matched without adding to the score (see
    #: :func:`_score_within`)
    unscored: list[bytes]
    #: the pattern or range as typed, to name it in messages
    label: str
    fieldname: str
    boost: float
    _classes: dict[type, type] = {}

    @classmethod
    def of(cls, node: query.Query, words: list[bytes], label: str) -> query.Query:
        kind = type(node)
        if kind not in cls._classes:
            cls._classes[kind] = type(f"Expanded{kind.__name__}", (cls, kind), {})
        # a copy of the node, as the same kind of query plus the words
        expanded = copy.copy(node)
        expanded.__class__ = cls._classes[kind]
        expanded.words = words  # type: ignore[attr-defined]
        expanded.unscored = []  # type: ignore[attr-defined]
        expanded.label = label  # type: ignore[attr-defined]
        return expanded

    def _btexts(self, ixreader: Any) -> Any:
        return iter(self.words)

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        from whoosh.matching import NullMatcher

        from .whoosh_arrays import ScoredDocs, Unscored

        ids, scores, rest = self.arrays(searcher, context, self.__dict__.setdefault("_read", {}))
        found = ScoredDocs(ids, scores, True, Unscored(rest) if rest else None)
        return found if found.is_active() else NullMatcher()

    def arrays(self, searcher: Searcher, context: Any, lengths: dict[Any, Any]) -> Any:
        """The documents of ``searcher`` holding any of the scored words and their scores
        added up, each word scored as a term of its own, as Whoosh's does (its "constant
        score" falls back on the searcher's weighting); and the unscored words, each as
        (segment reader, field, word, the segment's first document).

        Each segment's are kept with the query: ``--explain`` asks again for the whole
        index's, which are those of its segments one after the other."""
        import numpy as np

        from .whoosh_arrays import term_arrays, union

        weighting = (context.weighting if context is not None else None) or searcher.weighting
        if not searcher.is_atomic():
            parts = [(self.arrays(sub, context, lengths), offset)
                     for sub, offset in searcher.leaf_searchers()]
            return (np.concatenate([ids + offset for (ids, _, _), offset in parts]),
                    np.concatenate([scores for (_, scores, _), _ in parts]),
                    [(reader, name, word, start + offset)
                     for (_, _, rest), offset in parts for reader, name, word, start in rest])
        done = self.__dict__.setdefault("_done", {})
        key = (id(searcher.reader()), id(weighting))
        if key not in done:
            unscored = set(self.unscored)
            parts = [term_arrays(searcher, self.fieldname, word, weighting, 1.0, lengths)
                     for word in self.words if word not in unscored]
            rest = [(searcher.reader(), self.fieldname, word, 0) for word in self.unscored]
            # the reader and weighting are kept too, so that their ids stay theirs
            done[key] = (searcher.reader(), weighting,
                         (*union(parts, searcher.doc_count_all(), self.boost), rest))
        return done[key][2]


class _Phrase(query.Phrase):
    """A phrase that repeats words ('oil price said oil price said …'), each distinct word
    read once.

    Whoosh intersects one postings reader per word of the phrase: forty-two readers for a
    phrase of three words said fourteen times, each stepping through the documents of a
    common word (2.4 s at 194,000 articles, issue 15). Here the intersection is of the
    distinct words, rarest first; a document is looked at for positions only when each word
    occurs in it as often as the phrase repeats it; and it scores what Whoosh's phrase does,
    the score of each word of the phrase, repeats included."""

    @classmethod
    def of(cls, node: query.Query) -> query.Query:
        if type(node) is not query.Phrase or len(set(node.words)) == len(node.words):
            return node
        phrase = copy.copy(node)
        phrase.__class__ = cls
        return phrase

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        from whoosh.matching import NullMatcher, WrappingMatcher

        name = self.fieldname
        if name not in searcher.schema:
            return NullMatcher()
        field = searcher.schema[name]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own refusal
        reader = searcher.reader()
        try:
            words = [field.to_bytes(word) for word in self.words]
        except ValueError:
            return NullMatcher()
        if any((name, word) not in reader for word in words):
            return NullMatcher()
        distinct = sorted(set(words), key=lambda word: reader.doc_frequency(name, word))
        matchers = [query.Term(name, word).matcher(searcher, context) for word in distinct]
        times = [words.count(word) for word in distinct]
        # a word's weight in a document is how often it occurs there, unless the field
        # boosts it
        counted = getattr(field.format, "field_boost", 1.0) == 1.0
        m = _RepeatedPhraseMatcher(matchers, times, [distinct.index(w) for w in words],
                                   self.slop, counted)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


def _phrase_spans(lists: list[list[Any]], slop: int) -> list[Any]:
    """Where the spans of each list follow those of the list before, in order, at most
    ``slop`` positions after (Whoosh's ordered SpanNear2 with a least distance of one)."""
    found = lists[0]
    for following in lists[1:]:
        joined = set()
        for before in found:
            for after in following[bisect_spans(following, before.start):]:
                if after.start > before.end + slop:
                    break
                if after.end < before.start - slop or after.start < before.start:
                    continue
                if 1 <= before.distance_to(after) <= slop:
                    joined.add(before.to(after))
        found = sorted(joined)
        if not found:
            break
    return found


class _RepeatedPhraseMatcher(SpanWrappingMatcher):  # type: ignore[misc]
    """The documents of a :class:`_Phrase`: those of its distinct words (``matchers``, each
    said ``times`` in the phrase, in the phrase's ``order``) where they make the phrase."""

    def __init__(self, matchers: list[Any], times: list[int], order: list[int], slop: int,
                 counted: bool) -> None:
        self._matchers, self._times, self._order = matchers, times, order
        self._slop, self._counted = slop, counted
        both = matchers[0]
        for m in matchers[1:]:
            both = IntersectionMatcher(both, m)
        super().__init__(both)

    def copy(self) -> _RepeatedPhraseMatcher:
        return type(self)([m.copy() for m in self._matchers], self._times, self._order,
                          self._slop, self._counted)

    def replace(self, minquality: float = 0) -> Any:
        return self

    def _get_spans(self) -> list[Any]:
        matchers = self._matchers
        if self._counted and any(times > 1 and m.weight() < times
                                 for m, times in zip(matchers, self._times, strict=True)):
            return []
        spans = [m.spans() for m in matchers]
        return _phrase_spans([spans[k] for k in self._order], self._slop)

    def score(self) -> float:
        return sum(m.score() * times
                   for m, times in zip(self._matchers, self._times, strict=True))

    def supports_block_quality(self) -> bool:
        return False


def _without_punctuation_terms(q: query.Query) -> query.Query:
    """Drop terms with no letter or digit in them: the tags field keeps a stray '~' or '&&'
    as a term, which would then be required and match nothing."""

    def keep(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and not any(c.isalnum() for c in str(node.text)):
            return query.NullQuery
        return node

    return q.accept(keep).normalize()


def _with_name_variants(
    q: query.Query, variants: list[str], schema: Any, boost: float
) -> query.Query:
    """Match the query as typed, or any other spelling of the same name.

    A variant counts as a phrase in a title or body, or as the name's key in the ``names``
    field (names found at index time). Variants weigh ``boost`` of the query as typed, so
    articles with the user's own spelling rank first and the others follow.
    """
    from ..names import fold_key

    alternatives: list[query.Query] = []
    for variant in variants:
        for name in (TITLE, BODY):
            words = list(schema[name].process_text(variant, mode="query"))
            if len(words) > 1:
                alternatives.append(query.Phrase(name, words, boost=boost))
            elif words:
                alternatives.append(query.Term(name, words[0], boost=boost))
        key = fold_key(variant)
        if key:
            alternatives.append(query.Term(NAMES, key, boost=boost))
    return query.Or([q, *alternatives]) if alternatives else q


def _with_phrase_bonus(
    q: query.Query, text: str, schema: Any, boost: float
) -> query.Query:
    """Require ``q``, and add the words as a phrase in each text field as an optional bonus
    (none with ``search.phrase_boost: 0``)."""
    if boost <= 0:
        return q
    phrases: list[query.Query] = []
    for name in (TITLE, BODY):
        words = [t for t in schema[name].process_text(text, mode="query")]
        if len(words) >= 2:
            phrases.append(query.Phrase(name, words, boost=boost))
    if not phrases:
        return q
    return query.AndMaybe(q, query.Or(phrases))


def _safe_terms(q: query.Query) -> list[tuple[str, Any]]:
    try:
        return list(q.iter_all_terms())
    except Exception:  # some query types (Every) have no terms
        return []
