"""`livefit run`: perception (and, later, try-on rendering) over images, folders, videos, cameras.

Output names follow OpenPose's `--write_json`: `DIR/STEM_keypoints.json` for an image `STEM.jpg`,
`DIR/STEM_000000000000_keypoints.json` per frame of a video or camera. Every file is written
atomically, so a failure never leaves a half-written result; a bad file in a folder is reported
on one line and the rest are still processed (exit code 1 at the end).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

from app.errors import SourceError
from app.outputs.atomic import write_bytes_atomic
from app.outputs.label_png import write_label_png
from app.outputs.openpose_json import write_openpose_json
from app.outputs.overlay import draw_overlay, encode_jpeg
from app.pipeline.perception import Perception, PerceptionResult
from app.progress import Progress
from app.sources import Frame, FrameSource, open_source
from models.session import DEVICES

log = logging.getLogger(__name__)

IMAGE_MODE_MAX_PEOPLE = 5
EXIT_SOME_FILES_FAILED = 1


def add_subparser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run the pipeline on images, a folder, a video, a camera or the demo")
    parser.add_argument("--source", default="demo",
                        help="image, folder of images, video file, camera index (e.g. 0) or 'demo' (default)")
    parser.add_argument("--write-json", type=Path, metavar="DIR", help="OpenPose keypoint JSON per image/frame")
    parser.add_argument("--write-parse", type=Path, metavar="DIR", help="label map PNG (pixel = CIHP id) per image/frame")
    parser.add_argument("--write-images", type=Path, metavar="DIR", help="frame with skeleton and parse drawn on it")
    parser.add_argument("--pose-format", choices=("coco18", "body25"), default="coco18",
                        help="keypoint layout of --write-json (default coco18)")
    parser.add_argument("--device", choices=DEVICES, default="auto", help="where the models run (default auto)")
    parser.add_argument("--max-frames", type=_positive_int, metavar="N", help="stop after N frames")
    parser.add_argument("--max-people", type=_positive_int, default=IMAGE_MODE_MAX_PEOPLE, metavar="N",
                        help=f"people per still image (default {IMAGE_MODE_MAX_PEOPLE}; videos follow one)")
    parser.set_defaults(func=run_command)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def output_stem(frame: Frame, source: FrameSource) -> str:
    return f"{frame.name}_{frame.index:012d}" if source.is_stream else frame.name


def write_outputs(args: argparse.Namespace, stem: str, frame: Frame, result: PerceptionResult) -> None:
    """Every requested output for one frame; each file atomic."""
    labels = result.parse.labels if result.parse is not None else None
    if args.write_json:
        write_openpose_json(args.write_json / f"{stem}_keypoints.json", result.pose, args.pose_format)
    if args.write_parse and labels is not None:
        write_label_png(args.write_parse / f"{stem}.png", labels)
    if args.write_images:
        overlay = draw_overlay(frame.image, result.pose, labels)
        write_bytes_atomic(args.write_images / f"{stem}.jpg", encode_jpeg(overlay))


def run_command(args: argparse.Namespace) -> int:
    needs_parse = bool(args.write_parse or args.write_images)
    with open_source(args.source, max_frames=args.max_frames) as source:
        static = not source.is_stream
        with Perception(device=args.device, static_image_mode=static,
                        max_people=args.max_people if static else 1, parse=needs_parse) as perception:
            log.info("%s: %s source, models on %s", source.label, source.kind, perception.device_summary)
            return _process_all(args, source, perception)


def _process_all(args: argparse.Namespace, source: FrameSource, perception: Perception) -> int:
    progress = Progress(source.frame_count, str(source.label))
    failures = frames = with_person = 0
    totals: list[float] = []
    try:
        while True:
            try:
                frame = next(source)
            except StopIteration:
                break
            except SourceError as error:
                if source.is_stream:
                    raise
                failures += 1
                sys.stderr.write(f"livefit: error: {error}\n")
                continue
            result = perception.process(frame.image, frame.timestamp_s)
            write_outputs(args, output_stem(frame, source), frame, result)
            frames += 1
            with_person += bool(result.pose.people)
            totals.append(result.timings_ms["total"])
            progress.advance()
    finally:
        progress.close()
    median = float(np.median(totals)) if totals else 0.0
    sys.stdout.write(f"{source.label}: {frames} frame(s), a person in {with_person}, "
                     f"{median:.1f} ms per frame (median) on {perception.device_summary}"
                     + (f", {failures} file(s) failed" if failures else "") + "\n")
    return EXIT_SOME_FILES_FAILED if failures else 0
