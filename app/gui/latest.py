"""`LatestSlot`: a one-item mailbox between two threads where the newest item always wins.

The capture thread `put`s every frame; the inference thread `take`s whatever is newest when it
is free. A frame replaced before anyone took it is dropped and counted, so a pipeline slower
than the camera never builds up a queue (and latency) behind it.

`take(..., next_within_s=...)` trims latency when the pipeline is about as slow as the camera:
if the next frame is due within that many seconds, the taker waits for it instead of taking a
frame that is nearly one interval old. A few idle milliseconds buy a picture up to one frame
interval younger; frames the pipeline has time for are never skipped for it. Pure Python
threading, no Qt: the same object works in tests.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

T = TypeVar("T")

INTERVAL_SMOOTHING = 0.1
"""Weight of the newest gap in the running estimate of the time between puts."""
MAX_INTERVAL_S = 0.2
"""Gaps longer than this (a paused source, a reconnect) do not count as the frame interval."""


class LatestSlot(Generic[T]):
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._item: T | None = None
        self._put_at = 0.0
        self._serial = 0
        self._interval_s: float | None = None
        self._dropped = 0

    @property
    def dropped(self) -> int:
        """Items replaced before they were taken, since the slot was made."""
        with self._condition:
            return self._dropped

    @property
    def interval_s(self) -> float | None:
        """Running estimate of the time between puts (None until two puts were seen)."""
        with self._condition:
            return self._interval_s

    def put(self, item: T) -> None:
        now = time.perf_counter()
        with self._condition:
            if self._item is not None:
                self._dropped += 1
            if self._serial and 0.0 < now - self._put_at < MAX_INTERVAL_S:
                gap = now - self._put_at
                self._interval_s = gap if self._interval_s is None else (
                    (1 - INTERVAL_SMOOTHING) * self._interval_s + INTERVAL_SMOOTHING * gap)
            self._item = item
            self._put_at = now
            self._serial += 1
            self._condition.notify()

    def take(self, timeout_s: float, next_within_s: float | None = None) -> T | None:
        """The newest item (emptying the slot), or None after `timeout_s`.

        With `next_within_s`: when the next item is expected (one running interval after the
        last put) within that time, wait for it, at most twice that long, and take it instead.
        Callers wait in short slices and check their own stop flag in between.
        """
        with self._condition:
            if not self._condition.wait_for(lambda: self._item is not None, timeout_s):
                return None
            if next_within_s is not None and self._interval_s is not None:
                due_in = self._interval_s - (time.perf_counter() - self._put_at)
                if 0.0 < due_in <= next_within_s:
                    serial = self._serial
                    self._condition.wait_for(lambda: self._serial != serial, 2 * next_within_s)
            item, self._item = self._item, None
            return item

    def clear(self) -> None:
        """Forget a waiting item without counting it as dropped (the source changed)."""
        with self._condition:
            self._item = None
