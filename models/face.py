"""Face mesh (468 points) on a face ROI taken from the pose landmarks.

The pose model already knows where the face is (nose, eyes, ears, mouth), so the face detector is
not needed: the ROI is an upright square around those points, rotated so the eyes are level, and
mediapipe's face landmark model (192×192 input, [0, 1]) refines it into a precise outline. The
parser uses the outline to decide where the face ends and the collar may begin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from models.numeric import sigmoid
from models.pose.geometry import RotatedRect, crop, project
from models.pose.keypoints import BlazePose as B
from models.runner import OnnxModel

INPUT_SIZE = 192
NUM_POINTS = 468
PRESENCE_THRESHOLD = 0.5
MIN_POSE_VISIBILITY = 0.5
# Face ROI side relative to the eye-to-mouth distance and the ear-to-ear distance (the face mesh
# was trained on crops with ~25% margin around the face).
ROI_FROM_EYE_MOUTH = 4.2
ROI_FROM_EARS = 1.9

# Outline of the face mesh (mediapipe's FACEMESH_FACE_OVAL), in order around the face.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
CHIN = 152
FOREHEAD = 10


@dataclass(frozen=True)
class Face:
    points: np.ndarray  # (468, 2) float32 frame pixels
    score: float  # face presence probability
    roi: RotatedRect

    @property
    def outline(self) -> np.ndarray:
        """(36, 2) float32 frame pixels around the face (forehead, temples, jaw, chin)."""
        return self.points[list(FACE_OVAL)]


def face_roi(landmarks: np.ndarray, visibility: np.ndarray) -> RotatedRect | None:
    """Square face ROI from BlazePose landmarks (33, 2) frame pixels, or None if the face is hidden."""
    face_points = [B.NOSE, B.LEFT_EYE, B.RIGHT_EYE, B.MOUTH_LEFT, B.MOUTH_RIGHT]
    if visibility[face_points].min() < MIN_POSE_VISIBILITY:
        return None
    eyes = (landmarks[B.LEFT_EYE] + landmarks[B.RIGHT_EYE]) / 2
    mouth = (landmarks[B.MOUTH_LEFT] + landmarks[B.MOUTH_RIGHT]) / 2
    # The person's left eye is on the image right for a frontal face: level them.
    dx, dy = landmarks[B.LEFT_EYE] - landmarks[B.RIGHT_EYE]
    angle = math.atan2(dy, dx)
    size = max(ROI_FROM_EYE_MOUTH * float(np.hypot(*(mouth - eyes))),
               ROI_FROM_EARS * float(np.hypot(*(landmarks[B.LEFT_EAR] - landmarks[B.RIGHT_EAR]))))
    centre = (eyes + mouth) / 2
    return RotatedRect(float(centre[0]), float(centre[1]), size, angle)


class FaceLandmarker:
    def __init__(self, model: OnnxModel):
        self.model = model

    def __call__(self, frame_rgb: np.ndarray, roi: RotatedRect) -> Face | None:
        image = crop(frame_rgb, roi, INPUT_SIZE, cv2.BORDER_REPLICATE)
        raw, flag = self.model.run(image)
        score = float(sigmoid(flag.reshape(-1)[0]))
        if score < PRESENCE_THRESHOLD:
            return None
        points = raw.reshape(NUM_POINTS, 3)[:, :2]
        return Face(project(points, roi, INPUT_SIZE).astype(np.float32), score, roi)
