"""`livefit bench`: per-stage latency of the per-frame pipeline, optionally beside mediapipe's own.

Frames are decoded into memory first (the decode time per frame is reported as its own stage),
so the pipeline stages are timed without disk or camera waits. The first `--warmup`
frames (session start-up, first detector run) are left out of the figures. With
`--reference mediapipe`, mediapipe's Pose (full model, segmentation on) processes the same
frames in a separate environment in the same run, and the ratio of medians is printed.
`--rounds N` alternates the two N times (LiveFit, mediapipe, LiveFit, …): on a shared machine
whose speed drifts over tens of seconds, each ratio then compares neighbouring moments, and the
median of the rounds' ratios is the figure to quote. `--overlap` runs the frames as the mirror
does (`OverlappedFrames`: one frame's pose beside the previous frame's parse and render) and adds
the interval between delivered frames and each frame's latency (pushed in → result out); its
ratio to mediapipe compares the interval, the time per frame each delivers. `--pace FPS` feeds the
frames as a camera at that rate would, through the mirror's newest-frame slot: a frame waits
while the pipeline is busy, a newer one replaces it (the older is dropped and counted), and the
latency counts from the frame's capture, so it is what a shopper in front of the mirror sees
(painting aside).
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
from app.pipeline.overlap import each_frame
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
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate LiveFit and the reference this many times (default 1)")
    parser.add_argument("--overlap", action="store_true",
                        help="as the mirror runs frames: one frame's pose beside the previous one's parse and render; "
                             "adds the interval between delivered frames and each frame's latency")
    parser.add_argument("--pace", type=float, metavar="FPS",
                        help="feed frames as a camera at this rate would (the newest waiting frame is taken, older "
                             "ones dropped); adds the interval and each frame's latency from its capture")
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


def _time_pipeline(args: argparse.Namespace, frames: list[np.ndarray], garment) -> tuple[dict[str, list[float]], str, str]:
    """Per-stage milliseconds of the timed frames (after the warm-up), the device summary and the
    providers, from a fresh pipeline (so every round starts from the same state). Overlapped or
    paced, also "interval" (between delivered results) and "latency" (pushed, or captured when
    paced, → delivered) per frame; paced, the frames dropped as "dropped" (one count)."""
    stages: dict[str, list[float]] = {}
    pushed_at: dict[int, float] = {}
    delivered_at: list[float] = []
    dropped = 0

    def feed():
        for index, frame in enumerate(frames):
            pushed_at[index] = time.perf_counter()
            yield frame, index / 30.0, index

    def paced_feed():
        """Frame i is captured at start + i / pace; the newest captured one is handed on, as the
        mirror's capture slot does, and waited for when none is new."""
        nonlocal dropped
        start = time.perf_counter()
        index = 0
        while index < len(frames):
            newest = min(int((time.perf_counter() - start) * args.pace), len(frames) - 1)
            if newest < index:
                time.sleep(max(0.0, start + index / args.pace - time.perf_counter()))
                newest = index
            dropped += newest - index
            pushed_at[newest] = start + newest / args.pace
            yield frames[newest], newest / args.pace, newest
            index = newest + 1

    def deliver(result, index: int) -> None:
        timings = dict(result.timings_ms)
        if args.overlap or args.pace:
            now = time.perf_counter()
            timings["latency"] = (now - pushed_at[index]) * 1e3
            if delivered_at:
                timings["interval"] = (now - delivered_at[-1]) * 1e3
            delivered_at.append(now)
        if index >= args.warmup:
            for stage, ms in timings.items():
                stages.setdefault(stage, []).append(ms)

    with FramePipeline(device=args.device, garment=garment, live=True, overlapped=args.overlap) as pipeline:
        # As the mirror runs frames (overlapped), or as the command line does.
        each_frame(pipeline, paced_feed() if args.pace else feed(), deliver)
        providers = ", ".join(str(info) for info in pipeline.perception.session_infos)
        device = pipeline.device_summary
    if args.pace:
        stages["dropped"] = [float(dropped)]
    return stages, device, providers


def bench_command(args: argparse.Namespace) -> int:
    if args.frames < 1 or args.warmup < 0:
        raise LiveFitError("--frames must be at least 1 and --warmup at least 0")
    if args.rounds < 1:
        raise LiveFitError("--rounds must be at least 1")
    if args.pace is not None and not args.pace > 0:
        raise LiveFitError("--pace must be a frame rate above 0")
    if (args.overlap or args.pace) and args.frames + args.warmup < 2:
        raise LiveFitError("--overlap and --pace time the interval between delivered frames: give at least 2 "
                           "frames (--frames plus --warmup)")
    if args.pace and args.reference:
        raise LiveFitError("--pace measures what a camera at that rate gets; mediapipe's reference is timed flat "
                           "out, so leave out one of --pace and --reference")
    frames, decode_ms = load_frames(args.source, args.frames + args.warmup)
    garment = bench_garment(args.garment)
    height, width = frames[0].shape[:2]
    stages: dict[str, list[float]] = {"decode": decode_ms[args.warmup:]}
    out = sys.stdout
    # As shipped, mediapipe's desktop build runs its models on one XNNPACK thread; with as many
    # threads as LiveFit uses it is faster. Both are timed, the ratio to each printed.
    references = (("as shipped", True), ("same threads as LiveFit", False)) if args.reference == "mediapipe" else ()
    if references:
        from app.reference.mediapipe_ref import run_mediapipe_pose  # its environment only when asked for
    rounds: list[tuple[float, list]] = []  # LiveFit's median total, each reference's ReferenceRun
    for round_index in range(args.rounds):
        timed, device, providers = _time_pipeline(args, frames, garment)
        for stage, samples in timed.items():
            stages.setdefault(stage, []).extend(samples)
        reference_runs = [run_mediapipe_pose(frames, warmup=args.warmup, stock_xnnpack=stock) for _, stock in references]
        headline = "interval" if args.overlap else "total"  # the time per frame each delivers
        rounds.append((summarize(timed[headline])[0], reference_runs))
        if args.rounds > 1:
            log.info("round %d of %d: LiveFit %.2f ms%s", round_index + 1, args.rounds, rounds[-1][0],
                     "".join(f", mediapipe {run.median_ms:.2f} ms" for run in reference_runs))
    out.write(f"source {args.source}: {width}x{height}, {args.frames} timed frames after {args.warmup} warm-up"
              f"{f' × {args.rounds} rounds' if args.rounds > 1 else ''}, device {device}, "
              f"garment {garment.id if garment else 'none'}\n")
    out.write(f"providers: {providers}\n")
    out.write(f"{'stage':<10} {'median ms':>10} {'p95 ms':>10}\n")
    dropped = stages.pop("dropped", [])
    for stage, samples in stages.items():
        median, p95 = summarize(samples)
        out.write(f"{stage:<10} {median:>10.2f} {p95:>10.2f}\n")
    if args.pace:
        interval, _ = summarize(stages["interval"])
        captured = args.rounds * (args.frames + args.warmup)
        out.write(f"paced at {args.pace:g} frames/s: {1000.0 / interval:.1f} frames/s delivered (from the median "
                  f"interval), {int(sum(dropped))} of {captured} captured frames dropped; latency counts from "
                  f"capture\n")
    elif args.overlap:
        interval, _ = summarize(stages["interval"])
        out.write(f"throughput {1000.0 / interval:.1f} frames/s (from the median interval between delivered frames, "
                  f"pose beside the previous frame's parse and render)\n")
    else:
        total_median, _ = summarize(stages["total"])
        out.write(f"throughput {1000.0 / total_median:.1f} frames/s (from the median total, decode excluded)\n")
    ours_is = "LiveFit's interval" if args.overlap else "LiveFit"
    for index, (label, _) in enumerate(references):
        runs = [theirs[index] for _, theirs in rounds]
        ratios = [ours / run.median_ms for (ours, _), run in zip(rounds, runs)]
        medians = [run.median_ms for run in runs]
        if args.rounds == 1:
            out.write(f"mediapipe Pose(full, segmentation), {label}: median {medians[0]:.2f} ms, "
                      f"p95 {runs[0].p95_ms:.2f} ms; ratio {ours_is}/mediapipe {ratios[0]:.2f}\n")
        else:
            out.write(f"mediapipe Pose(full, segmentation), {label}: round medians "
                      f"{' '.join(f'{m:.2f}' for m in medians)} ms; {ours_is} {' '.join(f'{o:.2f}' for o, _ in rounds)} ms; "
                      f"ratios {' '.join(f'{r:.2f}' for r in ratios)}, median ratio {float(np.median(ratios)):.2f}\n")
    return 0
