"""`livefit bench` prints per-stage figures (what it measures is checked, not how fast it is)."""

from __future__ import annotations

from app.cli import main


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
    figures = {line.split()[0]: [float(v) for v in line.split()[1:3]] for line in out.splitlines()
               if line.split() and line.split()[0] in ("total", "latency", "interval")}
    assert set(figures) == {"total", "latency", "interval"}
    assert all(0 < median <= p95 for median, p95 in figures.values())
    # A frame is delivered after its own work, never before it.
    assert figures["latency"][0] >= figures["total"][0]
    assert "frames/s (from the median interval between delivered frames" in out
