"""A phrase that repeats its words ('oil price said oil price said …'): each distinct word read
once, the same matches and scores as Whoosh's phrase."""

from __future__ import annotations

import pytest
from conftest import article
from whoosh import query
from whoosh.reading import SegmentReader

from archive_search import Archive
from archive_search.engine import whoosh_query
from archive_search.engine.fields import BODY, TITLE
from archive_search.query import read

BODIES = [
    "gold coin gold coin gold coin",
    "gold coin gold and coin gold coin",
    "coin gold coin gold",
    "gold gold coin coin",
    "gold coin",
    "silver gold coin gold coin silver gold coin gold coin gold",
    "gold silver coin gold coin",
]


@pytest.fixture
def coins(archive: Archive, add_articles) -> Archive:
    add_articles(*[article(f"Note {n}", body) for n, body in enumerate(BODIES)])
    add_articles(article("gold coin gold coin", "nothing else"))
    return archive


def found(searcher, q) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


@pytest.mark.parametrize("words", [
    "gold coin gold coin", "gold coin gold", "coin gold coin gold",
    "gold coin gold coin gold coin", "gold gold", "silver gold coin gold",
])
@pytest.mark.parametrize("slop", [1, 2, 3])
def test_a_repeated_phrase_matches_and_scores_as_whoosh_does(coins: Archive, words, slop):
    with coins.index.searcher(coins.settings.search) as opened:
        searcher = opened.searcher
        for name in (TITLE, BODY):
            theirs = query.Phrase(name, words.split(), slop=slop, boost=0.5)
            mine = whoosh_query._Phrase.of(theirs)
            assert type(mine) is whoosh_query._Phrase
            assert found(searcher, mine) == pytest.approx(found(searcher, theirs), rel=1e-12)


def test_a_repeated_phrase_reads_each_word_once(coins: Archive, monkeypatch):
    opened: list[bytes] = []
    postings = SegmentReader.postings

    def counted(self, fieldname, text, *args, **kwargs):
        opened.append(text)
        return postings(self, fieldname, text, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "postings", counted)
    text = '"' + " ".join(["gold", "coin"] * 10) + '"'
    with coins.index.searcher(coins.settings.search) as searcher:
        compiled = whoosh_query.compile_query(read(text, coins.settings), searcher.searcher,
                                              coins.settings)
        hits = searcher.searcher.search(compiled.query, limit=10)
        assert len(hits) == 0
    # two words, in the title and the body, of one segment: four readers, not forty
    assert 0 < len(opened) <= 4
