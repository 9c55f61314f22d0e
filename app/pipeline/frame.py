"""`FramePipeline`: one call per camera frame — perception, then the try-on render.

The object both front ends drive: the command line in a loop, the GUI from its worker thread.
It owns no thread and knows nothing of Qt; results are immutable (`FrameResult`). `process` is
`finish(locate(...))`: the pose tracker alone serves `locate`, the parser and the renderer alone
serve `finish`, so a mirror may run the two halves of neighbouring frames on two threads
(`app.pipeline.overlap`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from app.garments.model import Garment
from app.pipeline.compose_device import DeviceCompositor
from app.pipeline.perception import Located, Perception, PerceptionResult
from app.pipeline.tryon import TryOnRenderer
from models.session import Device


@dataclass(frozen=True)
class FrameResult:
    source: np.ndarray  # (H, W, 3) uint8 BGR: the frame this result was computed from
    output: np.ndarray  # (H, W, 3) uint8 BGR: the frame with the garment on (== source without one)
    perception: PerceptionResult
    garment_id: str | None
    timings_ms: dict[str, float]  # convert, pose, parse, warp, compose, total

    @property
    def drawn(self) -> bool:
        """Whether a garment was drawn (the renderer hands back the very input frame otherwise)."""
        return self.output is not self.source


@dataclass(frozen=True)
class Begun:
    """A frame between `FramePipeline.locate` and `FramePipeline.finish`."""

    frame_bgr: np.ndarray  # (H, W, 3) uint8 BGR
    timestamp_s: float | None
    located: Located


@dataclass(frozen=True)
class Labelled:
    """A frame between `FramePipeline.label` and `FramePipeline.render` (the two parts of `finish`)."""

    frame_bgr: np.ndarray  # (H, W, 3) uint8 BGR
    timestamp_s: float | None
    perception: PerceptionResult


# From this many cores on, an overlapped pipeline spreads its finish over more threads: the parse
# and the render of neighbouring frames on two (`split_finish`), and the render's masks on a third.
# On an H200 machine's 16 cores (CUDA) the masks beside gave a frame every 16.8 ms against
# 17.8–17.9 inline, and the split 16.1–17.0 against 17.6–18.5. Short of cores both lose: on 2,
# masks beside 33.8 ms against 33.0 inline, and the split 21 frames/s against 22–25 in the
# mirror. Nothing between was measured, so only machines with cores to spare for the pose's
# threads, two workers and the masks get them.
MANY_CORES = 8


class FramePipeline:
    def __init__(self, device: Device = "auto", garment: Garment | None = None, static_image_mode: bool = False,
                 max_people: int = 1, live: bool = False, overlapped: bool = False):
        """`live`: a camera shown as it is captured (the mirror, the kiosk, `bench`), see Perception.
        `overlapped`: the caller may run `locate` and `finish` of neighbouring frames on two threads
        (`OverlappedFrames`): on the CPU the pose models then leave a core to each worker (one,
        or two with `split_finish`; all of them when `locate` is told it runs alone), and below
        MANY_CORES the renderer makes its masks inline rather than on a third thread. On CUDA the
        threads' device runs take turns (`models.session.device_run`), so that no graph capture
        meets another thread's kernels."""
        if overlapped and static_image_mode:
            raise ValueError("still images are not overlapped: each is a scene of its own")
        self.static_image_mode = static_image_mode
        cores = os.cpu_count() or 1
        many_cores = cores >= MANY_CORES
        self.overlapped = overlapped
        self.split_finish = overlapped and many_cores  # see MANY_CORES and OverlappedFrames
        # On 2 cores, the pose's threads and the worker fought over a shared core: 46 ms a frame
        # against 34 with a core left to the worker. (With two workers, unmeasured: the same rule.)
        pose_threads = max(1, cores - (2 if self.split_finish else 1)) if overlapped else None
        self.perception = Perception(device=device, static_image_mode=static_image_mode, max_people=max_people,
                                     live=live, pose_threads=pose_threads,
                                     pose_threads_alone=cores if overlapped else None)
        # On a GPU the warp and composition run there too (one graph, few copies); on the CPU,
        # OpenCV's kernels are ~10× faster than that graph, so the CPU path stays.
        compositor = DeviceCompositor("cuda") if self.perception.device_summary == "cuda" else None
        self.renderer = TryOnRenderer(garment, compositor, masks_beside=live and (many_cores or not overlapped))

    @property
    def garment(self) -> Garment | None:
        return self.renderer.garment

    def set_garment(self, garment: Garment | None) -> None:
        self.renderer.set_garment(garment)

    def set_mirror_print(self, on: bool) -> None:
        """See `TryOnRenderer.set_mirror_print`: for a front end that shows the output mirrored."""
        self.renderer.set_mirror_print(on)

    @property
    def device_summary(self) -> str:
        return self.perception.device_summary

    def reset(self) -> None:
        """Forget tracking and motion state (a new source or a new session)."""
        self.perception.reset()
        self.renderer.reset()

    def process(self, frame_bgr: np.ndarray, timestamp_s: float | None = None) -> FrameResult:
        return self.finish(self.locate(frame_bgr, timestamp_s, alone=True))

    def locate(self, frame_bgr: np.ndarray, timestamp_s: float | None = None, alone: bool = False) -> Begun:
        """The frame's pose: the first half of `process` (touches the pose tracker only).
        `alone`: no `finish` runs meanwhile, so the pose may use every core."""
        return Begun(frame_bgr, timestamp_s, self.perception.locate(frame_bgr, timestamp_s, alone))

    def finish(self, begun: Begun) -> FrameResult:
        """The frame's label map and render: the second half of `process` (touches the parser
        and the renderer only). Frames must be finished in the order they were located."""
        return self.render(self.label(begun))

    def label(self, begun: Begun) -> Labelled:
        """The first part of `finish`: the label map (touches the parser only)."""
        return Labelled(begun.frame_bgr, begun.timestamp_s, self.perception.label(begun.located))

    def render(self, labelled: Labelled) -> FrameResult:
        """The second part of `finish`: the garment drawn (touches the renderer only). Frames
        must be rendered in the order they were labelled."""
        perception = labelled.perception
        start = time.perf_counter()
        if self.static_image_mode:
            # Each still is a scene of its own: nothing of the last photo's fit (smoothing, the
            # wearer's sleeve length voted over frames, arm widths) may carry over to this one.
            self.renderer.reset()
        rendered = self.renderer.render(labelled.frame_bgr, perception, labelled.timestamp_s or 0.0)
        timings = {k: v for k, v in perception.timings_ms.items() if k != "total"}
        timings.update(rendered.timings_ms)
        # The frame's own work (on one thread or more), not the time it may have waited between.
        timings["total"] = perception.timings_ms["total"] + (time.perf_counter() - start) * 1e3
        garment = self.renderer.garment
        return FrameResult(labelled.frame_bgr, rendered.image, perception, garment.id if garment else None, timings)

    def close(self) -> None:
        self.perception.close()
        self.renderer.close()

    def __enter__(self) -> FramePipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
