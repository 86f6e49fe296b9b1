"""The arch command: output on stdout, messages on stderr, exit codes scripts can trust."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import article

from archive_search import Article
from archive_search.cli import cli


@pytest.fixture
def news(add_articles):
    return add_articles(
        article("Kim Jong-un arrives in Vladivostok", "The armoured train arrived.",
                date="2023-09-12T10:00:00+10:00", tags=["korea", "russia"],
                source="Pacific Desk", url="https://pacific-desk.example/1"),
        article("Harbour wall holds", "The flood wall held in the storm.", date="2023-10-02",
                tags=["floods"], source="Harbour Gazette"),
    )


#: Every command of ``arch``, read from the group itself: a new command is walked by the tests
#: below without anyone adding it to a list.
COMMANDS = sorted(cli.commands)
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
#: What a shell line's operators split it into: the commands of a pipeline or a list.
_SEPARATORS = {"|", "&&", "||", ";"}


def _help(command: str) -> str:
    result = CliRunner().invoke(cli, [command, "--help"], obj={})
    assert result.exit_code == 0, result.output
    return result.output


def _examples(help_text: str) -> list[str]:
    """The lines of the help's "Examples:" block (each a shell line starting with a command)."""
    block = help_text.split("Examples:", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if not line.strip():
            break
        lines.append(line.strip())
    return lines


def _arch_runs(line: str) -> list[tuple[list[str], str | None]]:
    """The ``arch`` commands of an example shell line, as ``(arguments, stdin file)``: the
    arguments after ``arch`` (comments and ``> FILE`` redirections left out) and the file
    ``cat`` feeds it through a pipe, if any."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    for token in lexer:
        if token in _SEPARATORS:
            segments.append([token])
        else:
            segments[-1].append(token)
    runs = []
    previous: list[str] = []
    for segment in segments:
        piped = segment[:1] == ["|"]
        words = [w for w in segment if w not in _SEPARATORS]
        if words[:1] == ["arch"]:
            args = []
            skip = False
            for word in words[1:]:
                if skip:
                    skip = False
                elif word == ">":
                    skip = True
                else:
                    args.append(word)
            fed = previous[1] if piped and previous[:1] == ["cat"] else None
            runs.append((args, fed))
        previous = words
    return runs


@pytest.fixture
def made_up(tmp_path, monkeypatch):
    """A small archive of our own holding the ids the help examples name, and the input files
    they import, as the current folder (where ``arch`` finds the archive without --archive)."""
    from archive_search import Archive

    arc = Archive.init(tmp_path / "desk")
    for item in (
        Article(id="kim-jong-un-arrives-in-vladivostok-3f2a91c0de",
                title="Kim Jong-un arrives in Vladivostok",
                body="Kim Jong-un's armoured train reached Vladivostok. Paul Volcker was not "
                     "there.", date="2023-09-12", tags=["korea", "russia"], source="Pacific Desk"),
        Article(id="nw-2024-0117", title="Kim Jong Un inspects a missile factory",
                body="Kim Jong Un visited the factory in Vladivostok.", date="2024-01-17",
                tags=["korea"], source="Northern Wire"),
        Article(id="reuters-1", title="Volcker says rates will hold",
                body="Paul Volcker said rates will hold in March.", date="1987-03-02",
                tags=["money"], source="reuters"),
    ):
        arc.corpus.write(item)
    arc.update_index()
    (arc.root / "export.csv").write_text(
        "title,body,published_at\nHarbour wall holds,The flood wall held.,2023-10-02\n",
        encoding="utf-8")
    (arc.root / "feed.jsonl").write_text(
        '{"title": "Ferry returns", "body": "The ferry came back.", "date": "2023-10-03"}\n',
        encoding="utf-8")
    (arc.root / "lee_background.cor").write_text("A storm closes the port.\n", encoding="utf-8")
    (arc.root / "queries.txt").write_text("Vladivostok\nmissile\n", encoding="utf-8")
    monkeypatch.chdir(arc.root)
    return arc.root


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples_and_a_readme_mention(command):
    assert _examples(_help(command)), f"arch {command} --help has no examples"
    assert re.search(rf"\barch {command}\b", README), f"the README never shows arch {command}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_in_a_commands_help_runs(command, made_up):
    """Each example of ``arch COMMAND --help`` runs on a small archive: none meets a bug
    (exit status 70), and at least one succeeds, so the help shows commands that work."""
    statuses = {}
    for line in _examples(_help(command)):
        runs = _arch_runs(line)
        assert runs, f"example without an arch command: {line}"
        for args, fed in runs:
            stdin = (made_up / fed).read_bytes() if fed else b""
            result = CliRunner().invoke(cli, args, input=stdin, obj={}, catch_exceptions=False)
            assert result.exit_code != 70, f"{line}: {result.output}"
            if args[:1] == [command]:
                statuses[line] = result.exit_code
    assert statuses, f"no example of arch {command} runs arch {command}"
    assert 0 in statuses.values(), f"no example of arch {command} succeeds: {statuses}"


def test_search_writes_results_to_stdout_and_nothing_else(run, news):
    result = run("search", "Vladivostok", "--format", "json")
    assert result.exit_code == 0
    [hit] = json.loads(result.stdout)
    assert hit["id"] == news[0]
    assert hit["date"] == "2023-09-12T10:00:00+10:00"
    assert list(hit) == ["id", "date", "title", "source", "tags", "score", "snippet", "url"]


def test_search_fields_and_formats(run, news):
    result = run("search", "korea OR floods", "--fields", "date,title,source", "-f", "csv",
                 "--sort", "newest")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    titles = [r["title"] for r in rows]
    assert titles == ["Harbour wall holds", "Kim Jong-un arrives in Vladivostok"]
    assert list(rows[0]) == ["date", "title", "source"]


def test_piped_output_defaults_to_tsv(run, news):
    lines = run("search", "storm").stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["id", "date", "title"]


def test_a_reader_that_stops_reading_ends_the_search_quietly(archive, news):
    """``arch search … | head -1``: when the pipe's reader has gone, arch stops with status 141
    (as a tool killed by SIGPIPE) and says nothing, instead of an 'unexpected error'."""
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "archive_search", "--archive", str(archive.root), "search",
             "Vladivostok OR storm", "--format", "jsonl"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == ""


def test_index_and_stats_load_no_module_they_do_not_use(archive, news):
    """`arch index` and `arch stats` with nothing changed are mostly a walk of corpus/ and a
    read of the manifest: they start without Whoosh (the index files are not opened), without
    hashlib, which loads OpenSSL (nothing is hashed), and without ctypes (the writer, which
    finds ``prctl`` through it for the children it forks, forks none). The archive
    has the semantic extra switched off, as the benchmark's has: with it on, `arch index`
    checks the article vectors as well."""
    with open(archive.root / "archive.yaml", "a", encoding="utf-8") as fh:
        fh.write("related:\n  semantic: off\n")
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = ("import sys\n"
            "from archive_search.cli import main\n"
            "try:\n"
            "    main()\n"
            "finally:\n"
            "    print(sorted({m.split('.')[0] for m in sys.modules}\n"
            "                 & {'whoosh', 'hashlib', 'ctypes'}), file=sys.stderr)\n")
    for command in ("index", "stats"):
        done = subprocess.run([sys.executable, "-c", code, "--archive", str(archive.root), command],
                              capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[-1] == "[]", (command, done.stderr)


def test_a_closed_pipe_inside_a_test_runner_ends_the_same_way(run, news, monkeypatch):
    import archive_search.cli as cli_module

    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli_module, "write_rows", closed)
    result = run("search", "Vladivostok")
    assert result.exit_code == 141
    assert result.stderr == ""


def test_no_results_exit_1_with_a_message(run, news):
    result = run("search", "zeppelin")
    assert result.exit_code == 1
    assert result.stdout.strip() == "id\tdate\ttitle\tsource\ttags\tscore\tsnippet\turl"
    assert "no results for 'zeppelin'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", '"unbalanced'], "unbalanced quote"),
        (["search", "colour:red"], "unknown field"),
        (["search", "x", "--since", "last tuesday"], "not a date"),
        (["search", "x", "--fields", "date,colour"], "unknown field 'colour'"),
        (["search"], "give a QUERY or --batch"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run, news, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_batch_rows_carry_the_query(run, news):
    result = run("search", "--batch", "-", "-f", "jsonl", "--fields", "id",
                 input="Vladivostok\n\nstorm\nzeppelin\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {"query": "Vladivostok", "rank": 1, "id": news[0], "suggestion": None, "error": None},
        {"query": "storm", "rank": 1, "id": news[1], "suggestion": None, "error": None},
        {"query": "zeppelin", "rank": None, "id": None, "suggestion": None, "error": None}]
    assert result.exit_code == 0


def test_show_formats(run, news):
    md = run("show", news[0]).stdout
    assert md.startswith(f"---\nid: {news[0]}\n")
    data = json.loads(run("show", news[0], "--format", "json").stdout)
    assert list(data) == ["id", "title", "date", "source", "url", "authors", "tags", "lang",
                          "see_also", "body", "path"]
    assert data["path"].startswith("corpus/2023/09/")
    as_yaml = yaml.safe_load(run("show", news[1], "-f", "yaml").stdout)
    assert as_yaml["title"] == "Harbour wall holds"
    missing = run("show", "no-such-article")
    assert missing.exit_code == 1 and "no article with id" in missing.stderr


def test_export_whole_archive_and_query_to_file(run, news, tmp_path):
    everything = list(csv.DictReader(io.StringIO(run("export", "-f", "csv").stdout)))
    assert [r["id"] for r in everything] == news  # oldest first
    out = tmp_path / "table.md"
    result = run("export", "tags:korea", "--fields", "date,title,source", "-o", str(out))
    assert result.exit_code == 0
    assert "| date" in out.read_text() and "Vladivostok" in out.read_text()
    assert f"exported 1 article to {out}" in result.stderr


def test_stats(run, news):
    data = json.loads(run("stats", "--format", "json").stdout)
    assert data["articles"] == 2
    assert data["first_date"].startswith("2023-09-12")
    assert ["korea", 1] in data["tags"]
    text = run("stats").stdout
    assert "articles:  2" in text


def test_no_archive_found_suggests_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCH_HOME", raising=False)
    result = CliRunner().invoke(cli, ["search", "x"], obj={})
    assert result.exit_code == 2
    assert "no archive here" in result.stderr and "arch init" in result.stderr


def test_init_then_archive_found_from_a_subfolder(tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "news")], obj={}).exit_code == 0
    assert (tmp_path / "news" / "archive.yaml").is_file()
    sub = tmp_path / "news" / "corpus"
    monkeypatch.chdir(sub)
    monkeypatch.delenv("ARCH_HOME", raising=False)
    result = runner.invoke(cli, ["stats", "-f", "json"], obj={})
    assert json.loads(result.stdout)["articles"] == 0


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "yaml", "markdown", "table"])
def test_output_cut_by_the_limit_says_so_on_stderr_in_every_format(archive, run, fmt):
    """`arch search … -f csv > hits.csv` wrote the first 10 rows without a word; every format
    now says on stderr when more matched than were printed, and nothing when all were."""
    for n in range(5):
        a = article(f"Harbour report {n}", f"The harbour story, part {n}.")
        a.ensure_id()
        archive.corpus.write(a)
    archive.update_index()
    cut = run("search", "harbour", "-n", "2", "-f", fmt, "--fields", "id")
    assert cut.exit_code == 0
    assert "arch: showing the first 2 matches" in cut.stderr
    assert "--limit 0 for all" in cut.stderr
    page = run("search", "harbour", "-n", "2", "--offset", "2", "-f", fmt, "--fields", "id")
    assert "showing matches 3-4" in page.stderr
    for whole in (run("search", "harbour", "-n", "0", "-f", fmt, "--fields", "id"),
                  run("search", "harbour", "-n", "5", "-f", fmt, "--fields", "id")):
        assert whole.exit_code == 0 and "showing" not in whole.stderr


def test_the_tour_finds_what_it_shows_on_the_sample_archive():
    """The README's tour ran `title:missile date:2023-09`, which finds nothing on the sample
    archive it is shown on: each search in the tour finds something there."""
    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A tour"):readme.index("### Searching")]
    queries = re.findall(r"^(?:\$ )?arch search (\"[^\"]+\"|'[^']+'|\S+)", tour, re.M)
    assert len(queries) >= 3
    runner = CliRunner()
    for quoted in queries:
        result = runner.invoke(cli, ["--archive", str(repo), "search", quoted.strip("'\""),
                                     "--format", "tsv", "--fields", "id"], obj={})
        assert result.exit_code == 0, (quoted, result.stderr)


def test_shell_completion_is_there_as_the_readme_says():
    env = {**os.environ, "_ARCH_COMPLETE": "bash_source"}
    done = subprocess.run([sys.executable, "-m", "archive_search"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0 and "_arch_completion" in done.stdout
    assert "_ARCH_COMPLETE=bash_source arch" in (
        Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
