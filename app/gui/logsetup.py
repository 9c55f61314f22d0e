"""Logging for the desktop app: a rotating file, Qt's own messages, and an exception hook.

Following friture: everything the app logs also goes to `user_log_dir()/livefit.log` (rotated,
so a mirror running for weeks does not fill the disk); Qt's warnings become log records instead
of stray stderr lines; an unhandled exception is logged with its traceback and shown in at most
one dialog at a time (a fault in a paint handler repeats sixty times a second and must not
stack sixty dialogs).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

LOG_FILE = "livefit.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 3
_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def configure_file_logging(verbose: bool = False) -> Path | None:
    """Add a rotating log file to the root logger; its path, or None when it cannot be created."""
    folder = paths.user_log_dir()
    path = folder / LOG_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                                       encoding="utf-8")
    except OSError as error:
        log.warning("%s: cannot write the log file (%s); logging to the terminal only", path, error.strerror)
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > handler.level or root.level == logging.NOTSET:
        root.setLevel(handler.level)
    log.info("logging to %s", path)
    return path


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)


def route_qt_messages() -> None:
    """Send Qt's qDebug/qWarning output to the `qt` logger."""
    qInstallMessageHandler(_qt_message)


class ExceptionHook:
    """`sys.excepthook` replacement: log, tell `on_error`, show one dialog at a time."""

    def __init__(self, on_error: Callable[[str], None] | None = None, show_dialog: bool = True) -> None:
        self.on_error = on_error
        self.show_dialog = show_dialog
        self.errors: list[str] = []
        self._dialog: QMessageBox | None = None
        self._previous = sys.excepthook

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, tb)
            return
        log.critical("unhandled exception", exc_info=(kind, error, tb))
        summary = f"{kind.__name__}: {error}"
        self.errors.append(summary)
        if self.on_error is not None:
            self.on_error(summary)
        if not self.show_dialog or self._dialog is not None or QApplication.instance() is None:
            return
        dialog = QMessageBox(QMessageBox.Icon.Critical, "LiveFit: unexpected error",
                             f"Something went wrong: {summary}\n\nThe details are in the log file.")
        dialog.setDetailedText("".join(traceback.format_exception(kind, error, tb)))
        dialog.finished.connect(self._on_dialog_closed)
        self._dialog = dialog
        dialog.show()  # not exec(): no nested event loop for the fault to re-enter

    def _on_dialog_closed(self) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = None
