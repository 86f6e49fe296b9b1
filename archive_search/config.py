"""Finding the archive and reading its settings (``archive.yaml``) into :class:`Settings`,
typed and checked, whose field defaults are the only defaults.

An archive is found like git finds a repository: ``--archive``, else ``$ARCH_HOME``, else the
nearest folder at or above the current one that holds an ``archive.yaml``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import difflib
import functools
import json
import math
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ArchiveError, ArchiveNotFound, StorageError

CONFIG_NAME = "archive.yaml"

#: Numbers above this are refused: no setting means anything that large, and a number of
#: processes, megabytes or results that large would exhaust the machine before it helped.
MAX_NUMBER = 1e9


class SettingsError(ArchiveError):
    """A value a setting cannot take; the one line names the key and the value."""


def _read_number(value: Any, whole: bool = False, positive: bool = False) -> float:
    """``value`` as a finite number of 0 or more (more than 0 when ``positive``). A number
    written as text counts, because YAML reads ``1e4`` (no dot) as text."""
    number = math.nan
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        except ValueError:
            pass
    what = "a whole number" if whole else "a number"
    if math.isnan(number) or (whole and math.isfinite(number) and number != int(number)):
        raise SettingsError(f"{_shown(value)} is not {what}")
    if positive and number <= 0:
        raise SettingsError(f"{_shown(value)} is not a positive number")
    if number < 0:
        raise SettingsError(f"{_shown(value)} is negative")
    if number > MAX_NUMBER:
        raise SettingsError(f"{_shown(value)} is too large (at most {MAX_NUMBER:,.0f})")
    return int(number) if whole else number


def _shown(value: Any, most: int = 60) -> str:
    """``value`` as Python writes it, cut to ``most`` characters (an error is one line)."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to write out
        return "a number too long to show"
    except RecursionError:  # lists within lists thousands deep
        return "a value nested too deep to show"
    return text if len(text) <= most else text[: most - 1] + "…"


def _read_choice(value: Any, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    raise SettingsError(f"{_shown(value)} is not one of: {', '.join(choices)}")


def _read_text(value: Any) -> str:
    """Text; a number, date or yes/no counts too, as YAML reads ``name: 1987`` as a number."""
    if isinstance(value, (str, int, float, _dt.date)):
        return _shown(value, 200) if isinstance(value, int) else str(value)
    raise SettingsError(f"{_shown(value)} is not text")


def _read_groups(value: Any) -> tuple[tuple[str, ...], ...]:
    """Groups of names (``[["Jim Baker", "James Baker"]]``); empty (``aliases:``) is none."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{_shown(value)} is not a list of lists of names")
    for group in value:
        if not isinstance(group, (list, tuple)) or not all(isinstance(n, str) for n in group):
            raise SettingsError(f"{_shown(group)} is not a list of names")
    return tuple(tuple(group) for group in value)


def _number(default: float, whole: bool = False, positive: bool = False) -> Any:
    """A numeric field: its default, and how a value from ``archive.yaml`` is checked."""
    read = functools.partial(_read_number, whole=whole, positive=positive)
    return field(default=default, metadata={"read": read})


def _choice(default: str, *choices: str) -> Any:
    read = functools.partial(_read_choice, choices=choices)
    return field(default=default, metadata={"read": read})


def _read_switch(value: Any) -> str:
    """``auto``, ``on`` or ``off``; YAML reads an unquoted ``on``/``off`` (and yes/no) as
    true/false, which mean the same here."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return _read_choice(value, ("auto", "on", "off"))


def _switch(default: str) -> Any:
    return field(default=default, metadata={"read": _read_switch})


def _groups() -> Any:
    return field(default=(), metadata={"read": _read_groups})


# The field defaults below are the only defaults: code reads settings as attributes
# (``archive.settings.search.title_boost``), never with a fallback of its own, and README.md
# lists every field with the same default (tests/test_config.py checks that). bench/README.md
# says how the ranking ones were chosen.


@dataclass(frozen=True)
class SearchSettings:
    """The ``search`` section: how queries are read, ranked and shown."""

    limit: int = _number(10, whole=True)
    default_operator: str = _choice("auto", "auto", "and", "or")
    title_boost: float = _number(0.7)
    tags_boost: float = _number(1.5)
    phrase_boost: float = _number(2.0)
    variant_boost: float = _number(0.5)
    weighting: str = _choice("dfr", "dfr", "bm25")
    dfr_c: float = _number(1.4)
    dfr_title_c: float = _number(0.2)
    bm25_b: float = _number(0.75)
    bm25_k1: float = _number(1.2)
    feedback_docs: int = _number(15, whole=True)
    feedback_min_words: int = _number(4, whole=True)
    feedback_terms: int = _number(50, whole=True)
    feedback_weight: float = _number(0.6)
    feedback_focus: float = _number(10.0)
    feedback_rerank: int = _number(300, whole=True)
    max_expansions: int = _number(1000, whole=True)
    snippet_chars: int = _number(220, whole=True)
    suggest_below: int = _number(3, whole=True)
    recent_weight: float = _number(0.3)
    recent_half_life_days: float = _number(30.0)


@dataclass(frozen=True)
class IndexSettings:
    """The ``index`` section: the resources an index update may use."""

    procs: int = _number(2, whole=True, positive=True)
    #: Whoosh's own estimate of the postings an indexing process holds before it writes them
    #: out; the process grows to about 1.5 times this plus 60 MB (bench/README.md, "Scale": at
    #: 256 a rebuild of 191,321 articles had two processes of 423 MB each, at 160 about 250 MB)
    memory_mb: int = _number(160, whole=True, positive=True)


@dataclass(frozen=True)
class NamesSettings:
    """The ``names`` section: the user's rules over which spellings are one person."""

    aliases: tuple[tuple[str, ...], ...] = _groups()
    separate: tuple[tuple[str, ...], ...] = _groups()


@dataclass(frozen=True)
class ImportSettings:
    """The ``import`` section: how much of an input is read (see
    :class:`~archive_search.importers.Limits`)."""

    max_article_mb: float = _number(1, positive=True)
    max_document_mb: float = _number(10, positive=True)
    max_input_mb: float = _number(10240, positive=True)
    max_ratio: float = _number(100, positive=True)


@dataclass(frozen=True)
class RelatedSettings:
    """The ``related`` section: whether related articles use meaning as well as shared words
    (the semantic extra, :mod:`archive_search.semantic`), and how much."""

    semantic: str = _switch("auto")
    semantic_weight: float = _number(0.5)
    semantic_floor: float = _number(0.3)
    semantic_candidates: int = _number(10, whole=True)


#: The sections of ``archive.yaml`` by key (``import`` is a Python keyword: the attribute is
#: ``import_``).
SECTIONS: dict[str, tuple[str, type]] = {
    "search": ("search", SearchSettings),
    "index": ("index", IndexSettings),
    "names": ("names", NamesSettings),
    "import": ("import_", ImportSettings),
    "related": ("related", RelatedSettings),
}


@dataclass(frozen=True)
class Settings:
    """Every setting of an archive, typed and checked (:func:`read_settings`). Frozen: no
    code changes them under another that holds them; :func:`dataclasses.replace` makes a
    changed copy."""

    name: str = "news archive"
    search: SearchSettings = field(default_factory=SearchSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    names: NamesSettings = field(default_factory=NamesSettings)
    import_: ImportSettings = field(default_factory=ImportSettings)
    related: RelatedSettings = field(default_factory=RelatedSettings)

    def to_dict(self) -> dict[str, Any]:
        """The settings as ``archive.yaml`` writes them: plain JSON, read back by
        :func:`read_settings` to equal settings."""
        out: dict[str, Any] = {"name": self.name}
        for key, (attribute, _) in SECTIONS.items():
            section = getattr(self, attribute)
            out[key] = {f.name: _plain(getattr(section, f.name)) for f in fields(section)}
        return out


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def read_settings(data: Any) -> tuple[Settings, list[str]]:
    """The settings ``data`` (parsed ``archive.yaml``) sets over the defaults, and a warning
    for each key that is not a setting (ignored: a typo'd key would otherwise silently do
    nothing). Raises :class:`SettingsError` naming the key and its value, for a value the
    setting cannot take."""
    if not isinstance(data, dict):
        raise SettingsError("settings must be a mapping of keys to values")
    warnings: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "name":
            if value is not None:  # an empty ``name:`` leaves the default
                values["name"] = _checked("name", value, _read_text)
        elif key in SECTIONS:
            attribute, cls = SECTIONS[key]
            values[attribute] = _read_section(key, cls, value, warnings)
        else:
            warnings.append(_unknown(_key(key), ["name", *SECTIONS]))
    return Settings(**values), warnings


def _read_section(key: str, cls: type, data: Any, warnings: list[str]) -> Any:
    if data is None:  # a section whose keys are all commented out
        data = {}
    if not isinstance(data, dict):
        raise SettingsError(f"{key}: {_shown(data)} is not a mapping of keys to values")
    known = {f.name: f for f in fields(cls)}
    values = {}
    for name, value in data.items():
        if name not in known:
            warnings.append(_unknown(f"{key}.{_key(name)}", list(known)))
            continue
        values[name] = _checked(f"{key}.{name}", value, known[name].metadata["read"])
    return cls(**values)


def _checked(key: str, value: Any, read: Callable[[Any], Any]) -> Any:
    try:
        return read(value)
    except SettingsError as exc:
        raise SettingsError(f"{key}: {exc}") from None


def _key(key: Any) -> str:
    """A key as a warning names it: as written when it is short plain text, else as Python
    writes it (YAML keys may be numbers or dates, and hold line breaks)."""
    plain = isinstance(key, str) and key.isprintable() and len(key) <= 60
    return key if plain else _shown(key)


def _unknown(key: str, known: list[str]) -> str:
    last = key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(last, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown setting {key} ignored{hint}; the known ones are: {', '.join(known)}"


TEMPLATE = """\
# archive-search settings. Every key is optional; these are the defaults.
name: {name}
search:
  limit: 10              # results per page
  default_operator: auto # 'and': every word must match; 'or': any word, best first;
                         # 'auto': up to three words, those with every word first, then
                         # those with some; 'or' for longer queries
  title_boost: 0.7       # weight of a match in the title against one in the body
  max_expansions: 1000   # a wildcard matching more terms than this is refused
names:
  aliases: []            # e.g. [["Jim Baker", "James Baker"]]: spellings of one person
  separate: []           # e.g. [["Kim Jong-il", "Kim Jong-un"]]: never merge these
"""


def template(name: str) -> str:
    """The ``archive.yaml`` that ``arch init`` writes for an archive called ``name`` (the
    folder's name), quoted when YAML would read it as something else (``yes``, ``null``,
    ``1.50``) or not at all (``a: b``, ``[drafts``)."""
    import yaml

    try:
        plain = yaml.safe_load(f"name: {name}") == {"name": name}
    except yaml.YAMLError:
        plain = False
    return TEMPLATE.format(name=name if plain else json.dumps(name))


def find_root(explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Path:
    """The archive folder to use; raises :class:`ArchiveNotFound` with advice."""
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / CONFIG_NAME).is_file():
            raise ArchiveNotFound(
                f"no archive at {root} (no {CONFIG_NAME}); create one with: arch init {root}"
            )
        return root.resolve()
    env = os.environ.get("ARCH_HOME")
    if env:
        root = Path(env).expanduser()
        if not (root / CONFIG_NAME).is_file():
            raise ArchiveNotFound(
                f"ARCH_HOME={env} is not an archive (no {CONFIG_NAME}); create one with: "
                f"arch init {env}"
            )
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ArchiveNotFound(
        "no archive here or in any parent folder; create one with 'arch init DIR' "
        "or point to one with --archive DIR or ARCH_HOME"
    )


#: The settings read from ``archive.yaml`` (:meth:`Settings.to_dict`), kept as JSON in
#: ``index/`` with the file's size and times and the warnings it gave: reading it back costs a
#: fraction of a millisecond, while importing PyYAML and parsing costs tens of milliseconds on
#: every command (a search run from a script pays it per query).
SETTINGS_CACHE = "settings.json"


def load_settings(root: Path) -> tuple[Settings, list[str]]:
    """The settings of the archive at ``root`` (the defaults overlaid with ``archive.yaml``,
    read with ``yaml.safe_load``) and the warnings to show about it (keys that are not
    settings). Raises :class:`ArchiveError` with one line naming the file, key and value for
    a value a setting cannot take."""
    path = root / CONFIG_NAME
    cache = root / "index" / SETTINGS_CACHE
    stamp = _stamp(path)
    cached = _cached(cache, stamp)
    if cached is not None:
        settings, warnings = cached
    else:
        try:
            settings, warnings = read_settings(_parse(path))
        except SettingsError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        _remember(cache, stamp, settings, warnings)
    return settings, [f"{path}: {warning}" for warning in warnings]


def _parse(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ArchiveError(f"{path}{where}: not valid YAML") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot read settings ({exc})") from None
    except (ValueError, RecursionError):  # PyYAML lets these through: 5,000 digits, [[[[…
        raise ArchiveError(f"{path}: not valid YAML (a number or nesting too large to read)"
                           ) from None


def _stamp(path: Path) -> list[int] | None:
    """What changes whenever the file does (size, inode, modification and change times) or
    the defaults do (a checksum of them): a cache written by an arch with other defaults is
    not this file's settings, though the file is unchanged."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, _defaults_checksum()]


@functools.cache
def _defaults_checksum() -> int:
    return zlib.crc32(json.dumps(Settings().to_dict(), sort_keys=True).encode("utf-8"))


def _cached(cache: Path, stamp: list[int] | None) -> tuple[Settings, list[str]] | None:
    """The settings kept in ``cache`` when they are for the file as it is now; checked as
    ``archive.yaml`` is, so that a damaged or foreign copy is never used."""
    if stamp is None:
        return None
    try:
        saved = json.loads(cache.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("stamp") != stamp:
        return None
    warnings = saved.get("warnings")
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        return None
    try:
        settings, unknown = read_settings(saved.get("settings"))
    except SettingsError:
        return None
    return None if unknown else (settings, warnings)


def _remember(cache: Path, stamp: list[int] | None, settings: Settings,
              warnings: list[str]) -> None:
    """Keep the settings for the next command when ``index/`` exists and is writable; a
    read-only archive simply goes without."""
    if stamp is None or not cache.parent.is_dir():
        return
    text = json.dumps({"stamp": stamp, "settings": settings.to_dict(), "warnings": warnings})
    from .store import atomic_write_bytes

    with contextlib.suppress(StorageError):  # a cache: a read-only archive just goes without
        atomic_write_bytes(cache, text.encode("utf-8"))


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``override`` laid over it, mapping by mapping."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
