"""The garment takes the room's light: folds and shadows of the wearer's own top shade it.

Shading is the wearer's clothing luminance divided by its large-scale average (a high-pass of
brightness), so folds darken and highlights lighten the new garment without copying the old
garment's colour or pattern. Only the top's main fabric is read: parts of another material
(a white shirt's V and a tie under a dark jacket, a print, the other colour of a stripe) differ
by what they are, not by the light, and are shaded as the fabric round them. Computed at quarter
resolution inside the garment's box: shading is smooth, and this keeps it well under a millisecond.
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
WIDE_STEP = 4  # the large-scale average is blurred at 1/WIDE_STEP of quarter resolution
# Brighter or darker than the fabric's brightness by more than this factor: another material. A
# fold rarely halves the light (LIMITS clip far less anyway); a white shirt beside a navy jacket
# is 4–6× brighter.
MATERIAL_RANGE = 1.8


def _wide_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """(h, w) float32 Gaussian blur of an (h, w) float32 image for a large `sigma` (px): blurred
    WIDE_STEP times smaller, then enlarged — what is left after such a blur varies too slowly to
    tell the difference, and it costs a sixteenth (~1 ms a frame less at 720p)."""
    h, w = image.shape
    if sigma < 2 * WIDE_STEP or min(h, w) < 4 * WIDE_STEP:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    small = cv2.resize(image, (max(1, w // WIDE_STEP), max(1, h // WIDE_STEP)), interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.GaussianBlur(small, (0, 0), sigma / WIDE_STEP), (w, h), interpolation=cv2.INTER_LINEAR)


def _median(grey: np.ndarray, mask: np.ndarray) -> float:
    """The median of `grey` (h, w) float32 over `mask` (h, w) float32 0/1 (0 when it is empty)."""
    values = grey[mask > 0]
    return float(np.partition(values, len(values) // 2)[len(values) // 2]) if len(values) else 0.0


def _within(grey: np.ndarray, reference: float | np.ndarray, cloth: np.ndarray) -> np.ndarray:
    """(h, w) float32 0/1: the `cloth` pixels within MATERIAL_RANGE× of `reference` in brightness."""
    return (cloth * ((grey * MATERIAL_RANGE >= reference) & (grey <= reference * MATERIAL_RANGE))).astype(np.float32)


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
    # The main fabric: first what lies within MATERIAL_RANGE of the top's median brightness, then
    # within it of that fabric's own large-scale average (a lit and a shaded side both stay).
    # Normalised convolution: averages over the fabric only, so skin, background and other
    # materials around it do not brighten or darken it (the demo's white shirt and black tie
    # had drawn a light V with a dark blot down every new garment).
    fabric = _within(grey, _median(grey, cloth), cloth)
    mean = _wide_blur(grey * fabric, sigma) / np.maximum(_wide_blur(fabric, sigma), 1e-3)
    fabric = _within(grey, mean, cloth)
    # The fabric's high-pass, carried over the other materials' pixels from the fabric around them.
    ratio = np.clip(grey / np.maximum(mean, 1.0), *LIMITS)
    weight = cv2.GaussianBlur(fabric, (0, 0), DETAIL_SIGMA)
    ratio = np.where(weight > 0.05, cv2.GaussianBlur(ratio * fabric, (0, 0), DETAIL_SIGMA) / np.maximum(weight, 0.05),
                     1.0).astype(np.float32)
    # Dark cloth shows its folds only as sensor noise; trust the shading less the darker it is.
    trust = np.clip((mean - DARK_CLOTH) / DARK_CLOTH, 0.0, 1.0)
    shading = 1.0 + (ratio - 1.0) * STRENGTH * trust * cv2.GaussianBlur(cloth, (3, 3), 0)
    return cv2.resize(shading, (w, h), interpolation=cv2.INTER_LINEAR)
