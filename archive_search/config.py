"""Finding the archive and reading its settings (``archive.yaml``).

An archive is found like git finds a repository: ``--archive``, else ``$ARCH_HOME``, else the
nearest folder at or above the current one that holds an ``archive.yaml``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from pathlib import Path
from typing import Any

from .errors import ArchiveError, ArchiveNotFound, StorageError

CONFIG_NAME = "archive.yaml"

#: Every setting with its default. ``archive.yaml`` overrides any part of it.
DEFAULTS: dict[str, Any] = {
    "name": "news archive",
    "search": {
        "limit": 10,
        "default_operator": "auto",
        "title_boost": 0.7,
        "tags_boost": 1.5,
        "phrase_boost": 2.0,
        "weighting": "dfr",
        "dfr_c": 1.4,
        "dfr_title_c": 0.2,
        "bm25_b": 0.75,
        "bm25_k1": 1.2,
        "feedback_docs": 15,
        "feedback_min_words": 4,
        "feedback_terms": 50,
        "feedback_weight": 0.6,
        "feedback_focus": 10.0,
        "feedback_rerank": 1000,
        "max_expansions": 1000,
        "snippet_chars": 220,
    },
    "index": {"procs": 2, "memory_mb": 256},
    "names": {"aliases": [], "separate": []},
    "import": {
        "max_article_mb": 1,
        "max_document_mb": 10,
        "max_input_mb": 10240,
        "max_ratio": 100,
    },
}

TEMPLATE = """\
# archive-search settings. Every key is optional; these are the defaults.
name: {name}
search:
  limit: 10              # results per page
  default_operator: auto # 'and': every word must match; 'or': any word, best first;
                         # 'auto': 'and' up to three words, 'or' for longer queries
  title_boost: 0.7       # weight of a match in the title against one in the body
  max_expansions: 1000   # a wildcard matching more terms than this is refused
names:
  aliases: []            # e.g. [["Jim Baker", "James Baker"]]: spellings of one person
  separate: []           # e.g. [["Kim Jong-il", "Kim Jong-un"]]: never merge these
"""


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


#: The parsed ``archive.yaml``, kept as JSON in ``index/`` with the file's size and times:
#: reading it back costs a fraction of a millisecond, while importing PyYAML and parsing
#: costs tens of milliseconds on every command (a search run from a script pays it per query).
SETTINGS_CACHE = "settings.json"


def load_settings(root: Path) -> dict[str, Any]:
    """Defaults overlaid with ``archive.yaml`` (read with ``yaml.safe_load``)."""
    path = root / CONFIG_NAME
    cache = root / "index" / SETTINGS_CACHE
    stamp = _stamp(path)
    data = _cached(cache, stamp)
    if data is None:
        data = _parse(path)
        _remember(cache, stamp, data)
    return merge(DEFAULTS, data)


def _parse(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ArchiveError(f"{path}{where}: not valid YAML") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot read settings ({exc})") from None
    if not isinstance(data, dict):
        raise ArchiveError(f"{path}: settings must be a mapping of keys to values")
    return data


def _stamp(path: Path) -> list[int] | None:
    """What changes whenever the file does: size, inode, modification and change times."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def _cached(cache: Path, stamp: list[int] | None) -> dict[str, Any] | None:
    if stamp is None:
        return None
    try:
        saved = json.loads(cache.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("stamp") != stamp:
        return None
    data = saved.get("settings")
    return data if isinstance(data, dict) else None


def _remember(cache: Path, stamp: list[int] | None, data: dict[str, Any]) -> None:
    """Keep the parsed settings for the next command, when they are plain JSON (YAML dates
    and other types are not: those settings are parsed every time) and ``index/`` exists
    and is writable; a read-only archive simply goes without."""
    if stamp is None or not cache.parent.is_dir():
        return
    try:
        text = json.dumps({"stamp": stamp, "settings": data}, allow_nan=False)
    except (TypeError, ValueError):
        return
    if json.loads(text)["settings"] != data:  # tuples, non-string keys: not kept as they are
        return
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
