"""`Carousel`: the kiosk's garment strip — big cards in one row, arrows either side, swipeable.

It replaces the desktop's catalog panel: fewer garments shown at once, each a large touch target
(`style.CARD_SIZE`), a finger drag scrolls the row (QScroller on touch input), and the arrows
step to the previous or next garment. As in the desktop panel, a tap only *asks* for a garment
(`garmentChosen`); the highlight follows what the window decides (`select`).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QPushButton,
    QScroller,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.garments.model import GarmentEntry
from app.gui.garment_items import ID_ROLE, entry_item, garment_ids, row_of, select_garment
from app.kiosk import style

CARD_MARGIN = 6


class _CardDelegate(QStyledItemDelegate):
    def __init__(self, accent: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accent = accent

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return style.CARD_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        margin = CARD_MARGIN
        rect = QRectF(option.rect).adjusted(margin, margin, -margin, -margin)  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QPainterPath()
        card.addRoundedRect(rect, 14, 14)
        background = QColor(self.accent) if selected else QColor(style.RAISED)
        if selected:
            background.setAlphaF(0.22)
        painter.fillPath(card, background)
        if selected:
            painter.setPen(QPen(self.accent, 3))
            painter.drawPath(card)
        thumb = QRectF(rect.left() + 8, rect.top() + 8, rect.width() - 16, style.CARD_THUMB_HEIGHT - 22)
        clip = QPainterPath()
        clip.addRoundedRect(thumb, 9, 9)
        painter.fillPath(clip, QColor("#f6f6f6"))
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = pixmap.scaled(thumb.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            painter.setClipPath(clip)
            painter.drawPixmap(int(thumb.left() + (thumb.width() - scaled.width()) / 2),
                               int(thumb.top() + (thumb.height() - scaled.height()) / 2), scaled)
            painter.setClipping(False)
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setPointSizeF(font.pointSizeF() * 1.1)
        font.setWeight(QFont.Weight.DemiBold if selected else QFont.Weight.Medium)
        painter.setFont(font)
        painter.setPen(QColor(style.TEXT))
        text_rect = QRect(int(rect.left()) + 8, int(thumb.bottom()) + 6, int(rect.width()) - 16,
                          int(rect.bottom() - thumb.bottom()) - 10)
        name = str(index.data(Qt.ItemDataRole.DisplayRole))
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(text_rect, flags, name)
        painter.restore()


class Carousel(QWidget):
    garmentChosen = Signal(str)

    def __init__(self, accent: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self._selected: str | None = None
        self.list = QListView(self)
        self.list.setObjectName("carousel")
        self.list.setModel(self._model)
        self.list.setItemDelegate(_CardDelegate(QColor(accent), self.list))
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setUniformItemSizes(True)
        self.list.setGridSize(style.CARD_SIZE)
        self.list.setSpacing(0)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setFixedHeight(style.CARD_SIZE.height() + 4)
        self.list.clicked.connect(self._on_clicked)
        # A finger drag scrolls the row; mouse clicks stay clicks.
        QScroller.grabGesture(self.list.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.previous_button = self._arrow("‹", "Previous garment", -1)
        self.next_button = self._arrow("›", "Next garment", 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.next_button)

    def _arrow(self, text: str, name: str, step: int) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("arrow")
        button.setAccessibleName(name)
        button.setFixedSize(style.ARROW_SIZE)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda: self.step(step))
        return button

    def set_entries(self, entries: list[GarmentEntry]) -> None:
        self._model.clear()
        for entry in entries:
            self._model.appendRow(entry_item(entry))
        self.select(self._selected)

    def ids(self) -> list[str]:
        return garment_ids(self._model)

    def selected_id(self) -> str | None:
        return self._selected

    def select(self, garment_id: str | None) -> None:
        """Highlight `garment_id` and scroll it into view, without emitting `garmentChosen`."""
        self._selected = garment_id
        select_garment(self.list, self._model, garment_id)

    def step(self, step: int) -> None:
        ids = self.ids()
        if not ids:
            return
        current = ids.index(self._selected) if self._selected in ids else (-1 if step > 0 else 0)
        self.garmentChosen.emit(ids[(current + step) % len(ids)])

    def card_rect(self, garment_id: str) -> QRect:
        """Where a card is, in `self.list.viewport()` coordinates (tests)."""
        row = row_of(self._model, garment_id)
        return QRect() if row is None else self.list.visualRect(self._model.index(row, 0))

    def _on_clicked(self, index: QModelIndex) -> None:
        garment_id = index.data(ID_ROLE)
        self.select(self._selected)
        if garment_id:
            self.garmentChosen.emit(str(garment_id))
