"""A one-line progress counter on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .output import unfiltered


class Progress:
    """``label: 1,200/21,578 (850/s)`` rewritten in place at most ten times a second.

    Silent when the stream is not a TTY (pipes, CI logs, tests), so scripts see only the
    final summary lines.
    """

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.count = 0
        # the progress line is arch's own: it goes past the filter that makes messages safe
        # for a terminal, for its carriage return and erase-line sequence
        self.stream = unfiltered(stream or sys.stderr)
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._shown = 0.0

    def __call__(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if self.enabled and now - self._shown >= 0.1:
            self._shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.count / max(now - self.started, 1e-6)
        total = f"/{self.total:,}" if self.total else ""
        self.stream.write(f"\r{self.label}: {self.count:,}{total} ({rate:,.0f}/s)\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.count:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
