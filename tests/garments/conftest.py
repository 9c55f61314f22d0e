"""Fixtures for the garment catalog tests: synthetic product photos and the real ones."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.garments.analyze import Analysis, analyze
from app.garments.imageio import load_image

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL_CLOTH = SHARED / "garments" / "vitonhd" / "cloth"
REAL_MASK = SHARED / "garments" / "vitonhd" / "cloth-mask"

if str(REPO / "assets") not in sys.path:
    sys.path.insert(0, str(REPO / "assets"))

import make_garments  # noqa: E402  (the bundled-garment generator: its geometry drives the fakes)

Photo = tuple[np.ndarray, np.ndarray, dict[str, tuple[float, float]]]


def _spec(kind: str) -> make_garments.Spec:
    """A plain top of the given sleeve length, built like the bundled garments."""
    base = dict(id=f"fake-{kind}", name=kind, fabric="jersey", colours=((90, 60, 40),), seed=1)
    if kind == "none":
        return make_garments.Spec(category="sleeveless", sleeve="none", shoulder_half=150.0, armpit_half=190.0,
                                  neck="scoop", front_depth=100.0, neck_half=90.0, **base)
    if kind == "long":
        return make_garments.Spec(category="long_sleeve", sleeve="long", sleeve_angle=76.0, sleeve_length=560.0,
                                  sleeve_end=84.0, **base)
    return make_garments.Spec(category="short_sleeve", sleeve="short", **base)


def draw_top(kind: str, fabric_bgr: tuple[int, int, int], background: float | tuple[float, float, float],
             noise: float = 1.5, outline: float = 0.0, shading: float = 0.08, seed: int = 0) -> Photo:
    """A synthetic product photo: (BGR uint8 image, silhouette mask uint8, true landmarks).

    The garment is a flat colour with fabric grain and soft shading on a plain background
    with sensor noise; `outline` darkens a one-pixel rim by that many grey levels (the faint
    edge a white garment on white keeps in a real photo).
    """
    rng = np.random.default_rng(seed)
    g = make_garments.build_geometry(_spec(kind))
    silhouette = make_garments._coverage([g.torso] + [poly for poly, _ in g.sleeves])
    h, w = silhouette.shape
    xx = np.mgrid[0:h, 0:w][1].astype(np.float32)
    shade = 1.0 - shading * np.clip(np.abs(xx - w / 2) / 220.0, 0, 1) ** 2
    cloth = np.array(fabric_bgr, np.float32) * shade[..., None]
    cloth += rng.normal(0, 1.2, cloth.shape).astype(np.float32)
    bg = np.broadcast_to(np.array(background, np.float32), (h, w, 3)).copy()
    bg += rng.normal(0, noise, bg.shape).astype(np.float32)
    alpha = silhouette[..., None]
    image = cloth * alpha + bg * (1 - alpha)
    if outline:
        rim = cv2.morphologyEx((silhouette > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        image -= outline * rim[..., None]
    mask = np.where(silhouette >= 0.5, 255, 0).astype(np.uint8)
    truth = {k: (float(v[0]), float(v[1])) for k, v in g.points.items()}
    if kind == "none":
        truth = {k: v for k, v in truth.items() if not k.startswith("sleeve_")}
    return np.clip(image, 0, 255).astype(np.uint8), mask, truth


@pytest.fixture(scope="session")
def make_top() -> Callable[..., Photo]:
    return draw_top


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0, b > 0
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="session")
def real_cloth_dir() -> Path:
    if not REAL_CLOTH.is_dir():
        pytest.skip("../shared/data/garments is not present")
    return REAL_CLOTH


@pytest.fixture(scope="session")
def real_analyses(real_cloth_dir: Path) -> dict[str, Analysis]:
    """Every real product photo analysed once: photo stem -> Analysis."""
    return {p.stem[:5]: analyze(load_image(p).pixels, p) for p in sorted(real_cloth_dir.glob("*.jpg"))}


@pytest.fixture()
def catalog_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(user catalog folder that does not exist yet, empty bundled folder)."""
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    return tmp_path / "catalog", bundled


@pytest.fixture(scope="session")
def tee_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic short-sleeve tee saved as a JPEG file."""
    image, _, _ = draw_top("short", (60, 60, 170), 246.0)
    path = tmp_path_factory.mktemp("photos") / "red tee.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path
