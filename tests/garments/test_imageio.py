"""Bad files are refused with one line naming the file, before anything is decoded."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import GarmentError
from app.garments.imageio import load_image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _bomb(path: Path, side: int = 30000) -> None:
    """A valid 1-bit PNG of side x side pixels: a few hundred kB that would decode to gigabytes."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"".join(parts))
                     + _png_chunk(b"IEND", b""))


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("shopping list: socks", encoding="utf-8")
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == f"{path}: not an image (expected PNG, JPEG, WebP, BMP)"


def test_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "shirt.gif"
    path.write_bytes(b"GIF89a" + b"\x00" * 64)
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == f"{path}: unsupported image format (GIF); use PNG, JPEG, WebP, BMP"


def test_truncated_jpeg(tmp_path: Path) -> None:
    ok, data = cv2.imencode(".jpg", np.full((200, 150, 3), 128, np.uint8))
    assert ok
    path = tmp_path / "cut.jpg"
    path.write_bytes(data.tobytes()[: len(data) // 2])
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == f"{path}: truncated JPEG file (it ends before the image does)"


def test_truncated_png(tmp_path: Path) -> None:
    ok, data = cv2.imencode(".png", np.random.default_rng(0).integers(0, 255, (200, 150, 3), np.uint8))
    assert ok
    path = tmp_path / "cut.png"
    path.write_bytes(data.tobytes()[:-300])
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == f"{path}: truncated PNG file (it ends before the image does)"


def test_decompression_bomb_refused_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    _bomb(path)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == (
        f"{path}: image is 30000x30000 pixels, more than the 40 megapixel limit; scale it down first"
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.png"
    with pytest.raises(GarmentError) as error:
        load_image(path)
    assert str(error.value) == f"{path}: no such file"


def test_tiny_image(tmp_path: Path) -> None:
    path = tmp_path / "icon.png"
    cv2.imwrite(str(path), np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(GarmentError, match="too small to find a garment"):
        load_image(path)


def test_png_with_alpha_keeps_it(tmp_path: Path) -> None:
    rgba = np.zeros((120, 90, 4), np.uint8)
    rgba[30:90, 20:70] = (10, 20, 200, 255)
    path = tmp_path / "cut-out.png"
    cv2.imwrite(str(path), rgba)
    loaded = load_image(path)
    assert loaded.has_alpha and loaded.pixels.shape == (120, 90, 4) and loaded.format == "PNG"
    assert loaded.pixels[60, 40].tolist() == [10, 20, 200, 255]


def test_grey_16_bit_png_becomes_8_bit_bgr(tmp_path: Path) -> None:
    path = tmp_path / "grey16.png"
    cv2.imwrite(str(path), np.full((100, 80), 40000, np.uint16))
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.shape == (100, 80, 3)
    assert loaded.pixels[0, 0].tolist() == [156, 156, 156]
