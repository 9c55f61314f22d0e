"""Sampling maps: for each output pixel of a layer, the garment pixel to show there.

A `Layer` is a box in the frame plus an (h, w, 2) map of garment coordinates; pixels that show no
garment point at (-1, -1), outside the texture, so sampling returns transparent there. The same
maps feed the CPU compositor (cv2.remap) and the device graph (GridSample), which is why the two
paths agree.

The torso map is a thin-plate spline evaluated on a coarse grid (every `GRID_STEP` px) and
upsampled bilinearly — the spline is smooth, and this keeps its cost independent of the
garment's size on screen. Sleeves are piecewise affine, two triangles per arm segment.
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
    map_xy: np.ndarray  # (h, w, 2) float32 garment pixel per box pixel; (-1, -1) = nothing (may be a view)

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
    # A view: the merge copies it into place anyway.
    return Layer("torso", bx0, by0, dense[: by1 - by0, : bx1 - bx0])


def _affine_map(affine: np.ndarray, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """(h, w, 2) float32: a 2×3 affine map applied to the pixel grid of the box at (x0, y0)."""
    xs = np.arange(x0, x0 + w, dtype=np.float32)[None, :]
    ys = np.arange(y0, y0 + h, dtype=np.float32)[:, None]
    a = affine.astype(np.float32)
    return cv2.merge([a[0, 0] * xs + (a[0, 1] * ys + a[0, 2]), a[1, 0] * xs + (a[1, 1] * ys + a[1, 2])])


# Each quad as two triangles (outer root, inner root, inner end) and (outer root, inner end, outer
# end): piecewise affine, which stays bounded when a quad is nearly a triangle (a short sleeve's
# underarm seam is short), where a homography would blow up.
_TRIANGLES = ((0, 1, 2), (0, 2, 3))


def sleeve_layers(fit: GarmentFit, frame_size: tuple[int, int], x_offset: float = 0.0) -> list[Layer]:
    """One layer per sleeve triangle; `x_offset` is added to the garment x of every sampled pixel
    (to address the sleeve half of a `GarmentAtlas`)."""
    width, height = frame_size
    layers = []
    for sleeve in fit.sleeves:
        for index, (body_quad, garment_quad) in enumerate(zip(sleeve.body_quads, sleeve.garment_quads)):
            for part, corners in enumerate(_TRIANGLES):
                body = body_quad[list(corners)]
                garment = garment_quad[list(corners)]
                (ax, ay), (bx, by) = body[1] - body[0], body[2] - body[0]
                twice_area = abs(float(ax * by - ay * bx))
                if twice_area < 1.0:
                    continue  # collapsed: nothing of this piece is visible
                (x0, y0), (x1, y1) = body.min(0) - 1, body.max(0) + 2
                bx0, by0, bx1, by1 = _clip_box(x0, y0, x1, y1, width, height)
                if bx1 - bx0 < 2 or by1 - by0 < 2:
                    continue
                affine = cv2.getAffineTransform(body.astype(np.float32), garment.astype(np.float32))
                sampled = _affine_map(affine, bx0, by0, bx1 - bx0, by1 - by0)
                sampled[..., 0] += x_offset
                # Only pixels inside the triangle, grown by a pixel so neighbours leave no seam
                # (OpenCV's masked copy: ~10× faster than numpy's boolean assignment).
                inside = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
                cv2.fillConvexPoly(inside, np.round(body - (bx0, by0)).astype(np.int32), 1)
                inside = cv2.dilate(inside, np.ones((3, 3), np.uint8))
                mapped = np.full((by1 - by0, bx1 - bx0, 2), OUTSIDE, np.float32)
                cv2.copyTo(sampled, inside, mapped)
                layers.append(Layer(f"sleeve_{sleeve.side}_{index}_{part}", bx0, by0, mapped))
    return layers
