"""The garment editor dialog: fix a garment's landmarks, mask, name and category in a minute.

The product photo is shown with its mask outline and named landmarks; points are dragged with
the mouse, stubborn background is cut with a threshold slider or an eraser brush, and every
change is undoable (Ctrl+Z). Each change is previewed live on the mirror (`previewChanged`), and
Save writes the validated sidecar (`editor_model.GarmentEdit.save`). The data and its rules live
in `editor_model`; this module only draws and routes input.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.garments.model import CATEGORIES
from app.gui import style
from app.gui.catalog_panel import CATEGORY_LABELS
from app.gui.editor_model import THRESHOLD_MAX, GarmentEdit
from app.gui.video_view import fit_rect

log = logging.getLogger(__name__)

PICK_RADIUS_PX = 14
"""How close (screen pixels) a click must be to a landmark to grab it."""
POINT_RADIUS_PX = 6
ERASER_DEFAULT = 24
"""Eraser radius in photo pixels."""
PREVIEW_DELAY_MS = 60
"""Edits are previewed on the mirror at most this often (a drag makes many)."""
MARGIN = 16
EDITOR_SIZE = QSize(1040, 780)
LEFT_COLOUR = QColor(style.ACCENT)  # the wearer's left (image right)
RIGHT_COLOUR = QColor("#ff9f5a")
CENTRE_COLOUR = QColor("#f2f2f2")
OUTLINE_COLOUR = QColor("#46e0b5")


def landmark_label(name: str) -> str:
    """"sleeve_left_outer" -> "sleeve L outer" (L and R are the wearer's)."""
    return name.replace("_left", " L").replace("_right", " R").replace("_", " ")


def _colour_for(name: str) -> QColor:
    if "_left" in name:
        return LEFT_COLOUR
    if "_right" in name:
        return RIGHT_COLOUR
    return CENTRE_COLOUR


def mask_outline(mask: np.ndarray) -> QPainterPath:
    """The outline of a (H, W) uint8 mask as a path in photo pixels."""
    contours, _ = cv2.findContours((mask > 0).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    path = QPainterPath()
    for contour in contours:
        points = contour.reshape(-1, 2)
        path.moveTo(float(points[0, 0]), float(points[0, 1]))
        for x, y in points[1:]:
            path.lineTo(float(x), float(y))
        path.closeSubpath()
    return path


class EditorCanvas(QWidget):
    """The photo with its mask outline and landmarks; drag points, or erase in eraser mode."""

    changed = Signal()

    def __init__(self, edit: GarmentEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self._photo_image = QImage(edit.photo.data, edit.size[0], edit.size[1], edit.photo.strides[0],
                                   QImage.Format.Format_BGR888)
        self._outline: tuple[np.ndarray, QPainterPath] | None = None
        self._dragging: str | None = None
        self._stroke_started = False
        self.eraser = False
        self.eraser_radius = float(ERASER_DEFAULT)
        self.setMinimumSize(420, 520)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.ArrowCursor)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(560, 720)

    # --- geometry ---------------------------------------------------------------------------

    def photo_rect(self) -> QRectF:
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        return fit_rect(self.edit.size[0], self.edit.size[1], area)

    def to_widget(self, x: float, y: float) -> QPointF:
        rect = self.photo_rect()
        scale = rect.width() / self.edit.size[0]
        return QPointF(rect.left() + x * scale, rect.top() + y * scale)

    def to_photo(self, point: QPointF) -> tuple[float, float]:
        rect = self.photo_rect()
        scale = rect.width() / self.edit.size[0]
        return (point.x() - rect.left()) / scale, (point.y() - rect.top()) / scale

    def landmark_position(self, name: str) -> QPointF:
        """Where landmark `name` is drawn, in widget coordinates."""
        x, y = self.edit.state.landmarks[name]
        return self.to_widget(x, y)

    def _nearest(self, point: QPointF) -> str | None:
        best, best_distance = None, float(PICK_RADIUS_PX)
        for name, (x, y) in self.edit.visible_landmarks().items():
            at = self.to_widget(x, y)
            distance = ((at.x() - point.x()) ** 2 + (at.y() - point.y()) ** 2) ** 0.5
            if distance <= best_distance:
                best, best_distance = name, distance
        return best

    # --- input ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.eraser:
            self._erase_at(event.position(), record=True)
            self._stroke_started = True
            return
        self._dragging = self._nearest(event.position())
        self._stroke_started = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.eraser and self._stroke_started:
            self._erase_at(event.position(), record=False)
            return
        if self._dragging is not None:
            x, y = self.to_photo(event.position())
            # The first move of a drag is one undo step; the rest of the drag continues it.
            self.edit.move_landmark(self._dragging, x, y, record=not self._stroke_started)
            self._stroke_started = True
            self.update()
            self.changed.emit()
            return
        hovering = self._nearest(event.position()) is not None and not self.eraser
        self.setCursor(Qt.CursorShape.OpenHandCursor if hovering else
                       Qt.CursorShape.CrossCursor if self.eraser else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self._dragging = None
        self._stroke_started = False

    def _erase_at(self, point: QPointF, record: bool) -> None:
        x, y = self.to_photo(point)
        self.edit.erase(x, y, self.eraser_radius, record=record)
        self.update()
        self.changed.emit()

    # --- painting ---------------------------------------------------------------------------

    def _label_position(self, name: str, at: QPointF, radius: float, width: int, ascent: int,
                        outward_left: bool) -> QPointF:
        """Where a landmark's label starts: away from the garment's centre line (armpits: towards
        it, away from the sleeve's inner end next to them), below the point for the lower ones,
        kept on screen."""
        below = "inner" in name or "armpit" in name or "hem" in name
        left = outward_left != ("armpit" in name)
        x = at.x() - radius - 4 - width if left else at.x() + radius + 4
        y = at.y() + radius + ascent + 2 if below else at.y() - radius - 3
        x = min(max(x, 2.0), self.width() - width - 2.0)
        y = min(max(y, ascent + 2.0), self.height() - 4.0)
        return QPointF(x, y)

    def _outline_path(self) -> QPainterPath:
        mask = self.edit.mask()
        if self._outline is None or self._outline[0] is not mask:
            self._outline = (mask, mask_outline(mask))
        return self._outline[1]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#0b0c0e"))
        rect = self.photo_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawImage(rect, self._photo_image)
        scale = rect.width() / self.edit.size[0]
        painter.save()
        painter.translate(rect.topLeft())
        painter.scale(scale, scale)
        pen = QPen(OUTLINE_COLOUR, 2.0)
        pen.setCosmetic(True)  # two screen pixels whatever the zoom
        painter.setPen(pen)
        painter.drawPath(self._outline_path())
        painter.restore()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        centre_x = self.to_widget(*self.edit.state.landmarks.get("neck_center", (self.edit.size[0] / 2, 0))).x()
        for name, (x, y) in self.edit.visible_landmarks().items():
            at = self.to_widget(x, y)
            colour = _colour_for(name)
            painter.setPen(QPen(QColor("#0b0c0e"), 2))
            painter.setBrush(colour)
            radius = POINT_RADIUS_PX + (2 if name == self._dragging else 0)
            painter.drawEllipse(at, radius, radius)
            label = landmark_label(name)
            text_at = self._label_position(name, at, radius, metrics.horizontalAdvance(label), metrics.ascent(),
                                           outward_left=at.x() < centre_x)
            outline = QPainterPath()
            outline.addText(text_at, font, label)
            painter.setPen(QPen(QColor(11, 12, 14, 220), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)
            painter.setPen(colour)
            painter.drawText(text_at, label)
        painter.end()


class GarmentEditorDialog(QDialog):
    previewChanged = Signal(object)
    """An edited `Garment` to show on the mirror (not saved)."""
    saved = Signal(str)
    """The garment id, after its sidecar was written."""

    def __init__(self, edit: GarmentEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.setWindowTitle(f"Edit garment — {edit.state.name}")
        self.canvas = EditorCanvas(edit, self)
        self.canvas.changed.connect(self._on_changed)

        self.name_edit = QLineEdit(edit.state.name)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.name_edit.editingFinished.connect(self._on_name_finished)
        self._name_recorded = False
        self._threshold_recorded = False
        self.category_box = QComboBox()
        for category in CATEGORIES:
            self.category_box.addItem(CATEGORY_LABELS.get(category, category), category)
        self.category_box.setCurrentIndex(CATEGORIES.index(edit.state.category))
        self.category_box.currentIndexChanged.connect(self._on_category_changed)
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(0, THRESHOLD_MAX)
        self.threshold.setValue(edit.state.threshold)
        self.threshold.valueChanged.connect(self._on_threshold_changed)
        self.threshold.sliderPressed.connect(self._on_threshold_pressed)
        self.threshold_value = QLabel()
        self.eraser_check = QCheckBox("Eraser brush")
        self.eraser_check.setToolTip("Drag over background the mask kept by mistake")
        self.eraser_check.toggled.connect(self._on_eraser_toggled)
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(4, 120)
        self.brush.setValue(ERASER_DEFAULT)
        self.brush.valueChanged.connect(self._on_brush_changed)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.addRow("Name", self.name_edit)
        form.addRow("Category", self.category_box)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold, 1)
        threshold_row.addWidget(self.threshold_value)
        form.addRow("Cut background", threshold_row)
        form.addRow("", self.eraser_check)
        form.addRow("Brush size", self.brush)
        hint = QLabel("Drag a point to move it. L and R are the wearer's left and right, so the "
                      "L points (blue) sit on the right of the photo and the R points (orange) on the left. "
                      "Cut background and the eraser remove cloth the mask kept by mistake; Ctrl+Z undoes.")
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {style.MUTED};")
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(hint)
        side.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        side.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        side.addLayout(buttons)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(330)
        layout = QHBoxLayout(self)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(side_widget)
        self.resize(EDITOR_SIZE)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._emit_preview)
        if edit.bundled:
            self.save_button.setEnabled(False)
            self._say("Bundled garments are read-only: changes show on the mirror but cannot be saved.", "warning")
        self._sync_controls()

    @classmethod
    def for_catalog(cls, catalog: Catalog, garment_id: str, parent: QWidget | None = None) -> GarmentEditorDialog:
        """An editor on a catalog garment (reads its files); GarmentError naming the problem."""
        entry = catalog.find(garment_id)
        return cls(GarmentEdit.open(entry.sidecar_path, bundled=entry.bundled), parent)

    # --- actions ----------------------------------------------------------------------------

    def undo(self) -> None:
        if self.edit.undo():
            self._sync_controls()
            self._on_changed()

    def save(self) -> bool:
        try:
            sc = self.edit.save()
        except LiveFitError as error:
            log.warning("garment not saved: %s", error)
            self._say(str(error), "error")
            return False
        log.info("saved garment %r (%s)", sc.id, self.edit.sidecar_path)
        self.saved.emit(sc.id)
        self.accept()
        return True

    # --- slots ------------------------------------------------------------------------------

    def _say(self, text: str, level: str = "info") -> None:
        colour = {"error": style.ERROR, "warning": style.WARNING}.get(level, style.MUTED)
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)

    def _sync_controls(self) -> None:
        state = self.edit.state
        if self.name_edit.text() != state.name:
            self.name_edit.setText(state.name)
        self.category_box.blockSignals(True)
        self.category_box.setCurrentIndex(CATEGORIES.index(state.category))
        self.category_box.blockSignals(False)
        self.threshold.blockSignals(True)
        self.threshold.setValue(state.threshold)
        self.threshold.blockSignals(False)
        self.threshold_value.setText("off" if state.threshold == 0 else str(state.threshold))
        self.undo_button.setEnabled(self.edit.can_undo)

    def _on_changed(self) -> None:
        self.undo_button.setEnabled(self.edit.can_undo)
        if not self.edit.bundled:
            self._say("")
        self.canvas.update()
        self._preview_timer.start()

    def _emit_preview(self) -> None:
        if np.any(self.edit.mask()):
            self.previewChanged.emit(self.edit.to_garment())

    def _on_name_edited(self, text: str) -> None:
        # Typing a name is one undo step, not one per letter.
        self.edit.set_name(text, record=not self._name_recorded)
        self._name_recorded = True
        self._on_changed()

    def _on_name_finished(self) -> None:
        self._name_recorded = False

    def _on_category_changed(self, index: int) -> None:
        self.edit.set_category(str(self.category_box.itemData(index)))
        self._sync_controls()
        self._on_changed()

    def _on_threshold_pressed(self) -> None:
        self._threshold_recorded = False

    def _on_threshold_changed(self, value: int) -> None:
        # A slider drag is one undo step: record on its first change only.
        self.edit.set_threshold(value, record=not self._threshold_recorded)
        self._threshold_recorded = self.threshold.isSliderDown()
        self.threshold_value.setText("off" if value == 0 else str(value))
        self._on_changed()

    def _on_eraser_toggled(self, on: bool) -> None:
        self.canvas.eraser = on
        self.canvas.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _on_brush_changed(self, value: int) -> None:
        self.canvas.eraser_radius = float(value)

    def done(self, result: int) -> None:
        """Stop the preview timer before closing (a late preview would undo the reset)."""
        self._preview_timer.stop()
        super().done(result)
