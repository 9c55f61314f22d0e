"""Where each garment landmark goes on the body, for one frame.

1. A similarity (rotation + uniform scale) from the garment's shoulder seam points to the body's
   places them all with the garment's own proportions: the hem lands where this garment's hem
   would on this person, instead of being pulled to the hips (which smears the bottom rows).
2. Fit to cover: when the new garment's sleeves are at least as long as the wearer's own, the
   torso's sides and hem move out to cover the wearer's current top as the parser sees it, within
   a bounded stretch. A shorter-sleeved garment (a tank over a t-shirt) is not stretched: what it
   cannot cover is left as it is rather than painted over.
3. Sleeves follow the arm bones: the garment sleeve is cut into a quad per arm segment and each
   quad is placed along its bone, pivoting at the shoulder; long sleeves stop at the wrist.

Coordinates: garment pixels (x right, y down) for `garment_*`, frame pixels for `body_*`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.garments.model import Garment, SleeveKind
from models.parsing.labels import Label
from models.pose import BlazePose as B
from models.pose import Person

SHOULDER_OUT = 0.06  # body shoulder seam: outward from the joint, × shoulder width
SHOULDER_UP = 0.05  # and up
COVER_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT)
MAX_WIDEN = 1.35  # the most a side may move out from the garment's own width, × that half-width
MAX_LENGTHEN = 1.25  # the most the hem may move down, × the garment's own shoulder-to-hem length
COVER_MARGIN = 0.03  # × shoulder width, beyond the old top's edge
ARM_EXCLUDE = 0.20  # × shoulder width: the arm's core, not part of the torso's silhouette
SLEEVE_RANK = {SleeveKind.NONE: 0, SleeveKind.SHORT: 1, SleeveKind.LONG: 2}


@dataclass(frozen=True)
class SleeveFit:
    side: str  # "left" or "right" (the wearer's)
    garment_quads: np.ndarray  # (K, 4, 2) float32: root outer, root inner, end inner, end outer
    body_quads: np.ndarray  # (K, 4, 2) float32, same corner order, frame pixels


@dataclass(frozen=True)
class GarmentFit:
    garment_points: np.ndarray  # (N, 2) float32 torso control points, garment pixels
    body_points: np.ndarray  # (N, 2) float32 their targets, frame pixels
    sleeves: tuple[SleeveFit, ...]
    scale: float  # frame pixels per garment pixel
    cover: bool  # fitted to cover the wearer's own top


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.hypot(*v)), 1e-6)


def _frame_axes(side: np.ndarray) -> np.ndarray:
    """(2, 2) rows: the unit 'towards the wearer's left' and 'up' vectors."""
    side = _unit(side)
    return np.stack([side, np.array([side[1], -side[0]])])


def body_shoulders(person: Person) -> tuple[np.ndarray, np.ndarray]:
    """Shoulder seam points (left, right) in frame pixels: a little out and up from the joints."""
    left, right = person.landmarks[B.LEFT_SHOULDER], person.landmarks[B.RIGHT_SHOULDER]
    side, up = _frame_axes(left - right)
    width = float(np.hypot(*(left - right)))
    return (left + (side * SHOULDER_OUT + up * SHOULDER_UP) * width,
            right + (-side * SHOULDER_OUT + up * SHOULDER_UP) * width)


def worn_sleeve_kind(person: Person, labels: np.ndarray | None) -> SleeveKind:
    """How long the wearer's own sleeves are, from what the parser calls clothing along each arm."""
    if labels is None:
        return SleeveKind.NONE
    height, width = labels.shape

    def clothed(a: int, b: int) -> float:
        points = np.linspace(person.landmarks[a], person.landmarks[b], 12)[2:-1]
        inside = [(int(y), int(x)) for x, y in points if 0 <= x < width and 0 <= y < height]
        return np.mean([labels[p] in COVER_LABELS for p in inside]) if inside else 0.0

    forearm = max(clothed(B.LEFT_ELBOW, B.LEFT_WRIST), clothed(B.RIGHT_ELBOW, B.RIGHT_WRIST))
    upper = max(clothed(B.LEFT_SHOULDER, B.LEFT_ELBOW), clothed(B.RIGHT_SHOULDER, B.RIGHT_ELBOW))
    if forearm > 0.5:
        return SleeveKind.LONG
    return SleeveKind.SHORT if upper > 0.5 else SleeveKind.NONE


def _extent_along(labels: np.ndarray, exclude: np.ndarray | None, origin: np.ndarray, direction: np.ndarray,
                  reach: float) -> float:
    """How far from `origin` along `direction` the wearer's top reaches (0 if not at all)."""
    height, width = labels.shape
    steps = np.arange(0.0, reach, 1.0)
    points = origin + steps[:, None] * direction
    x, y = np.round(points[:, 0]).astype(int), np.round(points[:, 1]).astype(int)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    hit = np.zeros(len(steps), bool)
    hit[inside] = np.isin(labels[y[inside], x[inside]], COVER_LABELS)
    if exclude is not None:
        hit[inside] &= ~exclude[y[inside], x[inside]]
    return float(steps[hit].max()) if hit.any() else 0.0


def _arm_cores(person: Person, shape: tuple[int, int], width: float) -> np.ndarray:
    canvas = np.zeros(shape, np.uint8)
    thickness = max(1, int(2 * ARM_EXCLUDE * width))
    for a, b in ((B.LEFT_ELBOW, B.LEFT_WRIST), (B.RIGHT_ELBOW, B.RIGHT_WRIST),
                 (B.LEFT_SHOULDER, B.LEFT_ELBOW), (B.RIGHT_SHOULDER, B.RIGHT_ELBOW)):
        cv2.line(canvas, tuple(np.round(person.landmarks[a]).astype(int)),
                 tuple(np.round(person.landmarks[b]).astype(int)), 1, thickness)
    return canvas.astype(bool)


def fit_garment(garment: Garment, person: Person, labels: np.ndarray | None) -> GarmentFit:
    """Control points for the torso warp and quads for the sleeves of `garment` on `person`."""
    lm = {name: np.array(point, np.float64) for name, point in garment.landmarks.items()}
    body_left, body_right = body_shoulders(person)
    body_axes = _frame_axes(body_left - body_right)
    garment_axes = _frame_axes(lm["shoulder_left"] - lm["shoulder_right"])
    scale = float(np.hypot(*(body_left - body_right)) / max(np.hypot(*(lm["shoulder_left"] - lm["shoulder_right"])), 1e-6))
    garment_mid = (lm["shoulder_left"] + lm["shoulder_right"]) / 2
    body_mid = (body_left + body_right) / 2

    def place(point: np.ndarray) -> np.ndarray:
        # Garment point in (side, up) coordinates about the shoulder midpoint, replayed on the body.
        local = garment_axes @ (point - garment_mid)
        return body_mid + scale * (local @ body_axes)

    target = {name: place(point) for name, point in lm.items()}
    cover = labels is not None and SLEEVE_RANK[garment.sleeve_kind] >= SLEEVE_RANK[worn_sleeve_kind(person, labels)]
    if cover:
        _cover_top(target, person, labels, body_axes, body_mid)

    names = ["neck_center", "collar_left", "collar_right", "shoulder_left", "shoulder_right",
             "armpit_left", "armpit_right", "hem_left", "hem_right", "hem_center"]
    garment_points = [lm[n] for n in names]
    body_points = [target[n] for n in names]
    for side in ("left", "right"):  # side midpoints keep the flanks straight between armpit and hem
        garment_points.append((lm[f"armpit_{side}"] + lm[f"hem_{side}"]) / 2)
        body_points.append((target[f"armpit_{side}"] + target[f"hem_{side}"]) / 2)
    sleeves = _fit_sleeves(garment, person, lm, target, scale) if garment.sleeve_kind is not SleeveKind.NONE else ()
    return GarmentFit(np.array(garment_points, np.float32), np.array(body_points, np.float32), sleeves, scale, cover)


def _cover_top(target: dict[str, np.ndarray], person: Person, labels: np.ndarray, axes: np.ndarray,
               body_mid: np.ndarray) -> None:
    """Move the torso's sides and hem out so the wearer's current top is covered (bounded)."""
    side_dir, up = axes
    width = float(np.hypot(*(person.landmarks[B.LEFT_SHOULDER] - person.landmarks[B.RIGHT_SHOULDER])))
    exclude = _arm_cores(person, labels.shape, width)
    margin = COVER_MARGIN * width
    for row in ("armpit", "hem"):
        centre = (target[f"{row}_left"] + target[f"{row}_right"]) / 2
        for side, sign in (("left", 1.0), ("right", -1.0)):
            point = target[f"{row}_{side}"]
            own = float((point - centre) @ side_dir) * sign  # the garment's own half-width here
            reach = _extent_along(labels, exclude, centre, side_dir * sign, own * MAX_WIDEN + margin)
            wanted = min(max(own, reach + margin), own * MAX_WIDEN)
            target[f"{row}_{side}"] = point + side_dir * sign * (wanted - own)
    # Lengthen the hem (all three points together) to the bottom of the old top, bounded.
    hem_centre = target["hem_center"]
    own_length = float((body_mid - hem_centre) @ up)
    reach = _extent_along(labels, exclude, body_mid, -up, own_length * MAX_LENGTHEN + margin)
    extra = min(max(0.0, reach + margin - own_length), own_length * (MAX_LENGTHEN - 1))
    for name in ("hem_left", "hem_right", "hem_center"):
        target[name] = target[name] - up * extra


def _fit_sleeves(garment: Garment, person: Person, lm: dict[str, np.ndarray], target: dict[str, np.ndarray],
                 scale: float) -> tuple[SleeveFit, ...]:
    fits = []
    for side, shoulder_j, elbow_j, wrist_j in (("left", B.LEFT_SHOULDER, B.LEFT_ELBOW, B.LEFT_WRIST),
                                               ("right", B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST)):
        g_outer_root, g_inner_root = lm[f"shoulder_{side}"], lm[f"armpit_{side}"]
        g_inner_end, g_outer_end = lm[f"sleeve_{side}_inner"], lm[f"sleeve_{side}_outer"]
        g_root, g_end = (g_outer_root + g_inner_root) / 2, (g_outer_end + g_inner_end) / 2
        sleeve_length = float(np.hypot(*(g_end - g_root))) * scale
        b_outer_root, b_inner_root = target[f"shoulder_{side}"], target[f"armpit_{side}"]
        b_root = (b_outer_root + b_inner_root) / 2
        joints = person.landmarks
        upper = _unit(joints[elbow_j] - joints[shoulder_j])
        upper_length = float(np.hypot(*(joints[elbow_j] - b_root)))
        end_half_width = float(np.hypot(*(g_outer_end - g_inner_end))) * scale / 2
        # Which way is "outer" across the arm: away from the body's midline at the root.
        across = np.array([-upper[1], upper[0]])
        if (b_outer_root - b_inner_root) @ across < 0:
            across = -across
        if sleeve_length <= upper_length or garment.sleeve_kind is SleeveKind.SHORT:
            end = b_root + upper * min(sleeve_length, upper_length * 1.05)
            body_quads = [[b_outer_root, b_inner_root, end - across * end_half_width, end + across * end_half_width]]
            garment_quads = [[g_outer_root, g_inner_root, g_inner_end, g_outer_end]]
        else:
            fore = _unit(joints[wrist_j] - joints[elbow_j])
            fore_length = min(sleeve_length - upper_length, float(np.hypot(*(joints[wrist_j] - joints[elbow_j]))))
            t = upper_length / (upper_length + fore_length)
            g_outer_mid = g_outer_root + (g_outer_end - g_outer_root) * t
            g_inner_mid = g_inner_root + (g_inner_end - g_inner_root) * t
            elbow_half = float(np.hypot(*(g_outer_mid - g_inner_mid))) * scale / 2
            elbow = joints[elbow_j]
            across_fore = np.array([-fore[1], fore[0]])
            if across_fore @ across < 0:
                across_fore = -across_fore
            bend = _unit(across + across_fore)  # the elbow line bisects the two segments
            wrist = elbow + fore * fore_length  # never past the wrist: hands stay bare
            body_quads = [
                [b_outer_root, b_inner_root, elbow - bend * elbow_half, elbow + bend * elbow_half],
                [elbow + bend * elbow_half, elbow - bend * elbow_half, wrist - across_fore * end_half_width,
                 wrist + across_fore * end_half_width],
            ]
            garment_quads = [[g_outer_root, g_inner_root, g_inner_mid, g_outer_mid],
                             [g_outer_mid, g_inner_mid, g_inner_end, g_outer_end]]
        fits.append(SleeveFit(side, np.array(garment_quads, np.float32), np.array(body_quads, np.float32)))
    return tuple(fits)
