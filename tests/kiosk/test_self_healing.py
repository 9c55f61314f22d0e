"""Out of order and back: a lost camera, no camera at all, a stalled or crashed pipeline, an
unexpected exception. Each time the kiosk shows its out-of-order screen (or keeps going), retries
by itself and comes back without anybody touching it."""

from __future__ import annotations

import threading

import numpy as np

from app.gui.logsetup import ExceptionHook
from app.kiosk.machine import Mode
from app.pipeline.frame import FramePipeline, FrameResult


def test_a_lost_camera_shows_out_of_order_and_the_mirror_comes_back(qtbot, make_kiosk, camera, kiosk) -> None:
    window = make_kiosk()
    kiosk.wait_for_frames(qtbot, window)
    assert window.controller.mode is Mode.LIVE and window.indicator.on
    camera.plugged = False
    qtbot.waitUntil(lambda: window.controller.mode is Mode.OUT_OF_ORDER, timeout=5_000)
    assert window.out_of_order.isVisible() and "camera lost" in window.out_of_order.detail
    assert not window.indicator.on
    camera.plugged = True
    qtbot.waitUntil(lambda: window.controller.mode is Mode.LIVE, timeout=10_000)
    assert not window.out_of_order.isVisible() and window.indicator.on
    kiosk.wait_for_frames(qtbot, window, 3)


def test_without_a_camera_the_kiosk_keeps_trying_until_one_is_plugged_in(qtbot, make_kiosk, camera, kiosk) -> None:
    camera.plugged = False
    window = make_kiosk()
    qtbot.waitUntil(lambda: window.controller.mode is Mode.OUT_OF_ORDER, timeout=5_000)
    qtbot.waitUntil(lambda: len(window.session.source_spec or "") > 0 and not window.session.capture_running,
                    timeout=5_000)
    camera.plugged = True
    qtbot.waitUntil(lambda: window.controller.mode is Mode.LIVE, timeout=10_000)
    assert camera.opened == 1
    kiosk.wait_for_frames(qtbot, window, 3)


class HangingPipeline(FramePipeline):
    """The first pipeline made hangs inside `process` once `hang` is set, until `release` is."""

    made = 0

    def __init__(self, hang: threading.Event, release: threading.Event) -> None:
        super().__init__("cpu")
        self.number = HangingPipeline.made
        HangingPipeline.made += 1
        self.hang, self.release = hang, release

    def process(self, frame_bgr: np.ndarray, timestamp_s: float | None = None) -> FrameResult:
        if self.number == 0 and self.hang.is_set():
            self.release.wait(30)
        return super().process(frame_bgr, timestamp_s)


def test_a_stalled_pipeline_is_replaced_and_the_kiosk_recovers(qtbot, make_kiosk, kiosk) -> None:
    hang, release = threading.Event(), threading.Event()
    HangingPipeline.made = 0
    window = make_kiosk(pipeline=lambda device, overlapped: HangingPipeline(hang, release))
    try:
        kiosk.wait_for_frames(qtbot, window)
        hang.set()
        qtbot.waitUntil(lambda: window.controller.mode is Mode.OUT_OF_ORDER, timeout=5_000)
        assert window.out_of_order.isVisible() and "no picture" in window.out_of_order.detail
        qtbot.waitUntil(lambda: window.controller.mode is Mode.LIVE, timeout=15_000)
        assert window.controller.machine.restarts == 1
        assert HangingPipeline.made == 2
        kiosk.wait_for_frames(qtbot, window, 3)
    finally:
        release.set()  # the stuck worker finishes its frame and ends; `stop()` joins it


def test_a_pipeline_that_crashes_is_restarted_not_the_kiosk(qtbot, make_kiosk, kiosk) -> None:
    attempts: list[int] = []

    def make(device: str, overlapped: bool) -> FramePipeline:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("model exploded")  # not a LiveFitError: a bug, the thread dies
        return FramePipeline("cpu")

    window = make_kiosk(pipeline=make)
    qtbot.waitUntil(lambda: window.controller.mode is Mode.OUT_OF_ORDER, timeout=10_000)
    qtbot.waitUntil(lambda: window.controller.mode is Mode.LIVE, timeout=15_000)
    assert len(attempts) == 2 and window.controller.machine.restarts == 1
    kiosk.wait_for_frames(qtbot, window, 3)


def test_an_unexpected_exception_restarts_the_pipeline_and_the_kiosk_goes_on(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    kiosk.wait_for_frames(qtbot, window)
    hook = ExceptionHook(on_error=window.controller.on_unexpected_error, show_dialog=False)
    error = ZeroDivisionError("division by zero")
    hook(ZeroDivisionError, error, None)  # what Qt hands sys.excepthook for an error in a slot
    hook(ZeroDivisionError, error, None)  # a burst restarts once
    assert window.controller.machine.restarts == 1
    assert hook.errors == ["ZeroDivisionError: division by zero"] * 2
    kiosk.wait_for_frames(qtbot, window, 3)
    assert window.isVisible() and window.controller.mode is Mode.LIVE
