"""Sampling maps: for each output pixel of a layer, the garment pixel to show there.

A `Layer` is a box in the frame plus an (h, w, 2) map of garment coordinates; pixels that show no
garment point at (-1, -1), outside the texture, so sampling returns transparent there. The same
maps feed the CPU compositor (cv2.remap) and the device graph (GridSample), which is why the two
paths agree.

The torso map is a thin-plate spline evaluated on a coarse grid (every `GRID_STEP` px) and
upsampled bilinearly — the spline is smooth, and this keeps its cost independent of the
garment's size on screen. Sleeves are one homography per arm segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.pipeline.fit import GarmentFit
from app.pipeline.tps import ThinPlateSpline

GRID_STEP = 16
TORSO_MARGIN = 0.12  # box around the torso targets, × their larger extent
TPS_REGULARIZATION = 0.02  # in the spline's normalised units: smooth over exact
OUTSIDE = -1.0


@dataclass(frozen=True)
class Layer:
    name: str  # "torso", "sleeve_left_0", …
    x0: int  # the box's top-left corner in frame pixels
    y0: int
    map_xy: np.ndarray  # (h, w, 2) float32 garment pixel per box pixel; (-1, -1) = nothing

    @property
    def box(self) -> tuple[int, int, int, int]:
        h, w = self.map_xy.shape[:2]
        return self.x0, self.y0, self.x0 + w, self.y0 + h


def _clip_box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> tuple[int, int, int, int]:
    return max(0, int(np.floor(x0))), max(0, int(np.floor(y0))), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))


def torso_layer(fit: GarmentFit, frame_size: tuple[int, int]) -> Layer | None:
    width, height = frame_size
    points = fit.body_points
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    margin = TORSO_MARGIN * max(x1 - x0, y1 - y0)
    bx0, by0, bx1, by1 = _clip_box(x0 - margin, y0 - margin, x1 + margin, y1 + margin, width, height)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return None
    spline = ThinPlateSpline.fit(points, fit.garment_points, TPS_REGULARIZATION)
    # Sample the spline at the centres of GRID_STEP-sized cells: cv2.resize by GRID_STEP then puts
    # each sample exactly at its cell centre (OpenCV's half-pixel convention).
    cells_x = -(-(bx1 - bx0) // GRID_STEP)
    cells_y = -(-(by1 - by0) // GRID_STEP)
    centre = (GRID_STEP - 1) / 2
    gx = bx0 + np.arange(cells_x) * GRID_STEP + centre
    gy = by0 + np.arange(cells_y) * GRID_STEP + centre
    grid = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)
    coarse = spline(grid).astype(np.float32).reshape(cells_y, cells_x, 2)
    dense = cv2.resize(coarse, (cells_x * GRID_STEP, cells_y * GRID_STEP), interpolation=cv2.INTER_LINEAR)
    return Layer("torso", bx0, by0, np.ascontiguousarray(dense[: by1 - by0, : bx1 - bx0]))


def _homography_map(homography: np.ndarray, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """(h, w, 2) float32: homography applied to the pixel grid of the box at (x0, y0)."""
    xs = np.arange(x0, x0 + w, dtype=np.float32)
    ys = np.arange(y0, y0 + h, dtype=np.float32)
    hm = homography.astype(np.float32)
    num_x = hm[0, 0] * xs[None, :] + (hm[0, 1] * ys[:, None] + hm[0, 2])
    num_y = hm[1, 0] * xs[None, :] + (hm[1, 1] * ys[:, None] + hm[1, 2])
    den = hm[2, 0] * xs[None, :] + (hm[2, 1] * ys[:, None] + hm[2, 2])
    # Pixels on the horizon line of a degenerate quad: push them far outside the texture.
    den = np.where(np.abs(den) < 1e-6, np.float32(1e-6), den)
    return cv2.merge([num_x / den, num_y / den])


def sleeve_layers(fit: GarmentFit, frame_size: tuple[int, int], x_offset: float = 0.0) -> list[Layer]:
    """One layer per sleeve piece; `x_offset` is added to the garment x of every sampled pixel
    (to address the sleeve half of a `GarmentAtlas`)."""
    width, height = frame_size
    layers = []
    for sleeve in fit.sleeves:
        for index, (body, garment) in enumerate(zip(sleeve.body_quads, sleeve.garment_quads)):
            (x0, y0), (x1, y1) = body.min(0) - 1, body.max(0) + 2
            bx0, by0, bx1, by1 = _clip_box(x0, y0, x1, y1, width, height)
            if bx1 - bx0 < 2 or by1 - by0 < 2:
                continue
            homography = cv2.getPerspectiveTransform(body.astype(np.float32), garment.astype(np.float32))
            # A homography map is exactly what warpPerspective computes internally; build it with
            # two float warps of coordinate ramps instead of per-pixel numpy arithmetic.
            mapped = _homography_map(homography, bx0, by0, bx1 - bx0, by1 - by0)
            mapped[..., 0] += x_offset
            # Only pixels inside the quad (grown by a pixel so neighbouring segments leave no seam).
            inside = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
            cv2.fillConvexPoly(inside, np.round(body - (bx0, by0)).astype(np.int32), 1)
            inside = cv2.dilate(inside, np.ones((3, 3), np.uint8))
            mapped[inside == 0] = OUTSIDE
            layers.append(Layer(f"sleeve_{sleeve.side}_{index}", bx0, by0, mapped.astype(np.float32)))
    return layers
