"""`AppSettings`: what the mirror remembers between runs, in one INI file.

QSettings with an explicit IniFormat file (never the platform registry or the user's global Qt
settings), at `user_data_dir()/settings.ini` unless a path is given: tests and kiosks point it
elsewhere through `LIVEFIT_DATA_DIR` or the constructor. Values are typed here, with defaults,
so a hand-edited or stale file cannot hand the window a string where it expects a number.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app import paths
from models.session import DEVICES, Device

log = logging.getLogger(__name__)

FILE_NAME = "settings.ini"
DEFAULT_CAMERA = 0


def default_settings_path() -> Path:
    return paths.user_data_dir() / FILE_NAME


def parse_size(text: str) -> tuple[int, int] | None:
    """"1280x720" -> (1280, 720); None for "" or anything malformed (camera's native size)."""
    width, _, height = text.lower().partition("x")
    if width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0:
        return int(width), int(height)
    return None


class AppSettings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_settings_path()
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _bool(self, key: str, default: bool) -> bool:
        value = self._q.value(key, default)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "on")

    def _int(self, key: str, default: int) -> int:
        value = self._q.value(key, default)
        try:
            return int(value) if isinstance(value, (int, str)) else default
        except ValueError:
            log.warning("%s: %s is not a number; using %d", self.path, key, default)
            return default

    def _str(self, key: str, default: str = "") -> str:
        value = self._q.value(key, default)
        return value if isinstance(value, str) else default

    # camera -----------------------------------------------------------------------------------
    @property
    def camera_index(self) -> int:
        return max(0, self._int("camera/index", DEFAULT_CAMERA))

    @camera_index.setter
    def camera_index(self, index: int) -> None:
        self._q.setValue("camera/index", int(index))

    @property
    def camera_size(self) -> tuple[int, int] | None:
        """Requested (width, height); None asks for the camera's native size."""
        return parse_size(self._str("camera/size"))

    @camera_size.setter
    def camera_size(self, size: tuple[int, int] | None) -> None:
        self._q.setValue("camera/size", f"{size[0]}x{size[1]}" if size else "")

    # view -------------------------------------------------------------------------------------
    @property
    def mirror(self) -> bool:
        return self._bool("view/mirror", True)

    @mirror.setter
    def mirror(self, value: bool) -> None:
        self._q.setValue("view/mirror", bool(value))

    @property
    def mirror_print(self) -> bool:
        """Garments drawn mirrored in the mirrored view, so their print reads as on the photo."""
        return self._bool("view/mirror_print", False)

    @mirror_print.setter
    def mirror_print(self, value: bool) -> None:
        self._q.setValue("view/mirror_print", bool(value))

    @property
    def last_garment(self) -> str | None:
        return self._str("garment/last") or None

    @last_garment.setter
    def last_garment(self, garment_id: str | None) -> None:
        self._q.setValue("garment/last", garment_id or "")

    @property
    def geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._q.setValue("window/geometry", value)

    # pipeline ---------------------------------------------------------------------------------
    @property
    def device(self) -> Device:
        value = self._str("pipeline/device", "auto")
        return value if value in DEVICES else "auto"  # type: ignore[return-value]

    @device.setter
    def device(self, value: Device) -> None:
        self._q.setValue("pipeline/device", value)

    @property
    def overlap(self) -> bool:
        """Pose the next frame while this one is rendered (`app.pipeline.overlap`)."""
        return self._bool("pipeline/overlap", True)

    @overlap.setter
    def overlap(self, value: bool) -> None:
        self._q.setValue("pipeline/overlap", bool(value))

    # capture ----------------------------------------------------------------------------------
    @property
    def save_original(self) -> bool:
        return self._bool("capture/save_original", False)

    @save_original.setter
    def save_original(self, value: bool) -> None:
        self._q.setValue("capture/save_original", bool(value))

    @property
    def save_pose_json(self) -> bool:
        return self._bool("capture/save_pose_json", False)

    @save_pose_json.setter
    def save_pose_json(self, value: bool) -> None:
        self._q.setValue("capture/save_pose_json", bool(value))

    def sync(self) -> None:
        """Write to disk now (QSettings also writes on its own, later)."""
        self._q.sync()
        if self._q.status() != QSettings.Status.NoError:
            log.warning("%s: settings could not be saved", self.path)
