"""Ranking aids: the weighting model, repeated and function words, and feedback expansion."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import article
from whoosh import scoring

from archive_search import Archive
from archive_search import query as query_mod
from archive_search.config import SearchSettings
from archive_search.engine.whoosh_ranking import InExpB2, weighting
from archive_search.output import HL_END, HL_START


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def set_search(archive: Archive, **values) -> None:
    archive.settings = replace(archive.settings, search=replace(archive.settings.search, **values))


#: Unrelated articles, so that feedback words are rare enough to be worth adding.
FILLER = [
    article(f"Market report {n}", f"Shares and bonds moved on day {n}; traders waited.")
    for n in range(6)
]


def test_default_weighting_is_in_exp_b2_and_bm25_can_be_chosen():
    default = weighting(SearchSettings())
    assert isinstance(default, InExpB2)
    assert (default.c, default.title_c) == (SearchSettings.dfr_c, SearchSettings.dfr_title_c)
    chosen = weighting(SearchSettings(weighting="bm25", bm25_b=0.5))
    assert isinstance(chosen, scoring.BM25F)
    assert chosen.B == 0.5


def test_in_exp_b2_prefers_more_occurrences_and_shorter_articles(archive, add_articles):
    once, twice, twice_in_long = add_articles(
        article("Port one", "The dredger worked on; the crane stayed."),
        article("Port two", "The dredger came back; the dredger stayed."),
        article(
            "Port three", "The dredger came back; the dredger stayed. " + "Gulls circled. " * 40
        ),
        *FILLER,
    )[:3]
    set_search(archive, feedback_docs=0)
    found = ids(archive.search("dredger"))
    assert found[0] == twice
    assert set(found[1:3]) == {once, twice_in_long}


def test_a_repeated_word_weighs_more(archive, add_articles):
    wall, harbour = add_articles(
        article("Wall notes", "The wall was painted."),
        article("Harbour notes", "The harbour was painted."),
        *FILLER,
    )[:2]
    # four words: optional words (OR); 'harbour' typed three times outweighs 'wall' once
    assert ids(archive.search("harbour harbour harbour wall"))[:2] == [harbour, wall]
    assert ids(archive.search("wall wall wall harbour"))[:2] == [wall, harbour]


def test_function_words_are_dropped_from_long_queries_only(archive, add_articles):
    add_articles(article("Harbour", "Which wall held? What a storm."), *FILLER)
    long = archive.search("which harbour wall held during the storm")
    assert "body:which" not in long.reading
    assert "body:harbour" in long.reading
    # in a short query every word is required, so none is dropped
    short = archive.search("which wall")
    assert "body:which" in short.reading
    assert ids(short)


def test_a_query_of_only_function_words_keeps_them(archive, add_articles):
    [odd] = add_articles(article("Odd", "What about which of those?"), *FILLER)[:1]
    assert ids(archive.search("what about which of those")) == [odd]


@pytest.fixture
def storm(archive: Archive, add_articles) -> dict[str, str]:
    """One clear answer about a storm, an article sharing its vocabulary but only one query
    word, and an article with that one query word and nothing else in common."""
    added = add_articles(
        article(
            "Storm damage at the harbour",
            "The storm broke the breakwater; the surge flooded the marina and the "
            "breakwater needs repair. Storm damage is counted.",
        ),
        article("Marina notes", "The harbour marina: breakwater repair and surge gauges."),
        article("Festival", "The harbour festival had music, stalls and fireworks."),
        *FILLER,
    )
    return dict(zip(["answer", "kindred", "stranger"], added[:3], strict=True))


def test_feedback_lifts_articles_that_share_the_best_matches_vocabulary(archive, storm):
    query = "storm damage report for the harbour"
    set_search(archive, feedback_docs=0)
    plain = ids(archive.search(query))
    set_search(archive, feedback_docs=10)
    expanded = archive.search(query)
    assert plain.index(storm["kindred"]) > plain.index(storm["stranger"])
    assert ids(expanded).index(storm["kindred"]) < ids(expanded).index(storm["stranger"])
    assert "breakwat" in expanded.reading.split("RERANKED BY FEEDBACK(")[1]


def test_feedback_reorders_but_never_adds_matches(archive, storm):
    query = "storm damage report for the harbour"
    set_search(archive, feedback_docs=0)
    plain = archive.search(query, limit=0)
    set_search(archive, feedback_docs=10)
    expanded = archive.search(query, limit=0)
    assert expanded.total == plain.total
    assert set(ids(expanded)) == set(ids(plain))


def test_snippets_highlight_only_the_typed_words(archive, storm):
    hits = archive.search("storm damage report for the harbour").hits
    kindred = next(h for h in hits if h.id == storm["kindred"])
    assert f"{HL_START}harbour{HL_END}" in kindred.snippet
    assert HL_START + "breakwater" not in kindred.snippet


def test_no_feedback_for_queries_of_fewer_than_four_words(archive, storm):
    assert "FEEDBACK" not in archive.search("harbour storm damage").reading


def test_no_feedback_when_results_are_sorted_by_date(archive, storm):
    result = archive.search("storm damage report for the harbour", sort="newest")
    assert "FEEDBACK" not in result.reading


def test_feedback_skips_an_article_file_it_cannot_read(archive, storm):
    def unreadable(path: str) -> str:
        raise OSError(f"{path}: gone")

    with archive.index.searcher(archive.settings.search) as searcher:
        reading = query_mod.read("storm damage report for the harbour", archive.settings)
        found = searcher.rank(reading, archive.settings, read_body=unreadable)
    # the titles alone still vote
    assert "RERANKED BY FEEDBACK(" in found.reading


def test_feedback_can_be_turned_off(archive, storm):
    set_search(archive, feedback_docs=0)
    assert "breakwat" not in archive.search("storm damage report for the harbour").reading


def test_feedback_reranks_within_the_pass_that_finds_the_matches(archive, storm):
    """Feedback raises the scores of the best matches in the one pass that finds them (no
    second run of the query, no ranking of every match): the page is the best matches by
    their raised scores, the rest keep the typed order below them, and the total is the typed
    query's."""
    question = "storm damage report for the harbour"
    typed = archive.search(question, limit=0, snippets=False,
                           explain=True)  # with feedback: the default
    set_search(archive, feedback_docs=0)
    plain = archive.search(question, limit=0, snippets=False)
    assert {h.id for h in typed.hits} == {h.id for h in plain.hits}
    assert typed.total == plain.total
    scores = [h.score for h in typed.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in typed.hits:
        assert sum(score for _, score in hit.explain) == pytest.approx(hit.score, rel=1e-3)
    assert any(label.startswith("feedback(") for h in typed.hits for label, _ in h.explain)


def test_feedback_reads_only_the_opening_of_a_very_long_article():
    """One book-length article among the best matches made every question slow (feedback
    analysed all of it): only its first FEEDBACK_CHARS vote."""
    from archive_search.engine.stored import StoredArticle
    from archive_search.engine.whoosh_ranking import _votes
    from archive_search.index import build_schema
    from archive_search.ranking import FEEDBACK_CHARS

    body = "harbour " * (FEEDBACK_CHARS // 8) + "lighthouse " * 50_000
    long = StoredArticle(id="x", path="x.md", title="Long")
    votes = _votes([(long, 1.0)], build_schema(), lambda _: body, 10.0)
    words = {word for _, word in votes}
    assert "harbour" in words and "lighthous" not in words and "lighthouse" not in words
