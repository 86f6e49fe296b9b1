"""Finding the names of people, places and organisations in an article's text.

News capitalises names, so a name is a run of capitalised words, possibly joined by particles
("Osama bin Laden", "Charles de Gaulle"), "of" after an organisation word ("Bank of Japan") or
"&". What a run is *not* is settled by small word lists (see :mod:`.words`) and three rules:

* A title before a name is dropped ("Bundesbank President Karl Otto Poehl" gives
  "Bundesbank" and "Karl Otto Poehl"), also when spread out over "for"/"of"/"and": "Deputy Prime
  Minister for Industry and Trade Denis Manturov" gives "Denis Manturov".
* A capitalised word opening a sentence may be an ordinary word. On its own it counts as a name
  only when the same word is also capitalised mid-sentence somewhere in the text; a leading
  common word is dropped ("The", "In", "But").
* All-caps or Title-Case text (wire headlines, TIME's upper-case pages) has no case signal: it
  contributes only the names found elsewhere in the text that it mentions.

This runs at import time, so it is a single regular-expression pass plus a little Python per
capitalised run.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .keys import is_title
from .words import (
    ABBREVIATIONS,
    ADJECTIVE_SUFFIXES,
    CALENDAR,
    COMPANY_SUFFIXES,
    DEMONYMS,
    DIRECTIONS,
    FUNCTION_WORDS,
    NOT_NAMES,
    NUMBERS,
    ORG_HEADS,
    PARTICLES,
    QUALIFIERS,
    TITLES,
    UNITS,
    WEAK_TITLES,
    WEEKDAYS,
)

_UPPER = "".join(sorted({c for c in map(chr, range(0x41, 0x530)) if c.isupper()}))
_LOWER = "".join(sorted({c for c in map(chr, range(0x61, 0x530)) if c.islower()}))
_UP = f"[{re.escape(_UPPER)}]"
_LETTER = r"[^\W\d_]"
_APOS = "'’"
_HYPH = "\\-‐"
# A capitalised word (with hyphenated or apostrophe parts: Jong-un, O'Kennedy, Kremlin’s),
# an initial or acronym (K., U.S.). Every alternative starts with a capital so the regex
# engine can skip ahead quickly; what comes before the run is checked in Python.
_TOKEN = (
    rf"{_UP}(?:\.(?:{_UP}\.)*"
    rf"|{_LETTER}*(?:[{_APOS}{_HYPH}]{_LETTER}+)*(?![\w{_HYPH}>&])\.?)"
)
_CONNECTORS = sorted(PARTICLES | {"of", "of the", "and", "&"}, key=len, reverse=True)
_CONNECTOR = "(?:" + "|".join(re.escape(c) for c in _CONNECTORS) + ")"
# Spaces, or one line break that does not open a paragraph (blank line or indented line).
_SEP = r"(?:[ \t]+|[ \t]*\r?\n(?![ \t]*\r?\n)[ \t]?)"
# Between two words of a name: particles ("de la", "bin", "al-"), the Arabic article
# assimilated and hyphenated ("Anwar as-Sadat", "Nasir ad-Din"), or an elision ("d'").
_JOINER = (
    rf"(?:{_CONNECTOR}(?:{_SEP}|[{_HYPH}])|(?:a[dstrnz]h?|ud)[{_HYPH}]|(?:d|l|dell)[{_APOS}])"
)
_RUN = re.compile(rf"{_TOKEN}(?:{_SEP}{_JOINER}*{_TOKEN})*")
_LOWER_RE = re.compile(f"[{re.escape(_LOWER)}]")
_NOT_UPPER = str.maketrans("", "", _UPPER)
_NOT_LOWER = str.maketrans("", "", _LOWER)
_WORD = re.compile(rf"{_LETTER}{{4,}}")
_CUT = re.compile(
    f"[{_APOS}]s?$|[{_HYPH}](?:{'|'.join(sorted(ADJECTIVE_SUFFIXES))})$"
)  # Kremlin’s, Moscow-based: the name ends there
# Lower-case prefixes written onto a capitalised name: al-Assad, bin-Laden, d'Estaing.
_PREFIX = re.compile(
    r"(?<![\w\-'’])(?:(?:al|el|ad|as|ash|at|ar|an|ud|ul|bin|ibn)[\-‐]|(?:d|l|dell)['’])$"
)
# Text between two runs that keeps a title open: "Minister for Industry and Trade Denis M."
_TITLE_GAP = re.compile(r"[\s,]*(?:(?:for|of|and|the|&)[\s,]+)*")
_OPENERS = " \t\r\n\"'“‘«([—–-"
_SENTENCE_END = ".!?:;"
_QUOTES = "\"'“‘«"
_TITLE_WORDS = TITLES | WEAK_TITLES | QUALIFIERS
_TITLE_LIST = sorted(w for w in TITLES | WEAK_TITLES if len(w) >= 6)
_CONNECTOR_WORDS = PARTICLES | {"of", "the", "and", "&"}
_PLACE_ADJECTIVES = DEMONYMS | DIRECTIONS
_EDGE_WORDS = PARTICLES | FUNCTION_WORDS | UNITS | {"&"}


def extract_names(title: str, body: str) -> list[str]:
    """Names in ``title`` and ``body``: distinct, in first-seen order, spelled as written.

    >>> extract_names("", "Bundesbank President Karl Otto Poehl met Kim Jong-un’s envoy.")
    ['Bundesbank', 'Karl Otto Poehl', 'Kim Jong-un']
    """
    scan = _Scan()
    headline_shouts = _no_case_signal(title, headline=True)
    if not headline_shouts:
        scan.text(title)
    if not _no_case_signal(body):
        scan.text(body)
    names = scan.names()
    if headline_shouts and names:
        names = _mentioned_in(title, names) + names
    return list(dict.fromkeys(names))


def _no_case_signal(text: str, headline: bool = False) -> bool:
    """All-caps text, or a Title Case headline: capitals there do not mark names."""
    if not text:
        return False
    sample = text[:600]
    upper = len(sample) - len(sample.translate(_NOT_UPPER))
    lower = len(sample) - len(sample.translate(_NOT_LOWER))
    if lower * 10 < upper:
        return True
    if not headline:
        return False
    words = _WORD.findall(text)
    capitalised = sum(1 for w in words if w[0].isupper())
    return len(words) >= 3 and capitalised * 4 >= len(words) * 3


def _mentioned_in(text: str, names: list[str]) -> list[str]:
    """The names (found elsewhere) that ``text`` mentions, in the order it mentions them."""
    folded = f" {text.casefold()} "
    found = []
    for name in names:
        needle = name.casefold()
        at = folded.find(needle)
        while at > 0:
            end = at + len(needle)
            if not folded[at - 1].isalnum() and not folded[end].isalnum():
                found.append((at, name))
                break
            at = folded.find(needle, at + 1)
    return [name for _, name in sorted(found)]


class _Scan:
    """One article's scan: the names found, in order, and the words seen capitalised
    mid-sentence (the evidence that a word opening a sentence is a name)."""

    def __init__(self) -> None:
        self.found: list[tuple[list[str], bool]] = []  # (words, opens a sentence unproven)
        self.mid_words: set[str] = set()

    def text(self, text: str) -> None:
        title_open = False
        previous_end = 0
        for match in _RUN.finditer(text):
            start = match.start()
            if title_open and not _TITLE_GAP.fullmatch(text, previous_end, start):
                title_open = False
            previous_end = match.end()
            pieces = match.group().split()
            if len(pieces) == 1 and pieces[0].rstrip(".").lower() in NOT_NAMES:
                title_open = False  # the commonest run by far: "The", "It", "In"
                continue
            if start and not _starts_word(text, start, pieces):
                continue
            _drop_dates(pieces, text[previous_end : previous_end + 3])
            if not pieces:
                continue
            if any(len(p) > 2 and p.isupper() for p in pieces) and not _has_lower_line(text, start):
                title_open = False
                continue
            opening = _opens_sentence(text, start)
            for words, opens in _split(pieces, opening):
                title_open = self._run(words, opens, title_open)

    def _run(self, words: list[str], opening: bool, title_open: bool) -> bool:
        """Record the names in one run of words; return whether a title is left open."""
        lower = [w.lower().rstrip(".") for w in words]
        proven = False
        if opening:
            while lower and lower[0] in FUNCTION_WORDS:
                words, lower, proven = words[1:], lower[1:], True
        while lower and lower[0] in WEEKDAYS:  # "On Friday Reagan said"
            words, lower, proven = words[1:], lower[1:], True
        last_title = -1
        for i, word in enumerate(lower):
            if word not in _TITLE_WORDS and len(lower) > 2 and i < len(lower) - 1:
                lower[i] = word = _misspelt_title(word)
            if (word in _TITLE_WORDS or "-" in word) and is_title(lower, i):
                last_title = i
        if last_title >= 0:
            first = last_title
            while first > 0 and lower[first - 1] in _TITLE_WORDS:
                first -= 1
            self._add(words[:first], False)  # "Bundesbank President …": a name
            name = words[last_title + 1 :]
            self._add(name, False)
            return not name
        if title_open:
            while lower and lower[0] in _TITLE_WORDS:
                words, lower, proven = words[1:], lower[1:], True
            if not words:
                return True
            if lower[0] in ORG_HEADS:
                # The title's organisation, then the name: "Governor of the Bank of England
                # Robin Leigh-Pemberton"; or the organisation alone, the name still to come.
                end = _organisation_end(lower)
                self._add(words[:end], False)
                if end == len(words):
                    return True
                words = words[end:]
        self._add(words, opening and not proven)
        return False

    def _add(self, words: list[str], opening: bool) -> None:
        words = _trim(words)
        if not words:
            return
        self.mid_words.update(w.lower() for w in (words[1:] if opening else words))
        self.found.append((words, opening and len(words) == 1))

    def names(self) -> list[str]:
        """The names, without sentence openers that never appear capitalised mid-sentence."""
        return [
            " ".join(words)
            for words, opening in self.found
            if not opening or words[0].lower() in self.mid_words
        ]


def _drop_dates(pieces: list[str], after: str) -> None:
    """Cut the run at a month or weekday that starts a date: "Record April 15", "Pay May One"."""
    for i, piece in enumerate(pieces):
        if piece.lower() in CALENDAR:
            following = pieces[i + 1].lower() if i + 1 < len(pieces) else after.strip()[:1]
            if following.isdigit() or following in NUMBERS:
                del pieces[i:]
                return


def _organisation_end(lower: list[str]) -> int:
    """Where "Bank of England" ends in "Bank of England Robin Leigh-Pemberton"."""
    if len(lower) > 2 and lower[1] == "of":
        return 4 if lower[2] == "the" and len(lower) > 3 else 3
    return len(lower)


@lru_cache(maxsize=4096)
def _misspelt_title(word: str) -> str:
    """The title ``word`` is a typing error for ("Secertary", "Minsiter"), else ``word``."""
    if len(word) < 6 or word in ORG_HEADS:
        return word
    limit = 1 if len(word) < 8 else 2
    found = process.extractOne(word, _TITLE_LIST, scorer=Levenshtein.distance, score_cutoff=limit)
    return found[0] if found else word


def _starts_word(text: str, start: int, pieces: list[str]) -> bool:
    """Whether the run at ``start`` begins a word. Repairs "al-Assad" and "d'Estaing"; drops
    the tail of "iPhone", "anti-Reagan" or a ticker symbol ("<BONA.S>"). False when nothing is
    left of the run."""
    before = text[start - 1]
    if before in "-‐'’":
        prefix = _PREFIX.search(text, max(0, start - 5), start)
        if prefix:
            pieces[0] = prefix.group() + pieces[0]
        elif before in "-‐" or (start > 1 and text[start - 2].isalnum()):
            del pieces[0]
    elif before.isalnum() or before in "_&." or (before == "<" and pieces[0].isupper()):
        del pieces[0]
    return bool(pieces)


def _split(pieces: list[str], opening: bool) -> list[tuple[list[str], bool]]:
    """Cut a regex run where it holds more than one name, with whether each part opens a
    sentence: after a possessive ("Kremlin’s Foreign Ministry"), after a full stop, at "of" not
    after an organisation word, and at a function word ("U.S. The")."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        i += 1
        if piece == "and":
            if _joins_organisation(current, pieces[i:]):
                current.append(piece)
                continue
            runs.append((current, opening))
            current, opening = [], False
            continue
        if piece == "of":
            if current and current[-1].lower() in ORG_HEADS:
                current.append(piece)
                if i < len(pieces) and pieces[i] == "the":
                    current.append("the")
                    i += 1
                continue
            runs.append((current, opening))
            current, opening = [], False
            if i < len(pieces) and pieces[i] == "the":
                i += 1
            continue
        if current and piece[0].isupper() and piece.lower() in FUNCTION_WORDS:
            runs.append((current, opening))
            current, opening = [], False
            continue
        ends_sentence = (
            piece[-1] == "."
            and len(piece) > 2
            and "." not in piece[:-1]
            and piece[:-1].lower() not in ABBREVIATIONS
        )  # "Poehl." or "GNP." but not "K.", "U.S." or "Mr."
        if ends_sentence:
            piece = piece[:-1]
        cut = _CUT.search(piece)
        if cut:
            piece = piece[: cut.start()]
        current.append(piece)
        if cut or ends_sentence:
            runs.append((current, opening))
            current, opening = [], ends_sentence
    runs.append((current, opening))
    return [(run, opens) for run, opens in runs if run]


def _joins_organisation(left: list[str], right: list[str]) -> bool:
    """Whether "and" is inside an organisation's name: "Securities and Exchange Commission",
    "Ministry of International Trade and Industry" (not "Reagan and Nakasone", not "Paul
    Volcker and International Monetary Fund")."""
    words = []
    for word in right:
        if word in _CONNECTOR_WORDS:
            break
        words.append(word)
    if not left or not words:
        return False
    if "of" in left:
        return len(words) == 1
    own = left[1:] if left[0].endswith(".") else left  # "U.S. Securities and Exchange…"
    last = words[-1].lower().rstrip(".")
    return len(own) == 1 and len(words) <= 2 and (last in ORG_HEADS or last in COMPANY_SUFFIXES)


def _trim(words: list[str]) -> list[str]:
    """Drop what cannot start or end a name, and runs that are not names at all."""
    lower = [w.lower().rstrip(".") for w in words]
    start, end = 0, len(words)
    while start < end and lower[start] in _EDGE_WORDS:
        start += 1
    while end > start and (lower[end - 1] in _EDGE_WORDS or lower[end - 1] in COMPANY_SUFFIXES):
        end -= 1
    if end - start == 1:
        word = lower[start]
        if len(word) < 2 or word in NOT_NAMES or _is_plural_acronym(words[start]):
            return []
    if all(w in _PLACE_ADJECTIVES for w in lower[start:end]):
        return []
    return words[start:end]


def _is_plural_acronym(word: str) -> bool:
    """ "CEOs", "MPs": an acronym used as a common noun."""
    return len(word) > 2 and word.endswith("s") and word[:-1].isupper()


def _has_lower_line(text: str, at: int) -> bool:
    """Whether the line around ``at`` has lower-case letters (else it is a shouted heading)."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return _LOWER_RE.search(text, start, end if end >= 0 else len(text)) is not None


def _opens_sentence(text: str, at: int) -> bool:
    """Whether position ``at`` starts a sentence, a paragraph, a quotation or the text."""
    if at and text[at - 1] in _QUOTES and (at == 1 or not text[at - 2].isalnum()):
        return True  # an opening quotation mark, not the apostrophe of d'Estaing
    i = at - 1
    newlines = 0
    while i >= 0 and text[i] in _OPENERS:
        if text[i] == "\n":
            newlines += 1
            if newlines > 1 or text.startswith(("  ", "\t"), i + 1):
                return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END
