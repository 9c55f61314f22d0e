"""`CatalogPanel`: the garments as clickable cards (thumbnail, name, quick-pick key).

Clicking a card emits `garmentChosen(id)`; the window decides what happens. The panel shows the
selection the window tells it (`select`), so the highlight always matches the garment being
rendered, however it was chosen (click, key, start-up). The panel never takes keyboard focus:
keys belong to the window's shortcuts.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.garments.model import GarmentEntry
from app.gui import style
from app.gui.garment_items import ID_ROLE, entry_item, garment_ids, row_of, select_garment
from app.gui.keys import QUICK_PICK_KEYS

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
CARD_SIZE = QSize(146, 214)
THUMB_HEIGHT = 148
NAME_LINES = 2
PANEL_WIDTH = 2 * CARD_SIZE.width() + 24
CATEGORY_LABELS = {
    "sleeveless": "Sleeveless",
    "short_sleeve": "Short sleeve",
    "long_sleeve": "Long sleeve",
    "shirt": "Shirt",
    "hoodie": "Hoodie",
}


def _wrap(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """At most `NAME_LINES` lines of `text` that fit `width`, broken between words; the last one
    elided when the name is longer."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < NAME_LINES:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]


class _CardDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return CARD_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        rect = QRectF(option.rect).adjusted(5, 5, -5, -5)  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QPainterPath()
        card.addRoundedRect(rect, 10, 10)
        background = QColor(style.ACCENT) if selected else QColor(style.RAISED if hovered else "#1c1f24")
        if selected:
            background.setAlphaF(0.18)
        painter.fillPath(card, background)
        if selected:
            painter.setPen(QPen(QColor(style.ACCENT), 2))
            painter.drawPath(card)
        thumb_rect = QRectF(rect.left() + 7, rect.top() + 7, rect.width() - 14, THUMB_HEIGHT - 14)
        clip = QPainterPath()
        clip.addRoundedRect(thumb_rect, 7, 7)
        painter.fillPath(clip, QColor("#f6f6f6"))
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = pixmap.scaled(thumb_rect.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            x = thumb_rect.left() + (thumb_rect.width() - scaled.width()) / 2
            y = thumb_rect.top() + (thumb_rect.height() - scaled.height()) / 2
            painter.setClipPath(clip)
            painter.drawPixmap(int(x), int(y), scaled)
            painter.setClipping(False)
        key = index.data(KEY_ROLE)
        if key:
            badge = QRectF(thumb_rect.left() + 5, thumb_rect.top() + 5, 20, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(17, 18, 21, 215))
            painter.drawRoundedRect(badge, 5, 5)
            painter.setPen(QColor(style.ACCENT if selected else style.TEXT))
            font = QFont(option.font)  # type: ignore[attr-defined]
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            painter.setFont(font)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, key)
        name_font = QFont(option.font)  # type: ignore[attr-defined]
        name_font.setPointSizeF(name_font.pointSizeF() * 0.95)
        name_font.setWeight(QFont.Weight.DemiBold if selected else QFont.Weight.Medium)
        painter.setFont(name_font)
        painter.setPen(QColor(style.TEXT))
        metrics = painter.fontMetrics()
        width = int(rect.width()) - 18
        line_height = metrics.lineSpacing()
        top = int(thumb_rect.bottom()) + 7
        for line_number, line in enumerate(_wrap(str(index.data(Qt.ItemDataRole.DisplayRole)), metrics, width)):
            painter.drawText(QRect(int(rect.left()) + 9, top + line_number * line_height, width, line_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
        small = QFont(option.font)  # type: ignore[attr-defined]
        small.setPointSizeF(small.pointSizeF() * 0.82)
        painter.setFont(small)
        painter.setPen(QColor(style.MUTED))
        painter.drawText(QRect(int(rect.left()) + 9, int(rect.bottom()) - 20, width, 16),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(index.data(Qt.ItemDataRole.WhatsThisRole) or ""))
        painter.restore()


class CatalogPanel(QWidget):
    garmentChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self.list = QListView(self)
        self.list.setObjectName("catalog")
        self.list.setModel(self._model)
        self.list.setItemDelegate(_CardDelegate(self.list))
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setUniformItemSizes(True)
        self.list.setGridSize(CARD_SIZE)
        self.list.setSpacing(0)
        self.list.setMouseTracking(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.clicked.connect(self._on_clicked)
        title = QLabel("GARMENTS")
        title.setObjectName("panelTitle")
        self.empty = QLabel("No garments yet.\nAdd a product photo with\nthe + button or drop one here.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(f"color: {style.MUTED}; background: {style.PANEL};"
                                 f" border-left: 1px solid {style.BORDER};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self.setFixedWidth(PANEL_WIDTH)
        self._selected: str | None = None
        self.set_entries([])

    def set_entries(self, entries: list[GarmentEntry]) -> None:
        self._model.clear()
        for position, entry in enumerate(entries):
            item = entry_item(entry)
            item.setData(QUICK_PICK_KEYS[position] if position < len(QUICK_PICK_KEYS) else "", KEY_ROLE)
            item.setData(CATEGORY_LABELS.get(entry.category, entry.category), Qt.ItemDataRole.WhatsThisRole)
            item.setToolTip(f"{entry.name} ({CATEGORY_LABELS.get(entry.category, entry.category)})"
                            + ("" if entry.bundled else " — your garment"))
            self._model.appendRow(item)
        self.list.setVisible(bool(entries))
        self.empty.setVisible(not entries)
        self.select(self._selected)

    def ids(self) -> list[str]:
        return garment_ids(self._model)

    def selected_id(self) -> str | None:
        return self._selected

    def select(self, garment_id: str | None) -> None:
        """Highlight `garment_id` (None: nothing) without emitting `garmentChosen`."""
        self._selected = garment_id
        select_garment(self.list, self._model, garment_id)

    def card_rect(self, garment_id: str) -> QRect:
        """Where a card is, in `self.list.viewport()` coordinates (for tests and tours)."""
        row = row_of(self._model, garment_id)
        return QRect() if row is None else self.list.visualRect(self._model.index(row, 0))

    def _on_clicked(self, index: QModelIndex) -> None:
        garment_id = index.data(ID_ROLE)
        # The highlight follows the window's decision (select), not the raw click.
        self.select(self._selected)
        if garment_id:
            self.garmentChosen.emit(str(garment_id))
