"""`KioskController`: feeds `KioskMachine` from the session and a timer, and carries out its actions.

The machine decides; this object only translates: session signals and touches become machine
events (with the monotonic clock), and the actions it returns become signals for the window
(`modeChanged`, `sessionReset`) or calls on the session (reopen the source, restart the
pipeline). Presence comes from the pipeline's own result: a pose with at least one person.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.gui.frames import ViewFrame
from app.kiosk.machine import Action, KioskMachine, Mode, Timing
from app.kiosk.session import KioskSession

log = logging.getLogger(__name__)

TICK_MS = 100
"""How often timeouts are checked: the attract screen and the watchdog are at most this late."""

Clock = Callable[[], float]


class KioskController(QObject):
    modeChanged = Signal(object, str)
    """`Mode`, the reason it was entered."""
    sessionReset = Signal()

    def __init__(self, session: KioskSession, timing: Timing, source_spec: str, parent: QObject | None = None,
                 clock: Clock = time.monotonic) -> None:
        super().__init__(parent)
        self.session = session
        self.source_spec = source_spec
        self._clock = clock
        self.machine = KioskMachine(timing, clock())
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        session.frameReady.connect(self._on_frame)
        session.sourceOpened.connect(self._on_source_ok)
        session.sourceRecovered.connect(self._on_source_ok)
        session.sourceLost.connect(self._on_camera_lost)
        session.sourceFailed.connect(self._on_source_failed)
        session.pipelineReady.connect(self._on_pipeline_ready)
        session.pipelineFailed.connect(self._on_pipeline_failed)

    @property
    def mode(self) -> Mode:
        return self.machine.mode

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def touch(self) -> None:
        """A shopper touched the screen (or a key): the session goes on, the attract screen ends."""
        self._apply(self.machine.on_touch(self._clock()))

    def on_unexpected_error(self, message: str) -> None:
        """From the exception hook: restart the pipeline rather than the kiosk."""
        self._apply(self.machine.on_unexpected_error(self._clock(), message))

    @Slot(object)
    def _on_frame(self, frame: ViewFrame) -> None:
        person = bool(frame.result.perception.pose.people)
        self._apply(self.machine.on_result(self._clock(), person))

    @Slot()
    def _on_source_ok(self) -> None:  # opened(label, kind) and recovered(label): the arguments do not matter
        self._apply(self.machine.on_source_ok(self._clock()))

    @Slot(str)
    def _on_camera_lost(self, message: str) -> None:
        self._apply(self.machine.on_camera_lost(self._clock(), message))

    @Slot(str)
    def _on_source_failed(self, message: str) -> None:
        self._apply(self.machine.on_source_failed(self._clock(), message))

    @Slot()
    def _on_pipeline_ready(self) -> None:
        self._apply(self.machine.on_pipeline_ready(self._clock()))

    @Slot(str)
    def _on_pipeline_failed(self, message: str) -> None:
        self._apply(self.machine.on_pipeline_failed(self._clock(), message))

    def _tick(self) -> None:
        self._apply(self.machine.tick(self._clock()))

    def _apply(self, actions: list[Action]) -> None:
        for action in actions:
            if action is Action.SHOW_MODE:
                self.modeChanged.emit(self.machine.mode, self.machine.reason)
            elif action is Action.RESET_SESSION:
                self.sessionReset.emit()
            elif action is Action.REOPEN_SOURCE:
                self.session.open_source(self.source_spec)
            elif action is Action.RESTART_PIPELINE:
                self.session.restart_pipeline()
