"""The packaged app: build `build.spec` with PyInstaller, then run the bundle as a user would.

Follows friture's smoke test: the built binary runs offscreen from a folder outside the source
tree, with its own empty home, data and log folders, and its output and log are scanned for the
signs of a broken bundle (a module left out, a Qt platform plugin that does not load, a
traceback). The build takes about 20 s and the bundle about 700 MB of temporary disk (removed
afterwards).

- Needs the `package` extra (`pip install -e '.[package]'`); skipped without PyInstaller.
- `LIVEFIT_PACKAGING_TEST=0` skips it; `LIVEFIT_BUNDLE=dist/LiveFit` checks a bundle built
  beforehand (`pyinstaller --noconfirm build.spec`) instead of building one.
- `pytest tests/packaging -s` prints the build time, the bundle's size and the run times.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "build.spec"
APP_NAME = "LiveFit"
CONTENTS = "_internal"  # PyInstaller >= 6: the bundle's sys._MEIPASS inside dist/LiveFit

BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 240  # the window's own smoke timeout is 120 s; this one catches a hang
SMOKE_FRAMES = 30
SMOKE_GARMENT = "tee-navy"
CLI_FRAMES = 3
MIN_SCREENSHOT_COLOURS = 1000
"""The window's chrome alone has a few hundred colours; a painted camera frame has thousands."""

FAILURE_MARKERS = (
    "ModuleNotFoundError",
    "No module named",
    "ImportError",
    "Traceback",
    "Could not load the Qt platform plugin",
    "Could not find the Qt platform plugin",
    "Fatal Python error",
    "error while loading shared libraries",
    "cannot open shared object file",
    "undefined symbol",
)

# Never in the bundle: the export side and dev tools (build.spec excludes them).
EXCLUDED_PACKAGES = ("torch", "mediapipe", "tflite", "ai_edge_litert", "onnx", "onnxslim", "PIL", "models.export")
# Modules of app/ and models/ that are not imported by the app: scripts run by another Python.
# Run as scripts, not imported by the app: the entry point, mediapipe's worker (its own venv) and
# the kiosk soak tool (`python -m app.kiosk.soak`, a development measurement).
NOT_BUNDLED = {"app.__main__", "app.reference._mediapipe_worker", "app.kiosk.soak"}
QT_PLATFORM_PLUGINS = {"libqminimal.so", "libqoffscreen.so", "libqxcb.so"}

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(os.environ.get("LIVEFIT_PACKAGING_TEST") == "0", reason="LIVEFIT_PACKAGING_TEST=0"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the checks know the Linux bundle's layout"),
]


@dataclass(frozen=True)
class Bundle:
    folder: Path  # dist/LiveFit
    executable: Path
    pyz_toc: Path | None  # PyInstaller's list of the bundled Python modules; None for a prebuilt bundle

    @property
    def contents(self) -> Path:
        return self.folder / CONTENTS


@dataclass(frozen=True)
class BundleRun:
    returncode: int
    stdout: str
    stderr: str
    log: str  # every file the app wrote to its log folder
    seconds: float

    def failure_marker(self) -> str | None:
        text = "\n".join((self.stdout, self.stderr, self.log))
        return next((marker for marker in FAILURE_MARKERS if marker in text), None)

    def describe(self) -> str:
        return (f"exit code {self.returncode} after {self.seconds:.1f} s\n--- stdout\n{self.stdout[-3000:]}\n"
                f"--- stderr\n{self.stderr[-3000:]}\n--- log\n{self.log[-3000:]}")


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    prebuilt = os.environ.get("LIVEFIT_BUNDLE")
    if prebuilt:
        folder = Path(prebuilt).resolve()
        if not (folder / APP_NAME).is_file():
            pytest.fail(f"LIVEFIT_BUNDLE={prebuilt}: no {APP_NAME} executable in it")
        yield Bundle(folder, folder / APP_NAME, None)
        return
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed: pip install -e '.[package]'")
    work = tmp_path_factory.mktemp("pyinstaller")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"pyinstaller failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    folder = work / "dist" / APP_NAME
    print(f"\npackaging: built in {seconds:.1f} s; {folder} is {_folder_size(folder) / 2**20:.0f} MiB")
    try:
        yield Bundle(folder, folder / APP_NAME, work / "build" / SPEC.stem / "PYZ-00.toc")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # ~700 MB


def run_bundle(bundle: Bundle, args: Sequence[str], home: Path) -> BundleRun:
    """Run the bundled app offscreen in `home`, away from the source tree and the build's venv."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("LIVEFIT_", "PYTHON", "QT_", "VIRTUAL_ENV"))}
    log_dir = home / "log"
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        LIVEFIT_LOG_DIR=str(log_dir),
        LIVEFIT_DATA_DIR=str(home / "data"),
        LIVEFIT_CACHE_DIR=str(home / "cache"),
        LIVEFIT_PICTURES_DIR=str(home / "pictures"),
    )
    started = time.perf_counter()
    # A new session, so a hung app and anything it started can be killed together.
    process = subprocess.Popen([str(bundle.executable), *args], cwd=home, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(killed after {RUN_TIMEOUT_S} s)"
    seconds = time.perf_counter() - started
    logs = sorted(log_dir.glob("*")) if log_dir.is_dir() else []
    log = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in logs if path.is_file())
    return BundleRun(process.returncode, stdout, stderr, log, seconds)


def _repo_files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir() if path.is_file()}


def test_bundle_holds_the_models_and_assets(bundle: Bundle) -> None:
    models = bundle.contents / "models"
    manifest = json.loads((REPO / "models" / "manifest.json").read_text())
    assert (models / "manifest.json").read_bytes() == (REPO / "models" / "manifest.json").read_bytes()
    for entry in manifest["models"].values():
        name = entry["file"]
        assert (models / name).read_bytes() == (REPO / "models" / name).read_bytes(), name
    for folder in ("demo", "garments", "icons"):
        assert _repo_files(bundle.contents / "assets" / folder) == _repo_files(REPO / "assets" / folder), folder


def test_bundle_leaves_out_what_the_app_never_imports(bundle: Bundle) -> None:
    top_level = {path.name for path in bundle.contents.iterdir()}
    assert top_level.isdisjoint(EXCLUDED_PACKAGES)
    assert not list(bundle.contents.rglob("libtorch*")), "torch's libraries are in the bundle"
    platforms = {path.name for path in (bundle.contents / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert platforms == QT_PLATFORM_PLUGINS
    qt_modules = {path.name.split(".")[0] for path in (bundle.contents / "PySide6").glob("Qt*.so")}
    assert qt_modules == {"QtCore", "QtGui", "QtWidgets"}


def test_bundle_has_onnxruntimes_provider_libraries(bundle: Bundle) -> None:
    capi = {path.name for path in (bundle.contents / "onnxruntime" / "capi").iterdir()}
    assert "libonnxruntime_providers_shared.so" in capi
    assert "libonnxruntime_providers_cuda.so" in capi, "built with --cpu-only? CI checks the full bundle"


def test_bundle_has_every_app_module(bundle: Bundle) -> None:
    if bundle.pyz_toc is None:
        pytest.skip("a prebuilt bundle comes without PyInstaller's module list")
    bundled = {entry[0] for entry in ast.literal_eval(bundle.pyz_toc.read_text())[1]}
    expected = set()
    for package in ("app", "models"):
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            expected.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    expected = {name for name in expected - NOT_BUNDLED if not name.startswith("models.export")}
    assert sorted(expected - bundled) == []
    stray = sorted(name for name in bundled
                   if any(name == package or name.startswith(f"{package}.") for package in EXCLUDED_PACKAGES))
    assert stray == []


def test_bundled_cli_runs_the_pipeline(bundle: Bundle, tmp_path: Path) -> None:
    out = tmp_path / "json"
    run = run_bundle(bundle, ["run", "--source", "demo", "--max-frames", str(CLI_FRAMES), "--write-json", str(out)],
                     tmp_path)
    print(f"\npackaging: `{APP_NAME} run` of {CLI_FRAMES} demo frames took {run.seconds:.1f} s")
    assert run.returncode == 0, run.describe()
    assert run.failure_marker() is None, f"{run.failure_marker()!r} in the output\n{run.describe()}"
    files = sorted(out.glob("*_keypoints.json"))
    assert len(files) == CLI_FRAMES, run.describe()
    assert all(json.loads(path.read_text())["people"] for path in files)


def test_bundled_window_smoke_mode(bundle: Bundle, tmp_path: Path) -> None:
    if bundle.pyz_toc is not None:  # built from this environment: its PySide6 is the bundle's
        from app.gui.qtcheck import binding_defect

        defect = binding_defect()
        if defect is not None:
            pytest.skip(defect)
    screenshot = tmp_path / "smoke.png"
    run = run_bundle(bundle, ["--source", "demo", "--garment", SMOKE_GARMENT, "--quit-after", str(SMOKE_FRAMES),
                              "--screenshot", str(screenshot)], tmp_path)
    print(f"\npackaging: window smoke run ({SMOKE_FRAMES} frames) took {run.seconds:.1f} s: {run.stdout.strip()}")
    assert run.returncode == 0, run.describe()
    assert run.failure_marker() is None, f"{run.failure_marker()!r} in the output\n{run.describe()}"
    assert run.log, f"the window wrote no log file\n{run.describe()}"
    image = cv2.imread(str(screenshot), cv2.IMREAD_COLOR)
    assert image is not None, f"no screenshot\n{run.describe()}"
    colours = len(np.unique(image.reshape(-1, 3), axis=0))
    assert colours >= MIN_SCREENSHOT_COLOURS, f"the screenshot looks blank ({colours} colours)"
