"""What the Qt suites (tests/gui, tests/kiosk) share: hygiene checks, synthetic tees, a fake camera.

A plain module (the `pythonpath` setting puts tests/ on sys.path), because conftest files are not
importable under `--import-mode=importlib`; each suite's conftest wraps these in its fixtures.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from app.errors import SourceError
from app.garments.catalog import Catalog
from app.gui.qtcheck import binding_defect
from app.gui.threads import LoopThread
from app.sources import DemoSource, FrameSource
from app.sources.base import Frame

FRAME_SIZE = (320, 240)
IGNORED_QT_MESSAGES = (
    # The offscreen platform says this whenever a window is shown; a real display does not.
    r"This plugin does not support propagateSizeHints\(\)",
)
TEES = {"Red tee": (40, 40, 210), "Green tee": (40, 170, 40), "Blue tee": (200, 90, 30), "Yellow tee": (30, 210, 230)}
"""Synthetic product photos: name -> BGR colour. Catalog order (by name): blue, green, red, yellow."""


# --- hygiene -------------------------------------------------------------------------------


def mark_qt_items(items: list[pytest.Item], folder: Path, qt_fixtures: Iterable[str]) -> None:
    """Tests under `folder` fail on Qt warnings; with a broken Qt binding, those using Qt are skipped.

    A binding that loses references aborts the whole pytest process after a few hundred frames;
    only the test that says so (tests/gui/test_qt_binding.py) runs instead of crashing.
    """
    defect = binding_defect()
    for item in items:
        if folder not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
        item.add_marker(pytest.mark.qt_log_ignore(*IGNORED_QT_MESSAGES))
        if defect and set(qt_fixtures) & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=defect))


def pictures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Photos go to a temporary Pictures folder, never the user's."""
    folder = tmp_path / "Pictures" / "LiveFit"
    monkeypatch.setenv("LIVEFIT_PICTURES_DIR", str(folder))
    return folder


def no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves windows, threads or Qt warnings behind (teardown included).

    Used by autouse fixtures, which are set up before `qtbot`, so the check runs after qtbot has
    closed the widgets registered with it. Tests without Qt never make a QApplication here.
    """
    threads_before = set(threading.enumerate())
    failures_before = request.session.testsfailed
    yield
    if QApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    if request.session.testsfailed > failures_before:
        return  # the test already failed; do not pile on
    problems: list[str] = []
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    if windows:
        problems.append(f"visible windows left open: {[type(w).__name__ for w in windows]}")
        for window in windows:
            close = getattr(window, "close_unlocked", window.close)  # a locked kiosk refuses close()
            close()
    running = LoopThread.running_threads()
    if running:
        problems.append(f"LiveFit threads still running: {[t.objectName() for t in running]}")
        for thread in running:
            thread.stop()
    new_threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()
                   and not isinstance(t, threading._DummyThread)]  # noqa: SLF001 (Qt threads seen by Python)
    if new_threads:
        problems.append(f"Python threads still running: {[t.name for t in new_threads]}")
    capture = getattr(request.node, "qt_log_capture", None)
    if capture is not None:
        warnings = [r.message for r in capture.records if r.matches_level("WARNING") and not r.ignored]
        if warnings:
            problems.append(f"Qt warnings: {warnings}")
    if problems:
        pytest.fail("; ".join(problems))


# --- garments ------------------------------------------------------------------------------


def draw_tee(path: Path, colour: tuple[int, int, int], sleeveless: bool = False) -> Path:
    """A flat product photo of a t-shirt: one colour on white, 768x1024, like a shop's."""
    image = np.full((1024, 768, 3), 255, np.uint8)
    if sleeveless:
        outline = [[300, 120], [468, 120], [540, 300], [560, 900], [208, 900], [228, 300]]
    else:
        outline = [[300, 120], [468, 120], [620, 180], [700, 380], [600, 420], [560, 330], [560, 900],
                   [208, 900], [208, 330], [168, 420], [68, 380], [148, 180]]
    cv2.fillPoly(image, [np.array(outline, np.int32)], colour)
    cv2.ellipse(image, (384, 120), (84, 60), 0, 0, 180, (255, 255, 255), -1)  # the neck opening
    cv2.imwrite(str(path), image)
    return path


def template_catalog(folder: Path, photos: dict[str, Path]) -> Path:
    """A catalog folder holding the given photos, imported once (~0.5 s a photo)."""
    catalog = Catalog(folder, bundled_dir=None)
    for name, photo in photos.items():
        catalog.add(photo, name=name)
    return folder


def copy_catalog(template: Path, folder: Path) -> Catalog:
    """A test's own copy of a template catalog, without the bundled garments."""
    shutil.copytree(template, folder)
    return Catalog(folder, bundled_dir=None)


# --- a camera ------------------------------------------------------------------------------


class FakeCameraDevice:
    """A camera that can be unplugged and plugged back in while a source reads it.

    Frames are the demo person at 320x240 (one still frame with `still=True`; upside down while
    `upside_down` is True), or an empty grey backdrop while `present` is False, delivered at about
    `fps` like a real driver, which blocks until its next frame.
    """

    def __init__(self, fps: float = 30.0, still: bool = False, present: bool = True) -> None:
        self.fps = fps
        self.still = still
        self.present = present
        self.upside_down = False
        self.plugged = True
        self.opened = 0
        self.released = 0
        self._demo = DemoSource(size=FRAME_SIZE)
        self._empty = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), 128, np.uint8)

    def unplug(self) -> None:
        self.plugged = False

    def replug(self) -> None:
        self.plugged = True

    def frame(self, index: int) -> np.ndarray:
        if not self.present:
            return self._empty.copy()
        frame = self._demo.render(0 if self.still else index)
        return cv2.rotate(frame, cv2.ROTATE_180) if self.upside_down else frame

    @property
    def open_sources(self) -> int:
        return self.opened - self.released


class FakeCameraSource(FrameSource):
    kind = "camera"
    is_stream = True

    def __init__(self, device: FakeCameraDevice, index: int = 0) -> None:
        if not device.plugged:
            raise SourceError(f"camera {index}: cannot be opened (no such camera?)")
        super().__init__(label=f"camera {index}", fps=device.fps, frame_count=None, size=FRAME_SIZE,
                         max_frames=None)
        self.device = device
        self._index = 0
        self._next_at = time.monotonic()
        device.opened += 1

    def _read_next(self) -> Frame:
        if not self.device.plugged:
            raise SourceError(f"{self.label}: lost (no frame for 2 s)")
        # Block until the next frame is due, as a camera driver does.
        delay = self._next_at - time.monotonic()
        if delay > 0:
            threading.Event().wait(delay)
        self._next_at = max(self._next_at + 1.0 / self.device.fps, time.monotonic())
        index = self._index
        self._index += 1
        return Frame(self.device.frame(index), index, index / self.device.fps, "camera0")

    def _release(self) -> None:
        self.device.released += 1


# --- waiting on a window -------------------------------------------------------------------


def wait_for_frames(qtbot, window, count: int = 1, timeout_ms: int = 10_000) -> None:
    """Wait until `count` more frames were painted."""
    target = window.stats.painted + count
    qtbot.waitUntil(lambda: window.stats.painted >= target, timeout=timeout_ms)


def wait_for_garment(qtbot, window, garment_id: str | None, timeout_ms: int = 10_000) -> None:
    """Wait until the view shows a frame rendered with `garment_id`."""

    def shown() -> bool:
        frame = window.view.current_frame
        return frame is not None and frame.result.garment_id == garment_id

    qtbot.waitUntil(shown, timeout=timeout_ms)
