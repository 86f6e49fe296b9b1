"""Text that opens with YAML front matter: our own article files, and Markdown written for
static-site generators (Jekyll, Hugo).

Both the Markdown importer and the scraped-text importer meet such text (a ``.txt`` file with
front matter read with ``--format scraped``), so it is read here, below both of them. Our own
article files (see :mod:`archive_search.articlefile`) come back exactly as they were written:
same id, fields and extra keys. Foreign keys (``author``, ``categories``, ``keywords``,
``description``...) are mapped onto our fields with the record field names; keys with no
field of ours are kept in ``extra``, because front matter is metadata someone wrote on
purpose. (Front matter is *written* by :mod:`archive_search.frontmatter`.)
"""

from __future__ import annotations

import re

from .. import articlefile, dates
from ..article import Article
from . import records, textutil
from .base import ImportFailure, ImportOptions

#: A first line of ``---`` followed by a ``key:`` line: YAML front matter, not a rule.
FRONT_MATTER = re.compile(r"^\ufeff?---[ \t]*\r?\n[A-Za-z_][\w-]*[ \t]*:")

_HEADING = re.compile(
    r"^(?:(?P<marks>#{1,6})[ \t]+(?P<atx>.+?)(?:[ \t]+#+)?"  # "# Title"
    r"|(?P<setext>[^\s#>*=-].*)\n(?P<rule>=+|-+))[ \t]*$",  # "Title" over "====="
    re.M,
)
_SCALARS = ("title", "date", "source", "url", "lang", "id")
_LISTS = ("authors", "tags", "see_also", "names")


def front_matter_article(text: str, options: ImportOptions) -> tuple[Article, list[str]]:
    """The article in ``text`` (front matter, then the body) and notes for the user; raises
    :class:`ImportFailure` for front matter that cannot be read and for an article with
    neither a title nor text."""
    try:
        article = articlefile.loads(text)
    except articlefile.ArticleFileError as exc:
        raise ImportFailure(str(exc)) from None
    if article.id and (article.origin or article.imported_at):
        return article, []  # one of ours: keep it exactly as written
    notes = _adopt_foreign_keys(article, records.check_mapping(options.mapping))
    if not article.title:
        title, body = heading(article.body)
        article.title, article.body = title or "", (body if title else article.body).strip("\n")
    article.source = article.source or options.default_source
    if not article.title and not article.body:
        raise ImportFailure("no title or text")
    return article, notes


def _adopt_foreign_keys(article: Article, mapping: dict[str, str]) -> list[str]:
    """Move values from foreign front-matter keys (kept in ``extra``) to our fields."""
    notes: list[str] = []
    wanted = [f for f in _SCALARS if f in mapping or not getattr(article, f)] + list(_LISTS)
    if article.date and "date" not in wanted:
        raw, article.date = article.date, dates.parse_date(article.date)
        if article.date is None:
            notes.append(records.unknown_date_note(raw))
    values, used, more = records.extract_fields(article.extra, mapping, wanted)
    for key in used:
        article.extra.pop(key, None)
    for name, value in values.items():
        if name in _LISTS:
            value = list(dict.fromkeys([*getattr(article, name), *value]))
        setattr(article, name, value)
    return notes + more


def heading(text: str) -> tuple[str | None, str]:
    """The title heading of Markdown ``text`` and the text without it: a heading of any level
    that opens the text, else the first level-1 heading."""
    body = text.lstrip("\ufeff")
    for match in _HEADING.finditer(body):
        opens = not body[: match.start()].strip()
        level_one = match["marks"] == "#" or (match["rule"] or "").startswith("=")
        if opens or level_one:
            rest = body[: match.start()] + body[match.end() :]
            return textutil.one_line(match["atx"] or match["setext"]), rest
    return None, text
