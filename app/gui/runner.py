"""Builds the application (Qt, logging, catalog, threads, window) and runs it; smoke mode.

Called by `launch.run_gui` once the options are checked. Everything the window needs is made
here and handed in, so tests can build the same window with fakes instead.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import paths
from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.gui.logsetup import ExceptionHook, configure_file_logging, route_qt_messages
from app.gui.main_window import MainWindow, WindowOptions
from app.gui.qtcheck import binding_defect
from app.gui.session import MirrorSession
from app.gui.settings import AppSettings
from app.gui.stats import FrameStats, StallMeter
from app.gui.style import apply_theme
from app.pipeline.frame import FramePipeline
from app.sources import FrameSource, open_source
from models.session import Device

log = logging.getLogger(__name__)

SMOKE_TIMEOUT_S = 120.0
"""A smoke run that has not painted its frames by then fails (models missing, source stuck…)."""
SMOKE_POLL_MS = 20
STALL_TICK_S = 0.01


@dataclass(frozen=True)
class LaunchOptions:
    source: str | None = None
    garment: str | None = None
    device: Device | None = None
    catalog: Path | None = None
    fullscreen: bool = False
    quit_after: int | None = None
    screenshot: Path | None = None
    verbose: bool = False


class SmokeRun(QObject):
    """Ends the app after `frames` painted frames (exit 0) or at the first failure (exit 1).

    `window` is the desktop or the kiosk window; `session` and `stats` are the ones it shows.
    """

    def __init__(self, app: QApplication, window: QWidget, session: MirrorSession, stats: FrameStats, frames: int,
                 screenshot: Path | None) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.stats = stats
        self.frames = frames
        self.screenshot = screenshot
        self.failure: str | None = None
        self.finished = False
        self.stalls = StallMeter(STALL_TICK_S)
        self._started = time.monotonic()
        session.sourceFailed.connect(self.fail)
        session.sourceLost.connect(self.fail)
        session.pipelineFailed.connect(self.fail)
        session.frameFailed.connect(self.fail)
        session.garmentFailed.connect(lambda _id, message: self.fail(message))
        self._poll = QTimer(self)
        self._poll.setInterval(SMOKE_POLL_MS)
        self._poll.timeout.connect(self._check)
        self._tick = QTimer(self)
        self._tick.setInterval(int(STALL_TICK_S * 1000))
        self._tick.timeout.connect(lambda: self.stalls.tick(time.perf_counter()))

    def start(self) -> None:
        self._poll.start()
        self._tick.start()

    def _check(self) -> None:
        if self.finished:
            return
        painted = self.stats.painted
        if painted >= self.frames:
            self._succeed()
        elif time.monotonic() - self._started > SMOKE_TIMEOUT_S:
            self.fail(f"only {painted} of {self.frames} frames were shown within {SMOKE_TIMEOUT_S:.0f} s")

    def _succeed(self) -> None:
        if self.screenshot is not None:
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not self.window.grab().save(str(self.screenshot)):
                self.fail(f"{self.screenshot}: could not save the screenshot")
                return
        self._end()

    def fail(self, message: str) -> None:
        if self.failure is None and not self.finished:
            self.failure = message
            log.error("smoke run failed: %s", message)
        self._end()

    def _end(self) -> None:
        if self.finished:
            return
        self.finished = True
        self._poll.stop()
        self._tick.stop()
        # Queued: the failure may be reported from inside a slot the close would tear down.
        QTimer.singleShot(0, self.window.close)
        QTimer.singleShot(0, self.app.quit)

    def report(self) -> str:
        return f"{self.stats.summary()}; {self.stalls.summary()}"

    def conclude(self, what: str = "") -> None:
        """After the event loop: raise the run's failure, or print its report (`what` names the app)."""
        if self.failure is not None:
            raise LiveFitError(self.failure)
        shot = f"; screenshot {self.screenshot}" if self.screenshot else ""
        sys.stdout.write(f"livefit: {what}{self.report()}{shot}\n")


def _catalog_copy(catalog: Catalog) -> Catalog:
    """A second catalog object on the same folders, for the worker thread (one per thread)."""
    return Catalog(catalog.user_dir, catalog.bundled_dir)


def start_application(verbose: bool) -> tuple[QApplication, Path | None]:
    """The Qt application with LiveFit's theme, log file and Qt message routing (desktop and kiosk)."""
    defect = binding_defect()
    if defect is not None:
        raise LiveFitError(defect)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LiveFit")
    app.setApplicationDisplayName("LiveFit")
    apply_theme(app)
    log_path = configure_file_logging(verbose)
    route_qt_messages()
    return app, log_path


def run(options: LaunchOptions) -> int:
    app, log_path = start_application(options.verbose)
    smoke_mode = options.quit_after is not None
    hook = ExceptionHook(show_dialog=not smoke_mode)
    hook.install()
    try:
        catalog = Catalog.default(options.catalog)
        if smoke_mode and options.garment is not None:
            catalog.find(options.garment)  # fail fast, with the catalog's own message
        settings = AppSettings()
        worker_catalog = _catalog_copy(catalog)

        def open_spec(spec: str) -> FrameSource:
            return open_source(spec, camera_size=settings.camera_size)

        session = MirrorSession(open_spec, lambda device, overlapped: FramePipeline(device, live=True,
                                                                                     overlapped=overlapped),
                                worker_catalog.load)
        window = MainWindow(
            session=session,
            catalog=catalog,
            settings=settings,
            pictures_dir=paths.pictures_dir(),
            log_dir=log_path.parent if log_path else paths.user_log_dir(),
            options=WindowOptions(options.source, options.garment, options.device, options.fullscreen),
        )
        smoke = (SmokeRun(app, window, session, window.stats, options.quit_after, options.screenshot)
                 if options.quit_after else None)
        if smoke is not None:
            hook.on_error = smoke.fail
        window.show()
        window.start()
        if smoke is not None:
            smoke.start()
        code = app.exec()
        window.close()  # a no-op when already closed; makes sure the threads are stopped
        if smoke is not None:
            smoke.conclude()
        return int(code)
    finally:
        hook.uninstall()
