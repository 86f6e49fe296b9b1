"""Reading what the user typed into a Whoosh query, or saying exactly why it can't be read.

The Whoosh query language is kept (phrases, AND/OR/NOT, ``field:value``, wildcards) with these
changes, each because Whoosh's own behaviour would surprise a user or a script:

* ``date:`` clauses are read here, not by Whoosh's date plugin, which turns a date it cannot read
  into a query that silently matches nothing and reads ``[2023-09-01 to 2023-09-30]`` as a year.
* Unbalanced quotes, unknown fields and wildcards that would expand to more than
  ``search.max_expansions`` terms are errors that say so, instead of odd or endless answers.
* Every query's work is bounded, so that any text is answered or refused within about two
  seconds (see "Bounds" below): what can be read in a cheaper way is (repeated operators
  collapsed, a ``<`` or ``>`` outside ``field:>x`` read as punctuation, wildcards matched in
  one pass over their words); what cannot is refused with what to change.
* A query of several plain words also scores the words *as a phrase*, so ``Kim Jong-un`` ranks
  articles with that exact name above ones that have ``Kim``, ``Jong`` and ``un`` apart.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import qparser, query
from whoosh.matching import ArrayUnionMatcher
from whoosh.searching import Searcher

from .dates import DateError, parse_user_date
from .engine.fields import BODY, NAMES, QUERY_NAMES, TAGS, TITLE, all_text_fields, boosted_fields
from .errors import QueryError

if TYPE_CHECKING:
    from .config import Settings

MAX_QUERY_CHARS = 4096
#: ``field:value`` (no space after the colon; ``http://`` is not a field). A colon followed by a
#: space ("the question is: …") is punctuation.
_FIELD_REF = re.compile(r"(?<![\w/])([A-Za-z_][\w]*):(?=[^\s/]|/(?!/))")
#: Punctuation that Whoosh would read as syntax in ordinary prose: a colon ending a word, a
#: question mark ending a word or standing alone ("(MEDLARS)? How …"), a lone '*'.
_PROSE_PUNCTUATION = re.compile(r"(?<=\w):(?=\s|$)|(?<=[\w)])\?+(?=[\s,.;:!)]|$)|(?<!\S)[?*](?!\S)")
_DATE_CLAUSE = re.compile(
    r"(?<![\w])date:(?:\[(?P<range>[^\]]*)\]|\{(?P<xrange>[^}]*)\}|(?P<op>[<>]=?)?(?P<value>[^\s)]+))",
    re.I,
)
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|[()\"*?~^]|\w+:")
_MULTI_WORD = re.compile(r"\S+\s+\S+")
#: Syntax from other search tools that Whoosh would quietly misread as words.
_REGEX = re.compile(r"(?<![\w:/])/[^/\s]+/(?!\w)")
_CHAR_CLASS = re.compile(r"\[[^\]\s]*\]")
#: A boost as Whoosh reads one: '^', a plain number, then a space, ')' or the end.
_BOOST = re.compile(r"\^(\d+(?:\.\d+)?|\.\d+)(?=[\s)]|$)")
_OPERATOR_WORDS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
NO_WORDS = "query has no searchable words (only stop words or punctuation?)"
#: A run of one operator ("NOT NOT", "OR OR"): Whoosh fails on some and misreads others.
_REPEATED_OPERATOR = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b(?:\s+\1\b)+")
#: ``S & P``, ``AT & T``: initials around a spaced ampersand are the name written ``S&P``,
#: which is how the index holds it (its parts alone are one-letter or stop words).
_SPACED_AMPERSAND = re.compile(r"\b([A-Z]{1,3}) & (?=[A-Z]{1,3}\b)")
#: A word the user typed: a letter first; an apostrophe, hyphen or ampersand (``AT&T``) inside.
_TYPED_WORD = re.compile(r"[^\W\d_][\w'’-]*(?:&\w+)*")
#: A typed word joined by hyphens (``Coca-Cola``, ``Jong-un``, ``10-year``), not a wildcard.
_HYPHENATED = re.compile(r"(?<![\w\"*?:-])[^\W_]+(?:-[^\W_]+)+(?![\w*?\"-])")
#: '<' or '>' that is not the comparison of ``field:>value``: in "<DIA>" (a Reuters ticker) or
#: "x > y" it is punctuation, which Whoosh would otherwise fail on or misread.
_STRAY_COMPARISON = re.compile(r"(?<!:)[<>]=?")

# -- Bounds ---------------------------------------------------------------------------------
#: Brackets nested deeper than this are refused (Whoosh reads them recursively).
MAX_DEPTH = 20
#: The most ANDNOT and ANDMAYBE operators in a query: Whoosh's parser takes twice as long for
#: each one more in a chain (a chain of 15 took 2 s, of 20 over a minute).
MAX_BINARY_OPERATORS = 10
#: The largest boost ('^'); far larger ones overflow scores to infinity.
MAX_BOOST = 1000.0
#: The most index words the wildcards and ranges of one query may read while looking for the
#: words they match (a leading '*' reads every word of every field searched): about 0.4 s.
MAX_SCAN = 200_000
#: The most words the wildcards and ranges of one query may stand for together, each one also
#: limited to ``search.max_expansions``.
MAX_EXPANDED = 5_000
#: The automatic phrase bonus (see :func:`_with_phrase_bonus`) is added to queries of at most
#: this many words: a longer phrase only matches a pasted sentence, and costs one pass over
#: the postings of each of its words.
MAX_PHRASE_BONUS_WORDS = 12
#: A query of many optional words (a pasted paragraph) is answered by scoring every place its
#: words occur, twice with feedback: above this many (about a second's work), its commonest
#: words, which count least towards a match, are left out.
MAX_POSTINGS = 100_000
#: An Or of more terms than this is matched as one array union (see :class:`_ManyWords`).
MANY_CLAUSES = 100
#: ... and so is an Or whose parts occur in more places than this.
COSTLY_POSTINGS = 25_000


@dataclass
class ParsedQuery:
    """A user query, as the index will run it, and what was understood from it."""

    text: str
    query: query.Query
    date_start: _dt.datetime | None = None
    date_end: _dt.datetime | None = None
    terms: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    #: other spellings of the name the query is, searched too (see :func:`_with_name_variants`)
    variants: list[str] = field(default_factory=list)
    #: what was changed to answer in time (words left out), for the user to see
    warnings: list[str] = field(default_factory=list)


def check_syntax(text: str) -> None:
    """Raise :class:`QueryError` for problems a user can fix by editing the query."""
    if not text.strip():
        raise QueryError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query too long ({len(text):,} characters; the limit is {MAX_QUERY_CHARS:,})"
        )
    if text.count('"') % 2:
        raise QueryError('unbalanced quote in query: add the closing " or remove the quote')
    outside = re.sub(r'"[^"]*"', " ", text)
    for name in _FIELD_REF.findall(outside):
        if name.lower() not in QUERY_NAMES:
            known = ", ".join(sorted({k for k in QUERY_NAMES if k == QUERY_NAMES[k]}))
            raise QueryError(f"unknown field '{name}:' in query (fields: {known})")
    # in a sentence ("the addition of a /boat-tail/"), slashes are punctuation
    if _REGEX.search(outside) and len(text.split()) <= 3:
        raise QueryError("regular expressions are not supported; use wildcards (missil*, m?ssile)")
    if bracket := _CHAR_CLASS.search(outside):
        raise QueryError(
            f"'{bracket[0]}' is not a range: write field:[FROM to TO], "
            "e.g. date:[2023-09-01 to 2023-09-30]"
        )
    _check_boosts(outside)
    _check_depth(outside)
    if len(re.findall(r"\b(?:ANDNOT|ANDMAYBE)\b", outside)) > MAX_BINARY_OPERATORS:
        raise QueryError(
            f"more than {MAX_BINARY_OPERATORS} ANDNOT and ANDMAYBE operators: leave words out "
            "with NOT (a NOT b NOT c), or split the query"
        )
    if not re.search(r"[\w*?]", _OPERATOR_WORDS.sub(" ", text)):
        raise QueryError(NO_WORDS)


def _check_boosts(outside: str) -> None:
    """Every '^' must carry a weight above 0 and up to MAX_BOOST: Whoosh reads 'oil^1e5' as
    'oil' and a word '1e5', and a weight of 0 drops every match (or divides by zero)."""
    for caret in re.finditer(r"\^", outside):
        boost = _BOOST.match(outside, caret.start())
        if boost is None:
            written = re.match(r"\^[^\s)]*", outside[caret.start():])[0]  # type: ignore[index]
            raise QueryError(
                f"'{written}' is not a weight: '^' gives a word more weight and must be followed "
                "by a number (korea^2, korea^0.5)"
            )
        if not 0 < float(boost[1]) <= MAX_BOOST:
            raise QueryError(
                f"'{boost[0]}': a weight must be above 0 and at most {MAX_BOOST:,.0f} "
                "(korea^2, korea^0.5); to leave a word out, write NOT korea"
            )


def _check_depth(outside: str) -> None:
    depth = deepest = 0
    for char in outside:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_DEPTH:
        raise QueryError(
            f"brackets nested {deepest:,} deep (the limit is {MAX_DEPTH}): remove the extra ( )"
        )


def parse(
    text: str,
    searcher: Searcher,
    settings: Settings,
    names: Callable[[], list[Any]] | None = None,
) -> ParsedQuery:
    """Turn query text into a :class:`ParsedQuery`; raises :class:`QueryError`.

    ``names`` returns the archive's name catalogues (:meth:`Index.name_catalogs
    <archive_search.index.Index.name_catalogs>`); when given, a query that is a name is also
    searched under the other spellings of that name.
    """
    check_syntax(text)
    rest, start, end = _take_dates(text)
    if rest.strip() != "*":
        rest = _STRAY_COMPARISON.sub(" ", _PROSE_PUNCTUATION.sub(" ", rest))
        rest = _SPACED_AMPERSAND.sub(r"\1&", rest)
    rest = _FIELD_REF.sub(lambda m: QUERY_NAMES.get(m[1].lower(), m[1]) + ":", rest)
    search = settings.search
    schema = searcher.schema
    parsed = ParsedQuery(text=text, query=query.Every(), date_start=start, date_end=end)
    stripped = rest.strip()
    if not stripped and start is None and end is None:
        raise QueryError("query has no searchable words (only punctuation?)")
    if _shouting(stripped):
        # an all-capitals query (a pasted headline, an old wire text) has no operators:
        # its AND, OR and NOT are words
        stripped = stripped.lower()
        parsed.notes.append("all-capitals query: AND/OR/NOT read as words")
    else:
        stripped = _outside_quotes(stripped, _collapse_operators)
    parsed.words = [w for w in _TYPED_WORD.findall(_FIELD_REF.sub(" ", stripped))
                    if w.upper() not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
    if stripped and stripped != "*":
        words = len(parsed.words)
        operator = search.default_operator
        use_and = operator == "and" or (operator == "auto" and words <= 3)
        group = qparser.AndGroup if use_and else qparser.OrGroup.factory(0.9)
        boosts = {name: getattr(search, key) for name, key in boosted_fields().items()}
        parser = qparser.MultifieldParser(
            [*_present_text_fields(searcher), TAGS], schema, fieldboosts=boosts, group=group
        )
        parser.add_plugin(qparser.GtLtPlugin())
        # when every word is required, a hyphenated word is the phrase it is (Coca-Cola, not
        # 'coca' here and 'cola' there); in a long question its parts stay optional words
        # (as phrases they cost CISI 0.007 MAP, bench/README.md)
        wanted = _outside_quotes(stripped, _hyphens_as_phrases) if use_and else stripped
        try:
            q = parser.parse(wanted)
        except Exception as exc:  # Whoosh raises assorted errors on odd syntax
            raise QueryError(f"cannot read query: {exc}") from None
        q = _without_punctuation_terms(q)
        if q is query.NullQuery:
            raise QueryError(NO_WORDS)
        q = _expand(q, searcher, search.max_expansions)
        if not use_and:
            q = _within_postings(q, searcher, parsed.words, parsed.warnings)
        plain = _is_plain_words(stripped) or (len(parsed.words) == 1 and stripped.isalpha())
        if _is_plain_words(stripped) and len(parsed.words) <= MAX_PHRASE_BONUS_WORDS:
            q = _with_phrase_bonus(q, stripped, schema, search.phrase_boost)
        # names are written with capitals: only such queries consult the name catalogue,
        # which keeps 'cocoa prices' from paying for loading it
        looks_like_name = any(w[:1].isupper() for w in parsed.words)
        if names is not None and plain and looks_like_name and len(parsed.words) <= MAX_NAME_WORDS:
            found = [v for catalog in names() for v in name_variants(catalog, stripped)]
            parsed.variants = list(dict.fromkeys(found))
            if parsed.variants:
                q = _with_name_variants(q, parsed.variants, schema,
                                        search.variant_boost)
                parsed.notes.append("also searched: " + ", ".join(parsed.variants))
        parsed.query = q
    parsed.terms = sorted({(f, t.decode() if isinstance(t, bytes) else t)
                           for f, t in _safe_terms(parsed.query)})
    return parsed


def _present_text_fields(searcher: Searcher) -> list[str]:
    """The text fields that hold any article: an English-only archive is searched in two
    fields, not eight (each empty language field would still cost a lookup per word)."""
    reader = searcher.reader()
    present = [f for f in all_text_fields() if reader.field_length(f) > 0]
    return present or [TITLE, BODY]


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(text.split()) > 3 and bool(letters) and not any(c.islower() for c in letters)


def _take_dates(text: str) -> tuple[str, _dt.datetime | None, _dt.datetime | None]:
    """Remove ``date:`` clauses from the text and return the span they allow."""
    start: _dt.datetime | None = None
    end: _dt.datetime | None = None

    def narrow(lo: _dt.datetime | None, hi: _dt.datetime | None) -> None:
        nonlocal start, end
        if lo is not None:
            start = lo if start is None else max(start, lo)
        if hi is not None:
            end = hi if end is None else min(end, hi)

    def read(value: str, *, is_end: bool) -> _dt.datetime | None:
        value = value.strip()
        if value in ("", "*"):
            return None
        try:
            return parse_user_date(value, end=is_end)
        except DateError as exc:
            raise QueryError(f"in date: clause, {exc}") from None

    for m in _DATE_CLAUSE.finditer(text):
        span = m["range"] if m["range"] is not None else m["xrange"]
        if span is not None:
            parts = re.split(r"\s+to\s+|\s+TO\s+", span.strip(), maxsplit=1)
            if len(parts) != 2:
                raise QueryError(
                    f"date range '{m[0]}' must look like date:[2023-09-01 to 2023-09-30]"
                )
            narrow(read(parts[0], is_end=False), read(parts[1], is_end=True))
        elif m["op"]:
            value = m["value"]
            try:
                if m["op"].startswith(">"):
                    strict = m["op"] == ">"
                    lo = read(value, is_end=strict)
                    narrow(lo + _dt.timedelta(microseconds=1) if (lo and strict) else lo, None)
                else:
                    strict = m["op"] == "<"
                    hi = read(value, is_end=not strict)
                    narrow(None, hi - _dt.timedelta(microseconds=1) if (hi and strict) else hi)
            except OverflowError:  # after the year 9999 or before the year 1
                raise QueryError(
                    f"'{m[0]}' leaves no date to search (dates run from 0001-01-01 to "
                    "9999-12-31)"
                ) from None
        else:
            narrow(read(m["value"], is_end=False), read(m["value"], is_end=True))
    if start and end and start > end:
        raise QueryError("date clauses exclude every date (the start is after the end)")
    rest = _DATE_CLAUSE.sub(" ", text)
    rest = re.sub(r"^\s*(AND|OR)\s+|\s+(AND|OR)\s*$", " ", rest.strip())
    return rest, start, end


def _hyphens_as_phrases(text: str) -> str:
    """Each hyphenated word of ``text`` in quotes (``Kim Jong-un`` -> ``Kim "Jong-un"``)."""
    return _HYPHENATED.sub(lambda m: f'"{m[0]}"', text)


def _outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to what is not inside a quoted phrase."""
    parts = re.split(r'("[^"]*")', text)
    return "".join(part if i % 2 else change(part) for i, part in enumerate(parts))


def _collapse_operators(text: str) -> str:
    """One operator for a run of the same one: 'OR OR' is 'OR', and 'NOT NOT' cancels out
    (Whoosh fails on 'NOT NOT x' and reads 'a OR OR b' as 'a AND b')."""

    def once(run: re.Match[str]) -> str:
        if run[1] == "NOT":
            return "NOT" if len(run[0].split()) % 2 else " "
        return run[1]

    return _REPEATED_OPERATOR.sub(once, text)


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

    return q.accept(expand)


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
    ones (wildcards), matched by adding up their postings block by block
    (:class:`_WordsMatcher`) rather than through Whoosh's tree of unions, which costs a few
    times more per posting. Whoosh does the same above 1,024 parts; like Whoosh's then, it
    has no coordination bonus. An Or with a NOT in it keeps Whoosh's matcher: a part that
    scores nothing would count as no match."""

    @classmethod
    def of(cls, q: query.Or, cost: int) -> query.Query:
        if len(q.subqueries) <= MANY_CLAUSES and cost <= COSTLY_POSTINGS:
            return q
        if any(isinstance(sub, query.Not) for sub in q.subqueries):
            return q
        return cls(q.subqueries, boost=q.boost, scale=q.scale)

    def _matcher(self, subs: list[query.Query], searcher: Searcher, context: Any) -> Any:
        scored = context is None or context.weighting is not None
        return _WordsMatcher([sub.matcher(searcher, context) for sub in subs],
                             searcher.doc_count_all(), boost=self.boost, scored=scored)


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
        return self._counted(self._reader.lexicon(fieldname))

    def expand_prefix(self, fieldname: str, prefix: Any) -> Any:
        return self._counted(self._reader.expand_prefix(fieldname, prefix))

    def terms_from(self, fieldname: str, prefix: Any) -> Any:
        return self._counted(self._reader.terms_from(fieldname, prefix))


class _Expanded:
    """A wildcard, prefix or range (mixed into a subclass of its own class) with its words
    looked up once, by :func:`_expand`.

    Whoosh would look the words up again for every segment, count and highlight, and match
    them through a tree of one matcher per word, which costs seconds for a thousand words (a
    leading-wildcard '*e' on Reuters took 11 s). Here they are matched by adding up their
    postings block by block (Whoosh's array union), in one pass.
    """

    words: list[bytes]
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
        expanded.label = label  # type: ignore[attr-defined]
        return expanded

    def _btexts(self, ixreader: Any) -> Any:
        return iter(self.words)

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        from whoosh.matching import NullMatcher

        reader = searcher.reader()
        present = [query.Term(self.fieldname, word) for word in self.words
                   if (self.fieldname, word) in reader]
        if not present:
            return NullMatcher()
        if len(present) == 1:
            return present[0].with_boost(self.boost).matcher(searcher, context)
        # each word scored as a term of its own, as Whoosh's does (its "constant score" falls
        # back on the searcher's weighting)
        matchers = [term.matcher(searcher, context) for term in present]
        return _WordsMatcher(matchers, searcher.doc_count_all(), boost=self.boost, scored=True)


class _WordsMatcher(ArrayUnionMatcher):
    """Whoosh's array union, with its best possible score worked out once: a top-N search asks
    for it every few matches, and Whoosh would ask each of the thousand words every time
    (which cost more than the search) and leave out the boost."""

    def __init__(self, submatchers: list[Any], doccount: int, boost: float,
                 scored: bool) -> None:
        self._best = max(m.max_quality() for m in submatchers) * boost if scored else 1.0
        super().__init__(submatchers, doccount, boost=boost, scored=scored)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self._best


def _without_punctuation_terms(q: query.Query) -> query.Query:
    """Drop terms with no letter or digit in them: the tags field keeps a stray '~' or '&&'
    as a term, which would then be required and match nothing."""

    def keep(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and not any(c.isalnum() for c in str(node.text)):
            return query.NullQuery
        return node

    return q.accept(keep).normalize()


#: Queries of at most this many words are looked up in the name catalogue.
MAX_NAME_WORDS = 5
#: A misspelt name is taken for the catalogue's best match only when that match scores this
#: well, has as many words, and leads the next one by TYPO_MARGIN.
TYPO_SCORE, TYPO_MARGIN = 84.0, 3.0


def name_variants(catalog: Any, text: str) -> list[str]:
    """Other spellings of the name ``text`` is: the catalogue's spellings of the same name, or,
    for a name the archive never writes that way ("Paul Volker"), the spellings of the one
    clearly closest name of the same shape. Never another person: a bare "Kim" is not taken
    for "Kim Jong-il", and two close candidates mean no guess."""
    variants = [v for v in catalog.expand(text)[1:] if v != text]
    if variants:
        return variants
    found = catalog.lookup(text, limit=2)
    if not found or found[0].score >= 100 or found[0].score < TYPO_SCORE:
        return []
    if len(found) > 1 and found[0].score - found[1].score < TYPO_MARGIN:
        return []
    best = found[0]
    if len(best.name.split()) != len(text.split()):
        return []
    spellings = sorted(best.variants, key=lambda v: -best.variants[v])
    return [v for v in spellings[:5] if v != text]


def _with_name_variants(
    q: query.Query, variants: list[str], schema: Any, boost: float
) -> query.Query:
    """Match the query as typed, or any other spelling of the same name.

    A variant counts as a phrase in a title or body, or as the name's key in the ``names``
    field (names found at index time). Variants weigh ``boost`` of the query as typed, so
    articles with the user's own spelling rank first and the others follow.
    """
    from .names import fold_key

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


def _is_plain_words(text: str) -> bool:
    return bool(_MULTI_WORD.search(text)) and not _OPERATORS.search(text)


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
