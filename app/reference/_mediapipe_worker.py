"""Run mediapipe's own Pose solution on frames from a .npy file and write timings as JSON.

This script is NOT imported by LiveFit: `app.reference.mediapipe_ref` runs it with the Python of
the separate reference environment (mediapipe 0.10.21, numpy<2), so it may import only the
standard library, numpy and mediapipe, and must work on Python 3.9+.

    python _mediapipe_worker.py FRAMES.npy RESULT.json [--xnnpack-threads N]

FRAMES.npy: uint8 (N, H, W, 3), BGR channel order. RESULT.json (written only on success):

    {"version": 1, "mediapipe_version": "0.10.21", "xnnpack_threads": 2 or null,
     "per_frame_ms": [N floats], "per_frame_cpu_ms": [N floats],
     "landmarks": [N entries: null (no person) or 33 x [x_px, y_px, visibility]]}

Timing covers `pose.process(rgb)` only: the BGR->RGB conversion happens before the clock starts,
as an application feeding mediapipe RGB frames from its camera would not count it either. All
frames are timed; the caller discards the warm-up frames. CPU time is the whole process's (all
threads), so cpu/wall shows how many cores mediapipe kept busy. Nothing is printed to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

RESULT_VERSION = 1
NUM_LANDMARKS = 33


def _make_pose(xnnpack_threads: int | None) -> Any:
    """The legacy Pose solution with the settings LiveFit's pipeline is compared against.

    mediapipe's desktop builds give XNNPACK one thread unless the graph asks for more
    (`GetXnnpackDefaultNumThreads` in inference_calculator_utils.cc), and the legacy Python API
    has no option for it; with `xnnpack_threads` set, every InferenceCalculator in the expanded
    graph is given that many threads before the graph starts.
    """
    import mediapipe as mp

    pose_class = mp.solutions.pose.Pose
    if xnnpack_threads is not None:
        from mediapipe.calculators.tensor import inference_calculator_pb2

        class _ThreadedPose(pose_class):  # type: ignore[misc, valid-type]
            def _modify_calculator_options(self, graph_config: Any, calculator_params: Any) -> None:
                super()._modify_calculator_options(graph_config, calculator_params)
                ext = inference_calculator_pb2.InferenceCalculatorOptions.ext
                for node in graph_config.node:
                    if node.calculator.startswith("InferenceCalculator"):
                        options = node.options.Extensions[ext]
                        options.delegate.xnnpack.num_threads = xnnpack_threads

        pose_class = _ThreadedPose
    return pose_class(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=True,
        enable_segmentation=True,
    )


def run(frames: Any, pose: Any) -> dict[str, Any]:
    """Process `frames` ((N, H, W, 3) uint8 BGR) in order; timings and pixel landmarks."""
    import numpy as np

    per_frame_ms: list[float] = []
    per_frame_cpu_ms: list[float] = []
    landmarks: list[list[list[float]] | None] = []  # not evaluated: fine on Python 3.9
    for frame in frames:
        height, width = frame.shape[:2]
        rgb = np.ascontiguousarray(frame[:, :, ::-1])
        cpu_start = time.process_time()
        start = time.perf_counter()
        results = pose.process(rgb)
        per_frame_ms.append((time.perf_counter() - start) * 1000.0)
        per_frame_cpu_ms.append((time.process_time() - cpu_start) * 1000.0)
        found = results.pose_landmarks
        if found is None:
            landmarks.append(None)
        else:
            landmarks.append(
                [[lm.x * width, lm.y * height, lm.visibility] for lm in found.landmark]
            )
    return {
        "version": RESULT_VERSION,
        "per_frame_ms": per_frame_ms,
        "per_frame_cpu_ms": per_frame_cpu_ms,
        "landmarks": landmarks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("frames")
    parser.add_argument("result")
    parser.add_argument("--xnnpack-threads", type=int, default=None)
    args = parser.parse_args(argv)
    # Anything a library prints must not be mistaken for output: the result goes to a file and
    # stray stdout text joins the diagnostics on stderr.
    sys.stdout = sys.stderr

    import mediapipe as mp
    import numpy as np

    frames = np.load(args.frames, mmap_mode="r")
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
        sys.stderr.write(
            f"worker: expected uint8 (N, H, W, 3) frames, got {frames.dtype} {frames.shape}\n"
        )
        return 2
    pose = _make_pose(args.xnnpack_threads)
    try:
        result = run(frames, pose)
    finally:
        pose.close()
    result["mediapipe_version"] = mp.__version__
    result["xnnpack_threads"] = args.xnnpack_threads
    partial = args.result + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(partial, args.result)  # the caller never sees a half-written file
    return 0


if __name__ == "__main__":
    sys.exit(main())
