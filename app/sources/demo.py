"""The `demo` source: a person to try garments on with no camera and nothing to download.

It shows the bundled public-domain photo of astronaut Eileen Collins (`app.paths.demo_image_path()`,
see assets/demo/SOURCE.md) on a flat neutral backdrop, swaying slowly sideways and gently
"breathing" in scale, so pose tracking and temporal smoothing have smooth motion to follow. Both
motions are sinusoids of the frame's media time, so frame i is always the same image (tests and
benchmarks are repeatable) and the stream never ends unless `max_frames` bounds it. The whole
photo always stays inside the frame, so the upper body is fully visible. Each frame costs one
`cv2.warpAffine` of the 512 x 512 photo.
"""

from __future__ import annotations

import math

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
PHOTO_HEIGHT_FRACTION = 0.84
"""Photo height at rest as a share of the frame height (leaves room for the zoom)."""
SWAY_AMPLITUDE = 0.03
"""Peak sideways offset as a share of the frame width (38 px at 1280)."""
SWAY_PERIOD_S = 4.0
ZOOM_AMPLITUDE = 0.04
"""Peak relative change of scale; at its largest the photo fills 87% of the frame height."""
ZOOM_PERIOD_S = 5.5
"""Not a multiple of the sway period, so the two motions do not repeat in lock-step."""


class DemoSource(FrameSource):
    """Endless animated stream of the demo photo; `size` is (width, height) of the frames."""

    kind = "demo"
    is_stream = True

    def __init__(
        self,
        size: tuple[int, int] = DEFAULT_SIZE,
        fps: float = DEFAULT_FPS,
        *,
        max_frames: int | None = None,
    ) -> None:
        width, height = size
        if width < 16 or height < 16:
            raise ValueError(f"demo frame size must be at least 16x16, got {width}x{height}")
        if not fps > 0:
            raise ValueError(f"demo fps must be positive, got {fps}")
        path = demo_image_path()
        if not path.is_file():
            raise SourceError(f"{path}: demo image is missing (incomplete installation?)")
        # (h, w, 3) uint8 BGR
        self._photo = read_image(path)
        photo_h, photo_w = self._photo.shape[:2]
        # Largest rest scale that keeps the photo inside the frame at peak zoom and sway.
        fit_h = PHOTO_HEIGHT_FRACTION * height / photo_h
        fit_w = (1 - 2 * SWAY_AMPLITUDE) * width / (photo_w * (1 + ZOOM_AMPLITUDE))
        self._rest_scale = min(fit_h, fit_w)
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
        centre_y = height / 2
        photo_h, photo_w = self._photo.shape[:2]
        # Pixel centres sit at integer coordinates: the photo's centre is ((w-1)/2, (h-1)/2).
        return np.array(
            [
                [scale, 0.0, centre_x - 0.5 - scale * (photo_w - 1) / 2],
                [0.0, scale, centre_y - 0.5 - scale * (photo_h - 1) / 2],
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
