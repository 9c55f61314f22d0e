"""`JobRunner`: short blocking jobs (saving a photo, importing a garment) off the GUI thread.

One worker thread runs the jobs in order; each job's callbacks run back on the GUI thread (the
result crosses through a queued signal), so the window never waits on a disk or on garment
analysis. A `LiveFitError` reaches `on_error` as its one-line message; anything else is a bug:
logged with its traceback and reported as such, never swallowed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from app.errors import LiveFitError

log = logging.getLogger(__name__)

T = TypeVar("T")


class JobRunner(QObject):
    _finished = Signal(int, object, str)  # job id, result, error message ("" when it worked)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._ids = itertools.count()
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[str], None]]] = {}
        self._finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def submit(self, job: Callable[[], T], on_done: Callable[[T], None], on_error: Callable[[str], None]) -> None:
        if self._executor is None:  # started lazily: no idle thread for a window that never saves
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._executor.submit(self._run, job_id, job)

    def _run(self, job_id: int, job: Callable[[], object]) -> None:
        try:
            result = job()
        except LiveFitError as error:
            self._finished.emit(job_id, None, str(error))
            return
        except Exception as error:  # noqa: BLE001 (a bug: keep the traceback, tell the user)
            log.exception("%s job failed", self._name)
            self._finished.emit(job_id, None, f"unexpected error: {error}")
            return
        self._finished.emit(job_id, result, "")

    @Slot(int, object, str)
    def _on_finished(self, job_id: int, result: object, error: str) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        if error:
            on_error(error)
        else:
            on_done(result)

    def shutdown(self) -> None:
        """Finish the jobs already submitted and end the worker thread (their callbacks are dropped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._callbacks.clear()
