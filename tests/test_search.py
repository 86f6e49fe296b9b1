"""Ranked search: exact names first, dates, sorting, paging, and clear errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import article

from archive_search import Archive, QueryError
from archive_search.dates import parse_user_date
from archive_search.output import HL_END, HL_START


@pytest.fixture
def news(archive: Archive, add_articles):
    return dict(zip(
        ["exact", "apart", "other", "later"],
        add_articles(
            article("Leader visits the Far East",
                    "Kim Jong-un arrived in Vladivostok by armoured train.",
                    date="2023-09-12T10:00:00+10:00", tags=["korea", "russia"]),
            article("Seoul minister speaks",
                    "Minister Kim said the UN would meet. Jong was absent; un-named aides spoke.",
                    date="2023-09-14T09:00:00", tags=["korea"]),
            article("Storm season", "The harbour wall held.", date="2023-10-02",
                    tags=["floods"]),
            article("Kim Jong-un returns to Pyongyang", "The train left Vladivostok.",
                    date="2023-09-18T14:17:00", tags=["korea"]),
        ),
        strict=True,
    ))


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_exact_name_ranks_above_words_apart(archive, news):
    found = ids(archive.search("Kim Jong-un"))
    assert set(found[:2]) == {news["exact"], news["later"]}
    assert found.index(news["apart"]) > 1 if news["apart"] in found else True


def test_date_filters_in_query_and_options(archive, news):
    import datetime as dt

    assert set(ids(archive.search("Vladivostok date:2023-09-12"))) == {news["exact"]}
    assert set(ids(archive.search("date:[2023-09-13 to 2023-09-30]"))) == {
        news["apart"], news["later"]}
    assert ids(archive.search("harbour", since=dt.datetime(2023, 10, 1))) == [news["other"]]
    assert ids(archive.search("harbour", until=dt.datetime(2023, 9, 30))) == []


def test_dates_are_searched_to_the_instant_though_the_index_keeps_only_days(archive,
                                                                            add_articles):
    """The date field is indexed by day (a smaller index); a bound with a time of day still
    cuts its day at that instant, read from the date column, in every kind of search."""
    import datetime as dt

    dawn, noon, dusk = add_articles(
        article("Tide at dawn", "The harbour tide.", date="2023-09-18T06:00:00"),
        article("Tide at noon", "The harbour tide.", date="2023-09-18T12:00:00"),
        article("Tide at dusk", "The harbour tide.", date="2023-09-18T19:30:00"),
    )
    morning, evening = dt.datetime(2023, 9, 18, 9), dt.datetime(2023, 9, 18, 18)
    assert set(ids(archive.search("harbour", since=morning))) == {noon, dusk}
    assert set(ids(archive.search("harbour", until=evening))) == {dawn, noon}
    assert ids(archive.search("harbour", since=morning, until=evening)) == [noon]
    assert ids(archive.search("harbour", since=morning, sort="newest")) == [dusk, noon]
    assert ids(archive.search("*", until=evening, sort="oldest")) == [dawn, noon]
    # a bound at an article's very instant keeps it; whole days need no column
    assert ids(archive.search("harbour", since=dt.datetime(2023, 9, 18, 19, 30))) == [dusk]
    assert len(archive.search("harbour date:2023-09-18").hits) == 3
    assert archive.search("harbour", since=morning).total == 2


def test_sort_newest_and_oldest(archive, news):
    newest = ids(archive.search("korea", sort="newest"))
    assert newest == [news["later"], news["apart"], news["exact"]]
    assert ids(archive.search("korea", sort="oldest")) == newest[::-1]


def test_hits_sorted_by_date_keep_their_relevance_score(archive, news):
    # Whoosh hands a sorted hit its sort key (a huge negative number for newest first) as
    # its score: the score shown and exported must be the query's, as in relevance order
    relevant = {h.id: h.score for h in archive.search("Vladivostok train").hits}
    for sort in ("newest", "oldest"):
        by_date = archive.search("Vladivostok train", sort=sort)
        assert {h.id: h.score for h in by_date.hits} == pytest.approx(relevant)
        assert all(0 < h.score < 1000 for h in by_date.hits)
    everything = {h.id: h.score for h in archive.search("*").hits}
    assert {h.id: h.score for h in archive.search("*", sort="newest").hits} == everything


def test_limit_offset_and_total(archive, news):
    first = archive.search("korea", sort="oldest", limit=2)
    second = archive.search("korea", sort="oldest", limit=2, offset=2)
    assert first.total == 3 and len(first.hits) == 2 and len(second.hits) == 1
    assert ids(first) + ids(second) == ids(archive.search("korea", sort="oldest"))


def test_total_is_left_uncounted_on_request_only_when_the_page_is_full(archive, news):
    assert archive.search("korea", limit=2, count=False, suggest=False).total is None
    # a full page shorter than the did-you-mean threshold (3) is counted to decide on it
    assert archive.search("korea", limit=2, count=False).total == 3
    assert archive.search("korea", limit=5, count=False).total == 3
    assert archive.search("korea", limit=2, offset=2, count=False).total == 3


def test_an_uncounted_search_never_asks_whoosh_for_the_number_of_matches(
    archive, news, monkeypatch
):
    from whoosh.searching import Results

    def refuse(self):
        raise AssertionError("counted all matches")

    monkeypatch.setattr(Results, "__len__", refuse)
    result = archive.search("korea", limit=2, count=False, suggest=False)
    assert len(result.hits) == 2 and result.total is None


def test_field_filters_and_tags(archive, news):
    assert ids(archive.search("title:returns")) == [news["later"]]
    assert set(ids(archive.search("tags:russia"))) == {news["exact"]}
    assert set(ids(archive.search("tag:floods OR tag:russia"))) == {news["exact"], news["other"]}


def test_snippets_mark_the_matched_words(archive, news):
    hit = archive.search("armoured").hits[0]
    assert f"{HL_START}armoured{HL_END}" in hit.snippet


def test_star_lists_everything(archive, news):
    assert archive.search("*", limit=0).total == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"Kim Jong', "unbalanced quote"),
        ("colour:red", "unknown field 'colour:'"),
        ("date:blarg", "not a date: 'blarg'"),
        ("date:[2023-09-01 2023-09-30]", "date range"),
        ("date:[2023-10-01 to 2023-09-01]", "exclude every date"),
        ("x" * 5000, "query too long"),
        ("   ", "empty query"),
    ],
)
def test_bad_queries_say_what_is_wrong(archive, news, query, message):
    with pytest.raises(QueryError, match=message):
        archive.search(query)


def test_runaway_wildcards_are_refused(archive: Archive, add_articles):
    words = " ".join(f"word{i}" for i in range(60))
    add_articles(article("Many words", words))
    archive.settings = replace(archive.settings, search=replace(archive.settings.search,
                                                                max_expansions=50))
    with pytest.raises(QueryError, match="more than 50 different words"):
        archive.search("word*")
    assert archive.search("word1*").total == 1


def test_did_you_mean_offers_the_spelling_the_archive_uses(archive: Archive, add_articles):
    add_articles(*[
        article(f"Fed chair number {i}", f"Paul Volcker spoke about rates, day {i}.")
        for i in range(4)
    ])
    result = archive.search("Volker")
    assert result.total == 0
    assert result.suggestion is not None
    assert result.suggestion.query == "Volcker"
    assert result.suggestion.articles == 4


def test_no_suggestion_when_the_query_finds_plenty(archive, news):
    assert archive.search("korea").suggestion is None


def test_explain_splits_the_score_by_query_part(archive, news):
    result = archive.search("Kim Jong-un", explain=True)
    top = result.hits[0]
    parts = dict(top.explain)
    assert any(part.startswith(("body:\"kim jong un\"", "title:\"kim jong un\"")) for part in parts)
    assert all(score > 0 for score in parts.values())
    assert "kim" in result.reading


def test_explain_shows_what_feedback_added(archive: Archive, add_articles):
    add_articles(
        article("Harbour", "storm flood harbour wall surge surge"),
        article("Quay", "storm flood harbour wall"),
        article("Dyke", "storm surge"),
        *(article(f"Other {n}", f"market prices rose {n}") for n in range(4)),
    )
    result = archive.search("storm flood harbour wall", explain=True)
    assert "RERANKED BY FEEDBACK" in result.reading
    for hit in result.hits:
        parts = dict(hit.explain)
        feedback = [value for part, value in parts.items() if part.startswith("feedback(")]
        assert len(feedback) == 1 and feedback[0] >= 0
    dyke = next(hit for hit in result.hits if hit.title == "Dyke")
    assert dict(dyke.explain)["body:storm"] < dyke.score  # surge, from the feedback, counts


def test_recent_prefers_newer_among_relevant_without_burying_the_best(
    archive: Archive, add_articles
):
    old, new, weak = add_articles(
        article("Barrier news", "The barrier held.", date="2023-01-01"),
        article("Barrier news", "The barrier held!", date="2024-01-01"),
        article("Harbour news", "A barrier, once, then " + "other harbour words " * 20,
                date="2024-03-01"),
    )
    best = archive.search("barrier").hits[0]
    hits = archive.search("barrier", recent=True).hits
    recent = [h.id for h in hits]
    assert hits[0].id in (old, new) and best.id in (old, new)  # the best two stay on top
    assert recent.index(new) < recent.index(old)
    assert recent[-1] == weak
    # the score printed is the blended one the list is ordered by (it was the unblended one,
    # so a lower score could be listed above a higher)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] <= best.score


def test_recent_prints_the_blended_score_it_orders_by(archive: Archive, add_articles):
    old, new = add_articles(
        article("Barrier news", "The barrier held. The barrier stood.", date="2023-01-01"),
        article("Barrier news", "The barrier held on.", date="2024-01-01"),
    )
    plain = archive.search("barrier").hits
    assert [h.id for h in plain] == [old, new]  # the older one matches better
    hits = archive.search("barrier", recent=True).hits
    assert [h.id for h in hits] == [new, old]
    assert hits[0].score > hits[1].score


def test_all_capitals_queries_treat_operators_as_words(archive: Archive, add_articles):
    [a] = add_articles(article("Talks", "Kennedy and Khrushchev or their envoys met."))
    result = archive.search("KENNEDY AND KHRUSHCHEV OR ENVOYS")
    assert [h.id for h in result.hits] == [a]
    assert any("all-capitals" in n for n in result.notes)


@pytest.mark.parametrize(
    "prose",
    [
        "(harbour)? How did the wall hold",
        "the question is: did the harbour wall hold",
        "did the harbour wall hold?",
    ],
)
def test_prose_punctuation_is_not_syntax(archive, news, prose):
    assert [h.id for h in archive.search(prose).hits][0] == news["other"]


def test_long_queries_match_any_word_best_first(archive, news):
    found = [h.id for h in archive.search("harbour wall storm season zeppelin").hits]
    assert found == [news["other"]]


def test_punctuation_alone_is_an_error_not_everything(archive, news):
    with pytest.raises(QueryError, match="no searchable words"):
        archive.search("?")


def test_feedback_hears_only_articles_inside_the_dates(archive: Archive, add_articles):
    # the old article, far the best match, would vote for "zephyr" and lift the newer one
    # that shares it; --since keeps it out of the vote, so the two newer ones stay level
    add_articles(
        article("Harbour", "storm flood harbour wall storm flood harbour wall zephyr zephyr",
                date="2020-01-01"),
        article("Quay one", "storm flood harbour wall yonder", date="2023-05-01"),
        article("Quay two", "storm flood harbour wall zephyr", date="2023-05-01"),
        article("Elsewhere", "yonder yonder", date="2020-01-01"),  # as common as zephyr
    )
    since = archive.search("storm flood harbour wall", since=parse_user_date("2023-01-01"))
    assert [h.title for h in since.hits] == ["Quay one", "Quay two"]
    assert since.hits[0].score == since.hits[1].score
    everything = archive.search("storm flood harbour wall")
    assert [h.title for h in everything.hits] == ["Harbour", "Quay two", "Quay one"]


def test_phrase_bonus_can_be_turned_off(archive: Archive, news):
    assert '"kim jong un"' in archive.search("Kim Jong-un", exact=True).reading
    (archive.root / "archive.yaml").write_text("search:\n  phrase_boost: 0\n", encoding="utf-8")
    plain = Archive.open(archive.root).search("leader visits", exact=True)
    assert "ANDMAYBE" not in plain.reading and plain.hits


def test_explain_lists_each_part_once(archive: Archive, add_articles):
    """A name query holds some parts twice (the exact phrase as a bonus and as a spelling of
    the name): --explain listed them twice; each is listed once with what it adds in all."""
    add_articles(
        article("Kim Jong-un visits Russia", "Kim Jong-un met Putin. Kim Jong Un left."),
        article("Kim Jong Un returns", "Kim Jong Un went home; Kim Jongun said little."),
    )
    for hit in archive.search("Kim Jong-un", explain=True).hits:
        labels = [label for label, _ in hit.explain]
        assert len(labels) == len(set(labels)), labels
