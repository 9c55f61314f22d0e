"""`livefit run`: perception and try-on rendering over images, folders, videos, cameras.

Output names follow OpenPose's `--write_json`: `DIR/STEM_keypoints.json` for an image `STEM.jpg`,
`DIR/STEM_000000000000_keypoints.json` per frame of a video or camera. Every file is written
atomically, so a failure never leaves a half-written result; a bad file in a folder is reported
on one line and the rest are still processed (exit code 1 at the end).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from app.errors import OutputError, SourceError
from app.garments.catalog import Catalog
from app.garments.model import Garment
from app.garments.resolve import resolve_garment
from app.outputs.atomic import write_bytes_atomic
from app.outputs.dataset import DatasetWriter
from app.outputs.label_png import write_label_png
from app.outputs.openpose_json import write_openpose_json
from app.outputs.overlay import draw_overlay, encode_image, encode_jpeg
from app.outputs.video import VIDEO_EXTENSIONS, VideoOutput
from app.pipeline.frame import FrameResult, FramePipeline
from app.pipeline.overlap import each_frame
from app.progress import Progress
from app.sources import NOMINAL_FPS, Frame, FrameSource, open_source
from models.session import DEVICES

log = logging.getLogger(__name__)

IMAGE_MODE_MAX_PEOPLE = 5
EXIT_SOME_FILES_FAILED = 1
NOT_WORN_BECAUSE = " (it is drawn on someone upright and facing the camera, both shoulders in the picture)"


def add_subparser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run the pipeline on images, a folder, a video, a camera or the demo")
    parser.add_argument("--source", default="demo",
                        help="image, folder of images, video file, camera index (e.g. 0) or 'demo' (default)")
    parser.add_argument("--garment", metavar="ID|PATH", help="garment to try on: a catalog id or a product photo")
    parser.add_argument("--output", type=Path, metavar="FILE|DIR",
                        help="rendered result: a video file (.mp4/.avi) for a video, camera or demo, "
                             "else a folder (or one image file for one image)")
    parser.add_argument("--write-dataset", type=Path, metavar="DIR",
                        help="CP-VTON/VITON layout: image/, image-parse/, pose/, cloth/, cloth-mask/, test_pairs.txt")
    parser.add_argument("--catalog", type=Path, metavar="DIR", help="user garment catalog folder")
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


class Outputs:
    """Every file a run writes, per frame; each file atomic, a video renamed into place at the end."""

    def __init__(self, args: argparse.Namespace, source: FrameSource, garment: Garment | None):
        self.args = args
        self.video: VideoOutput | None = None
        self.single_image = (args.output is not None and not source.is_stream
                             and args.output.suffix.lower() in (".png", ".jpg", ".jpeg"))
        if self.single_image and source.kind != "image":
            raise OutputError(f"{args.output}: a folder of images needs an output folder, not one file")
        self.video_path = args.output if (args.output is not None and source.is_stream
                                          and args.output.suffix.lower() in VIDEO_EXTENSIONS) else None
        if args.output is not None and source.is_stream and args.output.suffix and self.video_path is None:
            raise OutputError(f"{args.output}: unsupported video type; use one of {', '.join(VIDEO_EXTENSIONS)}")
        self.fps = source.fps or NOMINAL_FPS
        self.dataset = DatasetWriter(args.write_dataset, garment) if args.write_dataset else None

    def write(self, stem: str, frame: Frame, result: FrameResult) -> None:
        args, perception = self.args, result.perception
        labels = perception.parse.labels if perception.parse is not None else None
        if args.write_json:
            write_openpose_json(args.write_json / f"{stem}_keypoints.json", perception.pose, args.pose_format)
        if args.write_parse and labels is not None:
            write_label_png(args.write_parse / f"{stem}.png", labels)
        if args.write_images:
            overlay = draw_overlay(frame.image, perception.pose, labels)
            write_bytes_atomic(args.write_images / f"{stem}.jpg", encode_jpeg(overlay))
        if self.dataset is not None:
            self.dataset.add(stem, frame.image, perception)
        if args.output is None:
            return
        if self.video_path is not None:
            if self.video is None:
                height, width = result.output.shape[:2]
                self.video = VideoOutput(self.video_path, self.fps, (width, height))
            self.video.write(result.output)
        elif self.single_image:
            write_bytes_atomic(args.output, encode_image(args.output.suffix, result.output))
        else:
            write_bytes_atomic(args.output / f"{stem}.png", encode_image(".png", result.output))

    def finish(self) -> None:
        if self.video is not None:
            self.video.finish()
        if self.dataset is not None:
            self.dataset.finish()

    def abandon(self) -> None:
        if self.video is not None:
            self.video.abandon()


def run_command(args: argparse.Namespace) -> int:
    catalog = Catalog.default(args.catalog) if args.catalog else None
    garment = resolve_garment(args.garment, catalog) if args.garment else None
    with open_source(args.source, max_frames=args.max_frames) as source:
        static = not source.is_stream
        outputs = Outputs(args, source, garment)
        # Streams overlap neighbouring frames (as the mirror does): the same pictures, sooner.
        with FramePipeline(device=args.device, garment=garment, static_image_mode=static,
                           max_people=args.max_people if static else 1, live=source.kind == "camera",
                           overlapped=not static) as pipeline:
            log.info("%s: %s source, models on %s", source.label, source.kind, pipeline.device_summary)
            try:
                code = _process_all(source, pipeline, outputs)
            except BaseException:
                outputs.abandon()
                raise
            outputs.finish()
            return code


def _process_all(source: FrameSource, pipeline: FramePipeline, outputs: Outputs) -> int:
    progress = Progress(source.frame_count, str(source.label))
    failures = frames = with_person = dressed = 0
    totals: list[float] = []

    def deliver(result: FrameResult, frame: Frame) -> None:  # on the overlap's worker, if there is one
        nonlocal frames, with_person, dressed
        outputs.write(output_stem(frame, source), frame, result)
        frames += 1
        with_person += bool(result.perception.pose.people)
        dressed += result.drawn
        totals.append(result.timings_ms["total"])
        progress.advance()

    def read() -> Iterator[tuple[np.ndarray, float | None, Frame]]:
        nonlocal failures
        while True:
            try:
                frame = next(source)
            except StopIteration:
                return
            except SourceError as error:
                if source.is_stream:
                    raise
                failures += 1
                sys.stderr.write(f"livefit: error: {error}\n")
                continue
            yield frame.image, frame.timestamp_s, frame

    try:
        each_frame(pipeline, read(), deliver)  # a frame that cannot be rendered ends the run
    finally:
        progress.close()
    median = float(np.median(totals)) if totals else 0.0
    worn = ""
    if pipeline.garment is not None:
        # Say why a person went without: the frame is written unchanged, which looks like a fault.
        worn = f"the garment on {dressed}" + (NOT_WORN_BECAUSE if dressed < with_person else "") + ", "
    sys.stdout.write(f"{source.label}: {frames} frame(s), a person in {with_person}, {worn}"
                     f"{median:.1f} ms per frame (median) on {pipeline.device_summary}"
                     + (f", {failures} file(s) failed" if failures else "") + "\n")
    return EXIT_SOME_FILES_FAILED if failures else 0
