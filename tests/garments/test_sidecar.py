"""The sidecar is read back exactly, and every hand-edit mistake gets a one-line reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.errors import GarmentError
from app.garments import sidecar
from app.garments.model import SleeveKind

LANDMARKS = {
    "neck_center": [384.0, 190.0], "collar_left": [460.0, 120.0], "collar_right": [307.0, 120.0],
    "shoulder_left": [605.0, 154.0], "shoulder_right": [162.0, 154.0], "armpit_left": [589.0, 335.0],
    "armpit_right": [178.0, 335.0], "sleeve_left_outer": [728.0, 240.0], "sleeve_left_inner": [660.0, 337.0],
    "sleeve_right_outer": [39.0, 240.0], "sleeve_right_inner": [107.0, 337.0], "hem_left": [593.0, 830.0],
    "hem_right": [174.0, 830.0], "hem_center": [384.0, 830.0],
}


def _document(**changes: Any) -> dict[str, Any]:
    doc = {
        "format": "livefit-garment", "version": 1, "id": "tee", "name": "Tee", "category": "short_sleeve",
        "sleeve_kind": "short", "image": "tee.jpg", "mask": "tee.mask.png", "thumbnail": "tee.thumb.jpg",
        "size": {"width": 768, "height": 1024}, "landmarks": dict(LANDMARKS),
        "detection": {"method": "auto", "confidence": 0.9}, "source": {"file": "tee.jpg", "sha256": "ab"},
    }
    doc.update(changes)
    return doc


def _write(tmp_path: Path, doc: dict[str, Any] | str) -> Path:
    path = tmp_path / "tee.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_round_trip(tmp_path: Path) -> None:
    original = sidecar.read(_write(tmp_path, _document()))
    path = tmp_path / "copy.json"
    sidecar.write(original, path)
    again = sidecar.read(path)
    assert again.landmarks == original.landmarks and again.sleeve_kind is SleeveKind.SHORT
    assert again.confidence == 0.9 and again.image_path == tmp_path / "tee.jpg"
    text = path.read_text(encoding="utf-8")
    assert '"neck_center": [384.0, 190.0]' in text and '"version": 1' in text  # readable by a person


def test_invalid_json(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"format": "livefit-garment", "version": 1,')
    with pytest.raises(GarmentError) as error:
        sidecar.read(path)
    assert str(error.value) == f"{path}: invalid JSON (Expecting property name enclosed in double quotes at line 1, column 44)"


def test_landmark_outside_the_image(tmp_path: Path) -> None:
    landmarks = dict(LANDMARKS, hem_left=[900.0, 830.0])
    path = _write(tmp_path, _document(landmarks=landmarks))
    with pytest.raises(GarmentError) as error:
        sidecar.read(path)
    assert str(error.value) == f"{path}: landmark hem_left (900, 830) is outside the 768x1024 image"


def test_swapped_left_and_right(tmp_path: Path) -> None:
    landmarks = dict(LANDMARKS, shoulder_left=LANDMARKS["shoulder_right"], shoulder_right=LANDMARKS["shoulder_left"])
    path = _write(tmp_path, _document(landmarks=landmarks))
    with pytest.raises(GarmentError) as error:
        sidecar.read(path)
    assert str(error.value) == (
        f"{path}: shoulder_left is not to the image right of shoulder_right: left and right are the "
        "wearer's, so the wearer's left is on the image right"
    )


def test_missing_sleeve_landmarks(tmp_path: Path) -> None:
    landmarks = {k: v for k, v in LANDMARKS.items() if not k.startswith("sleeve_left")}
    path = _write(tmp_path, _document(landmarks=landmarks))
    with pytest.raises(GarmentError) as error:
        sidecar.read(path)
    assert str(error.value) == (
        f"{path}: missing landmarks for sleeve kind 'short': sleeve_left_outer, sleeve_left_inner"
    )


def test_sleeveless_needs_no_sleeve_landmarks(tmp_path: Path) -> None:
    landmarks = {k: (None if k.startswith("sleeve_") else v) for k, v in LANDMARKS.items()}
    path = _write(tmp_path, _document(landmarks=landmarks, sleeve_kind="none", category="sleeveless"))
    assert "sleeve_left_outer" not in sidecar.read(path).landmarks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "written by a newer LiveFit (format version 2, this one reads 1); update LiveFit"),
        ({"format": "something-else"}, 'not a LiveFit garment sidecar (expected "format": "livefit-garment")'),
        ({"category": "dress"}, "'category' must be one of sleeveless, short_sleeve, long_sleeve, shirt, hoodie, not \"dress\""),
        ({"id": "Tee Shirt"}, "'id' 'Tee Shirt' must be lower-case letters, digits and dashes"),
        ({"image": "../../etc/passwd"}, "'image' must name a file next to the sidecar, not '../../etc/passwd'"),
        ({"landmarks": dict(LANDMARKS, elbow=[1, 2])}, "unknown landmark 'elbow'; known: " + ", ".join(sidecar.LANDMARK_NAMES)),
        ({"landmarks": dict(LANDMARKS, hem_center=["a", 2])}, 'landmark hem_center must be [x, y] numbers, not ["a", 2]'),
    ],
)
def test_bad_fields(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = _write(tmp_path, _document(**change))
    with pytest.raises(GarmentError) as error:
        sidecar.read(path)
    assert str(error.value) == f"{path}: {message}"
