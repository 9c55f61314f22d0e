"""The frame with the parse and skeleton drawn on it (`--write-images`)."""

from __future__ import annotations

import cv2
import numpy as np

from models.parsing.labels import lip_palette
from models.pose import PoseResult
from models.pose.keypoints import SKELETON

PARSE_OPACITY = 0.45
JPEG_QUALITY = 92
MIN_VISIBILITY = 0.5
_PRIMARY_COLOUR = (0, 255, 255)  # BGR
_OTHER_COLOUR = (255, 200, 0)


def draw_overlay(frame_bgr: np.ndarray, pose: PoseResult, labels: np.ndarray | None) -> np.ndarray:
    """(H, W, 3) uint8 BGR copy of the frame with labels tinted and skeletons drawn."""
    out = frame_bgr.copy()
    if labels is not None:
        colours = lip_palette()[:, ::-1][labels]  # RGB palette → BGR image
        person = labels > 0
        blended = cv2.addWeighted(out, 1 - PARSE_OPACITY, colours, PARSE_OPACITY, 0)
        out[person] = blended[person]
    thickness = max(2, round(max(out.shape[:2]) / 400))
    for rank, person_pose in enumerate(pose.people):
        colour = _PRIMARY_COLOUR if rank == 0 else _OTHER_COLOUR
        points = np.round(person_pose.landmarks).astype(int)
        seen = person_pose.confidence >= MIN_VISIBILITY
        for a, b in SKELETON:
            if seen[a] and seen[b]:
                cv2.line(out, tuple(points[a]), tuple(points[b]), colour, thickness, cv2.LINE_AA)
        for point, ok in zip(points, seen):
            if ok:
                cv2.circle(out, tuple(point), thickness + 1, colour, -1, cv2.LINE_AA)
    return out


def encode_image(suffix: str, image_bgr: np.ndarray) -> bytes:
    """PNG or JPEG bytes of an (H, W, 3) uint8 BGR image, by file suffix."""
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if suffix.lower() in (".jpg", ".jpeg") else []
    ok, data = cv2.imencode(suffix.lower(), image_bgr, params)
    if not ok:
        raise ValueError(f"{suffix} encoding failed")
    return data.tobytes()


def encode_jpeg(image_bgr: np.ndarray) -> bytes:
    return encode_image(".jpg", image_bgr)
