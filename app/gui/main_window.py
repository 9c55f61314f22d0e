"""`MainWindow`: the mirror window. It only wires parts together.

    toolbar + shortcuts ──► actions ──► MirrorSession (threads)    CatalogPanel ──► garment choice
    MirrorSession.frameReady ──► VideoView (paints)  ──► FrameStats ──► status line
    capture / import ──► JobRunner (off the GUI thread) ──► toast

No image maths and no file I/O happen here: the view owns display conversion, `photo` saves
captures, the catalog imports, the editor module opens and saves garments.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.garments.model import GarmentEntry
from app.gui import style
from app.gui.catalog_panel import CatalogPanel
from app.gui.editor import GarmentEditorDialog
from app.gui.frames import ViewFrame
from app.gui.jobs import JobRunner
from app.gui.keys import BINDINGS, HELP_TEXT, QUICK_PICK_KEYS
from app.gui.overlays import ViewArea
from app.gui.photo import CaptureRequest, CaptureResult, save_capture
from app.gui.session import MirrorSession
from app.gui.settings import AppSettings
from app.gui.settings_dialog import SettingsChoice, SettingsDialog
from app.gui.stats import FrameStats
from app.gui.video_view import VideoView, as_pixmap
from app.sources.imagefile import IMAGE_EXTENSIONS
from models.session import Device

log = logging.getLogger(__name__)

STATUS_INTERVAL_MS = 250
DEFAULT_SIZE = (1360, 840)
DEMO_SPEC = "demo"
VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
GARMENT_FILTER = "Product photos (*.png *.jpg *.jpeg *.webp *.bmp)"


@dataclass(frozen=True)
class WindowOptions:
    """What the command line decided; None means "what the settings remember"."""

    source: str | None = None
    garment: str | None = None
    device: Device | None = None
    fullscreen: bool = False


def is_camera_spec(spec: str | None) -> bool:
    return spec is not None and spec.isascii() and spec.isdigit()


class MainWindow(QMainWindow):
    def __init__(self, *, session: MirrorSession, catalog: Catalog, settings: AppSettings,
                 pictures_dir: Path, log_dir: Path, options: WindowOptions | None = None) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.settings = settings
        self.pictures_dir = pictures_dir
        self.log_dir = log_dir
        self.options = options or WindowOptions()
        self.stats = FrameStats()
        self.jobs = JobRunner("livefit-jobs", self)
        self.view = VideoView(self.stats)
        self.area = ViewArea(self.view)
        self.panel = CatalogPanel()
        self.action_map: dict[str, QAction] = {}
        self.editor: GarmentEditorDialog | None = None
        self.last_capture: CaptureResult | None = None
        self._garment_shown: str | None = None
        self._space_held = False
        self._closed = False

        self.setWindowTitle("LiveFit")
        self.setWindowIcon(style.icon("livefit"))
        self.setAcceptDrops(True)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.panel)
        self.setCentralWidget(central)
        self._build_actions()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self.view.set_mirrored(settings.mirror)
        self.action_map["mirror"].setChecked(settings.mirror)
        geometry = settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self._refresh_status)

    # --- construction -----------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: object, icon: str | None = None, checkable: bool = False,
                tip: str = "") -> QAction:
        action = QAction(style.icon(icon) if icon else style.icon(""), text, self)
        action.setCheckable(checkable)
        if tip:
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work whether or not the action is on the toolbar
        self.action_map[name] = action
        return action

    def _build_actions(self) -> None:
        self._action("capture", "Capture", self.capture, "capture", tip="Take a photo (C)")
        self._action("mirror", "Mirror", self._on_mirror_toggled, "mirror", checkable=True,
                     tip="Mirror the picture (M)")
        self._action("compare", "Before/after", self._on_compare_toggled, "compare", checkable=True,
                     tip="Show yourself without the garment (hold Space)")
        self._action("add_garment", "Add garment", self.add_garment_dialog, "add",
                     tip="Import a product photo (or drop one on the window)")
        self._action("edit_garment", "Edit garment", self.edit_garment, "edit",
                     tip="Fix the selected garment's points, mask, name and category")
        self._action("settings", "Settings", self.open_settings, "settings", tip="Camera, device, photos")
        self._action("fullscreen", "Full screen", self.toggle_fullscreen, "fullscreen", checkable=True,
                     tip="Full screen (F11)")
        self._action("help", "Help", self.toggle_help, "help", tip="Keyboard shortcuts (? or F1)")
        self._action("quit", "Quit", self.close)
        self._action("escape", "Back", self._on_escape)
        self._action("next_garment", "Next garment", lambda: self.step_garment(1))
        self._action("previous_garment", "Previous garment", lambda: self.step_garment(-1))
        for position in range(len(QUICK_PICK_KEYS)):
            self._action(f"pick_{position}", f"Garment {position + 1}",
                         lambda _=False, p=position: self.pick_garment(p))
        self._action("source_camera", "Camera", self.open_camera, "camera")
        self._action("source_demo", "Demo model", lambda: self.open_source(DEMO_SPEC), "demo")
        self._action("source_video", "Open video…", self.open_video_dialog, "video")
        self._action("source_folder", "Open image folder…", self.open_folder_dialog, "folder")
        for binding in BINDINGS:
            self.action_map[binding.action].setShortcuts([QKeySequence(k) for k in binding.keys])

    def _build_toolbar(self) -> None:
        bar = QToolBar("Mirror")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        brand = QLabel("LiveFit")
        brand.setObjectName("brand")
        bar.addWidget(brand)
        menu = QMenu(self)
        for name in ("source_camera", "source_demo", "source_video", "source_folder"):
            menu.addAction(self.action_map[name])
        source_button = QToolButton()
        source_button.setText("Source")
        source_button.setIcon(style.icon("camera"))
        source_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        source_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        source_button.setMenu(menu)
        source_button.setToolTip("Camera, demo model or a video")
        self.source_button = source_button
        bar.addWidget(source_button)
        bar.addSeparator()
        for name in ("mirror", "compare"):
            bar.addAction(self.action_map[name])
        bar.addSeparator()
        bar.addAction(self.action_map["capture"])
        bar.addSeparator()
        for name in ("add_garment", "edit_garment"):
            bar.addAction(self.action_map[name])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        for name in ("settings", "fullscreen", "help"):
            bar.addAction(self.action_map[name])
        for button in bar.findChildren(QToolButton):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.status_labels: dict[str, QLabel] = {}
        for name in ("source", "fps", "latency", "stages", "dropped"):
            label = QLabel()
            self.status_labels[name] = label
            bar.addWidget(label)
        device = QLabel("Loading models…")
        device.setObjectName("device")
        self.status_labels["device"] = device
        bar.addPermanentWidget(device)

    def _connect(self) -> None:
        session = self.session
        session.frameReady.connect(self._on_frame)
        session.sourceOpened.connect(self._on_source_opened)
        session.sourceFailed.connect(self._on_source_failed)
        session.sourceLost.connect(self._on_source_lost)
        session.sourceRecovered.connect(self._on_source_recovered)
        session.sourceProblem.connect(lambda message: self.notify(message, "warning"))
        session.pipelineReady.connect(self._on_pipeline_ready)
        session.pipelineFailed.connect(self._on_pipeline_failed)
        session.garmentChanged.connect(self._on_garment_changed)
        session.garmentFailed.connect(self._on_garment_failed)
        session.frameFailed.connect(lambda message: self.notify(message, "error"))
        self.panel.garmentChosen.connect(self.choose_garment)
        offer = self.area.offer
        offer.demoRequested.connect(lambda: self.open_source(DEMO_SPEC))
        offer.openVideoRequested.connect(self.open_video_dialog)
        offer.retryRequested.connect(lambda: self.open_source(self.session.source_spec or self._camera_spec()))
        offer.settingsRequested.connect(self.open_settings)

    # --- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        """Open the source and start the pipeline (after `show()`, so the window is up at once)."""
        self.refresh_catalog()
        ids = self.panel.ids()
        garment = self.options.garment or self.settings.last_garment
        if garment is not None and garment not in ids:
            if self.options.garment is not None:
                self.notify(f"no garment with id {garment!r} in the catalog", "error")
            garment = None
        if garment is None and ids:
            garment = ids[0]
        self.panel.select(garment)
        spec = self.options.source or self._camera_spec()
        self.view.set_placeholder("Starting…")
        self._update_mirror_print()
        self.session.start(spec, self.options.device or self.settings.device, garment, self.settings.overlap)
        self._status_timer.start()
        if self.options.fullscreen:
            self.showFullScreen()
            self.action_map["fullscreen"].setChecked(True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._closed:
            self._closed = True
            started = time.perf_counter()
            self._status_timer.stop()
            self.settings.geometry = self.saveGeometry()
            self.settings.mirror = self.view.mirrored
            self.settings.sync()
            stopped = self.session.stop()
            self.jobs.shutdown()
            log.info("window closed; threads %s in %.0f ms", "stopped" if stopped else "did NOT stop",
                     (time.perf_counter() - started) * 1e3)
        event.accept()

    # --- garments ---------------------------------------------------------------------------

    def refresh_catalog(self) -> list[GarmentEntry]:
        entries = self.catalog.list()
        self.panel.set_entries(entries)
        for problem in self.catalog.problems:
            self.notify(problem, "warning")
        return entries

    @Slot(str)
    def choose_garment(self, garment_id: str | None) -> None:
        self.panel.select(garment_id)
        self.session.request_garment(garment_id)
        self.settings.last_garment = garment_id

    def pick_garment(self, position: int) -> None:
        ids = self.panel.ids()
        if position < len(ids):
            self.choose_garment(ids[position])

    def step_garment(self, step: int) -> None:
        ids = self.panel.ids()
        if not ids:
            return
        current = self.panel.selected_id()
        position = ids.index(current) + step if current in ids else (0 if step > 0 else -1)
        self.choose_garment(ids[position % len(ids)])

    def add_garment_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add garment", str(Path.home()), GARMENT_FILTER)
        self.import_garments([Path(f) for f in files])

    def import_garments(self, files: list[Path]) -> None:
        """Import product photos in the background; each success is added and selected."""
        # The import runs on the job thread: give it its own catalog object (it caches a problem list).
        importer = Catalog(self.catalog.user_dir, self.catalog.bundled_dir)
        for path in files:
            self.notify(f"Adding {path.name}…", "info")
            self.jobs.submit(functools.partial(importer.add, path), self._on_imported,
                             lambda message: self.notify(message, "error"))

    def _on_imported(self, entry: GarmentEntry) -> None:
        self.refresh_catalog()
        self.choose_garment(entry.id)
        note = f" Note: {entry.warnings[0]}" if entry.warnings else ""
        self.notify(f"Added “{entry.name}” ({entry.category.replace('_', ' ')}).{note}", "success")

    def edit_garment(self) -> None:
        garment_id = self.panel.selected_id()
        if garment_id is None:
            self.notify("Select a garment to edit first", "info")
            return
        try:
            dialog = GarmentEditorDialog.for_catalog(self.catalog, garment_id, self)
        except LiveFitError as error:
            self.notify(str(error), "error")
            return
        dialog.previewChanged.connect(self.session.preview_garment)
        dialog.saved.connect(lambda _id: self.refresh_catalog())
        # Saved or not, go back to the garment as stored (the saved edit, or the original).
        dialog.finished.connect(lambda _result: self.choose_garment(garment_id))
        dialog.finished.connect(dialog.deleteLater)
        self.editor = dialog
        dialog.open()

    # --- sources ----------------------------------------------------------------------------

    def _camera_spec(self) -> str:
        return str(self.settings.camera_index)

    def open_source(self, spec: str) -> None:
        self.area.offer.hide()
        self.area.banner.hide()
        self.view.clear("Opening the camera…" if is_camera_spec(spec) else "Opening…")
        self.session.open_source(spec)

    def open_camera(self) -> None:
        self.open_source(self._camera_spec())

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", str(Path.home()), VIDEO_FILTER)
        if path:
            self.open_source(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of photos", str(Path.home()))
        if path:
            self.open_source(path)

    # --- view -------------------------------------------------------------------------------

    def capture(self) -> None:
        frame = self.view.current_frame
        displayed = self.view.displayed_bgr()
        if frame is None or displayed is None:
            self.notify("Nothing to capture yet", "info")
            return
        request = CaptureRequest(displayed, frame.result, self.pictures_dir,
                                 self.settings.save_original, self.settings.save_pose_json)
        self.jobs.submit(lambda: save_capture(request), self._on_captured,
                         lambda message: self.notify(f"Photo not saved: {message}", "error"))

    def _on_captured(self, result: CaptureResult) -> None:
        extra = f" (+{len(result.extra_paths)} more)" if result.extra_paths else ""
        self.last_capture = result
        self.notify(f"Photo saved{extra}\n{result.image_path}", "success", as_pixmap(result.thumbnail))

    def toggle_help(self) -> None:
        help_overlay = self.area.help
        help_overlay.setVisible(not help_overlay.isVisible())
        if help_overlay.isVisible():
            help_overlay.raise_()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.action_map["fullscreen"].setChecked(self.isFullScreen())

    def notify(self, text: str, level: str = "info", thumbnail: QPixmap | None = None) -> None:
        """A toast over the video (first line bold); errors are also logged (nobody may be watching)."""
        if level in ("error", "warning"):
            log.warning("%s", text)
        self.area.toast.show_message(text, level, thumbnail)

    def _on_mirror_toggled(self, checked: bool) -> None:
        self.view.set_mirrored(checked)
        self.settings.mirror = checked
        self._update_mirror_print()

    def _update_mirror_print(self) -> None:
        """Garments are drawn mirrored only while the picture is shown mirrored and the setting
        asks for print that reads the right way round there."""
        self.session.set_mirror_print(self.view.mirrored and self.settings.mirror_print)

    def _on_compare_toggled(self, checked: bool) -> None:
        self.view.set_show_original(checked or self._space_held)

    def _on_escape(self) -> None:
        if self.area.help.isVisible():
            self.area.help.hide()
        else:
            self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        # Holding space shows the shopper without the garment; auto-repeat is the same hold.
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space_held = True
                self.view.set_show_original(True)
            return
        if event.text() == HELP_TEXT:
            self.toggle_help()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space_held = False
                self.view.set_show_original(self.action_map["compare"].isChecked())
            return
        super().keyReleaseEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.WindowStateChange and "fullscreen" in self.action_map:
            self.action_map["fullscreen"].setChecked(self.isFullScreen())
        super().changeEvent(event)

    # --- drag and drop ----------------------------------------------------------------------

    @staticmethod
    def _dropped_images(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        files = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        return [f for f in files if f.suffix.lower() in IMAGE_EXTENSIONS]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if self._dropped_images(event):
            event.acceptProposedAction()
            self.area.banner.show_message("Drop to add the garment to the catalog", "info")

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 (Qt's name)
        self.area.banner.hide()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        self.area.banner.hide()
        files = self._dropped_images(event)
        if files:
            event.acceptProposedAction()
            self.import_garments(files)

    # --- settings ---------------------------------------------------------------------------

    def open_settings(self) -> None:
        s = self.settings
        current = SettingsChoice(s.camera_index, s.camera_size, self.session.device, s.save_original,
                                 s.save_pose_json, s.mirror_print, self.session.overlap)
        dialog = SettingsDialog(current, self.pictures_dir, self.log_dir, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.choice(), current))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def apply_settings(self, choice: SettingsChoice, previous: SettingsChoice) -> None:
        s = self.settings
        s.camera_index, s.camera_size, s.device = choice.camera_index, choice.camera_size, choice.device
        s.save_original, s.save_pose_json = choice.save_original, choice.save_pose_json
        s.mirror_print, s.overlap = choice.mirror_print, choice.overlap
        s.sync()
        self._update_mirror_print()
        camera_changed = (choice.camera_index, choice.camera_size) != (previous.camera_index, previous.camera_size)
        if camera_changed and (is_camera_spec(self.session.source_spec) or self.area.offer.isVisible()):
            self.open_camera()
        if choice.device != previous.device:
            self.status_labels["device"].setText("Loading models…")
            self.session.set_device(choice.device)
        if choice.overlap != previous.overlap:
            self.session.set_overlap(choice.overlap)

    # --- session events ---------------------------------------------------------------------

    @Slot(object)
    def _on_frame(self, frame: ViewFrame) -> None:
        self.view.show_frame(frame)
        self.area.follow(frame)

    @Slot(str, str)
    def _on_source_opened(self, label: str, kind: str) -> None:
        self.area.offer.hide()
        self.status_labels["source"].setText(label)

    @Slot(str)
    def _on_source_failed(self, message: str) -> None:
        self.view.clear()
        camera = is_camera_spec(self.session.source_spec)
        self.area.offer.offer("No camera found" if camera else "Cannot open the source", message)

    @Slot(str)
    def _on_source_lost(self, message: str) -> None:
        self.area.banner.show_message("Camera lost — reconnecting…", "warning")
        self.area.banner.setToolTip(message)

    @Slot(str)
    def _on_source_recovered(self, label: str) -> None:
        self.area.banner.hide()
        self.notify(f"{label} is back", "success")

    @Slot(str)
    def _on_pipeline_ready(self, device: str) -> None:
        self.status_labels["device"].setText("GPU" if "cuda" in device else "CPU")
        self.status_labels["device"].setToolTip(f"models run on: {device}")

    @Slot(str)
    def _on_pipeline_failed(self, message: str) -> None:
        self.status_labels["device"].setText("Models not running")
        self.area.banner.show_message("The try-on models could not start", "error")
        self.area.banner.setToolTip(message)
        self.notify(message, "error")

    @Slot(object)
    def _on_garment_changed(self, garment_id: object) -> None:
        self._garment_shown = garment_id if isinstance(garment_id, str) else None

    @Slot(str, str)
    def _on_garment_failed(self, garment_id: str, message: str) -> None:
        self.notify(message, "error")
        self.panel.select(self._garment_shown)  # the previous garment is still on

    def _refresh_status(self) -> None:
        snap = self.stats.snapshot()
        labels = self.status_labels
        labels["fps"].setText(f"{snap.fps:.0f} fps" if snap.painted else "")
        if snap.latency_median_ms is not None:
            labels["latency"].setText(f"latency {snap.latency_median_ms:.0f} ms (p95 {snap.latency_p95_ms:.0f})")
        stages = snap.stages_ms
        if stages:
            parts = [f"{name} {stages[name]:.0f}" for name in ("pose", "parse", "warp", "compose") if name in stages]
            labels["stages"].setText(" · ".join(parts) + " ms")
        labels["dropped"].setText(f"{snap.dropped} dropped" if snap.painted else "")
