"""Short queries: the articles with every word come first, then those with some of them.

A reporter types two or three words. Requiring every word kept the top precise but cut off
most relevant stories (`crude oil prices` found a third of the stories about crude oil);
matching any word let a story that says "prices" forty times outrank one about crude oil.
So the articles with all the words rank first, as before, and the rest follow.
"""

from __future__ import annotations

import pytest
from conftest import article

from archive_search import Archive


@pytest.fixture
def oil(archive: Archive, add_articles) -> dict[str, str]:
    names = ("all", "all2", "crude", "prices", "neither")
    ids = add_articles(
        article("Crude oil prices climb", "Crude oil prices rose as supply tightened."),
        article("Refinery margins", "Traders said crude oil prices would stay high."),
        article("Crude output cut", "OPEC members agreed to cut crude oil output again."),
        article("Grocery prices", "Prices prices prices: shoppers paid more for bread."),
        article("Tram line opens", "A new tram line opened downtown."),
    )
    return dict(zip(names, ids, strict=True))


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_articles_with_every_word_rank_first_then_those_with_some(archive, oil):
    result = archive.search("crude oil prices", limit=0)
    assert set(ids(result)[:2]) == {oil["all"], oil["all2"]}
    assert set(ids(result)[2:]) == {oil["crude"], oil["prices"]}
    assert oil["neither"] not in ids(result)


def test_the_total_says_how_many_had_every_word(archive, oil):
    result = archive.search("crude oil prices", limit=1)
    assert (result.total, result.all_words) == (4, 2)
    assert archive.search("crude oil prices", limit=1, count=False).total is None


def test_a_page_filled_by_articles_with_every_word_runs_nothing_more(archive, oil):
    result = archive.search("crude oil prices", limit=2)
    assert set(ids(result)) == {oil["all"], oil["all2"]} and result.more


@pytest.mark.parametrize("strict", [
    '"crude oil" prices',     # a phrase
    "crude AND oil AND prices",
    "title:crude oil prices",  # a field clause
    "+crude +oil +prices",
])
def test_explicit_syntax_keeps_every_word_required(archive, oil, strict):
    result = archive.search(strict, limit=0)
    assert oil["prices"] not in ids(result) and result.all_words is None


def test_a_name_keeps_every_word_required(archive, add_articles):
    """'Kim Jong' alone is another person: a name is never loosened."""
    son, father = add_articles(article("Summit", "Kim Jong Un met Putin."),
                               article("History", "Kim Jong Il rode the train."))
    assert ids(archive.search("Kim Jong Un", limit=0)) == [son]


def test_date_order_lists_only_articles_with_every_word(archive, oil):
    result = archive.search("crude oil prices", sort="newest", limit=0)
    assert set(ids(result)) == {oil["all"], oil["all2"]}


def test_explain_gives_articles_with_some_words_their_parts(archive, oil):
    result = archive.search("crude oil prices", limit=0, explain=True)
    assert "THEN SOME WORDS" in result.reading
    for hit in result.hits:
        assert sum(score for _, score in hit.explain) == pytest.approx(hit.score, rel=1e-3)
        assert hit.explain


def test_operator_and_in_the_settings_requires_every_word(archive, oil):
    from dataclasses import replace

    archive.settings = replace(archive.settings, search=replace(
        archive.settings.search, default_operator="and"))
    assert set(ids(archive.search("crude oil prices", limit=0))) == {oil["all"], oil["all2"]}


def test_did_you_mean_still_helps_when_no_article_has_every_word(archive, add_articles):
    add_articles(*[article(f"Port story {n}", "The harbour reopened after the storm.")
                   for n in range(4)])
    result = archive.search("harbuor storm")
    assert result.all_words == 0 and result.hits  # 'storm' alone still finds the stories
    assert result.suggestion is not None and result.suggestion.query == "harbour storm"


def test_the_cli_says_how_many_had_every_word(run, oil):
    result = run("search", "crude oil prices", "-n", "1", "-f", "table")
    assert result.exit_code == 0
    assert "of 4, 2 with every word" in result.stderr


def test_a_total_that_is_an_estimate_says_about(archive, oil, run, monkeypatch):
    """Above a bound, Whoosh's count is an upper estimate (a second pass would be needed for
    the exact one): the total says so rather than passing the estimate off as a count."""
    import archive_search.engine.whoosh_search as whoosh_search

    monkeypatch.setattr(whoosh_search, "EXACT_COUNT_UP_TO", 0)
    result = archive.search("crude OR prices OR tram", limit=1)
    assert result.estimated and result.total >= 4
    assert " of about " in run("search", "crude OR prices OR tram", "-n", "1").stderr
    monkeypatch.setattr(whoosh_search, "EXACT_COUNT_UP_TO", 2000)
    assert not archive.search("crude OR prices OR tram", limit=1).estimated
