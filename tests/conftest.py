"""Shared test setup: offscreen Qt, the project's own test photo, the shared data folder."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ASTRONAUT = REPO / "tests" / "data" / "astronaut.png"  # see tests/data/SOURCE.md


@pytest.fixture(scope="session")
def astronaut_bgr() -> np.ndarray:
    """(512, 512, 3) uint8 BGR: the public-domain NASA portrait the demo source once animated."""
    image = cv2.imread(str(ASTRONAUT))
    assert image is not None
    return image


@pytest.fixture(scope="session")
def astronaut_path() -> Path:
    return ASTRONAUT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real, mostly non-commercial photos); tests using it skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data_if_present() -> Path | None:
    return SHARED_DATA if SHARED_DATA.is_dir() else None


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test runs may write into the real user's data, log or cache folders."""
    root = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("LIVEFIT_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("LIVEFIT_LOG_DIR", str(root / "log"))
    # The cache folder is left alone: parity tests read the mediapipe wheel the install step cached.


@pytest.fixture(autouse=True)
def _root_logging_restored():
    """A command run in a test points the root logger at that test's captured stderr (basicConfig);
    once the capture is closed, a later test's log line would fail on it ("I/O operation on closed
    file"). Each test leaves the root logger as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
