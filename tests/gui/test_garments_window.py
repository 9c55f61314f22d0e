"""Garments from the window: the editor (drag, save, preview) and adding photos (dialog, drop)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.garments import sidecar as sidecars

SHOULDER_SHIFT = 120
"""How far (garment pixels) the test drags the wearer's left shoulder outwards: far enough that
the fitted garment visibly changes (the renderer fits the hem to the wearer, so the shoulders
are what moves it most)."""
CHANGED_SHARE = 0.005
"""Share of pixels that must differ (by more than noise) for "the render changed"; a still
camera frame renders the same garment identically, and this edit changes ~1.5% of them."""


def _settled_output(qtbot, window, gui) -> np.ndarray:
    """The composite of a still camera after tracking and smoothing have settled."""
    gui.wait_for_frames(qtbot, window, 12)
    return window.view.current_frame.result.output.astype(np.int16)


def _changed_share(window, before: np.ndarray) -> float:
    output = window.view.current_frame.result.output.astype(np.int16)
    return float((np.abs(output - before).max(axis=2) > 24).mean())


def test_dragging_a_landmark_and_saving_changes_the_sidecar_and_the_render(qtbot, make_window, gui, catalog) -> None:
    device = gui.FakeCameraDevice(still=True)  # the same frame again and again: only the garment changes
    window = make_window(source="0", garment="red-tee", sources=gui.demo_or_camera(device)).window
    gui.wait_for_garment(qtbot, window, "red-tee")
    before = _settled_output(qtbot, window, gui)
    assert _changed_share(window, before) == 0.0  # a still frame renders identically

    window.action_map["edit_garment"].trigger()
    dialog = window.editor
    qtbot.waitExposed(dialog)
    canvas = dialog.canvas
    old = catalog.find("red-tee")
    old_point = sidecars.read(old.sidecar_path).landmarks["shoulder_left"]
    scale = canvas.photo_rect().width() / dialog.edit.size[0]
    shift = round(SHOULDER_SHIFT * scale)
    start = canvas.landmark_position("shoulder_left").toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 7):
        qtbot.mouseMove(canvas, start + QPoint(shift * step // 6, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(shift, 0))
    moved = dialog.edit.state.landmarks["shoulder_left"]
    assert abs(moved[0] - old_point[0] - shift / scale) < 2 / scale
    assert abs(moved[1] - old_point[1]) < 2 / scale

    # The edit is previewed on the mirror before it is saved.
    qtbot.waitUntil(lambda: _changed_share(window, before) > CHANGED_SHARE, timeout=10_000)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    saved = sidecars.read(old.sidecar_path)
    assert saved.landmarks["shoulder_left"] == (round(moved[0], 1), round(moved[1], 1))
    assert saved.detection["method"] == "edited"
    # After saving, the mirror renders the garment as stored: with the moved shoulder.
    gui.wait_for_frames(qtbot, window, 2)
    _settled_output(qtbot, window, gui)
    assert _changed_share(window, before) > CHANGED_SHARE


def test_editor_undo_and_cancel_leave_the_sidecar_alone(qtbot, make_window, gui, catalog) -> None:
    window = make_window(garment="blue-tee").window
    gui.wait_for_garment(qtbot, window, "blue-tee")
    entry = catalog.find("blue-tee")
    text = entry.sidecar_path.read_text()
    window.edit_garment()
    dialog = window.editor
    canvas = dialog.canvas
    start = canvas.landmark_position("shoulder_right").toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(-30, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(-30, 0))
    dialog.threshold.setValue(40)
    assert dialog.edit.can_undo
    dialog.activateWindow()  # Ctrl+Z is the dialog's shortcut: it must be the active window
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.edit.state.threshold == 0
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.edit.state.landmarks == sidecars.read(entry.sidecar_path).landmarks
    assert not dialog.undo_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert entry.sidecar_path.read_text() == text
    gui.wait_for_garment(qtbot, window, "blue-tee")


def test_editor_refuses_to_save_swapped_sides_and_says_why(qtbot, make_window, catalog) -> None:
    window = make_window(garment="green-tee", start=False).window
    window.refresh_catalog()
    window.panel.select("green-tee")
    window.edit_garment()
    dialog = window.editor
    edit = dialog.edit
    left, right = edit.state.landmarks["hem_left"], edit.state.landmarks["hem_right"]
    edit.move_landmark("hem_left", *right)
    edit.move_landmark("hem_right", *left)
    text = catalog.find("green-tee").sidecar_path.read_text()
    assert not dialog.save()
    assert dialog.isVisible() and "hem_left is not to the image right of hem_right" in dialog.message.text()
    assert catalog.find("green-tee").sidecar_path.read_text() == text
    dialog.reject()


def test_editor_eraser_and_name_and_category(qtbot, make_window, catalog) -> None:
    window = make_window(garment="yellow-tee", start=False).window
    window.refresh_catalog()
    window.panel.select("yellow-tee")
    window.edit_garment()
    dialog = window.editor
    canvas = dialog.canvas
    covered = int(np.count_nonzero(dialog.edit.mask()))
    dialog.eraser_check.setChecked(True)
    middle = canvas.to_widget(384, 600).toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(canvas, middle + QPoint(20, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=middle + QPoint(20, 0))
    assert np.count_nonzero(dialog.edit.mask()) < covered
    dialog.name_edit.setFocus()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "Sunny tank")
    dialog.category_box.setCurrentIndex(dialog.category_box.findData("sleeveless"))
    assert dialog.save()
    saved = sidecars.read(catalog.find("yellow-tee").sidecar_path)
    assert (saved.name, saved.category, saved.sleeve_kind.value) == ("Sunny tank", "sleeveless", "none")
    assert not any(name.startswith("sleeve_") for name in saved.landmarks)
    qtbot.waitUntil(lambda: "Sunny tank" in window.panel.list.model().item(3).text(), timeout=2_000)


def test_add_garment_imports_selects_and_renders_it(qtbot, make_window, gui, tmp_path) -> None:
    window = make_window().window
    gui.wait_for_frames(qtbot, window)
    photo = gui.draw_tee(tmp_path / "Purple top.png", (160, 40, 140), sleeveless=True)
    window.import_garments([photo])
    qtbot.waitUntil(lambda: window.panel.selected_id() == "purple-top", timeout=10_000)
    assert "purple-top" in window.panel.ids()
    assert "Added “Purple top”" in window.area.toast.message
    gui.wait_for_garment(qtbot, window, "purple-top")


def _drop(window, files: list) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    at = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(at.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return True


def test_dropping_a_photo_on_the_window_adds_it(qtbot, make_window, gui, tmp_path) -> None:
    window = make_window(start=False).window
    window.refresh_catalog()
    photo = gui.draw_tee(tmp_path / "teal.png", (150, 150, 20))
    assert not _drop(window, [tmp_path / "notes.txt"])  # not an image: refused at the door
    assert _drop(window, [photo])
    qtbot.waitUntil(lambda: window.panel.selected_id() == "teal", timeout=10_000)


def test_a_photo_that_cannot_be_imported_says_why_in_the_window(qtbot, make_window, gui, tmp_path) -> None:
    window = make_window(start=False).window
    window.refresh_catalog()
    blank = tmp_path / "blank.png"
    gui.draw_tee(blank, (255, 255, 255))  # white on white: no garment to find
    window.import_garments([blank])
    qtbot.waitUntil(lambda: "no garment found" in window.area.toast.message, timeout=10_000)
    assert str(blank) in window.area.toast.message
    assert window.panel.ids() == ["blue-tee", "green-tee", "red-tee", "yellow-tee"]
