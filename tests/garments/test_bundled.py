"""The garments LiveFit ships: they load, cover the categories, and pass their own landmark check."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app import paths
from app.garments import sidecar
from app.garments.analyze import analyze, disagreements
from app.garments.catalog import Catalog, load_garment

from .conftest import make_garments

BUNDLED = sorted(paths.bundled_garments_dir().glob("*.json"))


def test_at_least_ten_covering_every_category() -> None:
    assert len(BUNDLED) >= 10
    categories = {sidecar.read(p).category for p in BUNDLED}
    assert categories == {"sleeveless", "short_sleeve", "long_sleeve", "shirt", "hoodie"}
    fabrics = {sidecar.read(p).source.get("fabric") for p in BUNDLED}
    assert {"jersey", "stripes", "gingham", "floral", "denim", "rib"} <= fabrics


def test_listed_as_bundled(tmp_path: Path) -> None:
    entries = Catalog.default(tmp_path / "user").list()
    assert [e.name.lower() for e in entries] == sorted(e.name.lower() for e in entries)
    assert len(entries) == len(BUNDLED) and all(e.bundled and e.thumbnail_path for e in entries)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_loads_and_passes_its_own_landmark_check(path: Path) -> None:
    garment = load_garment(path, bundled=True)
    assert garment.rgba.shape == (1024, 768, 4) and np.array_equal(garment.rgba[:, :, 3], garment.mask)
    thumb = cv2.imread(str(path.with_suffix(".thumb.jpg")))
    assert thumb is not None and thumb.shape == (256, 192, 3)
    detected = analyze(garment.rgba[:, :, :3], path)
    assert detected.sleeve_kind is garment.sleeve_kind
    rows = np.flatnonzero(garment.mask.any(axis=1))
    assert disagreements(garment.landmarks, detected.landmarks, float(rows.max() - rows.min())) == {}
    # The stored mask leaves out the inside of the back neckline, like an imported photo's.
    assert abs(int(np.count_nonzero(detected.mask)) - int(np.count_nonzero(garment.mask))) < 0.03 * np.count_nonzero(garment.mask)


def test_small_enough_to_ship() -> None:
    total = sum(p.stat().st_size for p in paths.bundled_garments_dir().iterdir())
    assert total < 6 * 1024 * 1024


def test_generator_is_deterministic() -> None:
    spec = next(s for s in make_garments.SPECS if s.id == "tee-navy")
    image, mask, landmarks = make_garments.render(spec)
    stored = cv2.imread(str(paths.bundled_garments_dir() / "tee-navy.mask.png"), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(mask, stored)
    photo = cv2.imread(str(paths.bundled_garments_dir() / "tee-navy.jpg")).astype(np.float32)
    assert float(np.abs(photo - image).mean()) < 2.0  # the same picture, up to JPEG
    assert landmarks["hem_left"] == sidecar.read(paths.bundled_garments_dir() / "tee-navy.json").landmarks["hem_left"]
