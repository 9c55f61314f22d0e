"""`garments add|list|check|remove` through the parser the top-level command line builds."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import pytest

from app.errors import GarmentError
from app.garments import cli


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="livefit")
    cli.add_subparser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_add_list_check_remove(tee_photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = str(tmp_path / "catalog")
    assert _run("garments", "--catalog", catalog, "add", str(tee_photo), "--name", "Red tee") == 0
    assert capsys.readouterr().out.startswith("red-tee\tRed tee\tshort_sleeve\tconfidence ")

    assert _run("garments", "--catalog", catalog, "list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "NAME", "CATEGORY", "CONF", "FROM"]
    assert any(line.startswith("red-tee") and line.endswith("user") for line in listing)
    assert any(line.endswith("bundled") for line in listing)

    out = tmp_path / "check"
    assert _run("garments", "--catalog", catalog, "check", "red-tee", "--out", str(out)) == 0
    text = capsys.readouterr().out
    assert "category   short_sleeve (sleeves: short)" in text and "shoulder_left" in text
    assert "automatic detection agrees with every stored landmark" in text
    overlay = cv2.imread(str(out / "red-tee.overlay.png"))
    mask = cv2.imread(str(out / "red-tee.mask.png"), cv2.IMREAD_GRAYSCALE)
    assert overlay is not None and mask is not None and overlay.shape[:2] == mask.shape

    assert _run("garments", "--catalog", catalog, "remove", "red-tee") == 0
    assert capsys.readouterr().out == "removed red-tee (Red tee)\n"


def test_check_a_photo_stores_nothing(tee_photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "catalog"
    assert _run("garments", "--catalog", str(catalog), "check", str(tee_photo), "--out", str(tmp_path / "o")) == 0
    assert "analysed (nothing stored)" in capsys.readouterr().out
    assert (tmp_path / "o" / "red tee.overlay.png").is_file() and not catalog.exists()


def test_one_bad_photo_among_several(tee_photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo", encoding="utf-8")
    catalog = tmp_path / "catalog"
    with pytest.raises(GarmentError) as error:
        _run("garments", "--catalog", str(catalog), "add", str(bad), str(tee_photo))
    assert str(error.value) == f"1 of 2 photos were not imported: {bad}"
    assert "red-tee" in capsys.readouterr().out  # the good one went in
    assert sorted(p.name for p in catalog.iterdir()) == ["red-tee.jpg", "red-tee.json", "red-tee.mask.png",
                                                          "red-tee.thumb.jpg"]


def test_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo", encoding="utf-8")
    with pytest.raises(GarmentError) as error:
        _run("garments", "--catalog", str(tmp_path / "c"), "add", str(bad))
    assert str(error.value) == f"{bad}: not an image (expected PNG, JPEG, WebP, BMP)"
    with pytest.raises(GarmentError) as error:
        _run("garments", "--catalog", str(tmp_path / "c"), "remove", "nothing")
    assert str(error.value) == "no garment with id 'nothing' in the catalog (see `garments list`)"
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(GarmentError, match=r"broken\.json: invalid JSON"):
        _run("garments", "check", str(broken))


def test_catalog_from_environment(tee_photo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LIVEFIT_CATALOG_DIR", str(tmp_path / "env-catalog"))
    assert _run("garments", "add", str(tee_photo)) == 0
    assert (tmp_path / "env-catalog" / "red-tee.json").is_file()
    _run("garments", "list")
    assert f"user catalog: {tmp_path / 'env-catalog'}" in capsys.readouterr().out
