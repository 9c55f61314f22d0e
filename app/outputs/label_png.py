"""Label maps as 8-bit palette PNGs: pixel value = CIHP id, colours = the LIP palette.

OpenCV cannot write palette PNGs, and a whole imaging library for one chunk type is not worth a
dependency, so the PNG is assembled here (signature, IHDR, PLTE, IDAT, IEND).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from app.errors import InputShapeError
from app.outputs.atomic import write_bytes_atomic
from models.parsing.labels import lip_palette

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE_PALETTE = 3


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_label_png(labels: np.ndarray, palette: np.ndarray | None = None) -> bytes:
    """PNG bytes for an (H, W) uint8 label map; palette (N, 3) uint8 RGB (default: LIP, 256 entries padded)."""
    if labels.ndim != 2 or labels.dtype != np.uint8:
        raise InputShapeError(f"a label map must be (H, W) uint8, got {labels.shape} {labels.dtype}")
    colours = lip_palette() if palette is None else palette
    full = np.zeros((256, 3), np.uint8)
    full[: len(colours)] = colours
    height, width = labels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPE_PALETTE, 0, 0, 0)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), labels], 1)  # filter byte 0 per row
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"PLTE", full.tobytes())
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))


def write_label_png(path: Path, labels: np.ndarray) -> None:
    write_bytes_atomic(path, encode_label_png(labels))
