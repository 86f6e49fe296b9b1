"""The name layer: extraction, spelling keys, matching, and the catalogue."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_search.article import Article
from archive_search.importers import reuters
from archive_search.importers.base import ImportOptions, Source
from archive_search.names import (
    NameCatalog,
    extract_names,
    fold_key,
    name_similarity,
    same_name,
    translit_key,
)
from archive_search.names.catalog import VERSION

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SEED = CORPORA / "seed" / "000_aa954623e1d8c68c.txt"
REUTERS = CORPORA / "reuters21578" / "reut2-000.sgm.gz"

KIM_JONG_UN = ["Kim Jong-un", "Kim Jong Un", "Kim Jongun", "kim jong un", "KIM JONG-UN"]
OTHER_KIMS = ["Kim Jong-il", "Kim Yo-jong", "Kim Il-sung"]


# -- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", KIM_JONG_UN)
def test_fold_key_ignores_case_accents_and_separators(spelling):
    assert fold_key(spelling) == "kimjongun"


def test_fold_key_drops_titles_and_possessives():
    assert fold_key("President Reagan") == fold_key("Reagan's") == "reagan"
    assert fold_key("Kim Jong-un’s") == "kimjongun"
    assert fold_key("Pöhl") == "pohl"


@pytest.mark.parametrize(
    "spellings",
    [
        ["Poehl", "Pöhl", "Pohl"],
        ["Gorbachev", "Gorbachov", "Gorbatchev"],
        ["Vostochny", "Vostokny"],
        ["Kortunov", "Kordunov"],
        ["Volcker", "Volker"],
        ["Andrey", "Andrei"],
        ["Weizsäcker", "Weizsaecker"],
        ["Tchaikovsky", "Chaikovsky"],
    ],
)
def test_translit_key_joins_transliterations(spellings):
    assert len({translit_key(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    "pair", [("Chen", "Ken"), ("Xue", "Xu"), ("Choe", "Cho"), ("Deng", "Teng")]
)
def test_translit_key_keeps_east_asian_surnames_apart(pair):
    assert translit_key(pair[0]) != translit_key(pair[1])


# -- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", KIM_JONG_UN[1:])
def test_spellings_of_kim_jong_un_are_the_same_name(spelling):
    assert same_name("Kim Jong-un", spelling)
    assert name_similarity("Kim Jong-un", spelling) >= 95


@pytest.mark.parametrize("other", OTHER_KIMS)
@pytest.mark.parametrize("spelling", KIM_JONG_UN)
def test_other_kims_are_never_kim_jong_un(spelling, other):
    assert not same_name(spelling, other)
    assert name_similarity(spelling, other) <= 50


def test_kim_jong_il_and_kim_yo_jong_differ():
    assert not same_name("Kim Jong-il", "Kim Yo-jong")
    assert not same_name("Kim Jongil", "Kim Jongun")


@pytest.mark.parametrize(
    "a, b",
    [
        ("Vostochny", "Vostokny"),
        ("Karl Otto Poehl", "Karl-Otto Pöhl"),
        ("Poehl", "Pohl"),
        ("Mikhail Gorbachev", "Mikhail Gorbachov"),
        ("Andrey Kortunov", "Andrei Kordunov"),
        ("Paul Volker", "Paul Volcker"),
        ("Jacques de Larosiere", "Jacques Delarosiere"),
        ("Poehl Karl Otto", "Karl Otto Poehl"),
    ],
)
def test_spelling_variants_are_the_same_name(a, b):
    assert same_name(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("James Baker", "Howard Baker"),
        ("Khamenei", "Khomeini"),
        ("Johnston", "Johnson"),
        ("Andersen", "Anderson"),
        ("Canada", "Kanata"),  # same transliteration key, too many letters changed
        ("Pedersen", "Petersen"),  # d/t is folded only after r, l, n: Kordunov
        ("Copper", "Cooper"),  # doubled vowels are not folded
        ("SEC", "SEK"),  # too short for any transliteration leeway
        ("Mohammed bin Salman", "Salman bin Mohammed"),  # not a rotation: another person
    ],
)
def test_similar_names_of_different_people_are_not_the_same(a, b):
    assert not same_name(a, b)


def test_a_missing_first_name_or_initials_is_a_partial_match():
    full = "Karl Otto Poehl"
    assert not same_name("Poehl", full)
    assert not same_name("K. O. Poehl", full)
    assert 85 <= name_similarity("K. O. Poehl", full) < 95
    assert 85 <= name_similarity("Poehl", full) < 95
    assert name_similarity("Karl Otto", full) < name_similarity("Poehl", full)  # no surname


def test_a_misspelt_name_is_close_but_not_the_same():
    assert not same_name("Paul Volcer", "Paul Volcker")
    assert 70 <= name_similarity("Paul Volcer", "Paul Volcker") < 95
    assert name_similarity("Pual Volcker", "Paul Volcker") > 80


def test_scores_rank_exact_then_transliteration_then_partial():
    exact = name_similarity("Poehl", "Poehl")
    translit = name_similarity("Poehl", "Pohl")
    partial = name_similarity("Poehl", "Karl Otto Poehl")
    assert exact == 100 > translit >= 95 > partial


# -- extraction -------------------------------------------------------------------------------


def test_extraction_drops_titles_and_keeps_the_organisation():
    text = (
        "Bundesbank President Karl Otto Poehl met Treasury Secretary James Baker and Mr. Volcker."
    )
    assert extract_names("", text) == ["Bundesbank", "Karl Otto Poehl", "James Baker", "Volcker"]


def test_extraction_follows_a_title_spread_over_for_and_and():
    text = "“We see possibilities,” enthused Russian Deputy Prime Minister for Industry and Trade "
    assert extract_names("", text + "Denis Manturov.") == ["Denis Manturov"]


def test_extraction_keeps_particles_inside_names():
    text = (
        "They discussed Osama bin Laden, Bashar al-Assad, Charles de Gaulle, Valery Giscard "
        "d'Estaing, Miguel de la Madrid and Richard von Weizsaecker."
    )
    assert extract_names("", text) == [
        "Osama bin Laden",
        "Bashar al-Assad",
        "Charles de Gaulle",
        "Valery Giscard d'Estaing",
        "Miguel de la Madrid",
        "Richard von Weizsaecker",
    ]


def test_extraction_strips_possessives_with_either_apostrophe():
    assert extract_names("", "The end of Kim Jong-un’s trip and Reagan's speech.") == [
        "Kim Jong-un",
        "Reagan",
    ]


def test_sentence_openers_are_names_only_when_capitalised_elsewhere():
    text = "Analysts said the dollar fell. Volcker said nothing. Markets watched Paul Volcker."
    assert extract_names("", text) == ["Volcker", "Paul Volcker"]


def test_a_common_word_opening_a_sentence_is_dropped_from_the_name():
    text = "But Volcker disagreed. In Vladivostok, the visit was organized by Sergei Shoigu."
    assert extract_names("", text) == ["Volcker", "Vladivostok", "Sergei Shoigu"]


def test_organisation_names_keep_of_and_and():
    text = "The Bank of Japan and the Securities and Exchange Commission met General Motors Corp."
    names = extract_names("", text)
    assert names == ["Bank of Japan", "Securities and Exchange Commission", "General Motors"]


def test_an_all_caps_title_contributes_only_names_found_in_the_body():
    names = extract_names("BAHIA COCOA REVIEW", "Showers continued in the Bahia cocoa zone.")
    assert names == ["Bahia"]


def test_a_title_case_headline_is_read_like_an_all_caps_one():
    names = extract_names(
        "Kim Jong-un Visits Russian Cosmodrome With Putin",
        "Kim Jong-un toured the Vostochny cosmodrome with Vladimir Putin.",
    )
    assert names == ["Kim Jong-un", "Vostochny", "Vladimir Putin"]


def test_all_caps_text_yields_no_names():
    assert extract_names("", "THE ALLIES AFTER NASSAU . PRESIDENT KENNEDY MET MACMILLAN") == []


def test_months_demonyms_and_model_numbers_are_not_names():
    text = "In May, West German and Japanese officials saw the Su-35 and the MiG-31 in Moscow."
    assert extract_names("", text) == ["Moscow"]


def test_names_are_distinct_in_first_seen_order_as_written():
    text = "Kim Jong Un arrived. Kim Jong-un left. Kim Jong Un returned."
    assert extract_names("", text) == ["Kim Jong Un", "Kim Jong-un"]


def test_seed_article_spells_vostochny_two_ways():
    if not SEED.exists():
        pytest.skip("seed article not found: ../shared/corpora not present")
    lines = SEED.read_text(encoding="utf-8").split("\n")
    names = extract_names(lines[6], "\n".join(lines[10:]))
    assert {"Kim Jong-un", "Vostochny", "Vostokny Cosmodrome", "Denis Manturov"} <= set(names)
    assert {"Andrey Kordunov", "Dmitry Peskov", "Vladimir Putin", "Sergei Shoigu"} <= set(names)
    assert not any("Minister" in n or "CEO" in n for n in names)
    catalog = NameCatalog.build([("seed", "2023-09-18", names)])
    found = [m.name for m in catalog.lookup("Vostokny")]
    assert found[:2] == ["Vostochny", "Vostokny Cosmodrome"]
    assert catalog.lookup("Andrey Kortunov")[0].name == "Andrey Kordunov"


def test_reuters_stories_give_names_without_wire_noise():
    if not REUTERS.exists():
        pytest.skip("reut2-000 not found: ../shared/corpora not present")
    source = Source.from_bytes("reut2-000.sgm", gzip.decompress(REUTERS.read_bytes()))
    stories = [a for a in reuters.read(source, ImportOptions()) if isinstance(a, Article)]
    found = {a.id: extract_names(a.title, a.body) for a in stories}
    assert found["reuters-1"][:3] == ["Bahia", "Comissaria Smith", "New York"]
    every = {name for names in found.values() for name in names}
    assert {"Paul Volcker", "James Baker", "Howard Baker", "Bank of Japan", "OPEC"} <= every
    assert not every & {"Reuter", "Shr", "Net", "The", "U.S. Dlrs", "February", "Pay"}
    assert not [n for n in every if n.split()[0] in {"President", "Minister", "Mr", "Mr."}]


# -- catalogue --------------------------------------------------------------------------------


def _catalog(**rules):
    records = [
        ("a1", "1987-03-01", ["Karl Otto Poehl", "Poehl", "James Baker"]),
        ("a2", "1987-03-05", ["Karl-Otto Pöhl", "Howard Baker", "Baker"]),
        ("a3", "1987-04-02", ["Karl Otto Pohl", "Kim Jong-un", "Jim Baker"]),
        ("a4", None, ["Kim Jong Un", "Kim Jong-il", "Kim Yo-jong"]),
        ("a5", "1987-02-20", ["Kim Jongun", "Kordunov", "Kortunov", "James Baker"]),
    ]
    return NameCatalog.build(records, **rules)


def test_catalogue_merges_spellings_and_counts_articles():
    entry = _catalog().lookup("Karl Otto Poehl")[0]
    assert entry.name == "Karl Otto Poehl"
    assert entry.variants == {"Karl Otto Poehl": 1, "Karl Otto Pohl": 1, "Karl-Otto Pöhl": 1}
    assert (entry.articles, entry.first, entry.last) == (3, "1987-03-01", "1987-04-02")
    assert entry.article_ids == ["a1", "a2", "a3"]
    assert entry.score == 100


def test_catalogue_keeps_the_kims_apart():
    kims = {m.name: m for m in _catalog().lookup("Kim Jong-un")}
    assert set(kims) == {"Kim Jong-un"}
    assert kims["Kim Jong-un"].article_ids == ["a3", "a4", "a5"]


def test_lookup_finds_partial_and_misspelt_names_below_the_same_name():
    catalog = _catalog()
    assert [(m.name, m.score) for m in catalog.lookup("Poehl")][:2] == [
        ("Poehl", 100.0),
        ("Karl Otto Poehl", 92.0),
    ]
    assert catalog.lookup("Karl Otto Pöhl")[0].name == "Karl Otto Poehl"
    assert catalog.lookup("Kal Otto Poehl")[0].name == "Karl Otto Poehl"
    assert [m.name for m in catalog.lookup("Baker")][:1] == ["Baker"]
    assert "Howard Baker" not in [m.name for m in catalog.lookup("James Baker")]


def test_expand_gives_every_spelling_of_the_name_and_nobody_else():
    catalog = _catalog()
    assert catalog.expand("Karl Otto Poehl") == [
        "Karl Otto Poehl",
        "Karl Otto Pohl",
        "Karl-Otto Pöhl",
    ]
    assert catalog.expand("kim jong-un") == [
        "kim jong-un",
        "Kim Jong Un",
        "Kim Jong-un",
        "Kim Jongun",
    ]
    assert catalog.expand("James Baker") == ["James Baker"]  # "Baker" may be Howard Baker
    assert catalog.expand("Nobody Known") == ["Nobody Known"]


def test_aliases_merge_what_no_key_can_know():
    catalog = _catalog(aliases=[["Jim Baker", "James Baker"], ["Kim Jong-un", "Rocket Man"]])
    entry = catalog.lookup("Jim Baker")[0]
    assert entry.name == "James Baker"
    assert entry.variants == {"James Baker": 2, "Jim Baker": 1}
    assert catalog.expand("James Baker") == ["James Baker", "Jim Baker"]
    assert "Rocket Man" in catalog.expand("Kim Jong-un")  # an alias never seen in an article
    assert catalog.same("Jim Baker", "James Baker")


def test_separation_rules_win_over_matching_keys():
    assert _catalog().same("Kordunov", "Kortunov")
    catalog = _catalog(separate=[["Kordunov", "Kortunov"]])
    assert not catalog.same("Kordunov", "Kortunov")
    assert catalog.expand("Kordunov") == ["Kordunov"]
    assert {m.name for m in catalog.lookup("Kortunov")} >= {"Kortunov", "Kordunov"}


def test_separation_beats_an_alias():
    catalog = _catalog(
        aliases=[["Kim Jong-il", "Kim Jong-un"]], separate=[["Kim Jong-il", "Kim Jong-un"]]
    )
    assert not catalog.same("Kim Jong-il", "Kim Jong-un")


@pytest.mark.parametrize(
    "rules, reason",
    [
        ({"separate": [["Kim Jong-un", "Kim Jong Un"]]}, "names the same spelling twice"),
        ({"aliases": [["Jim Baker", 7]]}, "alias rule .* is not a list of names"),
        ({"separate": "Kim Jong-un"}, "separation rules must be a list of lists"),
    ],
)
def test_a_bad_rule_is_refused_with_a_one_line_reason(rules, reason):
    with pytest.raises(ValueError, match=reason):
        _catalog(**rules)


def test_names_that_are_not_text_are_skipped():
    catalog = NameCatalog.build([("a", 1987, ["Poehl", None, 42, "  Karl   Otto Poehl "])])
    assert [e.name for e in catalog.catalogue()] == ["Karl Otto Poehl", "Poehl"]
    assert catalog.catalogue()[0].first is None


def test_catalogue_lists_most_frequent_first():
    entries = _catalog().catalogue(limit=3)
    assert [e.name for e in entries] == ["Karl Otto Poehl", "Kim Jong-un", "James Baker"]
    assert entries[1].first == "1987-02-20"  # a4 has no date


def test_clusters_show_merged_spellings_and_near_misses():
    catalog = NameCatalog.build(
        [
            ("1", None, ["Mikhail Gorbachev", "Mikhail Gorbachov"]),
            ("2", None, ["Mikhail Gorbachev", "Mikhial Gorbachev", "Baker"]),
            ("3", None, ["Mikhial Gorbachev", "James Baker"]),
        ]
    )
    clusters = catalog.clusters(min_articles=1)
    merged = [c for c in clusters if c.merged]
    assert [(c.names, c.reason) for c in merged] == [
        ({"Mikhail Gorbachev": 2, "Mikhail Gorbachov": 1}, "transliteration")
    ]
    suggested = [c.names for c in clusters if not c.merged]
    assert suggested == [{"Mikhail Gorbachev": 2, "Mikhial Gorbachev": 2}]  # not Baker


def test_catalogue_round_trips_through_json():
    catalog = _catalog(aliases=[["Jim Baker", "James Baker"]], separate=[["Kordunov", "Kortunov"]])
    loaded = NameCatalog.from_dict(json.loads(json.dumps(catalog.to_dict())))
    assert loaded.catalogue() == catalog.catalogue()
    assert loaded.lookup("Pohl") == catalog.lookup("Pohl")
    assert loaded.expand("Jim Baker") == catalog.expand("Jim Baker")
    assert (loaded.aliases, loaded.separate) == (catalog.aliases, catalog.separate)


@pytest.mark.parametrize(
    "data, reason",
    [
        ([], "not a name catalogue"),
        ({"format": "something else"}, "not a name catalogue"),
        ({"format": "archive-search names", "version": 99}, "version 99 is not supported"),
        ({"format": "archive-search names", "version": VERSION}, "lacks articles"),
    ],
)
def test_a_bad_stored_catalogue_gives_a_one_line_reason(data, reason):
    with pytest.raises(ValueError, match=reason):
        NameCatalog.from_dict(data)


def test_a_damaged_stored_catalogue_is_refused():
    data = json.loads(json.dumps(_catalog().to_dict()))
    data["names"].pop()
    with pytest.raises(ValueError, match="damaged: sizes has 10 items for 9 names"):
        NameCatalog.from_dict(data)


def test_an_empty_catalogue_and_empty_queries_are_harmless():
    catalog = NameCatalog.build([])
    assert len(catalog) == 0
    assert catalog.lookup("Poehl") == []
    assert catalog.catalogue() == []
    assert catalog.clusters() == []
    assert _catalog().lookup("") == []
    assert _catalog().lookup("...") == []
    assert _catalog().expand("") == [""]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_no_text_makes_the_name_layer_raise(a, b):
    names = extract_names(a, b)
    assert len(names) == len(set(names))
    assert 0 <= name_similarity(a, b) <= 100
    assert same_name(a, b) == same_name(b, a)
    catalog = NameCatalog.build([("x", None, [a, b, *names])])
    catalog.lookup(a)
    assert catalog.expand(b)[0] == b


def test_a_lookup_offers_no_word_that_merely_looks_alike_nor_a_part_of_the_name():
    """`arch names Volker` offered "Workers" (69); `arch names "Kim Jong Un"` a bare "Kim"
    (anyone called Kim). A misspelling of a longer name is still found."""
    catalog = NameCatalog.build([
        ("a", "2023-09-18", ["Workers", "Kim", "Kim Jong-un", "Paul Volcker"]),
        ("b", "2023-09-19", ["Kim Jong Un", "Andrew Kim"]),
    ])
    assert [m.name for m in catalog.lookup("Volker")] == ["Paul Volcker"]
    assert [m.name for m in catalog.lookup("Kim Jong Un")] == ["Kim Jong-un"]
    assert "Kim" in [m.name for m in catalog.lookup("Kim")]
