"""Related articles: what is suggested, why, how copies are handled, and what never counts."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import article

from archive_search import Archive, Article
from archive_search import related as related_mod
from archive_search.errors import ArchiveError, NotFound
from archive_search.related import related

BOILERPLATE = "Follow Iron Blade Online for breaking news alerts every morning."
KIM = ["Kim Jong-un", "Vladimir Putin"]


@pytest.fixture
def news(add_articles) -> dict[str, str]:
    """Five small stories of two articles or more each, and unrelated fillers."""
    stories = {
        "visit": article(
            "Kim Jong-un visits Vostochny cosmodrome",
            "Kim Jong-un toured the Vostochny cosmodrome with Vladimir Putin.\n\n"
            "The rocket launch site in the Amur region impressed the guest.",
            date="2023-09-13T10:00:00",
            tags=["korea", "russia"],
            names=KIM,
        ),
        "halls": article(
            "Putin shows Kim the cosmodrome",
            "Vladimir Putin showed Kim Jong-un the rocket assembly halls at the Vostochny "
            "cosmodrome. The leaders discussed satellites.",
            date="2023-09-13T18:00:00",
            tags=["korea", "russia"],
            names=KIM,
        ),
        "launch": article(
            "Soyuz rocket lifts off from Vostochny",
            "A Soyuz rocket lifted off from the Vostochny cosmodrome carrying weather satellites.",
            date="2023-08-11",
            tags=["russia", "space"],
        ),
        "rates": article(
            "Central bank raises interest rates",
            "The central bank raised its benchmark interest rate by a quarter point to curb "
            "inflation. Economists expected the increase.",
            date="2023-07-27",
            tags=["economy"],
        ),
        "inflation": article(
            "Inflation slows after rate increase",
            "Inflation eased in August, weeks after the central bank raised interest rates. "
            "Mortgage lenders followed the increase.",
            date="2023-09-12",
            tags=["economy"],
        ),
        "derby": article(
            "United beat City in derby",
            "United scored twice in the second half to beat City in the derby. The goalkeeper "
            "saved a penalty.",
            date="2023-09-03",
            tags=["football"],
        ),
        "penalty": article(
            "Derby penalty drama",
            "The derby turned when the goalkeeper saved a penalty; United then scored twice.",
            date="2023-09-04",
            tags=["football"],
        ),
        "flood": article(
            "River floods the old town",
            "Heavy rain pushed the river over its banks and flooded the old town. Firefighters "
            "pumped water from cellars.",
            date="2023-09-20",
            tags=["weather"],
        ),
        "cellars": article(
            "Cellars pumped dry after river flood",
            "Firefighters spent the night pumping water from flooded cellars after the river "
            "burst its banks.",
            date="2023-09-21",
            tags=["weather"],
        ),
        "museum": article(
            "Museum opens dinosaur hall",
            "The museum unveiled skeletons, including a complete triceratops.",
        ),
        "bakery": article(
            "Bakery wins bread award",
            "A family bakery won the national prize for sourdough loaves.",
        ),
        "orchestra": article(
            "Orchestra tours Japan", "The symphony orchestra began a concert tour with Mahler."
        ),
        "chess": article(
            "Chess prodigy takes title",
            "A twelve-year-old grandmaster won the championship in Oslo.",
        ),
        "timetable": article(
            "New train timetable",
            "Commuters face earlier departures when the winter schedule starts.",
        ),
    }
    return dict(zip(stories, add_articles(*stories.values()), strict=True))


def suggestions(archive: Archive, article_id: str, **kw) -> dict[str, related_mod.RelatedItem]:
    return {item.id: item for item in related(archive, article_id, **kw).items}


def test_finds_the_same_story_first_and_says_why(archive, news):
    result = related(archive, news["visit"])
    assert [item.id for item in result.items[:2]] == [news["halls"], news["launch"]]
    halls, launch = result.items[:2]
    assert halls.reasons[0].startswith("shared terms: ")
    terms = halls.reasons[0].removeprefix("shared terms: ").split(", ")
    assert {"cosmodrome", "rocket"} <= set(terms)
    # the words of a shared name are given as the name (found in the text by the name layer)
    assert "putin" not in terms and "vostochny" not in terms
    assert "shared names: Kim Jong-un, Vladimir Putin, Vostochny" in halls.reasons
    assert "same tags: korea, russia" in halls.reasons
    assert halls.reasons[-1] == "same day" and halls.days_apart == 0
    assert launch.reasons[-1] == "33 days apart"
    assert not halls.duplicate and halls.score > launch.score


def test_unrelated_articles_are_not_suggested(archive, news):
    found = suggestions(archive, news["derby"])
    assert set(found) == {news["penalty"]}
    assert related(archive, news["museum"]).items == []


def test_scores_are_in_range_and_symmetric(archive, news):
    scores = {}
    for article_id in news.values():
        for item in related(archive, article_id).items:
            assert 0.0 <= item.score <= 1.0
            scores[(article_id, item.id)] = item.score
    assert scores
    for (a, b), score in scores.items():
        assert scores[(b, a)] == pytest.approx(score, abs=0.02)


def test_copies_are_flagged_and_can_be_left_out(archive, news, add_articles):
    visit = archive.get(news["visit"])[0]
    copy, update = add_articles(
        Article(title=visit.title, body=visit.body, id="visit-copy", date=visit.date),
        Article(
            title="UPDATE 1-" + visit.title,
            body=visit.body + " Talks went on late.",
            id="visit-update",
            date="2023-09-14",
        ),
    )
    found = suggestions(archive, news["visit"])
    for dup in (copy, update):
        assert found[dup].duplicate and found[dup].reasons[0] == "duplicate"
    assert found[copy].score == 1.0 and found[update].score > 0.8
    assert not found[news["halls"]].duplicate

    kept = suggestions(archive, news["visit"], exclude_duplicates=True)
    assert copy not in kept and update not in kept and news["halls"] in kept

    # copies of another story do not fill the list either: one of the three is shown
    launch = suggestions(archive, news["launch"], exclude_duplicates=True)
    assert len({news["visit"], copy, update} & set(launch)) == 1


def test_text_not_in_the_archive(archive, news):
    result = related(
        archive, text="A new rocket is ready at the Vostochny cosmodrome.", title="Next launch"
    )
    assert result.id is None
    assert {item.id for item in result.items[:3]} == {news["visit"], news["halls"], news["launch"]}

    rates = archive.get(news["rates"])[0]
    same = related(archive, text=rates.body, title=rates.title).items[0]
    assert same.id == news["rates"] and same.duplicate


def test_since_and_until_restrict_suggestions_only(archive, news, add_articles):
    (undated,) = add_articles(
        article(
            "Vostochny cosmodrome history",
            "The cosmodrome was built for rocket launches.",
            date=None,
        )
    )
    assert undated in suggestions(archive, news["visit"])
    september = suggestions(archive, news["visit"], since=dt.datetime(2023, 9, 1))
    assert news["halls"] in september
    assert news["launch"] not in september and undated not in september
    august = suggestions(archive, news["visit"], until=dt.datetime(2023, 8, 31, 23, 59, 59))
    assert set(august) == {news["launch"]}


def test_names_count_when_present(archive, news, add_articles):
    (visitor,) = add_articles(
        article(
            "Tractor plant inspection",
            "The delegation inspected a tractor plant.",
            names=["Kim Jong-un"],
        )
    )
    found = suggestions(archive, visitor)
    assert set(found) == {news["visit"], news["halls"]}
    assert found[news["visit"]].reasons[0] == "shared names: Kim Jong-un"


def test_tags_can_be_ignored(archive, news):
    found = suggestions(archive, news["visit"], use_tags=False)
    assert all(not r.startswith("same tags") for item in found.values() for r in item.reasons)


def test_junk_never_makes_articles_related(archive, news, add_articles, monkeypatch):
    # with no document-frequency ceiling, only the junk guards themselves are at work
    monkeypatch.setattr(related_mod, "MIN_DF_CEILING", 1000)
    monkeypatch.setattr(related_mod, "SOURCE_MIN_DOCS", 3)
    boiler = [
        article(body, f"{body}\n{BOILERPLATE}", see_also=["Central bank raises rates"])
        for body in (
            "Gardeners planted tulips.",
            "Cats climbed ladders.",
            "Pilots struck.",
            "Library extended hours.",
            "Comet photographed overnight.",
        )
    ]
    wire = [
        article(body, f"{body}\n\nReuter", source="Wire service")
        for body in (
            "Copper prices rose.",
            "Ferry ran aground.",
            "Voters chose mayor.",
            "Bees swarmed stadium.",
            "Snow closed pass.",
        )
    ]
    planet = [
        article(body, f"{body} Readers in Metropolis know this.", source="Daily Planet")
        for body in ("Tigers born at zoo.", "Bridge repainted green.", "Tax forms changed.")
    ]
    ids = add_articles(*boiler, *wire, *planet)
    for article_id in ids:
        for item in related(archive, article_id).items:
            assert item.id not in ids, (article_id, item.reasons)
            assert not {"follow", "reuter", "metropolis", "central"} & set(
                item.reasons[0].removeprefix("shared terms: ").split(", ")
            )


def test_nothing_to_compare_and_bad_requests(archive, news):
    empty = related(archive, text="the and of", title="")
    assert empty.items == [] and empty.notes
    with pytest.raises(NotFound):
        related(archive, "no-such-article")
    with pytest.raises(ArchiveError):
        related(archive)
    with pytest.raises(ArchiveError):
        related(archive, news["visit"], text="both")
    assert related(archive, news["visit"], limit=0).items == []
    assert len(related(archive, news["visit"], limit=1).items) == 1


def test_result_as_data(archive, news):
    data = related(archive, news["visit"], limit=1).as_dict()
    assert data["id"] == news["visit"]
    item = data["items"][0]
    assert {"id", "date", "title", "score", "reasons", "duplicate", "days_apart"} <= set(item)
    assert item["date"] == "2023-09-13T18:00:00"
