"""`VideoView`: paints the newest processed frame, aspect kept, mirrored for display only.

As in pyqtgraph's image views, the view only keeps the newest `ViewFrame` and converts it to a
QImage when Qt asks for a paint, so a burst of results costs one conversion and the worker never
waits for the GUI. The QImage wraps the frame's read-only buffer (no copy) and lives only for
the paint. Mirroring is a painter transform: the pipeline always sees the unmirrored frame
(left and right are the person's own) and only the display flips.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.gui.frames import ViewFrame
from app.gui.stats import FrameStats

BACKGROUND = QColor("#0b0c0e")
PLACEHOLDER_TEXT = QColor("#8a8f98")
TAG_BACKGROUND = QColor(11, 12, 14, 200)
TAG_TEXT = QColor("#e9eaee")
BEFORE_TAG = "WITHOUT GARMENT"


def fit_rect(image_w: int, image_h: int, area: QRectF) -> QRectF:
    """The largest rectangle of the image's aspect ratio centred in `area`."""
    scale = min(area.width() / image_w, area.height() / image_h)
    w, h = image_w * scale, image_h * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


def as_qimage(image_bgr: np.ndarray) -> QImage:
    """A QImage sharing the pixels of an (H, W, 3) uint8 BGR C-contiguous array (no copy).

    The caller keeps `image_bgr` alive for as long as the QImage is used.
    """
    height, width = image_bgr.shape[:2]
    return QImage(image_bgr.data, width, height, image_bgr.strides[0], QImage.Format.Format_BGR888)


def as_pixmap(image_bgr: np.ndarray) -> QPixmap:
    """A QPixmap copy of an (H, W, 3) uint8 BGR array (small pictures: toasts, thumbnails)."""
    return QPixmap.fromImage(as_qimage(np.ascontiguousarray(image_bgr)))


class VideoView(QWidget):
    def __init__(self, stats: FrameStats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stats = stats
        self._frame: ViewFrame | None = None
        self._painted: ViewFrame | None = None
        self._mirrored = True
        self._show_original = False
        self._placeholder = ""
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)

    # --- state -------------------------------------------------------------------------------

    @property
    def current_frame(self) -> ViewFrame | None:
        return self._frame

    @property
    def mirrored(self) -> bool:
        return self._mirrored

    def set_mirrored(self, mirrored: bool) -> None:
        self._mirrored = mirrored
        self.update()

    @property
    def show_original(self) -> bool:
        """True while the shopper looks at themself without the garment (before/after)."""
        return self._show_original

    def set_show_original(self, show: bool) -> None:
        self._show_original = show
        self.update()

    def show_frame(self, frame: ViewFrame) -> None:
        self._frame = frame
        self.update()

    def clear(self, placeholder: str = "") -> None:
        self._frame = None
        self._placeholder = placeholder
        self.update()

    def set_placeholder(self, text: str) -> None:
        """Text shown while there is no frame (e.g. "Starting camera…")."""
        self._placeholder = text
        self.update()

    def displayed_bgr(self) -> np.ndarray | None:
        """(H, W, 3) uint8 BGR: exactly the picture on screen now, at the frame's own size."""
        if self._frame is None:
            return None
        image = self._frame.result.source if self._show_original else self._frame.result.output
        return np.ascontiguousarray(image[:, ::-1]) if self._mirrored else image

    def image_rect(self) -> QRectF:
        """Where the frame is drawn in the widget (the whole widget when there is none)."""
        area = QRectF(self.rect())
        if self._frame is None:
            return area
        height, width = self._frame.result.output.shape[:2]
        return fit_rect(width, height, area)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(960, 540)

    # --- painting ----------------------------------------------------------------------------

    def _draw_tag(self, painter: QPainter, target: QRectF, text: str) -> None:
        """A small pill in the picture's top-left corner saying what is shown."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width, height = metrics.horizontalAdvance(text) + 24, metrics.height() + 12
        pill = QRectF(target.left() + 16, target.top() + 16, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TAG_BACKGROUND)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(TAG_TEXT)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        frame = self._frame
        if frame is None:
            if self._placeholder:
                painter.setPen(PLACEHOLDER_TEXT)
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.end()
            return
        pixels = frame.result.source if self._show_original else frame.result.output
        target = self.image_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._mirrored:
            painter.translate(target.left() + target.right(), 0.0)
            painter.scale(-1.0, 1.0)
        painter.drawImage(target, as_qimage(pixels))
        painter.resetTransform()
        if self._show_original:
            self._draw_tag(painter, target, BEFORE_TAG)
        painter.end()
        if frame is not self._painted:  # a repaint of the same frame (resize, overlay) is no new frame
            self._painted = frame
            self._stats.record_paint(frame, time.perf_counter())
