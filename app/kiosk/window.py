"""`KioskWindow`: the mirror on a shop floor. Like the desktop window, it only wires parts.

    ┌ header: logo, title ─────────────────────────── ● Camera on ┐
    │ video (VideoView) + photo overlay                            │
    └ carousel (‹ cards ›) ─────────────────────── [ Take a photo ] ┘
      full-window screens on top: attract, out of order, PIN pad

It is built from the desktop's parts (session, video view, overlays) but has none of the
desktop's doors: no toolbar, menus, file dialogs, settings, editor or drag-and-drop. The
`KioskController` decides what is shown, `KioskLock` filters keys and hides the cursor, the
`PinPad` guards exit. Privacy: a photo goes to the on-screen `PhotoOverlay` and is dropped; it
is written to disk only when the config says `capture.save = true`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.garments.catalog import Catalog
from app.gui import style as desktop_style
from app.gui.frames import ViewFrame
from app.gui.jobs import JobRunner
from app.gui.overlays import ViewArea
from app.gui.photo import CaptureRequest, CaptureResult, save_capture
from app.gui.stats import FrameStats
from app.gui.video_view import VideoView, as_pixmap
from app.kiosk import style
from app.kiosk.carousel import Carousel
from app.kiosk.config import KioskConfig
from app.kiosk.controller import Clock, KioskController
from app.kiosk.lock import KioskLock
from app.kiosk.machine import STARTUP_GRACE_S, Mode, Timing
from app.kiosk.pinpad import PinPad
from app.kiosk.screens import AttractScreen, CameraIndicator, OutOfOrderScreen, PhotoOverlay, Slide
from app.kiosk.session import KioskSession
from models.session import Device

log = logging.getLogger(__name__)

WINDOWED_SIZE = (1280, 800)
REFOCUS_MS = 500
"""A locked kiosk that lost focus (a notification, another program) takes it back after this."""
CAPTURE_TEXT = "Take a photo"
BANNER_FONT_PX = 26  # the shopper's hint, read from a step or two away


class _MirrorArea(ViewArea):
    """The desktop's video area plus the photo overlay, kept over the video."""

    def __init__(self, view: VideoView) -> None:
        super().__init__(view)
        self.photo = PhotoOverlay(self)

    def place_overlays(self) -> None:
        super().place_overlays()
        self.photo.setGeometry(self.rect())


class KioskWindow(QWidget):
    def __init__(self, *, session: KioskSession, catalog: Catalog, config: KioskConfig, pictures_dir: Path,
                 lock_exit: bool = True, startup_s: float = STARTUP_GRACE_S, clock: Clock = time.monotonic) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.config = config
        self.pictures_dir = config.capture.folder or pictures_dir
        self.lock_exit = lock_exit
        self.default_garment: str | None = None
        self.photos_taken = 0
        self._garment_shown: str | None = None
        self._want_fullscreen = True
        self._quitting = False
        self._closed = False
        self._countdown = 0

        self.stats = FrameStats()
        self.jobs = JobRunner("livefit-kiosk-jobs", self)
        self.view = VideoView(self.stats)
        self.view.set_mirrored(config.camera.mirror)
        self.area = _MirrorArea(self.view)
        self.area.banner.font_px = BANNER_FONT_PX
        self.photo = self.area.photo
        logo = QPixmap(str(config.logo)) if config.logo is not None else None
        self.indicator = CameraIndicator()
        self.carousel = Carousel(config.accent)
        self.capture_button = QPushButton(CAPTURE_TEXT)
        self.capture_button.setObjectName("captureButton")
        self.capture_button.setIcon(desktop_style.icon("capture"))
        self.capture_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.capture_button.setVisible(config.capture.enabled)
        self.attract = AttractScreen(config.title, config.attract.message, config.accent, logo,
                                     config.attract.slide_seconds, self)
        self.out_of_order = OutOfOrderScreen(config.accent, self)
        self.pad = PinPad(self._verify_pin, self)
        self.lock = KioskLock(config.admin_keys, self.pad, self)
        timing = Timing(config.idle_seconds, config.reset_seconds, config.stall_seconds, config.retry_seconds,
                        startup_s=startup_s)
        self.controller = KioskController(session, timing, config.camera.source, self, clock)
        # Child timers rather than QTimer.singleShot: they die with the window, never firing into a closed one.
        self._fullscreen_timer = self._single_shot(0, self._back_to_fullscreen)
        self._refocus_timer = self._single_shot(REFOCUS_MS, self._refocus)
        self._countdown_timer = QTimer(self)
        self._countdown_timer.setInterval(1000)
        self._countdown_timer.timeout.connect(self._count_down)

        self.setObjectName("kiosk")
        self.setWindowTitle(config.title)
        self.setStyleSheet(style.sheet(config.accent))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self._layout(logo)
        self._connect()
        self._set_fullscreen_flags(True)

    # --- construction -----------------------------------------------------------------------

    def _single_shot(self, interval_ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def _layout(self, logo: QPixmap | None) -> None:
        header = QWidget()
        header.setObjectName("kioskHeader")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        header.setFixedHeight(style.HEADER_HEIGHT)
        top = QHBoxLayout(header)
        top.setContentsMargins(20, 8, 20, 8)
        top.setSpacing(14)
        if logo is not None and not logo.isNull():
            logo_label = QLabel()
            logo_label.setPixmap(logo.scaledToHeight(style.LOGO_HEIGHT, Qt.TransformationMode.SmoothTransformation))
            top.addWidget(logo_label)
        title = QLabel(self.config.title)
        title.setObjectName("kioskTitle")
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.indicator)
        bottom = QWidget()
        bottom.setObjectName("kioskBottom")
        bottom.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        row = QHBoxLayout(bottom)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(16)
        row.addWidget(self.carousel, 1)
        row.addWidget(self.capture_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.area, 1)
        layout.addWidget(bottom)

    def _connect(self) -> None:
        session = self.session
        session.frameReady.connect(self._on_frame)
        for camera_on in (session.sourceOpened, session.sourceRecovered):
            camera_on.connect(self._on_camera_on)
        for camera_off in (session.sourceLost, session.sourceFailed):
            camera_off.connect(self._on_camera_off)
        session.garmentChanged.connect(self._on_garment_changed)
        session.garmentFailed.connect(self._on_garment_failed)
        self.carousel.garmentChosen.connect(self.choose_garment)
        self.capture_button.clicked.connect(self.capture)
        self.controller.modeChanged.connect(self._show_mode)
        self.controller.sessionReset.connect(self.reset_session)
        self.lock.activity.connect(self.controller.touch)
        self.lock.adminRequested.connect(self._on_admin_requested)
        self.attract.touched.connect(self.controller.touch)
        self.pad.quitRequested.connect(self.quit_kiosk)
        self.pad.fullscreenToggleRequested.connect(self.toggle_fullscreen)

    # --- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        """Fill the carousel, open the camera, start the watchdog and the lock, go full screen."""
        entries = {entry.id: entry for entry in self.catalog.list()}
        catalog_ids = list(entries)
        offered = [entries[i] for i in self.config.carousel(catalog_ids) if i in entries]
        self.carousel.set_entries(offered)
        self.attract.set_slides([Slide(entry.name, entry.image_path) for entry in offered])
        default = self.config.first_garment(catalog_ids)
        self.default_garment = default if default in entries else (offered[0].id if offered else None)
        self.carousel.select(self.default_garment)
        self.view.set_placeholder("Starting…")
        camera = self.config.camera
        self.session.set_mirror_print(camera.mirror and camera.mirror_print)
        self.session.start(camera.source, cast(Device, camera.device), self.default_garment, camera.overlap)
        self.controller.start()
        self.lock.install()
        self._show_fullscreen()
        log.info("kiosk started: %d garments, source %s, captures %s", len(offered), camera.source,
                 f"saved to {self.pictures_dir}" if self.config.capture.save else "never saved")

    def quit_kiosk(self) -> None:
        """The admin's exit (after the PIN)."""
        log.warning("kiosk exited by the admin")
        self.close_unlocked()

    def close_unlocked(self) -> None:
        """Close even though the kiosk is locked (the admin's exit, smoke runs, tests)."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.lock_exit and not self._quitting:
            log.warning("refused to close: the kiosk is locked (admin key combination and PIN to exit)")
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.controller.stop()
            self.lock.uninstall()
            for timer in (self._countdown_timer, self._fullscreen_timer, self._refocus_timer):
                timer.stop()
            self.photo.discard()
            stopped = self.session.stop()
            self.jobs.shutdown()
            log.info("kiosk closed; threads %s", "stopped" if stopped else "did NOT stop")
        event.accept()

    # --- full screen ------------------------------------------------------------------------

    def _set_fullscreen_flags(self, on: bool) -> None:
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, on)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)

    def toggle_fullscreen(self) -> None:
        """The admin's "leave / back to full screen"."""
        self._want_fullscreen = not self._want_fullscreen
        self._set_fullscreen_flags(self._want_fullscreen)  # changing flags hides the window
        if self._want_fullscreen:
            self._show_fullscreen()
        else:
            self.showNormal()
            self.resize(*WINDOWED_SIZE)
        log.warning("admin: kiosk %s", "back to full screen" if self._want_fullscreen else "windowed")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if not self.lock_exit or self._quitting or not self.isVisible():
            return
        if event.type() == QEvent.Type.WindowStateChange and self._want_fullscreen and not self.isFullScreen():
            log.warning("something took the kiosk out of full screen; going back")
            self._fullscreen_timer.start()
        elif event.type() == QEvent.Type.ActivationChange and self._want_fullscreen and not self.isActiveWindow():
            self._refocus_timer.start()

    def _show_fullscreen(self) -> None:
        self.showFullScreen()
        # Without a window manager (a bare X session, as kiosks often run) nobody honours the
        # full-screen request: cover the screen ourselves. With one, this is the same geometry.
        screen = self.screen()
        if screen is not None:
            self.setGeometry(screen.geometry())

    def _back_to_fullscreen(self) -> None:
        if self._want_fullscreen and not self._quitting and not self.isFullScreen():
            self._show_fullscreen()

    def _refocus(self) -> None:
        if self._want_fullscreen and not self._quitting and self.isVisible() and not self.isActiveWindow():
            self.raise_()
            self.activateWindow()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        for screen in (self.attract, self.out_of_order, self.pad):
            screen.setGeometry(self.rect())

    # --- shopping ---------------------------------------------------------------------------

    @Slot(str)
    def choose_garment(self, garment_id: str | None) -> None:
        self.controller.touch()
        self._select_garment(garment_id)

    def _select_garment(self, garment_id: str | None) -> None:
        self.carousel.select(garment_id)
        self.session.request_garment(garment_id)

    def capture(self) -> None:
        """Count down, then show the picture on screen (and save it only if the config says so)."""
        if not self.config.capture.enabled or self._countdown_timer.isActive():
            return
        self.controller.touch()
        self._countdown = round(self.config.capture.countdown_seconds)
        if self._countdown <= 0:
            self._take_photo()
            return
        self.capture_button.setEnabled(False)
        self.capture_button.setText(f"{self._countdown}…")
        self._countdown_timer.start()

    def _count_down(self) -> None:
        self._countdown -= 1
        if self._countdown > 0:
            self.capture_button.setText(f"{self._countdown}…")
            return
        self._countdown_timer.stop()
        self._take_photo()

    def _take_photo(self) -> None:
        self.capture_button.setEnabled(True)
        self.capture_button.setText(CAPTURE_TEXT)
        frame = self.view.current_frame
        displayed = self.view.displayed_bgr()
        if frame is None or displayed is None or self.controller.mode is not Mode.LIVE:
            return
        save = self.config.capture.save
        self.photo.show_photo(as_pixmap(displayed), self.config.capture.show_seconds, saved=save)
        self.photos_taken += 1
        if save:
            request = CaptureRequest(displayed, frame.result, self.pictures_dir)
            self.jobs.submit(lambda: save_capture(request), self._on_saved,
                             lambda message: log.warning("photo not saved: %s", message))
        log.info("photo taken (%s)", "saving" if save else "shown only, not saved")

    def _on_saved(self, result: CaptureResult) -> None:
        log.info("photo saved: %s", result.image_path)

    @Slot()
    def reset_session(self) -> None:
        """Back to a fresh start for the next shopper: default garment, no photo, no tracking."""
        self._countdown_timer.stop()
        self.capture_button.setEnabled(True)
        self.capture_button.setText(CAPTURE_TEXT)
        self.photo.discard()
        self._select_garment(self.default_garment)
        self.session.reset_tracking()

    # --- session and controller events ------------------------------------------------------

    @Slot(object)
    def _on_frame(self, frame: ViewFrame) -> None:
        self.view.show_frame(frame)
        self.area.follow(frame)

    @Slot()
    def _on_camera_on(self) -> None:
        self.indicator.set_on(True)

    @Slot()
    def _on_camera_off(self) -> None:
        self.indicator.set_on(False)

    @Slot()
    def _on_admin_requested(self) -> None:
        self.pad.setGeometry(self.rect())
        self.pad.open_pad(self._want_fullscreen)

    @Slot(object)
    def _on_garment_changed(self, garment_id: object) -> None:
        self._garment_shown = garment_id if isinstance(garment_id, str) else None

    @Slot(str, str)
    def _on_garment_failed(self, garment_id: str, message: str) -> None:
        log.warning("garment %s cannot be shown: %s", garment_id, message)
        self.carousel.select(self._garment_shown)

    @Slot(object, str)
    def _show_mode(self, mode: Mode, reason: str) -> None:
        self.attract.setVisible(mode is Mode.ATTRACT)
        self.out_of_order.setVisible(mode is Mode.OUT_OF_ORDER)
        if mode is Mode.OUT_OF_ORDER:
            self.out_of_order.set_detail(reason)
            self.out_of_order.raise_()
        if mode is Mode.ATTRACT:
            self.photo.discard()
            self.attract.raise_()
        if self.pad.isVisible():
            self.pad.raise_()

    def _verify_pin(self, pin: str) -> bool:
        return self.config.pin is not None and self.config.pin.verify(pin)
