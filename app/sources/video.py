"""A video file as a frame source, decoded by OpenCV (FFmpeg) one frame at a time."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import cv2
import numpy as np

from app.errors import SourceError
from app.sources._cvquiet import quiet_opencv
from app.sources.base import NOMINAL_FPS, Frame, FrameSource, as_bgr

log = logging.getLogger(__name__)


def _positive(value: float) -> float | None:
    """A container property as a number, or None where OpenCV reports 0, negative or NaN."""
    return value if math.isfinite(value) and value > 0 else None


class VideoSource(FrameSource):
    """Frames of a video file; timestamps are index / fps (the container's nominal rate).

    The first frame is decoded while opening, so a file OpenCV opens but cannot decode fails
    here with a clear message rather than as an empty run later.
    """

    kind = "video"
    is_stream = True

    def __init__(self, path: Path, *, max_frames: int | None = None) -> None:
        self.path = Path(path)
        try:
            with self.path.open("rb"):  # a permissions problem gets its own message
                pass
        except OSError as error:
            raise SourceError(f"{self.path}: cannot read ({error.strerror or error})") from error
        with quiet_opencv():
            capture = cv2.VideoCapture(str(self.path))
            ok = capture.isOpened()
            first: np.ndarray | None = None
            if ok:
                ok, first = capture.read()
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f"{self.path}: cannot be opened as a video "
                "(not a video file, or a format this OpenCV build cannot decode)"
            )
        if not ok or first is None:
            capture.release()
            raise SourceError(f"{self.path}: video has no readable frames")
        self._capture = capture
        self._first: np.ndarray | None = as_bgr(first)
        height, width = self._first.shape[:2]
        fps = _positive(capture.get(cv2.CAP_PROP_FPS))
        count = _positive(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if fps is None:
            log.warning("%s: video has no frame rate; timing it at %g fps", self.path, NOMINAL_FPS)
        super().__init__(
            label=str(self.path),
            fps=fps,
            frame_count=int(count) if count is not None else None,
            size=(width, height),
            max_frames=max_frames,
        )
        self._timebase = fps or NOMINAL_FPS
        self._index = 0

    def _read_next(self) -> Frame:
        if self._first is not None:
            image, self._first = self._first, None
        else:
            ok, raw = self._capture.read()
            if not ok or raw is None:
                # End of file; the container's frame count is a claim and can be a little off.
                if self.frame_count is not None and self._index < self.frame_count:
                    log.debug(
                        "%s: ended after %d of %d frames", self.path, self._index, self.frame_count
                    )
                raise StopIteration
            image = as_bgr(raw)
        index = self._index
        self._index += 1
        return Frame(
            image=image,
            index=index,
            timestamp_s=index / self._timebase,
            name=self.path.stem,
            path=None,
        )

    def _release(self) -> None:
        self._capture.release()
