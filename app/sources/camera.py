"""A webcam as a frame source.

Frames are timed with the monotonic clock from the moment the camera opened (drivers' own
timestamps differ between backends). A camera that stops delivering frames, because it was
unplugged or another program grabbed it, raises `SourceError` after `LOST_AFTER_S` seconds
without a frame instead of hanging the mirror.
"""

from __future__ import annotations

import logging
import sys
import time

import cv2

from app.errors import SourceError
from app.sources._cvquiet import quiet_opencv
from app.sources.base import Frame, FrameSource, as_bgr

log = logging.getLogger(__name__)

LOST_AFTER_S = 2.0
"""A camera that sends no frame for this long is reported lost."""
RETRY_PAUSE_S = 0.01
"""Pause between failed reads, so a backend that fails instantly does not spin a core."""


def _backend() -> int:
    # On Linux, V4L2 opens a camera index directly; the default order tries FFmpeg first, which
    # cannot open devices in the pip wheels and only adds warnings.
    if sys.platform.startswith("linux") and hasattr(cv2, "CAP_V4L2"):
        return int(cv2.CAP_V4L2)
    return int(cv2.CAP_ANY)


class CameraSource(FrameSource):
    """Camera number `index` (0 is the first), optionally asked for a (width, height) size.

    The size is a request: drivers pick the nearest mode they support, and `size` reports what
    the camera actually delivers.
    """

    kind = "camera"
    is_stream = True

    def __init__(
        self,
        index: int,
        *,
        size: tuple[int, int] | None = None,
        max_frames: int | None = None,
    ) -> None:
        self.index = index
        label = f"camera {index}"
        with quiet_opencv():
            capture = cv2.VideoCapture(index, _backend())
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"{label}: cannot be opened (no such camera?)")
        if hasattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC"):
            # Without this a V4L2 read blocks up to 10 s on a vanished device; where the backend
            # ignores it, the loop in _read_next still bounds the wait between failed reads.
            capture.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, LOST_AFTER_S * 1000)
        if size is not None:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        actual = (
            int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
        if size is not None and actual != tuple(size):
            log.info("%s: asked for %dx%d, the camera delivers %dx%d", label, *size, *actual)
        fps = capture.get(cv2.CAP_PROP_FPS)
        super().__init__(
            label=label,
            fps=fps if fps > 0 else None,
            frame_count=None,
            size=actual if min(actual) > 0 else None,
            max_frames=max_frames,
        )
        self._capture = capture
        self._opened_at = time.monotonic()
        self._last_frame_at = self._opened_at
        self._index = 0
        log.info("%s: opened (%s backend)", label, capture.getBackendName())

    def _read_next(self) -> Frame:
        while True:
            ok, raw = self._capture.read()
            now = time.monotonic()
            if ok and raw is not None:
                break
            if now - self._last_frame_at >= LOST_AFTER_S:
                if self._index == 0:
                    raise SourceError(
                        f"{self.label}: sent no frame within {LOST_AFTER_S:g} s of opening "
                        "(is another program using it?)"
                    )
                raise SourceError(f"{self.label}: lost (no frame for {LOST_AFTER_S:g} s)")
            time.sleep(RETRY_PAUSE_S)
        self._last_frame_at = now
        index = self._index
        self._index += 1
        return Frame(
            image=as_bgr(raw),
            index=index,
            timestamp_s=now - self._opened_at,
            name=f"camera{self.index}",
            path=None,
        )

    def _release(self) -> None:
        self._capture.release()
