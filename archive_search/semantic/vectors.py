"""One vector per article, kept beside the index in its generation folder
(``index/gen-N/vectors.bin``), updated with it and rebuilt with it.

The file, written whole to a temporary file and renamed over the old one (readers see the
old file or the new one, never half):

* 8 bytes ``ARCHVEC2``, a 4-byte header length, a JSON header (model, dimensions, count, the
  manifest revision the vectors match, a CRC-32 of what follows), padded to 64 bytes;
* per article an 8-byte key of the file it was computed from (its path, time and size: a file
  changed since has another key), where its id starts in the ids (and where the last ends), a
  float32 scale, and its place in the order of the ids (to find an id by bisection, without
  reading them all);
* the first COARSE numbers of every vector, then the vectors, int8, one row per article (a
  unit vector divided by its scale);
* the article ids, UTF-8, one after the other.

About 370 bytes an article with ids of 30 characters: 37 MB per 100,000 articles. Cosines
computed from the int8 rows differ from float32 ones by about 0.002.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from ..store import TMP_PREFIX

if TYPE_CHECKING:
    from ..manifest import Manifest
    from ..store import Corpus

VECTORS = "vectors.bin"
MAGIC = b"ARCHVEC2"
ALIGN = 64
#: The nearest articles are found in two passes: the first COARSE numbers of every vector
#: (wordllama's vectors are trained so that their beginnings are vectors too), then the whole
#: vectors of the best SHORTLIST times as many as asked for. At 200,000 articles the first
#: pass costs a quarter of a pass over whole vectors; on Reuters-21578 the 10 nearest found so
#: are 99.6 % of the 10 nearest by whole vectors (96.4 % with a shortlist of 30 times).
COARSE = 64
SHORTLIST = 100
#: Articles embedded at a time (memory: a batch of texts of at most MAX_CHARS each).
BATCH = 256
#: Rows compared at a time by :meth:`Vectors.nearest` (a float32 copy of CHUNK rows).
CHUNK = 32768
#: An update of at most this many articles is followed from the manifest's rows it wrote;
#: a larger one compares every article's key (a pass over the manifest, cheap beside it).
FOLLOW_LIMIT = 5000


class Damaged(ValueError):
    """The vector file cannot be read as one (truncated, overwritten, of another model)."""


@dataclass
class Vectors:
    """The vectors of one generation, memory-mapped."""

    model: str
    revision: int
    keys: np.ndarray
    scales: np.ndarray
    order: np.ndarray
    offsets: np.ndarray
    coarse: np.ndarray
    matrix: np.ndarray
    names: np.ndarray
    crc: int
    body: np.ndarray
    #: the file, for reading a few rows without mapping the pages around them (a memory map
    #: brings in 64 KB around each row read, which a shortlist of rows spread over the whole
    #: file would count by the megabyte)
    file: BinaryIO | None = None
    #: where the vectors start in the file
    matrix_at: int = 0

    def __len__(self) -> int:
        return len(self.keys)

    def id(self, row: int) -> str:
        return self.names[int(self.offsets[row]):int(self.offsets[row + 1])].tobytes().decode()

    @property
    def ids(self) -> list[str]:
        """Every id in row order (reads them all: for updates and checks, not for a call)."""
        names, ends = self.names.tobytes(), self.offsets.tolist()
        return [names[a:b].decode() for a, b in zip(ends, ends[1:], strict=False)]

    def row(self, article_id: str) -> int | None:
        """The row of ``article_id``, found by bisection of the ids' order; None if absent."""
        at = self.place(article_id)
        if at < len(self.order) and self.id(int(self.order[at])) == article_id:
            return int(self.order[at])
        return None

    def place(self, article_id: str) -> int:
        """Where ``article_id`` is or would be in the order of the ids."""
        order = self.order
        return bisect.bisect_left(range(len(order)), article_id,
                                  key=lambda n: self.id(int(order[n])))

    @classmethod
    def open(cls, gen: Path) -> Vectors | None:
        """The vectors of ``gen``, or None when there are none; raises :class:`Damaged`."""
        path = gen / VECTORS
        try:
            # the file as opened now, whatever an update renames over it meanwhile
            fh = open(path, "rb")  # noqa: SIM115 - kept open for reading rows
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Damaged(f"cannot read {path.name}: {exc}") from None
        try:
            data = np.memmap(fh, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
            fh.close()
            raise Damaged(f"cannot read {path.name}: {exc}") from None
        found = cls._parse(data, path.name)
        found.file = fh
        return found

    @classmethod
    def _parse(cls, data: np.ndarray, name: str) -> Vectors:
        raw = data[:12].tobytes()
        if len(raw) < 12 or raw[:8] != MAGIC:
            raise Damaged(f"{name} is not a vector file")
        (size,) = struct.unpack("<I", raw[8:])
        try:
            head = json.loads(data[12:12 + size].tobytes())
            count, dims = int(head["count"]), int(head["dims"])
            coarse = min(COARSE, dims)
            start = _aligned(12 + size)
            parts = [8 * count, 8 * (count + 1), 4 * count, 4 * count, coarse * count,
                     dims * count]
            ends = np.cumsum([start, *parts]).tolist()
            if len(data) < ends[-1]:
                raise ValueError(f"{len(data)} bytes, not the {ends[-1]} it says at least")
            keys, offsets, scales, order, first, matrix = (
                data[a:b] for a, b in zip(ends, ends[1:], strict=False))
            offsets = offsets.view("<u8")
            names = data[ends[-1]:]
            if count and int(offsets[-1]) != len(names):
                raise ValueError("the ids do not end where the file does")
        except (ValueError, KeyError, TypeError) as exc:
            raise Damaged(f"{name} is damaged: {exc}") from None
        return cls(str(head.get("model")), int(head.get("revision", -1)), keys.view("<u8"),
                   scales.view("<f4"), order.view("<u4"), offsets,
                   first.view(np.int8).reshape(count, coarse),
                   matrix.view(np.int8).reshape(count, dims), names,
                   int(head.get("crc", -1)), data[start:], matrix_at=ends[5])

    def intact(self) -> bool:
        """Whether the file's contents are those it was written with (reads all of it)."""
        return zlib.crc32(self.body) == self.crc

    def vector(self, row: int) -> np.ndarray:
        """Row ``row`` as a float32 unit vector."""
        return self.matrix[row].astype(np.float32) * np.float32(self.scales[row])

    def cosines(self, query: np.ndarray, rows: Iterable[int]) -> dict[int, float]:
        """The cosine of the unit vector ``query`` with each of ``rows``."""
        wanted = np.fromiter(rows, dtype=np.int64)
        found = (self._rows(wanted).astype(np.float32) @ query) * self.scales[wanted]
        return dict(zip(wanted.tolist(), found.tolist(), strict=True))

    def _rows(self, rows: np.ndarray) -> np.ndarray:
        """The int8 rows ``rows``, read from the file one by one."""
        if self.file is None:
            return self.matrix[rows]
        dims = self.matrix.shape[1]
        start = self.matrix_at
        fd = self.file.fileno()
        data = b"".join(os.pread(fd, dims, start + int(r) * dims) for r in rows)
        if len(data) != dims * len(rows):
            raise Damaged(f"{VECTORS} is shorter than it says")
        return np.frombuffer(data, dtype=np.int8).reshape(len(rows), dims)

    def nearest(self, query: np.ndarray, count: int, exclude: int | None = None
                ) -> list[tuple[int, float]]:
        """The ``count`` rows closest to the unit vector ``query``: ``(row, cosine)``, closest
        first. A pass over the beginnings of every vector, CHUNK at a time (memory stays
        bounded), then the whole vectors of the shortlist."""
        if count <= 0:
            return []
        short = self._shortlist(query[:self.coarse.shape[1]], SHORTLIST * count, exclude)
        found = self.cosines(query, short)
        ranked = sorted(found, key=lambda row: (-found[row], row))[:count]
        return [(row, found[row]) for row in ranked]

    def _shortlist(self, query: np.ndarray, count: int, exclude: int | None) -> list[int]:
        best_rows: list[np.ndarray] = []
        best_scores: list[np.ndarray] = []
        total = self.coarse.shape[0]
        for start in range(0, total, CHUNK):
            block = self.coarse[start:start + CHUNK].astype(np.float32) @ query
            block *= self.scales[start:start + CHUNK]
            if exclude is not None and start <= exclude < start + CHUNK:
                block[exclude - start] = -np.inf
            keep = min(count, block.size)
            top = np.argpartition(-block, keep - 1)[:keep] if keep else np.arange(0)
            best_rows.append(top + start)
            best_scores.append(block[top])
        if not best_rows:
            return []
        rows, scores = np.concatenate(best_rows), np.concatenate(best_scores)
        order = np.lexsort((rows, -scores))[:count]
        return [int(rows[i]) for i in order if np.isfinite(scores[i])]


def quantize(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and their float32 scales for unit vectors (a zero vector stays zero)."""
    peak = np.abs(unit).max(axis=1) if unit.size else np.zeros(len(unit), dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    rows = np.rint(unit / scales[:, None]).astype(np.int8)
    return rows, scales


def file_key(rel: str, stamp: tuple[int, int]) -> int:
    """The key of the file a vector was computed from: its path, time and size."""
    digest = hashlib.blake2b(f"{rel}\0{stamp[0]}\0{stamp[1]}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


def expected(manifest: Manifest) -> dict[str, int]:
    """``article id -> key`` of every article the manifest holds."""
    stamps = manifest.files.stamps()
    return {article_id: file_key(rel, stamps[rel])
            for article_id, rel in dict(manifest.ids()).items() if rel in stamps}


def refresh(gen: Path, manifest: Manifest, corpus: Corpus) -> None:
    """Make ``gen``'s vectors match ``manifest``: rows of articles gone or changed are
    dropped, articles added or changed are embedded; nothing is written when nothing
    changed. After an update that only added or changed articles, the manifest's rows
    written since the vectors' revision say which (a cost that follows the change); else
    every article's key is compared. A damaged file is computed again from the corpus (a
    file that matches the manifest is checked whole, by its CRC: 40 ms at 200,000
    articles)."""
    from .model import NAME

    try:
        old = Vectors.open(gen)
    except Damaged:
        old = None
    if old is not None and old.model != NAME:
        old = None
    if old is not None and old.revision == manifest.revision:
        if old.intact():
            return
        old = None  # damaged in place: computed again
    if old is not None and 0 <= old.revision < manifest.revision and _follow(
            gen, old, manifest, corpus):
        return
    want = expected(manifest)
    old_ids = old.ids if old is not None else []
    keep = [row for row, article_id in enumerate(old_ids)
            if want.get(article_id) == int(old.keys[row])]  # type: ignore[union-attr]
    kept_ids = {old_ids[row] for row in keep}
    todo = {article_id: key for article_id, key in want.items() if article_id not in kept_ids}
    if old is not None and not todo and len(keep) == len(old):
        # the same articles: only the revision moves
        _write(gen, manifest.revision, old.model, old_ids, old.keys, old.scales, old.matrix)
        return
    _extend(gen, manifest, corpus, old, keep, todo)


def catch_up(gen: Path, manifest: Manifest, corpus: Corpus) -> None:
    """Before a writer's work: vectors that a killed writer left behind ``manifest`` (they
    are written after it) are brought up to it; vectors as current as the manifest are left
    unread (no CRC: that is for ``arch index`` and ``arch check``)."""
    try:
        old = Vectors.open(gen)
    except Damaged:
        old = None
    if old is not None and old.revision == manifest.revision:
        return
    refresh(gen, manifest, corpus)


def _follow(gen: Path, old: Vectors, manifest: Manifest, corpus: Corpus) -> bool:
    """Bring ``old`` up to ``manifest`` from the manifest's rows written since ``old``'s
    revision, when those account for every change (articles added or changed, none gone:
    the row counts add up); False when they do not."""
    changed = manifest.changed_since(old.revision, FOLLOW_LIMIT)
    if changed is None:
        return False
    owners = manifest.ids()
    todo: dict[str, int] = {}
    for entry in changed:
        rel = owners.get(entry.id)
        if rel is not None:
            todo[entry.id] = file_key(rel, (entry.mtime_ns, entry.size))
    replaced = {row for a in todo if (row := old.row(a)) is not None}
    if len(old) - len(replaced) + len(todo) != len(manifest.files):
        return False  # articles gone (or the vectors were behind): every key is compared
    keep = [row for row in range(len(old)) if row not in replaced]
    _extend(gen, manifest, corpus, old, keep, todo)
    return True


def _extend(gen: Path, manifest: Manifest, corpus: Corpus, old: Vectors | None,
            keep: list[int], todo: dict[str, int]) -> None:
    """Write ``old``'s rows ``keep`` and a vector for each article of ``todo`` (id -> key)."""
    from .model import DIMS, NAME, load

    owners = manifest.ids()
    order = list(todo)
    new_rows = np.zeros((len(order), DIMS), dtype=np.int8)
    new_scales = np.ones(len(order), dtype=np.float32)
    for start in range(0, len(order), BATCH):
        batch = order[start:start + BATCH]
        texts = [_text(corpus, owners[a]) for a in batch]
        rows, scales = quantize(load().embed(texts))
        new_rows[start:start + len(batch)] = rows
        new_scales[start:start + len(batch)] = scales
    new_keys = np.asarray([todo[a] for a in order], dtype="<u8")
    if old is not None and len(keep) == len(old):
        _append(gen, manifest.revision, old, order, new_keys, new_scales, new_rows)
        return
    if old is not None and keep:
        picked = np.asarray(keep, dtype=np.int64)
        old_ids = old.ids
        matrix = np.concatenate([old.matrix[picked], new_rows])
        scales = np.concatenate([old.scales[picked], new_scales])
        keys = np.concatenate([old.keys[picked], new_keys])
        all_ids = [old_ids[row] for row in keep] + order
    else:
        matrix, scales, keys, all_ids = new_rows, new_scales, new_keys, order
    _write(gen, manifest.revision, NAME, all_ids, keys, scales, matrix)


def _text(corpus: Corpus, rel: str) -> str:
    """What an article's vector is computed from: its title and body ("" when its file
    cannot be read: the index leaves such a file out too)."""
    try:
        article = corpus.read(rel)
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    return f"{article.title}\n{article.body}"


def _append(gen: Path, revision: int, old: Vectors, ids: list[str], keys: np.ndarray,
            scales: np.ndarray, matrix: np.ndarray) -> None:
    """Write ``old`` with rows for ``ids`` after its own, copying ``old``'s parts as they
    are (its ids are not read, its order takes the new ids by bisection): an import of a few
    articles into a large archive costs a copy of the file, not a rebuild of it."""
    from .model import NAME

    names = [article_id.encode() for article_id in ids]
    ends = np.cumsum([len(n) for n in names], dtype="<u8") + old.offsets[-1]
    first = len(old)
    ranked = sorted(range(len(ids)), key=names.__getitem__)
    places = [old.place(ids[n]) for n in ranked]
    order = np.insert(old.order, places, np.asarray(ranked, dtype="<u4") + first)
    _write_parts(gen, revision, NAME, first + len(ids), int(old.matrix.shape[1]), [
        old.keys, keys, old.offsets, ends, old.scales, scales, order, old.coarse,
        matrix[:, :COARSE], old.matrix, matrix, old.names,
        np.frombuffer(b"".join(names), dtype=np.uint8)])


def _write(gen: Path, revision: int, model: str, ids: list[str], keys: np.ndarray,
           scales: np.ndarray, matrix: np.ndarray) -> None:
    """Write the vector file whole beside the manifest, then rename it into place."""
    count = len(ids)
    names = [article_id.encode() for article_id in ids]
    offsets = np.zeros(count + 1, dtype="<u8")
    np.cumsum([len(n) for n in names], out=offsets[1:])
    order = np.asarray(sorted(range(count), key=names.__getitem__), dtype="<u4")
    _write_parts(gen, revision, model, count, int(matrix.shape[1]), [
        keys, offsets, scales, order, matrix[:, :COARSE], matrix,
        np.frombuffer(b"".join(names), dtype=np.uint8)])


def _write_parts(gen: Path, revision: int, model: str, count: int, dims: int,
                 parts: list[np.ndarray]) -> None:
    """Write the header, then ``parts`` one after the other (in the order of the file's
    sections, a section given in one or more arrays), to a temporary file renamed into
    place. Arrays are written as they are (no copy of the matrix as bytes)."""
    types = {"u": {8: "<u8", 4: "<u4", 1: np.uint8}, "f": {4: "<f4"}, "i": {1: np.int8}}
    body = [memoryview(np.ascontiguousarray(
        part, dtype=types[part.dtype.kind][part.dtype.itemsize]).reshape(-1).view(np.uint8))
        for part in parts]
    crc = 0
    for part in body:
        crc = zlib.crc32(part, crc)
    head = json.dumps({"model": model, "dims": dims, "count": count, "revision": revision,
                       "crc": crc}).encode()
    head += b" " * (_aligned(12 + len(head)) - 12 - len(head))
    target = gen / VECTORS
    # what a writer killed while writing left (the caller holds the write lock: no other
    # writer is at work)
    for left in gen.glob(f"{TMP_PREFIX}*-{VECTORS}"):
        left.unlink(missing_ok=True)
    tmp = gen / f"{TMP_PREFIX}{os.getpid()}-{VECTORS}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + struct.pack("<I", len(head)) + head)
            for part in body:
                fh.write(part)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def problem(gen: Path, manifest: Manifest) -> str | None:
    """Why ``gen``'s vectors do not match ``manifest``, in one line, or None when they do."""
    try:
        found = Vectors.open(gen)
        if found is not None and not found.intact():
            raise Damaged(f"{VECTORS} is damaged: its checksum does not match")
    except Damaged as exc:
        return f"{exc}; arch index computes the vectors again"
    want = expected(manifest)
    if found is None:
        return (f"no article vectors ({len(want)} articles); arch index computes them"
                if want else None)
    have = {a: int(found.keys[row]) for row, a in enumerate(found.ids)}
    stale = sum(1 for a, key in want.items() if have.get(a) != key)
    extra = sum(1 for a in have if a not in want)
    if stale or extra:
        return (f"the article vectors are behind the index ({stale} missing or stale, {extra} "
                "of articles gone); arch index updates them")
    return None


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN
