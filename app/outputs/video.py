"""Rendered video output: same frame rate and size as the input, written atomically.

Frames go to a hidden temporary file next to the target, which is renamed into place only when
the whole video is written, so an interrupted run leaves no half-video behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from app.errors import OutputError

_FOURCC = {".mp4": "mp4v", ".m4v": "mp4v", ".avi": "MJPG", ".mov": "mp4v", ".mkv": "MJPG"}
VIDEO_EXTENSIONS = tuple(_FOURCC)


class VideoOutput:
    def __init__(self, path: Path, fps: float, size: tuple[int, int]):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in _FOURCC:
            raise OutputError(f"{path}: unsupported video type; use one of {', '.join(VIDEO_EXTENSIONS)}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._temporary = self.path.with_name(f".{self.path.stem}.partial{suffix}")
        self.size = size
        self._writer = cv2.VideoWriter(str(self._temporary), cv2.VideoWriter_fourcc(*_FOURCC[suffix]), fps, size)
        if not self._writer.isOpened():
            raise OutputError(f"{path}: cannot write a {suffix} video here (codec or folder not available)")
        self.frames = 0

    def write(self, frame_bgr: np.ndarray) -> None:
        """Append an (H, W, 3) uint8 BGR frame of the video's size."""
        if (frame_bgr.shape[1], frame_bgr.shape[0]) != self.size:
            raise OutputError(f"{self.path}: frame of {frame_bgr.shape[1]}×{frame_bgr.shape[0]}, video is {self.size}")
        self._writer.write(frame_bgr)
        self.frames += 1

    def finish(self) -> None:
        self._writer.release()
        os.replace(self._temporary, self.path)

    def abandon(self) -> None:
        self._writer.release()
        self._temporary.unlink(missing_ok=True)
