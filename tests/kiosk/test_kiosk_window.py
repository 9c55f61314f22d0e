"""The kiosk end to end (offscreen, fake camera, real pipeline at 320x240, short timeouts):
attract → live → reset, privacy, the locked exit, touch sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.kiosk.config import CameraConfig, CaptureConfig
from app.kiosk.machine import Mode
from app.kiosk.pinpad import MAX_ATTEMPTS
from app.pipeline.frame import FramePipeline

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".npy"}


def click_card(qtbot, window, garment_id: str) -> None:
    rect = window.carousel.card_rect(garment_id)
    assert rect.isValid(), garment_id
    qtbot.mouseClick(window.carousel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def enter_pin(qtbot, window, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(window.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.pad.keys["OK"], Qt.MouseButton.LeftButton)


def admin_combination(qtbot, window) -> None:
    modifiers = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                 | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, Qt.Key.Key_K, modifiers)


# --- attract → live → reset -----------------------------------------------------------------


def test_attract_then_live_when_a_person_steps_in_then_reset_when_they_leave(qtbot, make_kiosk, camera,
                                                                             kiosk) -> None:
    camera.present = False
    window = make_kiosk()
    qtbot.waitUntil(lambda: window.controller.mode is Mode.ATTRACT, timeout=15_000)
    assert window.attract.isVisible() and window.attract.slides  # the catalog loop
    assert window.indicator.on  # the camera stays on to see people coming: the light says so

    camera.present = True
    qtbot.waitUntil(lambda: window.controller.mode is Mode.LIVE, timeout=5_000)
    assert not window.attract.isVisible()
    kiosk.wait_for_garment(qtbot, window, "blue-tee")  # the default: first of the carousel

    click_card(qtbot, window, "red-tee")
    kiosk.wait_for_garment(qtbot, window, "red-tee")
    window.capture()
    assert window.photo.has_photo

    camera.present = False  # the shopper walks away: reset, then the attract screen
    qtbot.waitUntil(lambda: window.session.garment_id == "blue-tee", timeout=10_000)
    assert not window.photo.has_photo
    assert window.carousel.selected_id() == "blue-tee"
    qtbot.waitUntil(lambda: window.controller.mode is Mode.ATTRACT, timeout=10_000)
    kiosk.wait_for_garment(qtbot, window, "blue-tee")


def test_a_shopper_the_garment_cannot_be_drawn_on_is_told_why(qtbot, make_kiosk, camera) -> None:
    from app.gui.guidance import DRESSING_HINT

    camera.upside_down = True  # seen, but not facing the mirror upright: no garment
    window = make_kiosk()
    banner = window.area.banner
    qtbot.waitUntil(lambda: banner.isVisible() and banner.text() == DRESSING_HINT, timeout=15_000)
    assert window.controller.mode is Mode.LIVE
    camera.upside_down = False
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=15_000)


def test_a_touch_on_the_attract_screen_resumes_the_mirror(qtbot, make_kiosk, camera) -> None:
    camera.present = False
    window = make_kiosk()
    qtbot.waitUntil(lambda: window.controller.mode is Mode.ATTRACT, timeout=15_000)
    qtbot.mouseClick(window.attract, Qt.MouseButton.LeftButton)
    assert window.controller.mode is Mode.LIVE and not window.attract.isVisible()


def test_the_carousel_follows_the_config_order_and_default(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk(kiosk.config(garments=("yellow-tee", "red-tee"), default_garment="red-tee"))
    assert window.carousel.ids() == ["yellow-tee", "red-tee"]
    kiosk.wait_for_garment(qtbot, window, "red-tee")
    qtbot.mouseClick(window.carousel.next_button, Qt.MouseButton.LeftButton)
    kiosk.wait_for_garment(qtbot, window, "yellow-tee")



@pytest.mark.parametrize("mirror", [True, False])
def test_the_config_asks_for_print_that_reads_right_in_the_mirror(qtbot, make_kiosk, kiosk, mirror: bool) -> None:
    pipelines: list[FramePipeline] = []

    def pipeline(device: str, overlapped: bool) -> FramePipeline:
        pipelines.append(FramePipeline("cpu"))
        return pipelines[-1]

    camera = CameraConfig(source="0", device="cpu", mirror=mirror, mirror_print=True)
    window = make_kiosk(kiosk.config(camera=camera), pipeline=pipeline)
    kiosk.wait_for_frames(qtbot, window, 1)
    assert window.view.mirrored is mirror
    assert pipelines[-1].renderer.mirror_print is mirror  # only a mirrored picture gets a mirrored garment

# --- privacy --------------------------------------------------------------------------------


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    folders = {name: tmp_path / name for name in ("home", "data", "pictures", "log", "cache")}
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("HOME", str(folders["home"]))
    monkeypatch.setenv("LIVEFIT_DATA_DIR", str(folders["data"]))
    monkeypatch.setenv("LIVEFIT_PICTURES_DIR", str(folders["pictures"]))
    monkeypatch.setenv("LIVEFIT_LOG_DIR", str(folders["log"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folders["cache"]))
    return folders


def test_by_default_a_photo_is_shown_then_dropped_and_nothing_is_written(qtbot, make_kiosk, kiosk, private_home,
                                                                          tmp_path: Path) -> None:
    before = _files(tmp_path)
    window = make_kiosk()
    kiosk.wait_for_garment(qtbot, window, "blue-tee")
    qtbot.mouseClick(window.capture_button, Qt.MouseButton.LeftButton)
    assert window.photo.isVisible() and window.photo.has_photo
    assert window.photos_taken == 1
    qtbot.waitUntil(lambda: not window.photo.has_photo, timeout=5_000)  # show_seconds = 1
    assert not window.photo.isVisible()
    kiosk.wait_for_frames(qtbot, window, 3)
    written = _files(tmp_path) - before
    assert not written, f"kiosk wrote {sorted(map(str, written))}"
    for folder in private_home.values():
        assert not [p for p in _files(folder) if p.suffix.lower() in IMAGE_SUFFIXES]


def test_a_photo_is_saved_only_when_the_config_enables_it(qtbot, make_kiosk, kiosk, private_home) -> None:
    folder = private_home["pictures"] / "kiosk"
    window = make_kiosk(kiosk.config(capture=CaptureConfig(countdown_seconds=0, show_seconds=1, save=True,
                                                           folder=folder)))
    kiosk.wait_for_garment(qtbot, window, "blue-tee")
    window.capture()
    # The save is atomic (a hidden temporary file renamed into place), so wait for the PNG itself;
    # generous: on a loaded CI machine the photo waits for the next frame and a background save.
    qtbot.waitUntil(lambda: any(path.suffix == ".png" for path in _files(folder)), timeout=15_000)
    assert [path.suffix for path in _files(folder)] == [".png"]  # exactly one photo, nothing else


def test_the_countdown_comes_before_the_photo(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk(kiosk.config(capture=CaptureConfig(countdown_seconds=1, show_seconds=1)))
    kiosk.wait_for_frames(qtbot, window)
    window.capture()
    assert window.capture_button.text() == "1…" and not window.photo.has_photo
    qtbot.waitUntil(lambda: window.photo.has_photo, timeout=3_000)


# --- locked ---------------------------------------------------------------------------------


def test_closing_and_desktop_keys_are_refused_while_locked(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    kiosk.wait_for_frames(qtbot, window)
    assert window.isFullScreen()
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    window.close()
    assert window.isVisible()
    for key, modifiers in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
                           (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
                           (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
                           (Qt.Key.Key_Q, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(window, key, modifiers)
    assert window.isVisible() and window.isFullScreen() and not window.pad.isVisible()
    window.showNormal()  # e.g. the window manager's un-maximise
    qtbot.waitUntil(window.isFullScreen, timeout=2_000)
    assert window.session.running()


def test_the_admin_combination_and_pin_unlock_the_exit(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    kiosk.wait_for_frames(qtbot, window)
    admin_combination(qtbot, window)
    assert window.pad.isVisible()
    enter_pin(qtbot, window, "1111")
    assert window.pad.status.text() == "Wrong PIN" and not window.pad.unlocked
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc closes the pad, not the kiosk
    assert not window.pad.isVisible() and window.isVisible()
    admin_combination(qtbot, window)
    for digit in kiosk.PIN:  # the keyboard works on the pad as well
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{digit}"))
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.pad.unlocked and window.pad.quit_button.isVisible()
    qtbot.mouseClick(window.pad.quit_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert not window.session.running()


def test_too_many_wrong_pins_lock_the_pad(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    admin_combination(qtbot, window)
    for _ in range(MAX_ATTEMPTS):
        enter_pin(qtbot, window, "0000")
    enter_pin(qtbot, window, kiosk.PIN)  # even the right PIN waits out the lockout
    assert not window.pad.unlocked
    assert window.pad.status.text().startswith("Too many wrong PINs")


def test_the_admin_can_leave_and_return_to_full_screen(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    admin_combination(qtbot, window)
    enter_pin(qtbot, window, kiosk.PIN)
    qtbot.mouseClick(window.pad.fullscreen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.isVisible() and not window.isFullScreen(), timeout=2_000)
    assert not window.pad.isVisible()
    window.close()  # windowed, but still locked
    assert window.isVisible()
    admin_combination(qtbot, window)
    enter_pin(qtbot, window, kiosk.PIN)
    assert window.pad.fullscreen_button.text() == "Back to full screen"
    qtbot.mouseClick(window.pad.fullscreen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.isFullScreen, timeout=2_000)


def test_the_cursor_is_hidden_until_the_mouse_moves(qtbot, make_kiosk) -> None:
    window = make_kiosk()
    cursor = QApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    qtbot.mouseMove(window, QPoint(200, 200))
    qtbot.mouseMove(window, QPoint(220, 210))
    qtbot.waitUntil(lambda: not window.lock.cursor_hidden, timeout=2_000)
    window.lock.hide_cursor()  # what the idle timer does after CURSOR_IDLE_S
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    window.close_unlocked()
    assert QApplication.overrideCursor() is None


def test_every_control_is_a_touch_sized_target(qtbot, make_kiosk, kiosk) -> None:
    window = make_kiosk()
    admin_combination(qtbot, window)
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible()]
    assert len(buttons) > 10  # capture, arrows, PIN keys, cancel
    small = [(b.text() or b.accessibleName(), b.width(), b.height()) for b in buttons
             if b.width() < 48 or b.height() < 48]
    assert not small
    card = window.carousel.card_rect("blue-tee")
    assert card.width() >= 48 and card.height() >= 48
