"""A label map read along rays: the one sampler the garment fit and the arm measures share."""

from __future__ import annotations

import numpy as np

from models.parsing.labels import Label


def labels_on_rays(labels: np.ndarray, origins: np.ndarray, directions: np.ndarray, reaches: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The labels at 1 px steps from each of (R, 2) `origins` along its (R, 2) unit `directions`,
    up to (R,) `reaches`, all in frame pixels of the (H, W) uint8 `labels`: (S,) float steps,
    (R, S) int x and y, (R, S) bool inside (the frame and the reach), (R, S) uint8 labels
    (background outside). All rays in one vectorised lookup: these run several times a frame."""
    height, width = labels.shape
    steps = np.arange(0.0, max(1.0, float(np.max(reaches))), 1.0)  # (S,)
    points = origins[:, None, :] + steps[None, :, None] * directions[:, None, :]  # (R, S, 2) frame px
    x, y = np.round(points[..., 0]).astype(int), np.round(points[..., 1]).astype(int)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height) & (steps[None] < reaches[:, None])
    on_ray = np.full(x.shape, Label.BACKGROUND, np.uint8)  # (R, S) the label at each step
    on_ray[inside] = labels[y[inside], x[inside]]
    return steps, x, y, inside, on_ray
