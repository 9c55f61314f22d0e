"""The garment list both the mirror's catalog panel and the kiosk's carousel show: one item per
garment in a QStandardItemModel, its id under ID_ROLE, and selection by id."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView

from app.garments.model import GarmentEntry

ID_ROLE = Qt.ItemDataRole.UserRole


def entry_item(entry: GarmentEntry) -> QStandardItem:
    """An item showing the garment's name and thumbnail (when its file exists), id under ID_ROLE."""
    item = QStandardItem(entry.name)
    item.setData(entry.id, ID_ROLE)
    if entry.thumbnail_path is not None and entry.thumbnail_path.is_file():
        item.setData(QPixmap(str(entry.thumbnail_path)), Qt.ItemDataRole.DecorationRole)
    return item


def garment_ids(model: QStandardItemModel) -> list[str]:
    return [str(model.item(row).data(ID_ROLE)) for row in range(model.rowCount())]


def row_of(model: QStandardItemModel, garment_id: str | None) -> int | None:
    """The row holding `garment_id`, or None."""
    for row in range(model.rowCount()):
        if model.item(row).data(ID_ROLE) == garment_id:
            return row
    return None


def select_garment(view: QAbstractItemView, model: QStandardItemModel, garment_id: str | None) -> None:
    """Select `garment_id`'s row alone and scroll it into view; nothing for None or an unknown id."""
    selection = view.selectionModel()
    selection.clearSelection()
    row = row_of(model, garment_id) if garment_id is not None else None
    if row is not None:
        index = model.index(row, 0)
        selection.select(index, selection.SelectionFlag.ClearAndSelect)
        view.scrollTo(index)
