"""Finding inputs and choosing the importer for each.

Inputs are files, folders (walked recursively, hidden entries skipped, ``--include`` /
``--exclude`` globs applied), ``.gz`` files, ``.zip`` archives (each member is an input) and
standard input (``-``). The format is chosen by extension and confirmed by content (a ``.txt``
file with front matter is Markdown, a ``.json`` file with one object per line is JSONL), and can be
forced with ``--format``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gzip
import importlib
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .base import (
    ImportFailure,
    ImportOptions,
    NothingToImport,
    RecordFailure,
    RecordWarning,
    Source,
)

__all__ = [
    "FORMATS",
    "ImportFailure",
    "ImportOptions",
    "Input",
    "NothingToImport",
    "RecordFailure",
    "RecordWarning",
    "Source",
    "detect_format",
    "expand_inputs",
    "importer",
]

#: Format name -> module, in the order content sniffing tries them.
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
}
_SNIFF_BYTES = 4096


def importer(fmt: str) -> ModuleType:
    """The importer module for a format name."""
    try:
        return importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
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


#: Files met while walking a folder that are documentation or tooling, not articles. A file
#: named on the command line is always read.
_NOT_ARTICLES = re.compile(
    r"(^|[._-])(readme|licen[cs]e|copying|notice|changelog|changes|authors|contributing)"
    r"([._-]|$)"
    r"|\.(dtd|xsd|css|js|py|sh)$",
    re.I,
)


def expand_inputs(
    paths: list[str],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    max_member_bytes: int = 512 * 1024 * 1024,
) -> Iterator[Input]:
    """Every input named by ``paths``, in a stable order (folders sorted by name)."""
    for raw in paths:
        if raw == "-":
            yield _stdin_input()
            continue
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                rel = file.relative_to(path).as_posix()
                # a zip file is a folder of inputs: --include applies to its members
                is_zip = rel.lower().endswith(".zip")
                if not _selected(rel, () if is_zip else include, exclude):
                    continue
                if _NOT_ARTICLES.search(file.name) and not include:
                    yield Input(Source.from_bytes(str(file), b""), skip="not an article")
                else:
                    yield from _file_inputs(file, str(file), max_member_bytes, include, exclude)
        elif path.exists():
            yield from _file_inputs(path, raw, max_member_bytes, include, exclude)
        else:
            yield Input(Source.from_bytes(raw, b""), "no such file or folder")


def _selected(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]

    def hit(pattern: str) -> bool:
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern)

    if include and not any(hit(p) for p in include):
        return False
    return not any(hit(p) for p in exclude)


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _file_inputs(
    path: Path,
    name: str,
    max_member_bytes: int,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Iterator[Input]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Input(Source.from_bytes(name, b""), f"cannot read: {exc.strerror or exc}")
        return
    lower = name.lower()
    if lower.endswith(".zip"):
        yield from _zip_inputs(path, name, max_member_bytes, include, exclude)
    elif lower.endswith(".gz"):
        yield Input(Source(name=name, open=lambda: gzip.open(path, "rb"), size=None))  # noqa: SIM115
    else:
        yield Input(Source(name=name, open=lambda: open(path, "rb"), size=size))  # noqa: SIM115


def _zip_inputs(
    path: Path,
    name: str,
    max_member_bytes: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> Iterator[Input]:
    """Each member of a zip file is an input; the globs apply to member paths too."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Input(Source.from_bytes(name, b""), f"not a readable zip file ({exc})")
        return
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        member = info.filename
        base = member.rsplit("/", 1)[-1]
        if info.is_dir() or base.startswith(".") or member.startswith("__MACOSX/"):
            continue
        if not _selected(member, include, exclude):
            continue
        label = f"{name}:{member}"
        if info.file_size > max_member_bytes:
            problem = f"member is {info.file_size} bytes uncompressed; over the limit"
            yield Input(Source.from_bytes(label, b""), problem)
            continue

        def opener(member: str = member):  # noqa: ANN202 - returns a binary stream
            return archive.open(member)

        yield Input(Source(name=label, open=opener, size=info.file_size))


def _stdin_input() -> Input:
    """Standard input, spooled to a temporary file so an importer may read it twice."""
    spool = tempfile.NamedTemporaryFile(prefix="arch-stdin-", delete=False)  # noqa: SIM115
    with spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
    path = spool.name
    size = os.path.getsize(path)
    _TEMPORARIES.append(path)
    return Input(Source(name="<stdin>", open=lambda: open(path, "rb"), size=size))


_TEMPORARIES: list[str] = []


def remove_temporaries() -> None:
    """Delete spooled standard input once an import is over."""
    while _TEMPORARIES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_TEMPORARIES.pop())


def read_head(source: Source) -> bytes:
    with source.open() as stream:
        return stream.read(_SNIFF_BYTES)
