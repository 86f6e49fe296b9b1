"""Hostile input stays data: ids and titles cannot place files outside the archive, exports
write exactly the file named, YAML never builds Python objects, spreadsheets get no formulas,
and importing never touches the network."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import article

from archive_search import Archive, ArchiveError, NotFound, articlefile
from archive_search.cli import cli
from archive_search.config import CONFIG_NAME

PACKAGE = Path(__file__).resolve().parents[1] / "archive_search"


def arch(arc: Archive, *args: str, input: str | None = None):
    return CliRunner().invoke(
        cli, ["--archive", str(arc.root), *args], input=input, obj={}, catch_exceptions=False
    )


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# -- paths ---------------------------------------------------------------------------------------

HOSTILE_IDS = [
    "../../etc/x",
    "/etc/passwd",
    "..",
    "a/../../b",
    "C:\\Windows\\x",
    "nul\x00x",
    ".hidden",
    "-rf",
    "x" * 300,
]


def test_hostile_ids_and_titles_cannot_place_files_outside_corpus(tmp_path: Path):
    arc = Archive.init(tmp_path / "news")
    records = [
        {"id": bad, "title": f"Record {n}", "body": f"body {n}", "date": "2023-09-18"}
        for n, bad in enumerate(HOSTILE_IDS)
    ]
    records.append({"title": "../../../../etc/passwd", "body": "traversal title"})
    records.append({"title": "/" * 50 + "..\\..", "body": "slashes only"})
    batch = tmp_path / "hostile.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    outside = files_under(tmp_path)

    report = arc.import_paths([batch])

    assert report.imported == len(records)
    written = files_under(tmp_path) - outside
    corpus_files = {p for p in written if p.suffix == ".md"}
    assert len(corpus_files) == len(records)
    for path in corpus_files:
        rel = path.relative_to(arc.corpus.root).as_posix()  # raises if outside corpus/
        assert re.fullmatch(r"(\d{4}/\d{2}|undated)/[A-Za-z0-9][A-Za-z0-9_-]*\.md", rel), rel
    assert all(p.is_relative_to(arc.root) for p in written)


def test_front_matter_ids_are_made_safe_too(tmp_path: Path):
    arc = Archive.init(tmp_path / "news")
    page = tmp_path / "escape.md"
    page.write_text("---\nid: ../../../escape\ntitle: Escape\ndate: 2023-09-18\n---\nText.\n")

    arc.import_paths([page])

    [rel] = arc.corpus.scan()
    assert re.fullmatch(r"2023/09/escape-[0-9a-f]{10}\.md", rel)
    assert {p.name for p in tmp_path.iterdir()} == {"news", "escape.md"}


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "..", "a/b", ""])
def test_show_refuses_ids_that_are_paths(archive: Archive, add_articles, bad: str):
    add_articles(article("Harbour wall holds", "The flood wall held."))
    with pytest.raises(NotFound):
        archive.get(bad)
    result = arch(archive, "show", bad)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("arch: error: no article with id")


def test_export_writes_exactly_the_named_file_and_replaces_it_whole(
    archive: Archive, add_articles, tmp_path: Path
):
    add_articles(
        article("Harbour wall holds", "The flood wall held."),
        article("Rates unchanged", "The bank kept rates.", date="2023-10-02"),
    )
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "hits.csv"
    target.write_text("old,content\n")
    with open(target, encoding="utf-8") as reader:  # someone reading the old file meanwhile
        result = arch(archive, "export", "-o", str(target))
        assert reader.read() == "old,content\n"  # replaced by a rename, never rewritten in place

    assert result.exit_code == 0, result.stderr
    assert files_under(out_dir) == {target}  # no temporary files left beside it
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["title"] for r in rows} == {"Harbour wall holds", "Rates unchanged"}


# -- YAML ----------------------------------------------------------------------------------------

PYTHON_TAGS = [
    "title: !!python/object/apply:os.system ['touch {marker}']",
    "title: !!python/object/new:os.system ['touch {marker}']",
    "title: !!python/name:os.system",
    "title: !!python/object:collections.OrderedDict {{}}",
]


@pytest.mark.parametrize("line", PYTHON_TAGS, ids=["apply", "new", "name", "object"])
def test_python_tags_in_front_matter_are_refused_not_run(tmp_path: Path, line: str):
    arc = Archive.init(tmp_path / "news")
    marker = tmp_path / "PWNED"
    page = tmp_path / "tagged.md"
    page.write_text("---\n" + line.format(marker=marker) + "\n---\nText.\n", encoding="utf-8")

    report = arc.import_paths([page])

    assert not marker.exists()
    assert report.imported == 0
    [failure] = report.failed
    assert failure.startswith(f"{page}: ") and "\n" not in failure
    assert "not valid YAML" in failure


def test_python_tags_in_the_settings_file_are_refused_in_one_line(tmp_path: Path):
    arc = Archive.init(tmp_path / "news")
    marker = tmp_path / "PWNED"
    (arc.root / CONFIG_NAME).write_text(
        f"name: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    with pytest.raises(ArchiveError, match="not valid YAML"):
        Archive.open(arc.root)
    result = CliRunner().invoke(cli, ["--archive", str(arc.root), "stats"], obj={})
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert not marker.exists()


def test_yaml_is_only_read_and_written_with_the_safe_loader_and_dumper():
    unsafe = re.compile(
        r"yaml\.(unsafe_load|full_load|load_all|load)\((?![^)]*Loader=loader)"
        r"|yaml\.(dump|dump_all)\((?![^)]*Dumper=dumper)"
        r"|\b(Full|Unsafe)?Loader\s*=\s*yaml\.(Full|Unsafe)?Loader\b"
    )
    offenders = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if unsafe.search(line)
    ]
    assert offenders == []
    _, dumper, loader = articlefile._yaml()
    assert not issubclass(loader, yaml.constructor.FullConstructor)
    assert issubclass(dumper, yaml.representer.SafeRepresenter)
    assert not issubclass(dumper, yaml.representer.Representer)


# -- spreadsheets --------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "-2+3", "@cmd|'/c calc'!A0"]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_exports_for_spreadsheets_carry_no_formulas(archive: Archive, add_articles, fmt: str):
    add_articles(
        *[
            article(title, f"formula number {n}", tags=["=1+1", "ok"], source="=cmd")
            for n, title in enumerate(FORMULAS)
        ]
    )

    result = arch(archive, "export", "--format", fmt, "--fields", "id,title,source,tags")

    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 1 + len(FORMULAS)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert {row[1] for row in rows[1:]} == {"'" + f for f in FORMULAS}


# -- network and content -------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><title>Harbour wall holds in the storm</title>
<link rel="stylesheet" href="http://tracker.example/style.css">
<link rel="canonical" href="https://harbour.example/news/wall">
<meta http-equiv="refresh" content="0; url=http://tracker.example/redirect">
<script src="http://tracker.example/app.js"></script>
<script>document.write("INJECTED-BY-SCRIPT")</script>
</head><body><article>
<h1>Harbour wall holds in the storm</h1>
<p>The new flood wall held through the night, the council said on Tuesday morning.</p>
<img src="http://tracker.example/pixel.gif" onerror="alert('INJECTED-BY-HANDLER')">
<iframe src="http://tracker.example/frame"></iframe>
<p>Engineers will inspect the barrier again once the water has gone down.</p>
</article></body></html>
"""
FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>http://tracker.example/</link>
<item><title>Pumps finished early</title><link>http://tracker.example/pumps</link>
<description>The new pumps are finished.</description>
<enclosure url="http://tracker.example/audio.mp3" length="1" type="audio/mpeg"/>
<pubDate>Tue, 11 Jun 2024 10:30:00 +0100</pubDate></item>
</channel></rss>
"""
MARKDOWN = """---
title: Tram line opens
date: 2024-02-05
---
![map](http://tracker.example/map.png)

The first trams ran on Sunday. [More](http://tracker.example/more)
"""


def test_importing_never_touches_the_network_or_runs_page_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network access during import")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "page.html").write_text(PAGE, encoding="utf-8")
    (inputs / "feed.xml").write_text(FEED, encoding="utf-8")
    (inputs / "tram.md").write_text(MARKDOWN, encoding="utf-8")
    arc = Archive.init(tmp_path / "news")

    report = arc.import_paths([inputs])

    assert attempts == []
    assert report.failed == [] and report.imported == 3
    texts = [arc.corpus.root.joinpath(rel).read_text(encoding="utf-8") for rel in arc.corpus.scan()]
    assert not [t for t in texts if "INJECTED" in t]
