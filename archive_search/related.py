"""Related articles: the stories in the archive closest to one article or to a piece of text.

How an article is compared, and why:

* It becomes a weighted term vector: title and body analysed exactly as the index analyses
  them (stemmed, stop words out), term frequency damped (``1 + log tf``, title words counted
  twice) and weighted by idf from the index's own document frequencies.
* Terms that cannot tell stories apart are left out of the vector altogether: terms found in
  fewer than :data:`MIN_DF` articles (typos and one-off tokens, which can never be shared),
  terms in more than :data:`MAX_DF_SHARE` of the archive (ubiquitous words), numbers, the words
  of the article's own source name (site names, the "Reuter" sign-off of a Reuters story),
  words found in most articles of the same source (one site's standing text), and short lines
  repeated word for word in many other articles (sign-offs, "subscribe" banners).
  ``see_also`` links are never read.
* Candidates are gathered from the postings of the article's strongest terms, names and tags,
  then the best few dozen are read and compared in full: a call costs a few index look-ups and
  a few dozen file reads, never a pass over the archive.
* A suggestion's score is the cosine of the two term vectors blended with the idf-weighted
  overlap of their names and tags (when both articles have some). It lies in [0, 1] and does
  not depend on which article of the pair is asked about, so scripts can threshold it. The
  date only breaks near-ties (:data:`DATE_TIEBREAK`); it never filters.
* Copies of one story are recognised by word-trigram resemblance of the whole text, not by
  score, and flagged ``duplicate``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import query
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.reading import TermNotFound
from whoosh.util.times import datetime_to_long

from .article import Article, content_fingerprint, normalize_text
from .errors import ArchiveError, NotFound
from .index import text_fields
from .names import extract_names, fold_key
from .options import RelatedOptions

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from .archive import Archive

#: A term must occur in at least this many articles (the compared text included) to count.
MIN_DF = 2
#: A term in more than this share of the archive's articles is too common to count ...
MAX_DF_SHARE = 0.2
#: ... except that in a small archive a term in this many articles still counts.
MIN_DF_CEILING = 10
#: Every counting term weighs at least this much before its rarity (log N/df) is added, so a
#: subject's everyday words (wheat, bond, quarter) count beside the rare words of one story.
#: On Reuters-21578, P@10 by topic: 1 -> 0.72, 4 -> 0.75, 16 -> 0.75 (but then a company's
#: other stories give way to any earnings report).
IDF_FLOOR = 4.0
#: Title words count this many times.
TITLE_WEIGHT = 2
#: How many of the article's strongest terms gather candidates.
QUERY_TERMS = 15
#: Candidates are gathered from the postings of the strongest terms, the MIN_KEY_TERMS
#: strongest always, the others while their postings fit in this many entries.
MIN_KEY_TERMS = 3
POSTINGS_BUDGET = 6000
#: How many candidates are read and compared in full, at least. Each costs about 5 ms;
#: on Reuters-21578 (200 articles) 15 + 6 candidates gave P@10 0.725 and 98.6 % of copies,
#: 25 + 10 gave 0.723 and 99.4 %, at a third more time per call.
CANDIDATES = 15
#: Candidates are the articles holding the most weight of key terms, plus SHORT_CANDIDATES
#: holding the most relative to their length among POOL_FACTOR times as many.
POOL_FACTOR = 4
SHORT_CANDIDATES = 6
#: The rarest figures (numbers) of the article also gather candidates, with a weight that only
#: orders articles holding the same key terms.
FIGURES = 3
FIGURE_WEIGHT = 1e-3
#: How much of what the text leaves unexplained identical name and tag lists explain.
NAMES_WEIGHT = 0.2
TAGS_WEIGHT = 0.2
#: Two texts whose word-trigram sets overlap this much (Jaccard) are copies of one story.
DUPLICATE_RESEMBLANCE = 0.8
#: A line of at most this many terms, found word for word in at least BOILERPLATE_DOCS other
#: articles, is boilerplate and is left out (so are its copies in the candidates).
BOILERPLATE_TOKENS = 20
BOILERPLATE_DOCS = 4
#: A term in at least this share of the articles of one source (of at least SOURCE_MIN_DOCS
#: articles) is that source's standing text.
SOURCE_SHARE = 0.5
SOURCE_MIN_DOCS = 20
#: Closeness in time adds up to this much to the ranking key (1 / (1 + days / 30)), so it only
#: reorders suggestions whose scores are about this close.
DATE_TIEBREAK = 0.01
#: How many shared terms, names or tags one reason lists.
REASON_ITEMS = 5

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
#: The date column holds this for undated articles (the largest 64-bit value).
_LAST_DATE = datetime_to_long(_dt.datetime.max)


@dataclass
class RelatedItem:
    """One suggestion. ``score`` is in [0, 1]; ``reasons`` say in words why it was chosen."""

    id: str
    date: str | None
    title: str
    score: float
    reasons: list[str]
    duplicate: bool
    days_apart: int | None
    source: str | None
    path: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RelatedResult:
    """Suggestions for one article (``id``) or for a text (``id`` is None), best first.

    ``terms`` are the key terms the comparison rests on, strongest first (for ``--explain``);
    ``notes`` say why a list is short or empty.
    """

    id: str | None
    title: str
    items: list[RelatedItem]
    terms: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def related(
    archive: Archive,
    article_id: str | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
    options: RelatedOptions | None = None,
    **changes: Any,
) -> RelatedResult:
    """Articles related to the archived article ``article_id``, or to ``text`` (with an
    optional ``title``), which need not be in the archive.

    The options are a :class:`~archive_search.options.RelatedOptions` (``options``, with
    ``changes`` as keywords applied to it): how many, the dates of the suggestions, whether
    copies of the same story may fill the list, whether tags count. Raises
    :class:`NotFound` for an unknown id and :class:`ArchiveError` for a request that cannot
    be answered.
    """
    opted = RelatedOptions.of(options, **changes)
    limit, since, until = opted.limit, opted.since, opted.until
    exclude_duplicates, use_tags = opted.exclude_duplicates, opted.use_tags
    started = time.perf_counter()
    if (article_id is None) == (text is None):
        raise ArchiveError("give either an article id or a text, not both or neither")
    if limit < 0:
        raise ArchiveError("the number of related articles cannot be negative")
    archive.ensure_index()
    with archive.index.open().searcher() as searcher:
        docnum = None
        if article_id is not None:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                # a file the index does not know yet (added by hand while it cannot catch
                # up) is compared as a text; an unknown id raises NotFound
                article, _ = archive.get(article_id)
            else:
                article = _read(archive, searcher.stored_fields(docnum)["path"])
            article.id = article_id
        else:
            article = Article(title=title or "", body=text or "")
        comparison = _Comparison(archive, searcher, article, docnum, use_tags)
        result = comparison.run(limit, since, until, exclude_duplicates)
    result.seconds = time.perf_counter() - started
    return result


def _read(archive: Archive, relpath: str) -> Article:
    try:
        return archive.corpus.read(relpath)
    except FileNotFoundError:
        raise NotFound(f"corpus/{relpath} is gone (deleted since the index was updated)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ArchiveError(f"cannot read corpus/{relpath}: {exc}") from exc


@dataclass
class _Profile:
    """What one article is compared on: weighted terms, names, tags, shingles and its day."""

    article: Article
    terms: dict[str, float]
    norm: float
    names: dict[str, float]
    name_labels: dict[str, str]
    tags: dict[str, float]
    tag_labels: dict[str, str]
    shingles: frozenset[int]
    numbers: frozenset[str]
    fingerprint: str
    day: _dt.date | None


class _Comparison:
    """One related() call: the article asked about, its profile and per-call caches."""

    def __init__(
        self,
        archive: Archive,
        searcher: Searcher,
        article: Article,
        docnum: int | None,
        use_tags: bool,
    ) -> None:
        self.archive = archive
        self.searcher = searcher
        self.reader = searcher.reader()
        self.article = article
        self.docnum = docnum
        self.use_tags = use_tags
        self.title_field, self.body_field = text_fields(article.lang)
        schema = searcher.schema
        self.analyzer = schema[self.body_field].analyzer
        self.tags_analyzer = schema["tags"].analyzer
        self.terms_of = _Terms(self.analyzer)
        # the compared text is one more article when it is not in the index
        self.extra_doc = 1 if docnum is None else 0
        self.total = searcher.doc_count() + self.extra_doc
        self.ceiling = max(MAX_DF_SHARE * self.total, MIN_DF_CEILING)
        self._df: dict[str, int] = {}
        self._sources: dict[str, set[int]] = {}
        self._source_terms: dict[tuple[str, str, str], bool] = {}
        #: The asked article's terms (a text's count in document frequencies) and the token
        #: sequences of its boilerplate lines (left out of every candidate too).
        self.own_terms: set[str] = set()
        self.boilerplate: set[tuple[str, ...]] = set()
        #: A readable word for each stem of the asked article, for reasons.
        self.words: dict[str, str] = {}
        self.asked = self._asked_profile(article)
        #: How many terms the asked article holds, as the index counts them.
        self.length = (
            self._length(docnum)
            if docnum is not None
            else len(self._tokens(article.title)) + len(self._tokens(article.body))
        )

    # -- the comparison ------------------------------------------------------------------

    def run(
        self,
        limit: int,
        since: _dt.datetime | None,
        until: _dt.datetime | None,
        exclude_duplicates: bool,
    ) -> RelatedResult:
        asked = self.asked
        key_terms = sorted(asked.terms, key=asked.terms.__getitem__, reverse=True)[:QUERY_TERMS]
        result = RelatedResult(
            id=self.article.id if self.docnum is not None else None,
            title=self.article.title,
            items=[],
            terms=[self.words.get(t, t) for t in key_terms],
        )
        if not (asked.terms or asked.names or (self.use_tags and asked.tags)):
            result.notes.append("nothing to compare: no distinctive words, names or tags")
            return result
        if limit == 0:
            return result
        wanted = max(CANDIDATES, 3 * limit)
        scored = [
            found
            for docnum in self.candidates(key_terms, wanted, since, until)
            if (found := self.compare(docnum)) is not None
        ]
        scored.sort(key=lambda entry: (-entry[0], not entry[1].duplicate, entry[1].id))
        kept: list[_Profile] = []
        for _, item, profile in scored:
            if exclude_duplicates and (
                item.duplicate or any(_same_story(profile, other) for other in kept)
            ):
                continue
            result.items.append(item)
            kept.append(profile)
            if len(result.items) >= limit:
                break
        if not result.items:
            result.notes.append("no related articles found")
        return result

    def candidates(
        self,
        key_terms: list[str],
        wanted: int,
        since: _dt.datetime | None,
        until: _dt.datetime | None,
    ) -> list[int]:
        """Document numbers most likely to be related, best first, within the dates.

        Adds up the weights of the key terms, names and tags each article holds: cheap, and
        good enough to choose which articles to compare in full.
        """
        scores: dict[int, float] = {}
        for fieldname, key, weight in self._candidate_keys(key_terms):
            try:
                postings = self.searcher.postings(fieldname, key)
            except TermNotFound:
                continue
            for docnum in postings.all_ids():
                scores[docnum] = scores.get(docnum, 0.0) + weight
        if self.docnum is not None:
            scores.pop(self.docnum, None)
        dates = None
        if since or until:
            dates = self.reader.column_reader("date", translate=False)
            low = datetime_to_long(since) if since else 0
            high = datetime_to_long(until) if until else _LAST_DATE - 1
        pool: list[int] = []
        for docnum in sorted(scores, key=lambda d: (-scores[d], d)):
            if self.reader.is_deleted(docnum):
                continue
            if dates is not None and not low <= dates[docnum] <= high:
                continue
            pool.append(docnum)
            if len(pool) >= POOL_FACTOR * wanted:
                break
        # a short article holding the key terms (a brief, a copy of one) is as close as a long
        # one holding more of them: the best by weight per length join the best by weight.
        # Among equals, articles as long as the asked one come first: copies are.
        length = {d: self._length(d) for d in pool}
        off = {d: abs(length[d] - self.length) for d in pool}
        short = {d: scores[d] / math.sqrt(1 + length[d]) for d in pool}
        by_weight = sorted(pool, key=lambda d: (-scores[d], off[d], d))[:wanted]
        by_length = sorted(pool, key=lambda d: (-short[d], off[d], d))[:SHORT_CANDIDATES]
        return list(dict.fromkeys(by_weight + by_length))

    def _length(self, docnum: int) -> int:
        """How many terms the article's title and body hold, from the index."""
        fields = (self.title_field, self.body_field)
        return sum(self.reader.doc_field_length(docnum, f) or 0 for f in fields)

    def _candidate_keys(self, key_terms: list[str]) -> Iterator[tuple[str, str, float]]:
        budget = POSTINGS_BUDGET
        for n, term in enumerate(key_terms):
            df = self.df(term)
            if n >= MIN_KEY_TERMS and df > budget:
                continue  # a common term costs more to read than it helps to find
            budget -= df
            weight = self.asked.terms[term]
            yield self.title_field, term, weight
            yield self.body_field, term, weight
        for key, weight in self.asked.names.items():
            yield "names", key, weight
        if self.use_tags:
            yield from (("tags", key, weight) for key, weight in self.asked.tags.items())
        # figures never make articles similar, but among look-alikes (the Fed's daily briefs)
        # the ones with the same figures come first: copies do
        figures = sorted(
            (
                t
                for t in set(self.terms_of(self.article.title + "\n" + self.article.body))
                if not _LETTER.search(t) and MIN_DF <= self.df(t) <= self.ceiling
            ),
            key=lambda t: (self.df(t), t),
        )
        for figure in figures[:FIGURES]:
            yield self.title_field, figure, FIGURE_WEIGHT
            yield self.body_field, figure, FIGURE_WEIGHT

    def compare(self, docnum: int) -> tuple[float, RelatedItem, _Profile] | None:
        """Score one candidate: (ranking key, item, profile), or None when it cannot be read,
        is in another language or shares nothing."""
        stored = self.searcher.stored_fields(docnum)
        try:
            other = self.archive.corpus.read(stored["path"])
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if text_fields(other.lang) != (self.title_field, self.body_field):
            return None
        other.id = stored["id"]
        theirs = self.profile(other)
        mine = self.asked
        shared = {t: w * theirs.terms[t] for t, w in mine.terms.items() if t in theirs.terms}
        # each kind of evidence can only add: what the text leaves unexplained, shared names
        # and tags explain in part (so a missing or noisy name list never lowers a score)
        missing = 1.0 - _cosine(shared, mine.norm, theirs.norm)
        missing *= 1.0 - NAMES_WEIGHT * _overlap(mine.names, theirs.names)
        if self.use_tags:
            missing *= 1.0 - TAGS_WEIGHT * _overlap(mine.tags, theirs.tags)
        score = 1.0 - missing
        duplicate = _same_story(mine, theirs)
        days = abs((mine.day - theirs.day).days) if mine.day and theirs.day else None
        reasons = self.reasons(shared, theirs, duplicate, days)
        if not reasons:
            return None
        item = RelatedItem(
            id=other.id,
            date=other.date,
            title=other.title,
            score=round(min(max(score, 0.0), 1.0), 4),
            reasons=reasons,
            duplicate=duplicate,
            days_apart=days,
            source=other.source,
            path=f"corpus/{stored['path']}",
        )
        closeness = 1.0 / (1.0 + days / 30.0) if days is not None else 0.0
        return score + DATE_TIEBREAK * closeness, item, theirs

    def reasons(
        self, shared: dict[str, float], theirs: _Profile, duplicate: bool, days: int | None
    ) -> list[str]:
        """Why a candidate is related, in words; empty when it shares nothing that counts."""
        mine = self.asked
        reasons = ["duplicate"] if duplicate else []
        names = _best_shared(mine.names, theirs.names)
        # words of a shared name are listed as the name, not again as terms
        in_names = {t for k in names for t in self.terms_of(mine.name_labels[k])}
        # the rarest of the strongly shared terms say best what two stories have in common
        strength = {t: w * self.rarity(self.df(t)) for t, w in shared.items() if t not in in_names}
        best = sorted(strength, key=lambda t: (-strength[t], t))
        if best:
            words = ", ".join(self.words.get(t, t) for t in best[:REASON_ITEMS])
            reasons.append("shared terms: " + words)
        if names:
            reasons.append("shared names: " + ", ".join(mine.name_labels[k] for k in names))
        tags = _best_shared(mine.tags, theirs.tags) if self.use_tags else []
        if tags:
            reasons.append("same tags: " + ", ".join(mine.tag_labels[k] for k in tags))
        if not reasons:
            return []
        if days is not None:
            reasons.append("same day" if days == 0 else f"{days} day{'s' * (days != 1)} apart")
        return reasons

    # -- profiles ------------------------------------------------------------------------

    def _asked_profile(self, article: Article) -> _Profile:
        """The asked article's profile; finds its boilerplate lines on the way."""
        title = self._tokens(article.title, keep_words=True)
        lines = [(line, self._tokens(line, keep_words=True)) for line in article.body.split("\n")]
        if self.docnum is None:
            self.own_terms = {t for tokens in [title, *(t for _, t in lines)] for t in tokens}
        kept = []
        for line, tokens in lines:
            if self._is_boilerplate(tokens, article.source):
                self.boilerplate.add(tokens)
            else:
                kept.append((line, tokens))
        return self._profile(article, title, kept)

    def profile(self, article: Article) -> _Profile:
        """A candidate's profile, without the asked article's boilerplate lines."""
        lines = ((line, self._tokens(line)) for line in article.body.split("\n"))
        kept = [(line, tokens) for line, tokens in lines if tokens not in self.boilerplate]
        return self._profile(article, self._tokens(article.title), kept)

    def _tokens(self, text: str, keep_words: bool = False) -> tuple[str, ...]:
        if not keep_words:
            return self.terms_of(text)
        terms = []
        for token in self.analyzer(text, chars=True):
            terms.append(token.text)
            self.words.setdefault(token.text, text[token.startchar : token.endchar].lower())
        return tuple(terms)

    def _profile(
        self, article: Article, title: tuple[str, ...], lines: list[tuple[str, tuple[str, ...]]]
    ) -> _Profile:
        """Weighted terms, names and tags of an article whose boilerplate lines are gone."""
        counts: dict[str, int] = {}
        for term in title:
            counts[term] = counts.get(term, 0) + TITLE_WEIGHT
        for _, tokens in lines:
            for term in tokens:
                counts[term] = counts.get(term, 0) + 1
        source = article.source
        source_words = set(self._tokens(source or ""))
        terms: dict[str, float] = {}
        rare = 0.0  # terms only this article has: never shared, but part of what it says
        for term, tf in counts.items():
            if term in source_words or not self._informative(term, source):
                continue
            df = self.df(term)
            weight = (1.0 + math.log(tf)) * self.idf(df)
            if df >= MIN_DF:
                terms[term] = weight
            else:
                rare += weight * weight
        # names given with the article or found in its text (not its authors, and not metadata
        # lists such as Reuters places, which are its tags)
        body = "\n".join(line for line, _ in lines)
        names, name_labels = self._keyed(
            (
                (fold_key(name), name)
                for name in [*article.names, *extract_names(article.title, body)]
                if not set(self._tokens(name)) <= source_words
            ),
            "names",
            source,
        )
        tags, tag_labels = self._keyed(
            ((t.text, tag) for tag in article.tags for t in self.tags_analyzer(tag)), "tags"
        )
        when = article.datetime
        text = normalize_text(article.title + "\n" + article.body)
        return _Profile(
            article=article,
            terms=terms,
            norm=math.sqrt(sum(w * w for w in terms.values()) + rare),
            names=names,
            name_labels=name_labels,
            tags=tags,
            tag_labels=tag_labels,
            shingles=_shingles(text),
            numbers=frozenset(_NUMBER.findall(normalize_text(article.body) or text)),
            fingerprint=content_fingerprint(article.title, article.body),
            day=when.date() if when else None,
        )

    def _informative(self, term: str, source: str | None) -> bool:
        """Whether ``term`` can tell stories apart (see the module docstring); terms in fewer
        than MIN_DF articles are informative but cannot be shared."""
        if not _LETTER.search(term):
            return False
        df = self.df(term)
        if df > self.ceiling:
            return False
        fields = (self.title_field, self.body_field)
        return not (source and self._source_boilerplate(source, term, df, fields))

    def _keyed(
        self, keyed: Iterable[tuple[str, str]], fieldname: str, source: str | None = None
    ) -> tuple[dict[str, float], dict[str, str]]:
        """Names or tags by their index key (with its idf, and a label to show), leaving out,
        as for terms, those too common to tell stories apart or standing in a source."""
        weights: dict[str, float] = {}
        labels: dict[str, str] = {}
        for key, label in keyed:
            if not key or key in weights:
                continue
            df = self.searcher.doc_frequency(fieldname, key) + self.extra_doc
            if df > self.ceiling or (
                source and self._source_boilerplate(source, key, df, (fieldname,))
            ):
                continue
            weights[key] = self.idf(df)
            labels[key] = label
        return weights, labels

    # -- statistics from the index -------------------------------------------------------

    def df(self, term: str) -> int:
        """How many articles hold ``term`` in title or body, the compared text included."""
        found = self._df.get(term)
        if found is None:
            found = self.searcher.doc_frequency(self.body_field, term)
            if found < MIN_DF:  # title-only articles (briefs) matter for rare terms
                found = max(found, self.searcher.doc_frequency(self.title_field, term))
            self._df[term] = found
        return found + (self.extra_doc if term in self.own_terms else 0)

    def idf(self, df: int) -> float:
        return IDF_FLOOR + self.rarity(df)

    def rarity(self, df: int) -> float:
        return math.log((self.total + 1) / (df + 1))

    def _is_boilerplate(self, tokens: tuple[str, ...], source: str | None) -> bool:
        """True for a short line found word for word in BOILERPLATE_DOCS other articles.

        Only terms that would count matter, so the articles holding all of them are found
        first, rarest term first, stopping as soon as too few are left; only then are a few of
        those articles read to confirm the line itself.
        """
        if not tokens or len(tokens) > BOILERPLATE_TOKENS:
            return False
        keys = sorted(
            {t for t in tokens if self._informative(t, source) and self.df(t) >= MIN_DF},
            key=self.df,
        )
        if not keys:
            return False
        docs: set[int] | None = None
        for term in keys:
            try:
                found = set(self.searcher.postings(self.body_field, term).all_ids())
            except TermNotFound:
                return False
            docs = found if docs is None else docs & found
            docs.discard(self.docnum)  # type: ignore[arg-type]
            if len(docs) < BOILERPLATE_DOCS:
                return False
        confirmed = 0
        for docnum in sorted(docs or ())[: 2 * BOILERPLATE_DOCS]:
            try:
                other = self.archive.corpus.read(self.searcher.stored_fields(docnum)["path"])
            except (OSError, UnicodeDecodeError, ValueError):
                continue
            confirmed += _contains(self._tokens(other.body), tokens)
            if confirmed >= BOILERPLATE_DOCS:
                return True
        return False

    def _source_boilerplate(self, source: str, term: str, df: int, fields: tuple[str, ...]) -> bool:
        """True when ``term`` (in ``fields``) is in SOURCE_SHARE of the articles of ``source``."""
        docs = self._source_docs(source)
        if len(docs) < SOURCE_MIN_DOCS or df < SOURCE_SHARE * len(docs):
            return False
        found = self._source_terms.get((source, fields[0], term))
        if found is None:
            holding: set[int] = set()
            for fieldname in fields:
                try:
                    holding.update(self.searcher.postings(fieldname, term).all_ids())
                except TermNotFound:
                    continue
            found = len(holding & docs) >= SOURCE_SHARE * len(docs)
            self._source_terms[(source, fields[0], term)] = found
        return found

    def _source_docs(self, source: str) -> set[int]:
        """The articles whose source has the same words as ``source``.

        A source that covers more articles than any term may be in (the whole archive, say)
        cannot have standing text the ceiling does not already remove, so it is not listed.
        """
        docs = self._sources.get(source)
        if docs is None:
            words = [t.text for t in self.searcher.schema["source"].analyzer(source)]
            smallest = min((self.searcher.doc_frequency("source", w) for w in words), default=0)
            if not words or SOURCE_SHARE * smallest > self.ceiling:
                docs = set()
            else:
                q = query.And([query.Term("source", w) for w in words])
                docs = set(self.searcher.docs_for_query(q))
            self._sources[source] = docs
        return docs


class _Terms:
    """The index analyzer's terms for a text, each distinct word analysed only once.

    Valid when the analyzer splits words with a regular expression and then only changes or
    drops single tokens (the case for every text field of the schema); any other analyzer is
    run on the whole text.
    """

    _PER_TOKEN = (LowercaseFilter, StopFilter, StemFilter, CharsetFilter)

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        items = getattr(analyzer, "items", [])
        first = items[0] if items else None
        simple = (
            isinstance(first, RegexTokenizer)
            and not first.gaps
            and all(isinstance(item, self._PER_TOKEN) for item in items[1:])
        )
        self.pattern = first.expression if simple else None
        self.cache: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> tuple[str, ...]:
        if self.pattern is None:
            return tuple(t.text for t in self.analyzer(text))
        words = [match.group() for match in self.pattern.finditer(text)]
        self._learn([w for w in dict.fromkeys(words) if w not in self.cache])
        return tuple(term for word in words for term in self.cache[word])

    def _learn(self, words: list[str]) -> None:
        """Analyse new words in one pass; stop words are marked rather than dropped, so each
        word yields exactly one token."""
        if not words:
            return
        tokens = [(t.text, t.stopped) for t in self.analyzer(" ".join(words), removestops=False)]
        if len(tokens) != len(words):  # a word did not survive alone: analyse one by one
            for word in words:
                self.cache[word] = tuple(t.text for t in self.analyzer(word))
            return
        for word, (term, stopped) in zip(words, tokens, strict=True):
            self.cache[word] = () if stopped else (term,)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """Whether ``needle`` occurs as a contiguous run in ``haystack``."""
    first, size = needle[0], len(needle)
    return any(
        haystack[i] == first and haystack[i : i + size] == needle
        for i in range(len(haystack) - size + 1)
    )


def _cosine(shared: dict[str, float], norm_a: float, norm_b: float) -> float:
    if not shared or not norm_a or not norm_b:
        return 0.0
    return min(1.0, sum(shared.values()) / (norm_a * norm_b))


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two idf-weighted sets (names or tags); 0 when either is empty."""
    dot = sum(w * w for k, w in a.items() if k in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def _best_shared(a: dict[str, float], b: dict[str, float]) -> list[str]:
    return sorted((k for k in a if k in b), key=lambda k: (-a[k], k))[:REASON_ITEMS]


def _shingles(text: str) -> frozenset[int]:
    """Hashed word trigrams of a normalised text (the whole text when shorter)."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + 3])) for i in range(len(words) - 2))


def _same_story(a: _Profile, b: _Profile) -> bool:
    """Copies of one story: the same normalised text, or nearly the same word trigrams and the
    same figures (the Fed's daily reserve reports differ only in the amount: not copies)."""
    if a.fingerprint == b.fingerprint:
        return True
    if not a.shingles or not b.shingles or a.numbers != b.numbers:
        return False
    common = len(a.shingles & b.shingles)
    return common / (len(a.shingles) + len(b.shingles) - common) >= DUPLICATE_RESEMBLANCE
