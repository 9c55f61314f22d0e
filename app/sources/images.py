"""Still images as frame sources: one image file, or a folder of them.

Each frame is independent (`is_stream` False): no tracking or smoothing carries over from one
photo to the next. A folder is listed once when opened and each file is decoded only when
iteration reaches it, so a damaged photo raises `SourceError` naming that file at that moment;
calling `next()` again continues with the following file (the front end decides whether to skip
or stop).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from app.errors import SourceError
from app.sources.base import NOMINAL_FPS, Frame, FrameSource
from app.sources.imagefile import IMAGE_EXTENSIONS, is_image_path, read_image

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders "frame2" before "frame10" and ignores case, as file managers do.

    Each run of digits compares as a number, each other run as case-folded text; the tag in
    front of every part keeps numbers and text comparable.
    """
    parts = _DIGITS.split(name.casefold())
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in parts if part)


def list_images(folder: Path) -> list[Path]:
    """Image files directly in `folder` (not sub-folders), in natural name order.

    Hidden files are skipped: macOS leaves "._photo.jpg" resource forks beside copied photos,
    which carry an image extension but no image.
    """
    try:
        entries = list(folder.iterdir())
    except OSError as error:
        raise SourceError(f"{folder}: cannot list folder ({error.strerror or error})") from error
    images = [
        entry
        for entry in entries
        if not entry.name.startswith(".") and is_image_path(entry) and entry.is_file()
    ]
    return sorted(images, key=lambda path: (natural_key(path.name), path.name))


def output_names(paths: list[Path]) -> list[str]:
    """Output stem per file: the file's stem, or stem_ext where two files share a stem."""
    stems = Counter(path.stem for path in paths)
    return [
        path.stem if stems[path.stem] == 1 else f"{path.stem}_{path.suffix.lstrip('.').lower()}"
        for path in paths
    ]


class ImageSource(FrameSource):
    """A single image file, decoded (and checked) when the source is opened."""

    kind = "image"
    is_stream = False

    def __init__(self, path: Path, *, max_frames: int | None = None) -> None:
        self.path = Path(path)
        self._image = read_image(self.path)
        height, width = self._image.shape[:2]
        super().__init__(
            label=str(self.path), fps=None, frame_count=1, size=(width, height),
            max_frames=max_frames,
        )
        self._done = False

    def _read_next(self) -> Frame:
        if self._done:
            raise StopIteration
        self._done = True
        return Frame(
            image=self._image, index=0, timestamp_s=0.0, name=self.path.stem, path=self.path
        )


class FolderSource(FrameSource):
    """The images directly inside a folder, in natural name order (see `natural_key`)."""

    kind = "folder"
    is_stream = False

    def __init__(self, folder: Path, *, max_frames: int | None = None) -> None:
        self.folder = Path(folder)
        self.paths: tuple[Path, ...] = tuple(list_images(self.folder))
        if not self.paths:
            raise SourceError(
                f"{self.folder}: folder has no images (looked for {', '.join(IMAGE_EXTENSIONS)})"
            )
        self.names: tuple[str, ...] = tuple(output_names(list(self.paths)))
        super().__init__(
            label=str(self.folder), fps=None, frame_count=len(self.paths), size=None,
            max_frames=max_frames,
        )
        self._position = 0

    def _read_next(self) -> Frame:
        if self._position >= len(self.paths):
            raise StopIteration
        index = self._position
        # Advance before decoding, so that after a SourceError the next call moves on.
        self._position += 1
        path = self.paths[index]
        return Frame(
            image=read_image(path),
            index=index,
            timestamp_s=index / NOMINAL_FPS,
            name=self.names[index],
            path=path,
        )
