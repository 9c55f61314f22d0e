"""`python -m app` without a command: options, the no-Qt-at-import rule, and smoke mode."""

from __future__ import annotations

import re
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from app.cli import build_parser
from app.gui.qtcheck import binding_defect

REPO = Path(__file__).resolve().parents[2]
needs_sound_binding = pytest.mark.skipif(binding_defect() is not None, reason=str(binding_defect()))


def _run(args: list[str], tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(LIVEFIT_DATA_DIR=str(tmp_path / "data"), LIVEFIT_LOG_DIR=str(tmp_path / "log"),
               LIVEFIT_PICTURES_DIR=str(tmp_path / "pictures"))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_importing_launch_does_not_import_qt() -> None:
    code = "import sys, app.gui.launch, app.cli; app.cli.build_parser(); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_window_options_parse() -> None:
    args = build_parser().parse_args(["--source", "clip.mp4", "--garment", "red-tee", "--device", "cpu",
                                      "--catalog", "shop", "--quit-after", "5", "--screenshot", "out.png",
                                      "--fullscreen"])
    assert (args.source, args.garment, args.device, args.catalog, args.quit_after, args.screenshot,
            args.fullscreen, args.command) == ("clip.mp4", "red-tee", "cpu", Path("shop"), 5, Path("out.png"),
                                               True, None)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--quit-after", "0"])


@needs_sound_binding
def test_smoke_mode_shows_frames_saves_a_screenshot_and_exits_0(tmp_path: Path, catalog) -> None:
    shot = tmp_path / "shot.png"
    done = _run(["--source", "demo", "--catalog", str(catalog.user_dir), "--garment", "red-tee", "--device", "cpu",
                 "--quit-after", "3", "--screenshot", str(shot)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ frames painted \([\d.]+ frames/s\), capture-to-paint latency median", done.stdout)
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 600
    assert (tmp_path / "log" / "livefit.log").is_file()  # the rotating log file


@needs_sound_binding
def test_smoke_mode_fails_with_one_line_for_an_unknown_garment(tmp_path: Path, catalog) -> None:
    done = _run(["--source", "demo", "--catalog", str(catalog.user_dir), "--garment", "nope", "--quit-after", "3"],
                tmp_path)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("livefit: error:")]
    assert errors == ["livefit: error: no garment with id 'nope' in the catalog (see `garments list`)"]


@needs_sound_binding
def test_smoke_mode_fails_when_the_source_cannot_be_opened(tmp_path: Path) -> None:
    done = _run(["--source", str(tmp_path / "missing.mp4"), "--quit-after", "3"], tmp_path)
    assert done.returncode == 2
    assert f"livefit: error: {tmp_path / 'missing.mp4'}: no such file or folder" in done.stderr


def test_without_a_display_the_window_refuses_with_one_line(tmp_path: Path) -> None:
    done = _run(["--source", "demo"], tmp_path)
    assert done.returncode == 2
    assert "livefit: error: no display to open the window on" in done.stderr
