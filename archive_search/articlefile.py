"""The article file format: YAML front matter between ``---`` lines, then the body.

The format is meant to be read and edited by people, so field order is fixed and readable, lists
stay lists, and keys we do not know are kept. Writing then reading gives back the same article,
and reading then writing gives back the same bytes for any file this module wrote.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any

from . import frontmatter
from .article import Article


@functools.cache
def _yaml() -> tuple[Any, Any, Any]:
    """PyYAML with its fastest safe dumper and loader, imported on first use: a search that
    prints no article file never pays for importing it."""
    import yaml

    try:  # the C loader is several times faster on large archives; fall back when absent
        return yaml, yaml.CSafeDumper, yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        return yaml, yaml.SafeDumper, yaml.SafeLoader


#: Front-matter keys in the order they are written.
FIELDS = (
    "id",
    "title",
    "date",
    "source",
    "url",
    "authors",
    "tags",
    "lang",
    "see_also",
    "names",
    "origin",
    "imported_at",
)
_LISTS = {"authors", "tags", "see_also", "names"}


class ArticleFileError(ValueError):
    """The text is not a valid article file; the message says what is wrong."""


def dumps(article: Article) -> str:
    """Serialise ``article`` to the article file text."""
    head = frontmatter.dump(front_matter(article), yaml_dump)
    body = article.body.strip("\n")
    return f"---\n{head}---\n\n{body}\n" if body else f"---\n{head}---\n"


def front_matter(article: Article) -> dict[str, Any]:
    """The front-matter values of ``article``, in the order they are written."""
    meta: dict[str, Any] = {}
    for key in FIELDS:
        value = getattr(article, key)
        if key in _LISTS or key == "origin":
            if value:
                meta[key] = list(value) if key in _LISTS else dict(value)
        elif value is not None and value != "":
            meta[key] = value
    for key, value in article.extra.items():
        if key not in meta:
            meta[key] = value
    return meta


def yaml_dump(meta: dict[str, Any]) -> str:
    """``meta`` as PyYAML writes it into an article file."""
    yaml, dumper, _ = _yaml()
    return str(
        yaml.dump(meta, Dumper=dumper, sort_keys=False, allow_unicode=True,
                  width=frontmatter.WIDTH)
    )


def loads(text: str) -> Article:
    """Parse article file text; raises :class:`ArticleFileError` with a one-line reason."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        raise ArticleFileError("no front matter (the file must start with a '---' line)")
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        raise ArticleFileError("no front matter (the file must start with a '---' line)")
    end = _find_closing(text, first_nl + 1)
    if end is None:
        raise ArticleFileError("front matter is not closed by a '---' line")
    head_end, body_start = end
    yaml, _, loader = _yaml()
    try:
        meta = yaml.load(text[first_nl + 1 : head_end], Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ArticleFileError(f"front matter is not valid YAML{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleFileError("front matter must be a mapping of keys to values")
    body = text[body_start:].strip("\n")
    return article_from_meta(meta, body)


def body_of(text: str) -> str:
    """The body of article file text, skipping the front matter without parsing it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_nl = text.find("\n")
    if not text.startswith("---") or first_nl < 0:
        return text.strip("\n")
    end = _find_closing(text, first_nl + 1)
    return text[end[1] :].strip("\n") if end else text.strip("\n")


def article_from_meta(meta: dict[str, Any], body: str) -> Article:
    """Build an article from front-matter values, tolerating hand-edited types."""
    meta = {str(k): v for k, v in meta.items()}
    title = _text(meta.pop("title", None)) or ""
    values: dict[str, Any] = {}
    for key in ("id", "source", "url", "lang", "imported_at"):
        values[key] = _text(meta.pop(key, None))
    values["date"] = _date_text(meta.pop("date", None))
    for key in _LISTS:
        values[key] = _text_list(meta.pop(key, None))
    origin = meta.pop("origin", None)
    values["origin"] = dict(origin) if isinstance(origin, dict) else {}
    return Article(title=title, body=body, extra=meta, **values)


def _find_closing(text: str, start: int) -> tuple[int, int] | None:
    pos = start
    while pos <= len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl < 0 else nl
        if text[pos:line_end].rstrip() in ("---", "..."):
            return pos, (line_end + 1 if nl >= 0 else line_end)
        if nl < 0:
            return None
        pos = nl + 1
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _date_text(value: Any) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return _text(value)


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [t for t in (_text(v) for v in value) if t]
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(value)]
