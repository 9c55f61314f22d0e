"""Safe loading of garment photos: check what a file claims to be before decoding it.

A product photo comes from anywhere, so the format and pixel count are read from the file header
first: a 30000x30000 "decompression bomb" is refused from a few bytes, never decoded. Truncated
files are refused too (OpenCV would silently decode half an image and fill the rest with grey).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.errors import GarmentError

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PIXELS = 40_000_000
"""About 7700x5200: larger than any product photo, far below what would exhaust memory."""
MIN_SIDE = 64
SUPPORTED = ("PNG", "JPEG", "WebP", "BMP")

# Formats recognised only to name them in the error message.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, int, str], ...] = (
    (b"GIF8", 0, "GIF"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"%PDF", 0, "PDF"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"ftypavif", 4, "AVIF"),
    (b"8BPS", 0, "Photoshop PSD"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
)
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_TAIL_SLACK = 1024
"""Bytes after the end marker tolerated as padding (some cameras and editors append some)."""


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo.

    `pixels`: (H, W, 3) BGR or (H, W, 4) BGRA, uint8, as OpenCV orders channels.
    `has_alpha`: True when `pixels` has a 4th (alpha) channel.
    """

    pixels: np.ndarray
    format: str
    path: Path

    @property
    def has_alpha(self) -> bool:
        return self.pixels.shape[2] == 4


def sniff_format(head: bytes) -> str | None:
    """The supported format named by the file's magic bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head.startswith(b"BM"):
        return "BMP"
    return None


def _unsupported_name(head: bytes) -> str | None:
    for magic, offset, name in _KNOWN_UNSUPPORTED:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ValueError("PNG header is damaged")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            raise ValueError("JPEG header is damaged")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise ValueError("JPEG has no frame header")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise ValueError("WebP header is damaged")


def _bmp_size(data: bytes) -> tuple[int, int]:
    if len(data) < 26:
        raise ValueError("BMP header is damaged")
    width, height = struct.unpack("<ii", data[18:26])
    return abs(width), abs(height)


_SIZE_READERS = {"PNG": _png_size, "JPEG": _jpeg_size, "WebP": _webp_size, "BMP": _bmp_size}


def _is_complete(fmt: str, data: bytes) -> bool:
    """Whether the file ends where its format says it ends (a cut-off download does not)."""
    if fmt == "PNG":
        return b"IEND" in data[-(12 + _TAIL_SLACK) :]
    if fmt == "JPEG":
        return b"\xff\xd9" in data[-(2 + _TAIL_SLACK) :]
    if fmt == "WebP":
        (riff_size,) = struct.unpack("<I", data[4:8])
        return len(data) >= riff_size + 8
    if fmt == "BMP":
        (declared,) = struct.unpack("<I", data[2:6])
        return declared == 0 or len(data) >= declared
    return False


def read_header(path: Path, data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header; GarmentError for anything unusable."""
    fmt = sniff_format(data[:16])
    if fmt is None:
        other = _unsupported_name(data[:16])
        if other:
            raise GarmentError(
                f"{path}: unsupported image format ({other}); use {', '.join(SUPPORTED)}"
            )
        raise GarmentError(f"{path}: not an image (expected {', '.join(SUPPORTED)})")
    try:
        width, height = _SIZE_READERS[fmt](data)
    except (ValueError, struct.error) as error:
        raise GarmentError(f"{path}: damaged {fmt} file ({error})") from error
    return fmt, width, height


def check_dimensions(path: Path, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise GarmentError(
            f"{path}: image is {width}x{height} pixels, more than the {MAX_PIXELS // 1_000_000} "
            "megapixel limit; scale it down first"
        )
    if min(width, height) < MIN_SIDE:
        raise GarmentError(
            f"{path}: image is {width}x{height} pixels, too small to find a garment "
            f"(at least {MIN_SIDE} px per side)"
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing missing, unreadable and oversized files."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise GarmentError(f"{path}: no such file") from error
    except OSError as error:
        raise GarmentError(f"{path}: cannot read ({error.strerror})") from error
    if not path.is_file():
        raise GarmentError(f"{path}: not a file")
    if size > MAX_FILE_BYTES:
        raise GarmentError(
            f"{path}: file is {size // (1024 * 1024)} MB, more than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit"
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise GarmentError(f"{path}: cannot read ({error.strerror})") from error


def _to_8bit_bgr_or_bgra(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        raise ValueError(f"unsupported sample type {pixels.dtype}")
    if pixels.ndim == 2:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 1:
        return cv2.cvtColor(pixels[:, :, 0], cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 2:  # grey + alpha
        bgr = cv2.cvtColor(pixels[:, :, 0], cv2.COLOR_GRAY2BGR)
        return np.dstack([bgr, pixels[:, :, 1]])
    return pixels


def decode(path: Path, data: bytes) -> LoadedImage:
    """Decode `data` (the bytes of `path`) after the header, size and completeness checks."""
    fmt, width, height = read_header(path, data)
    check_dimensions(path, width, height)
    if not _is_complete(fmt, data):
        raise GarmentError(f"{path}: truncated {fmt} file (it ends before the image does)")
    # JPEG: IMREAD_COLOR applies the EXIF orientation a phone camera writes; JPEG has no alpha.
    flag = cv2.IMREAD_COLOR if fmt == "JPEG" else cv2.IMREAD_UNCHANGED
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if pixels is None:
        raise GarmentError(f"{path}: could not decode the {fmt} data (corrupt file)")
    try:
        pixels = _to_8bit_bgr_or_bgra(pixels)
    except ValueError as error:
        raise GarmentError(f"{path}: {error}") from error
    return LoadedImage(pixels=np.ascontiguousarray(pixels), format=fmt, path=path)


def load_image(path: Path) -> LoadedImage:
    """Read and decode a photo; every failure is a one-line GarmentError naming the file."""
    path = Path(path)
    return decode(path, read_bytes(path))
