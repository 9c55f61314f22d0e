"""The 15 real product photos in ../shared/data: every one imports, and the traps are handled.

Each named case broke a prototype's silhouette heuristics: long sleeves lying against the torso
(09266), ties taken for hem corners (04469, 09236), a tank's armholes (14673), cami straps
(02015), folded short sleeves (03032), a white tee on white (12562).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.garments.analyze import Analysis
from app.garments.imageio import load_image
from app.garments.mask import compute_mask

from .conftest import REAL_CLOTH

EXPECTED = {
    "00006": "long_sleeve", "00126": "short_sleeve", "00151": "long_sleeve", "00470": "long_sleeve",
    "02015": "sleeveless", "03032": "short_sleeve", "04469": "short_sleeve", "07382": "sleeveless",
    "09163": "short_sleeve", "09176": "long_sleeve", "09236": "short_sleeve", "09263": "long_sleeve",
    "09266": "long_sleeve", "12562": "short_sleeve", "14673": "sleeveless",
}


def _height(result: Analysis) -> float:
    rows = np.flatnonzero(result.mask.any(axis=1))
    return float(rows.max() - rows.min())


def test_all_fifteen_import_with_the_right_category(real_analyses: dict[str, Analysis]) -> None:
    assert {k: v.category for k, v in real_analyses.items()} == EXPECTED
    for result in real_analyses.values():
        assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize("photo", sorted(EXPECTED))
def test_left_is_the_wearers_left(photo: str, real_analyses: dict[str, Analysis]) -> None:
    lm = real_analyses[photo].landmarks
    for part in ("collar", "shoulder", "armpit", "hem"):
        assert lm[f"{part}_left"][0] > lm[f"{part}_right"][0]
    if "sleeve_left_outer" in lm:
        assert lm["sleeve_left_outer"][0] > lm["neck_center"][0] > lm["sleeve_right_outer"][0]
    for side in ("left", "right"):
        assert lm[f"shoulder_{side}"][1] < lm[f"armpit_{side}"][1] < lm[f"hem_{side}"][1]


def test_long_sleeves_against_the_torso_are_long(real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses["09266"]
    assert result.category == "long_sleeve"
    lm = result.landmarks
    # The cuffs are at the waist, far below the (estimated) armpits.
    assert lm["sleeve_left_inner"][1] - lm["armpit_left"][1] > 0.3 * _height(result)
    assert lm["sleeve_right_inner"][1] - lm["armpit_right"][1] > 0.3 * _height(result)


@pytest.mark.parametrize("photo", ["04469", "09236"])
def test_ties_are_not_hem_corners(photo: str, real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses[photo]
    lm, height = result.landmarks, _height(result)
    lowest = float(np.flatnonzero(result.mask.any(axis=1)).max())
    assert lowest - lm["hem_center"][1] > 0.1 * height  # the tie hangs below the hem...
    for side in ("left", "right"):
        assert abs(lm[f"hem_{side}"][1] - lm["hem_center"][1]) < 0.05 * height  # ...the corners do not


def test_tank_armholes(real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses["14673"]
    lm, height = result.landmarks, _height(result)
    assert result.category == "sleeveless" and "sleeve_left_outer" not in lm
    for side in ("left", "right"):
        assert abs(lm[f"shoulder_{side}"][1] - lm[f"collar_{side}"][1]) < 0.06 * height
        assert 0.15 * height < lm[f"armpit_{side}"][1] - lm[f"shoulder_{side}"][1] < 0.45 * height


def test_cami_straps_are_the_shoulders(real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses["02015"]
    lm = result.landmarks
    top = float(np.flatnonzero(result.mask.any(axis=1)).min())
    assert result.category == "sleeveless"
    for side in ("left", "right"):
        assert lm[f"shoulder_{side}"][1] - top < 0.03 * _height(result)  # the top of each strap
        assert lm[f"armpit_{side}"][1] > lm["neck_center"][1] - 0.05 * _height(result)


def test_folded_short_sleeves(real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses["03032"]
    lm = result.landmarks
    assert result.category == "short_sleeve"
    for side in ("left", "right"):
        assert lm[f"sleeve_{side}_inner"][1] <= lm[f"armpit_{side}"][1] + 0.03 * _height(result)


def test_white_tee_on_white(real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses["12562"]
    assert result.category == "short_sleeve" and result.confidence >= 0.9


@pytest.mark.parametrize("photo", ["00126", "00151", "04469", "07382", "09163", "09176", "09263", "12562"])
def test_inside_of_the_back_neckline_is_removed(photo: str, real_analyses: dict[str, Analysis]) -> None:
    result = real_analyses[photo]
    assert result.neckline == "found"
    cloth = compute_mask(load_image(REAL_CLOTH / f"{photo}_00.jpg").pixels).mask
    x = int(round(result.landmarks["neck_center"][0]))
    top = int(np.flatnonzero(cloth[:, x])[0])
    neck_y = result.landmarks["neck_center"][1]
    assert neck_y - top > 0.02 * _height(result)
    # Between the back collar and the front neckline: cloth in the photo, not wearable.
    probe = int((top + neck_y) / 2)
    assert cloth[probe, x] and not result.mask[probe, x]
