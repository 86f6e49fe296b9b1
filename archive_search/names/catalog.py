"""The name catalogue: every name in the archive, its spellings, and where it appears.

Spellings that are the same name (:func:`~.match.same_name`: same fold, transliteration or
rotated word order) are one entry. User rules win over that: ``aliases`` merge spellings no key
can know are one ("Jim Baker" = "James Baker"); ``separate`` keeps apart spellings that must
never merge even if their keys collide. Partial matches ("Baker" vs "James Baker") are never
merged, since "Baker" may be Howard Baker; :meth:`NameCatalog.lookup` finds them.

The catalogue is rebuilt from the articles' names and stored as a JSON-friendly dict made for
fast loading: no key is recomputed on load, and article and word lists are kept as compact
strings decoded only for the entries and words a lookup touches.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .keys import fold_key, name_tokens, one_casing, order_key, surname_index, translit_key
from .match import few_edits, name_similarity, same_name
from .romanize import explain, name_keys, reading_keys, romanized_same

#: The words of a name, hyphenated parts counted apart ("Kim Jong-un": three).
_NAME_WORDS = re.compile(r"[^\s\-\u2010]+")

FORMAT = "archive-search names"
VERSION = 2  # 2: words indexed under their readings in every romanisation convention

_SIMILAR_WORDS = 25  # index words taken per query word
_RESCORED = 120  # spellings rescored with the full rules per lookup, at most
_CANDIDATE_FLOOR = 0.5  # and only those sharing at least half the best one's word evidence
_SHORT = 3  # query words this short are only looked up exactly (Jong-un / Jong-il)
# weakest last
_REASONS = ("same spelling", "transliteration", "word order", "romanization", "alias")
_FIELDS = (
    "articles",  # article ids; entries refer to articles by position here
    "names",  # per entry (most frequent first): canonical spelling
    "sizes",  # per entry: number of articles
    "first",  # per entry: earliest date seen, or None
    "last",  # per entry: latest date seen, or None
    "reasons",  # per entry: one digit, index in _REASONS of the weakest merge
    "postings",  # all entries' article positions, as gaps, entries separated by ";"
    "starts",  # per entry: index of its first spelling (spellings are grouped by entry)
    "spellings",  # every spelling, most used first within its entry
    "counts",  # per spelling: number of articles
    "words",  # transliteration key of a word -> spellings holding it, as gaps
    "aliases",  # the user's merge rules
    "separate",  # the user's separation rules
)


@dataclass
class NameEntry:
    """One name: its canonical spelling (the most used), every spelling with the number of
    articles using it, how many articles mention it, and the first and last dates seen."""

    name: str
    variants: dict[str, int]
    articles: int
    first: str | None
    last: str | None
    article_ids: list[str] = field(default_factory=list, repr=False)


@dataclass
class NameMatch(NameEntry):
    """A :class:`NameEntry` found by :meth:`NameCatalog.lookup`, with how well it matched."""

    score: float = 0.0


@dataclass
class Cluster:
    """Spellings believed to be one name, for review. ``merged`` says whether the catalogue
    already treats them as one (``reason`` says why) or only suggests it (``score``)."""

    names: dict[str, int]
    merged: bool
    reason: str
    score: float = 100.0


class NameCatalog:
    """All names of an archive. Build with :meth:`build`, store with :meth:`to_dict`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self._ids: list[str] = data["articles"]
        self._names: list[str] = data["names"]
        self._sizes: list[int] = data["sizes"]
        self._starts: list[int] = data["starts"]
        self._spelling: list[str] = data["spellings"]
        self._count: list[int] = data["counts"]
        self._words: dict[str, str] = data["words"]
        self.aliases: list[list[str]] = data["aliases"]
        self.separate: list[list[str]] = data["separate"]
        self._word_list: list[str] | None = None
        self._article_lists: list[str] | None = None

    # -- building and storing -------------------------------------------------------------

    @classmethod
    def build(
        cls,
        records: Iterable[tuple[str, str | None, Sequence[str]]],
        aliases: Sequence[Sequence[str]] = (),
        separate: Sequence[Sequence[str]] = (),
    ) -> NameCatalog:
        """Build from ``(article_id, date, names)`` records and the user's rules.

        Raises ValueError (one-line reason) for a contradictory rule.
        """
        aliases, separate = _rules(aliases, "alias"), _rules(separate, "separation")
        ids: list[str] = []
        dates: list[str | None] = []
        seen: dict[str, list[int]] = defaultdict(list)
        for article_id, date, names in records:
            index = len(ids)
            ids.append(str(article_id))
            dates.append(date if isinstance(date, str) and date else None)
            written = (" ".join(n.split()) for n in names if isinstance(n, str))
            for name in dict.fromkeys(written):
                seen[name].append(index)
        # every spelling a rule names is in every catalogue, found in no article or not: a
        # catalogue of a few articles (a search's recent one, a cached layer) then keeps a
        # query that is one of them apart from, or together with, what the rule says
        for group in aliases + separate:
            for name in group:
                seen.setdefault(name, [])
        usable = one_casing({name: found for name, found in seen.items() if name_tokens(name)})
        groups = _Groups(list(usable), aliases, separate)
        return cls(_tables(ids, dates, usable, groups, aliases, separate))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict that :meth:`from_dict` reads back."""
        return {"format": FORMAT, "version": VERSION, **self._data}

    @classmethod
    def from_dict(cls, data: Any) -> NameCatalog:
        """Read what :meth:`to_dict` wrote; ValueError with a one-line reason otherwise."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a name catalogue")
        if data.get("version") != VERSION:
            raise ValueError(f"name catalogue version {data.get('version')!r} is not supported")
        missing = [f for f in _FIELDS if f not in data]
        if missing:
            raise ValueError(f"name catalogue lacks {', '.join(missing)}")
        problem = _damage(data)
        if problem:
            raise ValueError(f"name catalogue is damaged: {problem}")
        return cls({f: data[f] for f in _FIELDS})

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._names)

    @property
    def articles(self) -> int:
        """How many articles the catalogue was built from (what a cached one is weighed by)."""
        return len(self._ids)

    def catalogue(self, limit: int | None = None) -> list[NameEntry]:
        """Entries, most frequent first."""
        count = len(self._names) if limit is None else min(limit, len(self._names))
        return [self._entry(i) for i in range(count)]

    def lookup(
        self, query: str, limit: int | None = 10, min_score: float = 70.0
    ) -> list[NameMatch]:
        """Entries matching ``query``, best first: the same name (score ≥ 95), then partial or
        misspelt matches ("Poehl" finds "Karl Otto Poehl", "Volcer" finds "Paul Volcker").
        Names that disagree with the query on a word (another person) score ≤ 50. A name with
        fewer words than the query is part of it ("Kim" for "Kim Jong Un": anyone called Kim),
        not a match, unless it is the same name; a word that merely looks alike ("Workers" for
        "Volker", 69) is below ``min_score``."""
        scores: dict[int, float] = {}
        wanted = len(_NAME_WORDS.findall(query))
        for variant in self._candidates(query):
            entry = self._owner(variant)
            spelling = self._spelling[variant]
            score = name_similarity(query, spelling)
            if len(_NAME_WORDS.findall(spelling)) < wanted and score < 95:
                continue
            if score >= min_score and score > scores.get(entry, -1.0):
                scores[entry] = score
        best = sorted(scores, key=lambda e: (-scores[e], -self._sizes[e], e))[:limit or None]
        return [NameMatch(**vars(self._entry(e)), score=scores[e]) for e in best]

    def expand(self, query: str) -> list[str]:
        """The spellings a name-aware search should look for: ``query`` itself first, then the
        other spellings of the same name, most used first. Never another person's name: partial
        and fuzzy matches are left out, and so are names the rules keep separate."""
        spellings = [s for entry in self._same_entries(query) for s in self._spellings(entry)]
        spellings.sort(key=lambda item: (-item[1], item[0]))
        return list(dict.fromkeys([query] + [spelling for spelling, _ in spellings]))

    def same(self, a: str, b: str) -> bool:
        """Whether the catalogue treats ``a`` and ``b`` as one name, its rules included."""
        fa, fb = fold_key(a), fold_key(b)
        if fa == fb:
            return bool(fa)
        if any({fa, fb} <= {fold_key(n) for n in group} for group in self.separate):
            return False
        if any({fa, fb} <= {fold_key(n) for n in group} for group in self.aliases):
            return True
        ea, eb = self._same_entries(a), self._same_entries(b)
        if ea and eb:
            return not set(ea).isdisjoint(eb)
        return same_name(a, b)

    def clusters(self, min_score: float = 85.0, min_articles: int = 2) -> list[Cluster]:
        """Spellings merged into one entry, then pairs of entries that look alike (misspelt or
        differently transliterated words: "Mikhial Gorbachev" / "Mikhail Gorbachev") but are
        kept apart, for the user to confirm with an alias or a separation rule."""
        merged = []
        for e, size in enumerate(self._sizes):
            spellings = self._spellings(e)
            if size >= min_articles and len(spellings) > 1:
                reason = _REASONS[int(self._data["reasons"][e])]
                if reason == "romanization":
                    reason = explain([s for s, _ in spellings])
                merged.append(Cluster(dict(spellings), True, reason))
        return merged + self._suggestions(min_score, min_articles)

    # -- internals ------------------------------------------------------------------------

    def _entry(self, index: int) -> NameEntry:
        return NameEntry(
            name=self._names[index],
            variants=dict(self._spellings(index)),
            articles=self._sizes[index],
            first=self._data["first"][index],
            last=self._data["last"][index],
            article_ids=[self._ids[i] for i in _decode(self._posting(index))],
        )

    def _posting(self, entry: int) -> str:
        if self._article_lists is None:
            self._article_lists = self._data["postings"].split(";")
        return self._article_lists[entry]

    def _spellings(self, entry: int) -> list[tuple[str, int]]:
        """An entry's spellings with their article counts, most used first (the variant table
        stores them that way, each entry's spellings next to each other)."""
        start = self._starts[entry]
        end = self._starts[entry + 1] if entry + 1 < len(self._starts) else len(self._count)
        return list(zip(self._spelling[start:end], self._count[start:end], strict=True))

    def _owner(self, variant: int) -> int:
        return bisect_right(self._starts, variant) - 1

    def _word_postings(self, word: str) -> list[int]:
        return _decode(self._words.get(word, ""))

    def _same_entries(self, query: str) -> list[int]:
        """Entries holding a spelling that is the same name as ``query``. A spelling written
        exactly like the query decides; otherwise the key match must be unambiguous."""
        tokens = name_tokens(query)
        keys = {t: [k for k in reading_keys(t.text) if k in self._words] for t in tokens}
        tokens = [t for t, found in keys.items() if found]
        words = [t for t in tokens if t.kind == "word"] or tokens
        if not words:
            return []
        rarest = min(words, key=lambda t: sum(len(self._words[k]) for k in keys[t]))
        folded = fold_key(query)
        exact, keyed = set(), set()
        for v in sorted({v for k in keys[rarest] for v in self._word_postings(k)}):
            spelling = self._spelling[v]
            if fold_key(spelling) == folded:
                exact.add(self._owner(v))
            elif same_name(query, spelling):
                keyed.add(self._owner(v))
        if exact:
            return sorted(exact)
        return sorted(keyed) if len(keyed) == 1 else []

    def _candidates(self, query: str) -> list[int]:
        """Spellings worth rescoring: those sharing the query's words or words like them,
        weighted towards the surname."""
        tokens = name_tokens(query)
        totals: dict[int, float] = defaultdict(float)
        surname = surname_index(tokens) if tokens else -1
        for i, token in enumerate(tokens):
            if token.kind == "particle" or (token.kind == "initial" and len(tokens) > 1):
                continue
            best: dict[int, float] = {}
            similar = self._similar_words(token.key, len(token.text) <= _SHORT)
            similar += [(k, 100.0) for k in reading_keys(token.text)[1:] if k in self._words]
            for word, score in similar:
                for v in self._word_postings(word):
                    if score > best.get(v, 0.0):
                        best[v] = score
            weight = 2.0 if i == surname else 1.0
            for v, score in best.items():
                totals[v] += weight * score
        if not totals:
            return []
        floor = max(totals.values()) * _CANDIDATE_FLOOR
        ranked = sorted(totals, key=totals.__getitem__, reverse=True)[:_RESCORED]
        return [v for v in ranked if totals[v] >= floor]

    def _similar_words(self, key: str, exact: bool) -> list[tuple[str, float]]:
        """Index words like ``key``: only itself for a short word, else the closest ones."""
        if exact:
            return [(key, 100.0)]
        if self._word_list is None:
            self._word_list = list(self._words)
        found = process.extract(
            key, self._word_list, scorer=fuzz.ratio, limit=_SIMILAR_WORDS, score_cutoff=70
        )
        return [(word, score) for word, score, _ in found]

    def _suggestions(self, min_score: float, min_articles: int) -> list[Cluster]:
        """Near neighbours among entries, compared within blocks of the same surname initial,
        leaving out partial matches and pairs the user has already separated."""
        separated = {
            frozenset((fold_key(a), fold_key(b)))
            for group in self.separate
            for i, a in enumerate(group)
            for b in group[i + 1 :]
        }
        blocks: dict[str, list[int]] = defaultdict(list)
        for e, name in enumerate(self._names):
            tokens = name_tokens(name)
            if self._sizes[e] >= min_articles and tokens:
                blocks[tokens[surname_index(tokens)].key[:1]].append(e)
        found = []
        for block in blocks.values():
            names = [self._names[e] for e in block]
            keys = [" ".join(t.key for t in name_tokens(n)) for n in names]
            matrix = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=75)
            for i, j in zip(*matrix.nonzero(), strict=True):
                a, b = names[i], names[j]
                if i >= j or _is_partial(a, b):
                    continue
                if frozenset((fold_key(a), fold_key(b))) in separated:
                    continue
                score = name_similarity(a, b)
                if score >= min_score:
                    counts = {a: self._sizes[block[i]], b: self._sizes[block[j]]}
                    found.append(Cluster(counts, False, "similar", score))
        return sorted(found, key=lambda c: (-c.score, -sum(c.names.values())))


def _rules(groups: Any, kind: str) -> list[list[str]]:
    """The user's rules as lists of names; ValueError (one line) when they are not that."""
    if not isinstance(groups, (list, tuple)):
        raise ValueError(f"{kind} rules must be a list of lists of names")
    rules = []
    for group in groups:
        if not isinstance(group, (list, tuple)) or not all(isinstance(n, str) for n in group):
            raise ValueError(f"{kind} rule {group!r} is not a list of names")
        rules.append([" ".join(n.split()) for n in group])
    return rules


def _damage(data: dict[str, Any]) -> str | None:
    """What is wrong with the shape of a stored catalogue, or None (a cheap check, not a
    proof: it catches truncated or hand-edited files)."""
    for name in ("articles", "names", "sizes", "first", "last", "starts", "spellings", "counts"):
        if not isinstance(data[name], list):
            return f"{name} is not a list"
    for name in ("reasons", "postings"):
        if not isinstance(data[name], str):
            return f"{name} is not text"
    if not isinstance(data["words"], dict):
        return "words is not a mapping"
    entries = len(data["names"])
    for name in ("sizes", "first", "last", "starts", "reasons"):
        if len(data[name]) != entries:
            return f"{name} has {len(data[name])} items for {entries} names"
    if entries and data["postings"].count(";") != entries - 1:
        return "postings do not match the names"
    if len(data["counts"]) != len(data["spellings"]):
        return "counts do not match the spellings"
    for name in ("aliases", "separate"):
        rules = data[name]
        if not isinstance(rules, list) or not all(
            isinstance(group, list) and all(isinstance(n, str) for n in group) for group in rules
        ):
            return f"{name} is not a list of lists of names"
    return None


def _is_partial(a: str, b: str) -> bool:
    """One name's words are all in the other ("Baker" / "James Baker"): not a spelling issue."""
    wa = {t.key for t in name_tokens(a) if t.kind == "word"}
    wb = {t.key for t in name_tokens(b) if t.kind == "word"}
    return wa <= wb or wb <= wa


class _Groups:
    """Union-find over spellings: merged by alias rules, then by fold, transliteration and
    word-order keys, never across a separation rule."""

    def __init__(
        self, spellings: list[str], aliases: list[list[str]], separate: list[list[str]]
    ) -> None:
        self.parent = {s: s for s in spellings}
        self.reason: dict[str, str] = {}
        self.labels: dict[str, dict[int, str]] = {}
        by_fold: dict[str, list[str]] = defaultdict(list)
        for s in spellings:
            by_fold[fold_key(s)].append(s)
        for rule, group in enumerate(separate):
            keys = [key for key in map(fold_key, group) if key]
            if len(set(keys)) < len(keys):
                raise ValueError(f"separation rule {group} names the same spelling twice")
            for key in keys:
                for s in by_fold.get(key, []):
                    self.labels.setdefault(s, {})[rule] = key
        for group in aliases:
            self._union_all([s for n in group for s in by_fold.get(fold_key(n), [])], "alias")
        for members in by_fold.values():
            self._union_all(members, "same spelling")
        folds = list(by_fold)
        for reason, key in (("transliteration", translit_key), ("word order", order_key)):
            buckets: dict[str, list[str]] = defaultdict(list)
            for folded in folds:
                buckets[key(by_fold[folded][0])].append(folded)
            for bucket in buckets.values():
                for i, a in enumerate(bucket):
                    for b in bucket[i + 1 :]:
                        if few_edits(a, b) or same_name(by_fold[a][0], by_fold[b][0]):
                            self._union(by_fold[a][0], by_fold[b][0], reason)
        romanized: dict[str, list[str]] = defaultdict(list)
        for folded in folds:
            for key in name_keys(by_fold[folded][0]):
                romanized[key].append(folded)
        for bucket in romanized.values():
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    x, y = by_fold[a][0], by_fold[b][0]
                    if self.root(x) != self.root(y) and romanized_same(x, y):
                        self._union(x, y, "romanization")

    def root(self, s: str) -> str:
        while self.parent[s] != s:
            self.parent[s] = self.parent[self.parent[s]]
            s = self.parent[s]
        return s

    def _union_all(self, members: list[str], reason: str) -> None:
        for other in members[1:]:
            self._union(members[0], other, reason)

    def _union(self, x: str, y: str, reason: str) -> None:
        a, b = self.root(x), self.root(y)
        if a == b:
            return
        la, lb = self.labels.get(a, {}), self.labels.get(b, {})
        if any(rule in lb and lb[rule] != label for rule, label in la.items()):
            return
        self.parent[b] = a
        if la or lb:
            self.labels[a] = {**lb, **la}
        reasons = [r for r in (self.reason.get(a), self.reason.get(b), reason) if r]
        self.reason[a] = max(reasons, key=_REASONS.index)


def _encode(numbers: Iterable[int]) -> str:
    """Ascending numbers as space-separated gaps: short to store, quick to load."""
    previous = 0
    out = []
    for n in numbers:
        out.append(str(n - previous))
        previous = n
    return " ".join(out)


def _decode(text: str) -> list[int]:
    total = 0
    out = []
    for gap in text.split():
        total += int(gap)
        out.append(total)
    return out


def _tables(
    ids: list[str],
    dates: list[str | None],
    seen: dict[str, list[int]],
    groups: _Groups,
    aliases: list[list[str]],
    separate: list[list[str]],
) -> dict[str, Any]:
    """The stored form: entries most frequent first, each entry's spellings consecutive in
    ``spellings``/``counts``, and the word index mapping transliteration keys to spellings."""
    members: dict[str, list[str]] = defaultdict(list)
    for spelling in seen:
        members[groups.root(spelling)].append(spelling)
    entries = []
    for root, spellings in members.items():
        articles = sorted({a for s in spellings for a in seen[s]})
        spellings.sort(key=lambda s: (-len(seen[s]), seen[s][:1], s))  # ties: first seen
        known = [dates[a] for a in articles if dates[a]]
        first, last = min(known, default=None), max(known, default=None)
        entries.append((articles, spellings, first, last, groups.reason.get(root, "same spelling")))
    entries.sort(key=lambda e: (-len(e[0]), e[1][0]))
    tables: dict[str, Any] = {f: [] for f in _FIELDS}
    words: dict[str, list[int]] = defaultdict(list)
    for articles, spellings, first, last, reason in entries:
        tables["names"].append(spellings[0])
        tables["sizes"].append(len(articles))
        tables["first"].append(first)
        tables["last"].append(last)
        tables["reasons"].append(str(_REASONS.index(reason)))
        tables["postings"].append(_encode(articles))
        tables["starts"].append(len(tables["spellings"]))
        for spelling in spellings:
            tokens = name_tokens(spelling)
            for key in dict.fromkeys(k for t in tokens for k in reading_keys(t.text)):
                words[key].append(len(tables["spellings"]))
            tables["spellings"].append(spelling)
            tables["counts"].append(len(seen[spelling]))
    tables["articles"] = ids
    tables["reasons"] = "".join(tables["reasons"])
    tables["postings"] = ";".join(tables["postings"])
    tables["words"] = {key: _encode(found) for key, found in words.items()}
    tables["aliases"] = aliases
    tables["separate"] = separate
    return tables
