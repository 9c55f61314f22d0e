"""Decoding one still image safely: look at what the file claims before decoding it.

Photos handed to the mirror come from anywhere. Before any pixel is decoded the header is read to
learn the format and the pixel count, so a "decompression bomb" (a small file that claims 50000 x
50000 pixels) is refused from a few bytes. A file that ends before the image does is refused too:
libjpeg decodes a cut-off JPEG "successfully", with a warning on stderr and the missing part
filled with grey, which would silently feed a half-grey person to the pipeline.

The format is sniffed from the content, not the extension (a PNG saved as .jpg is fine).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from app.errors import SourceError

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
"""Lower-case file extensions taken as still images (compared case-insensitively)."""

MAX_PIXELS = 100_000_000
"""Refused above this (width x height from the header): ~300 MB decoded, far above any photo."""
MAX_FILE_BYTES = 512 * 1024 * 1024
"""Never read a bigger file into memory (a 100 MP uncompressed TIFF is ~300 MB)."""

_FORMATS_TEXT = "JPEG, PNG, BMP, WebP or TIFF"

# JPEG start-of-frame markers (baseline, extended, progressive, lossless, arithmetic variants).
_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
_JPEG_SOS = 0xDA
_JPEG_EOI = b"\xff\xd9"
# Markers that stand alone (no length field): TEM, RST0-7, SOI.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})

_TIFF_WIDTH, _TIFF_HEIGHT = 256, 257
_TIFF_STRIP_OFFSETS, _TIFF_STRIP_BYTES = 273, 279
_TIFF_TILE_OFFSETS, _TIFF_TILE_BYTES = 324, 325
_TIFF_TYPE_SIZES = {3: 2, 4: 4}  # SHORT, LONG: the only types these tags may use


class _DamagedError(ValueError):
    """The header or structure of a file is not what its format requires."""


def sniff_format(head: bytes) -> str | None:
    """Format name from the first 16 bytes of a file, or None when it is none we decode."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def _jpeg_info(data: bytes) -> tuple[int, int, bool]:
    """(width, height, complete) from the marker segments before the first scan."""
    pos = 2
    size: tuple[int, int] | None = None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise _DamagedError("damaged JPEG header")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _JPEG_SOF and size is None and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = (width, height)
        if marker == _JPEG_SOS:
            if size is None:
                raise _DamagedError("damaged JPEG header (no frame header before the image data)")
            # Entropy-coded data escapes every 0xFF (as FF00 or a restart marker), so the first
            # FFD9 after the first scan is the real end of image; anything after it (a phone's
            # appended motion clip, padding) does not matter.
            return size[0], size[1], data.find(_JPEG_EOI, pos) >= 0
        pos += 2 + length
    if size is None:
        raise _DamagedError("damaged JPEG header")
    return size[0], size[1], False


def _png_info(data: bytes) -> tuple[int, int, bool]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise _DamagedError("damaged PNG header")
    width, height = struct.unpack(">II", data[16:24])
    # Walk the chunk list (length, type, data, CRC) to IEND: a cut-off file runs out first.
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IEND":
            return width, height, True
        pos += 12 + length
    return width, height, False


def _bmp_info(data: bytes) -> tuple[int, int, bool]:
    if len(data) < 26:
        raise _DamagedError("damaged BMP header")
    (declared,) = struct.unpack("<I", data[2:6])
    (header_size,) = struct.unpack("<I", data[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<hh", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    # Some writers leave the declared file size 0; only a file shorter than it claims is cut off.
    return abs(width), abs(height), declared == 0 or len(data) >= declared


def _webp_info(data: bytes) -> tuple[int, int, bool]:
    (riff_size,) = struct.unpack("<I", data[4:8])
    complete = len(data) >= riff_size + 8
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        width, height = width & 0x3FFF, height & 0x3FFF
    else:
        raise _DamagedError("damaged WebP header")
    return width, height, complete


def _tiff_info(data: bytes) -> tuple[int, int, bool]:
    """Size and completeness of the first page (the one OpenCV decodes) of a classic TIFF."""
    order = "<" if data[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack(order + "I", data[4:8])
        (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
        tags: dict[int, tuple[int, ...]] = {}
        for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
            tag, kind, n = struct.unpack(order + "HHI", data[entry : entry + 8])
            item = _TIFF_TYPE_SIZES.get(kind)
            if item is None:
                continue
            if n * item <= 4:  # small values sit in the entry itself
                where = entry + 8
            else:
                (where,) = struct.unpack(order + "I", data[entry + 8 : entry + 12])
            if where + n * item > len(data):
                raise _DamagedError("damaged or truncated TIFF header")
            code = "H" if item == 2 else "I"
            tags[tag] = struct.unpack(f"{order}{n}{code}", data[where : where + n * item])
    except struct.error as error:
        raise _DamagedError("damaged or truncated TIFF header") from error
    if _TIFF_WIDTH not in tags or _TIFF_HEIGHT not in tags:
        raise _DamagedError("damaged TIFF header (no image size)")
    offsets = tags.get(_TIFF_STRIP_OFFSETS) or tags.get(_TIFF_TILE_OFFSETS) or ()
    lengths = tags.get(_TIFF_STRIP_BYTES) or tags.get(_TIFF_TILE_BYTES) or ()
    if not offsets or len(offsets) != len(lengths):
        raise _DamagedError("damaged TIFF header (no image data table)")
    end = max(offset + length for offset, length in zip(offsets, lengths, strict=True))
    return tags[_TIFF_WIDTH][0], tags[_TIFF_HEIGHT][0], len(data) >= end


_INFO_READERS: dict[str, Callable[[bytes], tuple[int, int, bool]]] = {
    "JPEG": _jpeg_info,
    "PNG": _png_info,
    "BMP": _bmp_info,
    "WebP": _webp_info,
    "TIFF": _tiff_info,
}


def read_image_bytes(path: Path) -> bytes:
    """The file's bytes; SourceError when it is missing, unreadable, empty or huge."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(
                f"{path}: file is {size // (1024 * 1024)} MB, more than the "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit for an image"
            )
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise SourceError(f"{path}: no such file or folder") from error
    except IsADirectoryError as error:
        raise SourceError(f"{path}: is a folder, not an image") from error
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    if not data:
        raise SourceError(f"{path}: not a readable image (empty file)")
    return data


def decode_image(path: Path, data: bytes) -> np.ndarray:
    """Decode the bytes of the image file `path` after the header, size and completeness checks.

    Returns (H, W, 3) uint8 BGR. Grey images are expanded to three channels, 16-bit samples are
    reduced to 8 bits, an alpha channel is dropped, and a JPEG's EXIF orientation is applied (all
    by OpenCV's IMREAD_COLOR). Raises SourceError, naming `path`, for anything unusable.
    """
    fmt = sniff_format(data[:16])
    if fmt is None:
        if data[:4] == b"II+\x00" or data[:4] == b"MM\x00+":
            raise SourceError(f"{path}: not a readable image (BigTIFF is not supported)")
        raise SourceError(f"{path}: not a readable image (not a {_FORMATS_TEXT} file)")
    try:
        width, height, complete = _INFO_READERS[fmt](data)
    except (_DamagedError, struct.error) as error:
        reason = str(error) if isinstance(error, _DamagedError) else f"damaged {fmt} header"
        raise SourceError(f"{path}: not a readable image ({reason})") from error
    if width * height > MAX_PIXELS:
        raise SourceError(
            f"{path}: image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), "
            f"more than the {MAX_PIXELS // 1_000_000} megapixel limit; scale it down first"
        )
    if width == 0 or height == 0:
        raise SourceError(f"{path}: not a readable image (header says {width}x{height} pixels)")
    if not complete:
        raise SourceError(
            f"{path}: not a readable image (truncated {fmt} file: it ends before the image does)"
        )
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"{path}: not a readable image (corrupt {fmt} data)")
    return np.ascontiguousarray(image)


def read_image(path: Path) -> np.ndarray:
    """Read and decode an image file: (H, W, 3) uint8 BGR; one-line SourceError on failure."""
    return decode_image(path, read_image_bytes(path))


def is_image_path(path: Path) -> bool:
    """Whether the file name has one of `IMAGE_EXTENSIONS` (any case)."""
    return path.suffix.lower() in IMAGE_EXTENSIONS
