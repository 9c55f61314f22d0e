"""The garment takes the room's light: folds and shadows of the wearer's own top shade it.

Shading is the wearer's clothing luminance divided by its large-scale average (a high-pass of
brightness), so folds darken and highlights lighten the new garment without copying the old
garment's colour or pattern. Computed at quarter resolution inside the garment's box: shading
is smooth, and this keeps it well under a millisecond.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.parsing.labels import Label

DOWNSCALE = 4
BLUR_FRACTION = 0.08  # large-scale average: blur sigma as a fraction of the box's larger side
STRENGTH = 0.6
LIMITS = (0.7, 1.25)
DETAIL_SIGMA = 1.5  # quarter-resolution px: folds pass, fabric texture (denim, knit) does not
DARK_CLOTH = 40.0  # grey level below which a top's shading is mostly noise


def shading_map(frame_bgr: np.ndarray, labels: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """(h, w) float32 brightness multiplier over `box`; 1 where the wearer's top does not show."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    small_size = (max(1, w // DOWNSCALE), max(1, h // DOWNSCALE))
    small = cv2.resize(frame_bgr[y0:y1, x0:x1], small_size, interpolation=cv2.INTER_LINEAR)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) + 1.0
    cloth = (cv2.resize(labels[y0:y1, x0:x1], small_size, interpolation=cv2.INTER_NEAREST)
             == Label.UPPER_CLOTHES).astype(np.float32)
    sigma = max(1.0, BLUR_FRACTION * max(small_size))
    # Normalised convolution: the average over clothing pixels only, so skin and background
    # around the top do not brighten or darken its edges.
    mean = cv2.GaussianBlur(grey * cloth, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(cloth, (0, 0), sigma), 1e-3)
    ratio = cv2.GaussianBlur(np.clip(grey / np.maximum(mean, 1.0), *LIMITS), (0, 0), DETAIL_SIGMA)
    # Dark cloth shows its folds only as sensor noise; trust the shading less the darker it is.
    trust = np.clip((mean - DARK_CLOTH) / DARK_CLOTH, 0.0, 1.0)
    shading = 1.0 + (ratio - 1.0) * STRENGTH * trust * cv2.GaussianBlur(cloth, (3, 3), 0)
    return cv2.resize(shading, (w, h), interpolation=cv2.INTER_LINEAR)
