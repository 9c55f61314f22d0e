"""The settings dialog: camera (index and resolution), compute device, what a capture saves.

It edits a `SettingsChoice` and returns it; the window applies it (reopens the camera, moves
the models to another device) and `AppSettings` remembers it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.gui import style
from app.gui.settings import parse_size
from models.session import Device

RESOLUTIONS: tuple[tuple[str, tuple[int, int] | None], ...] = (
    ("Camera's own size", None),
    ("640 × 480", (640, 480)),
    ("1280 × 720 (HD)", (1280, 720)),
    ("1920 × 1080 (Full HD)", (1920, 1080)),
)
DEVICE_CHOICES: tuple[tuple[str, Device], ...] = (
    ("Automatic (GPU when available)", "auto"),
    ("GPU (CUDA)", "cuda"),
    ("CPU", "cpu"),
)
FALLBACK_CAMERA_COUNT = 4
"""Indices offered where the system cannot list its cameras."""


@dataclass(frozen=True)
class SettingsChoice:
    camera_index: int
    camera_size: tuple[int, int] | None
    device: Device
    save_original: bool
    save_pose_json: bool
    mirror_print: bool = False
    overlap: bool = True


def size_text(size: tuple[int, int] | None) -> str:
    """(640, 480) -> "640x480"; None (the camera's own size) -> ""."""
    return f"{size[0]}x{size[1]}" if size else ""


def camera_indices() -> list[int]:
    """Camera numbers worth offering, without opening any camera (opening one takes seconds)."""
    if sys.platform.startswith("linux"):
        found = sorted(int(m.group(1)) for p in Path("/dev").glob("video*")
                       if (m := re.fullmatch(r"video(\d+)", p.name)))
        if found:
            return found
    return list(range(FALLBACK_CAMERA_COUNT))


def _hint(text: str) -> QLabel:
    """A muted, wrapped line explaining the option above it."""
    label = QLabel(text)
    label.setStyleSheet(f"color: {style.MUTED};")
    label.setWordWrap(True)
    return label


class SettingsDialog(QDialog):
    def __init__(self, current: SettingsChoice, pictures_folder: Path, log_folder: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(460)
        self.camera_box = QComboBox()
        indices = camera_indices()
        if current.camera_index not in indices:
            indices = sorted({*indices, current.camera_index})
        for index in indices:
            self.camera_box.addItem(f"Camera {index}", index)
        self.camera_box.setCurrentIndex(indices.index(current.camera_index))
        # Item data are "WxH" strings ("" = native): Qt does not round-trip Python tuples.
        self.size_box = QComboBox()
        for label, size in RESOLUTIONS:
            self.size_box.addItem(label, size_text(size))
        current_size = size_text(current.camera_size)
        if self.size_box.findData(current_size) < 0 and current.camera_size is not None:
            self.size_box.addItem(f"{current.camera_size[0]} × {current.camera_size[1]}", current_size)
        self.size_box.setCurrentIndex(self.size_box.findData(current_size))
        self.device_box = QComboBox()
        for label, device in DEVICE_CHOICES:
            self.device_box.addItem(label, device)
        self.device_box.setCurrentIndex([d for _, d in DEVICE_CHOICES].index(current.device))
        self.overlap_check = QCheckBox("Smoother video: work on the next frame while this one is drawn")
        self.overlap_check.setChecked(current.overlap)
        self.original_check = QCheckBox("Also save the original camera frame")
        self.original_check.setChecked(current.save_original)
        self.pose_check = QCheckBox("Also save the body keypoints (OpenPose JSON)")
        self.pose_check.setChecked(current.save_pose_json)
        self.mirror_print_check = QCheckBox("Printed text reads the right way round in the mirror")
        self.mirror_print_check.setChecked(current.mirror_print)
        self.mirror_print_check.setToolTip("The garment is drawn mirrored: a pocket or a one-sided print "
                                           "shows on the other side of the body")

        camera_group = QGroupBox("Camera")
        camera_form = QFormLayout(camera_group)
        camera_form.addRow("Camera", self.camera_box)
        camera_form.addRow("Resolution", self.size_box)
        device_group = QGroupBox("Processing")
        device_form = QFormLayout(device_group)
        device_form.addRow("Run models on", self.device_box)
        device_form.addRow(self.overlap_check)
        device_form.addRow(_hint("More frames per second, each shown a little later (about 20 ms on a computer "
                                 "with two cores). Off: the shortest delay."))
        view_group = QGroupBox("Mirror")
        view_box = QVBoxLayout(view_group)
        view_box.addWidget(self.mirror_print_check)
        view_box.addWidget(_hint("Off: a true mirror, where printed text reads backwards. On: text reads as on the "
                                 "product photo, and a pocket or a one-sided print swaps sides."))
        capture_group = QGroupBox("Photos")
        capture_box = QVBoxLayout(capture_group)
        folder = QLabel(f"Saved to {pictures_folder}")
        folder.setStyleSheet(f"color: {style.MUTED};")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        capture_box.addWidget(folder)
        capture_box.addWidget(self.original_check)
        capture_box.addWidget(self.pose_check)
        logs = QLabel(f"Log file: {log_folder}")
        logs.setStyleSheet(f"color: {style.MUTED};")
        logs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (camera_group, device_group, view_group, capture_group, logs):
            layout.addWidget(widget)
        layout.addWidget(buttons)

    def choice(self) -> SettingsChoice:
        return SettingsChoice(
            camera_index=int(self.camera_box.currentData()),
            camera_size=parse_size(str(self.size_box.currentData() or "")),
            device=self.device_box.currentData(),
            save_original=self.original_check.isChecked(),
            save_pose_json=self.pose_check.isChecked(),
            mirror_print=self.mirror_print_check.isChecked(),
            overlap=self.overlap_check.isChecked(),
        )
