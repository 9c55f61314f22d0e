"""BlazePose person detector: SSD anchors, box decoding, weighted non-maximum suppression.

Settings are mediapipe's `pose_detection_cpu.pbtxt`: 224×224 letterboxed input in [-1, 1],
2254 anchors over strides 8/16/32, 4 keypoints per detection (hip centre, a point on the full-body
circle, shoulder centre, a point on the upper-body circle), score threshold 0.5, weighted NMS at
IoU 0.3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.numeric import sigmoid
from models.pose.geometry import Letterbox, RotatedRect, rect_from_alignment_points
from models.runner import OnnxModel

INPUT_SIZE = 224
STRIDES = (8, 16, 32, 32, 32)
MIN_SCORE = 0.5
NMS_IOU = 0.3
SCORE_CLIP = 100.0
ROI_ENLARGE = 1.25  # RectTransformation scale in pose_detection_to_roi.pbtxt
ROI_TARGET_ANGLE_DEG = 90.0


def ssd_anchors(input_size: int = INPUT_SIZE, strides: tuple[int, ...] = STRIDES) -> np.ndarray:
    """(N, 2) float32 anchor centres, normalised to the input; fixed anchor size 1×1.

    Consecutive layers with the same stride share one grid with 2 anchors per layer per cell
    (aspect 1.0 plus the interpolated scale), as mediapipe's SsdAnchorsCalculator builds them.
    """
    centres = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        same = 0
        while layer + same < len(strides) and strides[layer + same] == stride:
            same += 1
        cells = int(np.ceil(input_size / stride))
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], -1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, 2 * same, axis=1).reshape(-1, 2))
        layer += same
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class Detection:
    """One detected person in frame pixels."""

    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 (the detector's face box)
    keypoints: np.ndarray  # (4, 2) float32: hip centre, full-body circle point, shoulder centre, upper-body point

    def roi(self) -> RotatedRect:
        return rect_from_alignment_points(self.keypoints[0], self.keypoints[1], ROI_TARGET_ANGLE_DEG, ROI_ENLARGE)

    @property
    def body_radius(self) -> float:
        return float(np.hypot(*(self.keypoints[1] - self.keypoints[0])))


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
    return inter / np.maximum(area(box) + area(boxes) - inter, 1e-9)


def weighted_nms(scores: np.ndarray, boxes: np.ndarray, keypoints: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """mediapipe's WEIGHTED suppression: each cluster's box and keypoints are score-weighted means.

    scores (N,), boxes (N, 4) x0 y0 x1 y1, keypoints (N, K, 2) → [(score, box, keypoints)] best first.
    """
    order = np.argsort(-scores)
    scores, boxes, keypoints = scores[order], boxes[order], keypoints[order]
    remaining = np.arange(len(scores))
    kept = []
    while len(remaining):
        overlap = _iou(boxes[remaining[0]], boxes[remaining])
        cluster = remaining[overlap > NMS_IOU]
        cluster = cluster if len(cluster) else remaining[:1]
        w = scores[cluster][:, None]
        box = (boxes[cluster] * w).sum(0) / w.sum()
        kps = (keypoints[cluster] * w[:, :, None]).sum(0) / w.sum()
        kept.append((float(scores[remaining[0]]), box, kps))
        remaining = remaining[overlap <= NMS_IOU]
    return kept


TILE_FRACTION = 0.6  # side of each of the 2×2 tiles, as a fraction of the frame's side


class PoseDetector:
    def __init__(self, model: OnnxModel):
        self.model = model
        self.anchors = ssd_anchors()
        if len(self.anchors) != model.spec.outputs[0].shape[1]:
            raise ValueError("anchor count does not match the detector model")

    def detect_tiled(self, frame_rgb: np.ndarray) -> list[Detection]:
        """Detections in the whole frame and in 2×2 overlapping tiles, merged; best first.

        For still photos of groups: the detector sees the frame at 224×224, where people in a
        wide group shot are a few pixels tall; each tile shows them 1.7× larger.
        """
        height, width = frame_rgb.shape[:2]
        tile_w, tile_h = int(width * TILE_FRACTION), int(height * TILE_FRACTION)
        found = self(frame_rgb)
        for x in (0, width - tile_w):
            for y in (0, height - tile_h):
                for d in self(frame_rgb[y:y + tile_h, x:x + tile_w]):
                    shift = np.array([x, y], np.float32)
                    box = (d.box[0] + x, d.box[1] + y, d.box[2] + x, d.box[3] + y)
                    found.append(Detection(d.score, box, d.keypoints + shift))
        if not found:
            return []
        merged = weighted_nms(np.array([d.score for d in found]), np.array([d.box for d in found]),
                              np.stack([d.keypoints for d in found]))
        return [Detection(score, tuple(float(v) for v in box), kps.astype(np.float32)) for score, box, kps in merged]

    def __call__(self, frame_rgb: np.ndarray) -> list[Detection]:
        """Detections in an (H, W, 3) uint8 RGB frame, best first."""
        height, width = frame_rgb.shape[:2]
        letterbox = Letterbox.fit(width, height, INPUT_SIZE)
        raw_boxes, raw_scores = self.model.run(letterbox.apply(frame_rgb))
        raw_boxes, raw_scores = raw_boxes[0], raw_scores[0, :, 0]
        scores = sigmoid(np.clip(raw_scores.astype(np.float64), -SCORE_CLIP, SCORE_CLIP))
        keep = scores >= MIN_SCORE
        if not keep.any():
            return []
        raw, anchors = raw_boxes[keep], self.anchors[keep]
        # Raw values are offsets in input pixels from the anchor centre (x, y, w, h order).
        centre = raw[:, 0:2] + anchors * INPUT_SIZE
        half = raw[:, 2:4] / 2
        boxes = np.concatenate([centre - half, centre + half], 1)
        kps = raw[:, 4:12].reshape(-1, 4, 2) + (anchors * INPUT_SIZE)[:, None, :]
        detections = []
        for score, box, points in weighted_nms(scores[keep], boxes, kps):
            corners = letterbox.to_frame(box.reshape(2, 2)).reshape(4)
            detections.append(Detection(score, tuple(float(v) for v in corners),
                                        letterbox.to_frame(points).astype(np.float32)))
        return detections
