"""Safe loading of garment photos: check what a file claims to be before decoding it.

A product photo comes from anywhere, so the format and pixel count are read from the file header
first: a 30000x30000 "decompression bomb" is refused from a few bytes, never decoded. Truncated
files are refused too (OpenCV would silently decode half an image and fill the rest with grey).
The format facts (sniffing, header size, completeness) are `app.imageformat`'s; this module holds
the garment policy: four formats, 40 MP and 64 px limits, alpha kept, GarmentError messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.errors import GarmentError
from app.imageformat import HeaderError, ImageInfo, image_info, sniff_format

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PIXELS = 40_000_000
"""About 7700x5200: larger than any product photo, far below what would exhaust memory."""
MIN_SIDE = 64
SUPPORTED = ("PNG", "JPEG", "WebP", "BMP")
"""Of `app.imageformat.FORMATS`; the others (TIFF) are named as unsupported."""

# Further formats recognised only to name them in the error message.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, int, str], ...] = (
    (b"GIF8", 0, "GIF"),
    (b"%PDF", 0, "PDF"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"ftypavif", 4, "AVIF"),
    (b"8BPS", 0, "Photoshop PSD"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
)


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


def _unsupported_name(head: bytes) -> str | None:
    for magic, offset, name in _KNOWN_UNSUPPORTED:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def _read_info(path: Path, data: bytes) -> tuple[str, ImageInfo]:
    """(format, header facts) of the bytes of `path`; GarmentError for anything unusable."""
    fmt = sniff_format(data[:16])
    if fmt is None or fmt not in SUPPORTED:
        other = fmt or _unsupported_name(data[:16])
        if other:
            raise GarmentError(
                f"{path}: unsupported image format ({other}); use {', '.join(SUPPORTED)}"
            )
        raise GarmentError(f"{path}: not an image (expected {', '.join(SUPPORTED)})")
    try:
        info = image_info(fmt, data)
    except HeaderError as error:
        # Garment messages keep their own wording ("PNG header is damaged"), not the shared text.
        problem = f"{fmt} has no frame header" if error.no_size else f"{fmt} header is damaged"
        raise GarmentError(f"{path}: damaged {fmt} file ({problem})") from error
    return fmt, info


def read_header(path: Path, data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header; GarmentError for anything unusable."""
    fmt, info = _read_info(path, data)
    return fmt, info.width, info.height


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
    """Decode `data` (the bytes of `path`) after the header, size and completeness checks.

    `pixels` of the result: (H, W, 3) uint8 BGR, or (H, W, 4) uint8 BGRA when the file has alpha.
    """
    fmt, info = _read_info(path, data)
    check_dimensions(path, info.width, info.height)
    if not info.complete:
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
