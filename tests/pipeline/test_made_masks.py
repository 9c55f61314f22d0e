"""`app.made_masks`: the top's mask GrabCut makes for photos without a labelled parse map."""

from __future__ import annotations

import numpy as np

from app.made_masks import grabcut_top
from models.parsing import Label


def test_grabcut_finds_the_drawn_top_and_leaves_face_arms_and_trousers_out(drawn_person) -> None:
    # A noisy photo, as a camera's, of the drawn person: a green top, bare arms, a face, trousers.
    frame, perception = drawn_person()
    noisy = np.clip(frame + np.random.default_rng(0).normal(0, 4, frame.shape), 0, 255).astype(np.uint8)
    top = grabcut_top(noisy, perception.pose.primary)
    labels = perception.parse.labels
    truth = labels == Label.UPPER_CLOTHES
    # The arms hang in front of the top's sides here; the top is what shows.
    assert (top & truth).sum() / (top | truth).sum() >= 0.9
    for other in (Label.FACE, Label.HAIR, Label.LEFT_ARM, Label.RIGHT_ARM, Label.PANTS):
        assert top[labels == other].mean() <= 0.02, other
