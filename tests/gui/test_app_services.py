"""Logging, the exception hook, the settings dialog and switching the compute device."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning
from PySide6.QtWidgets import QApplication, QMessageBox

from app.gui import logsetup
from app.gui.settings import AppSettings, parse_size
from app.gui.settings_dialog import SettingsChoice, SettingsDialog
from app.pipeline.frame import FramePipeline


@pytest.fixture
def file_logging(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEFIT_LOG_DIR", str(tmp_path / "logs"))
    root = logging.getLogger()
    before = list(root.handlers)
    path = logsetup.configure_file_logging()
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_logs_go_to_a_rotating_file_in_the_user_log_folder(file_logging, tmp_path) -> None:
    assert file_logging == tmp_path / "logs" / "livefit.log"
    logging.getLogger("app.test").warning("hello from the test")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler))
    handler.flush()
    assert handler.maxBytes == logsetup.MAX_BYTES and handler.backupCount == logsetup.BACKUP_COUNT
    assert "WARNING [MainThread] app.test: hello from the test" in file_logging.read_text()


def test_qt_warnings_become_log_records(qapp, caplog) -> None:
    previous = qInstallMessageHandler(None)  # pytest-qt's capture, restored below
    try:
        logsetup.route_qt_messages()
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("a warning from Qt")
    finally:
        qInstallMessageHandler(previous)
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [("qt", "WARNING", "a warning from Qt")]


def test_exception_hook_logs_and_shows_at_most_one_dialog(qapp, caplog) -> None:
    reported: list[str] = []
    hook = logsetup.ExceptionHook(on_error=reported.append)
    hook.install()
    try:
        for attempt in range(3):  # a fault in a paint handler repeats
            try:
                raise RuntimeError(f"boom {attempt}")
            except RuntimeError:
                sys.excepthook(*sys.exc_info())
    finally:
        hook.uninstall()
    assert sys.excepthook is not hook
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(dialogs) == 1 and "RuntimeError: boom 0" in dialogs[0].text()
    assert reported == ["RuntimeError: boom 0", "RuntimeError: boom 1", "RuntimeError: boom 2"]
    assert sum("unhandled exception" in r.getMessage() for r in caplog.records) == 3
    dialogs[0].close()


def test_settings_file_is_typed_and_forgiving(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[camera]\nindex=not-a-number\nsize=huge\n[pipeline]\ndevice=tpu\n[view]\nmirror=false\n")
    settings = AppSettings(path)
    assert (settings.camera_index, settings.camera_size, settings.device, settings.mirror) == (0, None, "auto", False)
    assert settings.last_garment is None and settings.geometry is None
    assert parse_size("1280x720") == (1280, 720) and parse_size("0x5") is None


def test_settings_dialog_round_trips_a_choice(qtbot, tmp_path) -> None:
    current = SettingsChoice(0, (1280, 720), "cpu", True, False)
    dialog = SettingsDialog(current, tmp_path / "Pictures", tmp_path / "logs")
    qtbot.addWidget(dialog)
    assert dialog.choice() == current
    dialog.size_box.setCurrentIndex(dialog.size_box.findData("640x480"))
    dialog.device_box.setCurrentIndex(dialog.device_box.findData("auto"))
    dialog.pose_check.setChecked(True)
    dialog.mirror_print_check.setChecked(True)
    assert dialog.choice() == SettingsChoice(0, (640, 480), "auto", True, True, mirror_print=True)


def test_changing_the_device_rebuilds_the_pipeline_and_keeps_the_garment(qtbot, make_window, gui) -> None:
    asked: list[str] = []

    def pipeline(device: str, overlapped: bool) -> FramePipeline:
        asked.append(device)
        return FramePipeline("cpu")  # no GPU here; what matters is that it was asked for

    kit = make_window(garment="green-tee", pipeline=pipeline)
    window = kit.window
    gui.wait_for_garment(qtbot, window, "green-tee")
    old = SettingsChoice(0, None, window.session.device, False, False)
    window.apply_settings(SettingsChoice(0, None, "cuda", False, False), old)
    assert window.status_labels["device"].text() == "Loading models…"
    qtbot.waitUntil(lambda: window.status_labels["device"].text() == "CPU", timeout=5_000)
    gui.wait_for_frames(qtbot, window, 2)
    gui.wait_for_garment(qtbot, window, "green-tee")
    assert asked == ["auto", "cuda"] and kit.settings.device == "cuda"


def test_mirror_print_follows_the_setting_and_the_mirror_and_survives_a_new_pipeline(qtbot, make_window, gui) -> None:
    pipelines: list[FramePipeline] = []

    def pipeline(device: str, overlapped: bool) -> FramePipeline:
        pipelines.append(FramePipeline("cpu"))
        return pipelines[-1]

    kit = make_window(garment="green-tee", pipeline=pipeline)
    window = kit.window
    gui.wait_for_garment(qtbot, window, "green-tee")
    assert window.view.mirrored and not pipelines[-1].renderer.mirror_print  # a true mirror by default
    old = SettingsChoice(0, None, window.session.device, False, False)
    window.apply_settings(replace(old, mirror_print=True), old)
    qtbot.waitUntil(lambda: pipelines[-1].renderer.mirror_print, timeout=5_000)
    assert kit.settings.mirror_print
    window.action_map["mirror"].trigger()  # an unmirrored picture: the garment as it is
    qtbot.waitUntil(lambda: not pipelines[-1].renderer.mirror_print, timeout=5_000)
    window.action_map["mirror"].trigger()
    qtbot.waitUntil(lambda: pipelines[-1].renderer.mirror_print, timeout=5_000)
    window.apply_settings(replace(old, device="cuda", mirror_print=True), replace(old, mirror_print=True))
    qtbot.waitUntil(lambda: len(pipelines) == 2, timeout=5_000)
    gui.wait_for_frames(qtbot, window, 2)
    assert pipelines[-1].renderer.mirror_print
