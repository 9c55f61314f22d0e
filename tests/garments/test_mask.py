"""Cloth masks: real ground truth, grey studio backgrounds, transparency, white on white."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import GarmentError
from app.garments.imageio import load_image
from app.garments.mask import compute_mask

from .conftest import REAL_MASK, Photo, iou


def _seed_recipe(image: np.ndarray) -> np.ndarray:
    """The literature's mask: R, G and B all <= 250 is cloth."""
    return (image <= 250).all(axis=2).astype(np.uint8)


def test_real_photo_matches_ground_truth(real_cloth_dir: Path) -> None:
    image = load_image(real_cloth_dir / "00006_00.jpg").pixels
    truth = cv2.imread(str(REAL_MASK / "00006_00.jpg"), cv2.IMREAD_GRAYSCALE) > 127
    result = compute_mask(image)
    assert result.method == "background"
    assert iou(result.mask, truth) >= 0.97
    assert iou(_seed_recipe(image), truth) < 0.5  # the light-grey (246) studio background


def test_grey_background(make_top: Callable[..., Photo]) -> None:
    image, truth, _ = make_top("short", (200, 200, 205), 232.0)
    result = compute_mask(image)
    assert iou(result.mask, truth) >= 0.97
    assert iou(_seed_recipe(image), truth) < 0.5


def test_white_garment_on_white(make_top: Callable[..., Photo]) -> None:
    image, truth, _ = make_top("short", (252, 252, 252), 244.0, noise=1.0, outline=6.0, shading=0.01)
    assert iou(compute_mask(image).mask, truth) >= 0.95


def test_real_white_tee_on_white(real_cloth_dir: Path) -> None:
    result = compute_mask(load_image(real_cloth_dir / "12562_00.jpg").pixels)
    # Torso and both sleeves, not a fragment: the tee fills about 40% of the photo.
    assert 0.35 <= result.coverage <= 0.45
    ys, xs = np.nonzero(result.mask)
    assert xs.min() < 100 and xs.max() > 660  # sleeve to sleeve


def test_transparent_png_uses_alpha(make_top: Callable[..., Photo]) -> None:
    image, truth, _ = make_top("long", (40, 40, 40), 246.0)
    rng = np.random.default_rng(3)
    rgba = np.dstack([image, truth])
    # Behind transparent pixels any colour may be stored; the alpha channel decides.
    rgba[truth == 0, :3] = rng.integers(0, 255, (int((truth == 0).sum()), 3), np.uint8)
    result = compute_mask(rgba)
    assert result.method == "alpha"
    assert iou(result.mask, truth) >= 0.99


def test_all_white_photo_is_refused() -> None:
    with pytest.raises(GarmentError) as error:
        compute_mask(np.full((1024, 768, 3), 246, np.uint8))
    assert str(error.value) == "no garment found: the photo is plain background"


def test_all_garment_photo_is_refused() -> None:
    yy = np.mgrid[0:1024, 0:768][0]
    stripes = np.where((yy // 20) % 2 == 0, 40, 220).astype(np.uint8)
    with pytest.raises(GarmentError) as error:
        compute_mask(np.dstack([stripes, stripes, stripes]))
    assert str(error.value).startswith("the photo's border is not a plain background")


def test_several_garments_are_refused(make_top: Callable[..., Photo]) -> None:
    one, _, _ = make_top("short", (60, 60, 170), 246.0)
    small = cv2.resize(one, (384, 512), interpolation=cv2.INTER_AREA)
    photo = np.full((600, 800, 3), 246, np.uint8)
    photo[40:552, 10:394] = small
    photo[40:552, 406:790] = small
    with pytest.raises(GarmentError) as error:
        compute_mask(photo)
    assert str(error.value) == "found 2 separate garments in one photo; import one garment per photo"


def test_garment_cut_by_the_frame_is_flagged(make_top: Callable[..., Photo]) -> None:
    image, _, _ = make_top("short", (60, 60, 170), 246.0)
    result = compute_mask(image[:, 120:])  # the right sleeve runs off the photo
    assert result.touches_border
    assert result.warnings == ("the garment touches the photo's edge, so part of it may be cut off",)
