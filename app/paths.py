"""The one place that knows where LiveFit's files live.

In the source tree (or an installed wheel) resources sit next to the packages; in a PyInstaller
bundle they sit under `sys._MEIPASS`. User data (the garment catalog, logs, captures) lives in
the platform's user folders, overridable by environment variables for tests and kiosks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "LiveFit"


def resource_root() -> Path:
    """Folder that holds `models/` and `assets/` (source tree or PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    """Folder with the exported `.onnx` files and `manifest.json`."""
    override = os.environ.get("LIVEFIT_MODELS_DIR")
    return Path(override) if override else resource_root() / "models"


def assets_dir() -> Path:
    return resource_root() / "assets"


def demo_image_path() -> Path:
    return assets_dir() / "demo" / "grace_hopper.jpg"


def user_data_dir() -> Path:
    """Per-user writable data (garment catalog); `LIVEFIT_DATA_DIR` overrides it."""
    override = os.environ.get("LIVEFIT_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    override = os.environ.get("LIVEFIT_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    override = os.environ.get("LIVEFIT_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def bundled_garments_dir() -> Path:
    """Garments shipped with LiveFit (read-only): image, sidecar, mask and thumbnail each."""
    return assets_dir() / "garments"


def user_catalog_dir() -> Path:
    """The user's own garments; `LIVEFIT_CATALOG_DIR` overrides it (a `--catalog` option wins)."""
    override = os.environ.get("LIVEFIT_CATALOG_DIR")
    return Path(override) if override else user_data_dir() / "garments"


def pictures_dir() -> Path:
    """Where captures are saved (Pictures/LiveFit); `LIVEFIT_PICTURES_DIR` overrides it."""
    override = os.environ.get("LIVEFIT_PICTURES_DIR")
    return Path(override) if override else Path(platformdirs.user_pictures_dir()) / APP_NAME
