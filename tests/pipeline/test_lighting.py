"""The garment's shading from the wearer's own top: folds shade it, overall brightness does not."""

from __future__ import annotations

import cv2
import numpy as np

from app.pipeline.lighting import _wide_blur, shading_map
from models.parsing.labels import Label

BOX = (100, 50, 500, 450)  # x0, y0, x1, y1 in a 640×480 frame


def _top(grey: float, fold: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A 640×480 frame with a flat top of `grey` over BOX's middle (label map to match) and,
    if `fold` is given, a 24 px horizontal band of that grey across it."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    labels = np.zeros((480, 640), np.uint8)
    frame[100:400, 150:450] = grey
    labels[100:400, 150:450] = Label.UPPER_CLOTHES
    if fold is not None:
        frame[238:262, 150:450] = fold
    return frame, labels


def _at(shading: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """The part of a shading map over BOX that covers frame rows y0:y1, columns x0:x1."""
    return shading[y0 - BOX[1]:y1 - BOX[1], x0 - BOX[0]:x1 - BOX[0]]


def test_a_fold_in_the_old_top_darkens_the_new_garment_there() -> None:
    frame, labels = _top(160.0, fold=110.0)
    shading = shading_map(frame, labels, BOX)
    assert shading.shape == (400, 400) and shading.dtype == np.float32
    assert _at(shading, 245, 255, 250, 350).mean() < 0.9  # the fold: 0.87
    assert abs(float(_at(shading, 130, 200, 250, 350).mean()) - 1.0) < 0.05  # flat cloth above it
    assert np.all(_at(shading, 50, 90, 100, 500) == 1.0)  # no top there: untouched


def test_a_dim_room_does_not_darken_the_garment_on_its_own() -> None:
    # Shading is a high-pass: a uniformly darker (but not dark) top gives the same, flat gain.
    bright = shading_map(*_top(180.0), BOX)
    dim = shading_map(*_top(100.0), BOX)
    inside = (slice(100, 300), slice(100, 300))
    assert np.abs(bright[inside] - 1.0).max() < 0.02 and np.abs(dim[inside] - 1.0).max() < 0.02


def test_the_wide_blur_matches_a_full_gaussian() -> None:
    rng = np.random.default_rng(3)
    image = cv2.GaussianBlur(rng.uniform(0, 255, (140, 170)).astype(np.float32), (0, 0), 4.0)
    image[40:90, 30:120] += 120.0  # an edge, as a top's outline gives
    sigma = 13.0
    exact = cv2.GaussianBlur(image, (0, 0), sigma)
    fast = _wide_blur(image, sigma)
    assert fast.shape == image.shape and fast.dtype == np.float32
    assert np.abs(fast - exact).max() < 0.03 * float(np.ptp(exact))


def test_another_material_in_the_old_top_leaves_no_ghost_but_folds_still_shade() -> None:
    # A jacket with a white shirt showing down its middle (the demo's uniform) and a fold lower
    # down: the shirt is another material, not light — neither it nor the jacket beside it may
    # brighten or darken the new garment; the fold still does.
    frame, labels = _top(120.0, fold=85.0)
    frame[100:200, 280:320] = 240  # the shirt, labelled as part of the top
    shading = shading_map(frame, labels, BOX)

    # (Above the fold's own reach: a high-pass lifts the cloth just beside a fold a little.)
    assert np.abs(_at(shading, 110, 170, 285, 315) - 1.0).max() < 0.03  # over the shirt
    assert np.abs(_at(shading, 110, 170, 240, 275) - 1.0).max() < 0.03  # the jacket beside it
    assert _at(shading, 245, 255, 200, 400).mean() < 0.9  # the fold
