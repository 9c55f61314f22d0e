"""Sources in the window: no camera, a camera unplugged and plugged back in, switching sources."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.gui.settings_dialog import SettingsChoice
from app.gui.threads import LoopThread


def test_no_camera_offers_the_demo_instead_of_failing(qtbot, make_window, gui) -> None:
    kit = make_window(source=None)  # the remembered camera: camera 0, absent here
    window = kit.window
    offer = window.area.offer
    qtbot.waitUntil(offer.isVisible, timeout=5_000)
    assert offer.title.text() == "No camera found"
    assert offer.message.text() == "camera 0: cannot be opened (no such camera?)"
    assert window.view.current_frame is None
    qtbot.mouseClick(offer.demo_button, Qt.MouseButton.LeftButton)
    assert not offer.isVisible()
    gui.wait_for_frames(qtbot, window, 2)
    assert window.view.current_frame.frame.source_label == "demo"
    assert kit.opened_specs == ["0", "demo"]


def test_try_again_finds_a_camera_plugged_in_meanwhile(qtbot, make_window, gui) -> None:
    device = gui.FakeCameraDevice()
    device.unplug()
    window = make_window(source="0", sources=gui.demo_or_camera(device)).window
    qtbot.waitUntil(window.area.offer.isVisible, timeout=5_000)
    device.replug()
    qtbot.mouseClick(window.area.offer.retry_button, Qt.MouseButton.LeftButton)
    gui.wait_for_frames(qtbot, window, 2)
    assert not window.area.offer.isVisible()
    assert window.view.current_frame.frame.source_label == "camera 0"


def test_a_missing_video_says_so_in_the_window(qtbot, make_window) -> None:
    window = make_window(source="/no/such/video.mp4").window
    qtbot.waitUntil(window.area.offer.isVisible, timeout=5_000)
    assert window.area.offer.title.text() == "Cannot open the source"
    assert "no such file or folder" in window.area.offer.message.text()


def test_camera_lost_shows_reconnecting_and_recovers_when_it_returns(qtbot, make_window, gui) -> None:
    device = gui.FakeCameraDevice()
    window = make_window(source="0", sources=gui.demo_or_camera(device)).window
    gui.wait_for_frames(qtbot, window, 3)
    banner = window.area.banner
    device.unplug()
    qtbot.waitUntil(banner.isVisible, timeout=5_000)
    assert banner.text() == "Camera lost — reconnecting…"
    assert "camera 0: lost" in banner.toolTip()
    assert device.open_sources == 0  # the lost camera was released while waiting
    assert window.view.current_frame is not None  # the last picture stays up meanwhile
    device.replug()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5_000)
    assert "camera 0 is back" in window.area.toast.message
    gui.wait_for_frames(qtbot, window, 3)  # frames flow again
    assert device.open_sources == 1 and device.opened == 2


def test_a_shopper_the_garment_cannot_be_drawn_on_is_told_why_until_it_is(qtbot, make_window, gui) -> None:
    # Seen, but upside down (as someone turned away or too near the camera): no garment, and
    # after a second the banner says what to do; upright again, it goes.
    from app.gui.guidance import DRESSING_HINT

    device = gui.FakeCameraDevice()
    device.upside_down = True
    window = make_window(source="0", garment="tee-navy", sources=gui.demo_or_camera(device)).window
    banner = window.area.banner
    qtbot.waitUntil(lambda: banner.isVisible() and banner.text() == DRESSING_HINT, timeout=15_000)
    frame = window.view.current_frame
    assert frame.result.perception.pose.people and not frame.result.drawn
    device.upside_down = False
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=15_000)


def test_the_source_menu_switches_between_camera_and_demo(qtbot, make_window, gui) -> None:
    device = gui.FakeCameraDevice()
    kit = make_window(source="demo", sources=gui.demo_or_camera(device))
    window = kit.window
    gui.wait_for_frames(qtbot, window)
    window.action_map["source_camera"].trigger()
    qtbot.waitUntil(lambda: window.view.current_frame is not None
                    and window.view.current_frame.frame.source_label == "camera 0", timeout=5_000)
    window.action_map["source_demo"].trigger()
    qtbot.waitUntil(lambda: window.view.current_frame is not None
                    and window.view.current_frame.frame.source_label == "demo", timeout=5_000)
    assert device.open_sources == 0  # switching away released the camera
    assert LoopThread.running_threads() and len(LoopThread.running_threads()) == 2


def test_camera_choice_in_settings_reopens_and_is_remembered(qtbot, make_window, gui) -> None:
    device = gui.FakeCameraDevice()
    kit = make_window(source=None, sources=gui.demo_or_camera(device))
    window = kit.window
    gui.wait_for_frames(qtbot, window)
    previous = SettingsChoice(0, None, "cpu", False, False)
    window.apply_settings(SettingsChoice(1, (640, 480), "cpu", True, False), previous)
    qtbot.waitUntil(lambda: window.view.current_frame is not None
                    and window.view.current_frame.frame.source_label == "camera 1", timeout=5_000)
    assert kit.opened_specs[-1] == "1"
    window.close()
    again = make_window(source=None, sources=gui.demo_or_camera(device))
    assert again.settings.camera_index == 1 and again.settings.camera_size == (640, 480)
    assert again.settings.save_original
    qtbot.waitUntil(lambda: again.opened_specs == ["1"], timeout=5_000)


def test_a_video_plays_in_real_time_and_starts_over_at_its_end(qtbot, make_window, gui, tmp_path) -> None:
    import cv2

    from app.sources import DemoSource, open_source

    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, gui.FRAME_SIZE)
    for frame in DemoSource(size=gui.FRAME_SIZE, max_frames=6):
        writer.write(frame.image)
    writer.release()
    window = make_window(source=str(path), sources=lambda spec: open_source(spec)).window
    indices: list[int] = []
    window.session.frameReady.connect(lambda frame: indices.append(frame.frame.index))
    qtbot.waitUntil(lambda: len(indices) >= 12, timeout=10_000)
    assert max(indices) <= 5  # six frames, played again and again
    assert any(later < earlier for earlier, later in zip(indices, indices[1:]))
    assert window.status_labels["source"].text() == str(path)
