"""``arch export``: every field of every article, into the files other tools read.

An export carries all an article file holds (``--fields all``: every front-matter key and the
body), without a query the whole archive with no limit, in the format ``-o``'s extension
names; CSV as RFC 4180 writes it; a JSON Lines export imported into an empty archive gives the
same articles back. ``--format sqlite`` is opened with sqlite-utils and Datasette as they are;
``--format opensearch`` writes a mapping and bulk files that follow the ``_bulk`` rules.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import article

from archive_search import Archive, output
from archive_search.export import ARTICLE_FIELDS, export_articles
from archive_search.names import fold_key
from archive_search.options import ExportOptions


def tricky() -> list:
    """Articles holding what an export most easily loses: keys arch does not know, a title
    with angle brackets (Reuters' ticker style, not HTML), a body that starts with spaces, a
    time zone, another language, lists of names, and where the article came from."""
    return [
        article("Kim Jong-un arrives in Vladivostok", "The armoured train pulled in.\n\n"
                "Kim was met by officials.", id="kim-arrives", date="2023-09-12T06:00:00+09:00",
                source="Pacific Desk", url="https://pacific.example/kim",
                authors=["Ann Lee", "Bo Park"], tags=["korea", "russia"], lang="en",
                see_also=["Putin meets Kim"], names=["Kim Jong-un"],
                origin={"file": "wire.jsonl", "sha256": "ab" * 32, "record": 7},
                imported_at="2023-09-12T08:00:00+00:00",
                extra={"dateline": "VLADIVOSTOK", "places": ["russia"]}),
        article("BARNES <B> UNIT TO BUILD PLANT", "  Indented first line\n <AMEX> said: "
                "=SUM(1,2) \"quoted\", and a comma", id="barnes", date="1987-03-02",
                source="Reuters", tags=["acq"]),
        article("Hafenmauer hält", "Die Mauer hielt stand.", id="hafen", date=None, lang="de",
                tags=["küste"]),
    ]


def exported(run, *args: str) -> list[dict]:
    """The rows of a JSON Lines export to standard output (click's runner reads stdout with
    CRLF made LF: ``stdout_bytes`` is what was written)."""
    result = run("export", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- every field, every article --------------------------------------------------------------

def test_fields_all_carries_every_front_matter_key_and_the_body(run, archive, add_articles):
    add_articles(*tricky())

    rows = {row["id"]: row for row in exported(run, "--fields", "all")}

    assert list(rows["kim-arrives"]) == list(ARTICLE_FIELDS)
    for rel in archive.corpus.scan():
        kept = archive.corpus.read(rel)
        row = rows[kept.id]
        assert row["body"] == kept.body and row["title"] == kept.title
        assert (row["date"], row["authors"], row["names"], row["see_also"], row["lang"]) == (
            kept.date, kept.authors, kept.names, kept.see_also, kept.lang)
        assert row["path"] == f"corpus/{rel}"
    assert rows["kim-arrives"]["extra"] == {"dateline": "VLADIVOSTOK", "places": ["russia"]}
    assert rows["kim-arrives"]["origin"]["record"] == 7
    assert rows["kim-arrives"]["version"] == 1


def test_each_field_can_be_named_and_an_unknown_one_is_a_usage_error(run, add_articles):
    add_articles(*tricky())

    rows = exported(run, "--fields", "id,body,authors,see_also,names,origin,imported_at")

    assert {r["id"]: r["authors"] for r in rows}["kim-arrives"] == ["Ann Lee", "Bo Park"]
    bad = run("export", "--fields", "id,bodies")
    assert bad.exit_code == 2 and "unknown field 'bodies'" in bad.output
    searched = run("export", "Vladivostok", "--fields", "id,score,snippet", "-f", "jsonl")
    assert json.loads(searched.stdout)["score"] > 0
    assert run("export", "--fields", "id,score").exit_code == 2  # no query, no score


def test_an_export_without_a_query_is_the_whole_archive_with_no_limit(run, archive,
                                                                    add_articles):
    add_articles(*[article(f"Harbour report {n}", f"Harbour story number {n}.",
                           date=f"2023-09-{n + 1:02d}") for n in range(25)])
    assert archive.settings.search.limit < 25

    rows = exported(run)

    assert len(rows) == 25
    assert [r["date"][:10] for r in rows] == sorted(r["date"][:10] for r in rows)  # oldest first


# -- formats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, check", [
    ("out.csv", lambda text: text.startswith("id,date,title")),
    ("out.tsv", lambda text: text.startswith("id\tdate\ttitle")),
    ("out.json", lambda text: isinstance(json.loads(text), list)),
    ("out.jsonl", lambda text: json.loads(text.splitlines()[0])["id"]),
    ("out.yaml", lambda text: text.startswith("- id: ")),
    ("out.md", lambda text: text.startswith("| id ")),
])
def test_the_format_follows_the_extension_of_the_output(run, add_articles, tmp_path, name,
                                                        check):
    add_articles(*tricky())
    target = tmp_path / name

    result = run("export", "-o", str(target))

    assert result.exit_code == 0, result.output
    assert check(target.read_text(encoding="utf-8"))


def test_an_unknown_extension_is_a_usage_error_and_format_wins(run, add_articles, tmp_path):
    add_articles(*tricky())

    for name in ("out.xlsx", "out.html", "out"):
        result = run("export", "-o", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert "cannot tell the format" in result.output
        assert not (tmp_path / name).exists()
    result = run("export", "--format", "jsonl", "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 0
    assert json.loads((tmp_path / "out.txt").read_text().splitlines()[0])["id"]


def test_piped_without_a_format_is_csv_as_the_help_says(run, add_articles):
    add_articles(*tricky())

    assert run("export").stdout_bytes.startswith(b"id,date,title,source,tags,url\r\n")
    assert "csv otherwise" in " ".join(run("export", "--help").stdout.split())


def test_csv_is_rfc_4180_and_excel_gets_a_byte_order_mark(run, add_articles, tmp_path):
    add_articles(*tricky())

    plain = run("export", "--format", "csv", "--fields", "id,title,body").stdout_bytes.decode()
    run("export", "--excel", "--fields", "id,title,body", "-o", str(tmp_path / "x.csv"))
    excel = (tmp_path / "x.csv").read_bytes()

    assert plain.startswith("id,title,body\r\n") and plain.endswith("\r\n")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(plain, newline=""))}
    assert rows["barnes"]["body"].startswith("  Indented first line\n <AMEX> said:")
    assert excel.startswith(b"\xef\xbb\xbfid,title,body\r\n")
    assert excel[3:].decode("utf-8") == plain
    tsv = run("export", "--format", "tsv", "--excel").stdout_bytes.decode()
    assert tsv.startswith("\ufeffid\tdate") and tsv.endswith("\r\n")
    assert run("export", "--format", "json", "--excel").exit_code == 2
    searched = run("search", "Vladivostok", "--format", "csv").stdout_bytes
    assert searched.startswith(b"id,") and searched.endswith(b"\r\n")  # search's CSV too


def test_objects_in_a_csv_cell_are_json_text(run, add_articles):
    add_articles(*tricky())

    text = run("export", "--format", "csv", "--fields", "id,extra,origin").stdout_bytes.decode()

    row = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}["kim-arrives"]
    assert json.loads(row["extra"]) == {"dateline": "VLADIVOSTOK", "places": ["russia"]}
    assert json.loads(row["origin"])["record"] == 7


# -- the round trip ----------------------------------------------------------------------------

@pytest.mark.parametrize("extension", ["jsonl", "json"])
def test_a_jsonl_export_imported_into_an_empty_archive_gives_the_same_articles(
        run, archive, add_articles, tmp_path, extension):
    add_articles(*tricky())
    target = tmp_path / f"all.{extension}"
    assert run("export", "--fields", "all", "-o", str(target)).exit_code == 0

    copy = Archive.init(tmp_path / "copy")
    report = copy.import_paths([target])

    assert (report.imported, report.failed) == (3, [])
    before = {a.id: a for _, a in archive.articles()}
    after = {a.id: a for _, a in copy.articles()}
    assert after.keys() == before.keys()
    for key, was in before.items():
        now = after[key]
        for name in ("title", "body", "date", "source", "url", "authors", "tags", "lang",
                     "see_also", "names", "extra"):
            assert getattr(now, name) == getattr(was, name), (key, name)
    # where it first came from is kept when the export says so, as for an article file
    assert after["kim-arrives"].origin == before["kim-arrives"].origin
    assert after["kim-arrives"].imported_at == "2023-09-12T08:00:00+00:00"


# -- bounded memory ------------------------------------------------------------------------------

def test_articles_are_written_as_they_are_read_never_gathered_first(archive, add_articles,
                                                                   monkeypatch):
    add_articles(*[article(f"Harbour report {n}", f"Harbour story {n}.") for n in range(9)])
    monkeypatch.setattr(output, "STREAM_BATCH", 2)
    reads: list[int] = []
    real_read = type(archive.corpus).read

    def read(self, rel):
        reads.append(1)
        return real_read(self, rel)

    class Watched(io.StringIO):
        writes: list[int] = []

        def write(self, text):
            self.writes.append(len(reads))
            return super().write(text)

    monkeypatch.setattr(type(archive.corpus), "read", read)
    out = Watched()

    report = export_articles(archive, ExportOptions(fields=("id", "body")), out)

    assert report.articles == 9 and len(reads) == 9
    assert out.writes[0] <= 2  # the first rows went out before the third article was read


# -- what cannot be read is said ---------------------------------------------------------------

def test_an_unreadable_article_is_left_out_and_named(run, archive, add_articles):
    ids = add_articles(*tricky())
    damaged = archive.root / "corpus" / "1987" / "03" / "barnes.md"
    damaged.write_bytes(b"---\ntitle: [unclosed\n---\nbody\n")

    result = run("export", "--fields", "id,body")

    assert result.exit_code == 1
    assert {r["id"] for r in csv.DictReader(io.StringIO(result.stdout))} == set(ids) - {"barnes"}
    assert "1 articles left out" in result.stderr and "barnes" in result.stderr


# -- SQLite, opened by the tools it is for ------------------------------------------------------

def test_a_sqlite_export_opens_in_sqlite_utils_with_its_search(run, add_articles, tmp_path):
    sqlite_utils = pytest.importorskip("sqlite_utils", reason="sqlite-utils not installed "
                                       "(pip install sqlite-utils) to open the export with it")
    add_articles(*tricky())
    target = tmp_path / "news.db"

    result = run("export", "-o", str(target))

    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"arch: exported 3 articles to {target} (")
    db = sqlite_utils.Database(target)
    articles = db["articles"]
    assert articles.count == 3 and set(ARTICLE_FIELDS) <= set(articles.columns_dict)
    assert articles.detect_fts() == "articles_fts"
    assert [r["id"] for r in articles.search("Kim")] == ["kim-arrives"]
    assert [r["id"] for r in articles.search("arrive")] == ["kim-arrives"]  # stemmed
    row = articles.get("kim-arrives")
    assert json.loads(row["tags"]) == ["korea", "russia"]
    assert json.loads(row["extra"]) == {"dateline": "VLADIVOSTOK", "places": ["russia"]}
    assert {r["tag"] for r in db["article_tags"].rows_where("article_id = ?", ["kim-arrives"])
            } == {"korea", "russia"}
    assert [r["name"] for r in db["article_names"].rows] == ["Kim Jong-un"]
    from click.testing import CliRunner
    from sqlite_utils.cli import cli as sqlite_utils_cli

    found = CliRunner().invoke(sqlite_utils_cli, ["search", str(target), "articles", "Kim"])
    assert found.exit_code == 0 and json.loads(found.output)[0]["id"] == "kim-arrives"


def test_a_sqlite_export_is_searchable_in_datasette_at_once(run, add_articles, tmp_path):
    app = pytest.importorskip("datasette.app", reason="Datasette not installed "
                              "(pip install datasette) to open the export with it")
    add_articles(*tricky())
    target = tmp_path / "news.db"
    run("export", "-o", str(target))

    async def search() -> dict:
        response = await app.Datasette([str(target)]).client.get(
            "/news/articles.json?_search=Vladivostok&_shape=objects")
        return response.json()

    rows = asyncio.run(search())["rows"]
    assert [r["id"] for r in rows] == ["kim-arrives"]


def test_a_sqlite_export_replaces_the_file_whole(run, add_articles, tmp_path):
    add_articles(*tricky())
    target = tmp_path / "news.db"
    target.write_text("an older file")

    assert run("export", "--format", "sqlite", "-o", str(target)).exit_code == 0

    with sqlite3.connect(target) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (3,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news", "news.db"]


# -- OpenSearch: the bulk format's rules --------------------------------------------------------

def bulk_pairs(folder: Path) -> list[tuple[dict, dict]]:
    pairs = []
    for chunk in sorted(folder.glob("bulk-*.ndjson")):
        data = chunk.read_bytes()
        assert data.endswith(b"\n")
        lines = data.decode("utf-8").split("\n")[:-1]
        assert len(lines) % 2 == 0  # a chunk never splits an action from its document
        actions, documents = lines[::2], lines[1::2]
        pairs += [(json.loads(a), json.loads(d)) for a, d in zip(actions, documents, strict=True)]
    return pairs


def test_opensearch_bulk_files_follow_the_bulk_rules_under_the_size_cap(archive,
                                                                        add_articles, tmp_path):
    add_articles(*tricky(), *[article(f"Harbour report {n}", "Harbour story. " * 20)
                              for n in range(20)])
    cap = 2_000
    target = tmp_path / "os"

    report = export_articles(archive, ExportOptions(format="opensearch", chunk_mb=cap / 2**20),
                             target)

    chunks = sorted(target.glob("bulk-*.ndjson"))
    assert report.articles == 23 and len(chunks) > 3
    assert all(chunk.stat().st_size <= cap for chunk in chunks)
    pairs = bulk_pairs(target)
    assert [action["index"]["_id"] for action, _ in pairs] == [doc["id"] for _, doc in pairs]
    assert len({doc["id"] for _, doc in pairs}) == 23
    german = next(doc for _, doc in pairs if doc["id"] == "hafen")
    assert german["title_de"] == german["title"] == "Hafenmauer hält"
    assert german["body_de"] == "Die Mauer hielt stand." and "date" not in german
    kim = next(doc for _, doc in pairs if doc["id"] == "kim-arrives")
    assert kim["names_given"] == ["Kim Jong-un"]  # as written; and as arch's index keys them:
    assert {fold_key("Kim Jong-un"), fold_key("Ann Lee")} <= set(kim["names"])
    assert kim["date"] == "2023-09-12T06:00:00+09:00" and kim["tags"] == ["korea", "russia"]


def test_an_article_larger_than_a_bulk_file_goes_alone_and_is_named(archive, add_articles,
                                                                    tmp_path):
    add_articles(article("Long report", "Harbour story. " * 400, id="long"),
                 article("Short note", "Harbour note.", id="short", date="2023-09-19"))

    report = export_articles(archive, ExportOptions(format="opensearch",
                                                    chunk_mb=2_000 / 2**20), tmp_path / "os")

    chunks = sorted((tmp_path / "os").glob("bulk-*.ndjson"))
    assert [[json.loads(line)["id"] for line in c.read_text().splitlines()[1::2]]
            for c in chunks] == [["long"], ["short"]]
    assert report.notes and "article long alone is" in report.notes[0]


def test_opensearch_exports_are_the_same_bytes_run_after_run(archive, add_articles, tmp_path):
    add_articles(*tricky())

    for name in ("one", "two"):
        export_articles(archive, ExportOptions(format="opensearch"), tmp_path / name)

    first = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert sorted(first) == ["bulk-00001.ndjson", "mapping.json"]


def test_the_opensearch_mapping_matches_arch_analysis_and_weighting(archive, add_articles,
                                                                   tmp_path):
    from whoosh.analysis import STOP_WORDS

    add_articles(*tricky())
    export_articles(archive, ExportOptions(format="opensearch"), tmp_path / "os")
    definition = json.loads((tmp_path / "os" / "mapping.json").read_text())

    index = definition["settings"]["index"]
    search = archive.settings.search
    assert index["similarity"]["arch_body"] == {
        "type": "DFR", "basic_model": "ine", "after_effect": "b", "normalization": "h2",
        "normalization.h2.c": str(search.dfr_c)}
    assert index["similarity"]["arch_title"]["normalization.h2.c"] == str(search.dfr_title_c)
    analysis = index["analysis"]
    assert set(analysis["filter"]["arch_stop"]["stopwords"]) == set(STOP_WORDS)
    assert analysis["filter"]["arch_en_stemmer"]["language"] == "porter2"
    assert analysis["analyzer"]["arch_en"]["filter"][-1] == "asciifolding"
    properties = definition["mappings"]["properties"]
    assert properties["title"] == {"type": "text", "analyzer": "arch_en",
                                   "similarity": "arch_title"}
    assert properties["body_fr"]["similarity"] == "arch_body"
    assert properties["date"] == {"type": "date"}
    assert properties["tags"] == {"type": "keyword", "normalizer": "arch_lowercase"}
    for prop in properties.values():  # every analyser a field names is defined
        assert prop.get("analyzer", "arch_en") in analysis["analyzer"]
    assert definition["mappings"]["dynamic"] == "strict"
    for _, doc in bulk_pairs(tmp_path / "os"):  # so every field a document has is mapped
        assert set(doc) <= set(properties)


def test_an_opensearch_export_never_replaces_a_folder_of_other_files(run, add_articles,
                                                                    tmp_path):
    add_articles(*tricky())
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("mine")

    result = run("export", "--format", "opensearch", "-o", str(folder))

    assert result.exit_code == 2 and "did not write" in result.output
    assert [p.name for p in folder.iterdir()] == ["todo.txt"]
    assert run("export", "--format", "opensearch", "-o", str(tmp_path / "os")).exit_code == 0
    again = run("export", "--format", "opensearch", "-o", str(tmp_path / "os"))
    assert again.exit_code == 0 and "to " + str(tmp_path / "os") in again.stderr


# -- the README shows what happens --------------------------------------------------------------

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
EXPORTS = README[README.index("### Exports"):README.index("### Python API")]


def test_the_readme_export_python_block_runs(archive, add_articles, tmp_path, monkeypatch):
    import re

    add_articles(*tricky())
    code = re.search(r"```python\n(.*?)```", EXPORTS, re.S).group(1)
    monkeypatch.chdir(tmp_path)

    exec(compile(code, "README.md", "exec"), {"arc": archive, "print": lambda *a: None})  # noqa: S102

    with sqlite3.connect(tmp_path / "news.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (3,)


def test_the_readme_sqlite_tour_is_what_the_sample_archive_gives(tmp_path):
    sqlite_utils = pytest.importorskip("sqlite_utils", reason="sqlite-utils not installed")
    repo = Path(__file__).resolve().parents[1]
    sample = Archive.open(repo)
    target = tmp_path / "news.db"
    export_articles(sample, ExportOptions(format="sqlite"), target)

    shown = EXPORTS.split("$ sqlite-utils search news.db articles Kim", 1)[1].split("$ ", 1)[0]
    found = [r["title"] for r in sqlite_utils.Database(target)["articles"].search("Kim", limit=2)]
    assert len(found) == 2
    assert all(title in shown for title in found)
    first_lines = EXPORTS.split("$ head -c 300 bulk/bulk-00001.ndjson\n", 1)[1].splitlines()[:2]
    export_articles(sample, ExportOptions(format="opensearch"), tmp_path / "bulk")
    real = (tmp_path / "bulk" / "bulk-00001.ndjson").read_text(encoding="utf-8").splitlines()
    assert first_lines[0] == real[0] and real[1].startswith(first_lines[1].rstrip(" …"))


def test_opensearch_names_are_the_index_s_own_and_found_again_for_a_file_edited_since(
        archive, add_articles, tmp_path, monkeypatch):
    """The names the index found when it indexed a file are taken from the manifest, not
    found again in the text; a file edited since the index last saw it has its names found
    in the text as it is now. Either way the document is the same as finding them all again."""
    import archive_search.export as export_mod

    add_articles(*tricky())
    export_articles(archive, ExportOptions(format="opensearch"), tmp_path / "indexed")
    monkeypatch.setattr(export_mod, "_indexed_names", lambda archive: lambda row: None)
    export_articles(archive, ExportOptions(format="opensearch"), tmp_path / "found")
    bulk = "bulk-00001.ndjson"
    assert (tmp_path / "indexed" / bulk).read_bytes() == (tmp_path / "found" / bulk).read_bytes()
    monkeypatch.undo()

    rel = next(iter(archive.corpus.scan()))
    path = archive.corpus.root / rel
    path.write_text(path.read_text(encoding="utf-8").rstrip() + "\n\nVladimir Putin said so.\n",
                    encoding="utf-8")  # edited by hand; the index has not seen it
    names_of = export_mod._indexed_names(archive)
    assert names_of({"path": f"corpus/{rel}"}) is None
    other = [r for r in archive.corpus.scan() if r != rel][0]
    assert names_of({"path": f"corpus/{other}"}) is not None
