"""Small numeric helpers shared by the post-processing steps."""

from __future__ import annotations

import cv2
import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """Logistic function, same shape as `x` (float32, or float64 for float64 input).

    OpenCV's exp is ~6× faster than numpy's on 256×256 maps and returns inf rather than warning
    on overflow, which 1 / (1 + inf) turns into the right 0.
    """
    values = np.asarray(x)
    values = values if values.dtype == np.float64 else values.astype(np.float32)
    flat = np.ascontiguousarray(-values.reshape(-1, 1))
    return (1.0 / (1.0 + cv2.exp(flat))).reshape(values.shape)
