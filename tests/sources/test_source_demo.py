"""The built-in demo stream: size, determinism, motion, and the person staying in frame."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.sources import DemoSource, open_source
from app.sources.demo import BACKDROP_BGR


def _frame(source: DemoSource, index: int) -> np.ndarray:
    return next(itertools.islice(source, index, None)).image


def test_demo_is_an_endless_720p_stream() -> None:
    with open_source("demo") as source:
        assert isinstance(source, DemoSource)
        assert (source.kind, source.is_stream, source.frame_count) == ("demo", True, None)
        assert (source.size, source.fps) == ((1280, 720), 30.0)
        frames = list(itertools.islice(source, 3))
    assert [frame.image.shape for frame in frames] == [(720, 1280, 3)] * 3
    assert all(frame.image.dtype == np.uint8 for frame in frames)
    assert [frame.index for frame in frames] == [0, 1, 2]
    assert [frame.timestamp_s for frame in frames] == pytest.approx([0, 1 / 30, 2 / 30])
    assert {frame.name for frame in frames} == {"demo"}


def test_demo_frames_are_deterministic() -> None:
    with DemoSource() as first, DemoSource() as second:
        assert np.array_equal(_frame(first, 5), _frame(second, 5))
        assert np.array_equal(first.render(5), second.render(5))


def test_demo_moves() -> None:
    with DemoSource() as source:
        frame0, frame15 = source.render(0), source.render(15)
    difference = np.abs(frame0.astype(np.int16) - frame15.astype(np.int16))
    assert difference.mean() > 5.0


def test_demo_photo_stays_inside_the_frame_over_a_full_cycle() -> None:
    with DemoSource() as source:
        width, height = source.size
        corners = np.array([[0, 0, 1], [511, 0, 1], [0, 511, 1], [511, 511, 1]], dtype=float).T
        # 22 s covers the sway (4 s) and zoom (5.5 s) periods together; every 5th frame.
        for index in range(0, 30 * 22, 5):
            x, y = source.transform(index) @ corners
            assert x.min() >= 0 and x.max() <= width - 1
            assert y.min() >= 0 and y.max() <= height - 1
        # Outside the photo is the flat backdrop.
        assert source.render(7)[0, 0].tolist() == list(BACKDROP_BGR)
        assert source.render(7)[height - 1, width - 1].tolist() == list(BACKDROP_BGR)


def test_demo_other_size_and_max_frames() -> None:
    with DemoSource(size=(640, 360), fps=15.0, max_frames=4) as source:
        assert source.frame_count == 4
        frames = list(source)
    assert len(frames) == 4
    assert frames[0].image.shape == (360, 640, 3)
    assert frames[3].timestamp_s == pytest.approx(3 / 15)


def test_demo_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError, match="at least 16x16"):
        DemoSource(size=(0, 720))
