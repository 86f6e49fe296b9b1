"""One name as each country's press romanises it: reading a spelling back across conventions.

English, German, French and Spanish newspapers write the same Russian, Ukrainian or Arabic
name with their own letters: Gorbachev / Gorbatschow / Gorbatchev / Gorbachov, Yeltsin /
Jelzin / Eltsine, Khrushchev / Chruschtschow / Khrouchtchev / Jrushchov. Each
convention is a published table from the source letters to Latin letters; this module keeps
those tables (:data:`CYRILLIC`, :data:`ARABIC`) and reads a written word back through each
convention's inverse into one *pivot* spelling (English press spelling, with the letters some
convention does not tell apart written alike: ж/ш as ``sh``, з/с as ``s``, и/й/ы as ``i`` at
the end). A word has one reading per convention (:func:`word_readings`); two spellings are one
name when a reading of each is the same spelling, word for word (:func:`romanized_same`).

Conventions covered (the columns of the tables):

* English press / BGN/PCGN (kh, zh, ts, ch, sh, shch, ye, yu, ya; x for ks);
* German, Duden (w, sch, tsch, schtsch, ch for kh, z for ts, s for z, j for y: Jelzin, Breschnew);
* French press (ou, ch for sh, tch, chtch, j for zh, dj, gu before e/i, ss, a silent final e
  after -in/-an/-at/-it in a surname: Eltsine, Poutine, Sadate, Moubarak);
* Spanish (j for kh: Jrushchov, Mijaíl; gu before e/i: Serguéi);
* Ukrainian national romanisation read against the Russian form of the same name (h for g,
  y for i after a consonant, -iv for -ev/-ov, -iy for -ei, initial Ole- for Ale-, Volod- for
  Vlad-: Oleksandr / Aleksandr, Kyiv / Kiev, Serhiy / Sergei, Volodymyr / Vladimir);
* Arabic: the article al-/el-/ul- and its assimilated forms (ad-, as-, ash-, ar-, at-, an-,
  az-) kept, dropped or hyphenated (al-Assad / el-Assad / Assad), Egyptian and Levantine o/u and
  e/i for the same short vowel (Hosni / Husni, Yasser / Yasir), which Arabic script does not
  write; German dsch and j, French dj, ch and ou for j, sh and u (Jassir, Moubarak).

Against merging different people: readings must be the same spelling word for word; a word
of four letters or fewer must agree as written (Chad / Shad, Zale / Sale); a name of one word
is read only from six letters and only against an English reading (Irwin / Irvine, Younger /
Junger); East Asian names, acronyms and initials are not read (N.Y. / N.J.); vowel tolerance
(o/u, e/i) is for given names of five letters or more (Hill / Hall, Horst / Hurst), and a/e is
never tolerated (Jansen / Jensen).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .keys import fold, is_east_asian, name_tokens, translit_token
from .words import EAST_ASIAN_SURNAMES

#: Russian letters in each convention, as published (BGN/PCGN, Duden, French press usage,
#: Spanish press usage): ``letter pivot English German French Spanish``;
#: ``|`` separates the spellings a convention uses for one letter. Letters every convention
#: writes alike (a, b, d, k, l, m, n, o, p, r, t, f) are left out.
CYRILLIC = """
    в  v    v      w        v      v
    г  g    g      g        g      g
    е  e    e|ye   e|je     e      e|ye
    ё  yo   yo     jo       io     io
    ж  sh   zh     sch|sh   j      zh
    з  s    z      s        z      z
    й  y    y      j        y      y
    х  kh   kh     ch       kh     j
    ц  ts   ts     z        ts     ts
    ч  ch   ch     tsch     tch    ch
    ш  sh   sh     sch      ch     sh
    щ  shch shch   schtsch  chtch  shch
    у  u    u      u        ou     u
    ю  yu   yu     ju       iou    iu
    я  ya   ya     ja       ia     ia
    кс ks   ks|x   ks|x     ks|x   ks|x
    с  s    s      s|ss     s|ss   s
"""

#: Arabic consonants whose spelling differs between the same conventions (English, German,
#: French, Spanish): ``letter pivot English German French Spanish``.
ARABIC = """
    ج  j    j      dsch     dj     y
    ش  sh   sh     sch      ch     sh
    خ  kh   kh     ch       kh     j
    ي  y    y      j        y      y
    و  u    u      u        ou     u
"""

CONVENTIONS = ("English", "German", "French", "Spanish")
_VARIANTS = {"French, ou for w": "French"}  # a second reading of a convention's letters
_FRENCH = {"French", *_VARIANTS}

#: Context rules of a convention that a letter table cannot say: (pattern, replacement).
_CONTEXT = {
    "French": [(r"(?<=[a-z])gu(?=[ei])", "g"), (r"(?<=[aeiou])ie", "e")],  # Issaïev, Zouïev
    "Spanish": [(r"(?<=[a-z])gu(?=[ei])", "g")],
    # French writes the Arabic consonant w as ou before a vowel (Anouar, Oualid), the vowel u
    # as ou too (Moubarak, Mouammar): both readings are kept
    "French, ou for w": [
        (r"(?<=[a-z])gu(?=[ei])", "g"),
        (r"ou(?=[aeiy])", "w"),
        (r"(?<=[aeiou])ie", "e"),
    ],
    "German": [(r"ij$", "iy")],
}

#: French keeps a final consonant sounded with a silent e (Eltsine, Poutine, Sadate). Read
#: only in the last word: in a given name the e makes another name (Justine, Justin).
_FRENCH_SURNAME = re.compile(r"(?<=[aiu][nt])e$")

#: The Ukrainian form of a name read as its Russian form (not a letter table: the two
#: languages spell the same name differently, and the press romanises either).
_UKRAINIAN = [
    ("kh", "kh"),
    ("zh", "zh"),
    ("sh", "sh"),
    ("ch", "ch"),
    (r"(?<=[a-z])h(?=[aeiouy])", "g"),
    (r"(?<=[b-df-hj-np-tv-xz])y", "i"),
    (r"yi|ii", "i"),
    (r"(?<=[a-z]{2})iv$", "ev"),
    (r"(?<=[a-z]{3})iy$", "ei"),
    (r"^ole(?=k)", "ale"),
    (r"^volod", "vlad"),
]

#: The Arabic article, written before a name with a hyphen or apostrophe, or as a separate
#: lower-case word ("Bashar al-Assad", "el-Assad", "as-Sadr", "Hosni al Mubarak").
_ARTICLE = re.compile(
    r"(?:^|(?<=[\s\-‐]))(?:(?:[aeu]l)[\-‐'’]\s*|(?:[ae](?P<sun>[dtsznr]h?))[\-‐'’](?=(?P=sun))"
    r"|(?<=\s)(?:al|el)\s+(?=\w))",
    re.IGNORECASE,
)
_VOWEL_CLASS = str.maketrans({"o": "u", "e": "i", "y": "i"})
_MIN_VOWEL_TOLERANT = 5  # Hill / Hall, Kohl / Kuhl are other people


def _tables() -> dict[str, list[tuple[str, str]]]:
    """Each convention's spellings mapped to the pivot, longest first. A spelling that one
    convention uses for two letters with different pivots is ambiguous there and left out."""
    found: dict[str, dict[str, set[str]]] = {c: {} for c in CONVENTIONS}
    for table in (CYRILLIC, ARABIC):
        for line in table.strip().splitlines():
            letter, pivot, *columns = line.split()
            for convention, column in zip(CONVENTIONS, columns, strict=True):
                for spelling in column.split("|"):
                    found[convention].setdefault(fold(spelling), set()).add(pivot)
    rules = {}
    for convention, spellings in found.items():
        plain = [(s, min(p)) for s, p in spellings.items() if len(p) == 1 and s != min(p)]
        plain.sort(key=lambda item: -len(item[0]))
        rules[convention] = _CONTEXT.get(convention, []) + [(re.escape(s), p) for s, p in plain]
    for variant, convention in _VARIANTS.items():
        rules[variant] = _CONTEXT[variant] + rules[convention][len(_CONTEXT[convention]) :]
    rules["Ukrainian"] = _UKRAINIAN
    return rules


def _compile(rules: list[tuple[str, str]]) -> tuple[re.Pattern[str], list[str]]:
    pattern = re.compile("|".join(f"({p})" for p, _ in rules))
    return pattern, [r for _, r in rules]


_RULES = {name: _compile(rules) for name, rules in _tables().items()}


#: How every reading is settled, whatever the convention: doubled consonants as one (Assad /
#: Asad), y after a consonant and a final i/y/ij as i (Dmitry / Dmitri / Dmitrij), й before a
#: consonant as i (Mikhailov / Mikhaylov / Michajlow), and ё after ch/sh at the end as e
#: (Gorbachov / Gorbachev / Gorbatschow).
_SETTLE = [
    (re.compile(r"([b-df-hj-np-tv-z])\1+"), r"\1"),
    (re.compile(r"(?<=[b-df-hj-np-tv-xz])y"), "i"),
    (re.compile(r"(?<=[aeiou])y(?![aeiou])"), "i"),
    (re.compile(r"(?<=[b-df-hj-np-tv-z])i+$"), "i"),
    (re.compile(r"(?<=[cs]h)ov(?=a?$)"), "ev"),
]
_SHORT = 4  # words this short are compared as written, or by their Ukrainian reading
_SINGLE_WORD = 6  # a name of one word is read across conventions from this many letters
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b|\b[A-Za-z]\.")  # "CIF", "N.Y.": not romanised words


def _read(word: str, convention: str) -> str:
    pattern, replacements = _RULES[convention]
    return pattern.sub(lambda m: replacements[m.lastindex - 1], word)


def _settle(reading: str) -> str:
    for rule, replacement in _SETTLE:
        reading = rule.sub(replacement, reading)
    return reading


@lru_cache(maxsize=65536)
def word_readings(word: str) -> dict[str, str]:
    """A folded word read under each convention, as pivot spellings: ``{convention: reading}``.

    "jelzin" -> German "eltsin"; "yeltsin" -> English "eltsin"; "eltsine" -> French "eltsine"
    (the French silent e goes only at the end of a name: :func:`romanized_same`).
    """
    raw = {convention: _read(word, convention) for convention in _RULES}
    settled = {reading: _settle(reading) for reading in set(raw.values())}  # mostly one
    return {convention: settled[reading] for convention, reading in raw.items()}


@lru_cache(maxsize=65536)
def reading_keys(word: str) -> tuple[str, ...]:
    """Keys to index a word under: its transliteration key, then its readings' keys."""
    keys = [translit_token(word)]
    keys += [translit_token(r) for r in dict.fromkeys(word_readings(word).values())]
    return tuple(dict.fromkeys(keys))


def strip_articles(name: str) -> str:
    """``name`` without the Arabic article: "Bashar al-Assad" -> "Bashar Assad". A leading
    "Al" written as a word stays (Al Gore)."""
    return _ARTICLE.sub("", name)


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    """The name's folded words, Arabic articles left out; none for a name that is not read:
    East Asian (its syllables are compared as written), or holding an acronym or an initial."""
    stripped = strip_articles(name)
    tokens = name_tokens(stripped)
    words = tuple(t.text for t in tokens)
    if not words or is_east_asian(tokens) or any(w in EAST_ASIAN_SURNAMES for w in words):
        return ()
    if _ACRONYM.search(stripped) or any(t.kind == "initial" for t in tokens):
        return ()
    return words


@lru_cache(maxsize=65536)
def _word_read(word: str, last: bool) -> tuple[str, ...]:
    """A word's readings, one per convention in :data:`_RULES` order; ``last`` for the last
    word of a name of two words or more, where French drops a silent e."""
    readings = word_readings(word)
    return tuple(
        _FRENCH_SURNAME.sub("", readings[c]) if last and c in _FRENCH else readings[c]
        for c in _RULES
    )


def _name_readings(name: str) -> dict[str, tuple[str, ...]]:
    """The name's words read under each convention (empty for a name not read)."""
    words = _name_words(name)
    if not words:
        return {}
    last = len(words) - 1 if len(words) > 1 else -1
    read = [_word_read(w, i == last) for i, w in enumerate(words)]
    return {c: tuple(r[k] for r in read) for k, c in enumerate(_RULES)}


def _vowel_skeleton(word: str) -> str:
    """o/u and e/i written alike, letter for letter (Hosni / Husni; Copper is not Cooper)."""
    return word.translate(_VOWEL_CLASS)


def _short_agree(a: str, b: str) -> bool:
    """Two short written words are one: the same transliteration key a letter apart."""
    from .match import few_edits

    return a == b or (translit_token(a) == translit_token(b) and few_edits(a, b))


def _names_agree(
    words: tuple[tuple[str, ...], tuple[str, ...]],
    read: tuple[tuple[str, ...], tuple[str, ...]],
    conventions: tuple[str, str],
) -> bool:
    """Word for word the same reading. A surname of four letters or fewer agrees as written
    (or by its Ukrainian reading on both sides); a given name may differ in o/u or e/i (short
    vowels Arabic script does not write: Hosni / Husni Mubarak) from five letters."""
    ukrainian = conventions == ("Ukrainian", "Ukrainian")
    last = len(words[0]) - 1
    for i, (a, b, x, y) in enumerate(zip(*words, *read, strict=True)):
        if i == last and min(len(a), len(b)) <= _SHORT:
            if not (_short_agree(a, b) or (ukrainian and x == y)):
                return False
        elif x != y and not (
            i < last
            and min(len(x), len(y)) >= _MIN_VOWEL_TOLERANT
            and _vowel_skeleton(x) == _vowel_skeleton(y)
        ):
            return False
    return True


@lru_cache(maxsize=65536)
def romanized_same(a: str, b: str) -> tuple[str, str] | None:
    """Whether ``a`` and ``b`` are one name romanised by different conventions: the convention
    of each (``("German", "English")``) when a reading of each agrees word for word, else None.

    The readings must be the same spelling. A surname of four letters or fewer must agree as
    written; a name of one word is read only from six letters (below, only Ukrainian against
    Ukrainian: Kyiv / Kiev) and only against an English reading (Irwin / Irvine, Younger /
    Junger stay apart); East Asian names, acronyms and initials are not read.
    """
    if name_keys(a).isdisjoint(name_keys(b)):
        return None  # the common case, decided without comparing readings
    words = (_name_words(a), _name_words(b))
    ra, rb = _name_readings(a), _name_readings(b)
    single = len(words[0]) == 1
    if single and min(len(words[0][0]), len(words[1][0])) < _SINGLE_WORD:
        pairs = [("Ukrainian", "Ukrainian")]
    else:
        pairs = [(ca, cb) for ca in ra for cb in rb]
    if single:
        pairs = [(ca, cb) for ca, cb in pairs if ca == cb or "English" in (ca, cb)]
    pairs.sort(key=lambda pair: pair[0] == pair[1])  # name two conventions when they differ
    for ca, cb in pairs:
        if _names_agree(words, (ra[ca], rb[cb]), (ca, cb)):
            return ca, cb
    return None


def words_same(a: str, b: str) -> bool:
    """Whether folded words ``a`` and ``b`` (more than four letters) read as one word under
    some convention each: a partial match as good as a transliteration ("Jelzin" for "Boris
    Yeltsin")."""
    if min(len(a), len(b)) <= _SHORT or a in EAST_ASIAN_SURNAMES or b in EAST_ASIAN_SURNAMES:
        return False
    return not set(word_readings(a).values()).isdisjoint(word_readings(b).values())


@lru_cache(maxsize=65536)
def _word_skeletons(word: str, last: bool, surname: bool) -> tuple[str, ...]:
    if surname and len(word) <= _SHORT:  # compared as written: its transliteration key
        key = translit_token(word)
        return tuple(
            _vowel_skeleton(r) if c == "Ukrainian" else key
            for c, r in zip(_RULES, _word_read(word, last), strict=True)
        )
    return tuple(_vowel_skeleton(r) for r in _word_read(word, last))


@lru_cache(maxsize=65536)
def name_keys(name: str) -> frozenset[str]:
    """Keys that every two spellings :func:`romanized_same` joins share one of: per convention,
    the words' readings with o/u and e/i written alike (a short surname: its transliteration
    key); none for a name not read."""
    words = _name_words(name)
    last = len(words) - 1 if len(words) > 1 else -1
    per_word = [
        _word_skeletons(w, i == last, i == len(words) - 1) for i, w in enumerate(words)
    ]
    keys = zip(*per_word, strict=True)
    return frozenset(" ".join(k) for k in keys) if words else frozenset()


def explain(spellings: list[str]) -> str:
    """Why spellings were joined as one name, for ``arch names --clusters``: each spelling read
    as the first one, with the convention of each ("romanization: Michail Gorbatschow (German)
    = Mikhail Gorbachev (English)").
    """
    first, why = spellings[0], []
    for other in spellings[1:]:
        conventions = romanized_same(other, first)
        if conventions:
            why.append(f"{other} ({conventions[0]}) = {first} ({conventions[1]})")
    return "romanization: " + "; ".join(why) if why else "romanization"
