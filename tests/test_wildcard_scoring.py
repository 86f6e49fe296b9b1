"""Wildcards that stand for many words: scored as Whoosh scores them, and, beyond the bound on
the places scored (MAX_SCORED), their commonest words still match, after the others."""

from __future__ import annotations

import pytest
from conftest import article
from whoosh import query

from archive_search import Archive
from archive_search.engine import whoosh_arrays, whoosh_query
from archive_search.engine.fields import BODY, TAGS, TITLE
from archive_search.query import read

#: words ending in -ax (which stemming leaves alone), from everywhere to one article, so that
#: the commonest cost most
COMMON, MIDDLE, RARE = "tax", "fax", ["wax", "relax", "climax", "borax"]


@pytest.fixture
def sport(archive: Archive, add_articles, monkeypatch) -> Archive:
    """Three batches (three segments) of articles with words ending in -ax in titles, bodies
    and tags, each of a batch with its own mix."""
    from archive_search import index

    monkeypatch.setattr(index, "TINY_SEGMENT", 0)  # a segment per batch, as a large archive
    for batch in range(3):
        add_articles(*[
            article(f"Report {batch}-{n}" + (" relax" if n == 2 else ""),
                    " ".join([COMMON] * (1 + n % 3) + [MIDDLE] * (n % 2)
                             + [RARE[(batch + n) % 4]] * (n % 4 == 0)
                             + ["harbour"] * (n % 5 == 0) + [f"filler{n}"] * n),
                    tags=["climax"] if n == 3 else [])
            for n in range(8)
        ])
    add_articles(article("Quiet", "nothing here but harbour"))
    return archive


def whooshs_own(searcher, fields: dict[str, float], pattern: str) -> query.Query:
    """The wildcard in each field, its words as Whoosh finds them, matched by Whoosh alone
    (as its Wildcard does, save that a field's boost counts when it matches one word too:
    Whoosh forgets the boost of an Or of one word)."""
    reader = searcher.reader()
    return query.Or([query.Term(name, word, boost=boost)
                     for name, boost in fields.items()
                     for word in query.Wildcard(name, pattern)._btexts(reader)])


def scores(searcher, q, limit=None) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=limit)}


def ranked(searcher, q, limit=None) -> list[int]:
    return [hit.docnum for hit in searcher.search(q, limit=limit)]


def compiled(archive: Archive, searcher, text: str) -> whoosh_query.Compiled:
    return whoosh_query.compile_query(read(text, archive.settings), searcher, archive.settings)


def boosts(archive: Archive) -> dict[str, float]:
    opts = archive.settings.search
    return {TITLE: opts.title_boost, BODY: 1.0, TAGS: opts.tags_boost}


def test_a_wildcard_matches_and_scores_as_whoosh_does(sport: Archive):
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        assert len(searcher.leaf_searchers()) > 1
        mine = compiled(sport, searcher, "*ax")
        assert mine.warnings == []
        theirs = scores(searcher, whooshs_own(searcher, boosts(sport), "*ax"))
        assert scores(searcher, mine.query) == pytest.approx(theirs, rel=1e-12)
        # a page of the best three skips the rest by each block's best score, and finds them
        assert ranked(searcher, mine.query, 3) == ranked(searcher, whooshs_own(
            searcher, boosts(sport), "*ax"), 3)


def test_a_wildcard_beside_other_words_matches_as_whoosh_does(sport: Archive):
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        mine = compiled(sport, searcher, "*ax harbour")
        theirs = query.And([whooshs_own(searcher, boosts(sport), "*ax"),
                            query.Or([query.Term(TITLE, "harbour", boost=boosts(sport)[TITLE]),
                                      query.Term(BODY, "harbour")])])
        assert scores(searcher, mine.query) == pytest.approx(scores(searcher, theirs), rel=1e-12)


def test_the_commonest_words_beyond_the_bound_match_without_scoring(sport: Archive,
                                                                     monkeypatch):
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 12)
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        mine = compiled(sport, searcher, "*ax")
        assert len(mine.warnings) == 1
        assert "'*ax'" in mine.warnings[0] and COMMON in mine.warnings[0]
        everything = scores(searcher, whooshs_own(searcher, boosts(sport), "*ax"))
        got = scores(searcher, mine.query)
        # every match is there...
        assert set(got) == set(everything)
        # ...those with only unscored words after all the others, in the order of documents
        alone = [d for d, s in got.items() if s < 1e-3]
        assert alone, "the fixture has articles with only the commonest word"
        order = ranked(searcher, mine.query)
        assert order[-len(alone):] == sorted(alone)
        # a page of the best three is the first three of all of them
        assert ranked(searcher, mine.query, 3) == order[:3]


def test_a_page_is_filled_from_unscored_words_when_too_few_others_match(sport: Archive,
                                                                        monkeypatch):
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 1)
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        mine = compiled(sport, searcher, "*ax")
        everything = ranked(searcher, whooshs_own(searcher, boosts(sport), "*ax"))
        page = ranked(searcher, mine.query, 10)
        assert len(page) == 10 and set(page) <= set(everything)
        assert ranked(searcher, mine.query) [:10] == page


@pytest.mark.parametrize("steps", [1, 1000])
def test_unscored_words_are_walked_or_read_whole_alike(sport: Archive, monkeypatch, steps):
    """Beside a required word, a date or a date order, the unscored words are walked one
    document at a time, then (after LAZY_STEPS) read whole: the same matches either way."""
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 12)
    monkeypatch.setattr(whoosh_arrays, "LAZY_STEPS", steps)
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        mine = compiled(sport, searcher, "*ax harbour")
        theirs = query.And([whooshs_own(searcher, boosts(sport), "*ax"),
                            query.Or([query.Term(TITLE, "harbour"), query.Term(BODY, "harbour")])])
        assert set(scores(searcher, mine.query)) == set(scores(searcher, theirs))
        alone = compiled(sport, searcher, "*ax")
        assert set(scores(searcher, alone.query)) == set(
            scores(searcher, whooshs_own(searcher, boosts(sport), "*ax")))


def test_search_says_which_words_were_not_scored(sport: Archive, monkeypatch):
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 12)
    result = sport.search("*ax", limit=0)
    assert any(COMMON in warning for warning in result.warnings)
    assert result.total == 24
    newest = sport.search("*ax", limit=0, sort="newest")
    assert len(newest.hits) == 24


def test_a_page_does_not_read_the_unscored_words_whole(sport: Archive, monkeypatch):
    """The point of not scoring them: a page of the best matches reads a block or two of
    each unscored word, not every place it occurs."""
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 12)

    def refuse(self):
        raise AssertionError("read whole")

    monkeypatch.setattr(whoosh_arrays.Unscored, "arrays", refuse)
    result = sport.search("*ax", limit=3, count=False)
    assert len(result.hits) == 3 and result.more


def test_a_fields_words_are_read_as_whoosh_lists_them(sport: Archive):
    """A leading '*' reads every word of a field: straight from each segment's word list,
    the same words as Whoosh's lexicon, in its order."""
    with sport.index.searcher(sport.settings.search) as found:
        reader = found.searcher.reader()
        for name in (TITLE, BODY, TAGS):
            assert whoosh_arrays.field_words(reader, name) == list(reader.lexicon(name))


def test_a_deleted_article_is_not_matched_by_unscored_words(sport: Archive, monkeypatch):
    """The word list gives each word's first document, which may have been deleted since:
    unscored words open their postings (which leave deleted documents out) before saying
    where they are."""
    manifest = sport.index.load_manifest().ids()
    gone = sport.search("tax", limit=1, sort="oldest").hits[0].id
    (sport.corpus.root / manifest[gone]).unlink()
    sport.update_index()
    monkeypatch.setattr(whoosh_query, "MAX_SCORED", 12)
    with sport.index.searcher(sport.settings.search) as found:
        searcher = found.searcher
        assert any(sub.reader().has_deletions() for sub, _ in searcher.leaf_searchers())
        mine = compiled(sport, searcher, "*ax")
        assert COMMON in mine.warnings[0]
        everything = scores(searcher, whooshs_own(searcher, boosts(sport), "*ax"))
        for limit in (None, 3, 30):
            assert set(ranked(searcher, mine.query, limit)) <= set(everything)
        assert set(scores(searcher, mine.query)) == set(everything)
    result = sport.search("*ax", limit=0)
    assert gone not in [hit.id for hit in result.hits] and len(result.hits) == 23
