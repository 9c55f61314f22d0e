"""`KioskMachine`: what the kiosk shows and when it resets or retries — pure logic, no Qt.

    STARTING ──first result──► LIVE ◄──person / touch──► ATTRACT
        │                       │   ──nobody for idle_s──►   │
        └──── camera lost, source failed, pipeline failed, no result for stall_s ────┐
                                                                                     ▼
                                     OUT_OF_ORDER ──retries (retry_s, doubling)── results flow again ──► LIVE / ATTRACT

Fed with events and the monotonic clock by `KioskController`, it answers with `Action`s for
the controller to carry out. Keeping time as an argument makes every timeout testable in
microseconds, without a window or a camera.

- Presence is the pipeline's own pose result: `PRESENCE_FRAMES` results in a row with a person
  count as "someone is here" (one stray detection does not wake the attract screen).
- A session is "dirty" once anybody was seen or touched the screen. It is reset (garment back
  to the default, photos dropped) after `reset_s` with nobody in view and no touch, and on
  entering the attract screen, so the next shopper never sees the last one's choices.
- Out of order: the capture thread reconnects a lost camera on its own; the machine asks to
  reopen a source that failed to open, and to restart the pipeline when the camera is fine but
  no result has come for `stall_s`. Retries back off from `retry_s` to `MAX_RETRY_S`. Recovery
  needs `RECOVERY_RESULTS` fresh results with the camera up, so a frame still in flight when
  the camera went away does not end the outage.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

PRESENCE_FRAMES = 2
RECOVERY_RESULTS = 3
MAX_RETRY_S = 60.0
STARTUP_GRACE_S = 45.0
"""Loading the models on a slow PC takes a while; only then is a missing result a stall."""


class Mode(enum.Enum):
    STARTING = "starting"
    LIVE = "live"
    ATTRACT = "attract"
    OUT_OF_ORDER = "out_of_order"


class Action(enum.Enum):
    SHOW_MODE = "show_mode"
    """`mode` changed: show its screen."""
    RESET_SESSION = "reset_session"
    REOPEN_SOURCE = "reopen_source"
    RESTART_PIPELINE = "restart_pipeline"


@dataclass(frozen=True)
class Timing:
    idle_s: float
    reset_s: float
    stall_s: float
    retry_s: float
    startup_s: float = STARTUP_GRACE_S
    max_retry_s: float = MAX_RETRY_S


class KioskMachine:
    def __init__(self, timing: Timing, now: float) -> None:
        self.timing = timing
        self.mode = Mode.STARTING
        self.reason = "starting"
        """Why the current mode was entered (logged, and shown to staff on the out-of-order screen)."""
        self.started_at = now
        self.last_result: float | None = None
        self.last_presence = now
        self.last_touch = now
        self.dirty = False
        self.camera_ok = False
        self.reopen_needed = False
        self.restarts = 0
        self.outages = 0
        self._present_run = 0
        self._fresh_results = 0
        self._retry_delay = timing.retry_s
        self._next_retry = now
        self._last_restart = float("-inf")
        self._loading_since: float | None = now
        self._ready_at = float("-inf")
        """When the pipeline (re)started loading its models; None once it said it is ready."""

    # --- events ------------------------------------------------------------------------------

    def on_result(self, now: float, person: bool) -> list[Action]:
        self.last_result = now
        self._present_run = self._present_run + 1 if person else 0
        present = self._present_run >= PRESENCE_FRAMES
        if present:
            self.last_presence = now
            self.dirty = True
        if self.mode is Mode.OUT_OF_ORDER:
            if not self.camera_ok:
                return []
            self._fresh_results += 1
            if self._fresh_results < RECOVERY_RESULTS:
                return []
            self._retry_delay = self.timing.retry_s
            log.info("kiosk recovered after: %s", self.reason)
            idle = now - self._last_activity() >= self.timing.idle_s
            return self._enter(Mode.ATTRACT if idle else Mode.LIVE, "recovered")
        if self.mode is Mode.STARTING:
            # The idle clock starts with the first picture: the seconds the models took to load
            # were nobody-in-view too, and the mirror flashed its attract screen before the
            # second frame (a kiosk test caught it on a slow host).
            self.last_presence = max(self.last_presence, now)
            return self._enter(Mode.LIVE, "first frame")
        if self.mode is Mode.ATTRACT and present:
            return self._enter(Mode.LIVE, "person in view")
        return []

    def on_touch(self, now: float) -> list[Action]:
        """Any tap or key a shopper may use; it keeps the session going."""
        self.last_touch = now
        self.dirty = True
        if self.mode is Mode.ATTRACT:
            return self._enter(Mode.LIVE, "touched")
        return []

    def on_source_ok(self, now: float) -> list[Action]:
        """The source opened or a lost camera answers again (results still have to flow)."""
        self.camera_ok = True
        self.reopen_needed = False
        return []

    def on_camera_lost(self, now: float, message: str) -> list[Action]:
        """The capture thread reconnects on its own; show that the kiosk knows."""
        self.camera_ok = False
        return self._out_of_order(now, f"camera lost: {message}")

    def on_source_failed(self, now: float, message: str) -> list[Action]:
        """The source could not be opened; its thread has ended, so retries must reopen it."""
        self.camera_ok = False
        self.reopen_needed = True
        return self._out_of_order(now, f"camera not available: {message}")

    def on_pipeline_ready(self, now: float) -> list[Action]:
        self._loading_since = None
        self._ready_at = now
        return []

    def on_pipeline_failed(self, now: float, message: str) -> list[Action]:
        self._loading_since = None  # it ended: a retry may restart it at once
        return self._out_of_order(now, f"pipeline failed: {message}")

    def on_unexpected_error(self, now: float, message: str) -> list[Action]:
        """An exception nobody handled: restart the pipeline (not the kiosk), at most once per retry_s."""
        if now - self._last_restart < self.timing.retry_s:
            return []
        return self._restart(now, f"unexpected error: {message}")

    def tick(self, now: float) -> list[Action]:
        if self.mode is Mode.OUT_OF_ORDER:
            return self._retry(now)
        stalled_since = self.last_result if self.last_result is not None else self.started_at
        limit = self.timing.stall_s if self.last_result is not None else self.timing.startup_s
        if now - stalled_since > limit:
            return self._out_of_order(now, f"no picture for {now - stalled_since:.1f} s")
        actions: list[Action] = []
        inactive_s = now - self._last_activity()
        if self.mode is Mode.LIVE and inactive_s >= self.timing.idle_s:
            actions += self._enter(Mode.ATTRACT, f"nobody in view for {inactive_s:.0f} s")
        if self.dirty and inactive_s >= self.timing.reset_s:
            actions += self._reset("inactivity")
        return actions

    # --- helpers -----------------------------------------------------------------------------

    def _last_activity(self) -> float:
        return max(self.last_presence, self.last_touch)

    def _enter(self, mode: Mode, reason: str) -> list[Action]:
        previous, self.mode, self.reason = self.mode, mode, reason
        log.info("kiosk: %s -> %s (%s)", previous.value, mode.value, reason)
        actions = [Action.SHOW_MODE]
        if mode is Mode.ATTRACT and self.dirty:
            actions += self._reset("attract screen")
        return actions

    def _reset(self, why: str) -> list[Action]:
        self.dirty = False
        log.info("kiosk: session reset (%s)", why)
        return [Action.RESET_SESSION]

    def _out_of_order(self, now: float, reason: str) -> list[Action]:
        self._fresh_results = 0
        if self.mode is Mode.OUT_OF_ORDER:
            self.reason = reason
            return []
        self.outages += 1
        self._retry_delay = self.timing.retry_s
        self._next_retry = now + self._retry_delay
        log.warning("kiosk out of order: %s", reason)
        return self._enter(Mode.OUT_OF_ORDER, reason)

    def _retry(self, now: float) -> list[Action]:
        if now < self._next_retry:
            return []
        self._retry_delay = min(2 * self._retry_delay, self.timing.max_retry_s)
        self._next_retry = now + self._retry_delay
        if self.reopen_needed:
            log.info("kiosk: reopening the source (next try in %.0f s)", self._retry_delay)
            return [Action.REOPEN_SOURCE]
        # A pipeline that just (re)started gets stall_s from being ready to deliver its first result.
        progress = max(self._ready_at, self.last_result if self.last_result is not None else float("-inf"))
        stalled = now - progress > self.timing.stall_s
        loading = self._loading_since is not None and now - self._loading_since < self.timing.startup_s
        if self.camera_ok and stalled and not loading:
            return self._restart(now, self.reason)
        return []  # the capture thread is reconnecting the camera itself

    def _restart(self, now: float, why: str) -> list[Action]:
        self._last_restart = now
        self._loading_since = now
        self.restarts += 1
        log.warning("kiosk: restarting the pipeline (restart %d): %s", self.restarts, why)
        return [Action.RESTART_PIPELINE]
