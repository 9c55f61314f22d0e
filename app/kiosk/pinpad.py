"""`PinPad`: the staff-only door — a touch keypad for the admin PIN, then the admin menu.

Opened by the admin key combination (see `lock.KioskLock`). The PIN is checked by the function
handed in (the config's PBKDF2 hash), never stored. After `MAX_ATTEMPTS` wrong PINs the pad
refuses input for `LOCKOUT_S`, so a four-digit PIN cannot be guessed by a patient passer-by;
every attempt is logged. The pad closes itself after `IDLE_S` without a touch, so it is never
left open on the shop floor. After the right PIN: quit, full screen on/off, or back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QStackedLayout, QVBoxLayout, QWidget

from app.gui.overlays import CARD, SCRIM
from app.kiosk import style
from app.kiosk.pin import PIN_DIGITS

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LOCKOUT_S = 60.0
IDLE_S = 30.0
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
BACKSPACE, ENTER = "⌫", "OK"


class PinPad(QWidget):
    quitRequested = Signal()
    fullscreenToggleRequested = Signal()

    def __init__(self, verify: Callable[[str], bool], parent: QWidget | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._verify = verify
        self._clock = clock
        self._entry = ""
        self._failures = 0
        self._locked_until = 0.0
        self._wrong = False
        self.unlocked = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(IDLE_S * 1000))
        self._idle.timeout.connect(self.close_pad)

        card = QWidget(self)
        card.setObjectName("pinCard")
        card.setStyleSheet(f"#pinCard {{ {CARD} }} QLabel {{ border: none; }}")
        self._pages = QStackedLayout(card)
        self._pages.addWidget(self._keypad_page())
        self._pages.addWidget(self._admin_page())
        layout = QVBoxLayout(self)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        self.hide()

    # --- pages -------------------------------------------------------------------------------

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _presser(self, key: str) -> Callable[[], None]:
        return lambda: self.press(key)

    def _keypad_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(36, 28, 36, 28)
        box.setSpacing(14)
        title = QLabel("Staff only")
        title.setStyleSheet("font-size: 24px; font-weight: 700;")
        self.dots = QLabel()
        self.dots.setStyleSheet("font-size: 30px; letter-spacing: 6px;")
        self.dots.setMinimumHeight(44)
        self.status = QLabel("Enter the admin PIN")
        self.status.setStyleSheet(f"color: {style.MUTED}; font-size: 16px;")
        grid = QGridLayout()
        grid.setSpacing(12)
        self.keys: dict[str, QPushButton] = {}
        for position, key in enumerate(KEYS):
            button = self._button(key, "pinKey", self._presser(key))
            button.setFixedSize(style.PIN_KEY)
            self.keys[key] = button
            grid.addWidget(button, position // 3, position % 3)
        cancel = self._button("Cancel", "adminAction", self.close_pad)
        self.cancel_button = cancel
        for widget in (title, self.dots, self.status):
            box.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addLayout(grid)
        box.addWidget(cancel)
        return page

    def _admin_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(36, 28, 36, 28)
        box.setSpacing(14)
        title = QLabel("Kiosk admin")
        title.setStyleSheet("font-size: 24px; font-weight: 700;")
        box.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        self.quit_button = self._button("Exit kiosk", "adminAction", self.quitRequested.emit)
        self.fullscreen_button = self._button("Leave full screen", "adminAction", self._toggle_fullscreen)
        self.back_button = self._button("Back to the mirror", "adminPrimary", self.close_pad)
        for button in (self.quit_button, self.fullscreen_button, self.back_button):
            button.setMinimumWidth(320)
            box.addWidget(button)
        return page

    # --- behaviour ---------------------------------------------------------------------------

    def open_pad(self, fullscreen: bool) -> None:
        self._entry = ""
        self._wrong = False
        self.unlocked = False
        self.fullscreen_button.setText("Leave full screen" if fullscreen else "Back to full screen")
        self._pages.setCurrentIndex(0)
        self._refresh()
        self.show()
        self.raise_()
        self._idle.start()
        log.info("admin PIN pad opened")

    def close_pad(self) -> None:
        self._entry = ""
        self.unlocked = False
        self._idle.stop()
        self.hide()

    def press(self, key: str) -> None:
        self._idle.start()
        if self._pages.currentIndex() != 0:
            return
        if self._clock() < self._locked_until:
            self._refresh()
            return
        if key == BACKSPACE:
            self._entry = self._entry[:-1]
        elif key == ENTER:
            self._submit()
        elif key.isdigit() and len(self._entry) < PIN_DIGITS[1]:
            self._entry += key
        self._refresh()

    def key(self, event: QKeyEvent) -> bool:
        """A key while the pad is open (digits, Backspace, Enter, Esc); True when it was used."""
        text = event.text()
        if text.isdigit() and len(text) == 1:
            self.press(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self.press(BACKSPACE)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press(ENTER)
        elif event.key() == Qt.Key.Key_Escape:
            self.close_pad()
        else:
            return False
        return True

    def _submit(self) -> None:
        entry, self._entry = self._entry, ""
        self._wrong = False
        if entry and self._verify(entry):
            self._failures = 0
            self.unlocked = True
            self._pages.setCurrentIndex(1)
            log.warning("admin PIN accepted: kiosk admin menu open")
            return
        self._failures += 1
        log.warning("wrong admin PIN (%d in a row)", self._failures)
        if self._failures >= MAX_ATTEMPTS:
            self._failures = 0
            self._locked_until = self._clock() + LOCKOUT_S
            log.warning("admin PIN pad locked for %.0f s after %d wrong PINs", LOCKOUT_S, MAX_ATTEMPTS)
        self._wrong = True

    def _toggle_fullscreen(self) -> None:
        self.fullscreenToggleRequested.emit()
        self.close_pad()

    def _refresh(self) -> None:
        wait = self._locked_until - self._clock()
        if wait > 0:
            text, colour = f"Too many wrong PINs. Try again in {wait:.0f} s", style.ERROR
        elif self._wrong and not self._entry:
            text, colour = "Wrong PIN", style.ERROR
        else:
            text, colour = "Enter the admin PIN", style.MUTED
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour}; font-size: 16px;")
        self.dots.setText("●" * len(self._entry) or "○○○○")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), SCRIM)
        painter.end()
