"""Keypoint conventions: BlazePose-33 and the OpenPose COCO-18 / BODY-25 views of it."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np


class BlazePose(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = 33
B = BlazePose


class Arm(NamedTuple):
    """One arm's landmarks."""

    shoulder: int
    elbow: int
    wrist: int
    fingers: tuple[int, int, int]  # index, pinky, thumb


# The wearer's side → that arm's landmarks: the one table the parser, the fit and the renderer's
# masks walk both arms by.
ARMS: dict[str, Arm] = {
    "left": Arm(B.LEFT_SHOULDER, B.LEFT_ELBOW, B.LEFT_WRIST, (B.LEFT_INDEX, B.LEFT_PINKY, B.LEFT_THUMB)),
    "right": Arm(B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST, (B.RIGHT_INDEX, B.RIGHT_PINKY, B.RIGHT_THUMB)),
}


class Leg(NamedTuple):
    """One leg's landmarks."""

    hip: int
    knee: int
    ankle: int
    heel: int
    toe: int  # foot index


# The wearer's side → that leg's landmarks (the parser's legs and shoes, its thigh samples).
LEGS: dict[str, Leg] = {
    "left": Leg(B.LEFT_HIP, B.LEFT_KNEE, B.LEFT_ANKLE, B.LEFT_HEEL, B.LEFT_FOOT_INDEX),
    "right": Leg(B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE, B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX),
}

# Skeleton edges for drawing, as data.
SKELETON: tuple[tuple[int, int], ...] = (
    (B.LEFT_SHOULDER, B.RIGHT_SHOULDER), (B.LEFT_SHOULDER, B.LEFT_ELBOW), (B.LEFT_ELBOW, B.LEFT_WRIST),
    (B.RIGHT_SHOULDER, B.RIGHT_ELBOW), (B.RIGHT_ELBOW, B.RIGHT_WRIST), (B.LEFT_SHOULDER, B.LEFT_HIP),
    (B.RIGHT_SHOULDER, B.RIGHT_HIP), (B.LEFT_HIP, B.RIGHT_HIP), (B.LEFT_HIP, B.LEFT_KNEE),
    (B.LEFT_KNEE, B.LEFT_ANKLE), (B.RIGHT_HIP, B.RIGHT_KNEE), (B.RIGHT_KNEE, B.RIGHT_ANKLE),
    (B.LEFT_WRIST, B.LEFT_INDEX), (B.RIGHT_WRIST, B.RIGHT_INDEX), (B.LEFT_ANKLE, B.LEFT_HEEL),
    (B.RIGHT_ANKLE, B.RIGHT_HEEL), (B.LEFT_HEEL, B.LEFT_FOOT_INDEX), (B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX),
    (B.NOSE, B.LEFT_EYE), (B.NOSE, B.RIGHT_EYE), (B.LEFT_EYE, B.LEFT_EAR), (B.RIGHT_EYE, B.RIGHT_EAR),
)

# OpenPose index → BlazePose source. A tuple means the midpoint of two landmarks.
_NECK = (B.LEFT_SHOULDER, B.RIGHT_SHOULDER)
_MID_HIP = (B.LEFT_HIP, B.RIGHT_HIP)
COCO18_FROM_BLAZE: tuple[int | tuple[int, int], ...] = (
    B.NOSE, _NECK, B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST, B.LEFT_SHOULDER, B.LEFT_ELBOW,
    B.LEFT_WRIST, B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE, B.LEFT_HIP, B.LEFT_KNEE, B.LEFT_ANKLE,
    B.RIGHT_EYE, B.LEFT_EYE, B.RIGHT_EAR, B.LEFT_EAR,
)
BODY25_FROM_BLAZE: tuple[int | tuple[int, int], ...] = (
    B.NOSE, _NECK, B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST, B.LEFT_SHOULDER, B.LEFT_ELBOW,
    B.LEFT_WRIST, _MID_HIP, B.RIGHT_HIP, B.RIGHT_KNEE, B.RIGHT_ANKLE, B.LEFT_HIP, B.LEFT_KNEE,
    B.LEFT_ANKLE, B.RIGHT_EYE, B.LEFT_EYE, B.RIGHT_EAR, B.LEFT_EAR, B.LEFT_FOOT_INDEX,
    B.LEFT_FOOT_INDEX, B.LEFT_HEEL, B.RIGHT_FOOT_INDEX, B.RIGHT_FOOT_INDEX, B.RIGHT_HEEL,
)
# BlazePose has one toe point per foot; BODY-25's big and small toe both take it.


def openpose_view(
    points: np.ndarray, confidence: np.ndarray, table: tuple[int | tuple[int, int], ...], min_confidence: float
) -> np.ndarray:
    """OpenPose keypoints (len(table), 3) float32: x, y in frame pixels and confidence.

    points: (33, 2) frame pixels; confidence: (33,) in [0, 1]. A joint whose confidence is below
    `min_confidence` (or outside the frame, which callers fold into confidence) is written as
    0, 0, 0 — OpenPose's "missing".
    """
    out = np.zeros((len(table), 3), np.float32)
    for i, source in enumerate(table):
        if isinstance(source, tuple):
            a, b = source
            xy, c = (points[a] + points[b]) / 2, min(confidence[a], confidence[b])
        else:
            xy, c = points[source], confidence[source]
        if c >= min_confidence:
            out[i] = (xy[0], xy[1], c)
    return out
