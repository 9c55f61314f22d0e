"""GUI test setup: strict Qt hygiene, a synthetic catalog, a fake camera, a window factory.

Every test here fails when it logs a Qt warning (during the test or its teardown), leaves a
visible window, a running LiveFit thread or a new Python thread behind. Windows are built with
the same parts `app.gui.runner` uses, except that sources come from the test: the demo person
at 320x240 (fast: the real pipeline runs at ~30 ms per frame here), a fake camera that can be
unplugged, or a source that always fails.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from app.errors import SourceError
from app.garments.catalog import Catalog
from app.gui.main_window import MainWindow, WindowOptions
from app.gui.qtcheck import binding_defect
from app.gui.session import MirrorSession
from app.gui.settings import AppSettings
from app.gui.threads import LoopThread
from app.pipeline.frame import FramePipeline
from app.sources import DemoSource, FrameSource
from app.sources.base import Frame

GUI_DIR = Path(__file__).resolve().parent
FRAME_SIZE = (320, 240)
IGNORED_QT_MESSAGES = (
    # The offscreen platform says this whenever a window is shown; a real display does not.
    r"This plugin does not support propagateSizeHints\(\)",
)
TEES = {"Red tee": (40, 40, 210), "Green tee": (40, 170, 40), "Blue tee": (200, 90, 30), "Yellow tee": (30, 210, 230)}
"""Synthetic product photos: name -> BGR colour. Catalog order (by name): blue, green, red, yellow."""


QT_FIXTURES = {"qtbot", "qapp", "make_window"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A binding that loses references aborts the whole pytest process after a few hundred
    # frames; run only the test that says so (test_qt_binding.py) instead of crashing.
    defect = binding_defect()
    for item in items:
        if GUI_DIR not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
        item.add_marker(pytest.mark.qt_log_ignore(*IGNORED_QT_MESSAGES))
        if defect and QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=defect))


# --- hygiene -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _pictures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Pictures" / "LiveFit"
    monkeypatch.setenv("LIVEFIT_PICTURES_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves windows, threads or Qt warnings behind (teardown included).

    Autouse fixtures are set up before `qtbot`, so this check runs after qtbot has closed the
    widgets registered with it. Tests without Qt never make a QApplication here.
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
            window.close()
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


@pytest.fixture(scope="session")
def tee_photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tee-photos")
    return {name: draw_tee(folder / f"{name.lower().replace(' ', '-')}.png", colour)
            for name, colour in TEES.items()}


@pytest.fixture(scope="session")
def _template_catalog(tmp_path_factory: pytest.TempPathFactory, tee_photos: dict[str, Path]) -> Path:
    """Imported once per session (analysis takes ~0.5 s a photo); tests get a copy."""
    folder = tmp_path_factory.mktemp("template") / "garments"
    catalog = Catalog(folder, bundled_dir=None)
    for name, photo in tee_photos.items():
        catalog.add(photo, name=name)
    return folder


@pytest.fixture
def catalog(tmp_path: Path, _template_catalog: Path) -> Catalog:
    """Four synthetic tees (blue-tee, green-tee, red-tee, yellow-tee), no bundled garments."""
    folder = tmp_path / "catalog"
    shutil.copytree(_template_catalog, folder)
    return Catalog(folder, bundled_dir=None)


# --- sources -------------------------------------------------------------------------------


class FakeCameraDevice:
    """A camera that can be unplugged and plugged back in while a source reads it.

    Frames are the demo person at 320x240 (or one still frame with `still=True`), delivered
    at about `fps` like a real driver, which blocks until its next frame.
    """

    def __init__(self, fps: float = 30.0, still: bool = False) -> None:
        self.fps = fps
        self.still = still
        self.plugged = True
        self.opened = 0
        self.released = 0
        self._demo = DemoSource(size=FRAME_SIZE)

    def unplug(self) -> None:
        self.plugged = False

    def replug(self) -> None:
        self.plugged = True

    def frame(self, index: int) -> np.ndarray:
        return self._demo.render(0 if self.still else index)

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


SourceFactory = Callable[[str], FrameSource]


def demo_or_camera(device: FakeCameraDevice | None = None) -> SourceFactory:
    """'demo' is the small demo; digits are the fake camera (absent when `device` is None)."""

    def open_spec(spec: str) -> FrameSource:
        if spec == "demo":
            return DemoSource(size=FRAME_SIZE)
        if spec.isdigit():
            if device is None:
                raise SourceError(f"camera {spec}: cannot be opened (no such camera?)")
            return FakeCameraSource(device, int(spec))
        raise SourceError(f"{spec}: no such file or folder")

    return open_spec


# --- windows -------------------------------------------------------------------------------


@dataclass
class WindowKit:
    """What `make_window` built, for tests that need more than the window."""

    window: MainWindow
    settings: AppSettings
    opened_specs: list[str] = field(default_factory=list)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, catalog: Catalog, settings_path: Path, _pictures_dir: Path, tmp_path: Path):
    """Build, show and start a mirror window: `make_window(source="demo", ...) -> WindowKit`."""
    made: list[MainWindow] = []

    def make(source: str | None = "demo", garment: str | None = None, sources: SourceFactory | None = None,
             pipeline: Callable[[str], FramePipeline] | None = None, reconnect_interval_s: float = 0.1,
             start: bool = True) -> WindowKit:
        settings = AppSettings(settings_path)
        opener = sources or demo_or_camera()
        kit_specs: list[str] = []

        def open_spec(spec: str) -> FrameSource:
            kit_specs.append(spec)
            return opener(spec)

        worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)
        session = MirrorSession(open_spec, pipeline or (lambda device: FramePipeline("cpu")), worker_catalog.load,
                                reconnect_interval_s=reconnect_interval_s)
        window = MainWindow(session=session, catalog=catalog, settings=settings, pictures_dir=_pictures_dir,
                            log_dir=tmp_path / "log", options=WindowOptions(source=source, garment=garment))
        qtbot.addWidget(window)
        made.append(window)
        with qtbot.waitActive(window):  # window shortcuts only fire in the active window
            window.show()
            window.activateWindow()
        if start:
            window.start()
        return WindowKit(window, settings, kit_specs)

    yield make
    for window in made:
        window.close()


def wait_for_frames(qtbot, window: MainWindow, count: int = 1, timeout_ms: int = 10_000) -> None:
    """Wait until `count` more frames were painted."""
    target = window.stats.painted + count
    qtbot.waitUntil(lambda: window.stats.painted >= target, timeout=timeout_ms)


def wait_for_garment(qtbot, window: MainWindow, garment_id: str | None, timeout_ms: int = 10_000) -> None:
    """Wait until the view shows a frame rendered with `garment_id`."""

    def shown() -> bool:
        frame = window.view.current_frame
        return frame is not None and frame.result.garment_id == garment_id

    qtbot.waitUntil(shown, timeout=timeout_ms)


@pytest.fixture
def gui() -> object:
    """The helpers above, for test modules (conftest is not importable under importlib mode)."""

    class Helpers:
        FakeCameraDevice = FakeCameraDevice
        FakeCameraSource = FakeCameraSource
        demo_or_camera = staticmethod(demo_or_camera)
        wait_for_frames = staticmethod(wait_for_frames)
        wait_for_garment = staticmethod(wait_for_garment)
        draw_tee = staticmethod(draw_tee)
        FRAME_SIZE = FRAME_SIZE

    return Helpers
