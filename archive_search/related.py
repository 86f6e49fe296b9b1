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
* With the semantic extra (:mod:`archive_search.semantic`), the score blends that lexical
  score with closeness in meaning (the cosine of the two articles' vectors), and the articles
  closest in meaning are candidates too, so that a story told in other words is found:
  ``(1 - w) * lexical + w * meaning`` with ``w`` the ``related.semantic_weight`` setting.
* Copies of one story are recognised by word-trigram resemblance of the whole text, not by
  score, and flagged ``duplicate``.

This module holds the settings below (read at each call, so a script or a test may change
them) and runs the steps in order; each step is a part of :mod:`archive_search.relatedness`
that is given its inputs and the settings it uses.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import semantic as archive_semantic
from .article import Article
from .engine.fields import TAGS, text_fields
from .errors import ArchiveError, NotFound
from .options import RelatedOptions
from .relatedness import candidates, scoring
from .relatedness.boilerplate import Boilerplate, SourceText
from .relatedness.profiles import Profile, Profiler, Tokens
from .relatedness.terms import Terms, TermStats

if TYPE_CHECKING:
    from .archive import Archive
    from .engine import Searcher
    from .semantic.meaning import Meaning

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
    semantic = archive_semantic.wanted(archive.settings, opted.semantic)
    started = time.perf_counter()
    if (article_id is None) == (text is None):
        raise ArchiveError("give either an article id or a text, not both or neither")
    if limit < 0:
        raise ArchiveError("the number of related articles cannot be negative")
    archive.ensure_index()
    with archive.index.searcher() as searcher:
        docnum = None
        if article_id is not None:
            docnum = searcher.document_number(article_id)
            if docnum is None:
                # a file the index does not know yet (added by hand while it cannot catch
                # up) is compared as a text; an unknown id raises NotFound
                article, _ = archive.get(article_id)
            else:
                article = _read(archive, searcher.stored(docnum).path)
            article.id = article_id
        else:
            article = Article(title=title or "", body=text or "")
        result = _compare(
            archive, searcher, article, docnum, limit, since, until, exclude_duplicates, use_tags,
            semantic,
        )
    result.seconds = time.perf_counter() - started
    return result


def _read(archive: Archive, relpath: str) -> Article:
    try:
        return archive.corpus.read(relpath)
    except FileNotFoundError:
        raise NotFound(f"corpus/{relpath} is gone (deleted since the index was updated)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ArchiveError(f"cannot read corpus/{relpath}: {exc}") from exc


def _compare(
    archive: Archive,
    searcher: Searcher,
    article: Article,
    docnum: int | None,
    limit: int,
    since: _dt.datetime | None,
    until: _dt.datetime | None,
    exclude_duplicates: bool,
    use_tags: bool,
    semantic: bool = False,
) -> RelatedResult:
    """The steps of one call, each a part of :mod:`archive_search.relatedness` given what the
    steps before it found: ``article`` is the one asked about, ``docnum`` its document number
    (None when it is a text the index does not hold)."""
    title_field, body_field = text_fields(article.lang)
    analyzer = searcher.analyzer(body_field)
    terms_of = Terms(analyzer, searcher.word_pattern(body_field))
    asked_text = Tokens.of(analyzer, article)
    # the compared text is one more article when it is not in the index
    stats = TermStats(
        searcher,
        title_field,
        body_field,
        asked_text.terms if docnum is None else None,
        min_df=MIN_DF,
        max_df_share=MAX_DF_SHARE,
        min_df_ceiling=MIN_DF_CEILING,
        idf_floor=IDF_FLOOR,
    )
    source_text = SourceText(
        searcher, stats.ceiling, share=SOURCE_SHARE, min_docs=SOURCE_MIN_DOCS
    )

    def body_of(number: int) -> str | None:
        found = _archived(archive, searcher, number)
        return found[0].body if found else None

    junk = Boilerplate(
        stats,
        source_text,
        body_of,
        terms_of,
        max_tokens=BOILERPLATE_TOKENS,
        min_docs=BOILERPLATE_DOCS,
    )
    # the asked article's boilerplate lines are left out of it and of every candidate
    boilerplate = junk.lines((tokens for _, tokens in asked_text.lines), article.source, docnum)
    profiler = Profiler(
        stats, junk, terms_of, searcher.analyzer(TAGS), title_weight=TITLE_WEIGHT
    )
    asked = profiler.profile(
        article,
        asked_text.title,
        [(line, tokens) for line, tokens in asked_text.lines if tokens not in boilerplate],
    )
    strongest = candidates.key_terms(asked.terms, QUERY_TERMS)
    result = RelatedResult(
        id=article.id if docnum is not None else None,
        title=article.title,
        items=[],
        terms=[asked_text.words.get(t, t) for t in strongest],
    )
    if not (asked.terms or asked.names or (use_tags and asked.tags)):
        result.notes.append("nothing to compare: no distinctive words, names or tags")
        return result
    if limit == 0:
        return result

    length = candidates.field_length(searcher, stats.fields)
    postings = candidates.keys(
        asked,
        strongest,
        stats,
        candidates.figures(terms_of(article.title + "\n" + article.body), stats, FIGURES),
        use_tags=use_tags,
        budget=POSTINGS_BUDGET,
        always=MIN_KEY_TERMS,
        figure_weight=FIGURE_WEIGHT,
    )
    wanted = max(CANDIDATES, 3 * limit)
    found = candidates.gather(
        searcher,
        postings,
        exclude=docnum,
        length=length,
        # how many terms the asked article holds, as the index counts them
        asked_length=(
            length(docnum)
            if docnum is not None
            else len(terms_of(article.title)) + len(terms_of(article.body))
        ),
        wanted=wanted,
        since=since,
        until=until,
        pool_factor=POOL_FACTOR,
        short=SHORT_CANDIDATES,
    )
    meaning = _meaning(archive, searcher, article, docnum, result) if semantic else None
    if meaning is not None:
        found = _with_nearest(archive, searcher, meaning, found, docnum, since, until)

    def suggest(number: int) -> tuple[float, RelatedItem, Profile] | None:
        """Score one candidate: (ranking key, item, profile), or None when it cannot be read,
        is in another language or shares nothing."""
        read = _archived(archive, searcher, number)
        if read is None or text_fields(read[0].lang) != stats.fields:
            return None
        other, path = read
        theirs = profiler.of_article(other, boilerplate)
        score, shared = scoring.score(
            asked, theirs, use_tags=use_tags, names_weight=NAMES_WEIGHT, tags_weight=TAGS_WEIGHT
        )
        duplicate = scoring.same_story(asked, theirs, DUPLICATE_RESEMBLANCE)
        days = scoring.days_apart(asked, theirs)
        reasons = scoring.reasons(
            asked,
            theirs,
            shared,
            duplicate=duplicate,
            days=days,
            rarity=lambda term: stats.rarity(stats.df(term)),
            words=asked_text.words,
            terms_of=terms_of,
            use_tags=use_tags,
            items=REASON_ITEMS,
        )
        if meaning is not None:
            score, reasons = _blend(archive, meaning, other.id, score, reasons, days)
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
            path=f"corpus/{path}",
        )
        # closeness in time only reorders suggestions whose scores are about as close
        closeness = 1.0 / (1.0 + days / 30.0) if days is not None else 0.0
        return score + DATE_TIEBREAK * closeness, item, theirs

    scored = [entry for number in found if (entry := suggest(number)) is not None]
    scored.sort(key=lambda entry: (-entry[0], not entry[1].duplicate, entry[1].id))
    kept: list[Profile] = []
    for _, item, profile in scored:
        if exclude_duplicates and (
            item.duplicate
            or any(scoring.same_story(profile, other, DUPLICATE_RESEMBLANCE) for other in kept)
        ):
            continue
        result.items.append(item)
        kept.append(profile)
        if len(result.items) >= limit:
            break
    if not result.items:
        result.notes.append("no related articles found")
    return result


def _meaning(archive: Archive, searcher: Searcher, article: Article, docnum: int | None,
             result: RelatedResult) -> Meaning | None:
    """The article's meaning and the archive's vectors, or None (with a note saying why)
    when the archive has none to compare with: related is then by shared words only."""
    if not archive_semantic.installed():
        raise ArchiveError("related by meaning needs the semantic extra: "
                           "pip install 'archive-search[semantic]'")
    from .semantic.meaning import Meaning

    found, why = Meaning.open(archive.index.current_dir(), article.id if docnum is not None
                              else None, article.title, article.body,
                              archive.settings.related.semantic_floor)
    if why is not None:
        result.notes.append(why)
    return found


def _with_nearest(archive: Archive, searcher: Searcher, meaning: Meaning, found: list[int],
                  docnum: int | None, since: _dt.datetime | None, until: _dt.datetime | None
                  ) -> list[int]:
    """The lexical candidates, then the articles closest in meaning within the dates (which
    may share no word with the asked one), each compared once."""
    within = searcher.dates_within(since, until) if since or until else None
    extra = []
    for article_id in meaning.nearest(archive.settings.related.semantic_candidates):
        number = searcher.document_number(article_id)
        if number is None or number == docnum or searcher.is_deleted(number):
            continue
        if within is None or within(number):
            extra.append(number)
    merged = list(dict.fromkeys(found + extra))
    meaning.measure([searcher.stored(n).id for n in merged])
    return merged


def _blend(archive: Archive, meaning: Meaning, other_id: str | None, lexical: float,
           reasons: list[str], days: int | None) -> tuple[float, list[str]]:
    """The blended score of a candidate and its reasons, which say "similar in meaning" when
    meaning rather than shared words made most of the link. A candidate without a vector
    keeps its lexical score."""
    close = meaning.closeness(other_id or "")
    if close is None:
        return lexical, reasons
    weight = min(archive.settings.related.semantic_weight, 1.0)
    score = (1.0 - weight) * lexical + weight * close
    # a copy of the story is said to be one; another story, close in meaning more than in
    # words, is said to be that
    if close > 0 and weight * close > (1.0 - weight) * lexical and "duplicate" not in reasons:
        said = f"similar in meaning ({meaning.cosine[other_id or '']:.2f})"
        reasons = [said] + (reasons or ([scoring.when(days)] if days is not None else []))
    return score, reasons


def _archived(archive: Archive, searcher: Searcher, docnum: int) -> tuple[Article, str] | None:
    """An archived article (with its id) and its path in corpus/, or None when its file cannot
    be read: gone or damaged since the index was updated, it is not compared."""
    stored = searcher.stored(docnum)
    try:
        found = archive.corpus.read(stored.path)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    found.id = stored.id
    return found, stored.path
