"""Finding inputs and choosing the importer for each.

Inputs are files, folders (walked recursively, hidden entries skipped, ``--include`` /
``--exclude`` globs applied), ``.gz`` files, ``.zip`` archives (each member is an input) and
standard input (``-``). The format is chosen by extension and confirmed by content (a ``.txt``
file with front matter is Markdown, a ``.json`` file with one object per line is JSONL), and can be
forced with ``--format`` (whose choices are the names in :data:`FORMATS`).
"""

from __future__ import annotations

import contextlib
import fnmatch
import gzip
import importlib
import os
import re
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .base import (
    BoundedStream,
    Importer,
    ImportFailure,
    ImportOptions,
    Limits,
    NotAnArticle,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)

__all__ = [
    "FORMATS",
    "ImportFailure",
    "ImportOptions",
    "Importer",
    "Input",
    "Limits",
    "NotAnArticle",
    "NothingToImport",
    "RecordFailure",
    "RecordWarning",
    "Source",
    "detect_format",
    "expand_inputs",
    "importer",
]

#: Format name -> module, in the order content sniffing tries them: the one list of import
#: formats. A new format is one module here meeting :class:`~.base.Importer`, one entry in
#: this dict and one row in the README's table (``tests/test_importers.py`` checks all three);
#: ``--format`` takes its choices from here.
FORMATS: dict[str, str] = {
    "reuters": "reuters",
    "feed": "feed",
    "newsml": "newsml",
    "html": "html",
    "markdown": "markdown",
    "jsonl": "jsonl",
    "json": "jsonfile",
    "csv": "csvfile",
    "scraped": "scraped",
    "lines": "lines",
}
_SNIFF_BYTES = 4096


def importer(fmt: str) -> Importer:
    """The importer module for a format name (imported when first asked for: feedparser and
    trafilatura are heavy)."""
    try:
        return cast(Importer, importlib.import_module(f"{__name__}.{FORMATS[fmt]}"))
    except KeyError:
        raise ImportFailure(
            f"unknown format {fmt!r} (known: {', '.join(sorted(FORMATS))})"
        ) from None


def inner_name(name: str) -> str:
    """The name that tells the format: ``reut2-000.sgm.gz`` -> ``reut2-000.sgm``."""
    return name[:-3] if name.lower().endswith(".gz") else name


def detect_format(name: str, head: bytes) -> str:
    """Pick the format for an input from its name and first bytes."""
    inner = inner_name(name).lower()
    suffix = os.path.splitext(inner)[1]
    by_extension = [f for f in FORMATS if suffix and suffix in importer(f).EXTENSIONS]
    for fmt in by_extension:
        if importer(fmt).sniff(head, inner):
            return fmt
    for fmt in FORMATS:
        if fmt not in by_extension and fmt != "scraped" and importer(fmt).sniff(head, inner):
            return fmt
    if by_extension:
        return by_extension[0]
    if importer("scraped").sniff(head, inner):
        return "scraped"
    raise ImportFailure("unrecognised format (name the format with --format)")


@dataclass
class Input:
    """A :class:`Source` together with the problem that keeps it from being read, if any, or
    the reason it is passed over (a README found while walking a folder)."""

    source: Source
    problem: str | None = None
    skip: str | None = None


#: Names of files that are documentation or tooling, not articles: ``README``, ``LICENSE-MIT``,
#: ``data-LICENSE.txt``, ``COPYING.txt``, ``notes.css`` (but not ``notice-of-strike.txt``).
#: A documentation name counts only for plain text or no extension: a feed, page or export
#: named ``feed_copyright.xml`` or ``authors.json`` is judged by its content like any other.
#: They are skipped when found in a folder or a zip file; a file named on the command line is
#: read, and is still skipped when its content is not an article (see
#: :func:`.scraped.not_an_article`).
_NOT_ARTICLES = re.compile(
    r"^(?:(?:[^._-]+[._-])?(?:readme|licen[cs]e|copying|copyright)"
    r"|notice|changelog|changes|authors|contributing)([_-][^._-]+)?"
    r"(\.(?:txt|text|md|markdown|rst))?$"
    r"|\.(dtd|xsd|css|js|py|sh|pl|rb|bat|exe|dll|so|o|class|jar|pyc)$",
    re.I,
)


def not_article_name(name: str) -> bool:
    """True for a file name that says the file is documentation or tooling."""
    return bool(_NOT_ARTICLES.search(name.rsplit("/", 1)[-1]))


def expand_inputs(
    paths: list[str],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    limits: Limits | None = None,
    follow_links: bool = False,
    spool_dir: str | os.PathLike[str] | None = None,
) -> Iterator[Input]:
    """Every input named by ``paths``, in a stable order (folders sorted by name).

    Every stream an input opens is bounded by ``limits``. Symbolic links met while walking a
    folder are read only when they lead to a file inside it (``follow_links`` lifts that);
    others are skipped with the reason. Standard input is spooled into ``spool_dir`` (the
    archive's ``index/``), where a spool left by a killed import is found and removed later.
    """
    limits = limits or Limits.defaults()
    for raw in paths:
        if raw == "-":
            yield _stdin_input(limits, spool_dir)
            continue
        path = Path(raw)
        if path.is_dir():
            for file, skip, problem in _walk(path, follow_links):
                rel = file.relative_to(path).as_posix()
                # a zip file is a folder of inputs: --include applies to its members
                is_zip = rel.lower().endswith(".zip")
                if not _selected(rel, () if is_zip else include, exclude):
                    continue
                if skip is None and not_article_name(file.name) and not include:
                    skip = "not an article"
                if skip is not None or problem is not None:
                    yield Input(Source.from_bytes(str(file), b""), problem, skip)
                else:
                    yield from _file_inputs(file, str(file), limits, include, exclude)
        elif path.exists():
            yield from _file_inputs(path, raw, limits, include, exclude)
        elif path.is_symlink():
            problem = f"broken symbolic link (to {os.readlink(path)})"
            yield Input(Source.from_bytes(raw, b""), problem)
        else:
            yield Input(Source.from_bytes(raw, b""), "no such file or folder")


def _selected(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]

    def hit(pattern: str) -> bool:
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern)

    if include and not any(hit(p) for p in include):
        return False
    return not any(hit(p) for p in exclude)


def _walk(folder: Path, follow_links: bool) -> Iterator[tuple[Path, str | None, str | None]]:
    """The files of a folder, each with the reason to skip it and the problem that keeps it
    from being read (each None when there is none).

    A symbolic link is followed only when it leads inside ``folder`` (or ``follow_links``):
    a link to ``/etc/hostname`` dropped into a download folder is not news. Links to folders
    are descended only with ``follow_links``, each real folder once (no loops). Anything
    that is not a regular file (a named pipe, a device) is skipped: opening a pipe would wait
    for ever.
    """
    root = folder.resolve()
    seen = {root}
    unreadable: list[OSError] = []
    walk = os.walk(folder, onerror=unreadable.append, followlinks=follow_links)
    for dirpath, dirnames, filenames in walk:
        yield from _unreadable_folders(unreadable)
        kept = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            sub = Path(dirpath) / name
            if sub.is_symlink():
                real = sub.resolve()
                if not follow_links:
                    filenames.append(name)  # reported below as a skipped link
                    continue
                if real in seen:
                    continue
                seen.add(real)
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.startswith("."):
                file = Path(dirpath) / name
                yield file, _skip_reason(file, root, follow_links), None
    yield from _unreadable_folders(unreadable)


def _unreadable_folders(errors: list[OSError]) -> Iterator[tuple[Path, None, str]]:
    """Folders that could not be listed: said as failures, never silently passed over."""
    while errors:
        error = errors.pop(0)
        yield Path(error.filename), None, f"cannot read folder: {error.strerror or error}"


def _skip_reason(file: Path, root: Path, follow_links: bool) -> str | None:
    if file.is_symlink():
        target = os.readlink(file)
        real = file.resolve()
        if not real.exists():
            return None  # a broken link: its read fails and says so
        if real.is_dir():
            return f"symbolic link to a folder ({target}); not followed (--follow-links)"
        if not follow_links and not real.is_relative_to(root):
            return (f"symbolic link to a file outside the folder ({target}); not followed "
                    "(--follow-links)")
    try:
        mode = file.stat().st_mode
    except OSError:
        return None  # unreadable: its read fails and says why
    if not stat.S_ISREG(mode):
        return "not a regular file (a named pipe, socket or device)"
    return None


def _file_inputs(
    path: Path,
    name: str,
    limits: Limits,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Iterator[Input]:
    try:
        st = path.stat()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if path.is_symlink():
            reason = f"broken symbolic link (to {os.readlink(path)})"
        yield Input(Source.from_bytes(name, b""), f"cannot read: {reason}")
        return
    lower = name.lower()
    if not stat.S_ISREG(st.st_mode):
        # a pipe named on the command line (``arch import <(zcat x.gz)``): read it once, like
        # standard input; a device (``/dev/zero``) is no file of articles
        if stat.S_ISFIFO(st.st_mode):
            yield _spooled_input(name, path, limits, None)
        else:
            yield Input(Source.from_bytes(name, b""), "not a regular file (a device or socket)")
    elif lower.endswith(".zip"):
        yield from _zip_inputs(path, name, limits, include, exclude)
    elif lower.endswith(".gz"):
        yield Input(Source(name=name, open=lambda: _open_gz(path, limits), size=None))
    else:
        size = st.st_size
        source = Source(name=name, open=lambda: BoundedStream(open(path, "rb"), limits),  # noqa: SIM115
                        size=size)
        too_large = size > limits.input
        yield Input(source, f"{size:,} bytes, more than import.max_input_mb" if too_large else None)


def _open_gz(path: Path, limits: Limits) -> BoundedStream:
    """A ``.gz`` file decompressed as it is read, with the compressed position for the ratio
    check."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the bounded stream
    return BoundedStream(gzip.GzipFile(fileobj=raw, mode="rb"), limits, raw.tell, (raw,))


def _zip_inputs(
    path: Path,
    name: str,
    limits: Limits,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> Iterator[Input]:
    """Each member of a zip file is an input; the globs and the not-an-article names apply to
    member paths as to a folder's files. A member whose header lies (a size it does not
    have, a ratio no text reaches) fails alone."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield Input(Source.from_bytes(name, b""), f"not a readable zip file ({exc})")
        return
    except Exception as exc:  # noqa: BLE001 - whatever a damaged directory raises fails this input
        problem = f"not a readable zip file ({type(exc).__name__}: {exc})"
        yield Input(Source.from_bytes(name, b""), problem)
        return
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        member = info.filename
        base = member.rsplit("/", 1)[-1]
        if info.is_dir() or base.startswith(".") or member.startswith("__MACOSX/"):
            continue
        if not _selected(member, include, exclude):
            continue
        label = f"{name}:{member}"
        if not_article_name(base) and not include:
            yield Input(Source.from_bytes(label, b""), skip="not an article")
            continue
        problem = None
        if info.file_size > limits.input:
            problem = (f"member is {info.file_size:,} bytes uncompressed, more than "
                       "import.max_input_mb")
        elif info.file_size > max(limits.ratio * info.compress_size, 1024 * 1024):
            problem = (f"member would grow {info.file_size / max(info.compress_size, 1):,.0f} "
                       "times its compressed size (import.max_ratio), like a compression bomb")
        if problem:
            yield Input(Source.from_bytes(label, b""), problem)
            continue

        def opener(info: zipfile.ZipInfo = info) -> BoundedStream:
            try:
                member_stream = archive.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError,
                    EOFError, zlib.error) as exc:
                raise ImportFailure(f"unreadable zip member ({exc})") from None
            return BoundedStream(member_stream, limits, lambda: info.compress_size)

        yield Input(Source(name=label, open=opener, size=info.file_size))


#: Spooled standard input: ``stdin-PID-….spool`` in the archive's ``index/``.
SPOOL_PREFIX = "stdin-"
SPOOL_SUFFIX = ".spool"


def _stdin_input(limits: Limits, spool_dir: str | os.PathLike[str] | None) -> Input:
    """Standard input, spooled to a file so an importer may read it twice."""
    return _spooled_input("<stdin>", None, limits, spool_dir)


def _spooled_input(
    name: str, pipe: Path | None, limits: Limits, spool_dir: str | os.PathLike[str] | None
) -> Input:
    """A stream that can be read only once (standard input, a named pipe), copied to a spool
    file named with our PID, at most ``limits.input`` bytes of it. The spool is deleted when
    the import ends; one left by a killed import is removed by :func:`remove_stale_spools`."""
    folder = spool_dir if spool_dir is not None and os.path.isdir(spool_dir) else None
    fd, path = tempfile.mkstemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-", suffix=SPOOL_SUFFIX,
                                dir=folder)
    _TEMPORARIES.append(path)
    copied, problem = 0, None
    with open(fd, "wb") as spool, (open(pipe, "rb") if pipe else contextlib.nullcontext(
            sys.stdin.buffer)) as stream:  # fmt: skip
        while chunk := stream.read(1 << 20):
            copied += len(chunk)
            if copied > limits.input:
                problem = (f"more than {limits.input // (1024 * 1024):,} MB "
                           "(import.max_input_mb); not read")
                break
            spool.write(chunk)
    size = os.path.getsize(path)

    def opener() -> BoundedStream:
        return BoundedStream(open(path, "rb"), limits)  # noqa: SIM115

    return Input(Source(name=name, open=opener, size=size), problem)


_TEMPORARIES: list[str] = []


def remove_temporaries() -> None:
    """Delete spooled standard input once an import is over."""
    while _TEMPORARIES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_TEMPORARIES.pop())


def stale_spools(folder: str | os.PathLike[str]) -> list[Path]:
    """Spools of standard input in ``folder`` whose import process is gone (killed)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(SPOOL_PREFIX) and name.endswith(SPOOL_SUFFIX)):
                continue
            pid = name[len(SPOOL_PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                found.append(Path(entry.path))
    return sorted(found)


def remove_stale_spools(folder: str | os.PathLike[str]) -> int:
    """Delete the spools :func:`stale_spools` finds; returns how many."""
    removed = 0
    for path in stale_spools(folder):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def read_head(source: Source) -> bytes:
    with source.open() as stream:
        return stream.read(_SNIFF_BYTES)
