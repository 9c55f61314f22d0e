"""Thin-plate spline in 2-D: a smooth map that sends control points to their targets.

Used backwards for rendering: the spline is fitted from body points (frame pixels) to garment
points (garment pixels), so evaluating it at an output pixel says where in the garment photo to
sample. `regularization` > 0 trades exactness at the control points for smoothness, which keeps
a pulled hem from smearing the garment's bottom rows into streaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _kernel(r2: np.ndarray) -> np.ndarray:
    # U(r) = r² log r², with U(0) = 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r2 > 0, r2 * np.log(r2), 0.0)


@dataclass(frozen=True)
class ThinPlateSpline:
    centres: np.ndarray  # (N, 2) float64, normalised domain coordinates
    weights: np.ndarray  # (N, 2) float64
    affine: np.ndarray  # (3, 2) float64: rows 1, x, y
    offset: np.ndarray  # (2,) domain → normalised: (p - offset) / scale
    scale: float

    @staticmethod
    def fit(domain: np.ndarray, values: np.ndarray, regularization: float = 0.0) -> ThinPlateSpline:
        """Spline with f(domain[i]) ≈ values[i]; domain, values: (N, 2) with N ≥ 3."""
        domain = np.asarray(domain, np.float64)
        values = np.asarray(values, np.float64)
        offset = domain.mean(0)
        scale = float(np.abs(domain - offset).max()) or 1.0
        points = (domain - offset) / scale
        n = len(points)
        k = _kernel(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)) + regularization * np.eye(n)
        p = np.concatenate([np.ones((n, 1)), points], 1)
        system = np.zeros((n + 3, n + 3))
        system[:n, :n], system[:n, n:], system[n:, :n] = k, p, p.T
        rhs = np.zeros((n + 3, 2))
        rhs[:n] = values
        try:  # a direct solve is ~5× cheaper than least squares, and exact for a regular system
            solution = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:  # coincident control points
            solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
        return ThinPlateSpline(points, solution[:n], solution[n:], offset, scale)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """(M, 2) domain points → (M, 2) values."""
        q = (np.asarray(points, np.float64) - self.offset) / self.scale
        u = _kernel(((q[:, None, :] - self.centres[None, :, :]) ** 2).sum(-1))
        return u @ self.weights + self.affine[0] + q @ self.affine[1:]
