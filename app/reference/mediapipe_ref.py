"""mediapipe's own Pose, run beside LiveFit on the same frames, for `bench --reference mediapipe`.

mediapipe 0.10.21 cannot live in LiveFit's environment: it requires numpy<2, protobuf<5, jax and
a second OpenCV (`opencv-contrib-python`) that collides with `opencv-python-headless`. So it gets
its own virtual environment, built on demand under the user cache folder
(`user_cache_dir() / "mediapipe-ref-venv"`), and runs in a subprocess:

1. the frames are written to a temporary .npy file (uint8 (N, H, W, 3), BGR);
2. `_mediapipe_worker.py` runs under the reference environment's Python, times
   `pose.process(rgb)` per frame and writes JSON to a temporary file (stdout is not used, so
   library chatter cannot corrupt the result);
3. the JSON becomes a `ReferenceRun`, with the warm-up frames dropped from the statistics.

Threads: the worker is told the same thread count LiveFit uses (`default_threads()`), both for
the numerical libraries' environment variables and for mediapipe's XNNPACK delegate, which on
desktop builds otherwise runs single-threaded. Nothing is pinned to cores.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import InputShapeError, LiveFitError
from app.paths import user_cache_dir

log = logging.getLogger(__name__)

MEDIAPIPE_REQUIREMENT = "mediapipe==0.10.21"
MEDIAPIPE_VERSION = "0.10.21"
VENV_DIR_NAME = "mediapipe-ref-venv"
SUPPORTED_PYTHONS = ((3, 9), (3, 12))
"""mediapipe 0.10.21 publishes wheels for CPython 3.9 to 3.12 only."""
NUM_LANDMARKS = 33
RESULT_VERSION = 1

WORKER_PATH = Path(__file__).with_name("_mediapipe_worker.py")

VENV_TIMEOUT_S = 300.0
PIP_TIMEOUT_S = 1800.0
"""pip fetches ~250 MB (mediapipe, jax, jaxlib, scipy, opencv-contrib...): ~1 GB installed."""
CHECK_TIMEOUT_S = 120.0
"""Importing mediapipe the first time compiles its .pyc files: slow on a cold disk."""
WORKER_START_S = 120.0
WORKER_PER_FRAME_S = 5.0
"""Generous per-frame allowance before a hung worker is killed."""

THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_ERROR_TAIL_LINES = 20


class MediapipeReferenceError(LiveFitError):
    """The mediapipe reference could not produce a result."""


class ReferenceUnavailableError(MediapipeReferenceError):
    """The reference environment is missing and cannot be built (or cannot start)."""


class ReferenceRunError(MediapipeReferenceError):
    """The reference worker started but failed or returned something unusable."""


@dataclass(frozen=True, eq=False)  # eq=False: landmark arrays do not compare as booleans
class ReferenceRun:
    """What mediapipe measured on the frames.

    `per_frame_ms`: wall milliseconds of `pose.process()` for each frame after the warm-up ones.
    `median_ms`, `p95_ms`: of `per_frame_ms` (p95 by linear interpolation, as numpy.percentile).
    `landmarks`: one entry per input frame (warm-up frames included): (33, 3) float32 array of
        (x pixels, y pixels, visibility 0..1) in BlazePose order, or None where no person was found.
    `warmup`: how many leading frames were left out of the statistics.
    `cpu_utilisation`: process CPU time / wall time over the timed frames (about the number of
        cores mediapipe kept busy).
    `xnnpack_threads`: threads given to mediapipe's XNNPACK delegate (None: mediapipe's default).
    """

    per_frame_ms: tuple[float, ...]
    median_ms: float
    p95_ms: float
    landmarks: list[np.ndarray | None]
    warmup: int
    cpu_utilisation: float
    mediapipe_version: str
    xnnpack_threads: int | None


def default_threads() -> int:
    """Threads LiveFit gives its own inference: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def reference_env_dir() -> Path:
    return user_cache_dir() / VENV_DIR_NAME


def venv_python(venv_dir: Path) -> Path:
    if sys.platform == "win32":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def worker_env(threads: int) -> dict[str, str]:
    """Environment for every process run with the reference Python.

    PYTHONPATH/PYTHONHOME of LiveFit's environment and the user's site-packages would put a
    numpy 2 or a second cv2 in front of the reference environment's own; the thread variables
    give the numerical libraries the same budget as LiveFit.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    for var in THREAD_ENV_VARS:
        env[var] = str(threads)
    # mediapipe's C++ logging (glog / absl) prints INFO lines per graph; keep warnings and errors.
    env.setdefault("GLOG_minloglevel", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    return env


def check_interpreter(version: tuple[int, int], *, frozen: bool) -> None:
    """Raise ReferenceUnavailableError unless this Python can build the reference environment.

    `version`: (major, minor) of the running Python; `frozen`: running from a PyInstaller bundle,
    which has no `python -m venv` to offer.
    """
    if frozen:
        raise ReferenceUnavailableError(
            "the mediapipe reference needs LiveFit run from a Python installation "
            "(python -m app), not from the packaged application"
        )
    low, high = SUPPORTED_PYTHONS
    if not low <= version <= high:
        raise ReferenceUnavailableError(
            f"{MEDIAPIPE_REQUIREMENT} has no wheels for Python {version[0]}.{version[1]}; run "
            f"LiveFit with Python {low[0]}.{low[1]} to {high[0]}.{high[1]} for the reference"
        )


def _mediapipe_works(python: Path) -> bool:
    """Whether `python` imports the expected mediapipe with its Pose solution."""
    probe = (
        "import sys, mediapipe, mediapipe.python.solutions.pose; "
        "sys.stdout.write(mediapipe.__version__)"
    )
    try:
        done = subprocess.run(
            [str(python), "-c", probe],
            env=worker_env(1),
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.debug("reference python %s does not run: %s", python, error)
        return False
    if done.returncode != 0:
        log.debug("mediapipe import failed in %s: %s", python, _last_line(done.stderr))
        return False
    return done.stdout.strip() == MEDIAPIPE_VERSION


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _run_logged(
    command: Sequence[str], *, timeout_s: float, env: dict[str, str]
) -> tuple[int, str]:
    """Run `command`, logging its output as it comes; (exit code, last lines of output).

    Output is streamed rather than captured so a minute-long pip install shows progress.
    """
    tail: deque[str] = deque(maxlen=_ERROR_TAIL_LINES)
    try:
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    except OSError as error:
        return 127, f"cannot start {command[0]} ({error.strerror or error})"
    # The with-block closes the output pipe (an unclosed one is a ResourceWarning).
    with process:
        timed_out = threading.Event()

        def kill_on_timeout() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout_s, kill_on_timeout)
        timer.start()
        try:
            for line in process.stdout or ():
                line = line.rstrip()
                if not line:
                    continue
                tail.append(line)
                # pip's Collecting/Installing/Successfully lines show progress; the rest is noise.
                progress = line.startswith(("Collecting", "Installing", "Successfully"))
                log.log(logging.INFO if progress else logging.DEBUG, "  %s", line)
            code = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
    if timed_out.is_set():
        tail.append(f"killed after {timeout_s:g} s")
    return code, "\n".join(tail)


def ensure_reference_env() -> Path:
    """Python of the mediapipe reference environment, building the environment if needed.

    An existing environment is reused when it imports the expected mediapipe; a broken one is
    deleted and rebuilt. The first build downloads about 250 MB (about 1 GB on disk) and
    takes a minute or more.
    Raises ReferenceUnavailableError with a one-line message when it cannot be built.
    """
    venv_dir = reference_env_dir()
    python = venv_python(venv_dir)
    if python.exists() and _mediapipe_works(python):
        log.debug("mediapipe reference environment: %s", venv_dir)
        return python
    check_interpreter(
        (sys.version_info.major, sys.version_info.minor), frozen=getattr(sys, "frozen", False)
    )
    hint = "make the folder writable or point LIVEFIT_CACHE_DIR elsewhere"
    try:
        if venv_dir.exists():
            log.info("mediapipe reference environment in %s is broken; rebuilding it", venv_dir)
            shutil.rmtree(venv_dir)
        venv_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReferenceUnavailableError(
            f"{venv_dir}: cannot create the mediapipe reference environment "
            f"({error.strerror or error}); {hint}"
        ) from error
    log.info(
        "Building the mediapipe reference environment in %s (first time only: downloads about "
        "250 MB, 1 GB on disk, takes a minute or more)",
        venv_dir,
    )
    env = worker_env(default_threads())
    code, output = _run_logged(
        [sys.executable, "-m", "venv", str(venv_dir)], timeout_s=VENV_TIMEOUT_S, env=env
    )
    if code != 0:
        raise ReferenceUnavailableError(
            f"{venv_dir}: python -m venv failed ({_last_line(output)}); on Debian/Ubuntu install "
            f"python3-venv, else {hint}"
        )
    log.info("Installing %s into %s", MEDIAPIPE_REQUIREMENT, venv_dir)
    code, output = _run_logged(
        [
            str(python), "-m", "pip", "install",
            "--disable-pip-version-check", "--no-input", MEDIAPIPE_REQUIREMENT,
        ],
        timeout_s=PIP_TIMEOUT_S,
        env=env,
    )
    if code != 0:
        raise ReferenceUnavailableError(
            f"{venv_dir}: pip could not install {MEDIAPIPE_REQUIREMENT} ({_last_line(output)}); "
            "it needs access to PyPI"
        )
    if not _mediapipe_works(python):
        raise ReferenceUnavailableError(
            f"{venv_dir}: {MEDIAPIPE_REQUIREMENT} installed but does not import; delete the "
            "folder and try again"
        )
    log.info("mediapipe reference environment ready: %s", venv_dir)
    return python


def check_frames(frames_bgr: Sequence[np.ndarray]) -> tuple[int, int]:
    """(height, width) shared by all frames; InputShapeError unless all are (H, W, 3) uint8."""
    if not frames_bgr:
        raise InputShapeError("the mediapipe reference needs at least one frame")
    first = frames_bgr[0]
    for number, frame in enumerate(frames_bgr):
        is_bgr = (
            isinstance(frame, np.ndarray)
            and frame.dtype == np.uint8
            and frame.ndim == 3
            and frame.shape[2] == 3
        )
        if not is_bgr:
            raise InputShapeError(
                f"frame {number}: expected an (H, W, 3) uint8 BGR image, got "
                f"{getattr(frame, 'dtype', type(frame).__name__)} {getattr(frame, 'shape', '')}"
            )
        if frame.shape != first.shape:
            raise InputShapeError(
                f"frame {number}: size {frame.shape[1]}x{frame.shape[0]} differs from the first "
                f"frame's {first.shape[1]}x{first.shape[0]}"
            )
    return int(first.shape[0]), int(first.shape[1])


def write_frames_npy(path: Path, frames_bgr: Sequence[np.ndarray]) -> tuple[int, int, int]:
    """Write frames as one uint8 (N, H, W, 3) BGR .npy file, one frame at a time.

    Filling a memory-mapped file avoids holding a stacked copy of a long clip in memory.
    Returns the array's shape (N, H, W).
    """
    height, width = check_frames(frames_bgr)
    stacked = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.uint8, shape=(len(frames_bgr), height, width, 3)
    )
    for number, frame in enumerate(frames_bgr):
        stacked[number] = frame
    stacked.flush()
    del stacked  # closes the mapping before the worker opens the file
    return len(frames_bgr), height, width


def parse_worker_result(data: Any, *, n_frames: int, warmup: int) -> ReferenceRun:
    """Check the worker's JSON (see `_mediapipe_worker`) and summarise it.

    Raises ReferenceRunError when the JSON does not have the promised structure.
    """
    try:
        if data.get("version") != RESULT_VERSION:
            raise ValueError(f"result version {data.get('version')!r}, expected {RESULT_VERSION}")
        wall = [float(value) for value in data["per_frame_ms"]]
        cpu = [float(value) for value in data["per_frame_cpu_ms"]]
        raw_landmarks = data["landmarks"]
        if not len(wall) == len(cpu) == len(raw_landmarks) == n_frames:
            raise ValueError(
                f"{len(wall)} timings and {len(raw_landmarks)} landmark sets for {n_frames} frames"
            )
        landmarks: list[np.ndarray | None] = []
        for entry in raw_landmarks:
            if entry is None:
                landmarks.append(None)
                continue
            points = np.asarray(entry, dtype=np.float32)
            if points.shape != (NUM_LANDMARKS, 3):
                raise ValueError(
                    f"landmarks of shape {points.shape}, expected ({NUM_LANDMARKS}, 3)"
                )
            landmarks.append(points)
        version = str(data["mediapipe_version"])
        threads = data.get("xnnpack_threads")
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise ReferenceRunError(
            f"mediapipe reference worker returned a malformed result ({error})"
        ) from error
    timed = np.asarray(wall[warmup:], dtype=np.float64)
    timed_cpu = float(np.sum(cpu[warmup:]))
    return ReferenceRun(
        per_frame_ms=tuple(float(value) for value in timed),
        median_ms=float(np.median(timed)),
        p95_ms=float(np.percentile(timed, 95)),
        landmarks=landmarks,
        warmup=warmup,
        cpu_utilisation=timed_cpu / float(np.sum(timed)) if np.sum(timed) > 0 else 0.0,
        mediapipe_version=version,
        xnnpack_threads=int(threads) if threads is not None else None,
    )


def run_mediapipe_pose(
    frames_bgr: Sequence[np.ndarray],
    warmup: int = 5,
    *,
    threads: int | None = None,
    stock_xnnpack: bool = False,
    python: Path | None = None,
) -> ReferenceRun:
    """Run mediapipe's Pose (model_complexity=1, segmentation on, tracking and smoothing on).

    `frames_bgr`: (H, W, 3) uint8 BGR frames of one size, in time order (tracking carries over
    from frame to frame). The first `warmup` frames are processed but left out of the timing
    statistics. `threads`: CPU threads for mediapipe (default: `default_threads()`), given to
    its XNNPACK delegate too unless `stock_xnnpack`, which keeps mediapipe's own choice (one
    thread on desktop builds) to measure mediapipe exactly as shipped.
    `python`: interpreter to run the worker with (default: the reference environment's, built
    if needed).
    """
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    if len(frames_bgr) <= warmup:
        raise ValueError(
            f"{len(frames_bgr)} frames leave none to time after {warmup} warm-up frames"
        )
    check_frames(frames_bgr)
    threads = threads or default_threads()
    python = python or ensure_reference_env()
    with tempfile.TemporaryDirectory(prefix="livefit-mediapipe-") as tmp:
        frames_path = Path(tmp) / "frames.npy"
        result_path = Path(tmp) / "result.json"
        write_frames_npy(frames_path, frames_bgr)
        command = [str(python), str(WORKER_PATH), str(frames_path), str(result_path)]
        if not stock_xnnpack:
            command += ["--xnnpack-threads", str(threads)]
        timeout_s = WORKER_START_S + WORKER_PER_FRAME_S * len(frames_bgr)
        log.info("Running mediapipe Pose on %d frames (%d threads)", len(frames_bgr), threads)
        try:
            done = subprocess.run(
                command,
                env=worker_env(threads),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except OSError as error:
            raise ReferenceUnavailableError(
                f"{python}: cannot start the mediapipe reference Python "
                f"({error.strerror or error}); delete {reference_env_dir()} to have it rebuilt"
            ) from error
        except subprocess.TimeoutExpired as error:
            raise ReferenceRunError(
                f"mediapipe reference worker did not finish {len(frames_bgr)} frames "
                f"in {timeout_s:.0f} s"
            ) from error
        if done.stderr:
            log.debug("mediapipe worker stderr:\n%s", done.stderr.rstrip())
        if done.returncode != 0:
            raise ReferenceRunError(
                f"mediapipe reference worker failed (exit code {done.returncode}): "
                f"{_last_line(done.stderr)}"
            )
        try:
            data = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ReferenceRunError(
                f"mediapipe reference worker wrote no readable result ({error})"
            ) from error
    return parse_worker_result(data, n_frames=len(frames_bgr), warmup=warmup)
