"""Live numbers for the status line and the smoke report (pure Python, no Qt).

`FrameStats` is fed once per *painted* frame: frames per second as the shopper sees them,
capture-to-paint latency (from the moment the source handed over the frame to the end of the
paint that first showed its composite), per-stage pipeline milliseconds, dropped frames and the
device. `StallMeter` measures how long the GUI thread was ever busy between two timer ticks,
which bounds how late a click or key press can be handled.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field

from app.gui.frames import ViewFrame

STAGES: tuple[str, ...] = ("pose", "parse", "warp", "compose", "total")
WINDOW = 90
"""Frames the status line averages over (about 3 s at 30 fps)."""
FPS_WINDOW_S = 2.0
SUMMARY_LIMIT = 100_000
"""Latencies kept for the end-of-run summary (hours at 30 fps; bounded all the same)."""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the nearest ranks; `values` must not be empty."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class StatsSnapshot:
    fps: float
    latency_median_ms: float | None
    latency_p95_ms: float | None
    stages_ms: dict[str, float] = field(default_factory=dict)  # mean of the last frames per stage
    dropped: int = 0
    device: str = ""
    painted: int = 0


class FrameStats:
    def __init__(self, window: int = WINDOW) -> None:
        self._latencies: deque[float] = deque(maxlen=window)
        self._stages: deque[dict[str, float]] = deque(maxlen=window)
        self._paint_times: deque[float] = deque()
        self._all_latencies: deque[float] = deque(maxlen=SUMMARY_LIMIT)
        self._dropped = 0
        self._device = ""
        self.painted = 0
        self._first_paint: float | None = None  # perf_counter of the run's first and last paint
        self._last_paint = 0.0

    def record_paint(self, frame: ViewFrame, painted_at: float) -> None:
        """`painted_at`: `time.perf_counter()` when the paint showing `frame` finished."""
        latency_ms = (painted_at - frame.captured_at) * 1e3
        self._latencies.append(latency_ms)
        self._all_latencies.append(latency_ms)
        self._stages.append(frame.result.timings_ms)
        self._paint_times.append(painted_at)
        while self._paint_times and painted_at - self._paint_times[0] > FPS_WINDOW_S:
            self._paint_times.popleft()
        self._dropped = frame.dropped_total
        self._device = frame.device
        self.painted += 1
        if self._first_paint is None:
            self._first_paint = painted_at
        self._last_paint = painted_at

    def snapshot(self) -> StatsSnapshot:
        times = self._paint_times
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) >= 2 and times[-1] > times[0] else 0.0
        latencies = list(self._latencies)
        stages = {
            name: statistics.fmean(t[name] for t in self._stages if name in t)
            for name in STAGES
            if any(name in t for t in self._stages)
        }
        return StatsSnapshot(
            fps=fps,
            latency_median_ms=statistics.median(latencies) if latencies else None,
            latency_p95_ms=percentile(latencies, 95) if latencies else None,
            stages_ms=stages,
            dropped=self._dropped,
            device=self._device,
            painted=self.painted,
        )

    def summary(self) -> str:
        """One line over the whole run: painted frames, latency median/p95/max, dropped frames."""
        values = list(self._all_latencies)
        if not values:
            return "no frame was painted"
        span = self._last_paint - (self._first_paint or 0.0)
        rate = f" ({(self.painted - 1) / span:.1f} frames/s)" if self.painted > 1 and span > 0 else ""
        return (f"{self.painted} frames painted{rate}, capture-to-paint latency median "
                f"{statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
                f"max {max(values):.1f} ms, {self._dropped} frames dropped by the worker")


class StallMeter:
    """Longest time the GUI thread was late for a periodic tick (one tick per `interval_s`)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: float | None = None
        self._lates: deque[float] = deque(maxlen=SUMMARY_LIMIT)

    def tick(self, now: float) -> None:
        if self._last is not None:
            self._lates.append(max(0.0, now - self._last - self.interval_s))
        self._last = now

    def summary(self) -> str:
        if not self._lates:
            return "no GUI ticks measured"
        values_ms = [v * 1e3 for v in self._lates]
        return (f"GUI thread lateness over {len(values_ms)} ticks: p99 "
                f"{percentile(values_ms, 99):.1f} ms, max {max(values_ms):.1f} ms")
