"""`OverlappedFrames`: a live stream's frames through a `FramePipeline` on two threads at once
(three on many cores).

A frame's work is two halves: `locate` (the pose models, whose onnxruntime run releases the
GIL) and `finish` (the parse, fit, warp and composition, mostly Python and OpenCV). One after the
other on a 2-core machine, the second core idles through much of each frame: the pose model
scales to two threads only in part, and the rest is largely one thread. Here the caller's thread
locates frame N while a worker thread finishes frame N−1 — the schedule of a mediapipe graph,
whose calculators work on neighbouring frames at once. Beside a finish the pose models get every
core but one (`FramePipeline(overlapped=True)`): with both, their threads and the worker fought
over the two cores and frames came slower than one at a time (46 ms apart against 42). With the
worker idle they get every core, so frames that do not queue come out as soon as one at a time.
A frame's result is handed over by the worker when its `finish` ends: it waits for no later frame.

Results are the same pictures, in the same order, as `FramePipeline.process` frame by frame
(tested): the pose tracker serves only `locate`, the parser and the renderer only `finish`, and
at most one frame is being finished while the next is located. What changes is the schedule:
on 2 busy cores and the demo, a frame every 32–35 ms instead of every 40–43, each coming out
62–68 ms after it went in instead of 40–43 (`bench --overlap` beside a plain `bench`; README,
Devices).

On many cores (`FramePipeline.split_finish`) the finish is itself two stages on two workers, the
parse (`label`) and the render, each touching only its own state. They gain less than their
share, since most of their work holds Python's interpreter lock: on an H200 machine's 16 cores,
CUDA, a frame every 16.1–17.0 ms split against 17.6–18.5 on one worker (19–20.5 one at a time).
On CUDA every thread's device runs take turns (`models.session.device_run`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

import numpy as np

from app.pipeline.frame import Begun, FramePipeline, FrameResult, Labelled

Tag = TypeVar("Tag")


class OverlappedFrames(Generic[Tag]):
    """`push` frames in order; each one's result goes to `deliver(result, tag)`, or its error to
    `failed(error, tag)`, on a worker thread, in push order. `tag` is the caller's own record of
    the frame (the GUI's captured frame). Call `drain()` before changing the pipeline (garment,
    reset), and `close()` when done (the pipeline stays the caller's to close).

    Where the pipeline says `split_finish` (many cores), the finish runs as two stages on two
    workers: frame N−1's parse beside frame N−2's render, beside frame N's pose here."""

    def __init__(self, pipeline: FramePipeline, deliver: Callable[[FrameResult, Tag], None],
                 failed: Callable[[Exception, Tag], None]):
        if not pipeline.overlapped:
            raise ValueError("build the pipeline with overlapped=True: its threads are shared out for it")
        self.pipeline = pipeline
        self._deliver = deliver
        self._failed = failed
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="finish-frames")
        self._render_worker = (ThreadPoolExecutor(1, thread_name_prefix="render-frames") if pipeline.split_finish
                               else None)
        self._in_flight: Future | None = None  # the frame being finished (split: being labelled)
        self._rendering: Future | None = None  # split only: the frame being rendered, set by the worker
        self._lock = threading.Lock()  # one push at a time, and no push during a drain

    def push(self, frame_bgr: np.ndarray, timestamp_s: float | None, tag: Tag) -> None:
        """Locate this frame here, beside the previous frames' finish, then queue its own finish.
        Raises what locating raises, or what a handler raised for a frame before (this frame is
        then dropped); a finish's own error goes to `failed`."""
        with self._lock:
            # With the workers idle (frames come slower than they are finished), nothing will run
            # beside this frame's pose: it may use every core, and comes out no later than one
            # frame at a time would.
            idle = all(future is None or future.done() for future in (self._in_flight, self._rendering))
            begun = self.pipeline.locate(frame_bgr, timestamp_s, alone=idle)
            self._wait()  # one frame finishing at a time: a slow finish must not build a queue
            if self._render_worker is None:
                self._in_flight = self._worker.submit(self._hand_over, self.pipeline.finish, begun, tag)
            else:
                self._in_flight = self._worker.submit(self._label, begun, tag)

    def drain(self) -> None:
        """Wait until every frame pushed has been delivered."""
        with self._lock:
            self._wait()  # the labelling stage is idle after this, so `_rendering` is ours to read
            self._wait_rendering()

    def close(self) -> None:
        """Drain (raising what a handler raised), then stop the workers."""
        try:
            self.drain()
        finally:
            self._worker.shutdown(wait=True)
            if self._render_worker is not None:
                self._render_worker.shutdown(wait=True)

    def _wait(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.result()  # the stages hand their errors to `failed`: this only waits (or re-raises a handler's)

    def _wait_rendering(self) -> None:
        rendering, self._rendering = self._rendering, None
        if rendering is not None:
            rendering.result()

    def _attempt(self, work: Callable[[Begun | Labelled], FrameResult | Labelled], item: Begun | Labelled,
                 tag: Tag) -> FrameResult | Labelled | None:
        """On a worker: `work(item)`, or None with its error handed to `failed`."""
        try:
            return work(item)
        except Exception as error:  # noqa: BLE001 (handed to the caller's handler, as process() would raise it)
            self._failed(error, tag)
            return None

    def _hand_over(self, work: Callable[[Begun | Labelled], FrameResult], item: Begun | Labelled, tag: Tag) -> None:
        """On a worker: `work(item)`'s result to `deliver`, or its error to `failed`."""
        result = self._attempt(work, item, tag)
        if result is not None:
            self._deliver(result, tag)

    def _label(self, begun: Begun, tag: Tag) -> None:
        """The split finish's first stage, on the worker: the parse, then the render queued."""
        labelled = self._attempt(self.pipeline.label, begun, tag)
        if labelled is None:
            return
        self._wait_rendering()  # one frame rendering at a time, in order: no queue builds here either
        self._rendering = self._render_worker.submit(self._hand_over, self.pipeline.render, labelled, tag)


def _reraise(error: Exception, tag: object) -> None:
    raise error


def each_frame(pipeline: FramePipeline, frames: Iterable[tuple[np.ndarray, float | None, Tag]],
               deliver: Callable[[FrameResult, Tag], None],
               failed: Callable[[Exception, Tag], None] = _reraise) -> None:
    """Every (frame_bgr, timestamp_s, tag) of `frames` through `pipeline`, results to `deliver` in
    order: overlapped where the pipeline was built for it, else one at a time on this thread. By
    default a frame's error ends the run, raised here (from the next push, when overlapped)."""
    if not pipeline.overlapped:
        for frame_bgr, timestamp_s, tag in frames:
            try:
                result = pipeline.process(frame_bgr, timestamp_s)
            except Exception as error:  # noqa: BLE001 (the caller's handler decides, as when overlapped)
                failed(error, tag)
                continue
            deliver(result, tag)
        return
    overlapped = OverlappedFrames(pipeline, deliver, failed)
    try:
        for frame_bgr, timestamp_s, tag in frames:
            overlapped.push(frame_bgr, timestamp_s, tag)
    finally:
        overlapped.close()
