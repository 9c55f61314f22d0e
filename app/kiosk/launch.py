"""`--kiosk` on the command line: read and check the kiosk config before any window opens.

Qt-free, like `app.gui.launch`: a bad config file ends the run with one line naming the key,
before Qt, the camera or the models are touched. The options that also exist for the desktop
window override the file where that makes sense for trying a kiosk out (`--source demo`,
`--device cpu`, `--catalog DIR`); `--garment` and `--fullscreen` belong to the file.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.kiosk.config import KioskConfig, default_config_path, load_config


@dataclass(frozen=True)
class KioskLaunch:
    config: KioskConfig
    catalog_dir: Path | None = None
    quit_after: int | None = None
    screenshot: Path | None = None
    verbose: bool = False


def prepare_kiosk(args: argparse.Namespace, quit_after: int | None, screenshot: Path | None) -> KioskLaunch:
    """The checked kiosk settings; KioskConfigError (a LiveFitError) naming the file and key."""
    path = getattr(args, "kiosk_config", None) or default_config_path()
    for option, key in (("garment", "default_garment"), ("fullscreen", None)):
        if getattr(args, option, None):
            where = f"set `kiosk.{key}` in {path}" if key else "a kiosk is always full screen"
            raise LiveFitError(f"--{option} is not used with --kiosk: {where}")
    catalog_dir = getattr(args, "catalog", None)
    catalog_ids = [entry.id for entry in Catalog.default(catalog_dir).list()]
    # A smoke run ends by itself and nobody can reach its exit, so it needs no PIN.
    config = load_config(Path(path), catalog_ids, require_pin=quit_after is None)
    camera = config.camera
    if getattr(args, "source", None):
        camera = dataclasses.replace(camera, source=args.source)
    if getattr(args, "device", None):
        camera = dataclasses.replace(camera, device=args.device)
    return KioskLaunch(dataclasses.replace(config, camera=camera), catalog_dir, quit_after, screenshot,
                       bool(getattr(args, "verbose", False)))
