"""Still images and folders: decoding, the refusal of bad files, folder order and names."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import SourceError
from app.sources import FolderSource, ImageSource, open_source
from app.sources.imagefile import read_image


def pattern_image(width: int = 96, height: int = 64) -> np.ndarray:
    """(height, width, 3) uint8 BGR: smooth gradients and a red block, so JPEG keeps it close."""
    ys, xs = np.mgrid[0:height, 0:width]
    image = np.dstack(
        [xs * 255 // (width - 1), ys * 255 // (height - 1), np.full_like(xs, 100)]
    ).astype(np.uint8)
    cv2.rectangle(image, (10, 10), (width // 2, height // 2), (0, 0, 255), -1)
    return image


def encode(image: np.ndarray, ext: str) -> bytes:
    ok, data = cv2.imencode(ext, image)
    if not ok:
        raise RuntimeError(f"OpenCV cannot encode {ext}")
    return data.tobytes()


def write_image(path: Path, image: np.ndarray | None = None) -> Path:
    path.write_bytes(encode(pattern_image() if image is None else image, path.suffix.lower()))
    return path


FORMATS_TEXT = "JPEG, PNG, BMP, WebP or TIFF"
EXTENSIONS_TEXT = ".jpg, .jpeg, .png, .bmp, .webp, .tif, .tiff"


# --- single images ---------------------------------------------------------------------------


def test_image_source_yields_one_bgr_frame_named_after_the_file(tmp_path: Path) -> None:
    # A pure-blue pixel in BGR is (255, 0, 0); if channels were swapped it would read red.
    image = np.zeros((40, 50, 3), dtype=np.uint8)
    image[:, :, 0] = 255
    path = write_image(tmp_path / "photo.png", image)

    with open_source(str(path)) as source:
        assert isinstance(source, ImageSource)
        assert (source.kind, source.is_stream, source.frame_count, source.size) == (
            "image", False, 1, (50, 40)
        )
        frames = list(source)

    assert len(frames) == 1
    frame = frames[0]
    assert frame.image.shape == (40, 50, 3) and frame.image.dtype == np.uint8
    assert frame.image[0, 0].tolist() == [255, 0, 0]
    assert (frame.index, frame.timestamp_s, frame.name, frame.path) == (0, 0.0, "photo", path)


@pytest.mark.parametrize("ext", [".jpg", ".JPEG", ".png", ".bmp", ".webp", ".tif", ".TIFF"])
def test_every_listed_format_decodes(tmp_path: Path, ext: str) -> None:
    original = pattern_image()
    path = tmp_path / f"img{ext}"
    path.write_bytes(encode(original, ext.lower()))

    decoded = read_image(path)

    assert decoded.shape == original.shape and decoded.dtype == np.uint8
    lossy = ext.lower() in (".jpg", ".jpeg", ".webp")
    # Lossless formats give the pixels back exactly; lossy ones stay close on average.
    limit = 5.0 if lossy else 0.0
    assert np.abs(decoded.astype(int) - original.astype(int)).mean() <= limit


def test_content_decides_the_format_not_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "really_a_png.jpg"
    path.write_bytes(encode(pattern_image(), ".png"))
    assert np.array_equal(read_image(path), pattern_image())


def test_grey_and_16_bit_images_become_8_bit_bgr(tmp_path: Path) -> None:
    grey = np.tile(np.arange(0, 250, 5, dtype=np.uint8), (20, 1))
    grey_path = tmp_path / "grey.png"
    grey_path.write_bytes(encode(grey, ".png"))
    deep_path = tmp_path / "deep.png"
    deep_path.write_bytes(encode(grey.astype(np.uint16) * 257, ".png"))

    for path in (grey_path, deep_path):
        image = read_image(path)
        assert image.shape == (20, 50, 3) and image.dtype == np.uint8
        assert np.array_equal(image[:, :, 1], grey)


def test_text_file_named_jpg_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("this is not a picture\n")
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == f"{path}: not a readable image (not a {FORMATS_TEXT} file)"


def test_empty_image_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == f"{path}: not a readable image (empty file)"


@pytest.mark.parametrize(
    ("ext", "fmt"), [(".jpg", "JPEG"), (".png", "PNG"), (".webp", "WebP"), (".bmp", "BMP")]
)
def test_truncated_image_is_refused(tmp_path: Path, ext: str, fmt: str) -> None:
    # libjpeg would decode the first half of a cut JPEG and fill the rest with grey.
    data = encode(pattern_image(), ext)
    path = tmp_path / f"cut{ext}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == (
        f"{path}: not a readable image (truncated {fmt} file: it ends before the image does)"
    )


def test_truncated_tiff_is_refused(tmp_path: Path) -> None:
    # OpenCV writes the TIFF directory after the pixel data, so a cut file has lost it.
    data = encode(pattern_image(), ".tif")
    path = tmp_path / "cut.tif"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == f"{path}: not a readable image (damaged or truncated TIFF header)"


def test_jpeg_with_data_after_the_end_marker_is_accepted(tmp_path: Path) -> None:
    # Phones append motion clips or padding after the JPEG's end marker.
    path = tmp_path / "motion.jpg"
    path.write_bytes(encode(pattern_image(), ".jpg") + b"\x00" * 5000 + b"ftypmp42" * 100)
    assert read_image(path).shape == (64, 96, 3)


def _png_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(pattern_image(), ".png"))
    data[16:24] = struct.pack(">II", width, height)
    return bytes(data)


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(pattern_image(), ".jpg"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(("ext", "make"), [(".png", _png_claiming), (".jpg", _jpeg_claiming)])
def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path, ext: str, make) -> None:
    path = tmp_path / f"bomb{ext}"
    path.write_bytes(make(20000, 15000))
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == (
        f"{path}: image is 20000x15000 pixels (300 megapixels), more than the 100 megapixel "
        "limit; scale it down first"
    )


def test_image_at_the_pixel_limit_passes_the_header_check(tmp_path: Path) -> None:
    # 10000 x 10000 is exactly 100 MP: allowed by the size check, so the failure is the
    # decoder's (the patched header does not match the data), not the bomb guard.
    path = tmp_path / "limit.png"
    path.write_bytes(_png_claiming(10000, 10000))
    with pytest.raises(SourceError) as caught:
        read_image(path)
    assert "megapixel" not in str(caught.value)


def test_missing_path_is_reported(tmp_path: Path) -> None:
    spec = str(tmp_path / "nowhere" / "photo.jpg")
    with pytest.raises(SourceError) as caught:
        open_source(spec)
    assert str(caught.value) == f"{spec}: no such file or folder"


def test_empty_spec_is_refused() -> None:
    # Path("") is the current folder; an empty --source must not silently mean "images here".
    with pytest.raises(SourceError) as caught:
        open_source("  ")
    assert str(caught.value) == (
        "no source given: name an image, folder, video, camera number or demo"
    )


# --- folders ---------------------------------------------------------------------------------


def test_folder_yields_images_in_natural_name_order(tmp_path: Path) -> None:
    for name in ("b.png", "a.jpg", "C.PNG", "frame10.png", "frame2.bmp"):
        write_image(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "._a.jpg").write_bytes(b"\x00\x05\x16\x07")  # macOS resource fork
    (tmp_path / "sub.png").mkdir()  # a folder with an image-like name is not an image

    with open_source(str(tmp_path)) as source:
        assert isinstance(source, FolderSource)
        assert (source.kind, source.is_stream, source.frame_count, source.fps, source.size) == (
            "folder", False, 5, None, None
        )
        frames = list(source)

    assert [frame.path.name for frame in frames] == [
        "a.jpg", "b.png", "C.PNG", "frame2.bmp", "frame10.png"
    ]
    assert [frame.name for frame in frames] == ["a", "b", "C", "frame2", "frame10"]
    assert [frame.index for frame in frames] == [0, 1, 2, 3, 4]
    assert [frame.timestamp_s for frame in frames] == pytest.approx([i / 30 for i in range(5)])
    assert all(frame.image.shape == (64, 96, 3) for frame in frames)


def test_files_sharing_a_stem_get_distinct_names(tmp_path: Path) -> None:
    write_image(tmp_path / "look.jpg")
    write_image(tmp_path / "look.png")
    write_image(tmp_path / "other.png")
    with FolderSource(tmp_path) as source:
        assert sorted(frame.name for frame in source) == ["look_jpg", "look_png", "other"]


def test_bad_file_in_folder_raises_when_reached_and_iteration_can_go_on(tmp_path: Path) -> None:
    write_image(tmp_path / "1.png")
    bad = tmp_path / "2.jpg"
    data = encode(pattern_image(), ".jpg")
    bad.write_bytes(data[: len(data) // 2])
    write_image(tmp_path / "3.png")

    source = FolderSource(tmp_path)
    first = next(source)  # opening decodes nothing, so the bad file is only met here
    with pytest.raises(SourceError) as caught:
        next(source)
    third = next(source)
    with pytest.raises(StopIteration):
        next(source)
    source.close()

    assert first.name == "1"
    assert str(caught.value) == (
        f"{bad}: not a readable image (truncated JPEG file: it ends before the image does)"
    )
    # The good file after the bad one keeps its place in the listing.
    assert (third.name, third.index) == ("3", 2)


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("no pictures here")
    with pytest.raises(SourceError) as caught:
        open_source(str(tmp_path))
    assert str(caught.value) == f"{tmp_path}: folder has no images (looked for {EXTENSIONS_TEXT})"


def test_max_frames_bounds_a_folder(tmp_path: Path) -> None:
    for number in range(5):
        write_image(tmp_path / f"{number}.png")
    with open_source(str(tmp_path), max_frames=2) as source:
        assert source.frame_count == 2
        assert [frame.name for frame in source] == ["0", "1"]


def test_closed_source_cannot_be_iterated(tmp_path: Path) -> None:
    path = write_image(tmp_path / "x.png")
    with open_source(str(path)) as source:
        pass
    assert source.closed
    with pytest.raises(ValueError, match="closed"):
        next(source)


def test_jpeg_exif_orientation_is_applied(tmp_path: Path) -> None:
    # A phone photo stored landscape with "rotate 90" in its EXIF must come out portrait.
    jpeg = encode(pattern_image(96, 64), ".jpg")
    tiff_le = (
        b"II*\x00\x08\x00\x00\x00"  # header, first directory at offset 8
        + b"\x01\x00"  # one entry
        + struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0)  # Orientation = 6 (rotate 90 CW)
        + b"\x00\x00\x00\x00"  # no next directory
    )
    app1 = b"Exif\x00\x00" + tiff_le
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    path = tmp_path / "phone.jpg"
    path.write_bytes(jpeg[:2] + segment + jpeg[2:])
    assert read_image(path).shape == (96, 64, 3)
    assert cv2.imread(str(path), cv2.IMREAD_COLOR).shape == (96, 64, 3)
