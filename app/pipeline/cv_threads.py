"""How many worker threads OpenCV's per-frame operations use (process-wide).

OpenCV splits an operation over every core by default. The pipeline's images are small (the
parse's working resolution, garment boxes of a few hundred pixels), so on a many-core machine
waking every worker for each of the ~80 OpenCV calls in a frame may cost more than it saves.
`LIVEFIT_CV_THREADS` sets the count; unset, OpenCV's own default stands.
"""

from __future__ import annotations

import logging
import os

import cv2

from app.errors import DeviceError

log = logging.getLogger(__name__)

ENV = "LIVEFIT_CV_THREADS"


def configure_opencv_threads() -> int:
    """Apply `LIVEFIT_CV_THREADS` if set; returns the thread count OpenCV now uses."""
    value = os.environ.get(ENV, "").strip()
    if value:
        try:
            threads = int(value)
        except ValueError:
            threads = -1
        if threads < 1:
            raise DeviceError(f"{ENV}={value!r}: give a whole number of threads, 1 or more (or unset it)")
        cv2.setNumThreads(threads)
    threads = cv2.getNumThreads()
    log.debug("OpenCV uses %d threads", threads)
    return threads
