"""Name lookup on Reuters-21578: recall of typed name variants, false merges, and speed.

Run ``python bench/names_eval.py`` from the repository root (about a minute; add
``--with-import`` to also time a real ``arch import`` of the collection, a few minutes more).

**Truth.** Reuters-21578 tags 1,156 stories with the people they are about (``PEOPLE``:
``poehl``, ``james-baker``, ``de-larosiere`` …). For each tag, the spellings that stand for that
person are taken from the names extracted from *its* stories by a rule that does not use the
matcher under test. The intended name is the most frequent spelling of two words or more whose
plain words end with the tag's ("Karl Otto Poehl"). The person's spellings are those whose last
word is the tag's last word or one letter away from it ("Pohl"), and whose other words are the
intended name's or their initials ("Poehl", "K. O. Pohl"); one exception is listed by hand
(:data:`OTHER_PEOPLE`). ``--show-truth`` prints them all.

**Cases.** For every person: the real spellings found that way, and typed variants made from the
intended name: surname only, initials, lower case, separators, accents, a transliteration
change, a doubled letter, a dropped letter. A lookup finds the person at rank k when its k-th
answer is one of the person's spellings (for the catalogue, the entry's canonical spelling).

**False merges.** Pairs of different people with similar names (Kim Jong-un / Kim Jong-il,
James Baker / Howard Baker, Khamenei / Khomeini …): merged by the catalogue when
``NameCatalog.same`` says so, by Whoosh when each name's fuzzy query finds the other, by WRatio
when the score reaches the cut-off.

**Baselines**, over the raw list of distinct extracted spellings: Whoosh ``FuzzyTerm``
(maxdist 2, one per word, all words required, BM25 ranking) and rapidfuzz ``WRatio`` with
``utils.default_process``.

**Across languages** (second table). :data:`CROSS_LANGUAGE` lists people as the English,
German, French and Spanish press write them (each country's published transliteration
conventions; our list, not copied text), among them people who share a surname (Mikhail and
Raisa Gorbachev, Hafez and Bashar al-Assad, Nikita and Sergei Khrushchev). For each spelling the
bench writes two short articles of its own in that language (:data:`TEMPLATES`) and adds them to
the Reuters stories. Each spelling is then looked up: *spellings R@10* is the share of the
person's other spellings among the first ten answers (for the catalogue: the spellings of its
first ten entries); *articles R@10* the share of the person's articles among the first ten
articles found (the catalogue: the articles naming a spelling of ``NameCatalog.expand``, which
is what name-aware search looks for; Whoosh: FuzzyTerm over the articles' text, the bench's
articles plus the first 2,000 Reuters stories; WRatio: the articles naming spellings scoring
≥ 90, best first). *Wrong-person merges* counts pairs of spellings of different people that a
method treats as one name, over every such pair.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora" / "reuters21578"

#: Pairs of different people whose names look alike: none may be merged.
DIFFERENT_PEOPLE = [
    ("Kim Jong-un", "Kim Jong-il"),
    ("Kim Jong-un", "Kim Yo-jong"),
    ("Kim Jong-il", "Kim Yo-jong"),
    ("Kim Jong Un", "Kim Jong Il"),
    ("Kim Jongun", "Kim Jongil"),
    ("Kim Il-sung", "Kim Jong-il"),
    ("Kim Jong-un", "Kim Jong-nam"),
    ("Kim Jong-nam", "Kim Jong-chol"),
    ("Kim Dae-jung", "Kim Young-sam"),
    ("Park Chung-hee", "Park Geun-hye"),
    ("Roh Tae-woo", "Roh Moo-hyun"),
    ("Lee Teng-hui", "Lee Ta-hai"),
    ("Lee Kuan Yew", "Lee Hsien Loong"),
    ("Li Peng", "Li Xiannian"),
    ("Li Peng", "Li Keqiang"),
    ("Hu Jintao", "Hu Yaobang"),
    ("Zhou Enlai", "Zhu Rongji"),
    ("Jiang Zemin", "Jiang Qing"),
    ("Chiang Ching-kuo", "Chiang Kai-shek"),
    ("Chen Muhua", "Chen Yun"),
    ("Wang Bingqian", "Wang Qishan"),
    ("Xi Jinping", "Xi Zhongxun"),
    ("Yasuhiro Nakasone", "Hirofumi Nakasone"),
    ("Noboru Takeshita", "Wataru Takeshita"),
    ("Bashar al-Assad", "Hafez al-Assad"),
    ("Mohammed bin Salman", "Salman bin Mohammed"),
    ("Mohammed bin Salman", "Mohammed bin Zayed"),
    ("Saddam Hussein", "Uday Hussein"),
    ("Ali Khamenei", "Ruhollah Khomeini"),
    ("Khamenei", "Khomeini"),
    ("Khameini", "Khomeini"),
    ("James Baker", "Howard Baker"),
    ("James Baker", "James Miller"),
    ("Howard Baker", "Howard Barker"),
    ("Karl Otto Poehl", "Hermann Pohl"),
    ("Karl Otto Poehl", "Reinhard Pohl"),
    ("Michael Wilson", "Harold Wilson"),
    ("Robert Kennedy", "Edward Kennedy"),
    ("Bill Clinton", "Hillary Clinton"),
    ("George W. Bush", "George H. W. Bush"),
    ("George Bush", "Jeb Bush"),
    ("Rajiv Gandhi", "Indira Gandhi"),
    ("Rajiv Gandhi", "Sonia Gandhi"),
    ("Raul Castro", "Fidel Castro"),
    ("Helmut Kohl", "Helmut Schmidt"),
    ("Jacques Chirac", "Jacques Delors"),
    ("Jacques Delors", "Jacques de Larosiere"),
    ("Andreas Papandreou", "George Papandreou"),
    ("Jens Stoltenberg", "Thorvald Stoltenberg"),
    ("Gerhard Stoltenberg", "Thorvald Stoltenberg"),
    ("Carlos Salinas", "Raul Salinas"),
    ("Wilfried Martens", "Paul Martin"),
    ("Johnston", "Johnson"),
    ("Andersen", "Anderson"),
    ("Pedersen", "Petersen"),
    ("Hansen", "Jansen"),
    ("Baker", "Barker"),
    ("Mikhail Gorbachev", "Raisa Gorbachev"),
    ("Boris Yeltsin", "Naina Yeltsin"),
    ("Andrei Kozyrev", "Andrey Kortunov"),
]


#: People as the English, German, French and Spanish press write them.
CROSS_LANGUAGE = [
    ("Mikhail Gorbachev", "Michail Gorbatschow", "Mikhaïl Gorbatchev", "Mijaíl Gorbachov"),
    ("Raisa Gorbacheva", "Raissa Gorbatschowa", "Raïssa Gorbatcheva", "Raísa Gorbachova"),
    ("Boris Yeltsin", "Boris Jelzin", "Boris Eltsine", "Borís Yeltsin"),
    ("Naina Yeltsina", "Naina Jelzina", "Naïna Eltsina", "Naína Yeltsina"),
    ("Nikita Khrushchev", "Nikita Chruschtschow", "Nikita Khrouchtchev", "Nikita Jrushchov"),
    ("Sergei Khrushchev", "Sergej Chruschtschow", "Sergueï Khrouchtchev", "Serguéi Jrushchov"),
    ("Viktor Chernomyrdin", "Viktor Tschernomyrdin", "Viktor Tchernomyrdine",
     "Víktor Chernomyrdin"),
    ("Leonid Brezhnev", "Leonid Breschnew", "Léonid Brejnev", "Leonid Brézhnev"),
    ("Dmitry Medvedev", "Dmitri Medwedew", "Dmitri Medvedev", "Dmitri Medvédev"),
    ("Alexei Navalny", "Alexej Nawalny", "Alexeï Navalny", "Alekséi Navalni"),
    ("Sergei Lavrov", "Sergej Lawrow", "Sergueï Lavrov", "Serguéi Lavrov"),
    ("Vladimir Zhirinovsky", "Wladimir Schirinowski", "Vladimir Jirinovski",
     "Vladímir Zhirinovski"),
    ("Yuri Andropov", "Juri Andropow", "Iouri Andropov", "Yuri Andrópov"),
    ("Yevgeny Primakov", "Jewgeni Primakow", "Evgueni Primakov", "Yevgueni Primakov"),
    ("Andrei Gromyko", "Andrej Gromyko", "Andreï Gromyko", "Andréi Gromiko"),
    ("Eduard Shevardnadze", "Eduard Schewardnadse", "Edouard Chevardnadze",
     "Eduard Shevardnadze"),
    ("Mikhail Khodorkovsky", "Michail Chodorkowski", "Mikhaïl Khodorkovski",
     "Mijaíl Jodorkovski"),
    ("Volodymyr Zelensky", "Wolodymyr Selenskyj", "Volodymyr Zelensky", "Volodímir Zelenski"),
    ("Oleksandr Turchynov", "Oleksandr Turtschynow", "Oleksandr Tourtchinov",
     "Aleksandr Turchinov"),
    ("Bashar al-Assad", "Baschar al-Assad", "Bachar el-Assad", "Bashar al Asad"),
    ("Hafez al-Assad", "Hafis al-Assad", "Hafez el-Assad", "Hafez al Asad"),
    ("Hosni Mubarak", "Husni Mubarak", "Hosni Moubarak", "Hosni Mubarak"),
    ("Yasser Arafat", "Jassir Arafat", "Yasser Arafat", "Yasir Arafat"),
    ("Muammar Gaddafi", "Muammar al-Gaddafi", "Mouammar Kadhafi", "Muamar el Gadafi"),
    ("Anwar Sadat", "Anwar as-Sadat", "Anouar el-Sadate", "Anwar el-Sadat"),
    ("Ali Khamenei", "Ali Chamenei", "Ali Khamenei", "Alí Jamenei"),
]  # fmt: skip
LANGUAGES = ("en", "de", "fr", "es")

#: Two short articles per language, written for this bench: {name} is the spelling.
TEMPLATES = {
    "en": ("{name} met ministers in the capital on Tuesday, officials said, and later spoke "
           "to reporters about the talks.",
           "Talks with {name} ended without an agreement. Diplomats expect a second round "
           "next month."),
    "de": ("{name} hat am Dienstag in der Hauptstadt mehrere Minister getroffen und danach "
           "mit Journalisten gesprochen.",
           "Die Gespräche mit {name} endeten ohne Einigung. Diplomaten erwarten eine zweite "
           "Runde im nächsten Monat."),
    "fr": ("{name} a rencontré mardi plusieurs ministres dans la capitale, puis s'est "
           "adressé à la presse.",
           "Les discussions avec {name} se sont achevées sans accord. Les diplomates attendent "
           "une seconde série le mois prochain."),
    "es": ("{name} se reunió el martes con varios ministros en la capital y después habló "
           "con la prensa.",
           "Las conversaciones con {name} terminaron sin acuerdo. Los diplomáticos esperan "
           "una segunda ronda el mes próximo."),
}  # fmt: skip

#: Spellings the truth rule would take for a tag's person but that name someone else.
OTHER_PEOPLE = {"reagan": {"Regan"}}  # Donald Regan, White House chief of staff


@dataclass
class Story:
    id: str
    title: str
    body: str
    date: str | None
    people: list[str]


@dataclass
class Person:
    tag: str
    intended: str
    spellings: set[str]
    articles: int


@dataclass
class Case:
    query: str
    person: Person
    kind: str


@dataclass
class Method:
    """A way of answering "which spellings/entries match this name", with its merge test."""

    name: str
    lookup: Callable[[str], list[str]]
    merged: Callable[[str, str], bool]
    ranks: list[int | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    merges: list[tuple[str, str]] = field(default_factory=list)


# --- the collection ---------------------------------------------------------------------------


def load_stories(corpora: Path) -> list[Story]:
    """All stories, read by the project's Reuters importer."""
    from archive_search.article import Article
    from archive_search.importers import reuters
    from archive_search.importers.base import ImportOptions, Source

    stories = []
    for path in sorted(corpora.glob("reut2-*.sgm.gz")):
        source = Source.from_bytes(path.name[:-3], gzip.decompress(path.read_bytes()))
        for item in reuters.read(source, ImportOptions()):
            if isinstance(item, Article):
                people = list(item.extra.get("people", []))
                stories.append(Story(item.id or "", item.title, item.body, item.date, people))
    return stories


def plain_words(text: str) -> list[str]:
    """Lower case, accents dropped, anything but letters a separator (truth rule only)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"[a-z]+", text)


def find_people(stories: list[Story], names: list[list[str]]) -> list[Person]:
    """Each PEOPLE tag's spellings in its own stories, by the rule in the module docstring."""
    by_tag: dict[str, Counter[str]] = defaultdict(Counter)
    for story, found in zip(stories, names, strict=True):
        for tag in story.people:
            by_tag[tag].update(found)
    people = []
    for tag, counts in sorted(by_tag.items()):
        tag_words = tag.split("-")
        ending = [s for s in counts if plain_words(s)[-len(tag_words) :] == tag_words]
        if not ending:
            ending = [s for s in counts if plain_words(s)[-1:] == tag_words[-1:]]
        if not ending:
            continue
        full = [s for s in ending if len(plain_words(s)) > 1] or ending
        intended = max(full, key=lambda s: (counts[s], len(s), s))
        given = plain_words(intended)[:-1]
        own = set()
        for spelling in counts:
            words = plain_words(spelling)
            if not words or spelling in OTHER_PEOPLE.get(tag, ()):
                continue
            last = words[-1] == tag_words[-1] or (
                Levenshtein.distance(words[-1], tag_words[-1]) == 1 and len(words[-1]) > 3
            )
            if last and all(_given(w, given) for w in words[:-1]):
                own.add(spelling)
        articles = sum(1 for s in stories if tag in s.people)
        people.append(Person(tag, intended, own, articles))
    return people


def _given(word: str, given: list[str]) -> bool:
    """A word of the intended name, or the initial of one ("Ivan F. Boesky" has an extra F)."""
    return word in given or (len(word) == 1 and any(g[0] == word for g in given))


# --- typed variants ---------------------------------------------------------------------------

_TRANSLIT = [
    ("ck", "k"),
    ("ch", "kh"),
    ("kh", "ch"),
    ("ev", "ov"),
    ("oe", "ö"),
    ("ue", "ü"),
    ("ae", "ä"),
    ("ei", "ey"),
    ("ey", "ei"),
    ("tz", "ts"),
    ("ph", "f"),
    ("w", "v"),
    ("v", "w"),
    ("y", "i"),
    ("i", "y"),
    ("c", "k"),
    ("k", "c"),
]
_ACCENTS = [("oe", "ö"), ("ue", "ü"), ("ae", "ä"), ("e", "é"), ("a", "á"), ("o", "ó")]


def variants(person: Person, rng: random.Random) -> list[Case]:
    """Real spellings plus typed variants of the intended name (see the module docstring)."""
    from archive_search.names.keys import is_east_asian, name_tokens

    intended = person.intended
    words = intended.split()
    surname_at = 0 if is_east_asian(name_tokens(intended)) and len(words) > 1 else len(words) - 1
    surname = words[surname_at]
    given = [w for i, w in enumerate(words) if i != surname_at]

    def with_surname(new: str) -> str:
        return " ".join(new if i == surname_at else w for i, w in enumerate(words))

    found = [(s, "real") for s in sorted(person.spellings) if s != intended][:4]
    if given:
        found.append((surname, "surname only"))
        if surname_at:
            initials = " ".join(f"{w[0]}." for w in given if w[0].isalpha())
            found.append((f"{initials} {surname}", "initials"))
    found.append((intended.lower(), "lower case"))
    if "-" in intended:
        found.append((intended.replace("-", " "), "separators"))
        found.append((intended.replace("-", ""), "separators"))
    elif len(given) > 1:
        found.append((" ".join(["-".join(given), surname]), "separators"))
    for old, new in _ACCENTS:
        if old in surname[1:]:
            found.append((with_surname(surname[0] + surname[1:].replace(old, new, 1)), "accents"))
            break
    for old, new in _TRANSLIT:
        if old in surname.lower()[1:]:
            at = surname.lower().index(old, 1)
            changed = surname[:at] + new + surname[at + len(old) :]
            found.append((with_surname(changed), "transliteration"))
            break
    if len(surname) > 4:
        at = rng.randrange(1, len(surname) - 1)
        found.append((with_surname(surname[:at] + surname[at] + surname[at:]), "doubled letter"))
        at = rng.randrange(1, len(surname) - 1)
        found.append((with_surname(surname[:at] + surname[at + 1 :]), "dropped letter"))
    seen: set[str] = set()
    cases = []
    for query, kind in found:
        if query not in seen and query != intended:
            seen.add(query)
            cases.append(Case(query, person, kind))
    return cases


# --- the methods ------------------------------------------------------------------------------


def whoosh_method(spellings: list[str], pair_names: set[str]) -> Method:
    """Whoosh FuzzyTerm (maxdist 2) for every word of the query, all required, over a RAM index
    of the spellings."""
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import And, FuzzyTerm

    schema = fields.Schema(name=fields.TEXT(stored=True))
    analyzer = schema["name"].analyzer

    def build(names: Sequence[str]):
        index = RamStorage().create_index(schema)
        with index.writer() as writer:
            for name in names:
                writer.add_document(name=name)
        return index.searcher()

    main, pairs = build(spellings), build(sorted(pair_names))

    def query(text: str):
        words = [t.text for t in analyzer(text)]
        return And([FuzzyTerm("name", w, maxdist=2) for w in words]) if words else None

    def lookup(text: str) -> list[str]:
        q = query(text)
        return [hit["name"] for hit in main.search(q, limit=10)] if q else []

    def finds(a: str, b: str) -> bool:
        q = query(a)
        return q is not None and b in [hit["name"] for hit in pairs.search(q, limit=None)]

    return Method("Whoosh FuzzyTerm maxdist 2", lookup, lambda a, b: finds(a, b) and finds(b, a))


def wratio_method(spellings: list[str], cutoff: float) -> Method:
    def lookup(text: str) -> list[str]:
        found = process.extract(
            text, spellings, scorer=fuzz.WRatio, processor=utils.default_process, limit=10
        )
        return [name for name, _, _ in found]

    def merged(a: str, b: str) -> bool:
        return fuzz.WRatio(a, b, processor=utils.default_process) >= cutoff

    return Method(f"rapidfuzz WRatio (merge at >= {cutoff:g})", lookup, merged)


def run(method: Method, cases: list[Case]) -> None:
    """Every lookup, ranked and timed, then every pair of different people."""
    for case in cases:
        started = time.perf_counter()
        answers = method.lookup(case.query)
        method.seconds.append(time.perf_counter() - started)
        rank = next((i + 1 for i, a in enumerate(answers) if a in case.person.spellings), None)
        method.ranks.append(rank)
    method.merges = [pair for pair in DIFFERENT_PEOPLE if method.merged(*pair)]


def recall(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


# --- across languages -------------------------------------------------------------------------


@dataclass
class Written:
    """One article of the cross-language table: which person, spelt how."""

    id: str
    person: int
    spelling: str
    body: str


def cross_articles() -> list[Written]:
    """Two articles per person and language, from :data:`TEMPLATES`."""
    found = []
    for person, row in enumerate(CROSS_LANGUAGE):
        for language, spelling in zip(LANGUAGES, row, strict=True):
            for k, template in enumerate(TEMPLATES[language]):
                body = template.format(name=spelling)
                found.append(Written(f"x{person}-{language}-{k}", person, spelling, body))
    return found


@dataclass
class CrossMethod:
    """A method of the cross-language table: spellings for a name, articles for a name, and
    whether two spellings are merged."""

    name: str
    spellings: Callable[[str], set[str]]
    articles: Callable[[str], list[str]]
    merged: Callable[[str, str], bool]


def whoosh_articles(written: list[Written], stories: list[Story]) -> Callable[[str], list[str]]:
    """Whoosh FuzzyTerm (maxdist 2, every word required) over the articles' text."""
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import And, FuzzyTerm

    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT)
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for item in written:
            writer.add_document(id=item.id, text=item.body)
        for story in stories[:2000]:
            writer.add_document(id=story.id, text=f"{story.title}\n{story.body}")
    searcher = index.searcher()
    analyzer = schema["text"].analyzer

    def articles(query: str) -> list[str]:
        words = [t.text for t in analyzer(query)]
        if not words:
            return []
        q = And([FuzzyTerm("text", w, maxdist=2) for w in words])
        return [hit["id"] for hit in searcher.search(q, limit=100)]

    return articles


def cross_language(stories: list[Story], names: list[list[str]]) -> str:
    """The cross-language table (see the module docstring), every method in the same run."""
    from archive_search.names import NameCatalog, extract_names

    written = cross_articles()
    found = [extract_names("", item.body) for item in written]
    records = [(s.id, s.date, n) for s, n in zip(stories, names, strict=True)]
    records += [(w.id, None, n) for w, n in zip(written, found, strict=True)]
    catalog = NameCatalog.build(records)
    naming: dict[str, list[str]] = defaultdict(list)  # spelling -> article ids naming it
    for article_id, _, spelt in records:
        for name in spelt:
            naming[name].append(article_id)
    spellings = [s for s, _ in Counter(n for _, _, spelt in records for n in spelt).most_common()]
    every = sorted({s for row in CROSS_LANGUAGE for s in row})

    ours = CrossMethod(
        "NameCatalog.lookup / .expand / .same",
        lambda q: {v for m in catalog.lookup(q, limit=10) for v in m.variants},
        lambda q: [a for s in catalog.expand(q) for a in naming.get(s, [])],
        catalog.same,
    )
    whoosh = whoosh_method(spellings, set(every))
    ratio = wratio_method(spellings, 90)

    def wratio_articles(query: str) -> list[str]:
        close = process.extract(query, spellings, scorer=fuzz.WRatio,
                                processor=utils.default_process, limit=50, score_cutoff=90)
        return [a for s, _, _ in close for a in naming.get(s, [])]

    methods = [
        ours,
        CrossMethod(whoosh.name, lambda q: set(whoosh.lookup(q)),
                    whoosh_articles(written, stories), whoosh.merged),
        CrossMethod(ratio.name, lambda q: set(ratio.lookup(q)), wratio_articles, ratio.merged),
    ]  # fmt: skip
    person_of = {s: p for p, row in enumerate(CROSS_LANGUAGE) for s in row}
    own = {w.id for w in written}
    wrong_pairs = [(a, b) for i, a in enumerate(every) for b in every[i + 1 :]
                   if person_of[a] != person_of[b]]  # fmt: skip
    rows, notes = [], []
    for method in methods:
        spelt = spelt_total = hits = hits_total = 0
        misses = []
        for person, row in enumerate(CROSS_LANGUAGE):
            wanted = {w.id for w in written if w.person == person}
            for query in sorted(set(row)):
                others = set(row) - {query}
                got = method.spellings(query) & others
                spelt, spelt_total = spelt + len(got), spelt_total + len(others)
                ranked = list(dict.fromkeys(a for a in method.articles(query) if a in own))[:10]
                hits += len(wanted & set(ranked))
                hits_total += len(wanted)
                misses += [f"{query} -> {o}" for o in sorted(others - got)]
        merges = [f"{a} = {b}" for a, b in wrong_pairs if method.merged(a, b)]
        rows.append([method.name, f"{spelt / spelt_total:.3f}", f"{hits / hits_total:.3f}",
                     f"{len(merges)}/{len(wrong_pairs)}"])  # fmt: skip
        notes.append(f"{method.name}: spellings missed {len(misses)}: {'; '.join(misses[:12])}"
                     f"{' …' if len(misses) > 12 else ''}\n  wrong-person merges: "
                     f"{'; '.join(merges[:12]) or 'none'}{' …' if len(merges) > 12 else ''}")
    table = tabulate(rows, ["method", "spellings R@10", "articles R@10", "wrong-person merges"],
                     tablefmt="github")  # fmt: skip
    head = (f"Across languages: {len(CROSS_LANGUAGE)} people, {len(every)} spellings "
            f"(English, German, French, Spanish), {len(written)} articles of our own among "
            f"{len(stories):,} Reuters stories, {len(wrong_pairs):,} pairs of different people\n")
    return head + "\n" + table + "\n\n" + "\n".join(notes)


# --- the run ----------------------------------------------------------------------------------


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[object, float, float]:
    """The result, and the best wall and CPU seconds over ``repeat`` runs."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, min(walls), min(cpus)


def import_seconds(corpora: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a real import (article files, index) of the whole collection."""
    from archive_search.archive import Archive

    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for path in sorted(corpora.glob("reut2-*.sgm.gz")):
            (inputs / path.name[:-3]).write_bytes(gzip.decompress(path.read_bytes()))
        archive = Archive.init(Path(tmp) / "archive")
        _, wall, cpu = timed(lambda: archive.import_paths(sorted(inputs.iterdir())))
        return wall, cpu


def main(argv: Sequence[str] | None = None) -> int:
    from archive_search.names import NameCatalog, extract_names

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="reuters21578/")
    parser.add_argument("--show-truth", action="store_true", help="print every person's spellings")
    parser.add_argument(
        "--show-misses", action="store_true", help="print the catalogue's lookups not at rank 1"
    )
    parser.add_argument("--with-import", action="store_true", help="also time a real import")
    parser.add_argument("--seed", type=int, default=1987, help="for the typo positions")
    parser.add_argument(
        "--cross-only", action="store_true", help="only the cross-language table (faster)"
    )
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        parser.error(f"{args.corpora} not found; pass --corpora DIR (the shared reuters21578/)")

    stories, read_wall, read_cpu = timed(lambda: load_stories(args.corpora))
    names, extract_wall, extract_cpu = timed(
        lambda: [extract_names(s.title, s.body) for s in stories], repeat=3
    )
    if args.cross_only:
        print(cross_language(stories, names))
        return 0
    records = [(s.id, s.date, found) for s, found in zip(stories, names, strict=True)]
    catalog, build_wall, build_cpu = timed(lambda: NameCatalog.build(records))
    stored = json.dumps(catalog.to_dict())
    loaded, load_wall, _ = timed(lambda: NameCatalog.from_dict(json.loads(stored)), repeat=3)

    people = find_people(stories, names)
    rng = random.Random(args.seed)
    cases = [case for person in people for case in variants(person, rng)]
    if args.show_truth:
        for person in people:
            print(f"{person.tag:32} {person.intended!r:34} {sorted(person.spellings)}")
        print()

    spellings = [s for s, _ in Counter(n for found in names for n in found).most_common()]
    ours = Method(
        "NameCatalog.lookup / .same",
        lambda q: [m.name for m in loaded.lookup(q, limit=10)],
        loaded.same,
    )
    methods = [
        ours,
        whoosh_method(spellings, {n for pair in DIFFERENT_PEOPLE for n in pair}),
        wratio_method(spellings, 85),
        wratio_method(spellings, 90),
    ]
    for method in methods[:3]:
        run(method, cases)
    methods[3].ranks, methods[3].seconds = methods[2].ranks, methods[2].seconds
    methods[3].merges = [pair for pair in DIFFERENT_PEOPLE if methods[3].merged(*pair)]

    print(
        f"Reuters-21578: {len(stories):,} stories, {len(people)} tagged people, "
        f"{len(cases)} lookups, {len(DIFFERENT_PEOPLE)} pairs of different people\n"
    )
    print(quality_table(methods), end="\n\n")
    print(kind_table(methods[:3], cases), end="\n\n")
    articles = len(stories)
    speed = [
        ["extract_names, all stories (best of 3)", f"{extract_wall:.2f} s wall, "
         f"{extract_cpu:.2f} s CPU", f"{articles / extract_wall:,.0f} articles/s wall, "
         f"{articles / extract_cpu:,.0f} CPU"],
        ["Reuters importer, parsing only (for scale)",
         f"{read_wall:.2f} s wall, {read_cpu:.2f} s CPU", ""],
        ["NameCatalog.build", f"{build_wall:.2f} s wall, {build_cpu:.2f} s CPU",
         f"{len(catalog):,} names, {len(spellings):,} spellings"],
        ["catalogue JSON", f"{len(stored) / 1e6:.1f} MB", ""],
        ["json.loads + from_dict (best of 3)", f"{load_wall * 1000:.0f} ms wall", ""],
    ]  # fmt: skip
    if args.with_import:
        wall, cpu = import_seconds(args.corpora)
        speed.append(
            ["arch import (files + index)", f"{wall:.1f} s wall, {cpu:.1f} s CPU",
             f"extraction would add {extract_wall / wall:.0%} wall, {extract_cpu / cpu:.0%} CPU"]
        )  # fmt: skip
    print(tabulate(speed, ["step", "time", ""], tablefmt="github"), end="\n\n")
    for method in methods:
        merges = "; ".join(f"{a} = {b}" for a, b in method.merges)
        print(f"{method.name} merges: {merges or 'none'}")
    joined = [c for c in loaded.clusters(min_articles=1) if c.reason.startswith("romanization")]
    print(f"\nReuters spellings joined by romanization: {len(joined)} groups")
    for cluster in joined:
        print(f"  {cluster.reason}")
    print()
    print(cross_language(stories, names))
    if args.show_misses:
        print()
        for case, rank in zip(cases, ours.ranks, strict=True):
            if rank != 1:
                answers = [m.name for m in loaded.lookup(case.query, limit=3)]
                wanted = case.person.intended
                print(f"rank {rank} [{case.kind}] {case.query!r} -> {wanted!r}: {answers}")
    return 0


def quality_table(methods: list[Method]) -> str:
    rows = [
        [
            method.name,
            f"{recall(method.ranks, 1):.3f}",
            f"{recall(method.ranks, 10):.3f}",
            f"{len(method.merges)}/{len(DIFFERENT_PEOPLE)}",
            f"{statistics.mean(method.seconds) * 1000:.1f}",
            f"{sorted(method.seconds)[int(len(method.seconds) * 0.95)] * 1000:.1f}",
        ]
        for method in methods
    ]
    headers = ["method", "recall@1", "recall@10", "false merges", "ms/lookup", "p95 ms"]
    return tabulate(rows, headers, tablefmt="github")


def kind_table(methods: list[Method], cases: list[Case]) -> str:
    """Recall@10 per kind of variant."""
    rows = []
    for kind in sorted({c.kind for c in cases}):
        picked = [i for i, c in enumerate(cases) if c.kind == kind]
        rows.append(
            [kind, len(picked)]
            + [f"{recall([m.ranks[i] for i in picked], 10):.2f}" for m in methods]
        )
    headers = ["variant", "cases"] + [f"{m.name.split()[0]} R@10" for m in methods]
    return tabulate(rows, headers, tablefmt="github")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # run as a script: let it find archive_search in this tree
    sys.exit(main())
