"""``arch serve``'s pages, through Flask's test client: what they show, that every value from the
archive is escaped, that any query gets a page (never a 500 with a traceback), that the
archive being written is said, and that nothing can be written through them.

What a user sees in a real browser is tested in test_serve_browser.py."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import article

from archive_search import Archive
from archive_search.cli import cli

pytest.importorskip("flask", reason="the web extra (flask) is not installed")

from archive_search.web import MAX_QUERY_CHARS, create_app  # noqa: E402
from archive_search.web.app import LOOPBACK_HOSTS, highlight, web_url  # noqa: E402

HOSTILE_TITLE = '<script>alert("boo")</script><img src=x onerror=alert(1)> Harbour "wall" & co'


@pytest.fixture
def site(archive: Archive, add_articles) -> Any:
    add_articles(
        article("Kim Jong-un arrives in Vladivostok", "Kim Jong-un arrived by armoured train "
                "for talks on the harbour.", date="2023-09-12", source="Pacific Desk",
                tags=["korea", "russia"]),
        article("Kim Jong Un meets Putin", "Kim Jong Un met Putin at the cosmodrome. The "
                "harbour was closed.", date="2023-09-13", source="Northern Wire",
                tags=["korea"]),
        article(HOSTILE_TITLE, "The harbour <b>wall</b> was mended by <i>volunteers</i>.",
                date="2023-10-01", source="<Gazette & Sons>", tags=["<tag>"],
                url="javascript:alert(document.cookie)"),
    )
    return create_app(archive).test_client()


def test_search_shows_hits_facets_spellings_and_timeline(site: Any) -> None:
    page = site.get("/?q=Kim+Jong+Un")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 articles match" in html
    assert "Kim Jong-un arrives in Vladivostok" in html
    assert 'Also matched other spellings: <span class="spelling">Kim Jong-un</span>' in html
    # facets: the source and tag counts of every match, each a link narrowing the query
    assert re.search(r'>korea</a> <span class="n">2</span>', html)
    assert "q=Kim+Jong+Un+source%3A%22Pacific+Desk%22" in html
    # the timeline: one bar per period, each a link to its dates
    assert "<svg" in html and "since=2023-09-12" in html
    # highlighted words
    assert "<mark>" in html


def test_facet_counts_equal_the_matches_per_source(archive: Archive, site: Any) -> None:
    html = site.get("/?q=harbour").get_data(as_text=True)
    counted = Counter(h.source for h in archive.search("harbour", limit=0).hits)
    for source, n in counted.items():
        shown = re.escape(str(source).replace("&", "&amp;").replace("<", "&lt;")
                          .replace(">", "&gt;"))
        assert re.search(rf'{shown}(</a>)? <span class="n">{n}</span>', html), source


def test_every_value_from_the_archive_is_escaped(archive: Archive, site: Any) -> None:
    hit = archive.search("volunteers", limit=1).hits[0]
    for url in ("/?q=volunteers", f"/article/{hit.id}", "/?q=harbour&sort=newest"):
        html = site.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#34;boo&#34;)&lt;/script&gt;" in html, url
        assert "<Gazette" not in html and "&lt;Gazette &amp; Sons&gt;" in html, url
    article_html = site.get(f"/article/{hit.id}").get_data(as_text=True)
    # the body's own markup is text, and a javascript: address is never a link
    assert "&lt;b&gt;wall&lt;/b&gt;" in article_html
    assert 'href="javascript:' not in article_html
    assert "javascript:alert(document.cookie)" in article_html


def test_highlight_escapes_first_and_pairs_the_markers() -> None:
    assert str(highlight("a \x02<b>\x03 c")) == "a <mark>&lt;b&gt;</mark> c"
    assert str(highlight("cut \x02word")) == "cut word"


@pytest.mark.parametrize("value", ["javascript:alert(1)", " JavaScript:alert(1)",
                                   "data:text/html,<script>", "//evil.example/", "http://",
                                   "vbscript:x", "http://[::1"])
def test_only_http_addresses_become_links(value: str) -> None:
    assert web_url(value) is None
    assert web_url("https://example.org/a?b=1") == "https://example.org/a?b=1"


HOSTILE_QUERIES = [
    '"unclosed', "(((((", ")", "title:", "*", "*:*", "a" * (MAX_QUERY_CHARS + 1), "\x00",
    "date:[2023 to", "date:>", "NOT", "OR OR AND", "title:(a OR", "k" * 300 + "~2",
    "<script>alert(1)</script>", "%s%s%n", "{{7*7}}", "source:\"", "tags:* OR id:*", "^2",
    "ü" * 500, "date:99999-99", "related:x", "\\", "'", "a:b:c:d",
]


def test_a_short_query_says_how_many_had_every_word_and_pages_match_the_order(site: Any) -> None:
    """'harbour train': one article has both words, two have 'harbour' only. By relevance the
    page lists all three and says one had every word; by date only that one (as the CLI)."""
    html = site.get("/?q=harbour+train").get_data(as_text=True)
    assert "3 articles match" in html and "1 with every word, then those with some" in html
    html = site.get("/?q=harbour+train&sort=newest").get_data(as_text=True)
    assert "1 article match" in html and "with every word" not in html


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_query_gets_a_page_never_a_traceback(site: Any, query: str) -> None:
    page = site.get("/", query_string={"q": query, "since": query[:30], "page": query[:5]})
    html = page.get_data(as_text=True)
    assert page.status_code in (200, 400, 404, 414), (query, page.status_code)
    assert "Traceback" not in html and "<script>alert" not in html
    assert 'class="error"' in html or 'class="hits"' in html


def test_a_query_that_is_not_utf8_gets_a_page(site: Any) -> None:
    page = site.get("/?q=%ED%A0%80%FF+harbour")
    assert page.status_code in (200, 400) and "Traceback" not in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/article/nope", "/article/..%2F..%2Fetc%2Fpasswd",
                                  "/article/x?v=abc", "/article/x?v=-1", "/name",
                                  "/name?q=zzqxnobody", "/nowhere", "/?q=x&since=tomorrow",
                                  "/?q=x&since=2024&until=2023", "/?q=x&sort=drop",
                                  "/?q=x&page=99999999999999999999"])
def test_bad_addresses_get_error_pages(site: Any, path: str) -> None:
    page = site.get(path)
    html = page.get_data(as_text=True)
    assert 400 <= page.status_code < 500, (path, page.status_code)
    assert 'class="error"' in html and "Traceback" not in html


def test_a_bug_is_a_page_saying_so_with_the_details_on_stderr(
        archive: Archive, site: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Archive, "search", broken)
    page = site.get("/?q=harbour")
    html = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "this is a bug" in html and "secret detail" not in html
    assert "RuntimeError: secret detail" in capsys.readouterr().err


def test_page_size_and_depth_are_bounded(site: Any) -> None:
    html = site.get("/?q=harbour&n=100000").get_data(as_text=True)
    assert html.count('class="hit"') == 3  # the default page size (10) holds all three
    assert "<option selected>10</option><option>20</option><option>50</option>" in html
    assert site.get("/?q=harbour&page=1001&n=10").status_code == 400


def test_nothing_can_be_written(site: Any, archive: Archive) -> None:
    before = sorted(p.name for p in archive.corpus.root.rglob("*.md"))
    for method in ("post", "put", "delete", "patch"):
        assert getattr(site, method)("/?q=harbour", data={"q": "x"}).status_code == 405
    assert sorted(p.name for p in archive.corpus.root.rglob("*.md")) == before


def test_pages_forbid_scripts_and_referrers(site: Any) -> None:
    headers = site.get("/?q=harbour").headers
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"


def test_a_loopback_server_answers_only_loopback_host_names(archive: Archive) -> None:
    client = create_app(archive, LOOPBACK_HOSTS).test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example:8080"}).status_code == 400


def test_article_page_shows_metadata_related_and_versions(archive: Archive, site: Any,
                                                          add_articles) -> None:
    first = archive.search("Vladivostok", limit=1).hits[0]
    html = site.get(f"/article/{first.id}").get_data(as_text=True)
    assert "<h1>Kim Jong-un arrives in Vladivostok</h1>" in html
    assert "Pacific Desk" in html and "2023-09-12" in html
    assert "Related articles" in html and "Kim Jong Un meets Putin" in html
    revised = archive.get(first.id)[0]
    revised.body += " He stayed two days."
    archive.import_paths([_write(archive.root.parent / "rev.json", revised)], format="json",
                         on_conflict="version")
    html = site.get(f"/article/{first.id}").get_data(as_text=True)
    # the revision is version 2: both are listed, the earlier one linked
    assert "<h2>Versions</h2>" in html and "<strong>version 2</strong>" in html
    assert f'/article/{first.id}?v=1"' in html and "He stayed two days." in html
    old = site.get(f"/article/{first.id}?v=1").get_data(as_text=True)
    assert "This is version 1" in old and "He stayed two days." not in old


def _write(path: Path, art: Any) -> str:
    import json

    path.write_text(json.dumps({"id": art.id, "title": art.title, "body": art.body,
                                "date": art.date, "source": art.source, "tags": art.tags}),
                    encoding="utf-8")
    return str(path)


def test_name_page_shows_spellings_counts_dates_and_timeline(site: Any) -> None:
    html = site.get("/name?q=Kim+Jong+Un").get_data(as_text=True)
    assert '<td class="spelling">Kim Jong-un</td>' in html
    assert '<td class="spelling">Kim Jong Un</td>' in html
    assert "first seen 2023-09-12" in html and "last seen 2023-09-13" in html
    assert "<svg" in html and "Latest articles" in html


def test_a_writer_at_work_is_said_on_the_page(archive: Archive, site: Any,
                                              add_articles) -> None:
    add_articles(article("Late arrival", "harbour news", date="2023-11-01"), index=False)
    with archive.writing():  # another process would hold it the same way
        html = site.get("/?q=harbour").get_data(as_text=True)
    assert 'class="note"' in html and "being written" in html
    assert "(a writer) is updating the index" in html


def test_serve_without_flask_says_how_to_install(archive: Archive,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask", None)
    monkeypatch.delitem(sys.modules, "archive_search.web", raising=False)
    monkeypatch.delitem(sys.modules, "archive_search.web.app", raising=False)
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "serve"], obj={})
    assert result.exit_code == 2
    assert result.stderr.strip() == ("arch: error: arch serve needs the web extra (flask is "
                                     "missing): pip install 'archive-search[web]'")


def test_start_page_lists_sources_tags_and_names(site: Any) -> None:
    html = site.get("/").get_data(as_text=True)
    assert "3 articles, from 2023-09-12 to 2023-10-01." in html
    assert re.search(r'>Pacific Desk</a> <span class="n">1</span>', html)
    assert re.search(r'>korea</a> <span class="n">2</span>', html)
    assert 'href="/name?q=Kim+Jong-un"' in html


def test_a_page_past_the_last_match_says_so(site: Any) -> None:
    page = site.get("/?q=harbour&page=2")
    assert page.status_code == 404
    assert "Page 2 is past the last of the 3 matches." in page.get_data(as_text=True)


def test_dates_centuries_apart_leave_out_the_timeline_not_the_page(archive: Archive, site: Any,
                                                                   add_articles) -> None:
    add_articles(article("Slip", "harbour record", date="0001-01-01"),
                 article("Far", "harbour record", date="9999-12-31"))
    for url in ("/?q=harbour", "/?q=record&since=0001&until=9999"):
        page = site.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert "No timeline:" in html and 'class="hit"' in html


def test_no_index_yet_while_a_writer_builds_it_is_a_page_saying_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive_search.archive as archive_module

    monkeypatch.setattr(archive_module, "FIRST_INDEX_WAIT", 0.1)
    fresh = Archive.init(tmp_path / "fresh")
    client = create_app(fresh).test_client()
    with fresh.writing():  # an import that has not published its first index yet
        page = client.get("/?q=harbour")
    html = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "The archive is being written: there is no index yet" in html


def test_a_match_whose_file_is_gone_is_left_out_and_said(archive: Archive, site: Any) -> None:
    hit = archive.search("volunteers", limit=1).hits[0]
    (archive.root / hit.path).unlink()
    with archive.writing():  # the index cannot catch up while a writer holds the lock
        html = site.get("/?q=harbour").get_data(as_text=True)
    assert "1 match left out: the file is gone from corpus/" in html
    assert html.count('class="hit"') == 2
