"""Refuse a Qt binding that would crash the mirror: a reference-counting defect in PySide6.

PySide6 6.12.0 (measured here on CPython 3.11) releases one reference to `None` on every call
of a void Qt method from Python and one to `True` on every signal emission. On CPython 3.12+
those objects are immortal and nothing happens; on 3.11 their counts run down and the process
aborts ("Fatal Python error: bool_dealloc / none_dealloc") after a few thousand frames, about
a minute of mirror. 6.11.3 does not have the defect. The check measures the behaviour instead
of matching version numbers, so a fixed or a newly broken release is judged by what it does.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import QObject

PROBE_CALLS = 64


def binding_defect() -> str | None:
    """One line saying what is wrong and how to fix it, or None when the binding is sound."""
    if sys.version_info >= (3, 12):
        return None  # None and True are immortal there: a lost reference does no harm
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    if lost < PROBE_CALLS // 2:
        return None
    return (f"PySide6 {PySide6.__version__} loses Python references on every Qt call under Python "
            f"{sys.version_info.major}.{sys.version_info.minor}, which crashes the window within minutes; "
            "install a sound release: pip install 'PySide6-Essentials==6.11.3'")
