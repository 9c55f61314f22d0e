"""Kiosk test setup: the GUI suite's hygiene, a fake camera that can see nobody, a kiosk factory.

As in tests/gui: every Qt test here fails when it logs a Qt warning, leaves a visible window, a
running LiveFit thread or a new Python thread behind. Kiosks are built with the parts
`app.kiosk.runner` uses, with short timeouts (the config's own minimums are for shop floors; the
dataclass takes anything), 320x240 frames and a fake camera that can be unplugged and can show
the demo person or an empty backdrop.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
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
from app.kiosk.config import CameraConfig, CaptureConfig, KioskConfig
from app.kiosk.pin import hash_pin
from app.pipeline.frame import FramePipeline
from app.sources import DemoSource, FrameSource
from app.sources.base import Frame

KIOSK_DIR = Path(__file__).resolve().parent
FRAME_SIZE = (320, 240)
PIN = "2468"
FAST_PIN_ITERATIONS = 10_000  # the minimum the config accepts; keeps each check ~5 ms
IGNORED_QT_MESSAGES = (r"This plugin does not support propagateSizeHints\(\)",)
TEES = {"Red tee": (40, 40, 210), "Green tee": (40, 170, 40), "Blue tee": (200, 90, 30), "Yellow tee": (30, 210, 230)}
"""Catalog order (by name): blue-tee, green-tee, red-tee, yellow-tee."""
QT_FIXTURES = {"qtbot", "qapp", "make_kiosk"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    defect = binding_defect()
    for item in items:
        if KIOSK_DIR not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
        item.add_marker(pytest.mark.qt_log_ignore(*IGNORED_QT_MESSAGES))
        if defect and QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=defect))


# --- hygiene (as tests/gui/conftest.py) ------------------------------------------------------


@pytest.fixture(autouse=True)
def _pictures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Pictures" / "LiveFit"
    monkeypatch.setenv("LIVEFIT_PICTURES_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    threads_before = set(threading.enumerate())
    failures_before = request.session.testsfailed
    yield
    if QApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    if request.session.testsfailed > failures_before:
        return
    problems: list[str] = []
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    if windows:
        problems.append(f"visible windows left open: {[type(w).__name__ for w in windows]}")
        for window in windows:
            close = getattr(window, "close_unlocked", window.close)
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


# --- garments --------------------------------------------------------------------------------


def draw_tee(path: Path, colour: tuple[int, int, int]) -> Path:
    image = np.full((1024, 768, 3), 255, np.uint8)
    outline = [[300, 120], [468, 120], [620, 180], [700, 380], [600, 420], [560, 330], [560, 900],
               [208, 900], [208, 330], [168, 420], [68, 380], [148, 180]]
    cv2.fillPoly(image, [np.array(outline, np.int32)], colour)
    cv2.ellipse(image, (384, 120), (84, 60), 0, 0, 180, (255, 255, 255), -1)
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture(scope="session")
def _template_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photos = tmp_path_factory.mktemp("kiosk-tee-photos")
    folder = tmp_path_factory.mktemp("kiosk-template") / "garments"
    catalog = Catalog(folder, bundled_dir=None)
    for name, colour in TEES.items():
        catalog.add(draw_tee(photos / f"{name.lower().replace(' ', '-')}.png", colour), name=name)
    return folder


@pytest.fixture
def catalog(tmp_path: Path, _template_catalog: Path) -> Catalog:
    folder = tmp_path / "catalog"
    shutil.copytree(_template_catalog, folder)
    return Catalog(folder, bundled_dir=None)


# --- a camera that can be unplugged and can see nobody -----------------------------------------


class FakeCameraDevice:
    """The demo person at 320x240 while `present`, an empty grey backdrop otherwise."""

    def __init__(self, fps: float = 30.0, present: bool = True) -> None:
        self.fps = fps
        self.present = present
        self.plugged = True
        self.opened = 0
        self.released = 0
        self._demo = DemoSource(size=FRAME_SIZE)
        self._empty = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), 128, np.uint8)

    def frame(self, index: int) -> np.ndarray:
        return self._demo.render(index) if self.present else self._empty.copy()


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
        delay = self._next_at - time.monotonic()
        if delay > 0:
            threading.Event().wait(delay)
        self._next_at = max(self._next_at + 1.0 / self.device.fps, time.monotonic())
        index = self._index
        self._index += 1
        return Frame(self.device.frame(index), index, index / self.device.fps, "camera0")

    def _release(self) -> None:
        self.device.released += 1


@pytest.fixture
def camera() -> FakeCameraDevice:
    return FakeCameraDevice()


def kiosk_config(**overrides: object) -> KioskConfig:
    """Short timeouts, a fast PIN hash, the fake camera, no countdown before a photo."""
    values: dict[str, object] = dict(
        idle_seconds=1.0, reset_seconds=1.5, stall_seconds=1.5, retry_seconds=0.3,
        pin=hash_pin(PIN, iterations=FAST_PIN_ITERATIONS),
        camera=CameraConfig(source="0", device="cpu"),
        capture=CaptureConfig(countdown_seconds=0.0, show_seconds=1.0),
    )
    values.update(overrides)
    return KioskConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_kiosk(qtbot, catalog: Catalog, camera: FakeCameraDevice, _pictures_dir: Path):
    """Build and start a kiosk window: `make_kiosk(config=None, pipeline=None, ...) -> KioskWindow`."""
    from app.kiosk.session import KioskSession
    from app.kiosk.window import KioskWindow

    made: list[KioskWindow] = []

    def open_spec(spec: str) -> FrameSource:
        if spec.isdigit():
            return FakeCameraSource(camera, int(spec))
        raise SourceError(f"{spec}: no such file or folder")

    def make(config: KioskConfig | None = None, pipeline: Callable[[str], FramePipeline] | None = None,
             start: bool = True, startup_s: float = 30.0) -> KioskWindow:
        worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)
        session = KioskSession(open_spec, pipeline or (lambda device: FramePipeline("cpu")), worker_catalog.load,
                               reconnect_interval_s=0.1)
        window = KioskWindow(session=session, catalog=catalog, config=config or kiosk_config(),
                             pictures_dir=_pictures_dir, startup_s=startup_s)
        qtbot.addWidget(window)
        made.append(window)
        if start:
            window.start()
        return window

    yield make
    for window in made:
        window.close_unlocked()  # before qtbot's own close, which a locked kiosk refuses


@pytest.fixture
def kiosk() -> object:
    """Helpers for test modules (conftest is not importable under importlib mode)."""

    class Helpers:
        PIN = PIN
        FRAME_SIZE = FRAME_SIZE
        config = staticmethod(kiosk_config)
        FakeCameraDevice = FakeCameraDevice

        @staticmethod
        def wait_for_frames(qtbot, window, count: int = 1, timeout_ms: int = 15_000) -> None:
            target = window.stats.painted + count
            qtbot.waitUntil(lambda: window.stats.painted >= target, timeout=timeout_ms)

        @staticmethod
        def wait_for_garment(qtbot, window, garment_id: str | None, timeout_ms: int = 15_000) -> None:
            def shown() -> bool:
                frame = window.view.current_frame
                return frame is not None and frame.result.garment_id == garment_id
            qtbot.waitUntil(shown, timeout=timeout_ms)

    return Helpers
