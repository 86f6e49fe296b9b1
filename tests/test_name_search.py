"""Name-aware search and `arch names`: every spelling of one person, never another person."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import article

from archive_search import Archive


@pytest.fixture
def kims(archive: Archive, add_articles):
    return dict(zip(
        ["hyphen", "ap", "joined", "father", "sister"],
        add_articles(
            article("Leader arrives by train", "Kim Jong-un arrived in Vladivostok on Tuesday."),
            article("Summit at the spaceport", "Kim Jong Un met the Russian president."),
            article("Factory visit", "Kim Jongun toured an aircraft plant on Friday."),
            article("Rail history", "Kim Jong-il travelled to Moscow by train in 2001."),
            article("Statement from Pyongyang", "Kim Yo-jong issued a statement on Sunday."),
        ),
        strict=True,
    ))


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def test_every_spelling_of_one_name_is_found(archive, kims):
    result = archive.search("Kim Jong Un")
    assert ids(result) == {kims["hyphen"], kims["ap"], kims["joined"]}
    assert "Kim Jongun" in result.variants


def test_the_spelling_typed_ranks_first(archive, kims):
    hits = archive.search("Kim Jongun").hits
    assert hits[0].id == kims["joined"]


def test_different_people_are_never_merged(archive, kims):
    assert ids(archive.search("Kim Jong-il")) == {kims["father"]}
    assert ids(archive.search("Kim Yo-jong")) == {kims["sister"]}
    [entry] = [e for e in archive.names_matching("Kim Jong Un") if e.score == 100]
    assert set(entry.variants) == {"Kim Jong-un", "Kim Jong Un", "Kim Jongun"}


def test_exact_turns_the_expansion_off(archive, kims):
    result = archive.search("Kim Jong Un", exact=True)
    assert kims["joined"] not in ids(result)
    assert result.variants == []


def test_a_typo_still_finds_the_person_and_says_which_spelling(archive, add_articles):
    [volcker] = add_articles(article("Fed chairman speaks", "Paul Volcker said rates would hold."))
    result = archive.search("Paul Volker")
    assert ids(result) == {volcker}
    assert result.variants == ["Paul Volcker"]


def test_seed_vostochny_and_vostokny_are_one_place(archive, seed_file, add_articles):
    archive.import_paths([seed_file])
    [other] = add_articles(article("Launch", "A rocket left the Vostokny spaceport today."))
    # the seed writes "Vostochny" once and "Vostokny Cosmodrome" once; another article
    # writes "Vostokny": one place, found under either spelling
    [entry] = archive.names_matching("Vostokny", limit=1)
    assert set(entry.variants) == {"Vostochny", "Vostokny"}
    [seed] = [rel for rel in archive.corpus.scan() if "kim-jong-un" in rel]
    seed_id = archive.corpus.read(seed).id
    assert ids(archive.search("Vostochny")) == {seed_id, other}
    assert ids(archive.search("Vostokny")) == {seed_id, other}


def test_rules_in_archive_yaml_take_effect_without_reimport(archive, add_articles):
    [james] = add_articles(article("Treasury", "James Baker spoke in Washington."))
    assert archive.search("Jim Baker").hits == []
    settings = archive.root / "archive.yaml"
    data = yaml.safe_load(settings.read_text())
    data["names"] = {"aliases": [["Jim Baker", "James Baker"]], "separate": []}
    settings.write_text(yaml.safe_dump(data))
    reopened = Archive.open(archive.root)
    assert ids(reopened.search("Jim Baker")) == {james}


def test_separation_rules_win_over_automatic_matching(archive, add_articles):
    poehl, pohl = add_articles(
        article("Bundesbank", "Karl Otto Poehl spoke in Frankfurt."),
        article("Bundesbank again", "Karl Otto Pohl spoke in Bonn."),
    )
    assert ids(archive.search("Karl Otto Poehl")) == {poehl, pohl}
    settings = archive.root / "archive.yaml"
    data = yaml.safe_load(settings.read_text())
    data["names"] = {"aliases": [], "separate": [["Karl Otto Poehl", "Karl Otto Pohl"]]}
    settings.write_text(yaml.safe_dump(data))
    assert ids(Archive.open(archive.root).search("Karl Otto Poehl")) == {poehl}


def test_names_command_rows_and_json_keys(run, kims):
    result = run("names", "Kim Jong Un", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert list(rows[0]) == ["name", "variants", "articles", "first", "last", "score"]
    assert rows[0]["articles"] == 3
    catalogue = json.loads(run("names", "-f", "json", "-n", "0").stdout)
    assert {r["name"] for r in catalogue} >= {"Kim Jong-il", "Kim Yo-jong", "Vladivostok"}
    assert run("names", "Zebedee Quux").exit_code == 1


def test_clusters_are_listed_for_review(run, kims):
    rows = json.loads(run("names", "--clusters", "-f", "json").stdout)
    merged = [r for r in rows if "Kim Jongun" in r["names"]]
    assert merged and merged[0]["merged"] is True


def test_a_misspelt_name_the_archive_never_writes_finds_the_closest_person(
    archive, add_articles
):
    [stoltenberg] = add_articles(
        article("Bonn", "Gerhard Stoltenberg met his counterparts on Monday."))
    result = archive.search("Gerhard Stoltenbrg")
    assert ids(result) == {stoltenberg}
    assert result.variants == ["Gerhard Stoltenberg"]


def test_a_surname_alone_is_never_taken_for_a_full_name(archive, kims):
    result = archive.search("Kim Il-sung")
    assert result.variants == []
    assert ids(result) == set()


def test_a_new_spelling_counts_at_once_without_building_the_catalogue_again(
    archive, kims, add_articles, monkeypatch
):
    """After an update, a search uses the cached catalogue plus one of the few articles added
    or changed since (building the whole catalogue again takes seconds on a large archive)."""
    from archive_search.names import NameCatalog

    archive.search("Kim Jong Un")  # builds and caches the catalogue
    [dotted] = add_articles(article("Visit ends", "Kim Jong-Un left Khabarovsk on Sunday."))
    path = archive.corpus.root / archive.index.load_manifest().ids()[kims["sister"]]
    path.write_text(path.read_text().replace("Kim Yo-jong issued", "Kim Yo Jong issued"))
    archive.update_index()
    built = []
    real_build = NameCatalog.build.__func__

    def counting(cls, records, **kwargs):
        records = list(records)
        built.append(len(records))
        return real_build(cls, records, **kwargs)

    monkeypatch.setattr(NameCatalog, "build", classmethod(counting))
    result = archive.search("Kim Jong-un")
    assert built == [2]  # the new article and the edited one, not all six
    assert dotted in ids(result)
    assert {"Kim Jong-Un", "Kim Jong Un", "Kim Jongun"} <= set(result.variants)
    assert "Kim Yo Jong" in archive.search("Kim Yo-jong").variants  # the edited article
    # `arch names` wants exact counts: it builds the whole catalogue again
    archive.names_matching("Kim Jong-un")
    assert built == [2, 2, 6]


def test_names_limit_0_shows_every_match_as_the_help_says(archive, run):
    from conftest import article as make

    for n in range(16):  # some are one name romanised two ways (Bakeri, Bakerj)
        item = make(f"Baker report {n}", f"Officials named Baker{chr(97 + n)} Smith spoke.")
        item.ensure_id()
        archive.corpus.write(item)
    archive.update_index()
    every = run("names", "Smith", "-n", "0", "-f", "jsonl")
    first = run("names", "Smith", "-f", "jsonl")
    assert len(first.stdout.splitlines()) == 10
    assert len(every.stdout.splitlines()) > 10
