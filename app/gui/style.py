"""The mirror's look: a dark theme (palette + one style sheet) and the icon loader.

Dark so the shopper's picture is the brightest thing on screen; one accent colour marks what is
selected or active. Colours live here, named, so widgets never hard-code them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app import paths

WINDOW = "#111215"
PANEL = "#17191d"
RAISED = "#202329"
BORDER = "#2a2e35"
TEXT = "#e9eaee"
MUTED = "#8a8f98"
ACCENT = "#7aa2ff"
WARNING = "#f5b94a"
ERROR = "#ff6b6b"
SUCCESS = "#5fd38d"

FONT_FAMILIES = ["Inter", "Segoe UI", "SF Pro Text", "Helvetica Neue", "Cantarell", "DejaVu Sans"]

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW}; color: {TEXT}; }}
QWidget {{ color: {TEXT}; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; padding: 4px 8px; spacing: 2px; }}
QLabel#brand {{ color: {ACCENT}; font-size: 16px; font-weight: 700; padding: 0 14px 0 6px; letter-spacing: 0.5px; }}
QToolBar::separator {{ background: {BORDER}; width: 1px; margin: 6px 6px; }}
QToolButton {{ background: transparent; border: 1px solid transparent; border-radius: 8px;
    padding: 5px 9px; color: {TEXT}; }}
QToolButton:hover {{ background: {RAISED}; }}
QToolButton:checked {{ background: rgba(122, 162, 255, 0.16); border-color: rgba(122, 162, 255, 0.55); }}
QToolButton::menu-indicator {{ image: none; width: 0; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 10px; }}
QStatusBar QLabel#device {{ color: {TEXT}; font-weight: 600; }}
QStatusBar::item {{ border: none; }}
QMenu {{ background: {RAISED}; border: 1px solid {BORDER}; padding: 6px; }}
QMenu::item {{ padding: 6px 22px 6px 12px; border-radius: 6px; }}
QMenu::item:selected {{ background: rgba(122, 162, 255, 0.22); }}
QPushButton {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 8px; padding: 7px 16px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: #0b0c0e; border-color: {ACCENT}; font-weight: 600; }}
QPushButton:disabled {{ color: {MUTED}; }}
QPushButton[primary="true"]:disabled {{ background: {RAISED}; color: {MUTED}; border-color: {BORDER}; }}
QLineEdit, QComboBox, QSpinBox {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: 5px 8px; }}
QComboBox QAbstractItemView {{ background: {RAISED}; selection-background-color: rgba(122, 162, 255, 0.3); }}
QCheckBox {{ spacing: 8px; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 8px; margin-top: 14px; padding: 10px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {MUTED}; }}
QListView#catalog {{ background: {PANEL}; border: none; border-left: 1px solid {BORDER}; outline: none; }}
QLabel#panelTitle {{ color: {MUTED}; font-size: 11px; font-weight: 600; letter-spacing: 1px;
    padding: 14px 14px 6px 14px;
    background: {PANEL}; border-left: 1px solid {BORDER}; }}
QScrollBar:vertical {{ background: transparent; width: 8px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {BORDER}; border-radius: 4px; min-height: 30px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
QSlider::groove:horizontal {{ height: 4px; background: {BORDER}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {ACCENT}; width: 14px; margin: -5px 0; border-radius: 7px; }}
"""


def apply_theme(app: QApplication) -> None:
    """Dark palette, style sheet and font for the whole application."""
    app.setStyle("Fusion")  # the same look on every platform; native styles ignore parts of the sheet
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, WINDOW),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Base, RAISED),
        (QPalette.ColorRole.AlternateBase, PANEL),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.Button, RAISED),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, "#0b0c0e"),
        (QPalette.ColorRole.ToolTipBase, RAISED),
        (QPalette.ColorRole.ToolTipText, TEXT),
        (QPalette.ColorRole.PlaceholderText, MUTED),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(10.0)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)


def icon(name: str) -> QIcon:
    """An icon from assets/icons (`name` without ".svg"); an empty icon when it is missing."""
    path = paths.assets_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
