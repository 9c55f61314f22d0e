"""Landmarks on synthetic tops: sleeve-length category, left/right, positions near the truth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import GarmentError
from app.garments.analyze import analyze, check_geometry
from app.garments.model import SleeveKind

from .conftest import Photo

CASES = {"none": ("sleeveless", SleeveKind.NONE), "short": ("short_sleeve", SleeveKind.SHORT),
         "long": ("long_sleeve", SleeveKind.LONG)}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_category_guess_from_sleeve_length(kind: str, make_top: Callable[..., Photo]) -> None:
    image, _, truth = make_top(kind, (90, 60, 40), 246.0)
    result = analyze(image, Path(f"{kind}.png"))
    assert (result.category, result.sleeve_kind) == CASES[kind]
    assert result.confidence >= 0.8
    height = truth["hem_center"][1] - truth["collar_left"][1]
    # (The flat-coloured fake shows no inside at the neck, so its neck centre is not tested here.)
    for name in ("shoulder_left", "shoulder_right", "armpit_left", "armpit_right", "hem_left", "hem_right",
                 "hem_center"):
        error = np.hypot(*np.subtract(result.landmarks[name], truth[name]))
        assert error <= 0.08 * height, f"{name} is {error:.0f} px from where it belongs"
    assert ("sleeve_left_outer" in result.landmarks) == (kind != "none")


def test_left_and_right_are_the_wearers(make_top: Callable[..., Photo]) -> None:
    image, _, _ = make_top("short", (90, 60, 40), 246.0)
    result = analyze(image, Path("tee.png"))
    lm = result.landmarks
    # The wearer's left is on the image right of a front-view product photo.
    for part in ("collar", "shoulder", "armpit", "hem"):
        assert lm[f"{part}_left"][0] > lm[f"{part}_right"][0]
    assert lm["sleeve_left_outer"][0] > lm["shoulder_left"][0] > lm["neck_center"][0]
    mirrored = analyze(np.ascontiguousarray(image[:, ::-1]), Path("mirrored.png")).landmarks
    width = image.shape[1]
    for part in ("shoulder", "armpit", "hem", "sleeve_%s_outer"):
        left = part % "left" if "%" in part else f"{part}_left"
        right = part % "right" if "%" in part else f"{part}_right"
        x, y = mirrored[right]
        assert abs((width - 1 - x) - lm[left][0]) <= 6 and abs(y - lm[left][1]) <= 6


def test_inside_of_back_neckline_is_not_wearable(make_top: Callable[..., Photo]) -> None:
    # The generated tee shows no inside (flat colour), so a typical crew neck is assumed.
    image, silhouette, truth = make_top("short", (90, 60, 40), 246.0)
    result = analyze(image, Path("tee.png"))
    assert result.neckline == "assumed"
    x, y = truth["collar_left"]
    top = int(np.flatnonzero(silhouette[:, int((x + 383.5) / 2)])[0])
    assert silhouette[top + 3, int((x + 383.5) / 2)] and not result.mask[top + 3, int((x + 383.5) / 2)]


def test_geometry_check_names_the_problem() -> None:
    lm = {"shoulder_left": (100.0, 50.0), "shoulder_right": (300.0, 50.0)}
    assert check_geometry(lm, 400, 400) == (
        "shoulder_left is not to the image right of shoulder_right "
        "(left/right are the wearer's: the wearer's left is on the image right)"
    )
    assert check_geometry({"hem_center": (10.0, 500.0)}, 400, 400) == (
        "landmark hem_center (10, 500) is outside the 400x400 image"
    )


def test_unknown_category_is_refused(make_top: Callable[..., Photo]) -> None:
    image, _, _ = make_top("short", (90, 60, 40), 246.0)
    with pytest.raises(GarmentError) as error:
        analyze(image, Path("tee.png"), category="dress")
    assert str(error.value) == (
        "unknown category 'dress'; use one of sleeveless, short_sleeve, long_sleeve, shirt, hoodie"
    )


def test_small_garment_in_a_large_photo(make_top: Callable[..., Photo]) -> None:
    image, _, truth = make_top("long", (90, 60, 40), 246.0)
    small = cv2.resize(image, (307, 410), interpolation=cv2.INTER_AREA)
    photo = np.full((2000, 1500, 3), 246, np.uint8)
    photo[900:1310, 600:907] = small
    result = analyze(photo, Path("far away.jpg"))
    assert result.category == "long_sleeve"
    scale = 410 / 1024
    for name in ("shoulder_left", "hem_right", "sleeve_left_outer"):
        expected = (600 + truth[name][0] * scale, 900 + truth[name][1] * scale)
        assert np.hypot(*np.subtract(result.landmarks[name], expected)) <= 0.08 * 710 * scale


def test_category_can_be_given(make_top: Callable[..., Photo]) -> None:
    image, _, _ = make_top("long", (90, 60, 40), 246.0)
    result = analyze(image, Path("hoodie.png"), category="hoodie")
    assert (result.category, result.category_guess, result.sleeve_kind) == ("hoodie", "long_sleeve", SleeveKind.LONG)
