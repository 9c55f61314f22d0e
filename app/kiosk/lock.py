"""`KioskLock`: the application-wide event filter that keeps a passer-by inside the kiosk.

- Every key is swallowed except the admin combination (which opens the PIN pad), the keys the
  open PIN pad uses, and ←/→ (previous/next garment). So Esc, F11, Ctrl+Q, Ctrl+W, Alt+Space
  and friends do nothing; the window itself refuses to close or leave full screen (see
  `KioskWindow`). Keys the operating system takes first (Alt+Tab, Ctrl+Alt+Del, the Super key,
  Alt+F4 on most window managers) never reach the app: pair the kiosk with the OS's own kiosk
  settings (README).
- Context menus are swallowed.
- The mouse cursor is hidden, and shown again only while the mouse moves (`CURSOR_IDLE_S`), so
  a touch screen shows no pointer and a technician with a mouse still sees one.
- Every press, touch or key is reported (`activity`): the shopper is still there.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeyEvent
from PySide6.QtWidgets import QApplication

from app.kiosk.pinpad import PinPad

log = logging.getLogger(__name__)

CURSOR_IDLE_S = 3.0
PASS_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right})
"""Keys that reach the window (garment steps); harmless, and handy with a keyboard."""
_KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride})
_TOUCHES = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.TabletPress})
_MODIFIER_MASK = (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
                  | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)


_MODIFIERS = {"Ctrl": Qt.KeyboardModifier.ControlModifier, "Alt": Qt.KeyboardModifier.AltModifier,
              "Shift": Qt.KeyboardModifier.ShiftModifier, "Meta": Qt.KeyboardModifier.MetaModifier}


def parse_combination(text: str) -> tuple[Qt.Key, Qt.KeyboardModifier]:
    """"Ctrl+Alt+Shift+K" (as `config` checked it) -> (Key_K, Ctrl|Alt|Shift)."""
    *modifiers, key = text.split("+")
    combined = Qt.KeyboardModifier.NoModifier
    for name in modifiers:
        combined |= _MODIFIERS[name]
    return Qt.Key[f"Key_{key}"], combined


class KioskLock(QObject):
    adminRequested = Signal()
    activity = Signal()

    def __init__(self, admin_keys: str, pad: PinPad, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.admin_key, self.admin_modifiers = parse_combination(admin_keys)
        self.pad = pad
        self.cursor_hidden = False
        self._installed = False
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.setInterval(int(CURSOR_IDLE_S * 1000))
        self._cursor_timer.timeout.connect(self.hide_cursor)

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
            self.hide_cursor()

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self._cursor_timer.stop()
        self.show_cursor()

    def hide_cursor(self) -> None:
        if not self.cursor_hidden:
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
            self.cursor_hidden = True

    def show_cursor(self) -> None:
        if self.cursor_hidden:
            QApplication.restoreOverrideCursor()
            self.cursor_hidden = False

    def is_admin_combination(self, event: QKeyEvent) -> bool:
        return event.key() == self.admin_key and (event.modifiers() & _MODIFIER_MASK) == self.admin_modifiers

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in _KEY_EVENTS and isinstance(event, QKeyEvent):
            return self._key(kind, event)
        if kind in _TOUCHES:
            self.activity.emit()
        elif kind == QEvent.Type.MouseMove:
            self.show_cursor()
            self._cursor_timer.start()
        elif kind == QEvent.Type.ContextMenu:
            return True
        return False

    def _key(self, kind: QEvent.Type, event: QKeyEvent) -> bool:
        if self.is_admin_combination(event):
            if kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
                log.info("admin key combination pressed")
                self.adminRequested.emit()
            return True
        if kind == QEvent.Type.KeyPress:
            self.activity.emit()
            if self.pad.isVisible():
                self.pad.key(event)
                return True
        return event.key() not in PASS_KEYS or self.pad.isVisible()
