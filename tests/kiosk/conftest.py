"""Kiosk test setup: the GUI suite's hygiene, a fake camera that can see nobody, a kiosk factory.

As in tests/gui: every Qt test here fails when it logs a Qt warning, leaves a visible window, a
running LiveFit thread or a new Python thread behind. Kiosks are built with the parts
`app.kiosk.runner` uses, with short timeouts (the config's own minimums are for shop floors; the
dataclass takes anything), 320x240 frames and a fake camera that can be unplugged and can show
the demo person or an empty backdrop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qt_support
from qt_support import FRAME_SIZE, TEES, FakeCameraDevice, FakeCameraSource, draw_tee

from app.errors import SourceError
from app.garments.catalog import Catalog
from app.kiosk.config import CameraConfig, CaptureConfig, KioskConfig
from app.kiosk.pin import hash_pin
from app.pipeline.frame import FramePipeline
from app.sources import FrameSource

KIOSK_DIR = Path(__file__).resolve().parent
PIN = "2468"
FAST_PIN_ITERATIONS = 10_000  # the minimum the config accepts; keeps each check ~5 ms
QT_FIXTURES = {"qtbot", "qapp", "make_kiosk"}
WAIT_MS = 15_000  # a kiosk starts and resets more slowly than the mirror window


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    qt_support.mark_qt_items(items, KIOSK_DIR, QT_FIXTURES)


# --- hygiene (tests/qt_support.py) -----------------------------------------------------------


@pytest.fixture(autouse=True)
def _pictures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return qt_support.pictures_dir(tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def _no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from qt_support.no_leaks(request)


# --- garments --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _template_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photos = tmp_path_factory.mktemp("kiosk-tee-photos")
    return qt_support.template_catalog(
        tmp_path_factory.mktemp("kiosk-template") / "garments",
        {name: draw_tee(photos / f"{name.lower().replace(' ', '-')}.png", colour) for name, colour in TEES.items()})


@pytest.fixture
def catalog(tmp_path: Path, _template_catalog: Path) -> Catalog:
    return qt_support.copy_catalog(_template_catalog, tmp_path / "catalog")


# --- a camera that can be unplugged and can see nobody (FakeCameraDevice.present) ---------------


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

    def make(config: KioskConfig | None = None, pipeline: Callable[[str, bool], FramePipeline] | None = None,
             start: bool = True, startup_s: float = 30.0) -> KioskWindow:
        worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)
        build = pipeline or (lambda device, overlapped: FramePipeline("cpu", overlapped=overlapped))
        session = KioskSession(open_spec, build, worker_catalog.load,
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
        def wait_for_frames(qtbot, window, count: int = 1, timeout_ms: int = WAIT_MS) -> None:
            qt_support.wait_for_frames(qtbot, window, count, timeout_ms)

        @staticmethod
        def wait_for_garment(qtbot, window, garment_id: str | None, timeout_ms: int = WAIT_MS) -> None:
            qt_support.wait_for_garment(qtbot, window, garment_id, timeout_ms)

    return Helpers
