"""Soak test: the try-on pipeline fed a looping video for hours' worth of frames.

    python -m app.kiosk.soak --frames 20000 [--size 640x360] [--device cpu] [--one-at-a-time] [--json OUT.json]

A kiosk runs all day, so what matters is what a short test cannot show: memory that creeps up,
an error that comes once in ten thousand frames. This tool renders a short clip of the demo
person to a temporary video file, then plays it in a loop through `FramePipeline`, as the kiosk
does with a camera (neighbouring frames overlapped, as `camera.overlap` does by default;
`--one-at-a-time` as with it off): each loop is a new "epoch" (the pipeline is reset, as the
capture thread's reopen makes the worker do), garments change every `--switch-every` frames (loading each from
the catalog, as a shopper tapping the carousel does) and every `--reset-every` frames the session
goes back to the first garment (the kiosk's inactivity reset).

Every `--report-every` frames it prints the resident memory (from /proc/self/statm, so the
figure is the current RSS, not the peak) and the errors so far. An error is a frame the pipeline
raised on, or a WARNING-or-worse log record. Exit code 0 when there were no errors and the RSS
grew by less than `--max-growth-mb` after the warm-up; 1 otherwise. No Qt is involved.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2

from app.errors import LiveFitError, SourceError
from app.garments.catalog import Catalog
from app.logging_setup import configure_cli_logging
from app.pipeline.frame import FramePipeline
from app.pipeline.overlap import OverlappedFrames
from app.sources.demo import DemoSource
from app.sources.video import VideoSource

log = logging.getLogger(__name__)

DEFAULT_FRAMES = 20_000
DEFAULT_SIZE = (640, 360)
CLIP_FRAMES = 300
"""Frames in the looping clip (10 s at 30 fps): long enough for tracking to settle each loop."""
CLIP_FPS = 30.0
REPORT_EVERY = 1000
SWITCH_EVERY = 250
RESET_EVERY = 2000
MAX_GROWTH_MB = 50.0
MB = 1024 * 1024


@dataclass
class SoakReport:
    frames: int = 0
    seconds: float = 0.0
    rss_start_mb: float = 0.0
    """After the models are loaded and the first frame was processed."""
    rss_warm_mb: float = 0.0
    """After the first report interval (allocator pools and caches filled)."""
    rss_end_mb: float = 0.0
    rss_max_mb: float = 0.0
    frame_errors: int = 0
    logged_errors: int = 0
    loops: int = 0
    garment_switches: int = 0
    session_resets: int = 0
    samples: list[tuple[int, float]] = field(default_factory=list)
    """(frame, RSS MB) at every report."""
    error_lines: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.frame_errors + self.logged_errors

    @property
    def growth_mb(self) -> float:
        """RSS growth after the warm-up: what a long run would keep adding."""
        return self.rss_end_mb - self.rss_warm_mb

    @property
    def growth_from_start_mb(self) -> float:
        return self.rss_end_mb - self.rss_start_mb

    def summary(self) -> str:
        ms = 1e3 * self.seconds / self.frames if self.frames else 0.0
        return (f"soak: {self.frames} frames in {self.seconds:.0f} s ({ms:.1f} ms/frame), {self.loops} loops, "
                f"{self.garment_switches} garment changes, {self.session_resets} session resets; "
                f"RSS start {self.rss_start_mb:.1f} MB, after warm-up {self.rss_warm_mb:.1f} MB, "
                f"end {self.rss_end_mb:.1f} MB, max {self.rss_max_mb:.1f} MB; growth after warm-up "
                f"{self.growth_mb:+.1f} MB ({self.growth_from_start_mb:+.1f} MB from the first frame); "
                f"errors {self.errors} ({self.frame_errors} frames failed, {self.logged_errors} logged)")


class _ErrorCounter(logging.Handler):
    """Counts WARNING-or-worse records while the soak runs (anything the app found wrong)."""

    def __init__(self, report: SoakReport) -> None:
        super().__init__(logging.WARNING)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        self.report.logged_errors += 1
        if len(self.report.error_lines) < 20:
            self.report.error_lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def rss_mb() -> float:
    """Resident memory of this process now (Linux), else the peak (other platforms)."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        pages = int(statm.read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / MB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def make_loop_video(path: Path, size: tuple[int, int], frames: int = CLIP_FRAMES, fps: float = CLIP_FPS) -> Path:
    """Write `frames` frames of the demo person to `path` (MJPG in AVI: every OpenCV build has it)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    if not writer.isOpened():
        raise SourceError(f"{path}: OpenCV cannot write an MJPG video here")
    demo = DemoSource(size=size, fps=fps)
    try:
        for index in range(frames):
            writer.write(demo.render(index))
    finally:
        writer.release()
        demo.close()
    return path


def looping_frames(video: Path, report: SoakReport, reset: Callable[[], None]) -> Iterator[tuple[object, float]]:
    """(image, timestamp) from `video` forever; each loop reopens the file and calls `reset`."""
    while True:
        source = VideoSource(video)
        try:
            for frame in source:
                yield frame.image, frame.timestamp_s
        finally:
            source.close()
        report.loops += 1
        reset()  # time starts over, as when the kiosk's capture thread reopens a source


def soak(pipeline: FramePipeline, catalog: Catalog, garment_ids: Sequence[str], video: Path, frames: int, *,
         report_every: int = REPORT_EVERY, switch_every: int = SWITCH_EVERY, reset_every: int = RESET_EVERY,
         out: object = sys.stdout) -> SoakReport:
    """Run `frames` frames through `pipeline` (overlapped where it was built for it, as the kiosk
    runs it), printing a line every `report_every` frames."""
    report = SoakReport()
    counter = _ErrorCounter(report)
    logging.getLogger().addHandler(counter)
    started = time.perf_counter()
    interval_started = started
    position = 0

    def failed(error: Exception, number: int) -> None:
        report.frame_errors += 1
        log.error("frame %d failed", number, exc_info=error)
        if len(report.error_lines) < 20:
            report.error_lines.append(f"frame {number}: {type(error).__name__}: {error}")

    overlapped = OverlappedFrames(pipeline, lambda result, number: None, failed) if pipeline.overlapped else None

    def between_frames(change: Callable[[], None]) -> None:
        """A change to the pipeline, once the frames in flight are delivered (as the kiosk's worker)."""
        if overlapped is not None:
            overlapped.drain()
        change()

    def load(garment_id: str) -> None:
        between_frames(lambda: pipeline.set_garment(catalog.load(garment_id)))

    try:
        if garment_ids:
            load(garment_ids[0])
        stream = looping_frames(video, report, lambda: between_frames(pipeline.reset))
        for number in range(1, frames + 1):
            image, timestamp = next(stream)
            try:
                if overlapped is not None:
                    overlapped.push(image, timestamp, number)  # type: ignore[arg-type]
                else:
                    pipeline.process(image, timestamp)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 (counted and reported: the soak's whole point)
                failed(error, number)
            if number == 1:
                report.rss_start_mb = report.rss_max_mb = rss_mb()
            if garment_ids and number % reset_every == 0:
                position = 0
                load(garment_ids[0])
                between_frames(pipeline.reset)
                report.session_resets += 1
            elif garment_ids and len(garment_ids) > 1 and number % switch_every == 0:
                position = (position + 1) % len(garment_ids)
                load(garment_ids[position])
                report.garment_switches += 1
            if number % report_every == 0 or number == frames:
                if overlapped is not None and number == frames:
                    overlapped.drain()  # the last frames' errors counted before the last report
                now = time.perf_counter()
                rss = rss_mb()
                report.rss_max_mb = max(report.rss_max_mb, rss)
                if not report.samples:
                    report.rss_warm_mb = rss
                report.samples.append((number, round(rss, 1)))
                done = number - (report.samples[-2][0] if len(report.samples) > 1 else 0)
                print(f"frame {number:>6}: RSS {rss:7.1f} MB ({rss - report.rss_start_mb:+6.1f} MB), "
                      f"{1e3 * (now - interval_started) / max(done, 1):5.1f} ms/frame, "
                      f"errors {report.errors}", file=out, flush=True)  # type: ignore[call-overload]
                interval_started = now
            report.frames = number
    finally:
        if overlapped is not None:
            overlapped.close()
        logging.getLogger().removeHandler(counter)
        report.seconds = time.perf_counter() - started
        report.rss_end_mb = rss_mb()
    return report


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) >= 64 and int(height) >= 64):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT of at least 64x64, got {text!r}")
    return int(width), int(height)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.kiosk.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=_positive, default=DEFAULT_FRAMES)
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, metavar="WxH", help="frame size (640x360)")
    parser.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    parser.add_argument("--one-at-a-time", action="store_true",
                        help="run frames one at a time, as the kiosk does with camera.overlap = false")
    parser.add_argument("--garments", metavar="ID,ID", help="garments to cycle through (default: the catalog's)")
    parser.add_argument("--catalog", metavar="DIR", type=Path, help="user garment folder")
    parser.add_argument("--video", metavar="FILE", type=Path, help="loop this video instead of the demo clip")
    parser.add_argument("--report-every", type=_positive, default=REPORT_EVERY)
    parser.add_argument("--switch-every", type=_positive, default=SWITCH_EVERY)
    parser.add_argument("--reset-every", type=_positive, default=RESET_EVERY)
    parser.add_argument("--max-growth-mb", type=float, default=MAX_GROWTH_MB)
    parser.add_argument("--json", metavar="OUT", type=Path, help="also write the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging()
    try:
        catalog = Catalog.default(args.catalog)
        ids = args.garments.split(",") if args.garments else [entry.id for entry in catalog.list()]
        for garment_id in ids:
            catalog.find(garment_id)
        with tempfile.TemporaryDirectory(prefix="livefit-soak-") as folder:
            video = args.video or make_loop_video(Path(folder) / "loop.avi", args.size)
            with FramePipeline(args.device, live=True, overlapped=not args.one_at_a_time) as pipeline:
                schedule = "overlapped" if pipeline.overlapped else "one at a time"
                print(f"soak: {args.frames} frames of {video.name} on {pipeline.device_summary} ({schedule}), "
                      f"garments {', '.join(ids) or 'none'}", flush=True)
                report = soak(pipeline, catalog, ids, video, args.frames, report_every=args.report_every,
                              switch_every=args.switch_every, reset_every=args.reset_every)
    except LiveFitError as error:
        sys.stderr.write(f"soak: error: {error}\n")
        return 2
    print(report.summary())
    for line in report.error_lines:
        print(f"  {line}")
    if args.json is not None:
        document = {**asdict(report), "growth_mb": report.growth_mb, "errors": report.errors}
        args.json.write_text(json.dumps(document, indent=1), encoding="utf-8")
    ok = report.errors == 0 and report.growth_mb < args.max_growth_mb
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
