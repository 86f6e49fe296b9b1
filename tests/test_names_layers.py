"""The name catalogue in layers: a writer that changed many articles catalogues their names
itself, so the next name search loads what is cached instead of building the whole catalogue
(seconds on a large archive). RECENT_NAMES is made small to keep the archives small."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import article

from archive_search import Archive
from archive_search.names import NameCatalog, cache


@pytest.fixture
def built(monkeypatch) -> list[int]:
    """The number of articles each catalogue built from then on is built from."""
    sizes: list[int] = []
    real_build = NameCatalog.build.__func__

    def counting(cls, records, **kwargs):
        records = list(records)
        sizes.append(len(records))
        return real_build(cls, records, **kwargs)

    monkeypatch.setattr(NameCatalog, "build", classmethod(counting))
    return sizes


@pytest.fixture
def small(monkeypatch):
    """Two articles are as many as a search catalogues itself; layers merge when they are many
    (MAX_LAYERS), not by their share of the base, unless a test says so."""
    monkeypatch.setattr(cache, "RECENT_NAMES", 2)
    monkeypatch.setattr(cache, "MERGE_SHARE", 10.0)


BASE = [
    article("Treasury", "James Baker spoke in Washington."),
    article("Leader arrives", "Kim Jong-un arrived in Vladivostok on Tuesday."),
    article("Bundesbank", "Karl Otto Poehl spoke in Frankfurt."),
    article("Fed", "Paul Volcker said rates would hold."),
]
LAYER = [
    article("Treasury again", "Jim Baker spoke in Houston."),
    article("Summit", "Kim Jong Un met the Russian president."),
    article("Bundesbank again", "Karl Otto Pohl spoke in Bonn."),
    article("Fed again", "Paul Volcker spoke to Congress."),
    article("Factory visit", "Kim Jongun toured an aircraft plant."),
]
QUERIES = ["James Baker", "Jim Baker", "Kim Jong-un", "Kim Jongun", "Karl Otto Poehl",
           "Karl Otto Pohl", "Paul Volcker", "Paul Volker"]


def layer_files(archive: Archive) -> list[str]:
    return sorted(p.name for p in archive.index.current_dir().glob("names-*.layer"))


def stack(archive: Archive) -> dict:
    return json.loads((archive.index.current_dir() / cache.STACK).read_text())


def with_rules(archive: Archive) -> Archive:
    settings = archive.root / "archive.yaml"
    data = yaml.safe_load(settings.read_text())
    data["names"] = {"aliases": [["Jim Baker", "James Baker"]],
                     "separate": [["Karl Otto Poehl", "Karl Otto Pohl"]]}
    settings.write_text(yaml.safe_dump(data))
    return Archive.open(archive.root)


def add(archive: Archive, articles) -> None:
    """Write ``articles`` into corpus/ and update the index, with ``archive``'s own rules."""
    for item in articles:
        item.ensure_id()
        archive.corpus.write(item)
    archive.update_index()


def copies(articles):
    return [article(a.title, a.body) for a in articles]


def test_an_update_of_many_articles_leaves_a_layer_and_the_next_search_builds_nothing(
    archive, add_articles, small, built
):
    add_articles(*copies(BASE))  # no catalogue yet: the writer builds the base
    assert built == [4] and layer_files(archive) == []
    [*_, jongun] = add_articles(*copies(LAYER))  # more than RECENT_NAMES: a layer of them
    assert built == [4, 5]
    assert layer_files(archive) == [f"names-{stack(archive)['base']}-"
                                    f"{archive.index.load_manifest().revision}.layer"]
    result = archive.search("Kim Jong-un")
    assert built == [4, 5]  # nothing built by the search
    assert jongun in {h.id for h in result.hits}
    assert {"Kim Jong Un", "Kim Jongun"} <= set(result.variants)


def test_an_import_of_many_articles_leaves_a_layer(archive, tmp_path, small, built):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"title": f"Story {n}", "body": f"Paul Volcker, day {n}.",
                                        "date": f"2023-09-{n + 10}"}) + "\n" for n in range(4)))
    report = archive.import_paths([feed])
    assert report.imported == 4
    assert layer_files(archive) != [] or stack(archive)["base"] == (
        archive.index.load_manifest().revision)
    sizes = list(built)
    assert len(archive.search("Paul Volcker").hits) == 4
    assert built == sizes


def test_base_and_layers_give_the_spellings_one_catalogue_of_everything_gives(archive, small):
    archive = with_rules(archive)
    add(archive, copies(BASE))
    add(archive, copies(LAYER))
    assert layer_files(archive)
    assert len(archive.index.name_catalogs()) == 2  # the base and a layer
    layered = {q: archive.search(q).variants for q in QUERIES}
    layered_hits = {q: [h.id for h in archive.search(q).hits] for q in QUERIES}
    for path in archive.index.current_dir().glob("names*"):
        path.unlink()
    whole = {q: archive.search(q).variants for q in QUERIES}
    assert len(archive.index.name_catalogs()) == 1  # built from everything
    # the same spellings and so the same articles (only the order they are listed in may
    # differ: each catalogue lists its own most used first)
    assert {q: set(v) for q, v in layered.items()} == {q: set(v) for q, v in whole.items()}
    assert layered_hits == {q: [h.id for h in archive.search(q).hits] for q in QUERIES}
    assert layered["Jim Baker"] == ["James Baker"]  # the alias, across the two
    assert "Karl Otto Pohl" not in layered["Karl Otto Poehl"]  # the separation, across them
    assert layered["Paul Volker"] == ["Paul Volcker"]  # the typo, in both


def test_too_many_layers_are_merged_into_a_new_base(archive, add_articles, small, monkeypatch,
                                                    built):
    monkeypatch.setattr(cache, "MAX_LAYERS", 2)
    add_articles(*copies(BASE))
    for n in range(2):
        add_articles(*[article(f"Batch {n} story {k}", f"Paul Volcker, day {k}.")
                       for k in range(3)])
    assert len(layer_files(archive)) == 2 and built == [4, 3, 3]
    add_articles(*[article(f"Batch 2 story {k}", f"Paul Volcker, day {k}.") for k in range(3)])
    assert built == [4, 3, 3, 13]  # the third: one new base of everything
    assert layer_files(archive) == []
    assert stack(archive)["base"] == archive.index.load_manifest().revision
    assert len(archive.search("Paul Volcker", limit=50).hits) == 10
    assert built == [4, 3, 3, 13]


def test_layers_holding_a_quarter_of_the_base_are_merged(archive, add_articles, small, built,
                                                         monkeypatch):
    monkeypatch.setattr(cache, "MERGE_SHARE", 0.25)
    add_articles(*[article(f"Old story {k}", f"Paul Volcker, day {k}.") for k in range(12)])
    add_articles(*[article(f"New story {k}", f"Paul Volcker, day {k}.") for k in range(3)])
    assert built == [12, 3] and len(layer_files(archive)) == 1  # 3 of 12: a quarter
    add_articles(*[article(f"Newer story {k}", f"Paul Volcker, day {k}.") for k in range(3)])
    assert built == [12, 3, 18] and layer_files(archive) == []


def test_a_damaged_or_missing_layer_or_edited_rules_still_give_every_spelling(
    archive, add_articles, small
):
    add_articles(*copies(BASE))
    add_articles(*copies(LAYER))
    [layer] = archive.index.current_dir().glob("names-*.layer")
    layer.write_bytes(b"\x00garbage")
    assert "Kim Jongun" in archive.search("Kim Jong-un").variants
    layer.unlink()
    assert "Kim Jongun" in archive.search("Kim Jong-un").variants
    assert with_rules(archive).search("James Baker").variants == ["Jim Baker"]


def test_a_read_only_archive_with_layers_answers(archive, add_articles, small, tmp_path):
    add_articles(*copies(BASE))
    add_articles(*copies(LAYER))
    gen = archive.index.current_dir()
    (gen / "names.cache").unlink()
    gen.chmod(0o555)
    try:
        assert "Kim Jongun" in Archive.open(archive.root).search("Kim Jong-un").variants
    finally:
        gen.chmod(0o755)


def test_a_rebuild_builds_the_base_at_once(archive, add_articles, small, built):
    add_articles(*copies(BASE), index=False)
    archive.update_index(rebuild=True)
    assert built == [4] and stack(archive)["layers"] == []
    archive.search("Paul Volcker")
    assert built == [4]


def test_a_separation_rule_holds_between_the_cached_catalogue_and_the_recent_one(archive):
    """A catalogue of a few articles that holds only the other spelling still knows the rule:
    every catalogue holds every spelling a rule names."""
    archive = with_rules(archive)
    add(archive, [article("Bundesbank", "Karl Otto Poehl spoke in Frankfurt.")])
    archive.search("Karl Otto Poehl")  # the catalogue, cached
    pohl = article("Bundesbank again", "Karl Otto Pohl spoke in Bonn.")
    add(archive, [pohl])
    assert len(archive.index.name_catalogs()) == 2  # the cached one and the recent one
    assert archive.search("Karl Otto Poehl").variants == []
    assert [h.id for h in archive.search("Karl Otto Pohl").hits] == [pohl.id]
