"""Rotated regions of interest in frame pixels, and the crops and projections that use them.

Frame coordinates: x right, y down, in pixels of the full frame. A ROI is a square of side
`size` px centred at (cx, cy), rotated by `angle` radians (positive turns the crop's x axis
towards the frame's +y). The crop maps the ROI onto a model input of `out` × `out` pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class RotatedRect:
    cx: float
    cy: float
    size: float  # side length, pixels
    angle: float  # radians

    def crop_to_frame(self, out: int) -> np.ndarray:
        """(2, 3) float64 affine: crop pixel (u, v) → frame pixel (x, y)."""
        scale = self.size / out
        cos, sin = math.cos(self.angle) * scale, math.sin(self.angle) * scale
        # frame = c + R·s·((u, v) - out/2)
        half = out / 2
        return np.array(
            [
                [cos, -sin, self.cx - cos * half + sin * half],
                [sin, cos, self.cy - sin * half - cos * half],
            ]
        )

    def corners(self) -> np.ndarray:
        """(4, 2) frame pixels of the crop's corners, clockwise from its top-left."""
        m = self.crop_to_frame(1)
        unit = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], np.float64)
        return unit @ m.T

    def scaled(self, factor: float) -> RotatedRect:
        return RotatedRect(self.cx, self.cy, self.size * factor, self.angle)


def normalize_radians(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def rect_from_alignment_points(
    center: np.ndarray, scale_point: np.ndarray, target_angle_deg: float, enlarge: float
) -> RotatedRect:
    """BlazePose's ROI from two alignment points (frame pixels).

    `center` is the body centre, `scale_point` lies on the body's bounding circle in the
    direction the body points; the rotation turns that direction to `target_angle_deg`.
    """
    dx, dy = scale_point - center
    size = 2.0 * math.hypot(dx, dy) * enlarge
    angle = normalize_radians(math.radians(target_angle_deg) - math.atan2(-dy, dx))
    return RotatedRect(float(center[0]), float(center[1]), size, angle)


def crop(frame_rgb: np.ndarray, rect: RotatedRect, out: int, border: int) -> np.ndarray:
    """(out, out, 3) uint8 crop of `rect` from an (H, W, 3) uint8 frame (bilinear)."""
    inverse = cv2.invertAffineTransform(rect.crop_to_frame(out))
    return cv2.warpAffine(frame_rgb, inverse, (out, out), flags=cv2.INTER_LINEAR, borderMode=border)


def project(points_crop: np.ndarray, rect: RotatedRect, out: int) -> np.ndarray:
    """(N, 2) crop pixels → (N, 2) frame pixels."""
    m = rect.crop_to_frame(out)
    return points_crop @ m[:, :2].T + m[:, 2]


@dataclass(frozen=True)
class Letterbox:
    """Uniform scale + padding that fits a W×H frame into a square model input of side `out`."""

    scale: float  # input pixels per frame pixel
    pad_x: float
    pad_y: float
    out: int

    @staticmethod
    def fit(width: int, height: int, out: int) -> Letterbox:
        scale = out / max(width, height)
        return Letterbox(scale, (out - width * scale) / 2, (out - height * scale) / 2, out)

    def apply(self, frame_rgb: np.ndarray) -> np.ndarray:
        """(out, out, 3) uint8 letterboxed copy of the frame, zero border."""
        m = np.array([[self.scale, 0, self.pad_x], [0, self.scale, self.pad_y]])
        return cv2.warpAffine(frame_rgb, m, (self.out, self.out), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def to_frame(self, points_input: np.ndarray) -> np.ndarray:
        """(N, 2) model-input pixels → frame pixels."""
        return (points_input - (self.pad_x, self.pad_y)) / self.scale
