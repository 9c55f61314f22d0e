"""How thick each arm segment is, measured in the parse across the bone.

Bare arms have their own labels and are measured by their skin. A sleeved arm is "upper
clothes" to the parser, like the torso it hangs against; its thickness still shows across the
bone: clothing runs from the bone to the arm's edge on both sides, and where one side runs on
into the torso the other side stops at the arm's real edge — so the smaller reach is taken.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.pipeline.rays import labels_on_rays
from models.parsing.labels import Label
from models.parsing.parser import MIN_SEEN_VISIBILITY, in_sight
from models.pose import ARMS, Person

# (side, "upper"|"fore") → the segment's two joints: left upper, left fore, right upper, right fore.
SEGMENTS = {key: joints for side, arm in ARMS.items()
            for key, joints in (((side, "upper"), (arm.shoulder, arm.elbow)), ((side, "fore"), (arm.elbow, arm.wrist)))}
SKIN_LABELS = (Label.LEFT_ARM, Label.RIGHT_ARM, Label.GLOVE)
ARM_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT) + SKIN_LABELS
MIN_HALF, MAX_HALF = 0.07, 0.22  # × shoulder width: the range an arm's half-thickness is believed in
_SKIN_LUT = np.zeros(256, bool)
_SKIN_LUT[list(SKIN_LABELS)] = True
_ARM_LUT = np.zeros(256, bool)
_ARM_LUT[list(ARM_LABELS)] = True


def seen(person: Person, key: tuple[str, str]) -> bool:
    """Whether the pose sees both ends of the arm segment `key` (side, "upper"|"fore"): a hidden
    arm's guessed joints wander by 10–20 px from frame to frame and lie on whatever hides it."""
    return bool(person.visibility[list(SEGMENTS[key])].min() >= MIN_SEEN_VISIBILITY)


def hang_unseen_forearms(person: Person, invented_hands: frozenset[str], frame_size: tuple[int, int]) -> Person:
    """`person` with each forearm that is out of sight hanging straight on from its upper arm.

    Out of sight: the pose sees no elbow inside the frame, and either it does not see the wrist
    or the parse finds the hand invented (`ParseResult.invented_hands`). The pose then now and
    then raises an arm that hangs below the frame up across the chest, and a long sleeve followed
    it there (the demo; a webcam close-up).
    Wrist and hand are turned rigidly about the elbow, their distances kept, and marked unseen
    (visibility 0), so nothing takes them for an arm in front of the body. frame_size: (width, height).
    """
    landmarks, visibility, in_frame = person.landmarks.copy(), person.visibility.copy(), person.in_frame.copy()
    hung = False
    for side, (shoulder, elbow, wrist, fingers) in ARMS.items():
        hand = (wrist, *fingers)
        if in_sight(person, elbow) or (side not in invented_hands and visibility[wrist] >= MIN_SEEN_VISIBILITY):
            continue
        upper = landmarks[elbow] - landmarks[shoulder]
        fore = landmarks[wrist] - landmarks[elbow]
        turn = np.arctan2(upper[1], upper[0]) - np.arctan2(fore[1], fore[0])
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]], np.float32)
        landmarks[list(hand)] = (landmarks[list(hand)] - landmarks[elbow]) @ rotation.T + landmarks[elbow]
        visibility[list(hand)] = 0.0
        hung = True
        x, y = landmarks[list(hand)].T
        in_frame[list(hand)] = (x >= 0) & (x < frame_size[0]) & (y >= 0) & (y < frame_size[1])
    if not hung:
        return person
    return replace(person, landmarks=landmarks, visibility=visibility, in_frame=in_frame)


def _reaches(labels: np.ndarray, centres: np.ndarray, directions: np.ndarray, limit: int,
             luts: np.ndarray) -> np.ndarray:
    """(N,) steps from each centre along its direction before the first pixel its LUT rejects.

    centres, directions: (N, 2) frame px; luts: (N, 256) bool, one label table per ray.
    """
    steps, _, _, inside, on_ray = labels_on_rays(labels, centres, directions, np.full(len(centres), float(limit)))
    ok = inside & np.take_along_axis(luts, on_ray.astype(np.intp), axis=1)
    return np.where((~ok).any(1), (~ok).argmax(1), len(steps))


def arm_half_widths(person: Person, labels: np.ndarray | None) -> dict[tuple[str, str], float]:
    """(side, "upper"|"fore") → half-thickness in frame pixels, within [MIN_HALF, MAX_HALF] × shoulders."""
    points = person.landmarks
    shoulders = person.shoulder_width
    low, high = MIN_HALF * shoulders, MAX_HALF * shoulders
    if labels is None:
        return {key: (low + high) / 2 for key in SEGMENTS}
    fractions = np.array([0.35, 0.5, 0.65], np.float32)
    ends = points[np.array(list(SEGMENTS.values()))].astype(np.float32)  # (4, 2, 2): each segment's joints
    along = ends[:, 1] - ends[:, 0]
    along /= np.maximum(np.hypot(along[:, 0], along[:, 1]), 1e-6)[:, None]
    normals = np.stack([-along[:, 1], along[:, 0]], 1)  # (4, 2)
    centres = ends[:, None, 0] + (ends[:, 1] - ends[:, 0])[:, None] * fractions[None, :, None]  # (4, 3, 2)
    x, y = np.round(centres[..., 0]).astype(int), np.round(centres[..., 1]).astype(int)
    inside = (x >= 0) & (x < labels.shape[1]) & (y >= 0) & (y < labels.shape[0])
    # A bare arm is measured by its skin alone: the top it hangs against is not arm.
    on_skin = inside & _SKIN_LUT[labels[np.clip(y, 0, labels.shape[0] - 1), np.clip(x, 0, labels.shape[1] - 1)]]
    signs = np.array([1.0, -1.0], np.float32)
    centres = np.repeat(centres.reshape(-1, 2), 2, 0)  # (24, 2): each position, twice (both sides)
    directions = (normals[:, None, None, :] * signs[None, None, :, None]).repeat(len(fractions), 1).reshape(-1, 2)
    tables = np.where(np.repeat(on_skin.reshape(-1), 2)[:, None], _SKIN_LUT[None], _ARM_LUT[None])
    reach = _reaches(labels, centres, directions, int(high) + 2, tables)
    # Per segment: 3 positions × 2 sides → the smaller side at each position, then the median.
    per_position = reach.reshape(len(SEGMENTS), len(fractions), 2).min(2)
    middle = np.sort(per_position, 1)[:, len(fractions) // 2]  # the median of 3 (np.median: ~30 µs a call)
    return {key: float(np.clip(value, low, high)) for key, value in zip(SEGMENTS, middle)}
