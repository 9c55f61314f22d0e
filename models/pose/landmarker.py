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
    position when the window's highest confidence reaches 0.5. All windows are gathered at once;
    cells outside the heatmap get confidence 0, which is the same as clipping them at the border.
    """
    hm_h, hm_w, _ = heatmap.shape
    out = points.copy()
    offset = (HEATMAP_KERNEL - 1) // 2
    # Truncation towards zero, as mediapipe's int() cast: -0.5 → 0, inside.
    cols, rows = (points[:, 0] * hm_w).astype(np.int64), (points[:, 1] * hm_h).astype(np.int64)
    inside = np.nonzero((cols >= 0) & (cols < hm_w) & (rows >= 0) & (rows < hm_h))[0]
    if not len(inside):
        return out
    window = np.arange(HEATMAP_KERNEL) - offset
    r = rows[inside, None] + window  # (K, 7) heatmap rows of each window, some maybe outside
    c = cols[inside, None] + window
    logits = heatmap[np.clip(r, 0, hm_h - 1)[:, :, None], np.clip(c, 0, hm_w - 1)[:, None, :],
                     inside[:, None, None]]  # (K, 7, 7)
    outside = ((r < 0) | (r >= hm_h))[:, :, None] | ((c < 0) | (c >= hm_w))[:, None, :]
    logits[outside] = -1e4  # confidence 0: the same as clipping the window at the border
    confidence = sigmoid(logits)
    total = confidence.sum((1, 2))
    good = (confidence.max((1, 2)) >= HEATMAP_MIN_CONFIDENCE) & (total > 0)
    mean_row = (confidence.sum(2) @ window) / np.maximum(total, 1e-12) + rows[inside]
    mean_col = (confidence.sum(1) @ window) / np.maximum(total, 1e-12) + cols[inside]
    out[inside[good], 0] = mean_col[good] / hm_w
    out[inside[good], 1] = mean_row[good] / hm_h
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
