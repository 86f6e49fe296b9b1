"""The archive's name catalogue, cached beside the index it was built from, in layers.

The catalogue is built from the manifest (each article's id, date and names) and cached in the
index generation with the manifest revision and the user's rules (``names.aliases``/
``names.separate``) it was built with, so a rule edited in ``archive.yaml`` takes effect at the
next use, without re-importing anything. The caches are in ``marshal`` form, which loads several
times faster than JSON and, unlike pickle, cannot run code.

Building the whole catalogue takes seconds on a large archive, so it is kept like an LSM tree,
where a cost follows the change rather than the archive:

* ``names.cache``: the base, every article's names as of one revision;
* ``names-A-B.layer``: a catalogue of the rows written after revision A up to B, built by the
  writer that wrote them (an import or index update of more than :data:`RECENT_NAMES` articles,
  while it holds the archive's lock: :func:`after_save`);
* ``names.stack``: a small JSON list of the base's revision and size and of the layers over it,
  so that the writer decides without loading any catalogue. It only says which files to read:
  every catalogue carries its own stamp, and a reader uses those.

A search looks names up in the base, the layers that continue it, and one catalogue built from
the rows written since (at most :data:`RECENT_NAMES`); beyond, or when a file is missing, damaged
or built with other rules, the whole catalogue is built again in memory, as it always could be.
When the layers are more than :data:`MAX_LAYERS` or hold more articles than
:data:`MERGE_SHARE` of the base, the writer builds a new base instead (amortised: once per
quarter of growth). Looked up together, the catalogues give the spellings one catalogue built
from every article would (``tests/test_names_layers.py``; each lists its own most used first),
except where only the union of two catalogues links a chain of spellings that are not the same
name pairwise, or where a misspelt query is as close to a name of one catalogue as to one of
another (each catalogue then makes its own guess, or none).
"""

from __future__ import annotations

import contextlib
import json
import marshal
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ArchiveError, StorageError
from ..store import atomic_write_bytes, atomic_write_text
from .catalog import NameCatalog

if TYPE_CHECKING:
    from ..config import NamesSettings
    from ..manifest import Manifest

#: A search looks names up in the cached catalogues plus one of the articles added or changed
#: since they were built, while those are at most this many (a catalogue of 500 articles builds
#: in well under a second); a writer that changed more builds a layer for them.
RECENT_NAMES = 500
#: Layers over the base before the writer merges them into a new base (each is one more file
#: a search loads and looks names up in).
MAX_LAYERS = 4
#: The share of the base's articles the layers may hold before the writer merges them.
MERGE_SHARE = 0.25

BASE = "names.cache"
STACK = "names.stack"


def cached_catalogs(
    gen: Path,
    revision: Any,
    rules: NamesSettings,
    load_manifest: Callable[[], Manifest],
    recent_limit: int,
) -> list[NameCatalog]:
    """The name catalogues of the index generation ``gen`` (at manifest ``revision``), built
    with ``rules`` from the manifest (``load_manifest``, read only when the caches will not do).

    With ``recent_limit`` 0: the one catalogue, built again when missing or stale. Otherwise,
    what a search looks names up in: the cached base and the layers that continue it, plus one
    built from the articles added or changed since, while those are at most ``recent_limit``;
    beyond, the whole catalogue, built again (seconds on a large archive, where a few new
    articles take milliseconds). Until the next base, names that only deleted or edited
    articles had stay in the base or a layer: a search also looks for those spellings, which
    find nothing more.
    """
    aliases, separate = _rule_lists(rules)
    base = _load(gen / BASE, [aliases, separate])
    built_at = base[1].get("revision") if base else None
    if base is not None and built_at == revision:
        return [base[0]]
    manifest = None
    try:
        if base is not None and recent_limit and isinstance(built_at, int):
            catalogs, end = _layers(gen, base[0], built_at, revision, [aliases, separate])
            if end == revision:
                return catalogs
            # the rows written after the newest layer, by the manifest's revision index: a
            # cost that follows the change, not the archive
            manifest = load_manifest()
            recent = manifest.changed_since(end, recent_limit)
            if recent is not None:
                if recent:
                    catalogs.append(_build(((e.id, e.date, e.names) for e in recent),
                                           aliases, separate))
                return catalogs
        manifest = manifest or load_manifest()
        catalog = _build(manifest.name_records(), aliases, separate)
    except ValueError as exc:
        raise ArchiveError(f"archive.yaml names rules: {exc}") from None
    with contextlib.suppress(StorageError):  # a cache: a read-only archive goes without
        _save_base(gen, catalog, revision, [aliases, separate], writer=False)
    return [catalog]


def after_save(gen: Path, manifest: Manifest, rules: NamesSettings, changed: bool) -> None:
    """Keep the cached catalogues of ``gen`` up with ``manifest``, just saved by a writer that
    holds the archive's lock (``changed``: its articles changed, the revision moved).

    Rows the next search can catalogue itself (at most :data:`RECENT_NAMES` since the newest
    cached catalogue) are left to it. More become a layer: the cost of the change, paid by the
    writer that made it rather than by the reader after it. Too many layers, or too large a
    share of the base, or no base known (a rebuild, an archive of an earlier version, rules
    edited): a new base, from every row. A cache that cannot be written or rules that
    contradict each other are left to the search, which builds what it needs and says what is
    wrong with the rules.
    """
    if not changed:
        return
    aliases, separate = _rule_lists(rules)
    stack = _read_stack(gen, [aliases, separate])
    try:
        if stack is not None:
            layers = stack["layers"]
            end = layers[-1][1] if layers else stack["base"]
            room = int(stack["size"] * MERGE_SHARE) - sum(layer[2] for layer in layers)
            rows = manifest.changed_since(end, max(room, RECENT_NAMES))
            if rows is not None and len(rows) <= RECENT_NAMES:
                return
            if rows is not None and len(layers) < MAX_LAYERS:
                layer = _build(((e.id, e.date, e.names) for e in rows), aliases, separate)
                stamp = {"from": end, "to": manifest.revision, "rules": [aliases, separate]}
                name = f"names-{end}-{manifest.revision}.layer"
                atomic_write_bytes(gen / name, marshal.dumps({"stamp": stamp,
                                                              "catalog": layer.to_dict()}))
                stack["layers"].append([end, manifest.revision, len(rows)])
                _write_stack(gen, stack, writer=True)
                return
        catalog = _build(manifest.name_records(), aliases, separate)
        _save_base(gen, catalog, manifest.revision, [aliases, separate], writer=True)
    except (ValueError, StorageError):
        return


def _rule_lists(rules: NamesSettings) -> tuple[list[list[str]], list[list[str]]]:
    return [list(group) for group in rules.aliases], [list(group) for group in rules.separate]


def _build(records: Iterable[tuple[str, str | None, Sequence[str]]],
           aliases: list[list[str]], separate: list[list[str]]) -> NameCatalog:
    return NameCatalog.build(records, aliases=aliases, separate=separate)


def _load(path: Path, rules: list[Any]) -> tuple[NameCatalog, dict[str, Any]] | None:
    """The catalogue in ``path`` and its stamp, when it was built with ``rules``; None when it
    is missing, damaged or of other rules."""
    try:
        data = marshal.loads(path.read_bytes())
        if data["stamp"]["rules"] != rules:
            return None
        return NameCatalog.from_dict(data["catalog"]), data["stamp"]
    except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError):
        return None


def _layers(gen: Path, base: NameCatalog, built_at: int, revision: Any,
            rules: list[Any]) -> tuple[list[NameCatalog], int]:
    """The base and the layers that continue it, in order, and the revision they reach. The
    stack names the files; each layer's own stamp decides whether it joins (one missing or
    damaged ends the chain there, and the rows after it are the search's to find)."""
    catalogs, end = [base], built_at
    stack = _read_stack(gen, rules)
    for first, last, _ in stack["layers"] if stack else ():
        if first != end or not isinstance(revision, int) or last > revision:
            continue
        layer = _load(gen / f"names-{first}-{last}.layer", rules)
        if layer is None or (layer[1].get("from"), layer[1].get("to")) != (first, last):
            break
        catalogs.append(layer[0])
        end = last
    return catalogs, end


def _read_stack(gen: Path, rules: list[Any]) -> dict[str, Any] | None:
    """``names.stack`` when it was written with ``rules`` and reads as one; else None."""
    try:
        stack = json.loads((gen / STACK).read_text())
        if stack["rules"] != rules or not isinstance(stack["base"], int):
            return None
        if not isinstance(stack["size"], int) or not all(
                isinstance(layer, list) and len(layer) == 3
                and all(isinstance(n, int) for n in layer) for layer in stack["layers"]):
            return None
        return stack
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_base(gen: Path, catalog: NameCatalog, revision: Any, rules: list[Any],
               writer: bool) -> None:
    """Write ``catalog`` as the base at ``revision``, then a stack with no layers over it
    (``writer``: by the holder of the archive's lock, see :func:`_write_stack`)."""
    stamp = {"revision": revision, "rules": rules}
    atomic_write_bytes(gen / BASE, marshal.dumps({"stamp": stamp, "catalog": catalog.to_dict()}))
    if isinstance(revision, int):
        _write_stack(gen, {"rules": rules, "base": revision, "size": catalog.articles,
                           "layers": []}, writer)


def _write_stack(gen: Path, stack: dict[str, Any], writer: bool) -> None:
    """Write ``stack``; a ``writer`` (holding the archive's lock) then removes the layer files
    it no longer names (left by a merge, or by a writer killed between a layer and its stack).
    A search that wrote a new base leaves them: a writer may be about to name its new one."""
    atomic_write_text(gen / STACK, json.dumps(stack, separators=(",", ":")))
    if not writer:
        return
    kept = {f"names-{first}-{last}.layer" for first, last, _ in stack["layers"]}
    for path in gen.glob("names-*.layer"):
        if path.name not in kept:
            with contextlib.suppress(OSError):
                path.unlink()
