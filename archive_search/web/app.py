"""The pages of ``arch serve`` and the server that serves them (see :mod:`archive_search.web`).

Every page is a GET that reads; there is no route that writes. What a user types is bounded (a
query of at most MAX_QUERY_CHARS characters, at most MAX_PAGE_SIZE results a page, no page past
MAX_OFFSET), and whatever they type is answered by a page: a query the search refuses, an
unknown article or name, an archive being written, even a bug in arch (a page saying so, the
traceback only on the server's stderr) — never a bare 500 or a traceback in the browser.
Everything from the archive is escaped by Jinja2's autoescaping; a link to an article's own
address is made only for http and https addresses.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, g, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server as _werkzeug_server

from ..archive import Archive
from ..dates import DateError, parse_user_date
from ..errors import ArchiveError, ArchiveLocked, NotFound, QueryError
from ..facets import facet_counts
from ..output import HL_END, HL_START
from ..timeline import Timeline, from_hits
from ..timeline import timeline as count_timeline

#: The longest query the page runs (the search itself allows more; a search box does not
#: need it, and a long query is the costly kind).
MAX_QUERY_CHARS = 1000
#: Results a page shows: the choices offered, and the most a URL may ask for.
PAGE_SIZES = (10, 20, 50)
MAX_PAGE_SIZE = max(PAGE_SIZES)
#: The deepest result a page shows: nobody reads result 10,001 on a web page.
MAX_OFFSET = 10_000
#: Sources and tags listed beside the results.
FACETS = 15
#: How old the start page's counts may be, in seconds (see _Overview).
OVERVIEW_SECONDS = 60.0
#: Related articles on an article page; matches listed on a name page.
RELATED = 8
NAME_ARTICLES = 20
#: Host names a server bound to the loopback answers to: a page of another site that points
#: its own host name at 127.0.0.1 (DNS rebinding) cannot read the archive through it.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
_LABELS = {"q": "query", "since": "from date", "until": "until date"}
_HIGHLIGHT = re.compile(f"{HL_START}(.*?){HL_END}", re.S)
_SECURITY_HEADERS = {
    # no script can run, whatever an article holds; styles and images only from this server
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    # following a link to an article's address must not tell that site what was searched
    "Referrer-Policy": "no-referrer",
}


class PageError(Exception):
    """A request that gets an error page: ``status`` and the one line the page says."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def create_app(archive: Archive, trusted_hosts: list[str] | None = None) -> Flask:
    """The web application over ``archive``. ``trusted_hosts``: the only host names requests
    may name (None: any), see LOOPBACK_HOSTS."""
    app = Flask(__name__)
    app.config["TRUSTED_HOSTS"] = trusted_hosts
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["web_url"] = web_url
    app.jinja_env.globals.update(query_url=query_url, facet_query=facet_query,
                                 svg_bars=svg_bars, max_query=MAX_QUERY_CHARS,
                                 page_sizes=PAGE_SIZES)
    # one request at a time reads the archive: the index and name catalogue it keeps open are
    # shared, and bringing the index up to date must not run twice at once
    reading = threading.Lock()

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.notes = []

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        return response

    def page(template: str, code: int = 200, **context: Any) -> tuple[str, int]:
        return render_template(template, archive_name=_archive_name(archive), notes=g.notes,
                               ms=(time.perf_counter() - g.started) * 1000, **context), code

    def read(work: Callable[[], tuple[str, int]]) -> tuple[str, int]:
        """Run a page's reads under the lock, after bringing the index up to date as a search
        does; a writer at work is said on the page, not waited for."""
        with reading:
            report = archive.ensure_index()
            if report is not None and report.note:
                g.notes.append(f"The archive is being written or changed: {report.note}.")
            return work()

    @app.errorhandler(Exception)
    def _error(exc: Exception) -> tuple[str, int]:
        if isinstance(exc, HTTPException):
            status, message = exc.code or 500, exc.description or exc.name
        elif isinstance(exc, PageError):
            status, message = exc.status, str(exc)
        elif isinstance(exc, ArchiveLocked):
            status, message = 503, f"The archive is being written: {exc}"
        elif isinstance(exc, NotFound):
            status, message = 404, str(exc)
        elif isinstance(exc, (QueryError, DateError)):
            status, message = 400, str(exc)
        elif isinstance(exc, ArchiveError):
            status, message = 500 if exc.exit_code == 74 else 400, str(exc)
        else:  # a bug in arch: said on the page, the details only on the server's stderr
            traceback.print_exception(exc, file=sys.stderr)
            status = 500
            message = (f"Something went wrong inside arch ({type(exc).__name__}); this is a "
                       "bug. The details are on the terminal running arch serve.")
        g.setdefault("started", time.perf_counter())
        g.setdefault("notes", [])
        try:
            return page("error.html", status, title="Error", message=message, status=status,
                        q=request.args.get("q", "")[:MAX_QUERY_CHARS])
        except Exception as again:  # the error page itself failed: still a page, no traceback
            traceback.print_exception(again, file=sys.stderr)
            return f"<!doctype html><title>Error</title><p>{escape(message)}</p>", status

    overview = _Overview(archive)

    @app.get("/")
    def search_page() -> tuple[str, int]:
        form = _search_form()
        if not form["q"]:
            return read(lambda: page("home.html", title="Search", form=form,
                                     **overview.get()))
        return read(lambda: page("search.html", title=f"{form['q']} – search", form=form,
                                 **_search(archive, form)))

    @app.get("/article/<article_id>")
    def article_page(article_id: str) -> tuple[str, int]:
        version = request.args.get("v", type=int)
        return read(lambda: page("article.html", **_article(archive, article_id, version)))

    @app.get("/name")
    def name_page() -> tuple[str, int]:
        query = _text_arg("q")
        if not query:
            raise PageError("Name a person, place or organisation to look up (?q=…).")
        return read(lambda: page("name.html", title=f"{query} – name", q=query,
                                 **_name(archive, query)))

    return app


class _Overview:
    """The start page's counts (articles, dates, top sources, tags and names), made again at
    most every OVERVIEW_SECONDS: counting them reads every article's stored fields (over a
    second for Reuters-21578), and a start page a minute behind an import misleads nobody."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.made = -OVERVIEW_SECONDS
        self.data: dict[str, Any] = {}

    def get(self) -> dict[str, Any]:
        if time.monotonic() - self.made >= OVERVIEW_SECONDS:
            self.data = {"stats": self.archive.stats(top=FACETS),
                         "names": self.archive.name_catalogue(FACETS)}
            self.made = time.monotonic()
        return self.data


def _archive_name(archive: Archive) -> str:
    return archive.settings.name or archive.root.name


def _text_arg(name: str) -> str:
    """A text parameter, stripped and checked against MAX_QUERY_CHARS."""
    value = request.args.get(name, "").strip()
    if len(value) > MAX_QUERY_CHARS:
        raise PageError(f"The {_LABELS.get(name, name)} is too long ({len(value):,} characters; "
                        f"at most {MAX_QUERY_CHARS:,}).", 414 if name == "q" else 400)
    return value


def _search_form() -> dict[str, Any]:
    """The search form's values from the URL, each checked: a date that is not one, a page
    size not offered or a page past MAX_OFFSET is a page saying so."""
    form: dict[str, Any] = {"q": _text_arg("q"), "since": _text_arg("since"),
                            "until": _text_arg("until"),
                            "sort": request.args.get("sort", "relevance")}
    if form["sort"] not in ("relevance", "newest", "oldest"):
        raise PageError(f"Unknown order {form['sort']!r}: relevance, newest or oldest.")
    size = request.args.get("n", PAGE_SIZES[0], type=int)
    form["n"] = size if size in PAGE_SIZES else PAGE_SIZES[0]
    number = request.args.get("page", 1, type=int)
    form["page"] = max(1, number)
    if (form["page"] - 1) * form["n"] >= MAX_OFFSET:
        raise PageError(f"That page is past result {MAX_OFFSET:,}; narrow the search instead.")
    for key, end in (("since", False), ("until", True)):
        form[f"{key}_date"] = parse_user_date(form[key], end=end) if form[key] else None
    if form["since_date"] and form["until_date"] and form["since_date"] > form["until_date"]:
        raise PageError(f"From {form['since']} is after until {form['until']}: no day is left "
                        "to search.")
    return form


def _search(archive: Archive, form: dict[str, Any]) -> dict[str, Any]:
    """Every match (for the facets and the timeline, no snippets), then the page asked for
    with its snippets: two searches, each of them arch's own."""
    span = {"since": form["since_date"], "until": form["until_date"]}
    everything = archive.search(form["q"], limit=0, sort=form["sort"], snippets=False,
                                suggest=False, count=False, **span)
    # a short query lists the articles with every word first: those are what the timeline
    # counts, as arch timeline does
    every_word = everything.hits if everything.all_words is None else (
        everything.hits[:everything.all_words])
    offset = (form["page"] - 1) * form["n"]
    total = len(everything.hits)
    if offset and offset >= total:
        raise PageError(f"Page {form['page']} is past the last of the {total:,} "
                        f"match{'es' * (total != 1)}.", 404)
    result = archive.search(form["q"], limit=form["n"], offset=offset, sort=form["sort"],
                            count=False, **span)
    names = [m for m in archive.names_matching(form["q"], limit=3) if m.score >= 95]
    return {
        "result": result,
        "total": total,
        "facets": facet_counts(everything.hits, FACETS),
        "all_words": everything.all_words,
        "timeline": _drawn(lambda: from_hits(every_word, query=form["q"])),
        "pages": _pages(form, total),
        "names": names,
        "first": offset + 1,
        "last": offset + len(result.hits),
    }


def _drawn(count: Callable[[], Timeline]) -> Timeline | None:
    """The timeline ``count`` makes, or None with a note on the page when it cannot be drawn
    (articles dated centuries apart, by a slip in their dates, make more periods than a
    timeline shows): the rest of the page does not depend on it."""
    try:
        return count()
    except ArchiveError as exc:
        g.notes.append(f"No timeline: {exc}.")
        return None


def _pages(form: dict[str, Any], total: int) -> list[tuple[str, str | None]]:
    """The paging links: previous, a few numbers around this page, next (None: no link)."""
    size, current = form["n"], form["page"]
    count = min((total + size - 1) // size, MAX_OFFSET // size)
    if count <= 1:
        return []

    def link(number: int) -> str:
        return query_url(form["q"], since=form["since"], until=form["until"], sort=form["sort"],
                         n=size, page=number)

    links: list[tuple[str, str | None]] = [("‹ previous", link(current - 1) if current > 1
                                            else None)]
    for number in range(max(1, current - 4), min(count, current + 4) + 1):
        links.append((str(number), None if number == current else link(number)))
    links.append(("next ›", link(current + 1) if current < count else None))
    return links


def _article(archive: Archive, article_id: str, version: int | None) -> dict[str, Any]:
    article, path = archive.get(article_id, version)
    # listing the versions reads the index's manifest; an article with no earlier version
    # kept (nearly all of them) has nothing to list, which one folder lookup says
    versions = archive.versions(article_id) if archive.corpus.version_numbers(article_id) else []
    current = version is None or any(v.current and v.version == version for v in versions)
    related = archive.related(article_id, limit=RELATED) if current else None
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", article.body) if p.strip()]
    return {"title": article.title or article_id, "article": article, "path": path,
            "paragraphs": paragraphs, "versions": versions if len(versions) > 1 else [],
            "version": version, "related": related, "origin": _flat(article.origin)}


def _flat(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested mapping (an article's origin) as ``(dotted key, value)`` rows."""
    if isinstance(data, dict):
        rows: list[tuple[str, str]] = []
        for key, value in data.items():
            rows += _flat(value, f"{prefix}{key}.")
        return rows
    if isinstance(data, list):
        return [(prefix.rstrip("."), ", ".join(str(v) for v in data))]
    return [(prefix.rstrip("."), "" if data is None else str(data))]


def _name(archive: Archive, query: str) -> dict[str, Any]:
    matches = archive.names_matching(query, limit=6)
    if not matches:
        raise PageError(f"No name in the archive matches {query!r}.", 404)
    entry = matches[0]
    line = _drawn(lambda: count_timeline(archive, entry.name))
    recent = archive.search(entry.name, sort="newest", limit=NAME_ARTICLES, snippets=False,
                            count=False)
    spellings = sorted(entry.variants.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"entry": entry, "spellings": spellings, "others": matches[1:], "timeline": line,
            "recent": recent}


# -- what the templates use --------------------------------------------------------------------

def highlight(snippet: str) -> Markup:
    """A search snippet as HTML: escaped, with the words the search highlighted (between
    HL_START and HL_END) in ``<mark>``; a marker without its pair is dropped."""
    text = str(escape(snippet))
    text = _HIGHLIGHT.sub(r"<mark>\1</mark>", text)
    return Markup(text.replace(HL_START, "").replace(HL_END, ""))


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http or https address a browser may follow, else None: an
    article's ``url`` could say ``javascript:``, and must then show as text only."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def query_url(q: str, **params: Any) -> str:
    """The search page's address for query ``q`` and other parameters (empty ones left out)."""
    kept = {"q": q, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{url_for('search_page')}?{urlencode(kept)}"


def facet_query(q: str, field: str, value: str) -> str | None:
    """``q`` narrowed to one source or tag, written in the query language (what the search box
    then shows); None for a value the query language cannot quote."""
    if '"' in value or "\\" in value:
        return None
    return f'{q} {field}:"{value}"'


def svg_bars(line: Timeline, q: str, height: int = 110) -> list[dict[str, Any]]:
    """The bars of a timeline drawn as inline SVG (no script): each bar's place, height, label
    and the search of its period it links to."""
    count = len(line.periods)
    if not count:
        return []
    top = max(line.counts) or 1
    width = 600 / count
    bars = []
    for i, (period, n) in enumerate(zip(line.periods, line.counts, strict=True)):
        tall = round(n / top * (height - 14), 1)
        bars.append({"x": round(i * width, 2), "w": round(max(width - 1, 0.5), 2), "h": tall,
                     "y": round(height - tall, 1), "label": period.label, "count": n,
                     "href": query_url(q, since=period.start.isoformat(),
                                       until=min(period.end, _dt.date(9999, 12, 31)).isoformat())})
    return bars


@dataclass
class Server:
    """A running ``arch serve``: ``url`` to open, ``local`` when only this machine reaches it."""

    server: BaseWSGIServer
    url: str
    local: bool

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def shutdown(self) -> None:
        self.server.shutdown()

    def server_close(self) -> None:
        self.server.server_close()


def make_server(archive: Archive, host: str = "127.0.0.1", port: int = 8080) -> Server:
    """A threaded HTTP server for ``archive`` on ``host:port`` (port 0: a free one), not yet
    serving. Bound to a loopback address, it answers only requests naming a loopback host."""
    local = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    app = create_app(archive, LOOPBACK_HOSTS + [host] if local else None)
    server = _werkzeug_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    return Server(server, f"http://{shown}:{server.server_port}/", local)
