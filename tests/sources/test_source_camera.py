"""Cameras: the missing-camera message on this machine, and the read loop against a fake device."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import SourceError
from app.sources import CameraSource, open_source
from app.sources import camera as camera_module


def test_unknown_camera_index_is_reported() -> None:
    with pytest.raises(SourceError) as caught:
        open_source("7")
    assert str(caught.value) == "camera 7: cannot be opened (no such camera?)"


class FakeCapture:
    """Stands in for cv2.VideoCapture: a 1280x720 camera that fails after `good_frames` reads."""

    def __init__(self, good_frames: int) -> None:
        self.good_frames = good_frames
        self.reads = 0
        self.props: dict[int, float] = {
            camera_module.cv2.CAP_PROP_FRAME_WIDTH: 1280.0,
            camera_module.cv2.CAP_PROP_FRAME_HEIGHT: 720.0,
            camera_module.cv2.CAP_PROP_FPS: 30.0,
        }
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def set(self, prop: int, value: float) -> bool:
        # Like a real driver, accept only the modes it has.
        if prop == camera_module.cv2.CAP_PROP_FRAME_WIDTH and value not in (640, 1280):
            return False
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.reads += 1
        if self.reads > self.good_frames:
            return False, None
        width = int(self.props[camera_module.cv2.CAP_PROP_FRAME_WIDTH])
        height = int(self.props[camera_module.cv2.CAP_PROP_FRAME_HEIGHT])
        return True, np.full((height, width), self.reads, dtype=np.uint8)  # grey camera

    def getBackendName(self) -> str:  # noqa: N802 (OpenCV's name)
        return "FAKE"

    def release(self) -> None:
        self.released = True


@pytest.fixture
def fake_camera(monkeypatch: pytest.MonkeyPatch):
    made: list[FakeCapture] = []

    def install(good_frames: int) -> list[FakeCapture]:
        def factory(index: int, backend: int) -> FakeCapture:
            made.append(FakeCapture(good_frames))
            return made[-1]

        monkeypatch.setattr(camera_module.cv2, "VideoCapture", factory)
        monkeypatch.setattr(camera_module, "LOST_AFTER_S", 0.05)
        monkeypatch.setattr(camera_module, "RETRY_PAUSE_S", 0.001)
        return made

    return install


def test_camera_frames_are_bgr_with_rising_timestamps(fake_camera) -> None:
    made = fake_camera(good_frames=100)
    with open_source("0", max_frames=3, camera_size=(640, 480)) as source:
        assert isinstance(source, CameraSource)
        assert (source.kind, source.is_stream, source.fps) == ("camera", True, 30.0)
        assert source.size == (640, 480)
        assert source.frame_count == 3  # bounded by max_frames, else None
        frames = list(source)
    assert made[0].released
    assert [frame.image.shape for frame in frames] == [(480, 640, 3)] * 3
    assert [int(frame.image[0, 0, 2]) for frame in frames] == [1, 2, 3]
    assert {frame.name for frame in frames} == {"camera0"}
    stamps = [frame.timestamp_s for frame in frames]
    assert stamps == sorted(stamps) and stamps[0] >= 0.0


def test_unbounded_camera_has_no_frame_count(fake_camera) -> None:
    fake_camera(good_frames=1)
    with CameraSource(0) as source:
        assert source.frame_count is None
        assert source.size == (1280, 720)


def test_camera_reports_the_size_it_really_delivers(fake_camera) -> None:
    fake_camera(good_frames=1)
    with CameraSource(0, size=(1920, 1080)) as source:  # the fake has no 1920 mode
        assert source.size == (1280, 1080)


def test_camera_that_stops_sending_is_reported_lost(fake_camera) -> None:
    fake_camera(good_frames=2)
    with CameraSource(0) as source:
        next(source)
        next(source)
        with pytest.raises(SourceError) as caught:
            next(source)
    assert str(caught.value) == "camera 0: lost (no frame for 0.05 s)"


def test_camera_that_never_sends_is_reported(fake_camera) -> None:
    fake_camera(good_frames=0)
    with CameraSource(2) as source, pytest.raises(SourceError) as caught:
        next(source)
    assert str(caught.value) == (
        "camera 2: sent no frame within 0.05 s of opening (is another program using it?)"
    )
