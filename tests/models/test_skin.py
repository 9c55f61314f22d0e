"""The skin colour model: skin vs cloth by chroma, and a top's own colour telling its shade from skin."""

from __future__ import annotations

import cv2
import numpy as np

from models.parsing.skin import SkinModel


def ycrcb(y: int, cr: int, cb: int) -> np.ndarray:
    return np.array([y, cr, cb], np.uint8)


def face_samples(rng: np.random.Generator) -> np.ndarray:
    """(2000, 3) uint8 YCrCb: a face's skin, Cr ≈ 158, Cb ≈ 102 (VITON-HD 00034's)."""
    samples = rng.normal((150, 158, 102), (20, 3, 3), (2000, 3))
    return np.clip(np.round(samples), 0, 255).astype(np.uint8)


def test_a_shaded_pink_top_is_skin_by_chroma_alone_but_not_beside_the_top() -> None:
    model = SkinModel.fit(face_samples(np.random.default_rng(0)))
    # Measured on 00034: the blouse's lit chest Cr 147 Cb 115; its shaded flank Cr 153 Cb 112;
    # her bare outer arm Cr 160 Cb 98.
    blouse = (np.array([198.0, 147.0, 115.0]), np.array([6.0, 5.0, 5.0]))
    pixels = np.stack([ycrcb(170, 153, 112), ycrcb(160, 160, 98), ycrcb(198, 147, 115)])[None]
    alone = model.mask(pixels)[0]
    beside = model.without_clothing(model.mask(pixels), pixels, blouse)[0]
    assert alone.tolist() == [True, True, False]  # the flank passes for skin by itself
    assert beside.tolist() == [False, True, False]  # nearer the blouse: cloth; the arm stays skin


def test_a_top_whose_colour_passes_for_skin_changes_nothing() -> None:
    # A beige top as skin-coloured as the wearer: chroma cannot tell them apart, and comparing
    # with it would turn half of every bare arm to cloth.
    rng = np.random.default_rng(1)
    model = SkinModel.fit(face_samples(rng))
    beige = (np.array([180.0, 156.0, 104.0]), np.array([6.0, 4.0, 4.0]))
    image = cv2.cvtColor(cv2.cvtColor(face_samples(rng)[None], cv2.COLOR_YCrCb2BGR), cv2.COLOR_BGR2YCrCb)
    assert model.mask(image).mean() > 0.8
    assert np.array_equal(model.without_clothing(model.mask(image), image, beige), model.mask(image))
