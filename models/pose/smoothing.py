"""Temporal filters for landmarks: One Euro (positions) and a low-pass (visibility).

Same formulation as mediapipe's LandmarksSmoothingCalculator: positions are filtered in frame
pixels, and the speed that opens the filter is divided by the object's size, so a small person
far away and a large one close by get the same smoothing for the same relative motion.
"""

from __future__ import annotations

import math

import numpy as np


class LowPass:
    """Exponential smoothing of an array; `alpha` is the weight of the new sample."""

    def __init__(self) -> None:
        self.value: np.ndarray | None = None

    def __call__(self, sample: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
        # prev + α·(new − prev): a constant input gives exactly the constant back (no rounding creep).
        self.value = sample.copy() if self.value is None else self.value + alpha * (sample - self.value)
        return self.value


def _alpha(cutoff: np.ndarray | float, rate: float) -> np.ndarray | float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau * rate)


class OneEuroFilter:
    """One Euro filter over an (N, D) array of positions in pixels."""

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float):
        self.min_cutoff, self.beta, self.derivate_cutoff = min_cutoff, beta, derivate_cutoff
        self._value, self._derivative = LowPass(), LowPass()
        self._last_time: float | None = None

    def reset(self) -> None:
        self._value, self._derivative = LowPass(), LowPass()
        self._last_time = None

    def __call__(self, sample: np.ndarray, time_s: float, object_scale: float) -> np.ndarray:
        if self._last_time is None or time_s <= self._last_time:
            # First sample, or a timestamp that does not advance: nothing to filter against.
            self._last_time = time_s if self._last_time is None else self._last_time
            if self._value.value is None:
                self._derivative(np.zeros_like(sample), 1.0)
                return self._value(sample, 1.0)
            return self._value.value
        rate = 1.0 / (time_s - self._last_time)
        self._last_time = time_s
        value_scale = 1.0 / max(object_scale, 1e-6)
        speed = (sample - self._value.value) * value_scale * rate
        smoothed_speed = self._derivative(speed, _alpha(self.derivate_cutoff, rate))
        cutoff = self.min_cutoff + self.beta * np.abs(smoothed_speed)
        return self._value(sample, _alpha(cutoff, rate))

    def pull(self, target: np.ndarray, share: float) -> None:
        """Move the filtered value `share` (0..1) of the way to `target`, an outside anchor (the
        next sample is then filtered from there)."""
        if self._value.value is not None:
            self._value.value = self._value.value + share * (target - self._value.value)
