"""`livefit bench`: per-stage latency of the per-frame pipeline, optionally beside mediapipe's own.

Frames are decoded into memory first (the decode time per frame is reported as its own stage),
so the pipeline stages are timed without disk or camera waits. The first `--warmup`
frames (session start-up, first detector run) are left out of the figures. With
`--reference mediapipe`, mediapipe's Pose (full model, segmentation on) processes the same
frames in a separate environment in the same run, and the ratio of medians is printed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import numpy as np

from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.garments.resolve import resolve_garment
from app.pipeline.frame import FramePipeline
from app.sources import open_source
from models.session import DEVICES

log = logging.getLogger(__name__)

DEFAULT_FRAMES = 200
DEFAULT_WARMUP = 10


def add_subparser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="per-stage timings (median, p95) and frames per second")
    parser.add_argument("--source", default="demo", help="video, folder, image, camera or 'demo' (default, 1280×720)")
    parser.add_argument("--frames", type=int, default=DEFAULT_FRAMES, help=f"frames to time (default {DEFAULT_FRAMES})")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help=f"untimed frames first (default {DEFAULT_WARMUP})")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--garment", metavar="ID|PATH",
                        help="garment to render (default: the first in the catalog); 'none' times perception only")
    parser.add_argument("--reference", choices=("mediapipe",), help="also time mediapipe's own Pose on the same frames")
    parser.set_defaults(func=bench_command)


def load_frames(spec: str, count: int) -> tuple[list[np.ndarray], list[float]]:
    """`count` BGR frames (looping a short video or folder) and each one's decode milliseconds."""
    frames: list[np.ndarray] = []
    decode_ms: list[float] = []
    while len(frames) < count:
        with open_source(spec, max_frames=count - len(frames)) as source:
            before = len(frames)
            while True:
                start = time.perf_counter()
                frame = next(source, None)
                if frame is None:
                    break
                decode_ms.append((time.perf_counter() - start) * 1e3)
                frames.append(frame.image)
        if len(frames) == before:
            raise LiveFitError(f"{spec}: no frames to benchmark")
    return frames, decode_ms


def bench_garment(spec: str | None):
    if spec == "none":
        return None
    if spec:
        return resolve_garment(spec)
    entries = Catalog.default().list()
    return Catalog.default().load(entries[0].id) if entries else None


def summarize(samples: list[float]) -> tuple[float, float]:
    return float(np.median(samples)), float(np.percentile(samples, 95))


def bench_command(args: argparse.Namespace) -> int:
    if args.frames < 1 or args.warmup < 0:
        raise LiveFitError("--frames must be at least 1 and --warmup at least 0")
    frames, decode_ms = load_frames(args.source, args.frames + args.warmup)
    garment = bench_garment(args.garment)
    height, width = frames[0].shape[:2]
    stages: dict[str, list[float]] = {"decode": decode_ms[args.warmup:]}
    with FramePipeline(device=args.device, garment=garment, live=True) as pipeline:  # as the mirror runs it
        for index, frame in enumerate(frames):
            result = pipeline.process(frame, index / 30.0)
            if index >= args.warmup:
                for stage, ms in result.timings_ms.items():
                    stages.setdefault(stage, []).append(ms)
        device = pipeline.device_summary
        providers = ", ".join(f"{i.model}={i.provider}" for i in pipeline.perception.session_infos)
    out = sys.stdout
    out.write(f"source {args.source}: {width}x{height}, {args.frames} timed frames after {args.warmup} warm-up, "
              f"device {device}, garment {garment.id if garment else 'none'}\n")
    out.write(f"providers: {providers}\n")
    out.write(f"{'stage':<10} {'median ms':>10} {'p95 ms':>10}\n")
    for stage, samples in stages.items():
        median, p95 = summarize(samples)
        out.write(f"{stage:<10} {median:>10.2f} {p95:>10.2f}\n")
    total_median, _ = summarize(stages["total"])
    out.write(f"throughput {1000.0 / total_median:.1f} frames/s (from the median total, decode excluded)\n")
    if args.reference == "mediapipe":
        from app.reference.mediapipe_ref import run_mediapipe_pose

        # As shipped, mediapipe's desktop build runs its models on one XNNPACK thread; with as
        # many threads as LiveFit uses it is faster. Both are printed, the ratio for each.
        for label, stock in (("as shipped", True), ("same threads as LiveFit", False)):
            reference = run_mediapipe_pose(frames, warmup=args.warmup, stock_xnnpack=stock)
            out.write(f"mediapipe Pose(full, segmentation), {label}: median {reference.median_ms:.2f} ms, "
                      f"p95 {reference.p95_ms:.2f} ms; ratio LiveFit/mediapipe {total_median / reference.median_ms:.2f}\n")
    return 0
