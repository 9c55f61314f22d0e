"""`LoopThread`: the base of LiveFit's long-running QThreads (capture, inference).

The shape follows Qt's mandelbrot example: the loop polls a stop flag, every blocking wait in it
has a short timeout or is woken by `request_stop`, and `stop()` asks and then joins. Errors
are emitted (`errored`, superqt's vocabulary), never swallowed: an exception escaping `loop()`
is logged with its traceback and reported, and the thread ends cleanly.

`running_threads()` lists the loop threads still running; the test suite uses it to fail tests
that leave a thread behind.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import ClassVar

from PySide6.QtCore import QDeadlineTimer, QObject, QThread, Signal

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 2.0
"""How long `stop()` waits for the loop to finish (the window must close within 2 s)."""
STOP_GRACE_S = 5.0
"""Extra wait for a loop stuck in a blocking call (a camera read times out after 2 s): a slow
close is better than destroying a running QThread, which aborts the process."""


class LoopThread(QThread):
    errored = Signal(str)
    """One line for the user: the loop ended because of an unexpected error."""

    _instances: ClassVar[weakref.WeakSet[LoopThread]] = weakref.WeakSet()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._stop_event = threading.Event()
        LoopThread._instances.add(self)

    @classmethod
    def running_threads(cls) -> list[LoopThread]:
        return [thread for thread in list(cls._instances) if thread.isRunning()]

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def wait_or_stop(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking at once when asked to stop; True when stopping."""
        return self._stop_event.wait(max(0.0, seconds))

    def request_stop(self) -> None:
        """Ask the loop to end (returns at once); subclasses also wake what their loop waits on."""
        self._stop_event.set()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """Ask the loop to end and join it; False when it did not finish within `timeout_s`."""
        self.request_stop()
        if not self.isRunning():
            return True
        if self.wait(QDeadlineTimer(int(timeout_s * 1000))):
            return True
        log.error("%s thread did not stop within %.1f s; waiting %.0f s more", self.objectName(), timeout_s,
                  STOP_GRACE_S)
        self.wait(QDeadlineTimer(int(STOP_GRACE_S * 1000)))
        return False

    def run(self) -> None:
        threading.current_thread().name = self.objectName()  # log lines say [capture], [inference]
        try:
            self.loop()
        except Exception as error:  # noqa: BLE001 (the thread's last resort: report, never die silently)
            log.exception("%s thread failed", self.objectName())
            self.errored.emit(f"{self.objectName()} stopped: {error}")

    def loop(self) -> None:
        raise NotImplementedError
