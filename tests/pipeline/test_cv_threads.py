"""LIVEFIT_CV_THREADS: OpenCV's thread count, and the message for a value that is not one."""

from __future__ import annotations

import cv2
import pytest

from app.errors import DeviceError
from app.pipeline.cv_threads import ENV, configure_opencv_threads


@pytest.fixture
def restore_opencv_threads():
    before = cv2.getNumThreads()
    yield
    cv2.setNumThreads(before)


def test_the_variable_sets_opencvs_threads(monkeypatch, restore_opencv_threads) -> None:
    monkeypatch.setenv(ENV, "1")
    assert configure_opencv_threads() == 1 == cv2.getNumThreads()


def test_unset_leaves_opencvs_own_choice(monkeypatch, restore_opencv_threads) -> None:
    monkeypatch.delenv(ENV, raising=False)
    before = cv2.getNumThreads()
    assert configure_opencv_threads() == before


@pytest.mark.parametrize("value", ["0", "-2", "four"])
def test_a_value_that_is_no_thread_count_says_what_to_give(monkeypatch, restore_opencv_threads, value) -> None:
    monkeypatch.setenv(ENV, value)
    with pytest.raises(DeviceError, match=f"{ENV}='{value}': give a whole number of threads, 1 or more"):
        configure_opencv_threads()
