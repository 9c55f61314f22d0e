"""Pictures that show a person what was understood about a garment: mask tint and landmarks."""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np

from app.garments.model import Point

# BGR colours. The wearer's left (image right) is blue, the wearer's right is orange, so a
# swapped left/right shows at a glance.
_LEFT = (220, 120, 30)
_RIGHT = (30, 140, 255)
_CENTRE = (60, 180, 60)
_OUTSIDE_TINT = (200, 60, 200)
_SKELETON: tuple[tuple[str, str], ...] = (
    ("collar_left", "neck_center"),
    ("neck_center", "collar_right"),
    ("collar_left", "shoulder_left"),
    ("collar_right", "shoulder_right"),
    ("shoulder_left", "armpit_left"),
    ("shoulder_right", "armpit_right"),
    ("armpit_left", "hem_left"),
    ("armpit_right", "hem_right"),
    ("hem_left", "hem_center"),
    ("hem_center", "hem_right"),
    ("shoulder_left", "sleeve_left_outer"),
    ("sleeve_left_outer", "sleeve_left_inner"),
    ("sleeve_left_inner", "armpit_left"),
    ("shoulder_right", "sleeve_right_outer"),
    ("sleeve_right_outer", "sleeve_right_inner"),
    ("sleeve_right_inner", "armpit_right"),
)
_SHORT_NAMES = {
    "neck_center": "neck",
    "collar_left": "cL",
    "collar_right": "cR",
    "shoulder_left": "shL",
    "shoulder_right": "shR",
    "armpit_left": "apL",
    "armpit_right": "apR",
    "sleeve_left_outer": "soL",
    "sleeve_left_inner": "siL",
    "sleeve_right_outer": "soR",
    "sleeve_right_inner": "siR",
    "hem_left": "hL",
    "hem_right": "hR",
    "hem_center": "hem",
}


def _colour(name: str) -> tuple[int, int, int]:
    if name.endswith("_left") or "_left_" in name:
        return _LEFT
    if name.endswith("_right") or "_right_" in name:
        return _RIGHT
    return _CENTRE


def mask_preview(mask: np.ndarray) -> np.ndarray:
    """(H, W) uint8 mask -> (H, W, 3) uint8 BGR, white cloth on black."""
    return cv2.cvtColor((mask > 0).astype(np.uint8) * 255, cv2.COLOR_GRAY2BGR)


def draw_overlay(
    image_bgr: np.ndarray,
    mask: np.ndarray,
    landmarks: Mapping[str, Point],
    caption: str = "",
) -> np.ndarray:
    """The photo with the background tinted, the mask outline and labelled landmarks.

    `image_bgr`: (H, W, 3) uint8; `mask`: (H, W) uint8; landmarks in the photo's pixels.
    Returns a new (H, W, 3) uint8 BGR image.
    """
    out = image_bgr[:, :, :3].copy()
    outside = mask == 0
    out[outside] = (out[outside] * 0.45 + np.array(_OUTSIDE_TINT) * 0.55).astype(np.uint8)
    size = max(out.shape[:2])
    thick = max(1, size // 400)
    radius = max(3, size // 110)
    contours, _ = cv2.findContours((mask > 0).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, (255, 255, 255), thick, cv2.LINE_AA)
    for a, b in _SKELETON:
        if a in landmarks and b in landmarks:
            pa = tuple(int(round(v)) for v in landmarks[a])
            pb = tuple(int(round(v)) for v in landmarks[b])
            cv2.line(out, pa, pb, (40, 40, 40), thick + 2, cv2.LINE_AA)
            cv2.line(out, pa, pb, _colour(a if a != "neck_center" else b), thick, cv2.LINE_AA)
    font_scale = size / 1700.0
    for name, point in landmarks.items():
        p = (int(round(point[0])), int(round(point[1])))
        cv2.circle(out, p, radius + thick, (0, 0, 0), -1, cv2.LINE_AA)
        cv2.circle(out, p, radius, _colour(name), -1, cv2.LINE_AA)
        label = _SHORT_NAMES.get(name, name)
        org = (p[0] + radius + 2, p[1] - radius - 2)
        cv2.putText(out, label, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
        cv2.putText(out, label, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), thick, cv2.LINE_AA)
    if caption:
        org = (10, int(30 * size / 1024) + 5)
        cv2.putText(out, caption, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale * 1.4, (0, 0, 0), thick + 3, cv2.LINE_AA)
        cv2.putText(out, caption, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale * 1.4, (255, 255, 255), thick + 1, cv2.LINE_AA)
    return out


def contact_sheet(tiles: list[np.ndarray], columns: int = 5, tile_height: int = 400) -> np.ndarray:
    """Tiles (BGR uint8) scaled to one height and laid out in rows; for looking at many at once."""
    if not tiles:
        raise ValueError("no tiles")
    scaled = [cv2.resize(t, (int(round(t.shape[1] * tile_height / t.shape[0])), tile_height),
                         interpolation=cv2.INTER_AREA) for t in tiles]
    tile_width = max(t.shape[1] for t in scaled)
    padded = [cv2.copyMakeBorder(t, 0, 0, 0, tile_width - t.shape[1], cv2.BORDER_CONSTANT, value=(0, 0, 0))
              for t in scaled]
    while len(padded) % columns:
        padded.append(np.zeros_like(padded[0]))
    rows = [np.hstack(padded[i : i + columns]) for i in range(0, len(padded), columns)]
    return np.vstack(rows)
