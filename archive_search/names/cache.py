"""The archive's name catalogue, cached beside the index it was built from.

The catalogue is built from the manifest (each article's id, date and names) and cached in the
index generation (``names.cache``) with the manifest revision and the user's rules
(``names.aliases``/``names.separate``) it was built with, so a rule edited in ``archive.yaml``
takes effect at the next use, without re-importing anything. The cache is in ``marshal`` form,
which loads several times faster than JSON and, unlike pickle, cannot run code.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ArchiveError, StorageError
from ..store import atomic_write_bytes
from .catalog import NameCatalog

if TYPE_CHECKING:
    from ..config import NamesSettings
    from ..manifest import Manifest

#: A search looks names up in the cached catalogue plus one of the articles added or changed
#: since it was built, while those are at most this many (a catalogue of 500 articles builds in
#: well under a second); beyond, the whole catalogue is built again.
RECENT_NAMES = 500


def cached_catalogs(
    gen: Path,
    revision: Any,
    rules: NamesSettings,
    load_manifest: Callable[[], Manifest],
    recent_limit: int,
) -> list[NameCatalog]:
    """The name catalogues of the index generation ``gen`` (at manifest ``revision``), built
    with ``rules`` from the manifest (``load_manifest``, read only when the cache will not do).

    With ``recent_limit`` 0: the one catalogue, built again when missing or stale. Otherwise,
    what a search looks names up in: the cached one, plus one built from the articles added or
    changed since, while those are at most ``recent_limit``; beyond, the whole catalogue, built
    again (seconds on a large archive, where a few new articles take milliseconds). Until then,
    names that only deleted or edited articles had stay in the cached catalogue: a search also
    looks for those spellings, which find nothing more.
    """
    aliases = [list(group) for group in rules.aliases]
    separate = [list(group) for group in rules.separate]
    stamp = {"revision": revision, "rules": [aliases, separate]}
    cache = gen / "names.cache"
    cached = None
    try:
        data = marshal.loads(cache.read_bytes())
        if data.get("stamp") == stamp:
            return [NameCatalog.from_dict(data["catalog"])]
        if recent_limit and data["stamp"]["rules"] == stamp["rules"]:
            cached = (NameCatalog.from_dict(data["catalog"]), data["stamp"])
    except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError):
        pass
    manifest = load_manifest()
    try:
        if cached is not None:
            # the rows written after the revision the catalogue was built at, by the
            # manifest's revision index: a cost that follows the change, not the archive
            built_at = cached[1].get("revision")
            recent = (manifest.changed_since(built_at, recent_limit)
                      if isinstance(built_at, int) else None)
            if recent is not None:
                if not recent:
                    return [cached[0]]
                records = ((e.id, e.date, e.names) for e in recent)
                return [cached[0], NameCatalog.build(records, aliases=aliases,
                                                     separate=separate)]
        catalog = NameCatalog.build(manifest.name_records(), aliases=aliases,
                                    separate=separate)
    except ValueError as exc:
        raise ArchiveError(f"archive.yaml names rules: {exc}") from None
    with contextlib.suppress(StorageError):  # a cache: a read-only archive goes without
        atomic_write_bytes(cache, marshal.dumps({"stamp": stamp,
                                                 "catalog": catalog.to_dict()}))
    return [catalog]
