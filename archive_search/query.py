"""Reading what the user typed, or saying exactly why it can't be read: the part of a query
that does not depend on the engine.

The query language is Whoosh's (phrases, AND/OR/NOT, ``field:value``, wildcards) with these
changes, each because Whoosh's own behaviour would surprise a user or a script:

* ``date:`` clauses are read here, not by Whoosh's date plugin, which turns a date it cannot read
  into a query that silently matches nothing and reads ``[2023-09-01 to 2023-09-30]`` as a year.
* Unbalanced quotes, unknown fields and wildcards that would expand to more than
  ``search.max_expansions`` terms are errors that say so, instead of odd or endless answers.
* Every query's work is bounded, so that any text is answered or refused within about two
  seconds: what can be read in a cheaper way is (repeated operators collapsed, a ``<`` or ``>``
  outside ``field:>x`` read as punctuation); what cannot is refused with what to change. The
  bounds on what the index is asked (wildcard expansion, postings read) are the engine's:
  :mod:`archive_search.engine.whoosh_query`.
* A query of several plain words also scores the words *as a phrase*, so ``Kim Jong-un`` ranks
  articles with that exact name above ones that have ``Kim``, ``Jong`` and ``un`` apart.

:func:`read` gives a :class:`QueryReading`: the text as the engine will parse it, its date
span, its words, whether its words are all required, and the other spellings of a name;
the engine turns it into its own query (:meth:`archive_search.engine.Searcher.rank`).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dates import DateError, parse_user_date
from .engine.fields import QUERY_NAMES
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
#: Syntax that asks for every word outright: a required ``+word`` or a ``-word``.
_STRICT_SYNTAX = re.compile(r"(?<!\S)[+-]\w")
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
#: The automatic phrase bonus (see :func:`_with_phrase_bonus`) is added to queries of at most
#: this many words: a longer phrase only matches a pasted sentence, and costs one pass over
#: the postings of each of its words.
MAX_PHRASE_BONUS_WORDS = 12


@dataclass
class QueryReading:
    """A user query as read, before any engine sees it."""

    #: the query as typed
    text: str
    #: the text the engine parses: ``date:`` clauses taken out, prose punctuation and repeated
    #: operators removed, field names in the index's spelling; empty for a query of dates
    #: only, ``*`` for every article
    clean: str = ""
    date_start: _dt.datetime | None = None
    date_end: _dt.datetime | None = None
    #: the words typed (not operators, field names or numbers)
    words: list[str] = field(default_factory=list)
    #: whether a match needs every word (``search.default_operator``)
    all_words: bool = True
    #: a plain query of a few words, not a name (``default_operator: auto``): the articles
    #: with every word rank first, then those with some of them, so that nothing relevant is
    #: cut off while the top stays as precise as requiring every word
    some_words_after: bool = False
    #: the words also count as a phrase (a plain query of a few words)
    phrase: bool = False
    #: other spellings of the name the query is, searched too (see :func:`name_variants`)
    variants: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def read(
    text: str,
    settings: Settings,
    names: Callable[[], list[Any]] | None = None,
) -> QueryReading:
    """Read query text into a :class:`QueryReading`; raises :class:`QueryError`.

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
    reading = QueryReading(text=text, date_start=start, date_end=end)
    stripped = rest.strip()
    if not stripped and start is None and end is None:
        raise QueryError("query has no searchable words (only punctuation?)")
    if _shouting(stripped):
        # an all-capitals query (a pasted headline, an old wire text) has no operators:
        # its AND, OR and NOT are words
        stripped = stripped.lower()
        reading.notes.append("all-capitals query: AND/OR/NOT read as words")
    else:
        stripped = _outside_quotes(stripped, _collapse_operators)
    reading.clean = stripped
    reading.words = [w for w in _TYPED_WORD.findall(_FIELD_REF.sub(" ", stripped))
                     if w.upper() not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
    if not stripped or stripped == "*":
        return reading
    operator = settings.search.default_operator
    reading.all_words = operator == "and" or (operator == "auto" and len(reading.words) <= 3)
    plain_words = _is_plain_words(stripped)
    reading.phrase = plain_words and len(reading.words) <= MAX_PHRASE_BONUS_WORDS
    # phrases, AND/OR/NOT, +word and field clauses keep their strict meaning; so does a name
    # (every word capitalised): an article with 'Kim Jong' alone is about another person
    a_name = all(w[:1].isupper() for w in reading.words)
    reading.some_words_after = (operator == "auto" and reading.all_words and plain_words
                                and not a_name and not _STRICT_SYNTAX.search(stripped))
    plain = plain_words or (len(reading.words) == 1 and stripped.isalpha())
    # names are written with capitals: only such queries consult the name catalogue,
    # which keeps 'cocoa prices' from paying for loading it
    looks_like_name = any(w[:1].isupper() for w in reading.words)
    if names is not None and plain and looks_like_name and len(reading.words) <= MAX_NAME_WORDS:
        found = [v for catalog in names() for v in name_variants(catalog, stripped)]
        reading.variants = list(dict.fromkeys(found))
        if reading.variants:
            reading.notes.append("also searched: " + ", ".join(reading.variants))
    return reading


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


def hyphens_as_phrases(text: str) -> str:
    """Each hyphenated word of ``text`` outside quotes in quotes (``Kim Jong-un`` -> ``Kim
    "Jong-un"``): for an engine whose every-word query should read ``Coca-Cola`` as the phrase
    it is, not as 'coca' here and 'cola' there."""
    return _outside_quotes(text, lambda part: _HYPHENATED.sub(lambda m: f'"{m[0]}"', part))


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


def _is_plain_words(text: str) -> bool:
    return bool(_MULTI_WORD.search(text)) and not _OPERATORS.search(text)
