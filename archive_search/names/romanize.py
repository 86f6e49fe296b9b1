"""One name as each country's press romanises it: reading a spelling back across conventions.

English, German, French, Spanish and Polish newspapers write the same Russian, Ukrainian or
Arabic name with their own letters: Gorbachev / Gorbatschow / Gorbatchev / Gorbaczow, Yeltsin /
Jelzin / Eltsine / Jelcyn, Khrushchev / Chruschtschow / Khrouchtchev / Jruschov. Each
convention is a published table from the source letters to Latin letters; this module keeps
those tables (:data:`CYRILLIC`, :data:`ARABIC`) and reads a written word back through each
convention's inverse into one *pivot* spelling (English press spelling, with the letters some
convention does not tell apart written alike: ж/ш as ``sh``, з/с as ``s``, и/й/ы as ``i`` at
the end). A word has one reading per convention (:func:`word_readings`); two spellings are one
name when a reading of each agrees (:func:`romanized_same`).

Conventions covered (the columns of the tables):

* English press / BGN/PCGN (kh, zh, ts, ch, sh, shch, ye, yu, ya; x for ks);
* German, Duden (w, sch, tsch, schtsch, ch for kh, z for ts, s for z, j for y: Jelzin, Breschnew);
* French press (ou, ch for sh, tch, chtch, j for zh, dj, gu before e/i, ss, a silent final e
  after -in/-an/-at/-it in a surname: Eltsine, Poutine, Sadate, Moubarak);
* Spanish (j for kh: Jruschov; ch, sh, zh, y);
* Polish (w, cz, sz, szcz, ż/rz, c for ts, ch for kh, j: Gorbaczow, Jelcyn);
* Ukrainian national romanisation read against the Russian form of the same name (h for g,
  y for i after a consonant, -iv for -ev/-ov, -iy for -ei, initial Ole- for Ale-, Volod- for
  Vlad-: Oleksandr / Aleksandr, Kyiv / Kiev, Serhiy / Sergei, Volodymyr / Vladimir);
* Arabic: the article al-/el-/ul- and its assimilated forms (ad-, as-, ash-, ar-, at-, an-,
  az-) kept, dropped or hyphenated (al-Assad / el-Assad / Assad), Egyptian and Levantine o/u and
  e/i for the same short vowel (Hosni / Husni, Yasser / Yasir), which Arabic script does not
  write; German dsch and j, French dj, ch and ou for j, sh and u (Jassir, Moubarak).

The guard against merging different people stays where :mod:`.match` puts it: readings are
compared word by word, a short word (three letters or fewer) only exactly, the words of East
Asian names never through readings, and the readings of two words may differ only by a few
letters (:func:`~.match.few_edits`). Vowel tolerance (o/u, e/i) needs words of five letters or
more, so Hill / Hall and Kohl / Kuhl stay apart, and a/e is never tolerated (Jansen / Jensen).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .keys import fold, is_east_asian, name_tokens, translit_token
from .words import EAST_ASIAN_SURNAMES

#: Russian letters in each convention, as published (BGN/PCGN, Duden, French press usage,
#: Spanish press usage, Polish): ``letter pivot English German French Spanish Polish``;
#: ``|`` separates the spellings a convention uses for one letter. Letters every convention
#: writes alike (a, b, d, k, l, m, n, o, p, r, t, f) are left out.
CYRILLIC = """
    в  v    v      w        v      v      w
    г  g    g      g        g|gu   g      g
    е  e    e|ye   e|je     e      e|ye   e|je|ie
    ё  yo   yo     jo       io     io     io|jo
    ж  sh   zh     sch|sh   j      zh     ż|rz
    з  s    z      s        z      z      z
    й  y    y      j        y      y      j
    х  kh   kh     ch       kh     j      ch
    ц  ts   ts     z        ts     ts     c
    ч  ch   ch     tsch     tch    ch     cz
    ш  sh   sh     sch      ch     sh     sz
    щ  shch shch   schtsch  chtch  shch   szcz
    у  u    u      u        ou     u      u
    ю  yu   yu     ju       iou    iu     ju
    я  ya   ya     ja       ia     ia     ja
    кс ks   ks|x   ks|x     ks|x   ks|x   ks
    с  s    s      s|ss     s|ss   s      s
"""

#: Arabic consonants whose spelling differs between the same conventions (English, German,
#: French, Spanish; Polish as English): ``letter pivot English German French Spanish Polish``.
ARABIC = """
    ج  j    j      dsch     dj     y      dż
    ش  sh   sh     sch      ch     sh     sz
    خ  kh   kh     ch       kh     j      ch
    ي  y    y      j        y      y      j
    و  u    u      u        ou     u      u
"""

CONVENTIONS = ("English", "German", "French", "Spanish", "Polish")
_VARIANTS = {"French, ou for w": "French"}  # a second reading of a convention's letters

#: Context rules of a convention that a letter table cannot say: (pattern, replacement).
_CONTEXT = {
    "French": [(r"gu(?=[ei])", "g"), (r"(?<=[aeiou])ie", "e")],  # Issaïev, Zouïev
    "Spanish": [(r"gu(?=[ei])", "g")],
    # French writes the Arabic consonant w as ou before a vowel (Anouar, Oualid), the vowel u
    # as ou too (Moubarak, Mouammar): both readings are kept
    "French, ou for w": [(r"gu(?=[ei])", "g"), (r"ou(?=[aeiy])", "w"), (r"(?<=[aeiou])ie", "e")],
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


#: й before a consonant or at the end sounds and is written as i by some (Mikhailov /
#: Michajlow / Mikhaylov, Shoigu / Shoygu).
_Y_AS_I = re.compile(r"(?<=[aeiou])y(?![aeiou])")


def _read(word: str, convention: str) -> str:
    pattern, replacements = _RULES[convention]
    return _Y_AS_I.sub("i", pattern.sub(lambda m: replacements[m.lastindex - 1], word))


@lru_cache(maxsize=65536)
def word_readings(word: str) -> dict[str, str]:
    """A folded word read under each convention, as pivot spellings: ``{convention: reading}``.

    "jelzin" -> German "eltsin"; "yeltsin" -> English "eltsin"; "eltsine" -> French "eltsin".
    """
    return {convention: _read(word, convention) for convention in _RULES}


@lru_cache(maxsize=65536)
def reading_keys(word: str) -> tuple[str, ...]:
    """The transliteration keys of a word's readings, for indexing (the word's own key first)."""
    keys = [translit_token(word)]
    keys += [translit_token(r) for r in word_readings(word).values()]
    return tuple(dict.fromkeys(keys))


def strip_articles(name: str) -> str:
    """``name`` without the Arabic article: "Bashar al-Assad" -> "Bashar Assad". A leading
    "Al" written as a word stays (Al Gore)."""
    return _ARTICLE.sub("", name)


@lru_cache(maxsize=65536)
def _name_readings(name: str) -> dict[str, tuple[str, ...]]:
    """The name's words (Arabic articles left out) read under each convention; empty for an
    East Asian name or a name with an East Asian syllable, which are compared as written."""
    tokens = name_tokens(strip_articles(name))
    words = [t.text for t in tokens]
    if not words or is_east_asian(tokens) or any(w in EAST_ASIAN_SURNAMES for w in words):
        return {}
    readings = {c: [word_readings(w)[c] for w in words] for c in _RULES}
    for french in ("French", *_VARIANTS):
        readings[french][-1] = _FRENCH_SURNAME.sub("", readings[french][-1])
    return {c: tuple(read) for c, read in readings.items()}


def _vowel_skeleton(word: str) -> str:
    """o/u and e/i written alike, letter for letter (Hosni / Husni; Copper is not Cooper)."""
    return word.translate(_VOWEL_CLASS)


def _words_agree(a: str, b: str, vowels: bool = False) -> bool:
    """Two readings of one word are the same word: equal keys a few letters apart, or, with
    ``vowels`` and five letters or more, the same up to o/u and e/i letter for letter."""
    from .match import few_edits

    if a == b:
        return True
    if min(len(a), len(b)) <= 3:
        return False
    ka, kb = translit_token(a), translit_token(b)
    if ka == kb:
        return few_edits(a, b)
    if not vowels or min(len(a), len(b)) < _MIN_VOWEL_TOLERANT:
        return False
    return _vowel_skeleton(ka) == _vowel_skeleton(kb) and few_edits(a, b)


def _names_agree(words_a: tuple[str, ...], words_b: tuple[str, ...]) -> bool:
    """Word for word the same; a given name may differ in o/u or e/i (short vowels Arabic
    script does not write: Hosni / Husni Mubarak) when the surname agrees without that."""
    *given_a, surname_a = words_a
    *given_b, surname_b = words_b
    if not _words_agree(surname_a, surname_b):
        return False
    return all(_words_agree(x, y, vowels=True) for x, y in zip(given_a, given_b, strict=True))


@lru_cache(maxsize=65536)
def romanized_same(a: str, b: str) -> tuple[str, str] | None:
    """Whether ``a`` and ``b`` are one name romanised by different conventions: the convention
    of each (``("German", "English")``) when some reading of each agrees word for word, else
    None. Readings that agree letter for letter are preferred, to name the conventions.

    Words of three letters or fewer must be read alike exactly; East Asian names and syllables
    are not read (they make other people: Jong-un / Jong-il, Chen / Shen).
    """
    ra, rb = _name_readings(a), _name_readings(b)
    if not ra or not rb or len(ra["English"]) != len(rb["English"]):
        return None
    pairs = [(ca, cb) for ca in ra for cb in rb]
    for ca, cb in sorted(pairs, key=lambda pair: pair[0] == pair[1]):
        if ra[ca] == rb[cb]:
            return ca, cb
    for ca, cb in pairs:
        if _names_agree(ra[ca], rb[cb]):
            return ca, cb
    return None


def words_same(a: str, b: str) -> bool:
    """Whether folded words ``a`` and ``b`` are one word romanised by two conventions."""
    if a in EAST_ASIAN_SURNAMES or b in EAST_ASIAN_SURNAMES:
        return False
    read_a, read_b = word_readings(a).values(), word_readings(b).values()
    return any(_words_agree(x, y) for x in read_a for y in read_b)


def name_keys(name: str) -> set[str]:
    """Keys that every two spellings :func:`romanized_same` joins share one of: per convention,
    the words' transliteration keys, o/u and e/i written alike."""
    return {
        " ".join(_vowel_skeleton(translit_token(w)) for w in words)
        for words in _name_readings(name).values()
    }


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
