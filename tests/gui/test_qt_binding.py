"""The Qt binding must not lose Python references (see app/gui/qtcheck.py).

When this fails, every Qt test in tests/gui is skipped with the same message: running them on
such a binding aborts the whole pytest process ("Fatal Python error: bool_dealloc").
"""

from __future__ import annotations

from app.gui.qtcheck import binding_defect


def test_the_qt_binding_does_not_lose_references() -> None:
    assert binding_defect() is None, binding_defect()
