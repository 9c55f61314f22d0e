"""Entry point of the desktop app for the command line (`livefit` / `python -m app`).

`app.cli` calls `add_arguments(parser)` while building its parser and `run_gui(args)` when no
sub-command is given. This module must not import Qt at import time: every command line run
imports it, and `livefit garments list` should neither pay for nor need PySide6.

Smoke mode (`--quit-after N` and/or `--screenshot OUT.png`) opens the real window (offscreen
when there is no display), runs until N frames were painted, saves a screenshot of the window,
prints the measured latency and exits 0; any failure exits non-zero with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.errors import LiveFitError

DEVICE_CHOICES = ("auto", "cuda", "cpu")
"""As `models.session.DEVICES` (not imported here: it would load onnxruntime for every command)."""
SMOKE_DEFAULT_FRAMES = 30
"""Frames a `--screenshot` run waits for when `--quit-after` is not given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The window's options, on the top-level parser."""
    group = parser.add_argument_group("mirror window (used when no command is given)")
    group.add_argument("--source", metavar="SRC",
                       help="camera number, video file, folder of images or 'demo' "
                            "(default: the camera chosen in Settings, else camera 0)")
    group.add_argument("--garment", metavar="ID", help="garment to start with (see `livefit garments list`)")
    group.add_argument("--device", choices=DEVICE_CHOICES, default=None,
                       help="where the models run (default: as chosen in Settings, else auto)")
    group.add_argument("--catalog", metavar="DIR", type=Path,
                       help="user garment folder (default: $LIVEFIT_CATALOG_DIR, else the user data folder)")
    group.add_argument("--fullscreen", action="store_true", help="start in full screen")
    group.add_argument("--quit-after", metavar="N", type=_positive_int,
                       help="smoke test: quit after N frames were shown (exit 0 when all went well)")
    group.add_argument("--screenshot", metavar="OUT.png", type=Path,
                       help="smoke test: save a screenshot of the window before quitting")
    group.add_argument("--kiosk", action="store_true",
                       help="kiosk mode: full screen, locked, private (settings: --kiosk-config)")
    group.add_argument("--kiosk-config", metavar="FILE", type=Path,
                       help="kiosk settings (default: kiosk.toml in the user data folder)")
    group.add_argument("--kiosk-pin", action="store_true",
                       help="print the kiosk.toml line for a new admin PIN (asked twice; read from stdin in a pipe)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the user chose a platform (offscreen, vnc, eglfs…)
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_gui(args: argparse.Namespace) -> int:
    """Open the mirror window; returns the exit code. LiveFitError for a one-line failure."""
    if getattr(args, "kiosk_pin", False):
        from app.kiosk.pin import main as make_pin  # here too, because a packaged app has no `python -m`

        return make_pin([] if sys.stdin.isatty() else ["--stdin"])
    quit_after = getattr(args, "quit_after", None)
    screenshot = getattr(args, "screenshot", None)
    smoke = quit_after is not None or screenshot is not None
    frames = quit_after if quit_after is not None else (SMOKE_DEFAULT_FRAMES if smoke else None)
    kiosk = None
    if getattr(args, "kiosk", False):
        from app.kiosk.launch import prepare_kiosk  # Qt-free: the config is checked before any window

        kiosk = prepare_kiosk(args, frames, screenshot)
    if not _has_display():
        if not smoke:
            raise LiveFitError("no display to open the window on (DISPLAY is not set); run it on a desktop, "
                               "or use --quit-after N for an offscreen smoke test")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if kiosk is not None:
        from app.kiosk.runner import run_kiosk  # Qt is imported only now

        return run_kiosk(kiosk)
    from app.gui.runner import LaunchOptions, run  # Qt is imported only now

    return run(LaunchOptions(
        source=getattr(args, "source", None),
        garment=getattr(args, "garment", None),
        device=getattr(args, "device", None),
        catalog=getattr(args, "catalog", None),
        fullscreen=bool(getattr(args, "fullscreen", False)),
        quit_after=frames,
        screenshot=screenshot,
        verbose=bool(getattr(args, "verbose", False)),
    ))
