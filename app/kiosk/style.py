"""The kiosk's look on top of the desktop theme: touch sizes, big type, the configured accent.

Sizes follow touch guidelines (Material and Apple ask for 48 px / 44 pt): every control a shopper
can press is at least `TOUCH_MIN` in both directions, the main ones larger. The accent colour
comes from the config, so style sheets are built by functions rather than held as constants.
"""

from __future__ import annotations

from PySide6.QtCore import QSize

from app.gui import style as base

TOUCH_MIN = 48
BUTTON_HEIGHT = 72
ARROW_SIZE = QSize(64, 120)
CARD_SIZE = QSize(150, 200)
CARD_THUMB_HEIGHT = 150
HEADER_HEIGHT = 68
LOGO_HEIGHT = 44
PIN_KEY = QSize(88, 72)

TEXT = base.TEXT
MUTED = base.MUTED
PANEL = base.PANEL
RAISED = base.RAISED
BORDER = base.BORDER
WINDOW = base.WINDOW
ERROR = base.ERROR
CAMERA_ON = "#ff4d4f"
"""The "camera on" dot: red, as recording lights are."""


def sheet(accent: str) -> str:
    """The kiosk window's style sheet (on top of the application's)."""
    return f"""
    #kioskHeader, #kioskBottom {{ background: {PANEL}; }}
    #kioskHeader {{ border-bottom: 1px solid {BORDER}; }}
    #kioskBottom {{ border-top: 1px solid {BORDER}; }}
    QLabel#kioskTitle {{ color: {accent}; font-size: 24px; font-weight: 700; letter-spacing: 0.5px; }}
    QLabel#cameraOn {{ color: {TEXT}; font-size: 15px; font-weight: 600; background: rgba(255, 77, 79, 0.14);
        border: 1px solid {CAMERA_ON}; border-radius: 16px; padding: 6px 14px; }}
    QPushButton {{ font-size: 18px; min-height: {TOUCH_MIN}px; min-width: {TOUCH_MIN}px; border-radius: 12px; }}
    QPushButton#captureButton {{ background: {accent}; color: #0b0c0e; border: none; font-size: 20px;
        font-weight: 700; padding: 0 28px; min-height: {BUTTON_HEIGHT}px; }}
    QPushButton#captureButton:disabled {{ background: {RAISED}; color: {MUTED}; }}
    QPushButton#arrow {{ font-size: 40px; font-weight: 300; background: {RAISED}; border: 1px solid {BORDER}; }}
    QPushButton#arrow:pressed, QPushButton#pinKey:pressed {{ background: {accent}; color: #0b0c0e; }}
    QPushButton#pinKey {{ font-size: 26px; font-weight: 600; background: {RAISED}; border: 1px solid {BORDER}; }}
    QPushButton#adminAction {{ font-size: 20px; padding: 0 24px; min-height: {BUTTON_HEIGHT}px; }}
    QPushButton#adminPrimary {{ font-size: 20px; padding: 0 24px; min-height: {BUTTON_HEIGHT}px;
        background: {accent}; color: #0b0c0e; border: none; font-weight: 700; }}
    QListView#carousel {{ background: transparent; border: none; outline: none; }}
    """
