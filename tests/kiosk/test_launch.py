"""`python -m app --kiosk`: the config is checked before Qt starts; smoke mode runs the real kiosk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from app.cli import build_parser
from app.gui.qtcheck import binding_defect
from app.kiosk.pin import hash_pin

REPO = Path(__file__).resolve().parents[2]
needs_sound_binding = pytest.mark.skipif(binding_defect() is not None, reason=str(binding_defect()))
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}


def run_app(args: list[str], tmp_path: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for name in ("home", "data", "log", "pictures"):
        (tmp_path / name).mkdir(exist_ok=True)
    env.update(HOME=str(tmp_path / "home"), LIVEFIT_DATA_DIR=str(tmp_path / "data"),
               LIVEFIT_LOG_DIR=str(tmp_path / "log"), LIVEFIT_PICTURES_DIR=str(tmp_path / "pictures"))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_the_config_side_of_kiosk_mode_does_not_import_qt() -> None:
    code = ("import sys, app.kiosk.config, app.kiosk.launch, app.kiosk.machine, app.kiosk.pin, app.kiosk.soak; "
            "print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_kiosk_options_parse() -> None:
    args = build_parser().parse_args(["--kiosk", "--kiosk-config", "shop.toml", "--source", "demo"])
    assert (args.kiosk, args.kiosk_config, args.source) == (True, Path("shop.toml"), "demo")
    assert "--kiosk-config" in build_parser().format_help()


def test_a_bad_config_stops_the_kiosk_with_one_line_before_any_window(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nidle_seconds = "soon"\n', encoding="utf-8")
    done = run_app(["--kiosk", "--kiosk-config", str(config)], tmp_path)
    assert done.returncode == 2
    assert done.stderr == (f"livefit: error: {config}: key `kiosk.idle_seconds`: expected a number of seconds "
                           "≥ 5 and ≤ 3600, got 'soon'\n")
    assert not (tmp_path / "log" / "livefit.log").exists()  # Qt and the log file were never started


def test_without_a_pin_the_kiosk_does_not_start(tmp_path: Path) -> None:
    done = run_app(["--kiosk"], tmp_path)
    assert done.returncode == 2
    assert f"{tmp_path / 'data' / 'kiosk.toml'}: does not exist, so there is no `kiosk.pin_pbkdf2`" in done.stderr


def test_desktop_only_options_are_refused_in_kiosk_mode(tmp_path: Path) -> None:
    done = run_app(["--kiosk", "--garment", "tee-navy"], tmp_path)
    assert done.returncode == 2
    assert "livefit: error: --garment is not used with --kiosk: set `kiosk.default_garment` in" in done.stderr


@needs_sound_binding
def test_kiosk_smoke_mode_shows_frames_and_writes_nothing_but_its_log_and_screenshot(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\npin_pbkdf2 = "{hash_pin("2468", 10_000)}"\ngarments = ["tee-navy", "hoodie-marl"]\n'
                      '[kiosk.camera]\nsource = "demo"\ndevice = "cpu"\n', encoding="utf-8")
    shot = tmp_path / "shots" / "kiosk.png"
    done = run_app(["--kiosk", "--kiosk-config", str(config), "--quit-after", "3", "--screenshot", str(shot)],
                   tmp_path)
    assert done.returncode == 0, done.stderr
    assert "livefit: kiosk 3 frames painted" in done.stdout
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[0] >= 400
    for name in ("home", "data", "pictures"):
        images = [p for p in (tmp_path / name).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES]
        assert not images, images
    log = (tmp_path / "log" / "livefit.log").read_text(encoding="utf-8")
    assert "kiosk started: 2 garments, source demo, captures never saved" in log
    assert "Traceback" not in log


def test_the_packaged_app_can_make_a_pin_line_too(tmp_path: Path) -> None:
    env = {**os.environ, "LIVEFIT_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "--kiosk-pin"], input="97531\n", cwd=REPO, env=env,
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('pin_pbkdf2 = "pbkdf2_sha256$200000$')
