"""GUI test setup: strict Qt hygiene, a synthetic catalog, a fake camera, a window factory.

Every test here fails when it logs a Qt warning (during the test or its teardown), leaves a
visible window, a running LiveFit thread or a new Python thread behind. Windows are built with
the same parts `app.gui.runner` uses, except that sources come from the test: the demo person
at 320x240 (fast: the real pipeline runs at ~30 ms per frame here), a fake camera that can be
unplugged, or a source that always fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import qt_support
from qt_support import FRAME_SIZE, TEES, FakeCameraDevice, FakeCameraSource, draw_tee, wait_for_frames, wait_for_garment

from app.errors import SourceError
from app.garments.catalog import Catalog
from app.gui.main_window import MainWindow, WindowOptions
from app.gui.session import MirrorSession
from app.gui.settings import AppSettings
from app.pipeline.frame import FramePipeline
from app.sources import DemoSource, FrameSource

GUI_DIR = Path(__file__).resolve().parent
QT_FIXTURES = {"qtbot", "qapp", "make_window"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    qt_support.mark_qt_items(items, GUI_DIR, QT_FIXTURES)


# --- hygiene (tests/qt_support.py) ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _pictures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return qt_support.pictures_dir(tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from qt_support.no_leaks(request)


# --- garments ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tee_photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tee-photos")
    return {name: draw_tee(folder / f"{name.lower().replace(' ', '-')}.png", colour)
            for name, colour in TEES.items()}


@pytest.fixture(scope="session")
def _template_catalog(tmp_path_factory: pytest.TempPathFactory, tee_photos: dict[str, Path]) -> Path:
    """Imported once per session; tests get a copy."""
    return qt_support.template_catalog(tmp_path_factory.mktemp("template") / "garments", tee_photos)


@pytest.fixture
def catalog(tmp_path: Path, _template_catalog: Path) -> Catalog:
    """Four synthetic tees (blue-tee, green-tee, red-tee, yellow-tee), no bundled garments."""
    return qt_support.copy_catalog(_template_catalog, tmp_path / "catalog")


# --- sources -------------------------------------------------------------------------------


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
             pipeline: Callable[[str, bool], FramePipeline] | None = None, reconnect_interval_s: float = 0.1,
             start: bool = True) -> WindowKit:
        settings = AppSettings(settings_path)
        opener = sources or demo_or_camera()
        kit_specs: list[str] = []

        def open_spec(spec: str) -> FrameSource:
            kit_specs.append(spec)
            return opener(spec)

        worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)
        # By default the pipeline the app builds: overlapped unless the settings say otherwise.
        build = pipeline or (lambda device, overlapped: FramePipeline("cpu", overlapped=overlapped))
        session = MirrorSession(open_spec, build, worker_catalog.load,
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
