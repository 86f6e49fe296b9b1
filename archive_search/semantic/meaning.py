"""What related articles take from the vectors: the asked article's vector, its nearest
articles (candidates that may share no word with it) and each candidate's closeness in
meaning, on the scale the blend uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model import load
from .vectors import Damaged, Vectors

#: The highest floor used: a ``related.semantic_floor`` of 1 or more would leave no closeness
#: to measure (and divide by zero).
MAX_FLOOR = 0.99


@dataclass
class Meaning:
    """The asked article's vector and the archive's vectors, for one related call.

    ``floor`` is the cosine below which two articles count as unrelated in meaning (static
    word vectors of any two news stories have a cosine of 0.4 to 0.6): closeness is
    ``(cosine - floor) / (1 - floor)``, at least 0.
    """

    vectors: Vectors
    query: np.ndarray
    row: int | None
    floor: float
    cosine: dict[str, float] = field(default_factory=dict)

    @classmethod
    def open(cls, gen: Path | None, article_id: str | None, title: str, body: str,
             floor: float) -> tuple[Meaning | None, str | None]:
        """The meaning of an article (its stored vector, else one computed from its text) and
        the archive's vectors; or None and why, when the archive has none to compare with."""
        try:
            vectors = Vectors.open(gen) if gen is not None else None
        except Damaged as exc:
            return None, f"{exc}; related by shared words only (arch index repairs it)"
        if vectors is None or not len(vectors):
            return None, ("the archive has no article vectors yet; related by shared words "
                          "only (arch index computes them)")
        row = vectors.row(article_id) if article_id is not None else None
        if row is not None:
            query = vectors.vector(row)
            query /= max(float(np.linalg.norm(query)), 1e-9)
        else:
            query = load().embed([f"{title}\n{body}"])[0]
        return cls(vectors, query, row, floor), None

    def nearest(self, count: int) -> list[str]:
        """The ids of the ``count`` articles closest in meaning, closest first."""
        found = self.vectors.nearest(self.query, count, exclude=self.row)
        ids = [self.vectors.id(row) for row, _ in found]
        self.cosine.update(zip(ids, (c for _, c in found), strict=True))
        return ids

    def measure(self, article_ids: list[str]) -> None:
        """Compute the cosines of ``article_ids`` (those with a vector) in one pass."""
        rows = {a: self.vectors.row(a) for a in article_ids if a not in self.cosine}
        todo = {a: row for a, row in rows.items() if row is not None}
        if todo:
            found = self.vectors.cosines(self.query, todo.values())
            self.cosine.update({a: found[r] for a, r in todo.items()})

    def closeness(self, article_id: str) -> float | None:
        """How close in meaning ``article_id`` is, in [0, 1]; None when it has no vector."""
        cos = self.cosine.get(article_id)
        if cos is None:
            return None
        floor = min(self.floor, MAX_FLOOR)
        return min(max((cos - floor) / (1.0 - floor), 0.0), 1.0)
