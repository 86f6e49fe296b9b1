"""Turning a written name into tokens and keys that survive spelling differences.

Two layers of equivalence:

* **fold**: accents, case and separators do not matter. "Kim Jong-un", "Kim Jong Un",
  "kim jong un" and "Kim Jongun" share the fold key ``kimjongun``. The key is separator-free on
  purpose: word boundaries in romanised names are unreliable (Jong-un / Jong Un / Jongun,
  Karl-Otto / Karl Otto), and the token structure is kept separately for matching.
* **transliteration**: letters that different romanisations or languages write differently are
  folded together (oe/ö/o, kh/ch/k, ck/k, final y/i, ey/ei, ts/tz, w/v, ph/f, doubled consonants,
  Russian -ev/-yov/-ov and -eva/-ova, and d/t after r, l, n or at the end: Kordunov, Ahmed/Ahmet).
  "Poehl"/"Pöhl"/"Pohl", "Gorbachev"/"Gorbachov", "Vostochny"/"Vostokny" and
  "Kortunov"/"Kordunov" share a transliteration key.

Rules that would join different names are avoided: the first letter of a word keeps ch and d
(Chen/Ken, Deng/Teng), a final oe/ue stays (Choe/Cho, Xue/Xu), and d/t between vowels stays
(Pedersen/Petersen are two surnames).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .words import (
    COMPANY_SUFFIXES,
    EAST_ASIAN_SURNAMES,
    NAME_SUFFIXES,
    PARTICLES,
    QUALIFIERS,
    TITLES,
    WEAK_TITLES,
)

#: Letters that do not decompose into a base letter plus accent under NFKD.
_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_APOSTROPHES = "'’‘`´ʼ"
_HYPHENS = "-‐‑‒–"
_SPLIT = re.compile(r"[\s,;/()\[\]\"“”]+")
_HYPHEN_SPLIT = re.compile(f"[{_HYPHENS}]+")
_NON_LETTER = re.compile(r"[^\w]|[\d_]")
_POSSESSIVE = re.compile(f"[{_APOSTROPHES}]s?$")

_TRANSLIT = re.compile(
    r"tsch|tch|sch|kh|ch|cz|ck|ph|th|dh|gh|q|x|c|w|tz|dt"
    r"|[oau]e(?=[a-z])|ey|(?<=[b-df-hj-np-tv-xz])y|(?<=[rln])d|(?<=[a-z])d$"
)
_TRANSLIT_MAP = {
    "sch": "sh", "kh": "k", "cz": "ch", "ck": "k", "ph": "f", "th": "t", "dh": "d",
    "gh": "g", "q": "k", "x": "ks", "w": "v", "tz": "ts", "dt": "t",
    "oe": "o", "ae": "a", "ue": "u", "ey": "ei", "y": "i", "d": "t",
}  # fmt: skip
_RUSSIAN_ENDING = re.compile(r"(?<=[a-z]{3})(?:[iy]?e|[iy]o)v(?=a?$)")  # and -eva/-ova
_FINAL_I = re.compile(r"(?:iy|ij|ii|y)$")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")  # doubled consonants: Petric(c)ioli
_TITLE_WORDS = TITLES | WEAK_TITLES


def fold(text: str) -> str:
    """Lower case without accents: "Pöhl" -> "pohl", "Weizsäcker" -> "weizsacker"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _translit_piece(match: re.Match[str]) -> str:
    piece = match.group()
    if piece in ("ch", "tch", "tsch"):
        # Word-initial ch is kept (Chen is not Ken); inside a word it is the Russian/German
        # sound written ch, kh, tch or k by different sources.
        return "ch" if match.start() == 0 else "k"
    if piece == "dh" and match.start():
        return "t"
    if piece == "c":
        return "s" if match.string[match.end() : match.end() + 1] in ("e", "i", "y") else "k"
    return _TRANSLIT_MAP.get(piece, piece)


@lru_cache(maxsize=65536)
def translit_token(word: str) -> str:
    """The transliteration key of one folded word ("gorbachev" -> "gorbakov")."""
    key = _TRANSLIT.sub(_translit_piece, _DOUBLE.sub(r"\1", word))
    key = _RUSSIAN_ENDING.sub("ov", key)
    key = _FINAL_I.sub("i", key)
    return _DOUBLE.sub(r"\1", key)


@dataclass(frozen=True)
class NameToken:
    """One word of a name: ``text`` folded (letters only), ``key`` its transliteration key,
    ``kind`` one of ``word``, ``initial`` (a single letter) or ``particle`` (de, von, bin…)."""

    text: str
    key: str
    kind: str


def is_title(words: list[str], i: int) -> bool:
    """Whether lower-case ``words[i]`` is a title in front of a name.

    Weak titles ("General", "Justice", "Chief") count only after another title word, at the end
    of a run ("White House Chief" of Staff…) or before a name of two words or more, so "General
    Motors Corp" and "Justice Department" stay names.
    """
    parts = words[i].split("-")
    if any(p in TITLES for p in parts):
        return True
    if not any(p in WEAK_TITLES for p in parts):
        return False
    before = words[i - 1] if i else ""
    if before in _TITLE_WORDS or before in QUALIFIERS or i == len(words) - 1:
        return True
    return sum(1 for w in words[i + 1 :] if w.rstrip(".") not in COMPANY_SUFFIXES) >= 2


def _strip_title(words: list[str]) -> list[str]:
    """Drop a leading title ("Prime Minister", "Mr", "Governor") when a name follows it."""
    last = -1
    for i in range(len(words) - 1):
        if is_title(words, i):
            last = i
        elif words[i] not in QUALIFIERS:
            break
    return words[last + 1 :]


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[NameToken, ...]:
    """Split a written name into tokens, without titles, possessives and suffixes.

    Hyphens split ("Jong-un" -> jong, un) because sources disagree on them; apostrophes join
    ("O'Kennedy" -> okennedy); periods end initials ("K.O." -> k, o).
    """
    raw = [w for w in _SPLIT.split(name.strip()) if w]
    if raw:
        raw[-1] = _POSSESSIVE.sub("", raw[-1])
    words = _strip_title([fold(w).strip(".") for w in raw if w.strip(".")])
    pieces: list[str] = []
    for word in words:
        for part in _HYPHEN_SPLIT.split(word):
            pieces.extend(p for p in part.split(".") if p)
    letters = [_NON_LETTER.sub("", p) for p in pieces]
    letters = [w for w in letters if w]
    while len(letters) > 1 and letters[-1] in NAME_SUFFIXES:
        letters.pop()
    tokens = []
    for i, word in enumerate(letters):
        if len(word) == 1:
            kind = "initial"
        elif word in PARTICLES and i < len(letters) - 1:
            kind = "particle"
        else:
            kind = "word"
        tokens.append(NameToken(word, translit_token(word), kind))
    return tuple(tokens)


def fold_key(name: str) -> str:
    """Accent-, case- and separator-free key: the same for "Kim Jong-un" and "kim jongun"."""
    return "".join(t.text for t in name_tokens(name))


def translit_key(name: str) -> str:
    """:func:`fold_key` plus transliteration folding: "Pöhl", "Poehl" and "Pohl" -> "pohl"."""
    return "".join(t.key for t in name_tokens(name))


def order_key(name: str | tuple[NameToken, ...]) -> str:
    """A key that ignores rotation of the words: "Poehl Karl Otto" = "Karl Otto Poehl".

    Only rotations count, so "Salman bin Mohammed" is not "Mohammed bin Salman".
    """
    keys = [t.key for t in (name_tokens(name) if isinstance(name, str) else name)]
    if len(keys) < 2:
        return "".join(keys)
    return min(" ".join(keys[i:] + keys[:i]) for i in range(len(keys)))


def is_east_asian(tokens: tuple[NameToken, ...]) -> bool:
    """A name that starts with a common East Asian surname and has given names after it.

    Its words are short syllables where one letter makes another person (Jong-un, Jong-il), so
    they are only ever compared exactly, and the surname is the first word.
    """
    words = [t for t in tokens if t.kind == "word"]
    return len(words) > 1 and words[0].text in EAST_ASIAN_SURNAMES


def surname_index(tokens: tuple[NameToken, ...]) -> int:
    """Where the family name is: first for East Asian names ("Kim Jong-un"), else last word."""
    words = [i for i, t in enumerate(tokens) if t.kind == "word"]
    if not words:
        return len(tokens) - 1
    return words[0] if is_east_asian(tokens) else words[-1]


def _shouted(spelling: str) -> bool:
    """All capitals with a word of five letters or more: a shouted headline ("NAKASONE"), not
    an acronym ("IMF", "NATO"), which is written in capitals by right."""
    return spelling.isupper() and any(len(w) >= 5 for w in _SPLIT.split(spelling))


def one_casing(seen: dict[str, list[int]]) -> dict[str, list[int]]:
    """Spellings that differ only in case as one spelling: "NAKASONE" and "Nakasone" are the
    same spelling, not two. Each keeps its articles (merged, ascending) under the casing
    written in running text when there is one, else the most used."""
    by_case: dict[str, list[str]] = {}
    for spelling in seen:
        by_case.setdefault(spelling.casefold(), []).append(spelling)
    merged: dict[str, list[int]] = {}
    for forms in by_case.values():
        if len(forms) == 1:
            merged[forms[0]] = seen[forms[0]]
            continue
        best = min(forms, key=lambda f: (_shouted(f), -len(seen[f]), forms.index(f)))
        merged[best] = sorted({a for f in forms for a in seen[f]})
    return merged


def metadata_name(value: str) -> str:
    """A name given as a lower-case metadata code ("james-baker", "west-germany", "usa") as it
    is written in text: words capitalised ("James Baker"), and a code of three letters or
    fewer in capitals ("USA", "UK", "EC"), an abbreviation rather than a new word ("Usa")."""
    words = value.replace("-", " ").split()
    if len(words) == 1 and len(words[0]) <= 3 and words[0].isalpha():
        return words[0].upper()
    return " ".join(words).title()
