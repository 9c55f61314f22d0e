"""What every frame source hands the pipeline: `Frame`s, through the `FrameSource` interface.

A source is single-pass, like an open file: it is its own iterator, and `close()` (or leaving a
`with` block) releases the camera or file behind it. Iteration stops at the end of the media or
after `max_frames` frames. A failure while reading raises `SourceError`; where a source can go on
after one bad item (a folder with one damaged photo) the next `next()` call continues with the
next item, so a front end can report the bad file and carry on.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Literal

import cv2
import numpy as np

SourceKind = Literal["image", "folder", "video", "camera", "demo"]

NOMINAL_FPS = 30.0
"""Frame rate used for timestamps where the media has none (still images, videos without a rate)."""


@dataclass(frozen=True, eq=False)  # eq=False: comparing ndarrays field-wise is ambiguous
class Frame:
    """One frame from a source.

    `image`: (H, W, 3) uint8, BGR channel order (as OpenCV decodes), C-contiguous.
    `index`: 0-based frame number within the source (for a folder: the file's position in the
        sorted listing, so a skipped bad file leaves a gap rather than renumbering the rest).
    `timestamp_s`: media time in seconds: index / fps for a video, monotonic time since opening
        for a camera, index / `NOMINAL_FPS` for still images and the demo.
    `name`: output stem for files written from this frame: the image file's stem, or the
        source's stem ("video", "camera0", "demo") for a time sequence.
    `path`: the file the frame was decoded from (images and folders), else None.
    """

    image: np.ndarray
    index: int
    timestamp_s: float
    name: str
    path: Path | None = None


class FrameSource(abc.ABC):
    """Base of all frame sources: an iterator of `Frame`s and a context manager.

    Subclasses set `kind` and `is_stream` and implement `_read_next()` (and `_release()` when
    they hold a device or file handle).

    `is_stream`: True when consecutive frames are a time sequence of one scene (video, camera,
    demo), so tracking and temporal smoothing apply; False when each frame is independent.
    `fps`: frames per second of a time sequence, None when there is none or it is unknown.
    `frame_count`: how many frames iteration will yield, when known in advance (progress bars);
        None for an endless or unbounded source. For a video it is the container's claim, which
        can be slightly off.
    `size`: (width, height) of the frames when known before reading them, else None.
    `label`: how messages name the source: the path as given, or "camera 0".
    """

    kind: ClassVar[SourceKind]
    is_stream: ClassVar[bool]

    def __init__(
        self,
        *,
        label: str,
        fps: float | None,
        frame_count: int | None,
        size: tuple[int, int] | None,
        max_frames: int | None,
    ) -> None:
        if max_frames is not None and max_frames < 1:
            raise ValueError(f"max_frames must be at least 1, got {max_frames}")
        self.label = label
        self.fps = fps
        self.size = size
        self.max_frames = max_frames
        if frame_count is None:
            self.frame_count = max_frames
        elif max_frames is None:
            self.frame_count = frame_count
        else:
            self.frame_count = min(frame_count, max_frames)
        self._yielded = 0
        self._closed = False

    @abc.abstractmethod
    def _read_next(self) -> Frame:
        """The next frame; StopIteration at the end, SourceError when it cannot be read."""

    def _release(self) -> None:  # noqa: B027 (optional hook: most sources hold nothing)
        """Free what the source holds (device, decoder); called once by `close()`."""

    def __iter__(self) -> FrameSource:
        return self

    def __next__(self) -> Frame:
        if self._closed:
            raise ValueError(f"{self.label}: frame source is closed")
        if self.max_frames is not None and self._yielded >= self.max_frames:
            raise StopIteration
        frame = self._read_next()
        self._yielded += 1
        return frame

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._release()

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label!r} kind={self.kind}>"


def as_bgr(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 BGR, C-contiguous, from what a decoder or driver returns.

    Cameras and some video codecs deliver single-channel (H, W) or (H, W, 1) grey, or 4-channel
    BGRA; everything downstream expects exactly three channels.
    """
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return np.ascontiguousarray(image)
    raise ValueError(f"expected a grey, BGR or BGRA image, got shape {image.shape}")
