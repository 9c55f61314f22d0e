"""Importing, listing, loading and removing garments; a failed import writes nothing."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import GarmentError
from app.garments.catalog import Catalog
from app.garments.model import SleeveKind


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_import_copies_the_photo_and_writes_the_sidecar(tee_photo: Path, catalog_dirs: tuple[Path, Path]) -> None:
    user, bundled = catalog_dirs
    before = tee_photo.read_bytes()
    mtime = tee_photo.stat().st_mtime_ns
    entry = Catalog(user, bundled).add(tee_photo, name="Red tee")
    assert (entry.id, entry.name, entry.category, entry.bundled) == ("red-tee", "Red tee", "short_sleeve", False)
    assert _files(user) == {"red-tee.jpg", "red-tee.json", "red-tee.mask.png", "red-tee.thumb.jpg"}
    assert (user / "red-tee.jpg").read_bytes() == before  # copied as is, never re-encoded
    assert tee_photo.read_bytes() == before and tee_photo.stat().st_mtime_ns == mtime
    thumb = cv2.imread(str(user / "red-tee.thumb.jpg"))
    assert thumb is not None and thumb.shape == (256, 192, 3)


def test_loaded_garment_is_what_the_renderer_needs(tee_photo: Path, catalog_dirs: tuple[Path, Path]) -> None:
    catalog = Catalog(*catalog_dirs)
    entry = catalog.add(tee_photo)
    garment = catalog.load(entry.id)
    h, w = cv2.imread(str(tee_photo)).shape[:2]
    assert garment.rgba.shape == (h, w, 4) and garment.rgba.dtype == np.uint8
    assert garment.mask.shape == (h, w) and set(np.unique(garment.mask).tolist()) == {0, 255}
    assert np.array_equal(garment.rgba[:, :, 3], garment.mask)
    assert garment.sleeve_kind is SleeveKind.SHORT and garment.category == "short_sleeve"
    assert garment.landmarks["shoulder_left"][0] > garment.landmarks["shoulder_right"][0]
    assert garment.id == "red-tee" and not garment.bundled


def test_same_file_twice_is_one_entry(tee_photo: Path, catalog_dirs: tuple[Path, Path]) -> None:
    catalog = Catalog(*catalog_dirs)
    first = catalog.add(tee_photo)
    files = _files(catalog_dirs[0])
    second = catalog.add(tee_photo, name="Another name")
    assert second.id == first.id and _files(catalog_dirs[0]) == files
    assert [e.id for e in catalog.list()] == [first.id]


def test_same_name_other_photo_gets_its_own_id(tee_photo: Path, catalog_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    catalog = Catalog(*catalog_dirs)
    other = tmp_path / "other" / tee_photo.name
    other.parent.mkdir()
    image = cv2.imread(str(tee_photo))
    cv2.imwrite(str(other), cv2.flip(image, 1))
    assert catalog.add(tee_photo).id == "red-tee"
    assert catalog.add(other).id == "red-tee-2"


def _truncated(path: Path) -> Path:
    ok, data = cv2.imencode(".jpg", np.full((300, 200, 3), 120, np.uint8))
    assert ok
    path.write_bytes(data.tobytes()[:500])
    return path


def _bomb(path: Path) -> Path:
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82")
    return path


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: (p / "a.png").write_text("hello") and p / "a.png", "not an image (expected PNG, JPEG, WebP, BMP)"),
        (lambda p: _truncated(p / "b.jpg"), "truncated JPEG file (it ends before the image does)"),
        (lambda p: _bomb(p / "c.png"), "image is 30000x30000 pixels, more than the 40 megapixel limit; scale it down first"),
        (lambda p: cv2.imwrite(str(p / "d.png"), np.full((400, 300, 3), 246, np.uint8)) and p / "d.png",
         "no garment found: the photo is plain background"),
        (lambda p: p / "e.tif", "no such file"),
    ],
)
def test_failed_import_writes_nothing(make, problem: str, catalog_dirs: tuple[Path, Path], tmp_path: Path,
                                      tee_photo: Path) -> None:
    user, bundled = catalog_dirs
    catalog = Catalog(user, bundled)
    bad = make(tmp_path)
    with pytest.raises(GarmentError) as error:
        catalog.add(bad)
    assert str(error.value) == f"{bad}: {problem}"
    assert not user.exists()  # not even the folder
    catalog.add(tee_photo)
    files = _files(user)
    with pytest.raises(GarmentError):
        catalog.add(bad)
    assert _files(user) == files  # the catalog keeps working and is unchanged
    assert [e.id for e in catalog.list()] == ["red-tee"]


def test_broken_sidecar_does_not_stop_the_catalog(tee_photo: Path, catalog_dirs: tuple[Path, Path]) -> None:
    catalog = Catalog(*catalog_dirs)
    catalog.add(tee_photo)
    broken = catalog_dirs[0] / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    assert [e.id for e in catalog.list()] == ["red-tee"]
    assert catalog.problems == [f"{broken}: invalid JSON (Expecting property name enclosed in double quotes at line 1, column 3)"]
    assert catalog.load("red-tee").id == "red-tee"


def test_remove(tee_photo: Path, catalog_dirs: tuple[Path, Path]) -> None:
    catalog = Catalog(*catalog_dirs)
    catalog.add(tee_photo)
    catalog.remove("red-tee")
    assert _files(catalog_dirs[0]) == set() and catalog.list() == []
    with pytest.raises(GarmentError) as error:
        catalog.remove("red-tee")
    assert str(error.value) == "no garment with id 'red-tee' in the catalog (see `garments list`)"


def test_bundled_garments_cannot_be_removed(tmp_path: Path) -> None:
    catalog = Catalog.default(tmp_path / "mine")
    bundled = [e for e in catalog.list() if e.bundled]
    assert bundled and all(e.bundled for e in catalog.list())
    with pytest.raises(GarmentError) as error:
        catalog.remove(bundled[0].id)
    assert str(error.value) == f"{bundled[0].id!r} is bundled with LiveFit and cannot be removed"


def test_catalog_folder_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEFIT_CATALOG_DIR", str(tmp_path / "env"))
    assert Catalog.default().user_dir == tmp_path / "env"
    assert Catalog.default(tmp_path / "flag").user_dir == tmp_path / "flag"
    monkeypatch.delenv("LIVEFIT_CATALOG_DIR")
    assert Catalog.default().user_dir.name == "garments"


def test_import_keeps_the_original_format(tmp_path: Path, catalog_dirs: tuple[Path, Path], tee_photo: Path) -> None:
    png = tmp_path / "tee.png"
    cv2.imwrite(str(png), cv2.imread(str(tee_photo)))
    entry = Catalog(*catalog_dirs).add(png)
    assert entry.image_path.suffix == ".png"
    assert hashlib.sha256(entry.image_path.read_bytes()).digest() == hashlib.sha256(png.read_bytes()).digest()
