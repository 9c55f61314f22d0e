"""Small numeric helpers shared by the post-processing steps."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, computed without overflow warnings for large |x|."""
    return np.exp(-np.logaddexp(0.0, -x))
