"""A per-person skin colour model, fitted to the face, used to tell bare arms from sleeves.

Colours are compared in YCrCb: chroma (Cr, Cb) carries skin tone largely independent of the
light's brightness, so a Gaussian over the face's chroma separates skin from most fabrics; a loose
luminance bound keeps white and black cloth (whose chroma is neutral) out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import cv2
import numpy as np

MIN_SAMPLES = 30
MAX_SAMPLES = 4000  # face pixels kept for fitting (evenly strided)
MAX_DISTANCE = 3.0  # Mahalanobis distance in (Cr, Cb) still called skin
MIN_VARIANCE = 9.0  # chroma variance floor: a very even face must not make the model razor-thin
LUMA_RANGE = (0.35, 1.8)  # skin luminance relative to the face's median

# Used when no face is visible: a generic skin chroma box (YCrCb, 8-bit).
_GENERIC_MEAN = np.array([150.0, 115.0])
_GENERIC_COVARIANCE = np.array([[120.0, -40.0], [-40.0, 110.0]])
_GENERIC_LUMA = 140.0


@dataclass(frozen=True)
class SkinModel:
    mean: np.ndarray  # (2,) float64 Cr, Cb
    inverse_covariance: np.ndarray  # (2, 2) float64
    luma: float  # median Y of the samples

    @staticmethod
    @lru_cache(maxsize=1)
    def generic() -> SkinModel:
        """The one generic model (its chroma table is then built once, not per faceless frame)."""
        return SkinModel(_GENERIC_MEAN, np.linalg.inv(_GENERIC_COVARIANCE), _GENERIC_LUMA)

    @staticmethod
    def fit(samples_ycrcb: np.ndarray) -> SkinModel:
        """Fit to (N, 3) uint8 YCrCb face pixels (falls back to the generic model if too few)."""
        if len(samples_ycrcb) < MIN_SAMPLES:
            return SkinModel.generic()
        # A face at 720p holds tens of thousands of pixels; a few thousand fit the same model.
        samples_ycrcb = samples_ycrcb[::max(1, len(samples_ycrcb) // MAX_SAMPLES)]
        chroma = samples_ycrcb[:, 1:].astype(np.float64)
        # Robust centre and spread: eyes, brows and lips are a minority of face pixels.
        mean = np.median(chroma, 0)
        close = np.abs(chroma - mean).max(1) <= 2.5 * (np.median(np.abs(chroma - mean), 0).max() + 1)
        covariance = np.cov(chroma[close].T) + np.eye(2) * MIN_VARIANCE
        return SkinModel(mean, np.linalg.inv(covariance), float(np.median(samples_ycrcb[:, 0])))

    def mask(self, image_ycrcb: np.ndarray) -> np.ndarray:
        """(H, W) bool skin mask of an (H, W, 3) uint8 YCrCb image."""
        low, high = LUMA_RANGE
        # One flat lookup by Cr·256 + Cb (~4× faster than indexing the table by a pair of arrays).
        chroma = (image_ycrcb[..., 1].astype(np.uint16) << 8) | image_ycrcb[..., 2]
        # Integer bounds, so inRange's rounding of them cannot move the range by a grey level.
        luma = cv2.inRange(image_ycrcb[..., 0], float(np.ceil(low * self.luma)),
                           float(np.floor(min(255.0, high * self.luma)))) > 0
        return np.take(self._chroma_table.ravel(), chroma) & luma

    def without_clothing(self, skin: np.ndarray, image_ycrcb: np.ndarray,
                         clothing: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """`skin` (H, W) bool, from `mask` of the same (H, W, 3) uint8 YCrCb image, less the pixels
        whose chroma is nearer the clothing's than this skin's (see `_nearer_clothing`).
        clothing: the wearer's top as (mean, spread), each (3,) YCrCb. A pink or beige top's shaded
        side falls inside the skin's chroma range, but it is nearer the top's own chroma."""
        nearer = self._nearer_clothing(*clothing)
        if nearer is None:
            return skin
        # Only the skin pixels are looked at (a tenth of a person's box, typically).
        where = np.flatnonzero(skin)
        pixels = image_ycrcb.reshape(-1, 3)[where]
        chroma = (pixels[:, 1].astype(np.uint16) << 8) | pixels[:, 2]
        refined = skin.copy()
        refined.ravel()[where[np.take(nearer.ravel(), chroma)]] = False
        return refined

    @cached_property
    def _squared_distances(self) -> np.ndarray:
        """(256, 256) float32 indexed [Cr, Cb]: squared Mahalanobis distance to the model."""
        values = np.arange(256, dtype=np.float32)
        cr, cb = values[:, None] - np.float32(self.mean[0]), values[None, :] - np.float32(self.mean[1])
        ic = self.inverse_covariance.astype(np.float32)
        return cr * cr * ic[0, 0] + 2 * cr * cb * ic[0, 1] + cb * cb * ic[1, 1]

    def _nearer_clothing(self, mean: np.ndarray, spread: np.ndarray) -> np.ndarray | None:
        """(256, 256) bool indexed [Cr, Cb]: chroma nearer to the clothing colour (mean, spread),
        each (3,) YCrCb, than to this skin, both in squared spreads; None where the clothing's own
        chroma passes for skin (within MAX_DISTANCE): then chroma cannot tell the two apart, and
        half a bare arm would turn to cloth."""
        cloth_cr, cloth_cb = float(mean[1]), float(mean[2])
        offset = np.array([cloth_cr, cloth_cb]) - self.mean
        if float(offset @ self.inverse_covariance @ offset) <= MAX_DISTANCE**2:
            return None
        values = np.arange(256, dtype=np.float32)
        to_cloth = ((values[:, None] - np.float32(cloth_cr)) / np.float32(spread[1])) ** 2 \
            + ((values[None, :] - np.float32(cloth_cb)) / np.float32(spread[2])) ** 2
        return to_cloth < self._squared_distances

    @cached_property
    def _chroma_table(self) -> np.ndarray:
        """(256, 256) bool indexed [Cr, Cb]: within MAX_DISTANCE of the model (one lookup per
        pixel instead of the quadratic form per pixel; built once per model)."""
        return self._squared_distances <= MAX_DISTANCE**2
