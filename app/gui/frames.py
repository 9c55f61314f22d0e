"""What crosses threads: small frozen records holding read-only arrays.

A frame's pixels are marked read-only when it is captured, so no thread can change an image
another thread may be reading (the GUI paints `ViewFrame.result.output` while the worker is
already busy with the next frame).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.pipeline.frame import FrameResult


def freeze(image: np.ndarray) -> np.ndarray:
    """The same array, marked read-only; sources and the pipeline hand over fresh arrays that
    nobody else keeps a writable reference to."""
    image.flags.writeable = False
    return image


@dataclass(frozen=True, eq=False)  # eq=False: ndarray fields do not compare as booleans
class CapturedFrame:
    """One frame as the capture thread got it.

    `image`: (H, W, 3) uint8 BGR, read-only, exactly as the source delivered it (never mirrored:
        the pipeline's left and right are the person's own).
    `index`: the source's frame number. `timestamp_s`: media time in seconds.
    `captured_at`: `time.perf_counter()` when the source returned the frame (capture-to-paint
        latency is measured from here).
    `epoch`: increases each time the source is (re)opened, so the worker knows to forget
        tracking state when time starts over.
    """

    image: np.ndarray
    index: int
    timestamp_s: float
    captured_at: float
    epoch: int
    source_label: str


@dataclass(frozen=True, eq=False)
class ViewFrame:
    """One processed frame, ready to paint: the composite together with the frame it came from.

    `result.source` and `result.output` are (H, W, 3) uint8 BGR, read-only.
    `dropped_total`: captured frames the worker skipped so far (the newest always wins).
    `processed_at`: `time.perf_counter()` when the pipeline finished.
    """

    result: FrameResult
    frame: CapturedFrame
    processed_at: float
    dropped_total: int
    device: str

    @property
    def captured_at(self) -> float:
        return self.frame.captured_at
