"""Frame sources: still images, image folders, video files, cameras and the built-in demo.

Every source yields `Frame`s ((H, W, 3) uint8 BGR images with index, media time and an output
name) and is opened from a user's spec with `open_source`. Failures a user can cause raise
`app.errors.SourceError` with one line naming the file or camera.
"""

from app.sources.base import NOMINAL_FPS, Frame, FrameSource, SourceKind
from app.sources.camera import CameraSource
from app.sources.demo import DemoSource
from app.sources.imagefile import IMAGE_EXTENSIONS, MAX_PIXELS, read_image
from app.sources.images import FolderSource, ImageSource
from app.sources.spec import open_source
from app.sources.video import VideoSource

__all__ = [
    "IMAGE_EXTENSIONS",
    "MAX_PIXELS",
    "NOMINAL_FPS",
    "CameraSource",
    "DemoSource",
    "FolderSource",
    "Frame",
    "FrameSource",
    "ImageSource",
    "SourceKind",
    "VideoSource",
    "open_source",
    "read_image",
]
