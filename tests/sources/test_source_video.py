"""Video files: properties, timestamps, frame content, limits and refusals."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import SourceError
from app.sources import VideoSource, open_source

CLIP_FPS = 10.0
CLIP_FRAMES = 12
CLIP_SIZE = (160, 120)  # (width, height)


@pytest.fixture
def clip_path(tmp_path: Path) -> Path:
    """A CLIP_FRAMES-frame MJPG .avi at CLIP_FPS; frame i is flat grey of level 20 * i."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), CLIP_FPS, CLIP_SIZE)
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MJPG .avi")
    width, height = CLIP_SIZE
    for index in range(CLIP_FRAMES):
        writer.write(np.full((height, width, 3), 20 * index, dtype=np.uint8))
    writer.release()
    return path


def test_video_properties_and_timestamps(clip_path: Path) -> None:
    with open_source(str(clip_path)) as source:
        assert isinstance(source, VideoSource)
        assert (source.kind, source.is_stream) == ("video", True)
        assert source.fps == pytest.approx(CLIP_FPS)
        assert source.frame_count == CLIP_FRAMES
        assert source.size == CLIP_SIZE
        frames = list(source)

    assert len(frames) == CLIP_FRAMES
    assert [frame.index for frame in frames] == list(range(CLIP_FRAMES))
    assert [frame.timestamp_s for frame in frames] == pytest.approx(
        [index / CLIP_FPS for index in range(CLIP_FRAMES)]
    )
    assert {frame.name for frame in frames} == {"clip"}
    assert all(frame.path is None for frame in frames)
    width, height = CLIP_SIZE
    for index, frame in enumerate(frames):
        assert frame.image.shape == (height, width, 3) and frame.image.dtype == np.uint8
        # Frame i was written as flat grey 20 * i; MJPG keeps a flat field within a few levels.
        assert abs(float(frame.image.mean()) - 20 * index) < 3


def test_max_frames_bounds_a_video(clip_path: Path) -> None:
    with open_source(str(clip_path), max_frames=5) as source:
        assert source.frame_count == 5
        frames = list(source)
    assert [frame.index for frame in frames] == [0, 1, 2, 3, 4]


def test_max_frames_beyond_the_end_stops_at_the_end(clip_path: Path) -> None:
    with open_source(str(clip_path), max_frames=100) as source:
        assert source.frame_count == CLIP_FRAMES
        assert len(list(source)) == CLIP_FRAMES


def test_max_frames_must_be_positive(clip_path: Path) -> None:
    with pytest.raises(ValueError, match="max_frames"):
        open_source(str(clip_path), max_frames=0)


def test_garbage_video_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "video.avi"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(SourceError) as caught:
        open_source(str(path))
    assert str(caught.value) == (
        f"{path}: cannot be opened as a video "
        "(not a video file, or a format this OpenCV build cannot decode)"
    )


def test_file_without_image_extension_is_tried_as_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(SourceError, match=r"notes\.txt: cannot be opened as a video"):
        open_source(str(path))


def test_real_720p_video_from_shared_data(shared_data: Path) -> None:
    path = shared_data / "people" / "videos" / "openpose_video.avi"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with open_source(str(path), max_frames=3) as source:
        assert source.size == (1280, 720)
        frames = list(source)
    assert [frame.image.shape for frame in frames] == [(720, 1280, 3)] * 3
    assert frames[1].timestamp_s == pytest.approx(1 / source.fps)
