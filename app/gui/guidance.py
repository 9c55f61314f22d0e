"""When to tell the shopper why they see no garment. No Qt, so the rule is tested as it is.

The renderer draws a front-view garment only on someone upright and facing the camera with both
shoulders in the picture (`app.pipeline.tryon`). A shopper too near the camera, at its edge or
turned away is seen, but gets no garment, and with no word of why the mirror looks broken.
"""

from __future__ import annotations

from app.pipeline.frame import FrameResult

DRESSING_HINT = "Face the mirror with both shoulders in view to try it on"
HINT_AFTER_S = 1.0  # a person seen without the chosen garment this long: not a turn or a fade passing


class DressingHint:
    """Feed it every result; it says whether the hint should show now."""

    def __init__(self, after_s: float = HINT_AFTER_S) -> None:
        self.after_s = after_s
        self._undressed_since: float | None = None

    def update(self, result: FrameResult, now_s: float) -> bool:
        """`now_s`: the result's time in seconds (any monotonic clock)."""
        undressed = result.garment_id is not None and bool(result.perception.pose.people) and not result.drawn
        if not undressed:
            self._undressed_since = None
            return False
        if self._undressed_since is None:
            self._undressed_since = now_s
        return now_s - self._undressed_since >= self.after_s
