"""The ``arch`` command: a thin layer over :class:`archive_search.Archive`.

Results go to stdout, messages and progress to stderr. Exit status: 0 ok, 1 nothing found (or
some inputs failed to import), 2 usage error or bad query, 3 archive locked, 74 a file could not
be written or read (a full disk, a read-only folder), 130 interrupted, 141 the reader of stdout
went away (``arch search … | head -1``).

Nothing from the data reaches a terminal as a control sequence: all of stderr passes through
:class:`~archive_search.output.TerminalSafe`, and what goes to stdout through
:func:`~archive_search.output.write_rows`, :func:`~archive_search.output.write_data` or
:func:`~archive_search.output.write_text`. Options several commands take are declared once, as
bundles (:func:`output_options`, :func:`date_options`, :func:`wait_option`); what a command
asks of the library travels as one options object (:mod:`archive_search.options`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO, TypeVar

import click

from . import __version__
from .archive import Archive
from .dates import DateError, parse_user_date
from .errors import ArchiveError, NotFound, StorageError, storage_error
from .export import EXPORT_FIELDS
from .export import FORMATS as EXPORT_FORMATS
from .options import ExportOptions, ImportRequest, RelatedOptions, SearchOptions
from .output import (
    FORMATS,
    HIT_FIELDS,
    TerminalSafe,
    parse_fields,
    visible,
    write_data,
    write_rows,
    write_text,
)
from .progress import Progress


class CliError(click.ClickException):
    """A one-line error with its own exit status."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: TextIO | None = None) -> None:
        click.echo(f"arch: error: {self.format_message()}", err=True)


class ArchGroup(click.Group):
    """Turns library errors into one-line messages and exit codes instead of tracebacks."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command with stderr made safe for a terminal: every message, click's own
        usage errors included, shows control characters as escapes instead of sending them."""
        stderr = sys.stderr
        sys.stderr = TerminalSafe(stderr)  # type: ignore[assignment]
        try:
            return super().main(*args, **kwargs)
        finally:
            sys.stderr = stderr

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            if isinstance(exc, StorageError):  # stdout may be the file with no room left
                _flush_or_drop_stdout()
            raise CliError(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo("arch: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            _drop_stdout()
            ctx.exit(PIPE_CLOSED)
        except OSError as exc:  # a full disk, a read-only folder, a failing device: no bug
            _flush_or_drop_stdout()
            error = storage_error(exc)
            raise CliError(str(error), error.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # the last line of defence: never a traceback for users
            if os.environ.get("ARCH_DEBUG"):
                raise
            raise CliError(
                f"unexpected {type(exc).__name__}: {exc} (run with ARCH_DEBUG=1 for details)", 70
            ) from None


def _flush_or_drop_stdout() -> None:
    """Flush what is waiting for stdout; when that fails too (stdout is the file on the full
    disk), drop it, so that the interpreter's last flush does not fail again at exit."""
    try:
        sys.stdout.flush()
    except OSError:
        _drop_stdout()


def _archive(ctx: click.Context) -> Archive:
    """The archive the command works on; keys of archive.yaml it ignores are named on stderr."""
    arc = Archive.open(ctx.obj.get("archive"))
    for warning in arc.settings_warnings:
        click.echo(f"arch: warning: {warning}", err=True)
    return arc


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def _default_format() -> str:
    return "table" if _stdout_is_tty() else "tsv"


def _color() -> bool:
    return _stdout_is_tty() and not os.environ.get("NO_COLOR")


def _user_date(value: str | None, *, end: bool, option: str) -> Any:
    if value is None:
        return None
    try:
        return parse_user_date(value, end=end)
    except DateError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _date_span(since: str | None, until: str | None) -> tuple[Any, Any]:
    """``--since`` and ``--until`` read, and refused when they leave no day between them."""
    start = _user_date(since, end=False, option="--since")
    end = _user_date(until, end=True, option="--until")
    if start and end and start > end:
        raise CliError(f"--since {since} is after --until {until}: no day is left to search "
                       "(swap them?)")
    return start, end


def _ensure_index(arc: Archive) -> None:
    """Bring the index up to date as a reader may (see :meth:`Archive.ensure_index`) and say
    on stderr what was done, or how far behind the index stays and why."""
    arc.locate_index()
    first = not arc.index.exists()
    bar = Progress("indexing")
    report = arc.ensure_index(progress=bar,
                              announce=lambda line: click.echo(f"arch: {line}", err=True))
    bar.close()
    if report is None:
        return
    if report.note:
        click.echo(f"arch: note: {report.note}", err=True)
    elif first or report.added or report.deleted or report.changed:
        click.echo(
            f"arch: index updated: {report.added} added, {report.changed} changed, "
            f"{report.deleted} deleted ({report.seconds:.1f} s)",
            err=True,
        )
    for problem in report.problems:
        click.echo(f"arch: warning: {problem}", err=True)


# -- option bundles: each option that several commands take is declared here once ------------

_F = TypeVar("_F", bound=Callable[..., Any])


def output_options(
    fields: Sequence[str] | None = HIT_FIELDS,
    formats: Sequence[str] = FORMATS,
    default: str | None = None,
) -> Callable[[_F], _F]:
    """``--format`` (as ``fmt``) from ``formats``, and ``--fields`` from ``fields`` (none
    when ``fields`` is None). With no ``default`` format, the command picks one: a table
    on a terminal, TSV otherwise (:func:`_default_format`)."""

    def decorate(command: _F) -> _F:
        if fields is not None:
            command = click.option(
                "--fields", default=None, metavar="A,B,…",
                help=f"Columns to show, from: {', '.join(fields)}.",
            )(command)
        return click.option(
            "--format", "-f", "fmt", type=click.Choice(formats), default=default,
            show_default=default is not None,
            help=None if default else "Output format (default: table on a terminal, tsv "
                                      "otherwise).",
        )(command)

    return decorate


def date_options(what: str = "articles") -> Callable[[_F], _F]:
    """``--since DATE`` and ``--until DATE`` (inclusive), read by :func:`_date_span`."""

    def decorate(command: _F) -> _F:
        command = click.option("--until", default=None, metavar="DATE",
                               help=f"Only {what} on or before DATE.")(command)
        return click.option("--since", default=None, metavar="DATE",
                            help=f"Only {what} on or after DATE.")(command)

    return decorate


def wait_option(command: _F) -> _F:
    """``--wait SECONDS``: how long a writing command waits for another writer to finish."""
    return click.option("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="Wait this long for another writer to finish.")(command)


def _columns(fields: str | None, fmt: str, allowed: Sequence[str] = HIT_FIELDS,
             default: str | None = None) -> list[str]:
    """The columns ``--fields`` asks for (else ``default``, else the format's defaults),
    refused as a usage error when one is not in ``allowed``."""
    try:
        return parse_fields(fields or default, fmt, allowed)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fields") from None


# color: click.echo leaves escape sequences alone (it would strip some of them when stderr is no
# terminal, and leave the rest); TerminalSafe shows every one of them instead.
@click.group(cls=ArchGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "color": True})
@click.option(
    "--archive", "-a", "archive_path", metavar="DIR", default=None,
    help="The archive folder (default: $ARCH_HOME, else the nearest folder with archive.yaml).",
)
@click.version_option(__version__, prog_name="archive-search")
@click.pass_context
def cli(ctx: click.Context, archive_path: str | None) -> None:
    """Search a full-text archive of news articles.

    \b
    Examples:
      arch search "Kim Jong-un"
      arch init ~/news && arch --archive ~/news import ~/Downloads/articles/
      arch search 'title:korea date:2023-09' --format csv > hits.csv
      arch show <id>
    """
    ctx.ensure_object(dict)
    ctx.obj["archive"] = archive_path


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@click.option("--name", default=None, help="A name for the archive (default: the folder name).")
def init(directory: str, name: str | None) -> None:
    """Create an empty archive: archive.yaml, corpus/ and index/.

    \b
    Examples:
      arch init ~/news
      arch init . --name "Korea desk"
    """
    existed = (Path(directory) / "archive.yaml").exists()
    arc = Archive.init(directory, name=name)
    verb = "already an archive" if existed else "created archive"
    click.echo(f"arch: {verb}: {arc.root}", err=True)


def _parse_mapping(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            key, sep, target = pair.partition("=")
            if not sep or not key.strip() or not target.strip():
                raise click.BadParameter(
                    f"{pair!r} is not FIELD=INPUT_KEY (e.g. date=published_at)", param_hint="--map"
                )
            mapping[key.strip()] = target.strip()
    return mapping


class _ImportFormat(click.Choice):
    """The import formats, read from the importers' registry (:data:`.importers.FORMATS`) only
    when the import command needs them, so that other commands do not load the importers."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from .importers import FORMATS

        return tuple(FORMATS)

    @choices.setter
    def choices(self, value: Any) -> None:
        """click.Choice sets the choices once; the registry is the only source of them."""


@cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "-f", "fmt", type=_ImportFormat(), default=None,
              help="Input format instead of detecting it ('lines': one article per line).")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=KEY,…",
              help="Read our FIELD from the input's KEY, e.g. --map title=headline,date=pub.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB.")
@click.option("--no-index", is_flag=True, help="Write the articles but leave indexing for later.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; change nothing.")
@click.option("--on-conflict", type=click.Choice(["auto", "version", "separate", "keep-first"]),
              default="auto", show_default=True,
              help="A text whose id an article with other text has: a new version of it when "
                   "it is the same story revised, else a separate article (auto); always a "
                   "new version; always a separate article; not imported (keep-first).")
@wait_option
@click.option("--follow-links", is_flag=True,
              help="Also read symbolic links in folders that lead outside them.")
@click.pass_context
def import_(ctx: click.Context, paths: tuple[str, ...], fmt: str | None,
            mapping: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
            no_index: bool, dry_run: bool, on_conflict: str, wait: float,
            follow_links: bool) -> None:
    """Import articles from files, folders, .gz/.zip files or - (stdin).

    Formats are detected by extension and content. Duplicates (the same title and body as an
    article or an earlier version of one) are counted and skipped, so importing again is safe.
    A revised text of an article becomes its new version (the old text is kept: arch show ID
    --versions); a different story under a taken id gets an id of its own. A summary goes to
    stderr, with one line per input or record that failed. Exit status 1 when anything failed.

    \b
    Examples:
      arch import ~/Downloads/articles/
      arch import export.csv --map date=published_at
      cat feed.jsonl | arch import - --format jsonl
      arch import dump.zip --include '*.json' --dry-run
      arch import lee_background.cor --format lines
    """
    arc = _archive(ctx)
    bar = Progress("importing")
    try:
        report = arc.import_paths(list(paths), ImportRequest(
            format=fmt, mapping=_parse_mapping(mapping), include=include, exclude=exclude,
            index=not no_index, dry_run=dry_run, wait=wait, on_conflict=on_conflict,
            follow_links=follow_links,
        ), progress=bar)
    except StorageError as exc:
        bar.close()
        raise CliError(f"{exc} (import stopped; the articles written so far are kept, and the "
                       "same import run again adds the rest)", exc.exit_code) from None
    bar.close()
    if dry_run:
        rows = [p.__dict__ for p in report.planned]
        write_rows(rows, ["source", "format", "id", "date", "title", "action"],
                   _default_format(), sys.stdout)
    for line in report.failed:  # one line each, whatever is in a file name
        click.echo(f"arch: failed: {visible(line)}", err=True)
    for line in report.grouped_warnings():
        click.echo(f"arch: warning: {visible(line)}", err=True)
    prefix = "dry run: would have " if dry_run else ""
    click.echo(f"arch: {prefix}{report.summary()}", err=True)
    if report.failed:
        ctx.exit(1)


@cli.command()
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch, swapped in when complete.")
@wait_option
@click.pass_context
def index(ctx: click.Context, rebuild: bool, wait: float) -> None:
    """Bring the index up to date with corpus/ (only what changed).

    Picks up article files added, edited or deleted by hand. --rebuild builds a new index
    beside the old one, which keeps answering searches until the new one is complete.

    \b
    Examples:
      arch index
      arch index --rebuild
    """
    arc = _archive(ctx)
    bar = Progress("indexing")
    report = arc.update_index(rebuild=rebuild, wait=wait, progress=bar)
    bar.close()
    for problem in report.problems:
        click.echo(f"arch: warning: {problem}", err=True)
    what = "rebuilt" if report.rebuilt else "updated"
    click.echo(
        f"arch: index {what}: {report.added} added, {report.changed} changed, "
        f"{report.deleted} deleted, {report.unchanged} unchanged ({report.seconds:.2f} s)",
        err=True,
    )


def _hit_rows(result: Any, query: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for hit in result.hits:
        row = hit.as_dict()
        if query is not None:
            row["query"] = query
        rows.append(row)
    return rows


@cli.command()
@click.argument("query", required=False)
@date_options()
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
              default="relevance", show_default=True)
@click.option("--limit", "-n", type=click.IntRange(min=0), default=None,
              help="How many results (default 10; 0 for all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many results.")
@click.option("--batch", type=click.File("rb"), default=None, metavar="FILE",
              help="Run one query per line of FILE (- for stdin); rows carry the query, "
                   "the rank and an error column.")
@click.option("--recent", is_flag=True,
              help="Prefer newer articles among the relevant ones (never buries the best).")
@click.option("--explain", is_flag=True,
              help="Say how the query was read (stderr) and add each hit's score parts.")
@click.option("--correct", is_flag=True,
              help="When a close spelling finds more, run the corrected query instead.")
@click.option("--exact", is_flag=True,
              help="Search a name only as typed, not its other spellings.")
@click.option("--related", "related_n", type=click.IntRange(min=0), default=0, metavar="N",
              help="Add the N articles most related to each hit (a 'related' column).")
@output_options()
@click.pass_context
def search(ctx: click.Context, query: str | None, since: str | None, until: str | None,
           sort: str, limit: int | None, offset: int, batch: BinaryIO | None, recent: bool,
           explain: bool, correct: bool, exact: bool, related_n: int, fmt: str | None,
           fields: str | None) -> None:
    """Ranked full-text search with highlighted snippets.

    QUERY uses the Whoosh query language: words (all must match), "exact phrases", OR, NOT,
    field:value (title, body, tags, source, author, lang, id), wildcards (missil*), and dates:
    date:2023-09, date:[2023-09-01 to 2023-09-30], date:>2023-09-15. Exit status 1 when
    nothing matched.

    \b
    Examples:
      arch search "Kim Jong-un"
      arch search 'title:korea date:2023-09' --format csv > hits.csv
      arch search Vladivostok --since 2023-09-01 --sort newest --fields date,title,source
      arch search --batch queries.txt --format jsonl
      arch search "Paul Volker"          # also finds Volcker; says which spelling matched
      arch search "Kim Jong Un" --exact  # only this spelling
      arch search Vladivostok --related 3 --format json
    """
    if (query is None) == (batch is None):
        raise click.UsageError("give a QUERY or --batch FILE (not both)")
    fmt = fmt or _default_format()
    columns = _columns(fields, fmt)
    start, end = _date_span(since, until)
    arc = _archive(ctx)
    _ensure_index(arc)
    options = SearchOptions(
        since=start, until=end, sort=sort, limit=limit, offset=offset,
        snippets="snippet" in columns, explain=explain, recent=recent, exact=exact,
        count=explain or (fmt == "table" and batch is None),
    )
    if explain:
        columns = [*columns, "explain"]
    if batch is None:
        result = arc.search(query or "", options)
        if correct and result.suggestion is not None:
            click.echo(f"arch: showing results for {result.suggestion.query!r} instead of "
                       f"{query!r}", err=True)
            result = arc.search(result.suggestion.query, options)
        for warning in result.warnings:
            click.echo(f"arch: warning: {warning}", err=True)
        if explain:
            _explain(result)
        elif result.variants:
            click.echo("arch: also matched other spellings: " + ", ".join(result.variants)
                       + " (--exact to turn off)", err=True)
        rows = _hit_rows(result)
        if related_n:
            columns = [*columns, "related"]
            for row in rows:
                found = arc.related(row["id"], limit=related_n, exclude_duplicates=True)
                row["related"] = [item.id for item in found.items]
        if result.suggestion is not None:
            columns = [*columns, "suggestion"]
            for row in rows:
                row["suggestion"] = result.suggestion.query
        write_rows(rows, columns, fmt, sys.stdout, color=_color(), width=_width())
        if result.gone:
            click.echo(f"arch: note: left out {len(result.gone)} hit(s) whose file is gone from "
                       f"corpus/ (e.g. {result.gone[0]}); `arch index` updates the index",
                       err=True)
        if result.suggestion is not None and not correct:
            click.echo(f"arch: {_few(result)} for {query!r}; did you mean "
                       f"{result.suggestion.query!r} ({result.suggestion.articles} "
                       f"article{'s' if result.suggestion.articles != 1 else ''})? "
                       "--correct runs it", err=True)
        elif not result.hits:
            click.echo(f"arch: no results for {query!r}", err=True)
        if not result.hits:
            ctx.exit(1)
        _say_cut(result)
        return
    ctx.exit(_run_batch(arc, batch, options, columns, fmt))


#: Formats written line by line as a batch runs (a script reads each query's rows as soon as
#: they are found); the others are written whole at the end.
_STREAMED = ("jsonl", "csv", "tsv")


def _run_batch(arc: Archive, batch: BinaryIO, options: SearchOptions, columns: list[str],
               fmt: str) -> int:
    """Run ``--batch``: every query gets its rows, or one row saying why it has none, and the
    exit status sums up the lines (see :func:`_batch_rows` and the README)."""
    from .output import render
    from .search import search_lines

    columns = ["query", "rank", *columns, "suggestion", "error"]
    rows: list[dict[str, Any]] = []
    header = True
    matched = refused = bugs = 0
    for answer in search_lines(arc, batch, options):
        if answer.error is not None:
            refused += 1
            bugs += answer.bug
            click.echo(f"arch: error: line {answer.line}: {answer.error}", err=True)
        elif answer.result is not None:
            matched += bool(answer.result.hits)
            for warning in answer.result.warnings:
                click.echo(f"arch: warning: line {answer.line}: {warning}", err=True)
        found = _batch_rows(answer)
        if fmt not in _STREAMED:
            rows.extend(found)
            continue
        text = render(found, columns, fmt)
        if not header:  # the header row once, at the top
            text = text.split("\n", 1)[1] if fmt != "jsonl" else text
        header = False
        sys.stdout.write(text)
        sys.stdout.flush()
    if fmt not in _STREAMED:
        write_rows(rows, columns, fmt, sys.stdout, color=_color(), width=_width())
    if bugs:
        return 70
    if refused:
        return 2
    return 0 if matched else 1


def _batch_rows(answer: Any) -> list[dict[str, Any]]:
    """A batch line's rows: one per hit, with its ``rank``; or, for a query that matched
    nothing or could not be run, one row with the query alone, ``rank`` empty and the reason
    in ``error`` (empty when the query ran and found nothing). A "did you mean" is in the
    ``suggestion`` column of each of the query's rows."""
    result = answer.result
    suggestion = result.suggestion.query if result is not None and result.suggestion else None
    if result is not None and result.hits:
        rows = _hit_rows(result, answer.query)
        for row in rows:
            row["suggestion"], row["error"] = suggestion, None
        return rows
    return [{"query": answer.query, "rank": None, "suggestion": suggestion,
             "error": answer.error}]


def _say_cut(result: Any) -> None:
    """Say on stderr, whatever the format, when more matched than were printed: a script
    that writes ``> hits.csv`` must not take the first page for all of it."""
    if not result.more:
        return
    shown = len(result.hits)
    which = f"matches {result.offset + 1}-{result.offset + shown}" if result.offset else (
        f"the first {shown} match{'es' if shown != 1 else ''}")
    total = result.total
    about = "about " if result.estimated else ""
    of = f" of {about}{total:,}" if total is not None and total > result.offset + shown else (
        "; more matched")
    if result.all_words is not None:
        of += f", {about}{result.all_words:,} with every word"
    click.echo(f"arch: showing {which}{of} (--limit 0 for all, --offset for the next page)",
               err=True)


def _few(result: Any) -> str:
    if not result.total:
        return "no results"
    return f"only {result.total} result{'s' if result.total != 1 else ''}"


def _explain(result: Any) -> None:
    """How the query was read, on stderr so that stdout stays data."""
    lines = [f"query:   {result.query}", f"reading: {result.reading}"]
    if result.date_start or result.date_end:
        lines.append(f"dates:   {result.date_start or '…'} to {result.date_end or '…'}")
    if result.terms:
        lines.append("terms:   " + ", ".join(f"{f}:{t}" for f, t in result.terms[:40]))
    lines += [f"note:    {n}" for n in result.notes]
    every = "" if result.all_words is None else (
        f" ({result.all_words} with every word, then those with some)")
    about = "about " if result.estimated else ""
    lines.append(f"matched: {about}{result.total} articles{every} in "
                 f"{result.seconds * 1000:.0f} ms")
    click.echo("\n".join(f"arch: {line}" for line in lines), err=True)


def _width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 120


@cli.command()
@click.argument("article_id")
@output_options(fields=None, formats=("md", "json", "yaml"), default="md")
@click.option("--versions", "list_versions", is_flag=True,
              help="List the article's versions (oldest first) instead of printing it.")
@click.pass_context
def show(ctx: click.Context, article_id: str, fmt: str, list_versions: bool) -> None:
    """Print one article: its file as stored (md), or its fields as JSON or YAML.

    ID@N prints version N of an article that was updated; --versions lists them.

    \b
    Examples:
      arch show kim-jong-un-arrives-in-vladivostok-3f2a91c0de
      arch show reuters-1 --format json | jq .title
      arch show nw-2024-0117 --versions
      arch show nw-2024-0117@1
    """
    from . import articlefile

    arc = _archive(ctx)
    _ensure_index(arc)
    article_id, version = _split_version(article_id)
    if list_versions:
        _show_versions(arc, article_id, fmt)
        return
    try:
        article, path = arc.get(article_id, version)
    except NotFound as exc:
        raise CliError(str(exc), 1) from None
    if version is None and arc.corpus.version_numbers(article_id):
        click.echo(f"arch: the current version of {article_id}; earlier ones: "
                   f"arch show {article_id} --versions", err=True)
    if fmt == "md":
        write_text(articlefile.dumps(article), sys.stdout)
        return
    data = {
        "id": article.id, "title": article.title, "date": article.date,
        "source": article.source, "url": article.url, "authors": article.authors,
        "tags": article.tags, "lang": article.lang, "see_also": article.see_also,
        "body": article.body, "path": path,
    }
    write_data(data, fmt, sys.stdout)


def _split_version(value: str) -> tuple[str, int | None]:
    """``ID@N`` as ``(ID, N)``; any other value as ``(value, None)``."""
    article_id, sep, number = value.rpartition("@")
    if sep and number.isascii() and number.isdigit() and int(number) >= 1:
        return article_id, int(number)
    return value, None


def _show_versions(arc: Archive, article_id: str, fmt: str) -> None:
    """The versions of an article, oldest first: a table (md; TSV when piped) or data."""
    found = arc.versions(article_id)
    if not found:
        raise CliError(f"no article with id {article_id!r} (try: arch search 'id:…')", 1)
    columns = ["version", "current", "imported_at", "date", "words", "title", "path"]
    write_rows([v.__dict__ for v in found], columns,
               _default_format() if fmt == "md" else fmt, sys.stdout)


@cli.command()
@click.argument("query", required=False)
@click.option("--output", "-o", type=click.Path(writable=True), default=None,
              help="Write to FILE (whole or not at all) instead of stdout; its extension "
                   "names the format (.csv .tsv .json .jsonl .yaml .md .txt .db), else a "
                   "usage error. A folder for --format opensearch.")
@date_options()
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default=None,
              help="Default: relevance with a QUERY, oldest first without.")
@click.option("--format", "-f", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="Output format; wins over -o's extension. Default: from -o, else a table "
                   "on a terminal, csv otherwise.")
@click.option("--fields", default=None, metavar="A,B,…|all",
              help="Columns, from: all, " + ", ".join(EXPORT_FIELDS) + ". Default: "
                   "id,date,title,source,tags,url (sqlite and opensearch: all).")
@click.option("--excel", is_flag=True,
              help="CSV/TSV for spreadsheets: a byte-order mark and CRLF line ends.")
@click.pass_context
def export(ctx: click.Context, query: str | None, output: str | None, since: str | None,
           until: str | None, sort: str | None, fmt: str | None, fields: str | None,
           excel: bool) -> None:
    """Write every article, or every article matching QUERY, with any of its fields (the
    body too), as rows, a SQLite database or OpenSearch bulk files. No limit applies.

    \b
    Examples:
      arch export --fields all -o archive.jsonl
      arch export --format markdown --fields date,title,source 'tags:korea' -o table.md
      arch export 'source:reuters' --since 1987-03 --excel -o march.csv
      arch export -o news.db && sqlite-utils search news.db articles Kim
      arch export --format opensearch -o bulk/
    """
    from .export import ExportError, describe, export_articles, format_for, parse_export_fields

    try:
        if fmt is None and output:
            fmt = format_for(output)
        fmt = fmt or ("csv" if not _stdout_is_tty() else "table")
        chosen = parse_export_fields(fields)
        if chosen is not None and fmt in ("sqlite", "opensearch"):
            raise ExportError(f"a {fmt} export always carries every field: leave out --fields")
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    start, end = _date_span(since, until)
    options = ExportOptions(query=query, since=start, until=end, sort=sort, format=fmt,
                            excel=excel, **({"fields": chosen} if chosen else {}))
    arc = _archive(ctx)
    _ensure_index(arc)
    try:
        report = export_articles(arc, options, output or sys.stdout, color=_color(),
                                 width=_width())
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    for line in describe(report, output):
        click.echo(f"arch: {line}", err=True)
    if not report.articles or report.skipped:
        ctx.exit(1)


@cli.command()
@output_options(fields=None, formats=("text", "json", "yaml"), default="text")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Article count, date range, top sources, tags and languages, index freshness.

    \b
    Examples:
      arch stats
      arch stats --format json | jq .articles
    """
    from dataclasses import asdict

    arc = _archive(ctx)
    info = arc.stats()
    if fmt != "text":
        write_data(asdict(info), fmt, sys.stdout)
        return
    fresh = "up to date" if info.index_up_to_date else "was behind corpus/ (now updated)"
    lines = [
        f"archive:   {info.root}",
        f"articles:  {info.articles:,} ({info.undated:,} undated)",
        f"dates:     {info.first_date or '-'} … {info.last_date or '-'}",
        f"index:     {fresh}",
        "sources:   " + ", ".join(f"{s} ({n})" for s, n in info.sources),
        "tags:      " + ", ".join(f"{t} ({n})" for t, n in info.tags),
        "languages: " + ", ".join(f"{t} ({n})" for t, n in info.languages),
    ]
    write_text("\n".join(lines) + "\n", sys.stdout, human=True)


RELATED_FIELDS = ("id", "date", "title", "score", "reasons", "duplicate", "days_apart", "source",
                  "path")


@cli.command()
@click.argument("article_id", required=False)
@click.option("--text", "text_file", type=click.File("rb"), default=None,
              metavar="FILE", help="Related to the article in FILE (- for stdin), not archived.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=10, show_default=True)
@date_options("suggestions")
@click.option("--exclude-duplicates", is_flag=True,
              help="Leave out other copies of the same story.")
@click.option("--semantic/--lexical", default=None,
              help="Blend closeness in meaning into the score (needs the semantic extra), or "
                   "compare shared words only. Default: the related.semantic setting.")
@output_options(RELATED_FIELDS)
@click.pass_context
def related(ctx: click.Context, article_id: str | None, text_file: BinaryIO | None, limit: int,
            since: str | None, until: str | None, exclude_duplicates: bool,
            semantic: bool | None, fmt: str | None, fields: str | None) -> None:
    """Articles related to one in the archive (ID) or to a text (--text), best first.

    Each suggestion has a score in [0, 1] that means the same from call to call (scripts can
    threshold it) and its reasons: the key terms and names shared, the same tags, how many
    days apart, and "duplicate" for another copy of the same story.

    \b
    Examples:
      arch related nw-2024-0117
      arch related reuters-1 --exclude-duplicates --format json
      curl -s https://example.org/story.txt | arch related --text -
      arch related nw-2024-0117 --semantic   (pip install 'archive-search[semantic]')
    """
    if (article_id is None) == (text_file is None):
        raise click.UsageError("give an article ID or --text FILE (not both)")
    fmt = fmt or _default_format()
    columns = _columns(fields, fmt, RELATED_FIELDS,
                       default=("date,title,score,reasons" if fmt in ("table", "markdown")
                                else "id,date,title,score,reasons,duplicate"))
    start, end = _date_span(since, until)
    text = title = None
    if text_file is not None:
        raw = _article_text(text_file)
        head, _, rest = raw.strip().partition("\n")
        title, text = (head.strip(), rest) if rest.strip() else (None, raw)
    arc = _archive(ctx)
    _ensure_index(arc)
    try:
        result = arc.related(article_id, text=text, title=title, options=RelatedOptions(
            limit=limit, since=start, until=end, exclude_duplicates=exclude_duplicates,
            semantic=semantic,
        ))
    except NotFound as exc:
        raise CliError(str(exc), 1) from None
    rows = [item.as_dict() for item in result.items]
    write_rows(rows, columns, fmt, sys.stdout, color=_color(), width=_width())
    for note in result.notes:
        click.echo(f"arch: {note}", err=True)
    if not rows:
        ctx.exit(1)


#: The most ``related --text`` reads: far more than any article, and little enough to compare
#: in a second or two.
MAX_TEXT_BYTES = 1_000_000


def _article_text(source: BinaryIO) -> str:
    """The text of ``--text FILE``, refused in one line when it is not text: not UTF-8, or with
    NUL bytes (a binary file), or larger than MAX_TEXT_BYTES."""
    name = getattr(source, "name", "-")
    name = "stdin" if name in ("-", "<stdin>") else name
    data = source.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise CliError(f"{name} is larger than {MAX_TEXT_BYTES // 1_000_000} MB; --text takes "
                       "the text of one article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                       f"{exc.start}); --text takes the text of one article") from None
    if "\x00" in text:
        raise CliError(f"{name} looks like a binary file (it has NUL bytes); --text takes the "
                       "text of one article")
    return text


@cli.command()
@click.argument("query", required=False)
@click.option("--clusters", is_flag=True,
              help="Groups of spellings believed to be one name, for review.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=None,
              help="How many rows (default 10 with a QUERY, 50 without; 0 for all).")
@output_options(fields=None)
@click.pass_context
def names(ctx: click.Context, query: str | None, clusters: bool, limit: int | None,
          fmt: str | None) -> None:
    """Names of people, places and organisations, however the archive spells them.

    With QUERY: the names that match it, best first, each with every spelling seen, the
    number of articles, the first and last date, and the match score. Without: the catalogue,
    most frequent first. Spellings are merged by transliteration-aware rules; archive.yaml's
    names.aliases merge more, names.separate keeps names apart.

    \b
    Examples:
      arch names "Kim Jong Un"
      arch names Volker --format json
      arch names --limit 20
      arch names --clusters
    """
    fmt = fmt or _default_format()
    arc = _archive(ctx)
    _ensure_index(arc)
    if limit is None:
        limit = 10 if query else 50
    if clusters:
        rows = [{"names": c.names, "merged": c.merged, "reason": c.reason,
                 "score": round(c.score, 1)} for c in arc.name_clusters(limit or None)]
        columns = ["names", "merged", "reason", "score"]
    else:
        scored = ([(e, e.score) for e in arc.names_matching(query, limit=limit or None)] if query
                  else [(e, 100.0) for e in arc.name_catalogue(limit or None)])
        rows = [{"name": e.name, "variants": e.variants, "articles": e.articles,
                 "first": e.first, "last": e.last, "score": round(score, 1)}
                for e, score in scored]
        columns = ["name", "variants", "articles", "first", "last", "score"]
    write_rows(rows, columns, fmt, sys.stdout, color=_color(), width=_width())
    if not rows:
        click.echo(f"arch: no names match {query!r}" if query else "arch: no names yet", err=True)
        ctx.exit(1)


@cli.command("check")
@click.option("--repair", is_flag=True,
              help="Bring the index back in line with corpus/ (update, or rebuild).")
@click.option("--fix-corpus", is_flag=True,
              help="Also move unreadable article files to corpus/.quarantine/.")
@output_options(fields=None, formats=("text", "json"), default="text")
@wait_option
@click.pass_context
def check_(ctx: click.Context, repair: bool, fix_corpus: bool, fmt: str, wait: float) -> None:
    """Verify corpus/ and the index; exit 1 with the list of problems when not healthy.

    Every article file must parse with a title and a safe, unique id; the index must hold
    exactly the corpus, current. corpus/ is changed only with --fix-corpus, which moves
    unreadable files aside and never deletes anything.

    \b
    Examples:
      arch check
      arch check --repair
      arch check --fix-corpus --format json
    """
    from .check import check, format_report

    report = check(_archive(ctx), repair=repair, fix_corpus=fix_corpus, wait=wait)
    if fmt == "text":
        write_text(format_report(report) + "\n", sys.stdout, human=True)
    else:
        write_data(report.to_dict(), fmt, sys.stdout)
    ctx.exit(report.exit_code)


@cli.command()
@click.argument("query")
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default=None,
              help="Count per period (default: chosen from the span, about 40 bars at most).")
@date_options()
@click.option("--split", type=click.Choice(["source", "tag"]), default=None,
              help="Count each source (or tag) apart: the most frequent ones, the rest as "
                   "(other).")
@click.option("--top", type=click.IntRange(min=1), default=8, show_default=True,
              help="How many sources or tags --split keeps apart.")
@click.option("--exact", is_flag=True,
              help="Count a name only as typed, not its other spellings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="Draw the chart to FILE (.svg, .png or .pdf; needs "
                                   "matplotlib: the plot extra).")
@output_options(fields=None, formats=("chart", "csv", "tsv", "json", "jsonl", "yaml",
                                      "markdown"))
@click.pass_context
def timeline(ctx: click.Context, query: str, by: str | None, since: str | None,
             until: str | None, split: str | None, top: int, exact: bool, output: str | None,
             fmt: str | None) -> None:
    """How many articles match QUERY per day, week, month or year.

    The counts are those of arch search QUERY --limit 0, grouped by each article's date (a
    name counts every spelling once per article). On a terminal, a bar chart with the peaks
    marked; --format for scripts (period, start, end, [source|tag,] count; empty periods
    included); -o chart.svg for a chart file. Exit status 1 when nothing matched.

    \b
    Examples:
      arch timeline "Kim Jong Un"
      arch timeline Vladivostok --by week --since 2023-09 --until 2023-10
      arch timeline 'tags:korea' --split source --format csv > korea.csv
      arch timeline "Kim Jong Un" -o kim.svg
    """
    from .timeline import TimelineOptions, chart, save_chart
    from .timeline import timeline as count_timeline

    start, end = _date_span(since, until)
    arc = _archive(ctx)
    _ensure_index(arc)
    found = count_timeline(arc, query, TimelineOptions(by=by, since=start, until=end,
                                                       split=split, top=top, exact=exact))
    for warning in found.warnings:
        click.echo(f"arch: warning: {warning}", err=True)
    if found.variants:
        click.echo("arch: also counted other spellings: " + ", ".join(found.variants)
                   + " (--exact to turn off)", err=True)
    if output is not None:
        try:
            save_chart(found, output)
        except ImportError:
            raise CliError("drawing a chart file needs matplotlib: "
                           "pip install 'archive-search[plot]'") from None
        click.echo(f"arch: wrote {output}", err=True)
    fmt = fmt or (None if output else "chart" if _stdout_is_tty() else "tsv")
    if fmt == "chart":
        write_text(chart(found, width=min(_width(), 100)), sys.stdout, human=True)
    elif fmt is not None:
        write_rows(found.rows(), found.fields(), fmt, sys.stdout)
    if found.undated and fmt != "chart":
        click.echo(f"arch: note: {found.undated} matching article(s) have no date and are "
                   "in no period", err=True)
    if not found.matched:
        click.echo(f"arch: no results for {query!r}", err=True)
        ctx.exit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but this machine's loopback lets "
                   "others on the network read the archive.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="The port (0: any free one, printed at start).")
@click.option("--check", is_flag=True,
              help="Only check that the page can be served (the web extra, the archive, the "
                   "port), say where, and exit.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, check: bool) -> None:
    """A local web page over the archive: search, articles, related articles, names, timelines.

    Read-only (nothing can be imported or changed through it) and, by default, reachable from
    this machine only. Needs the web extra: pip install 'archive-search[web]'. Runs until
    Ctrl-C; open the address it prints in a browser.

    \b
    Examples:
      arch serve --check --port 0

    \b
    Serving until Ctrl-C:
      arch serve
      arch -a ~/news serve --port 0
    """
    try:
        from .web import make_server
    except ImportError as exc:
        raise CliError(f"arch serve needs the web extra ({exc.name} is missing): "
                       "pip install 'archive-search[web]'") from None
    arc = _archive(ctx)
    _ensure_index(arc)
    try:
        server = make_server(arc, host, port)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                       + (" (--port 0 picks a free one)" if port else "")) from None
    if not server.local:
        click.echo(f"arch: warning: listening on {host}: anyone who can reach this machine "
                   "can read the archive", err=True)
    if check:
        server.server_close()
        click.echo(f"arch: ready to serve {arc.root} at {server.url}", err=True)
        return
    click.echo(f"arch: serving {arc.root} at {server.url} (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("arch: stopped", err=True)
    finally:
        server.server_close()


#: Exit status when stdout's reader has gone (128 + SIGPIPE, as a shell reports a tool killed
#: by the signal): ``arch search … | head -1`` stops quietly instead of printing a traceback.
PIPE_CLOSED = 141


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of output nobody reads
    does not fail all over again at exit."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file (a test runner's buffer): nothing to flush to
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def main() -> None:
    """Console-script entry point.

    Before the interpreter exits, every object still alive is frozen out of the garbage
    collector's reach: its final pass over all the modules a search loads (Whoosh's, click's,
    ours) costs about a tenth of a short search's run time, and has nothing left to free.
    """
    try:
        cli(obj={}, prog_name="arch")
        code: int | str | None = 0
    except SystemExit as exc:  # click ends every standalone run with it
        code = exc.code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        code = PIPE_CLOSED
    except OSError as exc:  # the last of the output did not fit on the disk
        _drop_stdout()
        error = storage_error(exc, "standard output")
        sys.stderr.write(f"arch: error: {visible(str(error))}\n")
        code = error.exit_code
    gc.freeze()
    sys.exit(code)
