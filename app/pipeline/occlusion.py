"""What stays in front of the new garment: face, hair, hands, and arms in front of the torso.

Masks are (h, w) uint8 0/255 over a box of the frame (the box the garment layers cover), built
from the parse labels and the pose. Two masks, because the layers differ: the torso goes under
the arms, while sleeves go over the arms they clothe — only face, hair and hands beat a sleeve.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.pipeline.arms import seen
from models.parsing.labels import Label
from models.parsing.parser import MIN_SEEN_VISIBILITY, WORK_SIZE
from models.pose import ARMS, Person

HAND_RADIUS = 0.16  # × shoulder width
FEATHER_PX = 2  # blur radius of the masks' edges (frame px)
# Frames whose longer side is at least this are masked at half resolution: their label map, a
# parse at most WORK_SIZE px long scaled up, has edges in steps of 2 px or more anyway.
HALF_RESOLUTION_FROM = 2 * WORK_SIZE
_ORIGIN = np.zeros(2, np.float32)  # for `_line` on points already in a mask's own pixels
_GROW_HALF = np.ones((3, 3), np.uint8)  # one half-resolution pixel (see the end of build_occlusion)
HEAD_LABELS = (Label.FACE, Label.HAIR, Label.HAT, Label.SUNGLASSES)
ARM_LABELS = (Label.LEFT_ARM, Label.RIGHT_ARM, Label.GLOVE)


@dataclass(frozen=True)
class Occlusion:
    over_torso: np.ndarray  # (h, w) uint8 0..255: what hides the torso panel
    over_sleeves: np.ndarray  # (h, w) uint8 0..255: what hides the sleeves


def label_lut(labels: tuple[int, ...]) -> np.ndarray:
    """(256,) uint8 lookup table: 255 for the given label ids, 0 otherwise (for cv2.LUT)."""
    table = np.zeros(256, np.uint8)
    table[list(labels)] = 255
    return table


_HEAD_LUT = label_lut(HEAD_LABELS)
_ARM_LUT = label_lut(ARM_LABELS)
_CLOTHING_LUT = label_lut((Label.UPPER_CLOTHES, Label.DRESS, Label.COAT))
_GARMENT_LUT = label_lut((Label.UPPER_CLOTHES, Label.DRESS, Label.COAT, Label.PANTS, Label.SKIRT, Label.SOCKS,
                          Label.SCARF))
_PERSON_LUT = np.full(256, 255, np.uint8)
_PERSON_LUT[0] = 0


def _line(canvas: np.ndarray, a: np.ndarray, b: np.ndarray, origin: np.ndarray, radius: float) -> None:
    pa, pb = np.round(a - origin).astype(int), np.round(b - origin).astype(int)
    cv2.line(canvas, tuple(pa), tuple(pb), 255, max(1, int(2 * radius)))
    cv2.circle(canvas, tuple(pb), max(1, int(radius)), 255, -1)


def arm_mask(person: Person, half_widths: dict[tuple[str, str], float], box: tuple[int, int, int, int],
             starts: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """(h, w) uint8 0/255 over `box`: both arms as capsules of their measured half-widths, from
    the shoulder joint (or `starts[side]`, a point on the upper arm) to a hand's length past the
    wrist (the whole sleeve, cuff included)."""
    x0, y0, x1, y1 = box
    origin = np.array([x0, y0], np.float32)
    canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for side, (shoulder, elbow, wrist, _) in ARMS.items():
        points = person.landmarks
        start = starts.get(side) if starts else None
        _line(canvas, points[shoulder] if start is None else start, points[elbow], origin,
              half_widths[(side, "upper")])
        beyond = points[wrist] + (points[wrist] - points[elbow]) * 0.25
        _line(canvas, points[elbow], beyond, origin, half_widths[(side, "fore")])
    return canvas


def armhole_zones(roots: tuple[tuple[np.ndarray, np.ndarray], ...], centre: np.ndarray) -> tuple[np.ndarray, ...]:
    """(4, 2) float32 polygons, one per sleeve: from a sleeve's root (seam → armpit, frame px)
    inwards as far as `centre` (the shoulders' midpoint), above the armpit.

    The parser calls a bare shoulder "arm" well into the chest, but a sleeved garment's torso
    panel covers the shoulders up to its sleeves' roots (the yoke): kept in front of the torso
    there, bare shoulders showed through the garment beside each sleeve. (A forearm raised
    across the top of the chest goes under the garment too; the hand stays in front.)"""
    zones = []
    for seam, armpit in roots:
        along = armpit - seam
        inward = np.array([-along[1], along[0]], np.float64) / max(float(np.hypot(*along)), 1e-6)
        if inward @ (centre - seam) < 0:
            inward = -inward
        depth = max(float((centre - seam) @ inward), 0.0)
        zones.append(np.array([seam, armpit, armpit + inward * depth, seam + inward * depth], np.float32))
    return tuple(zones)


def build_occlusion(labels: np.ndarray, person: Person, box: tuple[int, int, int, int],
                    arm_half_widths: dict[tuple[str, str], float] | None,
                    armholes: tuple[np.ndarray, ...] = (), clothed: np.ndarray | None = None) -> Occlusion:
    """Masks over `box` (x0, y0, x1, y1) of the frame from full-frame labels (H, W) uint8.

    arm_half_widths: (side, "upper"|"fore") → px, the radius of each clothed arm segment's core
    kept in front of the torso; None when the new garment covers the old top (its own sleeves
    are drawn over those arms, and the old sleeve must not show through beside them).
    armholes: (K, 2) float frame-pixel polygons where a bare arm does not hide the torso panel
    (`armhole_zones`). clothed: (h, w) uint8 over the box, non-zero on bare arm the new sleeves
    clothe (`cover.sleeve_skin`), or None: it hides nothing, and its feathered edge would show the
    old top beside it as a dark outline.

    On large frames (HALF_RESOLUTION_FROM) they are built at half resolution and enlarged: a
    720p frame's label map is a parse at about a quarter of its size scaled up, with edges in
    steps of ~4 px, and the masks' edges are feathered anyway. At full size the same masks took
    2.6 ms of the renderer's ~19 per demo frame, at half 1.3 ms. (On a small photo, whose parse is
    near its own size, half resolution cost bare arms 0.4–0.9 % of their pixels: CIHP 0005008.)
    """
    x0, y0, x1, y1 = box
    factor = 2 if max(labels.shape) >= HALF_RESOLUTION_FROM else 1
    full = (x1 - x0, y1 - y0)
    size = (max(1, -(-full[0] // factor)), max(1, -(-full[1] // factor)))  # rounded up: width, height
    region = labels[y0:y1, x0:x1] if factor == 1 else cv2.resize(labels[y0:y1, x0:x1], size,
                                                                 interpolation=cv2.INTER_NEAREST)
    # Frame px → mask px (the box's own scale on each axis: 1, or ~½).
    scale = np.array([size[0] / full[0], size[1] / full[1]], np.float32)
    origin = np.array([x0, y0], np.float32)
    to_mask = lambda points: (np.asarray(points, np.float32) - origin) * scale  # noqa: E731
    radius_scale = float(scale.mean())  # radii likewise
    width = person.shoulder_width * radius_scale
    head = cv2.LUT(region, _HEAD_LUT)
    person_mask = cv2.LUT(region, _PERSON_LUT)
    hands = np.zeros_like(head)
    for _, _, wrist, fingers in ARMS.values():
        if float(person.visibility[[wrist, *fingers]].mean()) < MIN_SEEN_VISIBILITY:
            continue  # a hand the pose only guesses lies on whatever hides it: the parse's arms decide
        for finger in fingers:
            _line(hands, to_mask(person.landmarks[wrist]), to_mask(person.landmarks[finger]), _ORIGIN,
                  HAND_RADIUS * width)
    # Only where the person really is, and on no garment: not on a sleeve's cuff (the wrist
    # landmark often sits inside it; the parser labels the hand itself as arm), nor on the
    # trousers a hand hangs beside (they punched holes the hand's shape in a long sleeve's end).
    hands &= person_mask & ~cv2.LUT(region, _GARMENT_LUT)
    arms = cv2.LUT(region, _ARM_LUT)
    if armholes:
        yokes = np.zeros_like(arms)
        cv2.fillPoly(yokes, [np.round(to_mask(zone)).astype(np.int32) for zone in armholes], 255)
        arms &= ~yokes
    if clothed is not None:
        arms &= ~(clothed if factor == 1 else cv2.resize(clothed, size, interpolation=cv2.INTER_NEAREST))
    # A clothed arm is "upper clothes" to the parser: its measured capsule still hides the torso
    # (from a third of the way down the upper arm, below where sleeve and torso meet).
    cores = np.zeros_like(head)
    # Only the segments the pose sees: a guessed forearm lies on the torso it is hidden behind.
    for side, (shoulder, elbow, wrist, _) in ARMS.items() if arm_half_widths else ():
        if seen(person, (side, "fore")):
            _line(cores, to_mask(person.landmarks[elbow]), to_mask(person.landmarks[wrist]), _ORIGIN,
                  arm_half_widths[(side, "fore")] * radius_scale)
        if seen(person, (side, "upper")):
            upper_end = person.landmarks[elbow]
            start = person.landmarks[shoulder] + (upper_end - person.landmarks[shoulder]) * 0.35
            _line(cores, to_mask(start), to_mask(upper_end), _ORIGIN, arm_half_widths[(side, "upper")] * radius_scale)
    cores &= cv2.LUT(region, _CLOTHING_LUT)  # bare arms are already in `arms`, exactly
    front = head | hands
    over_torso = front | arms | cores
    # Grow by the feather radius before blurring: the soft edge then falls on the garment side,
    # and the occluding part itself stays fully visible. At half resolution the enlarging's own
    # bilinear ramp (2 px) is the soft edge, after growing by one half-resolution pixel — which
    # also covers the nearest-neighbour shrink's misplacement of the edge by up to a pixel (with a
    # blur as well, the ramp reached 3 px into the face and arms).
    if factor == 1:
        kernel = 2 * FEATHER_PX + 1
        grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel))
        soften = lambda mask: cv2.GaussianBlur(cv2.dilate(mask, grow), (kernel, kernel), 0)  # noqa: E731
    else:
        soften = lambda mask: cv2.resize(cv2.dilate(mask, _GROW_HALF), full,  # noqa: E731
                                         interpolation=cv2.INTER_LINEAR)
    return Occlusion(soften(over_torso), soften(front))
