"""The front neckline, and the inside of the back neckline above it that the wearer never shows.

On most product photos (ghost mannequin or flat lay) the inside of the back of the garment shows
through the neck opening, between the back collar (the top of the silhouette) and the front
neckline. Warped onto a person it would cover the neck, so it is cut out of the cloth mask.

The front neckline is found as the curve, from a family of V, U and round shapes between two
points on the top of the silhouette, that follows an edge in the photo along most of its length
(the 30th percentile of the edge strength across the curve, so crossing a few strong edges of a
print or a label does not count). Of curves nearly as good as the best, the shallowest is taken:
a collar binding has two edges and the upper one is the garment's. When no curve follows an edge
convincingly, nothing is removed (high collars, polo collars, camisoles).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.garments.landmarks import garment_box
from app.garments.model import Point

WORK_HEIGHT = 512
HALF_WIDTHS = np.linspace(0.12, 0.42, 9)
"""Half-width of the neck opening, as a share of the shoulder-to-shoulder distance."""
DEPTHS = np.linspace(0.025, 0.45, 26)
"""Depth of the front neckline below its ends, as a share of collar-to-hem."""
SHAPES = ((1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (2.0, 2.0), (4.0, 1.0))
"""(p, q) of (1 - |u|^p)^(1/q): a V, a soft V, a parabola, a round neck and a flat-bottomed U."""
APEX_SHIFTS = (-0.25, 0.0, 0.25)
"""Wrap tops cross over off the centre line."""
SAMPLES = 48
EDGE_PERCENTILE = 20
MIN_STEP = 6.8
"""Weakest colour step (CIE76 delta E, 30th percentile along the curve) taken for a neckline."""
BAND_OFFSETS = (4.0, 6.0, 9.0)
"""Pixels either side of the curve whose colours are compared."""
SHALLOW_PREFERENCE = 0.8
DARKER_SLACK = 2.0
MIN_SHADE = 3.0
"""Lightness (CIE L, 0-100) by which the inside must be darker than the front, at the median."""
MAX_REMOVED_SHARE = 0.2
ASSUMED_HALF_WIDTH = 0.22
ASSUMED_DEPTH = 0.045
ASSUMED_MAX_DIP = 0.03



@dataclass(frozen=True)
class Neckline:
    """Result in the mask's pixel frame. `mask` is (H, W) uint8 with the inner back removed."""

    mask: np.ndarray
    found: bool
    """A front neckline was seen in the photo."""
    assumed: bool
    """None was seen and a typical crew neck was cut instead."""
    neck_center: Point
    collar_left: Point
    collar_right: Point
    removed_share: float
    score: float


def _lab(image: np.ndarray) -> np.ndarray:
    """Smoothed CIE Lab (H, W, 3) float32, L in 0..100 as in the colour-difference formula."""
    lab = cv2.cvtColor(cv2.GaussianBlur(image, (0, 0), 1.5).astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)
    return lab


def _top_profile(mask: np.ndarray) -> np.ndarray:
    has = mask.any(axis=0)
    return np.where(has, np.argmax(mask, axis=0), mask.shape[0]).astype(np.float64)


def _shape(u: np.ndarray, p: float, q: float, shift: float) -> np.ndarray:
    """0 at u = +-1, 1 at the apex u = shift."""
    v = np.where(u < shift, (u - shift) / (1.0 + shift), (u - shift) / (1.0 - shift))
    return np.clip(1.0 - np.abs(v) ** p, 0.0, 1.0) ** (1.0 / q)


def _score_curves(lab: np.ndarray, msk: np.ndarray, top: np.ndarray, cx: float, span: float,
                  length: float) -> list[tuple[float, float, np.ndarray]]:
    """(score, depth, params) of every candidate curve that fits in the garment.

    A curve scores the colour step across it: the colours a few pixels above (inside the back)
    against a few pixels below (the front), compared point by point, counted only where above is
    darker (the inside is in shadow; a white label on dark fabric is the opposite), and summed
    up by a low percentile so the curve must follow the step along most of its length.
    """
    h, w = msk.shape
    max_area = MAX_REMOVED_SHARE * float(np.count_nonzero(msk))
    u = np.linspace(-0.85, 0.85, SAMPLES)
    middle = np.abs(u) <= 0.6
    depths = (DEPTHS * length)[:, None]  # (D, 1)
    results: list[tuple[float, float, np.ndarray]] = []
    for hw_share in HALF_WIDTHS:
        hw = hw_share * span
        x0, x1 = cx - hw, cx + hw
        if x0 < 1 or x1 > w - 2:
            continue
        y0, y1 = top[int(round(x0))], top[int(round(x1))]
        if max(y0, y1) >= h:
            continue
        xs = cx + u * hw
        xi = np.round(xs).astype(int)
        base = y0 + (u + 1.0) / 2.0 * (y1 - y0)
        for p, q in SHAPES:
            for shift in APEX_SHIFTS:
                f = _shape(u, p, q, shift)
                ys = base + depths * f  # (D, S)
                gap = ys - top[xi]
                ok = (ys.max(axis=1) < h - 1) & np.all(gap[:, middle] >= 3.0, axis=1)
                ok &= gap.mean(axis=1) * 2.0 * hw <= max_area
                yi = np.clip(np.round(ys).astype(int), 0, h - 1)
                ok &= msk[yi, xi].mean(axis=1) > 0.9
                if not ok.any():
                    continue
                ty = depths * np.gradient(f, u) + (y1 - y0) / 2.0
                norm = np.hypot(hw, ty)
                nx, ny = -ty / norm, hw / norm  # unit normal, pointing down into the front
                above = np.zeros(ys.shape + (3,), np.float32)
                below = np.zeros(ys.shape + (3,), np.float32)
                inside = np.zeros(ys.shape, np.float32)
                for k in BAND_OFFSETS:
                    ax = np.clip(np.round(xs - k * nx).astype(int), 0, w - 1)
                    ay = np.clip(np.round(ys - k * ny).astype(int), 0, h - 1)
                    bx = np.clip(np.round(xs + k * nx).astype(int), 0, w - 1)
                    by = np.clip(np.round(ys + k * ny).astype(int), 0, h - 1)
                    above += lab[ay, ax]
                    below += lab[by, bx]
                    inside += msk[ay, ax]
                # The band above must be cloth: the background beside the collar is no edge.
                ok &= inside.mean(axis=1) / len(BAND_OFFSETS) >= 0.9
                darker = above[..., 0] < below[..., 0] + DARKER_SLACK * len(BAND_OFFSETS)
                step = np.where(darker, np.linalg.norm(above - below, axis=2) / len(BAND_OFFSETS), 0.0)
                scores = np.percentile(step, EDGE_PERCENTILE, axis=1)
                # The inside is in shadow along most of the curve, not just here and there.
                shade = np.median(below[..., 0] - above[..., 0], axis=1) / len(BAND_OFFSETS)
                scores = np.where(shade >= MIN_SHADE, scores, 0.0)
                for k in np.flatnonzero(ok):
                    d = float(depths[k, 0])
                    results.append((float(scores[k]), d, np.array([hw, p, q, shift, d, y0, y1])))
    return results


def find_neckline(image: np.ndarray, mask: np.ndarray, landmarks: dict[str, Point]) -> Neckline:
    """Front neckline of a garment and its mask without the inside of the back neckline.

    `image`: (H, W, 3) BGR uint8; `mask`: (H, W) uint8; `landmarks` from the silhouette (mask
    pixels), of which neck_center, shoulder_*, collar_* and hem_* are used. The search runs on
    the garment's bounding box, so a small garment in a large photo is read in detail.
    """
    x0, y0, x1, y1 = garment_box(mask > 0)
    shifted = {name: (x - x0, y - y0) for name, (x, y) in landmarks.items()}
    found = _find_in_crop(image[y0:y1, x0:x1], mask[y0:y1, x0:x1], shifted)
    full = mask.copy()
    full[y0:y1, x0:x1] = found.mask

    def back(p: Point) -> Point:
        return p[0] + x0, p[1] + y0

    return Neckline(full, found.found, found.assumed, back(found.neck_center), back(found.collar_left),
                    back(found.collar_right), found.removed_share, found.score)


def _find_in_crop(image: np.ndarray, mask: np.ndarray, landmarks: dict[str, Point]) -> Neckline:
    height, width = mask.shape
    scale = WORK_HEIGHT / height
    size = (max(8, int(round(width * scale))), WORK_HEIGHT)
    img = cv2.resize(image[:, :, :3], size, interpolation=cv2.INTER_AREA)
    msk = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST) > 0
    lab = _lab(img)
    top = _top_profile(msk)

    def s(p: Point) -> tuple[float, float]:
        return (p[0] + 0.5) * scale - 0.5, (p[1] + 0.5) * scale - 0.5

    cx = s(landmarks["neck_center"])[0]
    span = abs(s(landmarks["shoulder_left"])[0] - s(landmarks["shoulder_right"])[0])
    collar_y = min(s(landmarks["collar_left"])[1], s(landmarks["collar_right"])[1])
    hem_y = max(s(landmarks["hem_left"])[1], s(landmarks["hem_right"])[1])
    length = max(hem_y - collar_y, 1.0)
    results = _score_curves(lab, msk, top, cx, span, length)
    best = max((r[0] for r in results), default=0.0)
    if best < MIN_STEP:
        return _assumed(mask, scale, top, cx, span, length, best)
    floor = max(MIN_STEP, SHALLOW_PREFERENCE * best)
    score, _, params = min((r for r in results if r[0] >= floor), key=lambda r: r[1])
    hw, p, q, shift, d, y0, y1 = (float(v) for v in params)
    return _apply(mask, scale, cx, hw, p, q, shift, d, y0, y1, score, found=True)


def _assumed(mask: np.ndarray, scale: float, top: np.ndarray, cx: float, span: float, length: float,
             score: float) -> Neckline:
    """No front neckline shows (black on black): assume a typical crew neck.

    Unless the silhouette already dips at the centre: then its top is the front neckline (a
    camisole, a V-neck photographed flat) and nothing is hidden behind it.
    """
    hw = ASSUMED_HALF_WIDTH * span
    x0 = int(np.clip(round(cx - hw), 0, top.size - 1))
    x1 = int(np.clip(round(cx + hw), 0, top.size - 1))
    xc = int(np.clip(round(cx), 0, top.size - 1))
    y0, y1 = float(top[x0]), float(top[x1])
    if float(top[xc]) - min(y0, y1) > ASSUMED_MAX_DIP * length:
        return Neckline(mask, False, False, _back(scale, cx, float(top[xc])), _back(scale, cx + hw, y1),
                        _back(scale, cx - hw, y0), 0.0, score)
    return _apply(mask, scale, cx, hw, 2.0, 2.0, 0.0, ASSUMED_DEPTH * length, y0, y1, score, found=False)


def _back(scale: float, x: float, y: float) -> Point:
    """Work pixels -> mask pixels."""
    return (x + 0.5) / scale - 0.5, (y + 0.5) / scale - 0.5


def _apply(mask: np.ndarray, scale: float, cx: float, hw: float, p: float, q: float, shift: float,
           d: float, y0: float, y1: float, score: float, found: bool) -> Neckline:
    """Cut the region above the curve (work pixels) out of the full-size mask."""
    height, width = mask.shape
    cols = np.arange(int(np.ceil(_back(scale, cx - hw, 0)[0])), int(np.floor(_back(scale, cx + hw, 0)[0])) + 1)
    cols = cols[(cols >= 0) & (cols < width)]
    u = ((cols + 0.5) * scale - 0.5 - cx) / hw
    curve = (y0 + (u + 1.0) / 2.0 * (y1 - y0) + d * _shape(u, p, q, shift) + 0.5) / scale - 0.5
    block = mask[:, cols].copy()
    region = np.arange(height)[:, None] < curve[None, :]
    removed = int(np.count_nonzero(block[region]))
    total = int(np.count_nonzero(mask))
    # Wearer's left is the image right.
    left, right = _back(scale, cx + hw, y1), _back(scale, cx - hw, y0)
    apex = _back(scale, cx + shift * hw, y0 + (shift + 1.0) / 2.0 * (y1 - y0) + d)
    if total == 0 or removed > MAX_REMOVED_SHARE * total:
        return Neckline(mask, False, False, _back(scale, cx, min(y0, y1)), left, right, 0.0, score)
    block[region] = 0
    out = mask.copy()
    out[:, cols] = block
    return Neckline(out, found, not found, apex, left, right, removed / total, score)
