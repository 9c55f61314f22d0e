"""`MirrorSession`: the capture and inference threads of one mirror, and their lifetimes.

    source ──► CaptureThread ──put──► LatestSlot ──take──► InferenceThread ──ViewFrame──► GUI
               (paces, reconnects)   (newest wins)        (owns FramePipeline)    (queued signal)

The session is the only object that starts and stops those threads. Changing the source
replaces the capture thread; changing the device replaces the inference thread (the garment
choice carries over). Signals from a thread that was already replaced are ignored, so a late
"camera lost" from the old camera cannot hide the new one. `stop()` ends both within
`STOP_TIMEOUT_S` and releases the camera.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from app.garments.model import Garment
from app.gui.capture_thread import RECONNECT_INTERVAL_S, CaptureThread
from app.gui.frames import CapturedFrame
from app.gui.inference import GarmentLoader, InferenceThread
from app.gui.latest import LatestSlot
from app.gui.threads import STOP_TIMEOUT_S, LoopThread
from app.pipeline.frame import FramePipeline
from app.sources.base import FrameSource
from models.session import Device

log = logging.getLogger(__name__)

SourceFactory = Callable[[str], FrameSource]
"""Opens a source from a spec ("demo", "0", a path); raises SourceError."""
PipelineMaker = Callable[[Device, bool], FramePipeline]
"""(device, overlapped) → a live pipeline; `overlapped`: built for `OverlappedFrames`."""


class MirrorSession(QObject):
    frameReady = Signal(object)  # ViewFrame
    sourceOpened = Signal(str, str)  # label, kind
    sourceFailed = Signal(str)
    sourceLost = Signal(str)
    sourceRecovered = Signal(str)
    sourceProblem = Signal(str)
    pipelineReady = Signal(str)  # device summary
    pipelineFailed = Signal(str)
    garmentChanged = Signal(object)  # id or None
    garmentFailed = Signal(str, str)  # id, reason
    frameFailed = Signal(str)

    def __init__(
        self,
        open_source: SourceFactory,
        make_pipeline: PipelineMaker,
        load_garment: GarmentLoader,
        parent: QObject | None = None,
        *,
        reconnect_interval_s: float = RECONNECT_INTERVAL_S,
    ) -> None:
        super().__init__(parent)
        self._reconnect_interval_s = reconnect_interval_s
        self._open_source = open_source
        self._make_pipeline = make_pipeline
        self._load_garment = load_garment
        self._slot: LatestSlot[CapturedFrame] = LatestSlot()
        self._capture: CaptureThread | None = None
        self._inference: InferenceThread | None = None
        self._garment_id: str | None = None
        self._preview: Garment | None = None
        self._mirror_print = False
        self.source_spec: str | None = None
        self.device: Device = "auto"
        self.overlap = True  # neighbouring frames overlapped (see InferenceThread)

    # --- public API -------------------------------------------------------------------------

    @property
    def garment_id(self) -> str | None:
        """The garment last asked for (the frames follow it within a frame or two)."""
        return self._garment_id

    def start(self, spec: str, device: Device, garment_id: str | None, overlap: bool = True) -> None:
        self.device = device
        self.overlap = overlap
        self._garment_id = garment_id
        self._start_inference()
        self.open_source(spec)

    def open_source(self, spec: str) -> None:
        """Replace the capture thread with one reading `spec`; results say how it went."""
        self._stop_capture()
        self.source_spec = spec
        self._slot.clear()
        if self._inference is not None:
            self._inference.request_reset()
        opener = self._open_source
        thread = CaptureThread(lambda: opener(spec), self._slot, reconnect_interval_s=self._reconnect_interval_s,
                               parent=self)
        thread.opened.connect(self._on_opened)
        thread.failed.connect(self._on_failed)
        thread.lost.connect(self._on_lost)
        thread.recovered.connect(self._on_recovered)
        thread.problem.connect(self._on_problem)
        thread.errored.connect(self._on_capture_errored)
        self._capture = thread
        thread.start()

    def set_device(self, device: Device) -> None:
        """Rebuild the pipeline on another device; capture goes on meanwhile."""
        self._rebuild_pipeline(device, self.overlap)

    def set_overlap(self, overlap: bool) -> None:
        """Rebuild the pipeline to overlap frames or not (its threads are shared out accordingly)."""
        self._rebuild_pipeline(self.device, overlap)

    def request_garment(self, garment_id: str | None) -> None:
        self._garment_id = garment_id
        self._preview = None
        if self._inference is not None:
            self._inference.request_garment(garment_id)

    def preview_garment(self, garment: Garment) -> None:
        """Show an edited, unsaved garment; `request_garment` goes back to the catalog's."""
        self._preview = garment
        if self._inference is not None:
            self._inference.preview_garment(garment)

    def set_mirror_print(self, on: bool) -> None:
        """Draw garments mirrored, so their print reads the right way round in a mirrored view
        (`FramePipeline.set_mirror_print`); carried over when the pipeline is replaced."""
        self._mirror_print = on
        if self._inference is not None:
            self._inference.set_mirror_print(on)

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """Stop both threads (together, so the waits overlap); True when both ended in time."""
        threads: list[LoopThread] = [t for t in (self._capture, self._inference) if t is not None]
        for thread in threads:
            thread.request_stop()
        ok = all([thread.stop(timeout_s) for thread in threads])
        self._capture = self._inference = None
        return ok

    def running(self) -> bool:
        return any(t is not None and t.isRunning() for t in (self._capture, self._inference))

    # --- thread management ------------------------------------------------------------------

    def _start_inference(self) -> None:
        device, overlap = self.device, self.overlap
        make = self._make_pipeline
        thread = InferenceThread(lambda: make(device, overlap), self._load_garment, self._slot, parent=self)
        thread.ready.connect(self._on_ready)
        thread.resultReady.connect(self._on_result)
        thread.garmentChanged.connect(self._on_garment_changed)
        thread.garmentFailed.connect(self._on_garment_failed)
        thread.frameFailed.connect(self._on_frame_failed)
        thread.errored.connect(self._on_inference_errored)
        if self._preview is not None:
            thread.preview_garment(self._preview)
        else:
            thread.request_garment(self._garment_id)
        thread.set_mirror_print(self._mirror_print)
        self._inference = thread
        thread.start()

    def _rebuild_pipeline(self, device: Device, overlap: bool) -> None:
        if (device, overlap) == (self.device, self.overlap) and self._inference is not None \
                and self._inference.isRunning():
            return
        self.device, self.overlap = device, overlap
        self._stop_inference()
        self._start_inference()

    def _stop_capture(self) -> None:
        if self._capture is not None:
            self._capture.stop()
            self._capture = None

    def _stop_inference(self) -> None:
        if self._inference is not None:
            self._inference.stop()
            self._inference = None

    def _from_capture(self) -> bool:
        return self._capture is not None and self.sender() is self._capture

    def _from_inference(self) -> bool:
        return self._inference is not None and self.sender() is self._inference

    # --- relays (ignore what a replaced thread still had in flight) --------------------------

    @Slot(str, str)
    def _on_opened(self, label: str, kind: str) -> None:
        if self._from_capture():
            self.sourceOpened.emit(label, kind)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._from_capture():
            self.sourceFailed.emit(message)

    @Slot(str)
    def _on_lost(self, message: str) -> None:
        if self._from_capture():
            self.sourceLost.emit(message)

    @Slot(str)
    def _on_recovered(self, label: str) -> None:
        if self._from_capture():
            self.sourceRecovered.emit(label)

    @Slot(str)
    def _on_problem(self, message: str) -> None:
        if self._from_capture():
            self.sourceProblem.emit(message)

    @Slot(str)
    def _on_capture_errored(self, message: str) -> None:
        if self._from_capture():
            self.sourceFailed.emit(message)

    @Slot(str)
    def _on_ready(self, device: str) -> None:
        if self._from_inference():
            self.pipelineReady.emit(device)

    @Slot(object)
    def _on_result(self, frame: object) -> None:
        if self._from_inference():
            self.frameReady.emit(frame)

    @Slot(object)
    def _on_garment_changed(self, garment_id: object) -> None:
        if self._from_inference():
            self.garmentChanged.emit(garment_id)

    @Slot(str, str)
    def _on_garment_failed(self, garment_id: str, message: str) -> None:
        if self._from_inference():
            self.garmentFailed.emit(garment_id, message)

    @Slot(str)
    def _on_frame_failed(self, message: str) -> None:
        if self._from_inference():
            self.frameFailed.emit(message)

    @Slot(str)
    def _on_inference_errored(self, message: str) -> None:
        if self._from_inference():
            self.pipelineFailed.emit(message)
