"""`InferenceThread`: owns the `FramePipeline` and always processes the newest captured frame.

The pipeline is built inside the thread (loading the models takes a moment; the window is up
meanwhile) and is only ever touched from it: garment changes from the GUI are stored under a
lock and applied between frames, so a click never races a frame in progress. Each result goes
to the GUI as a frozen `ViewFrame` through a queued signal. A pipeline built `overlapped` runs
through `OverlappedFrames`: this thread poses each frame while a worker of its own parses and
renders the one before and sends its result; changes wait until that worker has delivered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.errors import GarmentError, LiveFitError
from app.garments.model import Garment
from app.gui.frames import CapturedFrame, ViewFrame, freeze
from app.gui.latest import LatestSlot
from app.gui.threads import LoopThread
from app.pipeline.frame import FramePipeline, FrameResult
from app.pipeline.overlap import OverlappedFrames

log = logging.getLogger(__name__)

PipelineFactory = Callable[[], FramePipeline]
GarmentLoader = Callable[[str], Garment]

TAKE_TIMEOUT_S = 0.05
"""How long one wait for a frame lasts; bounds how late a stop or a garment change is noticed."""
NEXT_FRAME_FRACTION = 0.25
"""When the next frame is due within this share of the frame interval, wait for it rather than
process one that is almost an interval old (see `LatestSlot.take`); None turns it off."""
FAILURE_REPORT_INTERVAL_S = 5.0
"""A frame that fails again and again is reported at most this often (log and window)."""


@dataclass(frozen=True)
class _GarmentRequest:
    garment_id: str | None
    garment: Garment | None  # an edited garment to preview, not (yet) in the catalog


class InferenceThread(LoopThread):
    ready = Signal(str)
    """The pipeline is loaded; its device summary ("cpu", "cuda", "cuda+cpu")."""
    resultReady = Signal(object)
    """A `ViewFrame`."""
    garmentChanged = Signal(object)
    """The garment id (or None) every following frame is rendered with."""
    garmentFailed = Signal(str, str)
    """garment id, one-line reason: the garment could not be loaded; the previous one stays."""
    frameFailed = Signal(str)
    """A frame could not be processed (rate-limited); the loop goes on with the next."""

    def __init__(
        self,
        make_pipeline: PipelineFactory,
        load_garment: GarmentLoader,
        slot: LatestSlot[CapturedFrame],
        parent: QObject | None = None,
    ) -> None:
        super().__init__("inference", parent)
        self._make_pipeline = make_pipeline
        self._load_garment = load_garment
        self._slot = slot
        self._lock = threading.Lock()
        self._pending: _GarmentRequest | None = None
        self._reset_requested = False
        self._mirror_print: bool | None = None  # a change not yet handed to the pipeline
        self._last_failure_report = -FAILURE_REPORT_INTERVAL_S
        self._device = ""  # the pipeline's device summary, once it is built

    def request_garment(self, garment_id: str | None) -> None:
        """Render with this catalog garment (None: none) from the next frame on."""
        with self._lock:
            self._pending = _GarmentRequest(garment_id, None)

    def preview_garment(self, garment: Garment) -> None:
        """Render with an edited garment that has not been saved."""
        with self._lock:
            self._pending = _GarmentRequest(garment.id, garment)

    def set_mirror_print(self, on: bool) -> None:
        """Draw garments mirrored (`FramePipeline.set_mirror_print`) from the next frame on."""
        with self._lock:
            self._mirror_print = on

    def request_reset(self) -> None:
        """Forget tracking state before the next frame (another source)."""
        with self._lock:
            self._reset_requested = True

    def loop(self) -> None:
        try:
            pipeline = self._make_pipeline()
        except LiveFitError as error:
            log.error("cannot start the pipeline: %s", error)
            self.errored.emit(str(error))
            return
        self._device = pipeline.device_summary
        overlapped = OverlappedFrames(pipeline, self._deliver, self._report_failure) if pipeline.overlapped else None
        try:
            log.info("pipeline ready on %s%s", pipeline.device_summary,
                     ", each frame's pose beside the previous frame's render" if overlapped else "")
            self.ready.emit(pipeline.device_summary)
            epoch: int | None = None
            while not self.stopping:
                self._apply_requests(pipeline, overlapped)
                interval = self._slot.interval_s
                frame = self._slot.take(TAKE_TIMEOUT_S, NEXT_FRAME_FRACTION * interval
                                        if interval and NEXT_FRAME_FRACTION is not None else None)
                if frame is None or self.stopping:
                    continue
                self._apply_requests(pipeline, overlapped)
                if frame.epoch != epoch:
                    if overlapped is not None:
                        overlapped.drain()
                    pipeline.reset()
                    epoch = frame.epoch
                self._process(pipeline, overlapped, frame)
        finally:
            if overlapped is not None:
                overlapped.close()
            pipeline.close()

    def _apply_requests(self, pipeline: FramePipeline, overlapped: OverlappedFrames | None) -> None:
        with self._lock:
            request, self._pending = self._pending, None
            reset, self._reset_requested = self._reset_requested, False
            mirror_print, self._mirror_print = self._mirror_print, None
        if overlapped is not None and (request is not None or reset or mirror_print is not None):
            overlapped.drain()  # the renderer is the worker's until its frame is delivered
        if reset:
            pipeline.reset()
        if mirror_print is not None:
            pipeline.set_mirror_print(mirror_print)
        if request is None:
            return
        garment = request.garment
        if garment is None and request.garment_id is not None:
            try:
                garment = self._load_garment(request.garment_id)
            except GarmentError as error:
                log.warning("cannot load garment %r: %s", request.garment_id, error)
                self.garmentFailed.emit(request.garment_id, str(error))
                return
        pipeline.set_garment(garment)
        self.garmentChanged.emit(garment.id if garment is not None else None)

    def _process(self, pipeline: FramePipeline, overlapped: OverlappedFrames | None, frame: CapturedFrame) -> None:
        try:
            if overlapped is not None:
                overlapped.push(frame.image, frame.timestamp_s, frame)  # delivered by its worker
                return
            result = pipeline.process(frame.image, frame.timestamp_s)
        except Exception as error:  # noqa: BLE001 (one bad frame must not end the mirror; reported below)
            self._report_failure(error, frame)
            return
        self._deliver(result, frame)

    def _report_failure(self, error: Exception, frame: CapturedFrame) -> None:
        now = time.monotonic()
        if now - self._last_failure_report >= FAILURE_REPORT_INTERVAL_S:
            self._last_failure_report = now
            log.error("frame %d of %s could not be processed", frame.index, frame.source_label, exc_info=error)
            self.frameFailed.emit(f"a frame could not be processed: {error}")

    def _deliver(self, result: FrameResult, frame: CapturedFrame) -> None:
        freeze(result.output)
        self.resultReady.emit(ViewFrame(
            result=result,
            frame=frame,
            processed_at=time.perf_counter(),
            dropped_total=self._slot.dropped,
            device=self._device,
        ))
