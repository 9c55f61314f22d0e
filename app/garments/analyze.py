"""Photo -> wearable garment description: cloth mask, landmarks, category, confidence.

One function, `analyze`, runs the steps in order (mask, silhouette landmarks, front neckline)
and checks that the result makes sense as a top seen from the front before anyone stores it.
Every refusal is a GarmentError whose message names the file and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import GarmentError
from app.garments.landmarks import detect_landmarks
from app.garments.mask import compute_mask
from app.garments.model import CATEGORIES, Point, SleeveKind
from app.garments.neckline import find_neckline

LOW_CONFIDENCE = 0.5
"""Below this the import goes ahead but the user is told to check the landmarks."""
ASSUMED_NECKLINE_CONFIDENCE = 0.9
BORDER_CONFIDENCE = 0.7


@dataclass(frozen=True)
class Analysis:
    """What was understood about one photo.

    `mask`: (H, W) uint8, 255 = wearable cloth (the inside of the back neckline removed).
    `landmarks`: name -> (x, y) in the photo's pixels; wearer's left = image right.
    """

    mask: np.ndarray
    landmarks: dict[str, Point]
    sleeve_kind: SleeveKind
    category: str
    category_guess: str
    confidence: float
    sleeve_ratio: float
    mask_method: str
    neckline: str
    """"found" (seen in the photo), "assumed" (typical crew neck cut) or "none"."""
    notes: tuple[str, ...]


def check_geometry(landmarks: dict[str, Point], width: int, height: int) -> str | None:
    """Why these landmarks cannot belong to a top seen from the front, or None if they can."""
    for name, (x, y) in landmarks.items():
        if not (np.isfinite(x) and np.isfinite(y)):
            return f"landmark {name} is not a number"
        if not (0 <= x <= width and 0 <= y <= height):
            return f"landmark {name} ({x:.0f}, {y:.0f}) is outside the {width}x{height} image"
    for part in ("shoulder", "armpit", "hem", "collar"):
        left, right = landmarks.get(f"{part}_left"), landmarks.get(f"{part}_right")
        if left is not None and right is not None and left[0] <= right[0]:
            return (f"{part}_left is not to the image right of {part}_right "
                    "(left/right are the wearer's: the wearer's left is on the image right)")
    for side in ("left", "right"):
        names = (f"collar_{side}", f"armpit_{side}", f"hem_{side}")
        if all(n in landmarks for n in names):
            ys = [landmarks[n][1] for n in names]
            if not ys[0] < ys[1] < ys[2]:
                return f"the {side} collar, armpit and hem are not in order from top to bottom"
    return None


def analyze(pixels: np.ndarray, source: Path, category: str | None = None) -> Analysis:
    """Analyse a decoded photo ((H, W, 3) BGR or (H, W, 4) BGRA uint8) read from `source`."""
    if category is not None and category not in CATEGORIES:
        raise GarmentError(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    try:
        mask_result = compute_mask(pixels)
        found = detect_landmarks(mask_result.mask)
        neck = find_neckline(pixels[:, :, :3], mask_result.mask, found.landmarks)
    except GarmentError as error:
        raise GarmentError(f"{source}: {error}") from error
    landmarks = dict(found.landmarks)
    landmarks.update(neck_center=neck.neck_center, collar_left=neck.collar_left, collar_right=neck.collar_right)
    height, width = mask_result.mask.shape
    problem = check_geometry(landmarks, width, height)
    if problem:
        raise GarmentError(f"{source}: cannot read this garment's shape: {problem}")
    notes = list(mask_result.warnings) + list(found.notes)
    confidence = found.confidence
    if mask_result.touches_border:
        confidence *= BORDER_CONFIDENCE
    if neck.found:
        neckline = "found"
    elif neck.assumed:
        neckline = "assumed"
        confidence *= ASSUMED_NECKLINE_CONFIDENCE
        notes.append("the front neckline does not show, so a typical crew neck was assumed")
    else:
        neckline = "none"
    if confidence < LOW_CONFIDENCE:
        notes.append("low confidence: check the landmarks with `garments check`")
    return Analysis(
        mask=neck.mask,
        landmarks=landmarks,
        sleeve_kind=found.sleeve_kind,
        category=category or found.category,
        category_guess=found.category,
        confidence=round(float(confidence), 3),
        sleeve_ratio=found.sleeve_ratio,
        mask_method=mask_result.method,
        neckline=neckline,
        notes=tuple(notes),
    )


AGREEMENT_TOLERANCE = 0.07
"""Share of the garment's height a stored landmark may differ from a fresh detection."""
LOOSE_AGREEMENT = {"collar_left": 0.1, "collar_right": 0.1, "armpit_left": 0.1, "armpit_right": 0.1}
"""Collar corners and armpits have no sharp corner on many garments: a wider margin."""


def disagreements(stored: dict[str, Point], detected: dict[str, Point], height: float) -> dict[str, float]:
    """Landmarks where a fresh detection lands farther from the stored point than its tolerance.

    Returns name -> distance as a share of `height` (the garment's height in pixels). Used to
    point a person at landmarks worth a look, and to check the bundled garments.
    """
    result = {}
    for name, point in stored.items():
        if name not in detected:
            result[name] = float("inf")
            continue
        distance = float(np.hypot(point[0] - detected[name][0], point[1] - detected[name][1])) / max(height, 1.0)
        if distance > LOOSE_AGREEMENT.get(name, AGREEMENT_TOLERANCE):
            result[name] = round(distance, 3)
    return result
