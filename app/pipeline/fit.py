"""Where each garment landmark goes on the body, for one frame.

1. A similarity (rotation + uniform scale) from the garment's shoulder seam points to the body's
   places them all with the garment's own proportions: the hem lands where this garment's hem
   would on this person, instead of being pulled to the hips (which smears the bottom rows).
2. Fit to cover: when the new garment's sleeves are at least as long as the wearer's own, the
   torso's sides and hem move out to cover the wearer's current top as the parser sees it, within
   a bounded stretch. A shorter-sleeved garment (a tank over a t-shirt) is not stretched: what it
   cannot cover is left as it is rather than painted over.
3. Sleeves follow the arm bones: each sleeve is turned rigidly about its root onto the upper arm
   (a second piece bends at the elbow for long sleeves), and long sleeves stop at the wrist.

Coordinates: garment pixels (x right, y down) for `garment_*`, frame pixels for `body_*`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.garments.model import TORSO_LANDMARKS, Garment, SleeveKind
from models.parsing.labels import Label
from models.pose import BlazePose as B
from models.pose import Person

SHOULDER_OUT = 0.06  # body shoulder seam: outward from the joint, × shoulder width
SHOULDER_UP = 0.05  # and up
COVER_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT)
MAX_WIDEN = 1.35  # the most a side may move out from the garment's own width, × that half-width
MAX_LENGTHEN = 1.25  # the most the hem may move down, × the garment's own shoulder-to-hem length
COVER_MARGIN = 0.03  # × shoulder width, beyond the old top's edge
ARM_EXCLUDE = 0.08  # × shoulder width: a thin core along clothed arms, not part of the torso's silhouette
MAX_NECK_RAISE = 0.2  # × shoulder width
FLANK_FRACTIONS = (0.33, 0.67)
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
    worn = worn_sleeve_kind(person, labels)
    cover = labels is not None and SLEEVE_RANK[garment.sleeve_kind] >= SLEEVE_RANK[worn]

    # Points along each flank keep the sides straight between armpit and hem (or, when covering,
    # follow the wearer's top there).
    for side in ("left", "right"):
        for fraction in FLANK_FRACTIONS:
            name = f"flank_{side}_{fraction:.2f}"
            lm[name] = lm[f"armpit_{side}"] + (lm[f"hem_{side}"] - lm[f"armpit_{side}"]) * fraction
            target[name] = target[f"armpit_{side}"] + (target[f"hem_{side}"] - target[f"armpit_{side}"]) * fraction
    if cover:
        _cover_top(target, person, labels, body_axes, body_mid, clothed_arms=worn is not SleeveKind.NONE)
    names = [name for name in lm if name in TORSO_LANDMARKS or name.startswith("flank_")]
    garment_points = [lm[n] for n in names]
    body_points = [target[n] for n in names]
    sleeves = _fit_sleeves(garment, person, lm, scale) if garment.sleeve_kind is not SleeveKind.NONE else ()
    return GarmentFit(np.array(garment_points, np.float32), np.array(body_points, np.float32), sleeves, scale, cover)


def _cover_top(target: dict[str, np.ndarray], person: Person, labels: np.ndarray, axes: np.ndarray,
               body_mid: np.ndarray, clothed_arms: bool) -> None:
    """Move the torso's sides and hem out so the wearer's current top is covered (bounded).

    Sleeved arms are clothing to the parser too; a thin core along their bones keeps an arm held
    out from the body from being taken for a very wide top.
    """
    side_dir, up = axes
    width = float(np.hypot(*(person.landmarks[B.LEFT_SHOULDER] - person.landmarks[B.RIGHT_SHOULDER])))
    exclude = _arm_cores(person, labels.shape, width) if clothed_arms else None
    margin = COVER_MARGIN * width
    rows = [("armpit_left", "armpit_right"), ("hem_left", "hem_right")] + [
        (f"flank_left_{f:.2f}", f"flank_right_{f:.2f}") for f in FLANK_FRACTIONS]
    for left_name, right_name in rows:
        centre = (target[left_name] + target[right_name]) / 2
        for name, sign in ((left_name, 1.0), (right_name, -1.0)):
            point = target[name]
            own = float((point - centre) @ side_dir) * sign  # the garment's own half-width here
            reach = _extent_along(labels, exclude, centre, side_dir * sign, own * MAX_WIDEN + margin)
            wanted = min(max(own, reach + margin), own * MAX_WIDEN)
            target[name] = point + side_dir * sign * (wanted - own)
    # Lengthen the hem (all three points together) to the bottom of the old top, bounded.
    hem_centre = target["hem_center"]
    own_length = float((body_mid - hem_centre) @ up)
    reach = _extent_along(labels, exclude, body_mid, -up, own_length * MAX_LENGTHEN + margin)
    extra = min(max(0.0, reach + margin - own_length), own_length * (MAX_LENGTHEN - 1))
    for name in ("hem_left", "hem_right", "hem_center"):
        target[name] = target[name] - up * extra
    # Raise a low neckline (a scoop over a crew neck) to the top's own, within a bound.
    neck = target["neck_center"]
    above = _extent_along(labels, exclude, neck, up, MAX_NECK_RAISE * width)
    if above > 0:
        target["neck_center"] = neck + up * min(above + margin, MAX_NECK_RAISE * width)


def _similarity(origin_g: np.ndarray, axis_g: np.ndarray, origin_b: np.ndarray, axis_b: np.ndarray, scale: float):
    """Garment → body map rotating `axis_g` onto `axis_b` about the origins, scaled by `scale`."""
    angle = np.arctan2(axis_b[1], axis_b[0]) - np.arctan2(axis_g[1], axis_g[0])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) * scale
    return lambda p: origin_b + rotation @ (np.asarray(p, np.float64) - origin_g)


def _outer_normal(bone: np.ndarray, towards: np.ndarray) -> np.ndarray:
    """Unit normal of `bone` on the side `towards` points to."""
    normal = _unit(np.array([-bone[1], bone[0]], np.float64))
    return normal if normal @ towards >= 0 else -normal


def _fit_sleeves(garment: Garment, person: Person, lm: dict[str, np.ndarray], scale: float) -> tuple[SleeveFit, ...]:
    """Each sleeve turned rigidly about its root onto the upper arm (and, past the elbow, the forearm).

    The flat-lay sleeve's centre line (armhole midpoint → cuff midpoint) is laid along the bone
    starting at the shoulder joint; its armhole edge stays as oblique as the garment cut it.
    Long sleeves bend at the elbow along the bisector of the two bones, so the two pieces share
    an edge (no gap, no overlap) and end at the wrist.
    """
    fits = []
    joints = person.landmarks
    for side, shoulder_j, elbow_j, wrist_j in (("left", B.LEFT_SHOULDER, B.LEFT_ELBOW, B.LEFT_WRIST),
                                               ("right", B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST)):
        g_outer_root, g_inner_root = lm[f"shoulder_{side}"], lm[f"armpit_{side}"]
        g_inner_end, g_outer_end = lm[f"sleeve_{side}_inner"], lm[f"sleeve_{side}_outer"]
        g_root, g_end = (g_outer_root + g_inner_root) / 2, (g_outer_end + g_inner_end) / 2
        g_axis = g_end - g_root
        g_length = float(np.hypot(*g_axis))
        upper = joints[elbow_j] - joints[shoulder_j]
        upper_length = float(np.hypot(*upper))
        place = _similarity(g_root, g_axis, joints[shoulder_j], upper, scale)
        quad_upper_root = [place(g_outer_root), place(g_inner_root)]
        if garment.sleeve_kind is SleeveKind.SHORT or g_length * scale <= upper_length:
            body_quads = [quad_upper_root + [place(g_inner_end), place(g_outer_end)]]
            garment_quads = [[g_outer_root, g_inner_root, g_inner_end, g_outer_end]]
        else:
            t = upper_length / (g_length * scale)  # where along the sleeve the elbow falls
            g_outer_mid = g_outer_root + (g_outer_end - g_outer_root) * t
            g_inner_mid = g_inner_root + (g_inner_end - g_inner_root) * t
            g_elbow = g_root + g_axis * t
            fore = joints[wrist_j] - joints[elbow_j]
            fore_length = float(np.hypot(*fore))
            # The forearm piece turns about the elbow; it is cut at the wrist (hands stay bare).
            bend = _similarity(g_elbow, g_axis, joints[elbow_j], fore, scale)
            # Elbow edge: across the joint along the bisector of the two pieces' outer normals, so
            # they share one edge (no seam) however far the elbow bends.
            elbow = joints[elbow_j]
            normal_upper = _outer_normal(upper, place(g_outer_mid) - elbow)
            normal_fore = _outer_normal(fore, bend(g_outer_mid) - elbow)
            bisector = normal_upper + normal_fore
            bisector = _unit(bisector) if np.hypot(*bisector) > 0.2 else normal_upper
            half = float(np.hypot(*(g_outer_mid - g_inner_mid))) * scale / 2
            outer_mid, inner_mid = elbow + bisector * half, elbow - bisector * half
            remaining = (1 - t) * g_length * scale
            keep = min(1.0, fore_length / max(remaining, 1e-6))
            g_outer_cut = g_outer_mid + (g_outer_end - g_outer_mid) * keep
            g_inner_cut = g_inner_mid + (g_inner_end - g_inner_mid) * keep
            body_quads = [quad_upper_root + [inner_mid, outer_mid],
                          [outer_mid, inner_mid, bend(g_inner_cut), bend(g_outer_cut)]]
            garment_quads = [[g_outer_root, g_inner_root, g_inner_mid, g_outer_mid],
                             [g_outer_mid, g_inner_mid, g_inner_cut, g_outer_cut]]
        fits.append(SleeveFit(side, np.array(garment_quads, np.float32), np.array(body_quads, np.float32)))
    return tuple(fits)
