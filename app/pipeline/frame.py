"""`FramePipeline`: one call per camera frame — perception, then the try-on render.

The object both front ends drive: the command line in a loop, the GUI from its worker thread.
It owns no thread and knows nothing of Qt; results are immutable (`FrameResult`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from app.garments.model import Garment
from app.pipeline.compose_device import DeviceCompositor
from app.pipeline.perception import Perception, PerceptionResult
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


class FramePipeline:
    def __init__(self, device: Device = "auto", garment: Garment | None = None, static_image_mode: bool = False,
                 max_people: int = 1, live: bool = False):
        """`live`: a camera shown as it is captured (the mirror, the kiosk, `bench`), see Perception."""
        self.static_image_mode = static_image_mode
        self.perception = Perception(device=device, static_image_mode=static_image_mode, max_people=max_people,
                                     live=live)
        # On a GPU the warp and composition run there too (one graph, few copies); on the CPU,
        # OpenCV's kernels are ~10× faster than that graph, so the CPU path stays.
        compositor = DeviceCompositor("cuda") if self.perception.device_summary == "cuda" else None
        self.renderer = TryOnRenderer(garment, compositor, masks_beside=live)

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
        start = time.perf_counter()
        perception = self.perception.process(frame_bgr, timestamp_s)
        if self.static_image_mode:
            # Each still is a scene of its own: nothing of the last photo's fit (smoothing, the
            # wearer's sleeve length voted over frames, arm widths) may carry over to this one.
            self.renderer.reset()
        rendered = self.renderer.render(frame_bgr, perception, timestamp_s or 0.0)
        timings = {k: v for k, v in perception.timings_ms.items() if k != "total"}
        timings.update(rendered.timings_ms)
        timings["total"] = (time.perf_counter() - start) * 1e3
        garment = self.renderer.garment
        return FrameResult(frame_bgr, rendered.image, perception, garment.id if garment else None, timings)

    def close(self) -> None:
        self.perception.close()
        self.renderer.close()

    def __enter__(self) -> FramePipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
