"""Taking a photo: what is on screen, saved as PNG into Pictures/LiveFit (no Qt here).

The composite is saved exactly as displayed: mirrored when the view is mirrored, because that is
the picture the shopper chose. The optional original frame and OpenPose JSON are saved as the
camera saw them (not mirrored), so the keypoints line up with the original frame and left/right
stay the person's own, as the try-on tools that read them expect. Names carry the local time to
the millisecond: `LiveFit_2025-03-01_14-03-22-123.png` (+ `_original.png`, `_keypoints.json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from app.errors import OutputError
from app.outputs.atomic import write_bytes_atomic
from app.outputs.openpose_json import openpose_document
from app.pipeline.frame import FrameResult

PREFIX = "LiveFit"
THUMBNAIL_WIDTH = 120


@dataclass(frozen=True, eq=False)
class CaptureRequest:
    """`displayed`: (H, W, 3) uint8 BGR, the picture on screen (already mirrored if it was)."""

    displayed: np.ndarray
    result: FrameResult
    folder: Path
    save_original: bool = False
    save_pose_json: bool = False
    taken_at: datetime | None = None


@dataclass(frozen=True, eq=False)
class CaptureResult:
    """`thumbnail`: (h, THUMBNAIL_WIDTH, 3) uint8 BGR of the saved picture, for the toast."""

    image_path: Path
    extra_paths: tuple[Path, ...]
    thumbnail: np.ndarray


def capture_stem(moment: datetime) -> str:
    return f"{PREFIX}_{moment:%Y-%m-%d_%H-%M-%S}-{moment.microsecond // 1000:03d}"


def _unused_stem(folder: Path, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`… when two photos land in the same millisecond."""
    candidate, n = stem, 2
    while (folder / f"{candidate}.png").exists():
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


def _png(image: np.ndarray, path: Path) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise OutputError(f"{path}: could not encode the picture as PNG")
    return encoded.tobytes()


def save_capture(request: CaptureRequest) -> CaptureResult:
    """Write the photo (and the extras asked for); OutputError with a one-line reason."""
    folder = request.folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{folder}: cannot create the photo folder ({error.strerror or error})") from error
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    stem = _unused_stem(folder, capture_stem(request.taken_at or datetime.now()))
    image_path = folder / f"{stem}.png"
    write_bytes_atomic(image_path, _png(request.displayed, image_path))
    extras: list[Path] = []
    if request.save_original:
        original_path = folder / f"{stem}_original.png"
        write_bytes_atomic(original_path, _png(np.asarray(request.result.source), original_path))
        extras.append(original_path)
    if request.save_pose_json:
        json_path = folder / f"{stem}_keypoints.json"
        document = openpose_document(request.result.perception.pose)
        write_bytes_atomic(json_path, json.dumps(document).encode())
        extras.append(json_path)
    height, width = request.displayed.shape[:2]
    thumb_height = max(1, round(height * THUMBNAIL_WIDTH / width))
    thumbnail = cv2.resize(request.displayed, (THUMBNAIL_WIDTH, thumb_height), interpolation=cv2.INTER_AREA)
    return CaptureResult(image_path, tuple(extras), thumbnail)
