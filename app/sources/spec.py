"""`open_source`: turn what the user typed (`--source ...`) into a frame source.

The spec is read in this order:

- `demo` → the bundled animated demo person (`DemoSource`);
- a string of digits such as `0` → that camera (`CameraSource`);
- an existing folder → the images in it (`FolderSource`);
- an existing file with an image extension (see `IMAGE_EXTENSIONS`) → that image (`ImageSource`);
- any other existing file → a video (`VideoSource`).

A file literally named `demo` or `0` in the working folder is reached as `./demo` or `./0`.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import SourceError
from app.sources.base import FrameSource
from app.sources.camera import CameraSource
from app.sources.demo import DemoSource
from app.sources.imagefile import is_image_path
from app.sources.images import FolderSource, ImageSource
from app.sources.video import VideoSource

DEMO_SPEC = "demo"


def open_source(
    spec: str,
    *,
    max_frames: int | None = None,
    camera_size: tuple[int, int] | None = None,
) -> FrameSource:
    """Open the source named by `spec` (rules in the module docstring).

    `max_frames` stops iteration after that many frames (None: to the end, or forever for a
    camera and the demo). `camera_size` (width, height) is requested from a camera and ignored
    by every other kind. Every failure a user can cause is a one-line `SourceError`.
    """
    if not spec.strip():
        raise SourceError("no source given: name an image, folder, video, camera number or demo")
    if spec == DEMO_SPEC:
        return DemoSource(max_frames=max_frames)
    if spec.isascii() and spec.isdigit():
        return CameraSource(int(spec), size=camera_size, max_frames=max_frames)
    path = Path(spec).expanduser()
    if path.is_dir():
        return FolderSource(path, max_frames=max_frames)
    if path.is_file():
        if is_image_path(path):
            return ImageSource(path, max_frames=max_frames)
        return VideoSource(path, max_frames=max_frames)
    if path.exists():
        raise SourceError(f"{spec}: not a file or folder")
    raise SourceError(f"{spec}: no such file or folder")
