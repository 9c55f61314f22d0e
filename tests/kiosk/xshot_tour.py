"""Put the real kiosk window on one of its screens, for screenshots under Xvfb (not a test).

    ../shared/tools/xshot.sh /tmp/kiosk-live.png 10 .venv/bin/python tests/kiosk/xshot_tour.py live

STATE is live, attract, out_of_order, pin, photo or hint. The bundled catalog and the demo person
are used; "attract" points the camera at an empty backdrop, "out_of_order" at a camera that does not
exist, "hint" at the demo person upside down (seen, but no garment: the kiosk says why). Logs go to a temporary folder; nothing else is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402 (after the path set-up)

from app.errors import SourceError  # noqa: E402
from app.garments.catalog import Catalog  # noqa: E402
from app.gui.runner import start_application  # noqa: E402
from app.kiosk.config import CameraConfig, CaptureConfig, KioskConfig  # noqa: E402
from app.kiosk.pin import hash_pin  # noqa: E402
from app.kiosk.session import KioskSession  # noqa: E402
from app.kiosk.window import KioskWindow  # noqa: E402
from app.pipeline.frame import FramePipeline  # noqa: E402
from app.sources import DemoSource, FrameSource  # noqa: E402
from app.sources.base import Frame  # noqa: E402

STATES = ("live", "attract", "out_of_order", "pin", "photo", "hint")


class EmptyRoom(FrameSource):
    """A camera looking at an empty grey backdrop."""

    kind = "camera"
    is_stream = True

    def __init__(self) -> None:
        super().__init__(label="camera 0", fps=30.0, frame_count=None, size=(1280, 720), max_frames=None)
        self._index = 0

    def _read_next(self) -> Frame:
        self._index += 1
        return Frame(np.full((720, 1280, 3), 128, np.uint8), self._index, self._index / 30.0, "camera0")


class UpsideDownDemo(EmptyRoom):
    """A camera seeing the demo person upside down."""

    def __init__(self) -> None:
        super().__init__()
        self._demo = DemoSource()

    def _read_next(self) -> Frame:
        self._index += 1
        image = np.ascontiguousarray(self._demo.render(self._index)[::-1, ::-1])
        return Frame(image, self._index, self._index / 30.0, "camera0")


def main(state: str) -> int:
    os.environ.setdefault("LIVEFIT_LOG_DIR", tempfile.mkdtemp(prefix="livefit-tour-"))
    app, _ = start_application(verbose=False)

    def open_spec(spec: str) -> FrameSource:
        if spec == "demo":
            return DemoSource()
        if spec == "empty":
            return EmptyRoom()
        if spec == "upside-down":
            return UpsideDownDemo()
        raise SourceError(f"camera {spec}: cannot be opened (no such camera?)")

    source = {"attract": "empty", "out_of_order": "7", "hint": "upside-down"}.get(state, "demo")
    config = KioskConfig(title="LiveFit Mirror", idle_seconds=2.0, pin=hash_pin("2468", iterations=10_000),
                         camera=CameraConfig(source=source, device="cpu"),
                         capture=CaptureConfig(countdown_seconds=0, show_seconds=30),
                         garments=("tee-navy", "hoodie-marl", "shirt-gingham", "breton-long", "tank-sage",
                                   "blouse-floral", "tee-red-print"))
    catalog = Catalog.default()
    worker_catalog = Catalog(catalog.user_dir, catalog.bundled_dir)
    session = KioskSession(open_spec, lambda device, overlapped: FramePipeline(device, live=True, overlapped=overlapped),
                           worker_catalog.load)  # as app/kiosk/runner.py builds it
    window = KioskWindow(session=session, catalog=catalog, config=config, pictures_dir=Path(tempfile.gettempdir()))
    window.start()
    if state == "pin":
        QTimer.singleShot(3000, window._on_admin_requested)  # noqa: SLF001 (what the admin keys do)
        QTimer.singleShot(3200, lambda: [window.pad.press(d) for d in "24"])
    elif state == "photo":
        QTimer.singleShot(4000, window.capture)
    return app.exec()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in STATES:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(STATES)}}}")
    sys.exit(main(sys.argv[1]))
