"""One options object per operation, and one writer for every JSON and YAML document."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import article

from archive_search import RelatedOptions, SearchOptions
from archive_search.names.catalog import Cluster, NameEntry, NameMatch


@pytest.fixture
def news(add_articles):
    return add_articles(
        article("Kim Jong-un arrives in Vladivostok", "Kim Jong-un's armoured train arrived.",
                date="2023-09-12", tags=["korea"]),
        article("Kim Jong Un visits a factory", "Kim Jong Un toured the missile factory.",
                date="2023-09-14", tags=["korea"]),
        article("Harbour wall holds", "The flood wall held in the storm.", date="2023-10-02"),
    )


def _ids(result):
    return [hit.id for hit in result.hits]


def test_keywords_and_an_options_object_search_alike(archive, news):
    by_keywords = archive.search("Kim Jong-un", sort="newest", limit=20, snippets=False)
    by_object = archive.search("Kim Jong-un", SearchOptions(sort="newest", limit=20,
                                                            snippets=False))
    assert _ids(by_keywords) == _ids(by_object) == [news[1], news[0]]


def test_keywords_change_an_options_object(archive, news):
    newest = SearchOptions(sort="newest", snippets=False)
    assert _ids(archive.search("korea OR storm", newest, sort="oldest")) == news
    assert newest.sort == "newest"  # the object itself is left as it was


def test_options_are_frozen_and_unknown_ones_refused():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SearchOptions().limit = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        SearchOptions.of(None, colour="red")


def test_related_takes_an_options_object_or_keywords(archive, news):
    by_object = archive.related(news[0], options=RelatedOptions(limit=1))
    by_keywords = archive.related(news[0], limit=1)
    assert [i.id for i in by_object.items] == [i.id for i in by_keywords.items] == [news[1]]


def test_each_names_call_returns_one_type(archive, news):
    matches = archive.names_matching("Kim Jong Un")
    assert matches and all(type(m) is NameMatch for m in matches)
    assert matches[0].score == 100
    catalogue = archive.name_catalogue()
    assert catalogue and all(type(e) is NameEntry for e in catalogue)
    assert all(type(c) is Cluster for c in archive.name_clusters())


@pytest.mark.parametrize("args", [
    ["show", "{id}", "--format", "json"], ["show", "{id}", "--format", "yaml"],
    ["show", "{id}", "--versions", "--format", "yaml"], ["stats", "--format", "json"],
    ["stats", "--format", "yaml"], ["check", "--format", "json"],
    ["search", "korea", "--format", "json"], ["names", "--format", "yaml"],
    ["related", "{id}", "--format", "json"],
])
def test_every_json_and_yaml_document_is_written_by_output_dumps(run, news, monkeypatch, args):
    """A format added to output.dumps reaches every command: none writes JSON or YAML itself."""
    from archive_search import output

    monkeypatch.setattr(output, "dumps", lambda data, fmt: f"dumped as {fmt}\n")
    result = run(*[a.format(id=news[0]) for a in args])
    assert result.stdout == f"dumped as {args[-1]}\n"


def test_an_import_takes_a_request_or_keywords(archive, tmp_path):
    from archive_search import ImportRequest

    source = tmp_path / "export.csv"
    source.write_text("headline,body,pub\nFerry returns,The ferry came back.,2023-10-03\n",
                      encoding="utf-8")
    request = ImportRequest(mapping={"title": "headline", "date": "pub"})
    planned = archive.import_paths([source], request, dry_run=True)
    [plan] = planned.planned
    assert (plan.title, plan.action.split()[0]) == ("Ferry returns", "import")
    assert not list(archive.corpus.scan())  # the dry run changed nothing
    assert archive.import_paths([source], request).imported == 1
    again = archive.import_paths([source], mapping={"title": "headline", "date": "pub"})
    assert (again.imported, again.duplicates) == (0, 1)


def test_the_readme_python_api_runs(tmp_path, monkeypatch):
    """The README's "Python API" block, run as written on a folder of our own."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "desk.jsonl").write_text(
        '{"title": "Kim Jong-un reaches Vladivostok", "body": "Kim Jong-un\'s train reached '
        'Vladivostok.", "date": "2023-09-12"}\n'
        '{"title": "Kim Jong Un tours Vladivostok port", "body": "Kim Jong Un toured the port '
        'of Vladivostok.", "date": "2023-09-14"}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"print": lambda *args: None})  # noqa: S102
