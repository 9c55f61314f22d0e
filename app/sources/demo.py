"""The `demo` source: a person to try garments on with no camera and nothing to download.

It shows the bundled public-domain portrait of Grace Hopper (`app.paths.demo_image_path()`, see
assets/demo/SOURCE.md) on a flat neutral backdrop, swaying slowly sideways and gently "breathing"
in scale, so pose tracking and temporal smoothing have smooth motion to follow. Both motions are
sinusoids of the frame's media time, so frame i is always the same image (tests and benchmarks
are repeatable) and the stream never ends unless `max_frames` bounds it.

The portrait ends at her chest, so its bottom edge always stays below the frame's: her body runs
out of the frame, as a shopper's does close to a mirror, and the garment's hem ends at the frame's
edge. (Inside the frame, the photo's edge would cut her body off above the backdrop and the
garment would hang on over it.) Its top and sides stay inside the frame. Each frame costs one
`cv2.warpAffine` of the 512 × 600 photo.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from app.errors import SourceError
from app.paths import demo_image_path
from app.sources.base import Frame, FrameSource
from app.sources.imagefile import read_image

DEFAULT_SIZE = (1280, 720)
"""(width, height) of the frames, the common webcam mode."""
DEFAULT_FPS = 30.0

BACKDROP_BGR = (128, 128, 128)
"""Neutral mid-grey: no colour cast for the parser or the garment shading to pick up."""
PHOTO_HEIGHT_FRACTION = 1.0
"""Photo height at rest as a share of the frame height."""
BOTTOM_OVERHANG = 0.1
"""How far below the frame's bottom edge the photo's stays at its smallest zoom, as a share of the
frame height (72 px at 720; at the largest zoom the photo's top is then 72 px inside the frame)."""
SWAY_AMPLITUDE = 0.03
"""Peak sideways offset as a share of the frame width (38 px at 1280)."""
SWAY_PERIOD_S = 4.0
ZOOM_AMPLITUDE = 0.04
"""Peak relative change of scale."""
ZOOM_PERIOD_S = 5.5
"""Not a multiple of the sway period, so the two motions do not repeat in lock-step."""


class DemoSource(FrameSource):
    """Endless animated stream of the demo photo; `size` is (width, height) of the frames.
    `photo`: another portrait to animate the same way (tests use one the pose model finds hard)."""

    kind = "demo"
    is_stream = True

    def __init__(
        self,
        size: tuple[int, int] = DEFAULT_SIZE,
        fps: float = DEFAULT_FPS,
        *,
        max_frames: int | None = None,
        photo: Path | None = None,
    ) -> None:
        width, height = size
        if width < 16 or height < 16:
            raise ValueError(f"demo frame size must be at least 16x16, got {width}x{height}")
        if not fps > 0:
            raise ValueError(f"demo fps must be positive, got {fps}")
        path = demo_image_path() if photo is None else Path(photo)
        if not path.is_file():
            hint = " (incomplete installation?)" if photo is None else ""
            raise SourceError(f"{path}: demo image is missing{hint}")
        # (h, w, 3) uint8 BGR
        self._photo = read_image(path)
        photo_h, photo_w = self._photo.shape[:2]
        # PHOTO_HEIGHT_FRACTION of the frame's height, unless the sides at peak zoom and sway
        # would leave a narrow frame.
        fit_h = PHOTO_HEIGHT_FRACTION * height / photo_h
        fit_w = (1 - 2 * SWAY_AMPLITUDE) * width / (photo_w * (1 + ZOOM_AMPLITUDE))
        self._rest_scale = min(fit_h, fit_w)
        # The photo's centre, fixed: its bottom edge, highest at the smallest zoom, then sits
        # BOTTOM_OVERHANG below the frame's.
        smallest = self._rest_scale * (1 - ZOOM_AMPLITUDE)
        self._centre_y = height * (1 + BOTTOM_OVERHANG) - smallest * photo_h / 2
        super().__init__(
            label="demo", fps=float(fps), frame_count=None, size=(width, height),
            max_frames=max_frames,
        )
        self._frame_size = (width, height)
        self._frame_rate = float(fps)
        self._index = 0

    def transform(self, index: int) -> np.ndarray:
        """(2, 3) float64 affine matrix mapping photo pixels to frame pixels for frame `index`."""
        t = index / self._frame_rate
        scale = self._rest_scale * (1 + ZOOM_AMPLITUDE * math.sin(2 * math.pi * t / ZOOM_PERIOD_S))
        width, height = self._frame_size
        centre_x = width / 2 + SWAY_AMPLITUDE * width * math.sin(2 * math.pi * t / SWAY_PERIOD_S)
        photo_h, photo_w = self._photo.shape[:2]
        # Pixel centres sit at integer coordinates: the photo's centre is ((w-1)/2, (h-1)/2).
        return np.array(
            [
                [scale, 0.0, centre_x - 0.5 - scale * (photo_w - 1) / 2],
                [0.0, scale, self._centre_y - 0.5 - scale * (photo_h - 1) / 2],
            ]
        )

    def render(self, index: int) -> np.ndarray:
        """Frame `index` as (height, width, 3) uint8 BGR; the same index gives the same pixels."""
        return cv2.warpAffine(
            self._photo,
            self.transform(index),
            self._frame_size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=BACKDROP_BGR,
        )

    def _read_next(self) -> Frame:
        index = self._index
        self._index += 1
        return Frame(
            image=self.render(index),
            index=index,
            timestamp_s=index / self._frame_rate,
            name="demo",
            path=None,
        )
