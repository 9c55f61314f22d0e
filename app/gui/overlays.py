"""Widgets drawn over the live view: help, the no-camera offer, a status banner and toasts.

Each is a plain child widget of `ViewArea`, which lays them out over the video. They hold no
logic beyond showing text and saying which button was pressed.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import style
from app.gui.frames import ViewFrame
from app.gui.guidance import DRESSING_HINT, DressingHint
from app.gui.keys import help_rows
from app.gui.video_view import VideoView

SCRIM = QColor(8, 9, 11, 200)
CARD = "background: rgba(23, 25, 29, 0.96); border: 1px solid #2a2e35; border-radius: 14px;"
TOAST_MS = 3500
ERROR_TOAST_MS = 7000
LEVEL_COLOURS = {"info": style.ACCENT, "success": style.SUCCESS, "warning": style.WARNING, "error": style.ERROR}


class _Scrim(QWidget):
    """A full-size translucent layer that dims the video behind a centred card."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), SCRIM)
        painter.end()


class HelpOverlay(_Scrim):
    """The keyboard help; a click anywhere (or ?, F1, Esc) closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QWidget(self)
        card.setObjectName("helpCard")
        card.setStyleSheet(f"#helpCard {{ {CARD} }}")
        grid = QGridLayout(card)
        grid.setContentsMargins(32, 26, 32, 28)
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(10)
        title = QLabel("Keyboard shortcuts")
        title.setStyleSheet("font-size: 18px; font-weight: 600; border: none;")
        grid.addWidget(title, 0, 0, 1, 2)
        for row, (keys, text) in enumerate(help_rows(), start=1):
            key_label = QLabel(keys)
            key_label.setStyleSheet(f"color: {style.ACCENT}; font-weight: 600; border: none;"
                                    " font-family: 'DejaVu Sans Mono', monospace;")
            grid.addWidget(key_label, row, 0)
            text_label = QLabel(text)
            text_label.setStyleSheet("border: none;")
            grid.addWidget(text_label, row, 1)
        hint = QLabel("Click anywhere or press ? to close")
        hint.setStyleSheet(f"color: {style.MUTED}; border: none; padding-top: 8px;")
        grid.addWidget(hint, len(help_rows()) + 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.hide()


class OfferPanel(_Scrim):
    """Shown when the camera cannot be opened: says why and offers the demo or a video."""

    demoRequested = Signal()
    openVideoRequested = Signal()
    retryRequested = Signal()
    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QWidget(self)
        card.setObjectName("offerCard")
        card.setStyleSheet(f"#offerCard {{ {CARD} }} QLabel {{ border: none; }}")
        card.setMinimumWidth(520)
        card.setMaximumWidth(620)
        box = QVBoxLayout(card)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(12)
        self.title = QLabel("No camera")
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {style.MUTED};")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        prompt = QLabel("You can still try garments on: use the demo model, or play a video of yourself.")
        prompt.setWordWrap(True)
        box.addWidget(self.title)
        box.addWidget(self.message)
        box.addWidget(prompt)
        self.demo_button = QPushButton(style.icon("demo"), "Use the demo")
        self.demo_button.setProperty("primary", True)
        self.video_button = QPushButton(style.icon("video"), "Open video…")
        self.retry_button = QPushButton("Try the camera again")
        self.settings_button = QPushButton("Choose a camera…")
        main_row, more_row = QHBoxLayout(), QHBoxLayout()
        for row, buttons in ((main_row, (self.demo_button, self.video_button)),
                             (more_row, (self.retry_button, self.settings_button))):
            row.setSpacing(10)
            for button in buttons:
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
                button.setMinimumWidth(button.sizeHint().width())
                row.addWidget(button)
            row.addStretch(1)
        for button in (self.retry_button, self.settings_button):
            button.setFlat(True)
            button.setStyleSheet(f"QPushButton {{ background: transparent; border: none; color: {style.ACCENT};"
                                 " padding: 4px 2px; } QPushButton:hover { text-decoration: underline; }")
        self.demo_button.clicked.connect(self.demoRequested)
        self.video_button.clicked.connect(self.openVideoRequested)
        self.retry_button.clicked.connect(self.retryRequested)
        self.settings_button.clicked.connect(self.settingsRequested)
        box.addSpacing(6)
        box.addLayout(main_row)
        box.addLayout(more_row)
        layout = QVBoxLayout(self)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def offer(self, title: str, message: str) -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.show()
        self.raise_()


class Banner(QLabel):
    """A pill at the top of the view for a lasting state ("camera lost — reconnecting…")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.font_px: int | None = None  # the text's size, where the desktop's is too small (a kiosk)
        self.hide()

    def show_message(self, text: str, level: str = "warning") -> None:
        colour = LEVEL_COLOURS.get(level, style.WARNING)
        size = f" font-size: {self.font_px}px;" if self.font_px else ""
        self.setStyleSheet(
            f"background: rgba(17, 18, 21, 0.88); color: {colour}; border: 1px solid {colour};"
            f" border-radius: 16px; padding: 7px 18px; font-weight: 600;{size}"
        )
        self.setText(text)
        self.adjustSize()
        self.show()
        self.raise_()
        parent = self.parentWidget()
        if isinstance(parent, ViewArea):
            parent.place_overlays()


class Toast(QWidget):
    """A brief card at the bottom: an optional thumbnail and one or two lines; hides itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 10, 16, 10)
        layout.setSpacing(12)
        self.thumbnail = QLabel()
        self.thumbnail.setStyleSheet("border: none; border-radius: 6px;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setMaximumWidth(520)
        self.text.setStyleSheet("border: none;")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.thumbnail)
        layout.addWidget(self.text, 1)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self._plain = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    @property
    def message(self) -> str:
        """The text as given to `show_message` (without the rich-text styling)."""
        return self._plain

    def show_message(self, text: str, level: str = "info", thumbnail: QPixmap | None = None) -> None:
        colour = LEVEL_COLOURS.get(level, style.ACCENT)
        self.setStyleSheet(f"#toast {{ background: rgba(23, 25, 29, 0.96); border: 1px solid {colour};"
                           " border-radius: 12px; }")
        self.thumbnail.setVisible(thumbnail is not None)
        if thumbnail is not None:
            self.thumbnail.setPixmap(thumbnail)
        title, _, detail = text.partition("\n")
        # The first line is the news, the rest (a path, a reason) is detail.
        self.text.setText(f"<b>{html.escape(title)}</b>"
                          + (f"<br><span style='color:{style.MUTED}'>{html.escape(detail)}</span>" if detail else ""))
        self._plain = text
        self.adjustSize()
        self.show()
        self.raise_()
        parent = self.parentWidget()
        if isinstance(parent, ViewArea):
            parent.place_overlays()
        self._timer.start(ERROR_TOAST_MS if level == "error" else TOAST_MS)

    def hideEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        self._timer.stop()


class ViewArea(QWidget):
    """The video with its overlays stacked on top, kept in place on resize."""

    MARGIN = 18

    def __init__(self, view: VideoView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        view.setParent(self)
        self.banner = Banner(self)
        self.toast = Toast(self)
        self.offer = OfferPanel(self)
        self.help = HelpOverlay(self)
        self._hint: str | None = None  # the banner's text while it shows a hint
        self._dressing = DressingHint()

    def follow(self, frame: ViewFrame) -> None:
        """After each painted frame: tell a shopper seen without the chosen garment why (see
        `DressingHint`), and take the hint away once it is on them."""
        self._set_hint(DRESSING_HINT if self._dressing.update(frame.result, frame.processed_at) else None)

    def _set_hint(self, text: str | None) -> None:
        """Show a hint for the shopper on the banner, or (None) take it away. A lasting state on
        the banner ("Camera lost — reconnecting…") is neither covered nor taken away."""
        if text is not None:
            if not self.banner.isVisible():
                self.banner.show_message(text, "info")
                self._hint = text
            return
        if self._hint is not None and self.banner.isVisible() and self.banner.text() == self._hint:
            self.banner.hide()
        self._hint = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self.place_overlays()

    def place_overlays(self) -> None:
        area = self.rect()
        self.view.setGeometry(area)
        self.offer.setGeometry(area)
        self.help.setGeometry(area)
        hint = self.banner.sizeHint()
        self.banner.setGeometry(QRect((area.width() - hint.width()) // 2, self.MARGIN, hint.width(), hint.height()))
        size = self.toast.sizeHint()
        width = min(size.width(), area.width() - 2 * self.MARGIN)
        self.toast.setGeometry(QRect((area.width() - width) // 2, area.height() - size.height() - self.MARGIN,
                                     width, size.height()))
