"""Front matter as PyYAML writes it, without PyYAML's representer for the common values.

An import spends a sixth of its main-process time in PyYAML's Python-level representer, most of
it deciding that a title needs no quotes. This module writes the values whose YAML form is
obvious (plain text, ISO dates, integers, lists of plain text, a mapping of such values) itself,
and hands anything else to PyYAML, entry by entry. The output is byte for byte what PyYAML's
safe dumper writes for an article file (:func:`archive_search.articlefile.yaml_dump`), so files
written before and after are alike; tests/test_frontmatter.py checks that on tricky and random
strings and on real articles.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

#: The line width PyYAML is given; a plain value that would pass it is folded, so it is left to
#: PyYAML.
WIDTH = 100

# Text that YAML writes without quotes at the start of a block entry: a letter first; no
# control, line-break or non-printable character, nothing beyond the Basic Multilingual Plane
# (libyaml escapes it); no ": " (a key), no " #" (a comment); no trailing space. "," "[" "]"
# "{" "}" are harmless inside block values.
_PLAIN = re.compile(
    r"[A-Za-z](?:[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe-\U0010ffff:# ]"
    r"|:(?=[^ ])|(?<! )#| (?!#))*(?<! )"
)
# Text starting with a digit that has no character needing quotes: dates, times, hashes. YAML
# writes it plain unless it reads as a number or a timestamp, and then in single quotes.
_DIGITS_FIRST = re.compile(r"[0-9][0-9A-Za-z+.\-]*(?::[0-9A-Za-z+.\-]+)*")
# Plain words YAML would read as booleans or null.
_RESERVED = frozenset(
    {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
     "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"}
)
_STR_TAG = "tag:yaml.org,2002:str"


def dump(meta: dict[str, Any], fallback: Callable[[dict[str, Any]], str]) -> str:
    """The YAML block mapping for ``meta``; ``fallback`` dumps what this module does not
    write itself (a one-entry mapping, or the run of entries from the first such one on, so
    that anchors PyYAML would share between them stay shared)."""
    containers = [id(v) for v in meta.values() if isinstance(v, (list, dict))]
    if not meta or len(containers) != len(set(containers)):
        return fallback(meta)  # empty, or one list under two keys: PyYAML writes an anchor
    lines: list[str] = []
    items = list(meta.items())
    for n, (key, value) in enumerate(items):
        entry = _entry(key, value)
        if entry is None:
            rest = dict(items[n:])
            if any(isinstance(v, (list, dict)) for v in rest.values()):
                lines.append(fallback(rest))
                break
            entry = fallback({key: value})
        lines.append(entry)
    return "".join(lines)


def _entry(key: Any, value: Any) -> str | None:
    if not isinstance(key, str) or _scalar(key, 0) != key:
        return None
    prefix = f"{key}:"
    if isinstance(value, list):
        if not value:
            return None
        items = [_scalar(item, 2) for item in value]
        if any(item is None for item in items):
            return None
        return prefix + "\n" + "".join(f"- {item}\n" for item in items)
    if isinstance(value, dict):
        if not value:
            return None
        parts = [prefix + "\n"]
        for sub_key, sub_value in value.items():
            if not isinstance(sub_key, str) or _scalar(sub_key, 2) != sub_key:
                return None
            text = _scalar(sub_value, len(sub_key) + 4)
            if text is None:
                return None
            parts.append(f"  {sub_key}: {text}\n")
        return "".join(parts)
    text = _scalar(value, len(prefix) + 1)
    return None if text is None else f"{prefix} {text}\n"


def _scalar(value: Any, column: int) -> str | None:
    """``value`` as YAML writes it starting at ``column``, or None when that is not obvious."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or column + len(value) > WIDTH:
        return None
    if _PLAIN.fullmatch(value):
        return None if value in _RESERVED else value
    if _DIGITS_FIRST.fullmatch(value):
        return value if _reads_as_text(value) else f"'{value}'"
    return None


@functools.lru_cache(maxsize=1)
def _resolver() -> Any:
    import yaml

    return yaml.resolver.Resolver()


def _reads_as_text(value: str) -> bool:
    """Whether YAML reads ``value`` unquoted as text (and not as a number or a timestamp)."""
    import yaml

    return bool(_resolver().resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG)
