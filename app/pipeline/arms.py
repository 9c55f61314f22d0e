"""How thick each arm segment is, measured in the parse across the bone.

Bare arms have their own labels and are measured by their skin. A sleeved arm is "upper
clothes" to the parser, like the torso it hangs against; its thickness still shows across the
bone: clothing runs from the bone to the arm's edge on both sides, and where one side runs on
into the torso the other side stops at the arm's real edge — so the smaller reach is taken.
"""

from __future__ import annotations

import numpy as np

from models.parsing.labels import Label
from models.pose import BlazePose as B
from models.pose import Person

SEGMENTS = {
    ("left", "upper"): (B.LEFT_SHOULDER, B.LEFT_ELBOW), ("left", "fore"): (B.LEFT_ELBOW, B.LEFT_WRIST),
    ("right", "upper"): (B.RIGHT_SHOULDER, B.RIGHT_ELBOW), ("right", "fore"): (B.RIGHT_ELBOW, B.RIGHT_WRIST),
}
SKIN_LABELS = (Label.LEFT_ARM, Label.RIGHT_ARM, Label.GLOVE)
ARM_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT) + SKIN_LABELS
MIN_HALF, MAX_HALF = 0.07, 0.22  # × shoulder width: the range an arm's half-thickness is believed in
_SKIN_LUT = np.zeros(256, bool)
_SKIN_LUT[list(SKIN_LABELS)] = True
_ARM_LUT = np.zeros(256, bool)
_ARM_LUT[list(ARM_LABELS)] = True


def _reach(labels: np.ndarray, centre: np.ndarray, direction: np.ndarray, limit: int, lut: np.ndarray) -> int:
    """Steps from `centre` along `direction` before the first non-arm pixel (or `limit`)."""
    height, width = labels.shape
    points = centre + np.arange(limit)[:, None] * direction
    x, y = np.round(points[:, 0]).astype(int), np.round(points[:, 1]).astype(int)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    arm = np.zeros(limit, bool)
    arm[inside] = lut[labels[y[inside], x[inside]]]
    gaps = np.nonzero(~arm)[0]
    return int(gaps[0]) if len(gaps) else limit


def arm_half_widths(person: Person, labels: np.ndarray | None) -> dict[tuple[str, str], float]:
    """(side, "upper"|"fore") → half-thickness in frame pixels, within [MIN_HALF, MAX_HALF] × shoulders."""
    points = person.landmarks
    shoulders = float(np.hypot(*(points[B.LEFT_SHOULDER] - points[B.RIGHT_SHOULDER])))
    low, high = MIN_HALF * shoulders, MAX_HALF * shoulders
    widths = {}
    for key, (a, b) in SEGMENTS.items():
        if labels is None:
            widths[key] = (low + high) / 2
            continue
        along = points[b] - points[a]
        along = along / max(float(np.hypot(*along)), 1e-6)
        normal = np.array([-along[1], along[0]])
        measured = []
        for fraction in (0.35, 0.5, 0.65):
            centre = points[a] + (points[b] - points[a]) * fraction
            x, y = int(round(centre[0])), int(round(centre[1]))
            inside = 0 <= x < labels.shape[1] and 0 <= y < labels.shape[0]
            # A bare arm is measured by its skin alone: the top it hangs against is not arm.
            lut = _SKIN_LUT if inside and _SKIN_LUT[labels[y, x]] else _ARM_LUT
            limit = int(high) + 2
            measured.append(min(_reach(labels, centre, normal, limit, lut), _reach(labels, centre, -normal, limit, lut)))
        widths[key] = float(np.clip(np.median(measured), low, high))
    return widths
