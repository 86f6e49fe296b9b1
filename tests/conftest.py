"""Shared fixtures: temporary archives, the real corpora in ../shared, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive_search import Archive, Article
from archive_search.cli import cli

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
SAMPLE_INPUTS = REPO / "tests" / "data" / "sample_inputs"


@pytest.fixture
def shared() -> Path:
    """The real public corpora beside the repository (never copied into it)."""
    if not SHARED.is_dir():
        pytest.skip("real corpora not available: ../shared/corpora not present")
    return SHARED


@pytest.fixture
def seed_file(shared: Path) -> Path:
    return shared / "seed" / "000_aa954623e1d8c68c.txt"


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """A new empty archive in a temporary folder."""
    return Archive.init(tmp_path / "news")


@pytest.fixture
def add_articles(archive: Archive) -> Callable[..., list[str]]:
    """Write articles straight into corpus/ (as a user or another tool would) and index them."""

    def add(*articles: Article, index: bool = True) -> list[str]:
        ids = []
        for article in articles:
            article.ensure_id()
            archive.corpus.write(article)
            ids.append(article.id)
        if index:
            archive.update_index()
        return ids

    return add


@pytest.fixture
def run(archive: Archive) -> Callable[..., Result]:
    """Run ``arch --archive <tmp archive> ARGS…`` in-process and return click's Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return runner.invoke(cli, ["--archive", str(archive.root), *args], input=input,
                             obj={}, catch_exceptions=False)

    return invoke


def article(title: str, body: str, date: str | None = "2023-09-18T14:17:00", **kw) -> Article:
    """A small article for tests."""
    return Article(title=title, body=body, date=date, **kw)


def read_or_refusal(read: Callable[[bytes], list], data: bytes) -> list | None:
    """What an importer yields for ``data``, or None when it refused the whole input: the one
    exception an importer may raise is ImportFailure, with a one-line reason. What it yields is
    articles, record failures and warnings only, articles in text a file can hold."""
    from archive_search.importers.base import ImportFailure, RecordFailure, RecordWarning

    try:
        items = read(data)
    except ImportFailure as failure:
        assert "\n" not in str(failure)
        return None
    assert all(isinstance(item, (Article, RecordFailure, RecordWarning)) for item in items)
    for item in items:
        if isinstance(item, Article):
            (item.title + item.body + "".join(item.tags + item.authors)).encode("utf-8")
    return items
