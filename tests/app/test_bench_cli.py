"""`livefit bench` prints per-stage figures (what it measures is checked, not how fast it is)."""

from __future__ import annotations

from app.cli import main


def _timing_rows(out: str) -> dict[str, list[float]]:
    """The total, latency and interval rows of bench's table: name → [median, p95] in ms."""
    return {line.split()[0]: [float(v) for v in line.split()[1:3]] for line in out.splitlines()
            if line.split() and line.split()[0] in ("total", "latency", "interval")}


def test_bench_reports_each_stage_and_throughput(capsys) -> None:
    assert main(["bench", "--frames", "3", "--warmup", "1", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "source demo: 1280x720, 3 timed frames after 1 warm-up, device cpu" in out
    assert "providers: pose_detector=CPUExecutionProvider, pose_landmarks=CPUExecutionProvider" in out
    for stage in ("pose", "parse", "total"):
        line = next(line for line in out.splitlines() if line.startswith(stage))
        median, p95 = (float(v) for v in line.split()[1:3])
        assert 0 < median <= p95
    assert "frames/s" in out


def test_bench_refuses_zero_frames(capsys) -> None:
    assert main(["bench", "--frames", "0"]) == 2
    assert "--frames must be at least 1" in capsys.readouterr().err
    assert main(["bench", "--rounds", "0"]) == 2
    assert "--rounds must be at least 1" in capsys.readouterr().err


def test_bench_runs_and_reports_several_rounds(capsys) -> None:
    assert main(["bench", "--frames", "2", "--warmup", "1", "--rounds", "2", "--device", "cpu", "--garment", "none"]) == 0
    out = capsys.readouterr().out
    assert "2 timed frames after 1 warm-up × 2 rounds" in out
    assert "pose" in out and "total" in out


def test_bench_overlap_reports_the_interval_between_delivered_frames_and_their_latency(capsys) -> None:
    assert main(["bench", "--frames", "4", "--warmup", "1", "--device", "cpu", "--overlap"]) == 0
    out = capsys.readouterr().out
    figures = _timing_rows(out)
    assert set(figures) == {"total", "latency", "interval"}
    assert all(0 < median <= p95 for median, p95 in figures.values())
    # A frame is delivered after its own work, never before it.
    assert figures["latency"][0] >= figures["total"][0]
    assert "frames/s (from the median interval between delivered frames" in out


def _paced(out: str) -> tuple[dict[str, list[float]], str]:
    return _timing_rows(out), next(line for line in out.splitlines() if line.startswith("paced at"))


def test_bench_paced_slower_than_the_pipeline_takes_every_frame_at_the_camera_rate(capsys) -> None:
    # Two frames of warm-up: the first frame's start-up may make the next one wait. One frame a
    # second, ten times what a frame takes here: at two, a frame slowed past 500 ms by a busy
    # host (once, in a full run beside other work) was dropped.
    assert main(["bench", "--frames", "3", "--warmup", "2", "--device", "cpu", "--pace", "1", "--overlap"]) == 0
    figures, summary = _paced(capsys.readouterr().out)
    assert 900 < figures["interval"][0] < 1100  # a frame a second, as the camera gives them
    assert figures["latency"][0] >= figures["total"][0]
    assert summary.startswith("paced at 1 frames/s: 1.0 frames/s delivered") and "0 of 5 captured frames dropped" in summary


def test_bench_paced_faster_than_the_pipeline_drops_the_frames_it_cannot_take(capsys) -> None:
    assert main(["bench", "--frames", "6", "--warmup", "0", "--device", "cpu", "--pace", "1000"]) == 0
    figures, summary = _paced(capsys.readouterr().out)
    dropped = int(summary.split(" of ")[0].split()[-1])
    assert 0 < dropped < 6 and summary.endswith("of 6 captured frames dropped; latency counts from capture")
    assert figures["latency"][0] >= figures["total"][0]


def test_bench_refuses_a_pace_it_cannot_use(capsys) -> None:
    assert main(["bench", "--pace", "0"]) == 2
    assert "--pace must be a frame rate above 0" in capsys.readouterr().err
    assert main(["bench", "--pace", "30", "--reference", "mediapipe"]) == 2
    assert "leave out one of --pace and --reference" in capsys.readouterr().err
    assert main(["bench", "--pace", "30", "--frames", "1", "--warmup", "0"]) == 2
    assert "give at least 2 frames" in capsys.readouterr().err
