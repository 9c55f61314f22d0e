"""Writers: palette PNGs readable by other tools, atomic files, OpenPose JSON layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.errors import InputShapeError, OutputError
from app.outputs.atomic import write_bytes_atomic
from app.outputs.label_png import encode_label_png, write_label_png
from models.parsing.labels import lip_palette


def test_label_png_round_trips_ids_and_palette(tmp_path: Path) -> None:
    labels = (np.arange(20, dtype=np.uint8).repeat(3)[None, :] * np.ones((7, 1), np.uint8))
    write_label_png(tmp_path / "map.png", labels)
    with Image.open(tmp_path / "map.png") as image:
        assert image.mode == "P"
        assert np.array_equal(np.asarray(image), labels)
        assert np.array_equal(np.array(image.getpalette()[:60]).reshape(20, 3), lip_palette())


def test_label_png_refuses_non_label_arrays() -> None:
    with pytest.raises(InputShapeError):
        encode_label_png(np.zeros((4, 4, 3), np.uint8))


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_bytes_atomic(blocker / "inside" / "out.json", b"{}")  # parent is a file
    write_bytes_atomic(tmp_path / "ok.json", b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "ok.json"]
