"""The mediapipe reference runner: frame hand-off, worker protocol, result parsing, failures.

Everything except the opt-in slow test runs without mediapipe: the worker script is run for real
as a subprocess, against a small stand-in `mediapipe` package written into tmp_path.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from app.errors import InputShapeError
from app.reference import (
    ReferenceRunError,
    ReferenceUnavailableError,
    ensure_reference_env,
    mediapipe_ref,
    run_mediapipe_pose,
)
from app.reference.mediapipe_ref import (
    check_interpreter,
    parse_worker_result,
    worker_env,
    write_frames_npy,
)

# --- frames to .npy --------------------------------------------------------------------------


def test_frames_are_written_as_one_bgr_array(tmp_path: Path) -> None:
    frames = [np.full((6, 8, 3), (index, 100, 200), dtype=np.uint8) for index in range(3)]
    path = tmp_path / "frames.npy"

    assert write_frames_npy(path, frames) == (3, 6, 8)

    stored = np.load(path)
    assert stored.dtype == np.uint8 and stored.shape == (3, 6, 8, 3)
    assert stored[:, 0, 0].tolist() == [[0, 100, 200], [1, 100, 200], [2, 100, 200]]


def test_frames_of_different_sizes_are_refused(tmp_path: Path) -> None:
    frames = [np.zeros((6, 8, 3), np.uint8), np.zeros((6, 9, 3), np.uint8)]
    with pytest.raises(InputShapeError) as caught:
        write_frames_npy(tmp_path / "f.npy", frames)
    assert str(caught.value) == "frame 1: size 9x6 differs from the first frame's 8x6"


def test_non_bgr_frames_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputShapeError) as caught:
        write_frames_npy(tmp_path / "f.npy", [np.zeros((6, 8), np.float32)])
    assert str(caught.value) == "frame 0: expected an (H, W, 3) uint8 BGR image, got float32 (6, 8)"


def test_too_few_frames_for_the_warmup_is_a_caller_error() -> None:
    frames = [np.zeros((6, 8, 3), np.uint8)] * 5
    with pytest.raises(ValueError, match="leave none to time after 5 warm-up frames"):
        run_mediapipe_pose(frames, warmup=5, python=Path("/unused"))


# --- parsing the worker's JSON ---------------------------------------------------------------


def _result(n_frames: int, wall: list[float], cpu: list[float]) -> dict:
    person = [[10.0 * k, 20.0 * k, 0.5] for k in range(33)]
    return {
        "version": 1,
        "mediapipe_version": "0.10.21",
        "xnnpack_threads": 2,
        "per_frame_ms": wall,
        "per_frame_cpu_ms": cpu,
        "landmarks": [None if index % 2 else person for index in range(n_frames)],
    }


def test_result_drops_warmup_and_summarises() -> None:
    wall = [100.0, 90.0, 80.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    cpu = [0.0, 0.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    run = parse_worker_result(_result(8, wall, cpu), n_frames=8, warmup=3)

    assert run.per_frame_ms == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert run.median_ms == 3.0
    assert run.p95_ms == pytest.approx(4.8)  # linear interpolation between 4 and 5
    assert run.cpu_utilisation == pytest.approx(2.0)  # 30 ms of CPU in 15 ms of wall time
    assert (run.warmup, run.mediapipe_version, run.xnnpack_threads) == (3, "0.10.21", 2)
    # Landmarks are kept for every frame, warm-up included.
    assert len(run.landmarks) == 8
    assert run.landmarks[1] is None
    first = run.landmarks[0]
    assert first is not None and first.shape == (33, 3) and first.dtype == np.float32
    assert first[32].tolist() == [320.0, 640.0, 0.5]


def test_result_with_missing_frames_is_refused() -> None:
    data = _result(4, [1.0] * 4, [1.0] * 4)
    with pytest.raises(ReferenceRunError) as caught:
        parse_worker_result(data, n_frames=5, warmup=1)
    assert str(caught.value) == (
        "mediapipe reference worker returned a malformed result "
        "(4 timings and 4 landmark sets for 5 frames)"
    )


def test_result_with_wrong_landmark_shape_is_refused() -> None:
    data = _result(2, [1.0, 1.0], [1.0, 1.0])
    data["landmarks"][0] = [[1.0, 2.0]] * 33
    expected = r"landmarks of shape \(33, 2\), expected \(33, 3\)"
    with pytest.raises(ReferenceRunError, match=expected):
        parse_worker_result(data, n_frames=2, warmup=0)


def test_result_of_another_protocol_version_is_refused() -> None:
    with pytest.raises(ReferenceRunError, match="result version 7, expected 1"):
        parse_worker_result({"version": 7}, n_frames=1, warmup=0)


# --- the worker run as a subprocess against a stand-in mediapipe ------------------------------

STUB_MEDIAPIPE = '''
"""Stand-in for mediapipe: Pose finds a 'person' in bright frames and reports the red level."""
import os
from types import SimpleNamespace

__version__ = "stub-omp" + os.environ.get("OMP_NUM_THREADS", "?")


class Pose:
    def __init__(self, **settings):
        expected = dict(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                        enable_segmentation=True)
        if settings != expected:
            raise ValueError(f"unexpected Pose settings {settings}")

    def process(self, rgb):
        if os.environ.get("STUB_FAIL"):
            raise RuntimeError("stub pose failed")
        if rgb.mean() < 10:
            return SimpleNamespace(pose_landmarks=None)
        red = float(rgb[0, 0, 0]) / 255.0  # channel 0 of an RGB image is red
        point = SimpleNamespace(x=red, y=0.25, visibility=0.9)
        return SimpleNamespace(pose_landmarks=SimpleNamespace(landmark=[point] * 33))

    def close(self):
        pass


solutions = SimpleNamespace(pose=SimpleNamespace(Pose=Pose))
'''


@pytest.fixture
def stub_python(tmp_path: Path) -> Path:
    """An executable that runs this Python with the stand-in mediapipe importable."""
    if sys.platform == "win32":
        pytest.skip("the stand-in interpreter is a POSIX shell script")
    package = tmp_path / "stub" / "mediapipe"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(STUB_MEDIAPIPE))
    launcher = tmp_path / "python"
    # PYTHONPATH is set here because worker_env() deliberately strips the caller's.
    launcher.write_text(
        f'#!/bin/sh\nPYTHONPATH="{package.parent}" exec "{sys.executable}" "$@"\n'
    )
    launcher.chmod(0o755)
    return launcher


def test_worker_protocol_end_to_end(stub_python: Path) -> None:
    frames = [np.full((40, 60, 3), (0, 0, 200), dtype=np.uint8)] * 4  # BGR: pure red
    frames.append(np.zeros((40, 60, 3), dtype=np.uint8))  # dark: "no person"

    run = run_mediapipe_pose(frames, warmup=2, threads=3, stock_xnnpack=True, python=stub_python)

    assert len(run.per_frame_ms) == 3 and all(ms >= 0 for ms in run.per_frame_ms)
    assert run.mediapipe_version == "stub-omp3"  # the thread count reached the worker
    assert run.xnnpack_threads is None
    assert len(run.landmarks) == 5 and run.landmarks[4] is None
    first = run.landmarks[0]
    assert first is not None and first.shape == (33, 3)
    # x = red level (the worker converted BGR to RGB) * width; y = 0.25 * height.
    assert first[0].tolist() == pytest.approx([200 / 255 * 60, 10.0, 0.9])


def test_worker_failure_is_reported_with_its_last_error_line(
    stub_python: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_FAIL", "1")
    frames = [np.full((8, 8, 3), 200, dtype=np.uint8)] * 2
    with pytest.raises(ReferenceRunError) as caught:
        run_mediapipe_pose(frames, warmup=1, stock_xnnpack=True, python=stub_python)
    assert str(caught.value) == (
        "mediapipe reference worker failed (exit code 1): RuntimeError: stub pose failed"
    )


def test_missing_reference_python_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEFIT_CACHE_DIR", str(tmp_path / "cache"))
    python = tmp_path / "gone" / "python"
    frames = [np.zeros((8, 8, 3), np.uint8)] * 2
    with pytest.raises(ReferenceUnavailableError) as caught:
        run_mediapipe_pose(frames, warmup=1, python=python)
    venv = tmp_path / "cache" / "mediapipe-ref-venv"
    assert str(caught.value) == (
        f"{python}: cannot start the mediapipe reference Python (No such file or directory); "
        f"delete {venv} to have it rebuilt"
    )


def test_worker_env_isolates_and_sets_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere/with/numpy2")
    env = worker_env(2)
    assert "PYTHONPATH" not in env
    assert env["PYTHONNOUSERSITE"] == "1"
    assert env["OMP_NUM_THREADS"] == "2" and env["OPENBLAS_NUM_THREADS"] == "2"


# --- building the environment ----------------------------------------------------------------


def test_unwritable_cache_folder_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A path below a regular file cannot be created, even by root (chmod would not stop root).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("LIVEFIT_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(ReferenceUnavailableError) as caught:
        ensure_reference_env()
    venv = blocker / "cache" / "mediapipe-ref-venv"
    assert str(caught.value) == (
        f"{venv}: cannot create the mediapipe reference environment (Not a directory); "
        "make the folder writable or point LIVEFIT_CACHE_DIR elsewhere"
    )


def test_build_steps_report_exit_code_and_last_output() -> None:
    script = "import sys; print('Collecting thing'); print('ERROR: no such version'); sys.exit(3)"
    code, tail = mediapipe_ref._run_logged(
        [sys.executable, "-c", script], timeout_s=60, env=dict(os.environ)
    )
    assert code == 3
    assert tail.splitlines() == ["Collecting thing", "ERROR: no such version"]


def test_hung_build_step_is_killed() -> None:
    code, tail = mediapipe_ref._run_logged(
        [sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.2, env=dict(os.environ)
    )
    assert code != 0
    assert tail.splitlines()[-1] == "killed after 0.2 s"


def test_unsupported_python_is_reported() -> None:
    with pytest.raises(ReferenceUnavailableError) as caught:
        check_interpreter((3, 13), frozen=False)
    assert str(caught.value) == (
        "mediapipe==0.10.21 has no wheels for Python 3.13; run LiveFit with Python 3.9 to 3.12 "
        "for the reference"
    )
    check_interpreter((3, 11), frozen=False)  # supported: no error


def test_packaged_app_cannot_build_the_reference() -> None:
    with pytest.raises(ReferenceUnavailableError, match="not from the packaged application"):
        check_interpreter((3, 11), frozen=True)


def test_broken_environment_is_detected(tmp_path: Path) -> None:
    # A venv whose python exists but cannot import mediapipe must not be reused as is.
    assert not mediapipe_ref._mediapipe_works(Path(sys.executable))
    assert not mediapipe_ref._mediapipe_works(tmp_path / "missing-python")


# --- the real thing (opt-in) -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("LIVEFIT_REFERENCE_TESTS") != "1",
    reason="builds a mediapipe environment (~250 MB download); set LIVEFIT_REFERENCE_TESTS=1",
)
def test_mediapipe_finds_the_demo_person() -> None:
    from app.sources import DemoSource

    with DemoSource(size=(1280, 720), max_frames=10) as source:
        frames = [frame.image for frame in source]
    run = run_mediapipe_pose(frames, warmup=5)

    assert run.mediapipe_version == "0.10.21"
    assert len(run.per_frame_ms) == 5 and run.median_ms > 0
    found = [points for points in run.landmarks if points is not None]
    assert len(found) == 10
    # The demo person's nose is in the middle of the frame, shoulders below it.
    nose, left_shoulder, right_shoulder = found[-1][0], found[-1][11], found[-1][12]
    assert 400 < nose[0] < 880 and 100 < nose[1] < 400 and nose[2] > 0.5
    assert left_shoulder[1] > nose[1] and right_shoulder[1] > nose[1]
    assert left_shoulder[0] > right_shoulder[0]  # the wearer's left is on the image right
