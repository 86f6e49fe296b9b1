"""Settings: archive.yaml over the defaults (typed, checked, documented), and the copy kept
beside the index."""

from __future__ import annotations

import json
import os
import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from conftest import article

from archive_search import Archive, ArchiveError
from archive_search import query as query_mod
from archive_search.config import (
    SECTIONS,
    SETTINGS_CACHE,
    IndexSettings,
    SearchSettings,
    Settings,
    read_settings,
    template,
)
from archive_search.engine.whoosh_query import compile_query
from archive_search.engine.whoosh_ranking import weighting

REPO = Path(__file__).resolve().parents[1]


def write_settings(archive: Archive, text: str) -> None:
    (archive.root / "archive.yaml").write_text(text, encoding="utf-8")


def test_settings_are_read_again_after_an_edit(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    assert Archive.open(archive.root).settings.search.limit == 7
    assert (archive.root / "index" / SETTINGS_CACHE).is_file()
    write_settings(archive, "search:\n  limit: 8\n")
    assert Archive.open(archive.root).settings.search.limit == 8


def test_a_same_size_edit_within_the_same_second_is_seen(archive: Archive):
    path = archive.root / "archive.yaml"
    write_settings(archive, "search:\n  limit: 7\n")
    Archive.open(archive.root)
    before = path.stat()
    write_settings(archive, "search:\n  limit: 9\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert Archive.open(archive.root).settings.search.limit == 9


def test_a_damaged_or_foreign_cache_is_ignored(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    cache = archive.root / "index" / SETTINGS_CACHE
    for junk in ("{not json", json.dumps({"stamp": [1, 2, 3, 4], "settings": {"x": 1}}), "[]"):
        cache.write_text(junk, encoding="utf-8")
        assert Archive.open(archive.root).settings.search.limit == 7


def test_a_cache_kept_by_an_arch_with_other_defaults_is_not_used(archive: Archive, monkeypatch):
    """The kept settings hold every value, defaults included: after an upgrade that changes a
    default, the cache of the unchanged archive.yaml is read again, not trusted."""
    from archive_search import config

    write_settings(archive, "search:\n  title_boost: 0.5\n")
    Archive.open(archive.root)
    cache = archive.root / "index" / SETTINGS_CACHE
    kept = json.loads(cache.read_text(encoding="utf-8"))
    kept["settings"]["search"]["limit"] = 33  # the default of the arch that kept it
    cache.write_text(json.dumps(kept), encoding="utf-8")
    assert Archive.open(archive.root).settings.search.limit == 33  # that arch reads it back
    upgraded = config._defaults_checksum() + 1
    monkeypatch.setattr(config, "_defaults_checksum", lambda: upgraded)
    reopened = Archive.open(archive.root).settings.search
    assert (reopened.limit, reopened.title_boost) == (10, 0.5)


def test_a_name_yaml_reads_as_a_date_is_kept_as_the_text_written(archive: Archive):
    write_settings(archive, "name: 2023-09-01\n")
    assert Archive.open(archive.root).settings.name == "2023-09-01"
    assert Archive.open(archive.root).settings.name == "2023-09-01"  # from the kept copy


def test_invalid_yaml_is_an_error_even_after_a_good_version_was_cached(archive: Archive):
    write_settings(archive, "search:\n  limit: 7\n")
    Archive.open(archive.root)
    write_settings(archive, "search: [unclosed\n")
    with pytest.raises(ArchiveError, match="not valid YAML"):
        Archive.open(archive.root)


def test_an_archive_without_an_index_folder_still_opens(archive: Archive):
    write_settings(archive, "search:\n  limit: 6\n")
    (archive.root / "index").rename(archive.root / "elsewhere")
    assert Archive.open(archive.root).settings.search.limit == 6
    assert not (archive.root / "index").exists()


# -- one source of defaults ------------------------------------------------------------------


def test_the_title_boost_used_is_the_default_setting(archive: Archive, add_articles):
    """query.py once fell back to 2.0 while the documented default was 0.7."""
    add_articles(article("Harbour reopens", "Ships sail again."))
    with archive.index.open().searcher(weighting=weighting(SearchSettings())) as searcher:
        compiled = compile_query(query_mod.read("harbour", Settings()), searcher, Settings())
    boosts = {t.fieldname: t.boost for t in compiled.query.leaves() if t.fieldname == "title"}
    assert boosts == {"title": SearchSettings().title_boost}


def test_a_bulk_index_update_uses_the_default_number_of_processes(
    archive: Archive, add_articles, monkeypatch
):
    """index.py once fell back to 1 process while the documented default was 2."""
    from archive_search import mpwriter

    add_articles(article("Harbour reopens", "Ships sail again."))
    seen: dict[str, int] = {}

    class Started(Exception):
        pass

    def parallel_writer(ix, procs, **kwargs):  # noqa: ANN001, ANN003, ANN202, ARG001
        seen["procs"] = procs
        raise Started

    monkeypatch.setattr(mpwriter, "ParallelWriter", parallel_writer)
    archive.settings = Settings()
    archive.index.settings = archive.settings
    with pytest.raises(Started):
        archive.index._writer(archive.index.current_dir(), bulk=True)
    assert seen == {"procs": IndexSettings().procs}


def test_no_code_reads_a_setting_with_a_fallback_of_its_own():
    """Settings are attributes of :class:`Settings`; a ``.get("title_boost", 2.0)`` would
    bring back a second default that can contradict the first."""
    keys = set(SECTIONS) | {f.name for _, cls in SECTIONS.values() for f in fields(cls)}
    found = [
        f"{path.relative_to(REPO)}: {match[0]}"
        for path in (REPO / "archive_search").rglob("*.py")
        for match in re.finditer(r"\.get\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8"))
        if match[1] in keys
    ]
    assert found == []


def readme_settings() -> dict:
    """The YAML block of the README's Settings section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])


def test_the_readme_lists_every_setting_with_its_default():
    assert readme_settings() == Settings().to_dict()  # the same keys, sections and values


def test_the_init_template_holds_only_settings_at_their_defaults():
    written, warnings = read_settings(yaml.safe_load(template("news archive")))
    assert warnings == []
    assert written == Settings()


def test_every_setting_survives_the_copy_kept_beside_the_index(archive: Archive):
    changed = {
        "name": "changed",
        "search": {f.name: _other(f.default) for f in fields(SearchSettings)},
        "index": {"procs": 3, "memory_mb": 100},
        "names": {"aliases": [["Jim Baker", "James Baker"]], "separate": [["A B", "A C"]]},
        "import": {"max_article_mb": 0.5, "max_document_mb": 2, "max_input_mb": 3,
                   "max_ratio": 4.5},
        "related": {"semantic": "off", "semantic_weight": 0.4, "semantic_floor": 0.2,
                    "semantic_candidates": 5},
    }
    changed["search"].update(default_operator="or", weighting="bm25")
    write_settings(archive, yaml.safe_dump(changed))
    parsed = Archive.open(archive.root).settings
    assert parsed.to_dict() == changed
    cache = json.loads((archive.root / "index" / SETTINGS_CACHE).read_text())
    assert cache["settings"] == changed
    assert Archive.open(archive.root).settings == parsed  # read from the copy
    assert read_settings(json.loads(json.dumps(parsed.to_dict()))) == (parsed, [])


def _other(default):
    return default + 1 if isinstance(default, (int, float)) else default


# -- checked on load -------------------------------------------------------------------------


def test_a_setting_that_is_not_a_number_exits_2_with_one_line_naming_it(archive, run):
    write_settings(archive, "search:\n  title_boost: high\n")
    for _ in range(2):  # never kept as good settings
        result = run("search", "harbour")
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert "archive.yaml: search.title_boost: 'high' is not a number" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("search:\n  limit: -1\n", "search.limit: -1 is negative"),
        ("search:\n  limit: 2.5\n", "search.limit: 2.5 is not a whole number"),
        ("search:\n  limit: yes\n", "search.limit: True is not a whole number"),
        ("search:\n  limit:\n", "search.limit: None is not a whole number"),
        ("search:\n  phrase_boost: .nan\n", "search.phrase_boost: nan is not a number"),
        ("search:\n  dfr_c: [1]\n", r"search.dfr_c: \[1\] is not a number"),
        ("search:\n  default_operator: maybe\n", "'maybe' is not one of: auto, and, or"),
        ("search:\n  weighting: bm52\n", "search.weighting: 'bm52' is not one of: dfr, bm25"),
        ("index:\n  procs: 0\n", "index.procs: 0 is not a positive number"),
        ("index:\n  memory_mb: 1e12\n", "index.memory_mb: '1e12' is too large"),
        ("import:\n  max_ratio: -3\n", "import.max_ratio: -3 is not a positive number"),
        ("names:\n  aliases: Jim Baker\n", "names.aliases: 'Jim Baker' is not a list of lists"),
        ("names:\n  separate: [[1, 2]]\n", r"names.separate: \[1, 2\] is not a list of names"),
        ("search: 5\n", "search: 5 is not a mapping"),
        ("name: [a]\n", r"name: \['a'\] is not text"),
        ("- a list\n", "settings must be a mapping"),
        ("search:\n  limit: " + "9" * 400 + "\n", "search.limit: 9999.*… is too large"),
        ("search:\n  limit: " + "9" * 5000 + "\n", "not valid YAML"),
        ("names:\n  aliases: " + "[" * 5000 + "]" * 5000 + "\n", "not valid YAML"),
        ("names:\n  aliases: " + "[" * 50 + "]" * 50 + "\n", r"names.aliases: \[\[\[.*…"),
        ("? [1, 2]\n: x\n", "not valid YAML"),
    ],
)
def test_a_value_a_setting_cannot_take_is_refused_naming_key_and_value(archive, text, message):
    write_settings(archive, text)
    with pytest.raises(ArchiveError, match=message) as caught:
        Archive.open(archive.root)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_values_written_loosely_still_work(archive: Archive):
    """Empty sections, empty name rules, numbers YAML reads as text, any case of a choice."""
    write_settings(archive, "search:\n  default_operator: AND\n  limit: 7.0\n"
                            "index:\n  memory_mb: '512'\nnames:\n  aliases:\n"
                            "import:\n  max_input_mb: 1e4\n")
    settings = Archive.open(archive.root).settings
    assert (settings.search.default_operator, settings.search.limit) == ("and", 7)
    assert settings.index.memory_mb == 512
    assert settings.names.aliases == ()
    assert settings.import_.max_input_mb == 10000
    write_settings(archive, "name: old\nsearch:\n# limit: 5\n")
    assert Archive.open(archive.root).settings == Settings(name="old")


def test_an_unknown_key_is_named_on_stderr_with_the_known_ones(archive, run, add_articles):
    add_articles(article("Harbour reopens", "Ships sail again."))
    write_settings(archive, "search:\n  titel_boost: 2\nserach:\n  limit: 3\n")
    for _ in range(2):  # the second time from the copy beside the index
        result = run("search", "harbour")
        assert result.exit_code == 0
        assert ("archive.yaml: unknown setting search.titel_boost ignored "
                "(did you mean title_boost?); the known ones are: limit, default_operator, "
                "title_boost,") in result.stderr
        assert ("unknown setting serach ignored (did you mean search?); the known ones are: "
                "name, search, index, names, import") in result.stderr
    assert Archive.open(archive.root).settings == Settings()


@pytest.mark.parametrize("name", ["harbour news", "yes", "null", "1.50", "a: b", "[drafts", "#1",
                                  "it's", "Zürich"])
def test_an_archive_named_anything_opens_with_that_name(tmp_path, name):
    assert Archive.init(tmp_path / name).settings.name == name
    assert "name: harbour news\n" in template("harbour news")  # plain when it can be
