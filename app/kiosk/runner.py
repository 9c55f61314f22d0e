"""Builds and runs the kiosk: the desktop's application set-up, the kiosk's window and session.

In kiosk mode an unexpected exception never opens a dialog (nobody is there to close it, and
strangers would read it): the exception hook logs it and the controller restarts the pipeline.
Nothing here writes to the user's folders except the rotating log; photos are saved only when
the config asks for it, and the desktop's settings file is not used at all.
"""

from __future__ import annotations

import logging

from app import paths
from app.garments.catalog import Catalog
from app.gui.logsetup import ExceptionHook
from app.gui.runner import SmokeRun, start_application
from app.kiosk.launch import KioskLaunch
from app.kiosk.session import KioskSession
from app.kiosk.window import KioskWindow
from app.pipeline.frame import FramePipeline
from app.sources import FrameSource, open_source
from models.session import Device

log = logging.getLogger(__name__)


def run_kiosk(launch: KioskLaunch) -> int:
    app, _log_path = start_application(launch.verbose)
    config = launch.config
    smoke_mode = launch.quit_after is not None
    hook = ExceptionHook(show_dialog=False)
    hook.install()
    try:
        catalog = Catalog.default(launch.catalog_dir)
        worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)  # one catalog object per thread
        camera_size = config.camera.size

        def open_spec(spec: str) -> FrameSource:
            return open_source(spec, camera_size=camera_size)

        def make_pipeline(device: Device, overlapped: bool) -> FramePipeline:
            return FramePipeline(device, live=True, overlapped=overlapped)

        session = KioskSession(open_spec, make_pipeline, worker_catalog.load)
        window = KioskWindow(session=session, catalog=catalog, config=config, pictures_dir=paths.pictures_dir(),
                             lock_exit=not smoke_mode)
        smoke = None
        if launch.quit_after is not None:
            smoke = SmokeRun(app, window, session, window.stats, launch.quit_after, launch.screenshot)
            hook.on_error = smoke.fail
        else:
            hook.on_error = window.controller.on_unexpected_error
        log.info("kiosk config: %s", config.path or "built in")
        window.start()
        if smoke is not None:
            smoke.start()
        code = app.exec()
        window.close_unlocked()  # a no-op when already closed; makes sure the threads are stopped
        if smoke is not None:
            smoke.conclude("kiosk ")
        return int(code)
    finally:
        hook.uninstall()
