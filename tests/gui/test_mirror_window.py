"""The mirror window end to end: catalog clicks, shortcuts, before/after, capture, close.

Each test runs the real pipeline on the demo person at 320x240 and checks what the view shows.
"""

from __future__ import annotations

import dataclasses
import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.gui.settings_dialog import SettingsChoice
from app.gui.threads import LoopThread
from app.pipeline.frame import FramePipeline


def changed_pixels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) bool: where two BGR frames differ by more than compression-level noise."""
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 24


def test_window_shows_the_first_garment_on_the_person(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    result = window.view.current_frame.result
    assert result.perception.pose.primary is not None
    drawn = changed_pixels(result.output, result.source)
    assert drawn.mean() > 0.02  # the garment covers part of the frame
    blue = result.output[drawn].mean(axis=0)
    assert blue[0] > blue[2]  # BGR: more blue than red where the garment was drawn
    assert window.panel.selected_id() == "blue-tee"


def test_clicking_a_thumbnail_changes_the_garment_in_the_next_rendered_frame(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    shown: list[str | None] = []
    window.session.frameReady.connect(lambda frame: shown.append(frame.result.garment_id))
    rect = window.panel.card_rect("red-tee")
    qtbot.mouseClick(window.panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.panel.selected_id() == "red-tee"  # the highlight moves at once
    qtbot.waitUntil(lambda: shown.count("red-tee") >= 3, timeout=10_000)
    first_red = shown.index("red-tee")
    # Frames already in flight when the click landed (at most one queued, one processing) may
    # still be blue; every frame after the first red one is red.
    assert first_red <= 2
    assert set(shown[first_red:]) == {"red-tee"}
    result = window.view.current_frame.result
    drawn = changed_pixels(result.output, result.source)
    red = result.output[drawn].mean(axis=0)
    assert red[2] > red[0]


def test_frames_overlap_by_default_and_the_setting_turns_it_off(qtbot, make_window, gui) -> None:
    """The mirror poses each frame beside the previous frame's render (OverlappedFrames) unless
    Settings says otherwise: the pipeline is rebuilt one frame at a time, and frames go on."""
    built: list[FramePipeline] = []

    def make(device: str, overlapped: bool) -> FramePipeline:
        built.append(FramePipeline("cpu", overlapped=overlapped))
        return built[-1]

    kit = make_window(pipeline=make)
    window = kit.window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    assert [pipeline.overlapped for pipeline in built] == [True]
    previous = SettingsChoice(0, None, "auto", False, False, False, True)
    window.apply_settings(dataclasses.replace(previous, overlap=False), previous)
    assert kit.settings.overlap is False
    qtbot.waitUntil(lambda: len(built) == 2, timeout=10_000)
    assert built[1].overlapped is False
    shown: list[FramePipeline] = []
    window.session.frameReady.connect(lambda frame: shown.append(frame))
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=10_000)
    result = shown[-1].result
    drawn = changed_pixels(result.output, result.source)
    assert drawn.mean() > 0.02 and result.garment_id == "blue-tee"


@pytest.mark.parametrize(("key", "expected"), [
    (Qt.Key.Key_A, "blue-tee"), (Qt.Key.Key_S, "green-tee"), (Qt.Key.Key_D, "red-tee"), (Qt.Key.Key_F, "yellow-tee"),
])
def test_asdf_pick_the_first_four_garments(qtbot, make_window, gui, key: Qt.Key, expected: str) -> None:
    window = make_window(garment="green-tee" if expected != "green-tee" else "red-tee").window
    qtbot.keyClick(window, key)
    assert window.panel.selected_id() == expected
    gui.wait_for_garment(qtbot, window, expected)


def test_arrows_and_n_p_cycle_through_the_catalog(qtbot, make_window) -> None:
    window = make_window(garment="blue-tee", start=True).window
    steps = [(Qt.Key.Key_Right, "green-tee"), (Qt.Key.Key_N, "red-tee"), (Qt.Key.Key_Left, "green-tee"),
             (Qt.Key.Key_P, "blue-tee"), (Qt.Key.Key_Left, "yellow-tee"), (Qt.Key.Key_Right, "blue-tee")]
    for key, expected in steps:
        qtbot.keyClick(window, key)
        assert window.panel.selected_id() == expected, key
        assert window.session.garment_id == expected


def test_m_toggles_the_mirror_and_the_view_flips_only_for_display(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_frames(qtbot, window)
    view = window.view
    assert view.mirrored  # the default
    frame = view.current_frame
    assert np.array_equal(view.displayed_bgr(), frame.result.output[:, ::-1])
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert not view.mirrored and not window.action_map["mirror"].isChecked()
    frame = view.current_frame
    assert np.array_equal(view.displayed_bgr(), frame.result.output)
    # The pipeline keeps seeing the camera's own frame: a person's left stays their left.
    gui.wait_for_frames(qtbot, window)
    assert window.view.current_frame.frame.image is window.view.current_frame.result.source
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert view.mirrored


def test_holding_space_shows_the_person_without_the_garment(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    view = window.view
    qtbot.keyPress(window, Qt.Key.Key_Space)
    assert view.show_original
    frame = view.current_frame
    assert np.array_equal(view.displayed_bgr(), frame.result.source[:, ::-1])
    # A held key auto-repeats as release/press pairs flagged auto-repeat: still held.
    for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):
        QApplication.sendEvent(window, QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ", True))
    gui.wait_for_frames(qtbot, window, 2)
    assert view.show_original
    qtbot.keyRelease(window, Qt.Key.Key_Space)
    assert not view.show_original
    frame = view.current_frame
    assert np.array_equal(view.displayed_bgr(), frame.result.output[:, ::-1])


def test_before_after_button_toggles_the_original(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    window.action_map["compare"].trigger()
    assert window.view.show_original
    frame = window.view.current_frame
    assert np.array_equal(window.view.displayed_bgr(), frame.result.source[:, ::-1])
    assert changed_pixels(frame.result.output, frame.result.source).mean() > 0.02  # there was a garment
    window.action_map["compare"].trigger()
    assert not window.view.show_original


def test_c_captures_a_png_that_matches_the_displayed_composite(qtbot, make_window, gui, _pictures_dir) -> None:
    window = make_window().window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    displayed = window.view.displayed_bgr()
    frame = window.view.current_frame
    qtbot.keyClick(window, Qt.Key.Key_C)  # handled before any other event: the same frame
    qtbot.waitUntil(lambda: getattr(window, "last_capture", None) is not None, timeout=5_000)
    path = window.last_capture.image_path
    assert path.parent == _pictures_dir and path.name.startswith("LiveFit_") and path.suffix == ".png"
    saved = cv2.imread(str(path))
    assert np.array_equal(saved, displayed)
    assert np.array_equal(saved, frame.result.output[:, ::-1])  # the composite, mirrored as shown
    assert window.area.toast.isVisible() and str(path) in window.area.toast.message


def test_capture_can_add_the_original_and_openpose_json(qtbot, make_window, gui) -> None:
    kit = make_window()
    window = kit.window
    kit.settings.save_original = True
    kit.settings.save_pose_json = True
    gui.wait_for_garment(qtbot, window, "blue-tee")
    frame = window.view.current_frame
    window.capture()
    qtbot.waitUntil(lambda: getattr(window, "last_capture", None) is not None, timeout=5_000)
    original, keypoints = window.last_capture.extra_paths
    assert np.array_equal(cv2.imread(str(original)), frame.result.source)  # as the camera saw it
    assert keypoints.name.endswith("_keypoints.json") and '"pose_keypoints_2d"' in keypoints.read_text()


def test_a_failed_capture_says_why_in_the_window(qtbot, make_window, gui, tmp_path) -> None:
    window = make_window().window
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the photo folder should be")
    window.pictures_dir = blocker
    gui.wait_for_frames(qtbot, window)
    window.capture()
    qtbot.waitUntil(lambda: window.area.toast.isVisible() and "Photo not saved" in window.area.toast.message,
                    timeout=5_000)
    assert str(blocker) in window.area.toast.message


def test_help_overlay_opens_with_question_mark_or_f1_and_escape_closes_it(qtbot, make_window) -> None:
    window = make_window(start=False).window
    help_overlay = window.area.help
    qtbot.keyClick(window, "?")
    assert help_overlay.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert not help_overlay.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert help_overlay.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # the first Esc closes the help, not the app
    assert not help_overlay.isVisible() and window.isVisible()


def test_f11_toggles_fullscreen(qtbot, make_window) -> None:
    window = make_window(start=False).window
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert window.action_map["fullscreen"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())


@pytest.mark.parametrize("key", [Qt.Key.Key_Q, Qt.Key.Key_Escape])
def test_q_and_escape_quit_and_stop_every_thread_promptly(qtbot, make_window, gui, key: Qt.Key) -> None:
    window = make_window().window
    gui.wait_for_frames(qtbot, window, 3)
    assert window.session.running()
    started = time.perf_counter()
    qtbot.keyClick(window, key)
    elapsed = time.perf_counter() - started
    assert not window.isVisible()
    assert not window.session.running() and LoopThread.running_threads() == []
    assert elapsed < 2.0  # the bound; it takes a few tens of ms here


def test_closing_releases_the_camera(qtbot, make_window, gui) -> None:
    device = gui.FakeCameraDevice()
    window = make_window(source="0", sources=gui.demo_or_camera(device)).window
    gui.wait_for_frames(qtbot, window, 3)
    assert device.open_sources == 1
    window.close()
    assert device.open_sources == 0 and LoopThread.running_threads() == []


def test_keys_and_clicks_are_handled_while_the_pipeline_is_stuck(qtbot, make_window, gui) -> None:
    """The GUI thread never waits for the worker: with a frame stuck in the pipeline, keys still work."""
    from app.pipeline.frame import FramePipeline

    release = __import__("threading").Event()
    entered = __import__("threading").Event()

    class StuckPipeline(FramePipeline):
        def process(self, frame_bgr, timestamp_s=None):
            result = super().process(frame_bgr, timestamp_s)
            if self.renderer.garment is not None and self.renderer.garment.id == "red-tee":
                entered.set()
                release.wait(10)  # far slower than the camera
            return result

    window = make_window(pipeline=lambda device, overlapped: StuckPipeline("cpu")).window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    qtbot.keyClick(window, Qt.Key.Key_D)  # red: the next frame gets stuck in the pipeline
    qtbot.waitUntil(entered.is_set, timeout=5_000)
    painted = window.stats.painted
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert not window.view.mirrored
    rect = window.panel.card_rect("yellow-tee")
    qtbot.mouseClick(window.panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.panel.selected_id() == "yellow-tee"
    qtbot.keyClick(window, "?")
    assert window.area.help.isVisible()
    assert not release.is_set() and window.stats.painted == painted  # the worker is still stuck
    release.set()
    gui.wait_for_garment(qtbot, window, "yellow-tee")
    assert window.stats.snapshot().dropped > 0  # the camera kept going; old frames were dropped


def test_settings_are_remembered_between_runs(qtbot, make_window, gui) -> None:
    kit = make_window()
    window = kit.window
    gui.wait_for_frames(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_D)
    qtbot.keyClick(window, Qt.Key.Key_M)
    window.resize(700, 500)  # fits the offscreen screen (800x600)
    window.close()
    again = make_window(source="demo").window
    assert again.panel.selected_id() == "red-tee"
    assert not again.view.mirrored and not again.action_map["mirror"].isChecked()
    assert (again.width(), again.height()) == (700, 500)
    gui.wait_for_garment(qtbot, again, "red-tee")


def test_status_line_reports_fps_latency_stages_dropped_and_device(qtbot, make_window, gui) -> None:
    window = make_window().window
    gui.wait_for_frames(qtbot, window, 5)
    qtbot.waitUntil(lambda: window.status_labels["device"].text() == "CPU", timeout=5_000)
    qtbot.waitUntil(lambda: "fps" in window.status_labels["fps"].text(), timeout=2_000)
    assert window.status_labels["latency"].text().startswith("latency ")
    stages = window.status_labels["stages"].text()
    assert all(stage in stages for stage in ("pose", "parse", "warp", "compose"))
    assert window.status_labels["dropped"].text().endswith("dropped")
    assert window.status_labels["source"].text() == "demo"
