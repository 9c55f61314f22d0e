"""A small progress bar on stderr for files and videos (silent when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_REDRAW_S = 0.2


class Progress:
    def __init__(self, total: int | None, label: str, stream: TextIO | None = None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.done = 0
        self._last_draw = 0.0
        self._start = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._last_draw >= _REDRAW_S or self.done == self.total):
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self._start, 1e-6)
        if self.total:
            filled = int(30 * self.done / self.total)
            bar = "#" * filled + "-" * (30 - filled)
            text = f"\r{self.label} [{bar}] {self.done}/{self.total} {rate:5.1f} fps"
        else:
            text = f"\r{self.label} {self.done} frames {rate:5.1f} fps"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
