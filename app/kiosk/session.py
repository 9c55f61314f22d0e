"""`KioskSession`: the desktop's `MirrorSession` plus what self-healing needs.

- `restart_pipeline()` replaces the inference thread even when the old one is stuck inside a
  frame. A stuck thread cannot be killed, and joining it would freeze the screen, so it is told
  to stop, left to finish its frame on its own (its results are already ignored: the session
  only relays its current threads) and joined at `stop()`.
- `reset_tracking()` makes the worker forget the last shopper's pose before the next frame.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QDeadlineTimer, QObject

from app.gui.capture_thread import RECONNECT_INTERVAL_S
from app.gui.inference import GarmentLoader, InferenceThread
from app.gui.session import MirrorSession, PipelineMaker, SourceFactory
from app.gui.threads import STOP_TIMEOUT_S

log = logging.getLogger(__name__)

RESTART_JOIN_MS = 300
"""How long a restart waits for the old worker before leaving it to finish alone."""


class KioskSession(MirrorSession):
    def __init__(self, open_source: SourceFactory, make_pipeline: PipelineMaker, load_garment: GarmentLoader,
                 parent: QObject | None = None, *, reconnect_interval_s: float = RECONNECT_INTERVAL_S) -> None:
        super().__init__(open_source, make_pipeline, load_garment, parent, reconnect_interval_s=reconnect_interval_s)
        self._abandoned: list[InferenceThread] = []

    @property
    def capture_running(self) -> bool:
        return self._capture is not None and self._capture.isRunning()

    @property
    def pipeline_running(self) -> bool:
        return self._inference is not None and self._inference.isRunning()

    def restart_pipeline(self) -> None:
        old, self._inference = self._inference, None
        if old is not None:
            old.request_stop()
            if not old.wait(QDeadlineTimer(RESTART_JOIN_MS)):
                log.warning("the old inference thread is busy; it ends on its own after its frame")
                self._abandoned.append(old)
        self._abandoned = [t for t in self._abandoned if t.isRunning()]
        self._start_inference()

    def reset_tracking(self) -> None:
        if self._inference is not None:
            self._inference.request_reset()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        ok = super().stop(timeout_s)
        for thread in self._abandoned:
            ok = thread.stop(timeout_s) and ok
        self._abandoned.clear()
        return ok
