"""Perception for one frame: pose, then parsing, with per-stage timings.

The one object both front ends (command line, GUI worker) call per frame. It converts the BGR
frame to RGB once and hands both models the same array. `locate` (convert and pose) and `label`
(the parse) are its two halves: the pose tracker and the parser keep separate state, so a mirror
may locate frame N on one thread while another labels frame N−1 (see `app.pipeline.overlap`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from app.errors import InputShapeError
from models.parsing import HumanParser, ParseResult
from models.parsing.parser import WORK_SIZE
from models.pose import PoseEstimator, PoseResult
from models.session import Device, SessionInfo


STREAM_FACE_EVERY = 3  # face mesh on every 3rd video frame, moved with the nose in between
STREAM_WORK_SIZE = 352  # parse resolution for video: a live mirror needs speed more than fine edges


@dataclass(frozen=True)
class Located:
    """A frame after its first half of perception: converted and posed, not yet parsed."""

    rgb: np.ndarray  # (H, W, 3) uint8 RGB: the frame as both models see it
    pose: PoseResult
    timings_ms: dict[str, float]  # "convert", "pose"


@dataclass(frozen=True)
class PerceptionResult:
    pose: PoseResult
    parse: ParseResult | None  # None when parsing is switched off
    timings_ms: dict[str, float]  # stage name → milliseconds for this frame


class Perception:
    """Pose estimator + human parser over BGR frames. Use as a context manager."""

    def __init__(self, device: Device = "auto", static_image_mode: bool = False, max_people: int = 1,
                 parse: bool = True, live: bool = False, pose_threads: int | None = None,
                 pose_threads_alone: int | None = None):
        """`live`: frames come from a camera and are shown at once — the face mesh and the pose
        detector's periodic check run beside the frames instead of in them (see HumanParser,
        PoseEstimator); files keep results that repeat. `pose_threads`: the pose models' CPU
        threads (default: every core); `pose_threads_alone`: see PoseEstimator's `threads_alone`."""
        self.pose = PoseEstimator(device=device, static_image_mode=static_image_mode, max_people=max_people,
                                  check_in_background=live, threads=pose_threads,
                                  threads_alone=pose_threads_alone)
        # A mirror tracks one person, whose own ROI-aligned mask (from the pose model) is sharper
        # than the whole-frame selfie model; stills may hold several people seen any way round.
        self.parser = HumanParser(device=device, use_selfie_segmentation=static_image_mode,
                                  face_every=1 if static_image_mode else STREAM_FACE_EVERY,
                                  work_size=WORK_SIZE if static_image_mode else STREAM_WORK_SIZE,
                                  face_in_background=live and not static_image_mode) if parse else None

    @property
    def session_infos(self) -> tuple[SessionInfo, ...]:
        parser = self.parser.session_infos if self.parser else ()
        return self.pose.session_infos + parser

    @property
    def device_summary(self) -> str:
        """'cuda' or 'cpu', or a mix like 'cuda+cpu' if some models fell back."""
        devices = sorted({info.device for info in self.session_infos}, reverse=True)
        return "+".join(devices)

    def reset(self) -> None:
        self.pose.reset()
        if self.parser is not None:
            self.parser.reset()

    def process(self, frame_bgr: np.ndarray, timestamp_s: float | None = None) -> PerceptionResult:
        """Pose and label map for an (H, W, 3) uint8 BGR frame."""
        return self.label(self.locate(frame_bgr, timestamp_s))

    def locate(self, frame_bgr: np.ndarray, timestamp_s: float | None = None, alone: bool = False) -> Located:
        """The first half of `process`: the frame converted, and the pose tracked into it.
        `alone`: nothing else of the caller's runs meanwhile (the pose may use every core)."""
        if not isinstance(frame_bgr, np.ndarray) or frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 \
                or frame_bgr.dtype != np.uint8:
            shape = getattr(frame_bgr, "shape", type(frame_bgr).__name__)
            dtype = getattr(frame_bgr, "dtype", "")
            raise InputShapeError(f"expected an (H, W, 3) uint8 BGR frame, got {shape} {dtype}".rstrip())
        start = time.perf_counter()
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        converted = time.perf_counter()
        pose = self.pose.process(rgb, timestamp_s, alone)
        posed = time.perf_counter()
        return Located(rgb, pose, {"convert": (converted - start) * 1e3, "pose": (posed - converted) * 1e3})

    def label(self, located: Located) -> PerceptionResult:
        """The second half of `process`: the label map of a located frame."""
        start = time.perf_counter()
        parse = self.parser.parse(located.rgb, located.pose) if self.parser else None
        timings = {**located.timings_ms, "parse": (time.perf_counter() - start) * 1e3}
        timings["total"] = sum(timings.values())
        return PerceptionResult(located.pose, parse, timings)

    def close(self) -> None:
        self.pose.close()
        if self.parser is not None:
            self.parser.close()

    def __enter__(self) -> Perception:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
