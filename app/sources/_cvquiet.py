"""Keep OpenCV's own log lines off stderr while probing a camera or a file.

Opening a missing camera or a non-video file makes OpenCV print several "[ WARN:0@0.02] global
cap_v4l.cpp ..." lines before it reports failure; the user should see only LiveFit's one-line
error. OpenCV's log level is process-wide, so it is lowered only around the open call and put
back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import cv2


@contextmanager
def quiet_opencv() -> Iterator[None]:
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)
