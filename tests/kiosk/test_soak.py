"""The soak tool on a few frames: it loops the clip, switches and resets garments, counts errors
and memory. (The real run is `python -m app.kiosk.soak --frames 20000`; see the README.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.garments.catalog import Catalog
from app.kiosk import soak
from app.pipeline.frame import Begun, FramePipeline, Labelled

SCHEDULES = pytest.mark.parametrize("overlapped", [False, True], ids=["one at a time", "overlapped"])


@SCHEDULES
def test_the_soak_loops_the_clip_and_reports_memory_and_no_errors(tmp_path: Path, overlapped: bool) -> None:
    video = soak.make_loop_video(tmp_path / "loop.avi", (192, 128), frames=8)
    catalog = Catalog.default()
    out = io.StringIO()
    with FramePipeline("cpu", live=True, overlapped=overlapped) as pipeline:
        report = soak.soak(pipeline, catalog, ["tee-navy", "hoodie-marl"], video, 20, report_every=10,
                           switch_every=3, reset_every=9, out=out)
    assert report.frames == 20 and report.loops == 2
    assert report.errors == 0
    assert report.garment_switches == 4 and report.session_resets == 2
    assert [frame for frame, _ in report.samples] == [10, 20]
    assert 50 < report.rss_start_mb <= report.rss_max_mb
    assert out.getvalue().count("RSS") == 2


class FlakyPipeline(FramePipeline):
    """Fails every 4th frame's parse: on the soak's own thread one at a time, on a worker overlapped."""

    def label(self, begun: Begun) -> Labelled:
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls % 4 == 0:
            raise RuntimeError("flaky")
        return super().label(begun)


@SCHEDULES
def test_failed_frames_and_logged_warnings_count_as_errors(tmp_path: Path, overlapped: bool) -> None:
    video = soak.make_loop_video(tmp_path / "loop.avi", (192, 128), frames=5)
    with FlakyPipeline("cpu", live=True, overlapped=overlapped) as pipeline:
        report = soak.soak(pipeline, Catalog.default(), [], video, 8, report_every=4, out=io.StringIO())
    assert report.frame_errors == 2
    assert report.logged_errors == 2  # each failure is also logged with its traceback
    assert report.error_lines[:2] == ["ERROR app.kiosk.soak: frame 4 failed", "frame 4: RuntimeError: flaky"]


def test_the_command_line_writes_a_json_report_and_exits_0(tmp_path: Path, capsys) -> None:
    out = tmp_path / "soak.json"
    code = soak.main(["--frames", "6", "--size", "160x96", "--device", "cpu", "--garments", "tee-navy",
                      "--report-every", "3", "--json", str(out)])
    assert code == 0
    document = json.loads(out.read_text())
    assert document["frames"] == 6 and document["errors"] == 0 and len(document["samples"]) == 2
    assert "soak: 6 frames of loop.avi on cpu (overlapped)" in capsys.readouterr().out
