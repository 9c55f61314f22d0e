"""The kiosk's full-screen states and on-screen notices: attract, out of order, photo, camera light.

Like the desktop overlays these only show things and say when they were touched; the window
and the controller decide when each appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEasingCurve, QRectF, QSize, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImageReader,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPixmap,
    QRadialGradient,
)
from PySide6.QtWidgets import QLabel, QWidget

from app.kiosk import style

SLIDE_IMAGE_HEIGHT = 720
"""Product photos are decoded at most this tall (one at a time): sharp on a 1080p screen."""
FADE_MS = 700
SCRIM = QColor(8, 9, 11, 225)


def _font(widget: QWidget, points: float, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(points)
    font.setWeight(weight)
    return font


class CameraIndicator(QLabel):
    """"● Camera on" in the top bar whenever the camera is capturing, attract screen included."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraOn")
        self.set_on(False)

    def set_on(self, on: bool) -> None:
        self.on = on
        dot = style.CAMERA_ON if on else style.MUTED
        self.setText(f"<span style='color:{dot}'>●</span>&nbsp;{'Camera on' if on else 'Camera off'}")


@dataclass(frozen=True)
class Slide:
    name: str
    image: Path


class AttractScreen(QWidget):
    """An inviting loop of the catalog while nobody is in view; any touch ends it."""

    touched = Signal()

    def __init__(self, title: str, message: str, accent: str, logo: QPixmap | None, slide_seconds: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.message = message
        self.accent = QColor(accent)
        self.logo = logo
        self.slides: list[Slide] = []
        self.position = 0
        self._current: QPixmap | None = None
        self._previous: QPixmap | None = None
        self._fade = 1.0
        self._timer = QTimer(self)
        self._timer.setInterval(int(slide_seconds * 1000))
        self._timer.timeout.connect(self.next_slide)
        self._animation = QVariantAnimation(self)
        self._animation.setDuration(FADE_MS)
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self._animation.valueChanged.connect(self._on_fade)
        # It paints every pixel, so Qt need not paint the live video hidden behind it all day.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.hide()

    def set_slides(self, slides: list[Slide]) -> None:
        self.slides = slides
        self.position = 0
        self._previous = None
        self._current = self._load(0)

    def _load(self, position: int) -> QPixmap | None:
        if not self.slides:
            return None
        reader = QImageReader(str(self.slides[position].image))
        size = reader.size()
        if size.isValid() and size.height() > SLIDE_IMAGE_HEIGHT:
            reader.setScaledSize(QSize(round(size.width() * SLIDE_IMAGE_HEIGHT / size.height()), SLIDE_IMAGE_HEIGHT))
        image = reader.read()
        return QPixmap.fromImage(image) if not image.isNull() else None

    def next_slide(self) -> None:
        if len(self.slides) < 2:
            return
        self.position = (self.position + 1) % len(self.slides)
        self._previous, self._current = self._current, self._load(self.position)
        self._animation.stop()
        self._animation.start()

    def _on_fade(self, value: object) -> None:
        self._fade = float(value)  # type: ignore[arg-type]
        self.update()

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        self._timer.start()

    def hideEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        self._timer.stop()
        self._animation.stop()
        self._fade = 1.0

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.touched.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        glow = QRadialGradient(rect.center(), max(rect.width(), rect.height()) * 0.6)
        tint = QColor(self.accent)
        tint.setAlpha(70)
        glow.setColorAt(0.0, tint)
        glow.setColorAt(1.0, QColor(style.WINDOW))
        painter.fillRect(rect, QColor(style.WINDOW))
        painter.fillRect(rect, glow)
        height = rect.height()
        top = height * 0.05
        if self.logo is not None and not self.logo.isNull():
            logo = self.logo.scaledToHeight(int(height * 0.08), Qt.TransformationMode.SmoothTransformation)
            painter.drawPixmap(int(rect.center().x() - logo.width() / 2), int(top), logo)
            top += logo.height() + height * 0.01
        painter.setFont(_font(self, max(18.0, height * 0.035), QFont.Weight.Bold))
        painter.setPen(self.accent)
        painter.drawText(QRectF(0, top, rect.width(), height * 0.07), Qt.AlignmentFlag.AlignCenter, self.title)
        card_area = QRectF(0, top + height * 0.09, rect.width(), height * 0.56)
        if self._previous is not None and self._fade < 1.0:
            self._draw_slide(painter, card_area, self._previous, 1.0 - self._fade)
        if self._current is not None:
            self._draw_slide(painter, card_area, self._current, self._fade if self._previous is not None else 1.0)
        if self.slides:
            painter.setOpacity(1.0)
            painter.setFont(_font(self, max(12.0, height * 0.022), QFont.Weight.DemiBold))
            painter.setPen(QColor(style.TEXT))
            painter.drawText(QRectF(0, card_area.bottom() + height * 0.01, rect.width(), height * 0.05),
                             Qt.AlignmentFlag.AlignCenter, self.slides[self.position].name)
        painter.setFont(_font(self, max(20.0, height * 0.045), QFont.Weight.Bold))
        painter.setPen(QColor(style.TEXT))
        painter.drawText(QRectF(0, height * 0.76, rect.width(), height * 0.1), Qt.AlignmentFlag.AlignCenter,
                         self.message)
        painter.setFont(_font(self, max(12.0, height * 0.02)))
        painter.setPen(QColor(style.MUTED))
        painter.drawText(QRectF(0, height * 0.86, rect.width(), height * 0.05), Qt.AlignmentFlag.AlignCenter,
                         "or touch the screen to start")
        self._draw_dots(painter, rect)
        painter.end()

    def _draw_slide(self, painter: QPainter, area: QRectF, pixmap: QPixmap, opacity: float) -> None:
        scale = min(area.width() * 0.5 / pixmap.width(), area.height() / pixmap.height())
        width, height = pixmap.width() * scale, pixmap.height() * scale
        target = QRectF(area.center().x() - width / 2, area.top(), width, height)
        painter.setOpacity(opacity)
        card = QPainterPath()
        card.addRoundedRect(target.adjusted(-10, -10, 10, 10), 20, 20)
        painter.fillPath(card, QColor("#f6f6f6"))
        painter.drawPixmap(target.toRect(), pixmap)
        painter.setOpacity(1.0)

    def _draw_dots(self, painter: QPainter, rect: QRectF) -> None:
        count = len(self.slides)
        if count < 2:
            return
        gap, radius = 18.0, 4.5
        left = rect.center().x() - gap * (count - 1) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        for index in range(count):
            painter.setBrush(self.accent if index == self.position else QColor(style.BORDER))
            painter.drawEllipse(QRectF(left + index * gap - radius, rect.height() * 0.94 - radius, 2 * radius,
                                       2 * radius))


class OutOfOrderScreen(QWidget):
    """Shown while the camera or the pipeline is down; the kiosk retries by itself meanwhile."""

    def __init__(self, accent: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accent = QColor(accent)
        self.detail = ""
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # covers the video: see AttractScreen
        self.hide()

    def set_detail(self, detail: str) -> None:
        """One line for staff (what failed); small and muted, shoppers need not read it."""
        self.detail = detail
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        height = rect.height()
        painter.fillRect(rect, QColor(style.WINDOW))
        radius = height * 0.07
        centre = rect.center()
        centre.setY(height * 0.34)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.RAISED))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QColor(style.TEXT))
        painter.setFont(_font(self, max(24.0, radius * 0.9), QFont.Weight.Bold))
        painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                         Qt.AlignmentFlag.AlignCenter, "…")
        painter.setFont(_font(self, max(20.0, height * 0.045), QFont.Weight.Bold))
        painter.drawText(QRectF(0, height * 0.46, rect.width(), height * 0.1), Qt.AlignmentFlag.AlignCenter,
                         "Out of order — back in a moment")
        painter.setFont(_font(self, max(12.0, height * 0.022)))
        painter.setPen(QColor(style.MUTED))
        painter.drawText(QRectF(0, height * 0.57, rect.width(), height * 0.05), Qt.AlignmentFlag.AlignCenter,
                         "The mirror is restarting by itself.")
        if self.detail:
            painter.setFont(_font(self, 9.0))
            painter.drawText(QRectF(20, height - 40, rect.width() - 40, 30),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.detail)
        painter.end()


class PhotoOverlay(QWidget):
    """A capture, shown over the video for a few seconds and then dropped (unless saved, never kept)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self._remaining = 0
        self._saved = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._count_down)
        self.hide()

    @property
    def has_photo(self) -> bool:
        return not self._pixmap.isNull()

    def show_photo(self, pixmap: QPixmap, seconds: float, saved: bool) -> None:
        self._pixmap = pixmap
        self._remaining = max(1, round(seconds))
        self._saved = saved
        self._timer.start()
        self.show()
        self.raise_()
        self.update()

    def discard(self) -> None:
        """Forget the photo now (timeout, a tap, or a session reset)."""
        self._timer.stop()
        self._pixmap = QPixmap()
        self.hide()

    def _count_down(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self.discard()
        else:
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.discard()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        painter.fillRect(rect, SCRIM)
        if not self._pixmap.isNull():
            area = rect.adjusted(rect.width() * 0.1, rect.height() * 0.06, -rect.width() * 0.1, -rect.height() * 0.16)
            scale = min(area.width() / self._pixmap.width(), area.height() / self._pixmap.height())
            width, height = self._pixmap.width() * scale, self._pixmap.height() * scale
            target = QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)
            painter.fillRect(target.adjusted(-8, -8, 8, 8), QColor("#f6f6f6"))
            painter.drawPixmap(target.toRect(), self._pixmap)
        painter.setPen(QColor(style.TEXT))
        painter.setFont(_font(self, 16.0, QFont.Weight.DemiBold))
        note = ("Saved. " if self._saved else "This photo is not saved. ") + \
            f"It disappears in {self._remaining} s — touch to close."
        painter.drawText(QRectF(0, rect.height() * 0.86, rect.width(), rect.height() * 0.1),
                         Qt.AlignmentFlag.AlignCenter, note)
        painter.end()
