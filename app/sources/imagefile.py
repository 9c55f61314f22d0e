"""Decoding one still image safely: look at what the file claims before decoding it.

Photos handed to the mirror come from anywhere. Before any pixel is decoded the header is read to
learn the format and the pixel count, so a "decompression bomb" (a small file that claims 50000 x
50000 pixels) is refused from a few bytes. A file that ends before the image does is refused too:
libjpeg decodes a cut-off JPEG "successfully", with a warning on stderr and the missing part
filled with grey, which would silently feed a half-grey person to the pipeline.

The format is sniffed from the content, not the extension (a PNG saved as .jpg is fine). The
format facts (sniffing, header size, completeness) are `app.imageformat`'s; this module holds the
frame-source policy: all five formats, a 100 MP limit, BGR only, SourceError messages.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.errors import SourceError
from app.imageformat import HeaderError, image_info, sniff_format

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
"""Lower-case file extensions taken as still images (compared case-insensitively)."""

MAX_PIXELS = 100_000_000
"""Refused above this (width x height from the header): ~300 MB decoded, far above any photo."""
MAX_FILE_BYTES = 512 * 1024 * 1024
"""Never read a bigger file into memory (a 100 MP uncompressed TIFF is ~300 MB)."""

_FORMATS_TEXT = "JPEG, PNG, BMP, WebP or TIFF"


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
        width, height, complete = image_info(fmt, data)
    except HeaderError as error:
        raise SourceError(f"{path}: not a readable image ({error})") from error
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
