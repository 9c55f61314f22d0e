"""Fetch the mediapipe wheel (never install it) and read TFLite files out of it.

mediapipe==0.10.21 pins numpy<2, protobuf<5, jax and a second cv2; installing it would poison the
app's environment, and only its `.tflite` files are needed. The later 1.x wheels ship no models.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import zipfile
from pathlib import Path

from app.paths import user_cache_dir

log = logging.getLogger(__name__)

MEDIAPIPE_VERSION = "0.10.21"


class WheelError(Exception):
    """The mediapipe wheel cannot be fetched or lacks a model file."""


def wheel_cache_dir() -> Path:
    return user_cache_dir() / "mediapipe-wheel"


def find_cached_wheel() -> Path | None:
    """The cached wheel for this interpreter's platform, or None when it has not been fetched."""
    matches = sorted(wheel_cache_dir().glob(f"mediapipe-{MEDIAPIPE_VERSION}-*.whl"))
    return matches[0] if matches else None


def fetch_wheel() -> Path:
    """Download the wheel into the cache if needed (network), return its path."""
    cached = find_cached_wheel()
    if cached:
        return cached
    target = wheel_cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    log.info("downloading mediapipe==%s (no install) into %s", MEDIAPIPE_VERSION, target)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               f"mediapipe=={MEDIAPIPE_VERSION}", "--dest", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    cached = find_cached_wheel()
    if result.returncode != 0 or cached is None:
        raise WheelError(f"could not download mediapipe=={MEDIAPIPE_VERSION}: {result.stderr.strip()[-400:]}")
    return cached


def read_member(wheel: Path, member: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        try:
            return archive.read(member)
        except KeyError as error:
            raise WheelError(f"{wheel.name} has no {member}") from error
