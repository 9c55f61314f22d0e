"""What an image file says about itself: its format, its pixel size, and whether it is whole.

Both image readers (frame sources in `app.sources.imagefile`, garment photos in
`app.garments.imageio`) look at a file before decoding it: the header gives the pixel count, so a
"decompression bomb" (a small file claiming 50000 x 50000 pixels) is refused from a few bytes,
and the structure shows whether the file ends before the image does (libjpeg decodes a cut-off
JPEG "successfully" and fills the missing part with grey). Those format facts live here, once.

Pure: bytes in, plain values out, no file access and no LiveFit errors. A header that is not what
its format requires raises `HeaderError` (a ValueError) whose text names the problem; each caller
wraps it in its own typed error with the file name, and applies its own limits and supported
formats. The format is sniffed from the content, never the extension (a PNG saved as .jpg is fine).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import NamedTuple

FORMATS: tuple[str, ...] = ("JPEG", "PNG", "BMP", "WebP", "TIFF")
"""Every name `sniff_format` returns."""

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


class HeaderError(ValueError):
    """The header or structure of a file is not what its format requires.

    `str()` is the problem, e.g. "damaged PNG header". `no_size` is True when the structure read
    fine as far as it went but never gave the image size (a JPEG without a frame header before
    its data or its end, a TIFF without width and height), as opposed to bytes that break the
    format's rules; callers with older wording for that case tell the two apart by it.
    """

    def __init__(self, problem: str, *, no_size: bool = False) -> None:
        super().__init__(problem)
        self.no_size = no_size


class ImageInfo(NamedTuple):
    """What the header says: `width` x `height` pixels; `complete` is False for a cut-off file."""

    width: int
    height: int
    complete: bool


def sniff_format(head: bytes) -> str | None:
    """Format name (one of `FORMATS`) from the first 16 bytes of a file, or None for any other."""
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


def image_info(fmt: str, data: bytes) -> ImageInfo:
    """Size and completeness of `data`, the whole file, which `sniff_format` named `fmt`.

    Reads only headers and structure (a few bytes, plus a scan for the JPEG end marker); never
    decodes pixels. Raises HeaderError when the header is damaged or too short to hold a size.
    """
    try:
        return _INFO_READERS[fmt](data)
    except struct.error as error:  # a field cut off mid-way: the header is shorter than it says
        raise HeaderError(f"damaged {fmt} header") from error


def _jpeg_info(data: bytes) -> ImageInfo:
    """From the marker segments before the first scan; complete when an end marker follows it."""
    pos = 2
    size: tuple[int, int] | None = None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise HeaderError("damaged JPEG header")
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
                raise HeaderError(
                    "damaged JPEG header (no frame header before the image data)", no_size=True
                )
            # Entropy-coded data escapes every 0xFF (as FF00 or a restart marker), so the first
            # FFD9 after the first scan is the real end of image; anything after it (a phone's
            # appended motion clip, padding) does not matter. Searching from the scan skips the
            # end marker of an EXIF thumbnail, which sits in a segment before it.
            return ImageInfo(size[0], size[1], data.find(_JPEG_EOI, pos) >= 0)
        pos += 2 + length
    if size is None:  # the file ends before any frame header
        raise HeaderError("damaged JPEG header", no_size=True)
    return ImageInfo(size[0], size[1], False)


def _png_info(data: bytes) -> ImageInfo:
    """IHDR holds the size; complete when the chunk list reaches IEND."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise HeaderError("damaged PNG header")
    width, height = struct.unpack(">II", data[16:24])
    # Walk the chunk list (length, type, data, CRC) rather than look for the bytes "IEND": those
    # can occur inside compressed data, and a cut-off file runs out before the real IEND chunk.
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IEND":
            return ImageInfo(width, height, True)
        pos += 12 + length
    return ImageInfo(width, height, False)


def _bmp_info(data: bytes) -> ImageInfo:
    """Size from the info header (16-bit in the OS/2 one); complete when the file is as long as
    the file header declares."""
    if len(data) < 26:
        raise HeaderError("damaged BMP header")
    (declared,) = struct.unpack("<I", data[2:6])
    (header_size,) = struct.unpack("<I", data[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<hh", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    # A negative height marks a top-down bitmap, not a size. Some writers leave the declared file
    # size 0; only a file shorter than it claims is cut off.
    return ImageInfo(abs(width), abs(height), declared == 0 or len(data) >= declared)


def _webp_info(data: bytes) -> ImageInfo:
    """Size from the first chunk (extended, lossless or lossy); complete when the file is as long
    as the RIFF header declares."""
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
        width, height = width & 0x3FFF, height & 0x3FFF  # the top 2 bits are a scale, not size
    else:
        raise HeaderError("damaged WebP header")
    return ImageInfo(width, height, complete)


def _tiff_info(data: bytes) -> ImageInfo:
    """Size and completeness of the first page (the one OpenCV decodes) of a classic TIFF:
    complete when every strip or tile of it lies inside the file."""
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
                raise HeaderError("damaged or truncated TIFF header")
            code = "H" if item == 2 else "I"
            tags[tag] = struct.unpack(f"{order}{n}{code}", data[where : where + n * item])
    except struct.error as error:
        # A cut file usually has lost the directory: OpenCV, like many writers, puts it last.
        raise HeaderError("damaged or truncated TIFF header") from error
    if _TIFF_WIDTH not in tags or _TIFF_HEIGHT not in tags:
        raise HeaderError("damaged TIFF header (no image size)", no_size=True)
    offsets = tags.get(_TIFF_STRIP_OFFSETS) or tags.get(_TIFF_TILE_OFFSETS) or ()
    lengths = tags.get(_TIFF_STRIP_BYTES) or tags.get(_TIFF_TILE_BYTES) or ()
    if not offsets or len(offsets) != len(lengths):
        raise HeaderError("damaged TIFF header (no image data table)")
    end = max(offset + length for offset, length in zip(offsets, lengths, strict=True))
    return ImageInfo(tags[_TIFF_WIDTH][0], tags[_TIFF_HEIGHT][0], len(data) >= end)


_INFO_READERS: dict[str, Callable[[bytes], ImageInfo]] = {
    "JPEG": _jpeg_info,
    "PNG": _png_info,
    "BMP": _bmp_info,
    "WebP": _webp_info,
    "TIFF": _tiff_info,
}
