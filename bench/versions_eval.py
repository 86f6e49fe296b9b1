"""Where to draw the line between a revised story and a different one (``SAME_STORY``).

Reuters-21578 has many stories sent more than once under one headline: re-sends, corrections,
expanded versions, tables updated during the day, and different stories that merely share a
headline (lists of SEC filings, market reports). This prints, for every pair of stories with the
same normalised title and other text, the share of the shorter body's word 3-shingles that the
other has (:func:`archive_search.article.story_overlap`), split by same day (what an id derived
from title, date and source would put under one id) and other days, plus the corrections
("CORRECTED - …") paired with the story they correct, and the same-day pairs nearest the line.

    python3 bench/versions_eval.py [../shared/corpora/reuters21578]
"""

from __future__ import annotations

import collections
import itertools
import re
import sys
from pathlib import Path

from archive_search.article import SAME_STORY, Article, normalize_text, story_overlap
from archive_search.importers import ImportOptions, expand_inputs, importer

_REVISION = re.compile(r"^(CORRECTED|CORRECTION|REFILE|REPEAT|UPDATE)\s*\d*\s*-\s*", re.I)


def load(folder: Path) -> list[Article]:
    files = sorted(str(p) for p in folder.glob("reut2-*.sgm.gz"))
    return [
        a for item in expand_inputs(files)
        for a in importer("reuters").read(item.source, ImportOptions())
        if isinstance(a, Article)
    ]


def main(folder: Path) -> None:
    articles = load(folder)
    by_title: dict[str, list[Article]] = collections.defaultdict(list)
    for a in articles:
        if a.title:
            by_title[normalize_text(a.title)].append(a)
    same_day, other_day = [], []
    for group in by_title.values():
        for a, b in itertools.combinations(group, 2):
            if a.fingerprint() == b.fingerprint() or not (a.date and b.date):
                continue
            pair = (story_overlap(a.body, b.body), a.title[:56], a.id, b.id)
            (same_day if a.date[:10] == b.date[:10] else other_day).append(pair)
    print(f"{len(articles)} stories; line SAME_STORY = {SAME_STORY}")
    for name, pairs in (("same title and day", same_day), ("same title, other day", other_day)):
        print(f"\n{name}, other text: {len(pairs)} pairs")
        for line in (0.4, 0.5, SAME_STORY, 0.7, 0.8):
            above = sum(1 for p in pairs if p[0] >= line)
            print(f"  overlap >= {line:.2f}: {above:4d} ({above / max(len(pairs), 1):.0%})")
    print("\ncorrections and the story they correct (within three days):")
    for a in articles:
        if not _REVISION.match(a.title):
            continue
        for b in by_title.get(normalize_text(_REVISION.sub("", a.title)), []):
            if b.date and a.date and b.fingerprint() != a.fingerprint():
                print(f"  {story_overlap(a.body, b.body):.2f}  {b.id} -> {a.id}  {a.title[:56]}")
    print("\nsame-day pairs nearest the line:")
    for overlap, title, a_id, b_id in sorted(same_day):
        if abs(overlap - SAME_STORY) <= 0.1:
            print(f"  {overlap:.2f}  {a_id} {b_id}  {title}")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
