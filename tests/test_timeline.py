"""``arch timeline``: how many articles match a query per day, week, month or year.

The counts are the search's own (``arch search QUERY --limit 0`` grouped by each article's
date), a name counts every spelling once per article, and the periods run without gaps."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, article

from archive_search import Archive
from archive_search.cli import cli
from archive_search.timeline import MAX_PERIODS, chart, choose_by, timeline


def arch(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--archive", str(root), *args], obj={})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A copy of the sample archive the project wrote (its 34 articles), indexed."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "archive.yaml", root / "archive.yaml")
    shutil.copytree(REPO / "corpus", root / "corpus")
    (root / "index").mkdir()
    arc = Archive.open(root)
    arc.update_index()
    return arc


@pytest.mark.parametrize(("query", "by"), [("Kim Jong Un", "day"), ("korea", "week"),
                                           ("inflation OR floods", "month"),
                                           ("tags:korea", "year"), ("armoured train", "week")])
def test_counts_equal_the_search_grouped_by_date(sample: Archive, query: str, by: str) -> None:
    """The articles counted are those ``arch search`` lists in date order: for a short query,
    those with every word (a ranked list puts those with some after them)."""
    code, out, _ = arch(sample.root, "search", query, "--limit", "0", "--format", "json",
                        "--fields", "date", "--sort", "oldest")
    assert code == 0
    found = Counter(_period(row["date"], by) for row in json.loads(out) if row["date"])
    code, out, _ = arch(sample.root, "timeline", query, "--by", by, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["period"]: r["count"] for r in rows if r["count"]} == dict(found)
    assert sum(r["count"] for r in rows) == sum(found.values())


def _period(date: str, by: str) -> str:
    day = dt.date.fromisoformat(date[:10])
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return {"day": day.isoformat(), "month": f"{day:%Y-%m}", "year": str(day.year)}[by]


def test_a_name_counts_every_spelling_once_per_article(archive: Archive, add_articles) -> None:
    add_articles(
        article("Leader arrives", "Kim Jong-un arrived by train.", date="2023-09-12"),
        article("Talks", "Kim Jong Un met the president. Later Kim Jong-un left.",
                date="2023-09-13"),
        article("Factory", "Kim Jongun toured a factory.", date="2023-10-02"),
        article("Weather", "Rain all week.", date="2023-10-03"),
    )
    tl = timeline(archive, "Kim Jong Un", by="month")
    assert tl.matched == 3
    assert [(p.label, n) for p, n in zip(tl.periods, tl.counts, strict=True)] == [
        ("2023-09", 2), ("2023-10", 1)]
    assert set(tl.variants) >= {"Kim Jong-un", "Kim Jongun"}
    exact = archive.search("Kim Jong Un", exact=True, limit=0)
    assert timeline(archive, "Kim Jong Un", by="month", exact=True).matched == len(exact.hits) < 3


def test_periods_run_without_gaps_and_since_until_set_the_span(archive: Archive,
                                                               add_articles) -> None:
    add_articles(article("One", "tidal barrier", date="2023-01-15"),
                 article("Two", "tidal barrier", date="2023-04-02"))
    tl = timeline(archive, "tidal", by="month")
    assert [p.label for p in tl.periods] == ["2023-01", "2023-02", "2023-03", "2023-04"]
    assert tl.counts == [1, 0, 0, 1]
    assert (tl.periods[1].start, tl.periods[1].end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))
    wider = timeline(archive, "tidal", by="month", since=dt.datetime(2022, 12, 1),
                     until=dt.datetime(2023, 5, 31))
    assert [p.label for p in wider.periods][0] == "2022-12"
    assert [p.label for p in wider.periods][-1] == "2023-05"
    assert sum(wider.counts) == 2


def test_the_period_is_chosen_from_the_span() -> None:
    day = dt.date(2023, 9, 1)
    assert choose_by(day, day + dt.timedelta(days=30)) == "day"
    assert choose_by(day, day + dt.timedelta(days=200)) == "week"
    assert choose_by(day, day + dt.timedelta(days=3 * 365)) == "month"
    assert choose_by(day, day + dt.timedelta(days=40 * 365)) == "year"


def test_undated_articles_are_counted_apart(archive: Archive, add_articles) -> None:
    add_articles(article("Dated", "harbour wall", date="2023-02-01"),
                 article("Undated", "harbour wall", date=None))
    tl = timeline(archive, "harbour")
    assert (tl.matched, tl.undated, sum(tl.counts)) == (2, 1, 1)
    assert "1 matching article without a date not shown" in chart(tl)


def test_split_by_source_keeps_the_top_keys_and_sums_the_rest(archive: Archive,
                                                              add_articles) -> None:
    add_articles(*[article(f"Flood {i}", "river flood", date="2023-03-0" + str(1 + i % 3),
                           source=src)
                   for i, src in enumerate(["Gazette", "Gazette", "Gazette", "Courier",
                                            "Courier", "Wire", None])])
    tl = timeline(archive, "flood", by="month", split="source", top=2)
    assert tl.series == {"Gazette": [3], "Courier": [2], "(other)": [2]}
    rows = tl.rows()
    assert rows[0] == {"period": "2023-03", "start": "2023-03-01", "end": "2023-03-31",
                       "source": "Gazette", "count": 3}
    assert tl.fields() == ["period", "start", "end", "source", "count"]


def test_split_by_tag_counts_an_article_under_each_tag(archive: Archive, add_articles) -> None:
    add_articles(article("Both", "grain exports", date="2023-05-01", tags=["trade", "wheat"]),
                 article("One", "grain exports", date="2023-05-02", tags=["trade"]))
    tl = timeline(archive, "grain", split="tag", by="month")
    assert tl.series == {"trade": [2], "wheat": [1]}
    assert tl.counts == [2]
    assert "counts under each" in chart(tl)


def test_the_chart_labels_the_peak_and_not_flat_runs(archive: Archive, add_articles) -> None:
    dates = ["2023-01-05", "2023-02-05", "2023-03-01", "2023-03-02", "2023-03-03",
             "2023-04-09"]
    add_articles(*[article(f"Quay {i}", "quay repairs", date=d) for i, d in enumerate(dates)])
    text = chart(timeline(archive, "quay", by="month"))
    lines = text.splitlines()
    assert lines[0] == "6 articles matching 'quay', by month"
    assert [line.split()[0] for line in lines if "◀" in line] == ["2023-03"]
    assert "◀ peak" in lines[3] and lines[3].rstrip().endswith("3 ◀ peak")


def test_cli_formats_and_exit_status(sample: Archive) -> None:
    code, out, err = arch(sample.root, "timeline", "Kim Jong Un", "--by", "month",
                          "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "period,start,end,count"
    assert "2023-09,2023-09-01,2023-09-30," in out
    assert "also counted other spellings" in err
    code, out, _ = arch(sample.root, "timeline", "korea", "--split", "source", "--format",
                        "jsonl")
    assert code == 0 and all("source" in json.loads(line) for line in out.splitlines())
    code, out, err = arch(sample.root, "timeline", "zzqxnothing", "--format", "tsv")
    assert code == 1 and "no results" in err
    code, _, err = arch(sample.root, "timeline", '"unclosed')
    assert code == 2 and "unbalanced quote" in err


def test_too_many_periods_is_refused_with_a_coarser_period(sample: Archive) -> None:
    code, _, err = arch(sample.root, "timeline", "korea", "--by", "day", "--since", "1900",
                        "--until", "2023")
    assert code == 2
    assert f"more than a timeline shows ({MAX_PERIODS:,}); count by month" in err


def test_chart_file_has_the_query_in_its_title(sample: Archive, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    svg = tmp_path / "kim.svg"
    code, _, err = arch(sample.root, "timeline", "Kim Jong Un", "-o", str(svg))
    assert code == 0 and f"wrote {svg}" in err
    text = svg.read_text(encoding="utf-8")
    assert "'Kim Jong Un': 12 articles by week" in text
    assert "<dc:date>" not in text  # no date: the same archive draws the same file
    # a $ would start matplotlib's math mode; a lone one would make drawing fail
    png = tmp_path / "dollar.png"
    code, _, err = arch(sample.root, "timeline", "korea OR $x_", "-o", str(png))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = arch(sample.root, "timeline", "korea", "-o", str(tmp_path / "chart.gif"))
    assert code == 2 and "name a .svg, .png or .pdf file" in err


def test_chart_file_without_matplotlib_is_one_line(sample: Archive, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = arch(sample.root, "timeline", "korea", "-o", str(tmp_path / "k.svg"))
    assert code == 2
    assert err.strip().splitlines()[-1] == ("arch: error: drawing a chart file needs "
                                            "matplotlib: pip install 'archive-search[plot]'")


def test_a_split_chart_keeps_every_bar_within_the_width(archive: Archive, add_articles) -> None:
    add_articles(article("Many tags", "grain exports", date="2023-05-01",
                         tags=["trade", "wheat", "ports", "prices"]),
                 article("One tag", "grain exports", date="2023-06-01", tags=["trade"]))
    lines = chart(timeline(archive, "grain", split="tag", by="month"), width=80).splitlines()
    bars = [line.split("│", 1)[1].rsplit(" ", 3)[0].rstrip() for line in lines if "│" in line]
    # the longest stack fills the bar's width (at most 50 cells); one tag is a quarter of it
    assert [len(bar) for bar in bars] == [50, 12]
