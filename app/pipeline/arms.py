"""How thick each arm segment is, and where its edges lie about the bone, measured in the parse
across the bone.

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
from models.pose import BlazePose as B

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
_PERSON_LUT = np.ones(256, bool)
_PERSON_LUT[Label.BACKGROUND] = False


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


def _first_rejected(ok: np.ndarray) -> np.ndarray:
    """(N,) each ray's steps before its first False in (N, S) bool `ok` (S where there is none)."""
    return np.where((~ok).any(1), (~ok).argmax(1), ok.shape[1])


def arm_measures(person: Person, labels: np.ndarray | None
                 ) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], np.ndarray]]:
    """(side, "upper"|"fore") → each arm segment's half-thickness in frame pixels, within
    [MIN_HALF, MAX_HALF] × shoulders; and → its (2,) float64 reaches from the bone in frame
    pixels, the median of the three cross-sections: away from the body to the arm's edge, and
    towards the body to the background; either is at most MAX_HALF × shoulders.
    The reaches say where the arm's middle lies about the bone: the pose's bone is often nearer
    one edge than the other (VITON-HD 00006's left forearm: 5 px from its outer edge)."""
    points = person.landmarks
    shoulders = person.shoulder_width
    low, high = MIN_HALF * shoulders, MAX_HALF * shoulders
    if labels is None:
        return ({key: (low + high) / 2 for key in SEGMENTS},
                {key: np.full(2, high) for key in SEGMENTS})
    fractions = np.array([0.35, 0.5, 0.65], np.float32)
    ends = points[np.array(list(SEGMENTS.values()))].astype(np.float32)  # (4, 2, 2): each segment's joints
    along = ends[:, 1] - ends[:, 0]
    along /= np.maximum(np.hypot(along[:, 0], along[:, 1]), 1e-6)[:, None]
    normals = np.stack([-along[:, 1], along[:, 0]], 1)  # (4, 2)
    # +1 where a segment's normal points away from the body: from the shoulders' middle towards
    # its own shoulder, as the sleeves take it (fit._fit_sleeves).
    middle = (points[B.LEFT_SHOULDER] + points[B.RIGHT_SHOULDER]) / 2
    own_shoulders = points[[ARMS[side].shoulder for side, _ in SEGMENTS]]  # (4, 2)
    away = np.sign(((own_shoulders - middle) * normals).sum(1))
    away[away == 0] = 1.0
    centres = ends[:, None, 0] + (ends[:, 1] - ends[:, 0])[:, None] * fractions[None, :, None]  # (4, 3, 2)
    x, y = np.round(centres[..., 0]).astype(int), np.round(centres[..., 1]).astype(int)
    inside = (x >= 0) & (x < labels.shape[1]) & (y >= 0) & (y < labels.shape[0])
    # A bare arm is measured by its skin alone: the top it hangs against is not arm.
    on_skin = inside & _SKIN_LUT[labels[np.clip(y, 0, labels.shape[0] - 1), np.clip(x, 0, labels.shape[1] - 1)]]
    signs = np.array([1.0, -1.0], np.float32)
    centres = np.repeat(centres.reshape(-1, 2), 2, 0)  # (24, 2): each position, twice (both sides)
    directions = (normals[:, None, None, :] * signs[None, None, :, None]).repeat(len(fractions), 1).reshape(-1, 2)
    tables = np.where(np.repeat(on_skin.reshape(-1), 2)[:, None], _SKIN_LUT[None], _ARM_LUT[None])
    limit = int(high) + 2
    _, _, _, inside, on_ray = labels_on_rays(labels, centres, directions, np.full(len(centres), float(limit)))
    on_arm = inside & np.take_along_axis(tables, on_ray.astype(np.intp), axis=1)
    reach = _first_rejected(on_arm).reshape(len(SEGMENTS), len(fractions), 2)
    # Per segment: 3 positions × 2 sides → the smaller side at each position, then the median.
    # (The mean of two sides that both end at an edge suits a bone off the arm's middle better in
    # theory, but widened VITON-HD 00006's sleeves over the wall: one "edge" is often a neighbour
    # label, a hand or the trousers, not the arm's.)
    middle_of_3 = len(fractions) // 2  # np.median: ~30 µs a call
    thickness = np.sort(reach.min(2), 1)[:, middle_of_3]
    # Away from the body the arm ends where its cloth or skin does; towards it, only where the
    # background begins: an arm hanging in front of the hips ends at the trousers in the parse,
    # but a sleeve moved in over them is still on the body.
    clear = _first_rejected(inside & _PERSON_LUT[on_ray]).reshape(len(SEGMENTS), len(fractions), 2)
    plus_is_away = (away > 0)[:, None]
    sides = np.stack([np.where(plus_is_away, reach[..., 0], reach[..., 1]),  # (4, 3, 2): outer, inner
                      np.where(plus_is_away, clear[..., 1], clear[..., 0])], 2)
    sides = np.sort(np.minimum(sides, limit).astype(np.float64), 1)[:, middle_of_3]  # (4, 2)
    return ({key: float(np.clip(value, low, high)) for key, value in zip(SEGMENTS, thickness)},
            {key: np.minimum(pair, high) for key, pair in zip(SEGMENTS, sides)})
