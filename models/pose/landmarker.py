"""BlazePose landmark model on a rotated ROI: decode, refine from the heatmap, project to the frame.

Settings are mediapipe's `pose_landmark_by_roi_cpu.pbtxt` and
`tensors_to_pose_landmarks_and_segmentation.pbtxt`: 256×256 crop in [0, 1] (replicated border),
39 landmarks (33 + 6 auxiliary) × (x, y, z, visibility, presence), heatmap refinement with a 7×7
kernel where the heatmap is confident (≥ 0.5), pose present when the pose flag ≥ 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from models.numeric import sigmoid
from models.pose.geometry import RotatedRect, crop, project, rect_from_alignment_points
from models.runner import OnnxModel

INPUT_SIZE = 256
NUM_ALL = 39  # 33 body landmarks + 6 auxiliary ones
AUX_CENTRE, AUX_SCALE = 33, 34  # alignment points for the next frame's ROI
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5
PRESENCE_THRESHOLD = 0.5
ROI_ENLARGE = 1.25  # pose_landmarks_to_roi.pbtxt
ROI_TARGET_ANGLE_DEG = 90.0


def refine_from_heatmap(points: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """(39, 2) crop-normalised x, y refined by the (64, 64, 39) heatmap logits (mediapipe's rule).

    Each point moves to the confidence-weighted mean of the heatmap cells in a 7×7 window at its
    position when the window's highest confidence reaches 0.5.
    """
    hm_h, hm_w, _ = heatmap.shape
    out = points.copy()
    offset = (HEATMAP_KERNEL - 1) // 2
    for i in range(points.shape[0]):
        col, row = int(points[i, 0] * hm_w), int(points[i, 1] * hm_h)
        if not (0 <= col < hm_w and 0 <= row < hm_h):
            continue
        r0, r1 = max(0, row - offset), min(hm_h, row + offset + 1)
        c0, c1 = max(0, col - offset), min(hm_w, col + offset + 1)
        confidence = sigmoid(heatmap[r0:r1, c0:c1, i])
        total = confidence.sum()
        if confidence.max() >= HEATMAP_MIN_CONFIDENCE and total > 0:
            rows, cols = np.mgrid[r0:r1, c0:c1]
            out[i, 0] = (cols * confidence).sum() / hm_w / total
            out[i, 1] = (rows * confidence).sum() / hm_h / total
    return out


@dataclass(frozen=True)
class LandmarkOutput:
    """One person's raw landmarks for one frame (before temporal smoothing)."""

    score: float  # pose presence probability
    points: np.ndarray  # (39, 2) float32 frame pixels
    z: np.ndarray  # (39,) float32 depth in frame-pixel units, smaller = nearer the camera
    visibility: np.ndarray  # (39,) float32 probability the point is visible (not occluded)
    presence: np.ndarray  # (39,) float32 probability the point is in the crop
    roi: RotatedRect  # the crop these came from
    mask_logits: np.ndarray  # (256, 256) float32 person-segmentation logits in crop pixels

    @property
    def present(self) -> bool:
        return self.score >= PRESENCE_THRESHOLD

    def next_roi(self) -> RotatedRect:
        """Tracking: the ROI for the next frame from this frame's auxiliary alignment points."""
        return rect_from_alignment_points(
            self.points[AUX_CENTRE], self.points[AUX_SCALE], ROI_TARGET_ANGLE_DEG, ROI_ENLARGE
        )


class PoseLandmarker:
    def __init__(self, model: OnnxModel):
        self.model = model

    def __call__(self, frame_rgb: np.ndarray, roi: RotatedRect) -> LandmarkOutput:
        image = crop(frame_rgb, roi, INPUT_SIZE, cv2.BORDER_REPLICATE)
        raw, flag, segmentation, heatmap, _world = self.model.run(image)
        values = raw.reshape(NUM_ALL, 5)
        normalised = refine_from_heatmap(values[:, :2] / INPUT_SIZE, heatmap[0])
        points = project(normalised * INPUT_SIZE, roi, INPUT_SIZE).astype(np.float32)
        scale = roi.size / INPUT_SIZE
        return LandmarkOutput(
            score=float(flag.reshape(-1)[0]),
            points=points,
            z=(values[:, 2] * scale).astype(np.float32),
            visibility=sigmoid(values[:, 3]).astype(np.float32),
            presence=sigmoid(values[:, 4]).astype(np.float32),
            roi=roi,
            mask_logits=segmentation[0, :, :, 0],
        )
