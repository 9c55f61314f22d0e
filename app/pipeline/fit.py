"""Where each garment landmark goes on the body, for one frame.

1. A similarity (rotation + uniform scale) from the garment's shoulder seam points to the body's
   places them all with the garment's own proportions: the hem lands where this garment's hem
   would on this person, instead of being pulled to the hips (which smears the bottom rows).
2. Fit to cover: the torso's sides, hem, neckline and shoulders move out to cover the wearer's
   current top as the parser sees it, within a bounded stretch. Its sleeves are covered too when
   the new garment's sleeves are at least as long as the wearer's own; a shorter-sleeved garment
   (a tank over a t-shirt) leaves them as they are rather than painting over them.
3. Sleeves follow the arm bones: each sleeve is a tube hanging from the armhole and bending at
   the elbow, widened to the wearer's arm when covering; long sleeves stop at the wrist.

Coordinates: garment pixels (x right, y down) for `garment_*`, frame pixels for `body_*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.garments.model import TORSO_LANDMARKS, Garment, SleeveKind
from app.pipeline.arms import SEGMENTS as ARM_SEGMENTS
from app.pipeline.arms import SKIN_LABELS, arm_measures, seen
from app.pipeline.rays import labels_on_rays
from models.parsing.labels import Label
from models.parsing.parser import MIN_SEEN_VISIBILITY
from models.pose import BlazePose as B
from models.pose import ARMS, Person

SHOULDER_OUT = 0.8  # body shoulder seam: outward from the joint, × the upper arm's half-thickness
SHOULDER_UP = 0.05  # and up, × shoulder width
COVER_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT)
MIN_TELLING = 3  # of the 9 points along an arm segment: fewer on its cloth or skin leave it untold
MAX_WIDEN = 1.5  # the most a side may move out from the garment's own width, × that half-width
MIN_NARROW = 0.85  # the most it may move in
TORSO_ARM_CORE = 0.12  # × shoulder width: the arm core the torso's side search stops at
BARE_SHOULDER_LABELS = (Label.TORSO_SKIN, Label.LEFT_ARM, Label.RIGHT_ARM)
BODY_LABELS = (Label.UPPER_CLOTHES, Label.DRESS, Label.COAT, Label.TORSO_SKIN, Label.PANTS, Label.SKIRT)
MAX_LENGTHEN = 1.25  # the most the hem may move down, × the garment's own shoulder-to-hem length
HEM_COLUMNS = (-0.6, -0.3, 0.0, 0.3, 0.6)  # where the top's length is measured, × the hem's half-width
HEM_SEARCH_START = 0.25  # each column searched down from this share of the garment's length above the hem
COVER_MARGIN = 0.03  # × shoulder width, beyond the old top's edge
CHEST_RATIO = 0.9
MAX_NECK_RAISE = 0.2  # × shoulder width
# × shoulder width: the yoke points' own bound. Further, they drew the garment up the sides of a
# neck in a standing collar (VITON-HD 00034) and onto hair read as the top (05997).
MAX_YOKE_RAISE = 0.06
RAISE_SPREAD = 0.05  # × shoulder width: the rays each raised point is measured by, this far apart
MIN_NECK_DROP = 0.05  # a raised neckline keeps this share of its drop below the collar points
FLANK_FRACTIONS = (0.33, 0.67)
MAX_SHOULDER_OUT = 0.2  # × shoulder width: the most a sleeved garment's shoulder moves out to the wearer's
MAX_MITRE = 2.0  # the most the elbow's cross-section is widened along a bend's mitre
MIN_BISECTOR = 0.5  # |sum of the two bones' unit normals| below which (a bend past ~150°) there is no mitre
SLEEVE_MAX_WIDEN = 1.8  # the most a sleeve may widen to cover the wearer's arm
MAX_SHORT_LENGTHEN = 1.6  # the most a short sleeve may lengthen to cover the wearer's own, × its length
SLEEVE_END_GAP = 3  # px of bare arm along the bone that end the wearer's short sleeve
CUFF_REACH = 0.3  # the most a long sleeve may run past the wrist landmark to cover a cuff, × the forearm
SPINE_MIN_VISIBILITY = 0.5
# Background in a row that ends the body's side: × shoulder width, and at least SIDE_GAP_PX (about
# one parse pixel at 720p, which both scale with the picture); a run of the body shorter than twice
# that past another is not where the side ends.
SIDE_GAP, SIDE_GAP_PX = 0.02, 4
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
    placed_points: np.ndarray  # (N, 2) float32 the targets from the skeleton alone, before the parse moved them
    sleeves: tuple[SleeveFit, ...]
    scale: float  # frame pixels per garment pixel
    cover: bool  # fitted to cover the wearer's whole top, sleeves included
    cover_torso: bool  # fitted to cover the torso of the wearer's top (whenever there is a parse)
    arm_half_widths: dict[tuple[str, str], float]  # (side, "upper"|"fore") → frame px, from the parse
    arm_cores: dict[tuple[str, str], float]  # the same, thinned: the part of a clothed arm kept in front
    names: tuple[str, ...] = ()  # the landmark each row of the three points arrays is


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.hypot(*v)), 1e-6)


def _frame_axes(side: np.ndarray) -> np.ndarray:
    """(2, 2) rows: the unit 'towards the wearer's left' and 'up' vectors."""
    side = _unit(side)
    return np.stack([side, np.array([side[1], -side[0]])])


def body_shoulders(person: Person, widths: dict[tuple[str, str], float]) -> tuple[np.ndarray, np.ndarray]:
    """Shoulder seam points (left, right) in frame pixels: on top of the arm's outer edge."""
    left, right = person.landmarks[B.LEFT_SHOULDER], person.landmarks[B.RIGHT_SHOULDER]
    side, up = _frame_axes(left - right)
    width = float(np.hypot(*(left - right)))
    return (left + side * widths[("left", "upper")] * SHOULDER_OUT + up * SHOULDER_UP * width,
            right - side * widths[("right", "upper")] * SHOULDER_OUT + up * SHOULDER_UP * width)


def _body_side(person: Person, shoulder_line: np.ndarray) -> np.ndarray:
    """The unit 'towards the wearer's left' the garment hangs square to: between the shoulder
    line's and the spine's, when the hips are seen. The spine is twice as long as the shoulders,
    so a pixel of landmark noise tilts it half as much — and a garment hangs from both."""
    side = _unit(shoulder_line)
    hips = (B.LEFT_HIP, B.RIGHT_HIP)
    if not (person.in_frame[list(hips)].all() and (person.visibility[list(hips)] >= SPINE_MIN_VISIBILITY).all()):
        return side
    spine = _unit(person.landmarks[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0) - person.landmarks[list(hips)].mean(0))
    return _unit(side + np.array([-spine[1], spine[0]]))  # the spine points up; its perpendicular, left


def worn_sleeve_kind(person: Person, labels: np.ndarray | None) -> SleeveKind:
    """How long the wearer's own sleeves are, from what the parser calls clothing along each arm."""
    if labels is None:
        return SleeveKind.NONE
    height, width = labels.shape
    # The share of clothing at 9 points along each segment, all four segments in one pass.
    segments = np.array([(B.LEFT_ELBOW, B.LEFT_WRIST), (B.RIGHT_ELBOW, B.RIGHT_WRIST),
                         (B.LEFT_SHOULDER, B.LEFT_ELBOW), (B.RIGHT_SHOULDER, B.RIGHT_ELBOW)])
    points = np.linspace(person.landmarks[segments[:, 0]], person.landmarks[segments[:, 1]], 12, axis=1)[:, 2:-1]
    x, y = points[..., 0].astype(int), points[..., 1].astype(int)  # truncated: only points inside count
    inside = (points[..., 0] >= 0) & (points[..., 0] < width) & (points[..., 1] >= 0) & (points[..., 1] < height)
    on_bone = np.zeros(inside.shape, np.uint8)
    on_bone[inside] = labels[y[inside], x[inside]]
    cloth, bare = _lut(COVER_LABELS)[on_bone] & inside, _lut(SKIN_LABELS)[on_bone] & inside
    # Only the top's cloth and bare arm tell: a forearm hanging beside the hips, its bone a few px
    # off the thin sleeve, lies on the trousers, and counted as bare it made a long-sleeved top
    # "short" in some frames (VITON-HD 00006 beside white jeans): the garment's fit jumped.
    told = (cloth | bare).sum(1)
    shares = np.where(told >= MIN_TELLING, cloth.sum(1) / np.maximum(told, 1), np.nan)  # (4,) nan: untold
    # Sleeves come in pairs: the barer arm decides (the other may just hang against the top); an
    # untold arm leaves it to the other (fmin skips NaN), two untold count as bare.
    forearm, upper = np.nan_to_num(np.fmin(shares[[0, 2]], shares[[1, 3]]), nan=0.0)
    if forearm > 0.5:
        return SleeveKind.LONG
    return SleeveKind.SHORT if upper > 0.5 else SleeveKind.NONE


@lru_cache(maxsize=8)
def _lut(wanted: tuple[int, ...]) -> np.ndarray:
    """(256,) bool: True for the label ids in `wanted` (a table lookup beats np.isin per pixel)."""
    table = np.zeros(256, bool)
    table[list(wanted)] = True
    return table


def _run_starts(mask: np.ndarray, length: int) -> np.ndarray:
    """(R, S - length + 1) bool: where a run of at least `length` True values starts, in each row
    of an (R, S) bool mask (the window of `length` from that step holds nothing else)."""
    counts = np.concatenate([np.zeros((len(mask), 1), np.int64), np.cumsum(mask, 1)], 1)
    return counts[:, length:] - counts[:, :-length] == length


def _first_run(mask: np.ndarray, length: int) -> np.ndarray:
    """(R,) int: where the first run of at least `length` True values starts in each row of an
    (R, S) bool mask, S where there is none."""
    if mask.shape[1] < length:
        return np.full(len(mask), mask.shape[1])
    runs = _run_starts(mask, length)
    return np.where(runs.any(1), np.argmax(runs, 1), mask.shape[1])


def _last_other(mask: np.ndarray) -> np.ndarray:
    """(R, S) int: for each step of an (R, S) bool mask, the last step at or before it where the
    mask is False (0 where there is none)."""
    steps = np.where(mask, 0, np.arange(mask.shape[1])[None])
    return np.maximum.accumulate(steps, 1)


def _extents_along(labels: np.ndarray, exclude: Capsules | None, origins: np.ndarray, directions: np.ndarray,
                   reaches: np.ndarray, wanted: tuple[int, ...], past_exclusion: float = 0.0,
                   stop_gap: int = 0) -> np.ndarray:
    """(R,) float: how far from each of (R, 2) `origins` along its (R, 2) unit `directions`
    pixels with `wanted` labels reach, up to (R,) `reaches` (0 where none). All rays at once: one
    ray at a time cost ~1 ms a frame in numpy call overhead alone.

    The search stops where `exclude` (an arm) begins; if the body runs right up to it, the
    result reaches `past_exclusion` further, under the arm, so no gap opens between the torso
    and the sleeve drawn over that arm. `stop_gap` > 0: it also stops at the first `stop_gap`
    background pixels in a row that follow the body, past its first run of 2 × `stop_gap` (the
    body's edge: what lies beyond is not this body), it ends at the last run of `wanted` pixels at
    least 2 × `stop_gap` long, and the body runs on under any arm reached before such a gap;
    otherwise it ends at the last `wanted` pixel, and runs on only under an arm that one lies
    within 3 steps of.
    """
    steps, x, y, inside, on_ray = labels_on_rays(labels, origins, directions, reaches)
    hit = _lut(wanted)[on_ray] & inside
    if stop_gap > 0:
        # Background counts as the body's edge only past the body's first long run: a hole in the
        # parse near the ray's start (between the legs at the hem, a few pixels for a frame or
        # two) narrowed the hem to its floor in single frames, a 29-px jump (VITON-HD 00121).
        entered = _first_run(hit, 2 * stop_gap)
        entered = np.where(entered < len(steps), entered, 0)
        background = (on_ray == Label.BACKGROUND) & inside
        # Nor does background right after something else (an arm beside the body): a sliver
        # between two runs of an arm hanging close, there in some frames and not in others,
        # flipped a flank by 28 px (VITON-HD 05997).
        after_body = hit[np.arange(len(hit))[:, None], _last_other(background)]
        edge = _first_run(background & after_body & (steps[None] >= entered[:, None]), stop_gap)
        inside &= steps[None] < edge[:, None]
        hit &= inside
    first = np.full(len(origins), len(steps))  # (R,) the first step inside an excluded region
    if exclude is not None:
        # Stop where an excluded region (an arm) begins: what lies beyond it is not this body part.
        blocked = np.zeros(x.shape, bool)
        blocked[inside] = exclude.contain(np.stack([x[inside], y[inside]], 1).astype(np.float64))
        first = np.where(blocked.any(1), np.argmax(blocked, 1), first)
        hit &= steps[None] < first[:, None]
    extents = np.where(hit.any(1), steps[np.argmax(np.where(hit, steps, -1.0), 1)], 0.0)
    if stop_gap > 0 and len(steps) >= 2 * stop_gap:
        # The end of the last long run of the body, where there is one: a sliver of the top past a
        # hand on the hip, there in some frames and not in others, moved the side by 15 px.
        runs = _run_starts(hit, 2 * stop_gap)
        last = runs.shape[1] - 1 - np.argmax(runs[:, ::-1], 1)
        extents = np.where(runs.any(1), steps[last] + 2 * stop_gap - 1, extents)
    reached = (first > 0) & (first < len(steps))
    if stop_gap > 0:
        # The arm is reached with no background between: the body runs on under it. (What lies
        # between the body's last pixel and the arm's capsule is then arm, hand or hair.)
        runs_under = reached & hit.any(1)
    else:
        # The body runs right up to the arm (a hit within 3 steps before it): reach on under it.
        runs_under = reached & ((steps[None] >= first[:, None] - 3) & hit).any(1)
    return np.where(runs_under, steps[np.minimum(first, len(steps) - 1)] + past_exclusion, extents)


def _extent_along(labels: np.ndarray, exclude: Capsules | None, origin: np.ndarray, direction: np.ndarray,
                  reach: float, wanted: tuple[int, ...], past_exclusion: float = 0.0) -> float:
    """`_extents_along` for one ray."""
    return float(_extents_along(labels, exclude, origin[None].astype(np.float64),
                                np.asarray(direction, np.float64)[None], np.array([reach]), wanted, past_exclusion)[0])


@dataclass(frozen=True)
class Capsules:
    """Segments with a radius each, in frame pixels: (K, 2) starts, (K, 2) start → end vectors."""

    starts: np.ndarray
    vectors: np.ndarray
    radii: np.ndarray  # (K,)

    def contain(self, points: np.ndarray) -> np.ndarray:
        """(N,) bool: which of the (N, 2) points lie inside any capsule (point-to-segment distance
        for the few points a ray visits, all capsules at once; drawing them into a frame-sized
        mask cost ~1 ms)."""
        relative = points[:, None, :] - self.starts[None]  # (N, K, 2)
        lengths2 = np.maximum((self.vectors ** 2).sum(1), 1e-9)
        t = np.clip((relative * self.vectors[None]).sum(2) / lengths2, 0.0, 1.0)  # (N, K)
        offset = relative - t[..., None] * self.vectors[None]
        return ((offset ** 2).sum(2) <= self.radii ** 2).any(1)


def _arm_capsules(person: Person, widths: dict[tuple[str, str], float]) -> Capsules:
    """Each arm segment as a capsule of the given half-thickness."""
    # Only segments the pose sees: the torso's sides would stop wherever a guess happens to be.
    keys = [key for key in ARM_SEGMENTS if seen(person, key)]
    ends = np.array([[person.landmarks[a], person.landmarks[b]] for a, b in (ARM_SEGMENTS[k] for k in keys)],
                    np.float64).reshape(-1, 2, 2)
    radii = np.array([max(1.0, widths[key]) for key in keys], np.float64)
    return Capsules(ends[:, 0], ends[:, 1] - ends[:, 0], radii)


def fit_garment(garment: Garment, person: Person, labels: np.ndarray | None,
                worn: SleeveKind | None = None, widths: dict[tuple[str, str], float] | None = None,
                cuffs: dict[str, float] | None = None, ends: dict[str, float] | None = None,
                arm_reaches: dict[tuple[str, str], np.ndarray] | None = None) -> GarmentFit:
    """Control points for the torso warp and quads for the sleeves of `garment` on `person`.

    `worn`: the wearer's own sleeve length if the caller tracks it over time (a video decides it
    once, not per frame); by default it is read from this frame's parse. `widths`: the arms'
    half-thicknesses (`arms.arm_measures`), `cuffs`: how far the wearer's cuffs run past the
    wrists (`cuff_reaches`), and `ends`: how far down the upper arms the wearer's sleeves run
    (`sleeve_ends`), and `arm_reaches`: how far each arm runs from its bone on either side
    (`arms.arm_measures`), likewise if the caller smooths them over time.
    """
    lm = {name: np.array(point, np.float64) for name, point in garment.landmarks.items()}
    if widths is None or arm_reaches is None:
        measured_widths, measured_reaches = arm_measures(person, labels)
        widths = widths if widths is not None else measured_widths
        arm_reaches = arm_reaches if arm_reaches is not None else measured_reaches
    body_left, body_right = body_shoulders(person, widths)
    body_axes = _frame_axes(_body_side(person, body_left - body_right))
    garment_axes = _frame_axes(lm["shoulder_left"] - lm["shoulder_right"])
    # Size from the chest, not the shoulder points: a tank's straps sit far inside the shoulders,
    # while every top spans armpit to armpit, about CHEST_RATIO of the shoulder joints' distance.
    body_chest = CHEST_RATIO * person.shoulder_width
    garment_chest = float(np.hypot(*(lm["armpit_left"] - lm["armpit_right"])))
    scale = body_chest / max(garment_chest, 1e-6)
    garment_mid = (lm["shoulder_left"] + lm["shoulder_right"]) / 2
    body_mid = (body_left + body_right) / 2

    def place(point: np.ndarray) -> np.ndarray:
        # Garment point in (side, up) coordinates about the shoulder midpoint, replayed on the body.
        local = garment_axes @ (point - garment_mid)
        return body_mid + scale * (local @ body_axes)

    target = {name: place(point) for name, point in lm.items()}
    worn = worn if worn is not None else worn_sleeve_kind(person, labels)
    cover = labels is not None and SLEEVE_RANK[garment.sleeve_kind] >= SLEEVE_RANK[worn]
    cover_torso = labels is not None
    sleeves_clothe = cover and garment.sleeve_kind is not SleeveKind.NONE  # the wearer's arms and shoulders
    if sleeves_clothe:
        # Its sleeves clothe the shoulders. Shoulders placed by the garment's chest that fall inside
        # the wearer's (a slim cut on broad shoulders) move out to the wearer's seams, bounded:
        # else the sleeves hung from inside the arms and left their outer edges bare.
        for name, seam, outward in (("shoulder_left", body_left, body_axes[0]),
                                    ("shoulder_right", body_right, -body_axes[0])):
            short = float((seam - target[name]) @ outward)
            if short > 0:
                target[name] = target[name] + outward * min(short, MAX_SHOULDER_OUT * person.shoulder_width)

    # Points along each flank keep the sides straight between armpit and hem (or, when covering,
    # follow the wearer's top there).
    for side in ("left", "right"):
        for fraction in FLANK_FRACTIONS:
            name = f"flank_{side}_{fraction:.2f}"
            lm[name] = lm[f"armpit_{side}"] + (lm[f"hem_{side}"] - lm[f"armpit_{side}"]) * fraction
            target[name] = target[f"armpit_{side}"] + (target[f"hem_{side}"] - target[f"armpit_{side}"]) * fraction
        # And one halfway along each shoulder's top edge, collar to shoulder point: a shoulder's
        # curve rises above that straight line, and the old top showed there as a band along the
        # top of the shoulder, beyond the fill's reach (raised with the shoulders in _cover_top).
        name = f"yoke_{side}"
        lm[name] = (lm[f"collar_{side}"] + lm[f"shoulder_{side}"]) / 2
        target[name] = (target[f"collar_{side}"] + target[f"shoulder_{side}"]) / 2
    placed = dict(target)
    if labels is not None:
        _fit_sides(target, person, labels, body_axes, widths, cover_torso, cover)
    if cover_torso:
        _cover_top(target, person, labels, body_axes, body_mid, widths, sleeves_clothe)
    names = [name for name in lm if name in TORSO_LANDMARKS or name.startswith(("flank_", "yoke_"))]
    garment_points = [lm[n] for n in names]
    body_points = [target[n] for n in names]
    cuffs = cuffs if cuffs is not None else cuff_reaches(person, labels)
    ends = ends if ends is not None else sleeve_ends(person, labels)
    sleeves = (_fit_sleeves(garment, person, lm, target, scale, widths, arm_reaches, cover, cuffs, ends)
               if garment.sleeve_kind is not SleeveKind.NONE else ())
    return GarmentFit(np.array(garment_points, np.float32), np.array(body_points, np.float32),
                      np.array([placed[n] for n in names], np.float32), sleeves, scale, cover, cover_torso, widths,
                      arm_cores(person, widths), tuple(names))


def arm_cores(person: Person, widths: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Thin cores of the arms: the measured reach of a sleeved arm can include the torso it hangs
    against, so the torso's side search stops at, and the old sleeve is kept in front within, a
    core no thicker than TORSO_ARM_CORE × shoulder width (the new sleeve covers the rest)."""
    width = person.shoulder_width
    return {key: min(value, TORSO_ARM_CORE * width) for key, value in widths.items()}


def _fit_sides(target: dict[str, np.ndarray], person: Person, labels: np.ndarray, axes: np.ndarray,
               widths: dict[tuple[str, str], float], cover_torso: bool, under_sleeves: bool = True) -> None:
    """Move each torso side (armpit, flanks, hem corner) to the body's silhouette, bounded.

    The silhouette is the clothed body (top, trousers, bare midriff) minus the arms' capsules
    (arms are drawn in front); when covering, plus a margin beyond it. Not the top alone: where
    top and trousers look alike (a suit, a jumpsuit) the parse splits them at the hip line, and a
    flank searched for the top alone ran along that line, flipping by 30 px between frames.
    """
    side_dir, _ = axes
    width = person.shoulder_width
    cores = arm_cores(person, widths)
    # Forearms at their full measured width: one hanging beside the hips is cloth of the same
    # top (a sleeve) to the parser, and the sides must not flick out onto it frame by frame.
    exclude = _arm_capsules(person, {**cores, **{key: widths[key] for key in widths if key[1] == "fore"}})
    # Under the arms only when new sleeves will be drawn over them: otherwise the wearer's own
    # sleeves stay in front, and a torso panel reaching under them would show around their edges.
    under_arm = min(cores.values()) if under_sleeves else 0.0
    margin = COVER_MARGIN * width if cover_torso else 0.0
    rows = [("armpit_left", "armpit_right"), ("hem_left", "hem_right")] + [
        (f"flank_left_{f:.2f}", f"flank_right_{f:.2f}") for f in FLANK_FRACTIONS]
    names, origins, directions, owns = [], [], [], []
    for left_name, right_name in rows:
        centre = (target[left_name] + target[right_name]) / 2
        for name, sign in ((left_name, 1.0), (right_name, -1.0)):
            names.append(name)
            origins.append(centre)
            directions.append(side_dir * sign)
            owns.append(float((target[name] - centre) @ side_dir) * sign)  # the garment's own half-width here
    owns = np.array(owns)
    directions = np.array(directions, np.float64)
    # Stopping at the body's edge: beside an arm bent to the hip, background shows between body
    # and arm, and the sleeve beyond that gap counted as the body running on under the arm in
    # some frames and not others (a side's reading flipped by 58 px on a still photo).
    reaches = _extents_along(labels, exclude, np.array(origins, np.float64), directions, owns * MAX_WIDEN + margin,
                             BODY_LABELS, under_arm, max(SIDE_GAP_PX, round(SIDE_GAP * width)))
    for name, direction, own, reach in zip(names, directions, owns, reaches):
        if reach <= 0:
            continue  # nothing of the body on this row (out of frame, or hidden): keep the garment's own
        wanted = min(max(reach + margin, own * MIN_NARROW), own * MAX_WIDEN)
        target[name] = target[name] + direction * (wanted - own)


def _cover_top(target: dict[str, np.ndarray], person: Person, labels: np.ndarray, axes: np.ndarray,
               body_mid: np.ndarray, widths: dict[tuple[str, str], float], bare_shoulders: bool = False) -> None:
    """Lengthen the hem and raise a low neckline so the wearer's current top is covered (bounded);
    with `bare_shoulders` (new sleeves that clothe them) the shoulders rise to the skin's top too.

    The top's length is measured in columns across the hem, not only down the middle: a top that
    is longer elsewhere (a waistcoat's points, a curved shirt tail) showed below a garment
    lengthened to its middle. The hem stays straight, lengthened to the second-longest column: a
    top's hem is long on both sides (a waistcoat's two points) or across, while one column alone
    running long is a sleeve hanging beside the hip that the arm's capsule missed in that frame
    (VITON-HD 00006: the hem jumped by 60 px from frame to frame). The columns stop at the arms,
    so a sleeve hanging in front of the hip is not taken for the top."""
    side_dir, up = axes
    width = person.shoulder_width
    margin = COVER_MARGIN * width
    hem_centre = target["hem_center"]
    own_length = float((body_mid - hem_centre) @ up)
    limit = own_length * (MAX_LENGTHEN - 1)
    # Each column searched down from HEM_SEARCH_START of the garment's length above its hem.
    half_width = float((target["hem_left"] - target["hem_right"]) @ side_dir) / 2
    start = HEM_SEARCH_START * own_length
    origins = np.array([hem_centre + side_dir * half_width * f + up * start for f in HEM_COLUMNS], np.float64)
    reaches = _extents_along(labels, _arm_capsules(person, widths), origins, np.repeat(-up[None], len(origins), 0),
                             np.full(len(origins), start + limit + margin), COVER_LABELS)
    extra = min(max(0.0, float(np.sort(reaches)[-2]) + margin - start), limit)
    for name in list(target):
        if name.startswith("hem_"):
            target[name] = target[name] - up * extra
        elif name.startswith("flank_"):  # flanks stretch with the hem, in proportion
            target[name] = target[name] - up * extra * float(name.rsplit("_", 1)[1])
    # Raise a low neckline (a scoop over a crew neck), low shoulders and the top edge between collar
    # and shoulder (the yoke points) to the top's own, bounded.
    # Not the collar points: the parse beside the neck flickers, and raising them on it made the
    # garment jitter by ~1.9 px RMS on a still photo (0.34 without).
    # The neckline's centre stays below the collar points, though: raised past them (a shirt's
    # standing collar, a turned head's jacket collar), the neckline folded over, and the warp drew
    # a spike of cloth beside the neck.
    collar_height = min(float(target["collar_left"] @ up), float(target["collar_right"] @ up))
    # Three rays a little apart for each point, and the middle reach counts: a thin strap over a
    # bare shoulder is not the top's shoulder line (raised to it, a tee stood up off the shoulder),
    # while at a shoulder's tip one ray may run off the top.
    # The rays start `margin` below each point, so what they reach is how far the point must rise
    # to lie `margin` above the top's edge — from 0, as the edge passes that level. Started at
    # the point and the margin added, the raise jumped from 0 to more than the margin as the edge
    # passed the point itself, and an edge flickering there stepped the garment with it.
    names = ("neck_center", "shoulder_left", "shoulder_right", "yoke_left", "yoke_right")
    points = np.array([target[name] for name in names], np.float64)
    spread = np.array([-RAISE_SPREAD, 0.0, RAISE_SPREAD]) * width
    origins = (points[:, None, :] + spread[None, :, None] * np.asarray(side_dir, np.float64)
               - margin * np.asarray(up, np.float64))  # (5, 3, 2)

    def middle_reaches(rows: slice, wanted: tuple[int, ...]) -> np.ndarray:
        """The middle of each point's three reaches, for the points in `rows`, all in one pass."""
        rays = origins[rows].reshape(-1, 2)
        reaches = _extents_along(labels, None, rays, np.repeat(np.asarray(up, np.float64)[None], len(rays), 0),
                                 np.full(len(rays), MAX_NECK_RAISE * width + margin), wanted)
        return np.sort(reaches.reshape(-1, 3), 1)[:, 1]

    # New sleeves that clothe bare shoulders sit on them: the shoulders rise to the skin's top too.
    if bare_shoulders:
        aboves = np.concatenate([middle_reaches(slice(0, 1), COVER_LABELS),
                                 middle_reaches(slice(1, None), COVER_LABELS + BARE_SHOULDER_LABELS)])
    else:
        aboves = middle_reaches(slice(None), COVER_LABELS)
    for name, point, above in zip(names, points, aboves.tolist()):
        room = (1 - MIN_NECK_DROP) * (collar_height - float(point @ up)) if name == "neck_center" else np.inf
        if above > 0 and room > 0:
            limit = (MAX_YOKE_RAISE if name.startswith("yoke_") else MAX_NECK_RAISE) * width
            target[name] = point + up * min(above, limit, room)


def _off_bone(half: float, reach: np.ndarray, margin: float) -> float:
    """How far in towards the body a sleeve section `half` px wide is moved off the bone, so that
    it ends `margin` past the arm's outer edge. `reach`: (2,) px from the bone to the arm's edges,
    (away from the body, towards it). Not past the arm's middle: an arm held clear of the body
    (both edges seen) gets a sleeve wider than itself standing out on both sides, as it would.
    Centred on the bone, a sleeve as wide as the arm plus the margin stood 10–20 px out past an
    arm whose bone ran near its outer edge, painted on the wall (VITON-HD 00006)."""
    outer, inner = float(reach[0]), float(reach[1])
    return float(np.clip(half - outer - margin, 0.0, max(0.0, (inner - outer) / 2)))


class _Bone:
    """The arm as a polyline shoulder → elbow → wrist, addressed by arc length from the shoulder."""

    def __init__(self, points: np.ndarray):
        self.points = points.astype(np.float64)
        self.lengths = np.hypot(*np.diff(self.points, axis=0).T)
        self.total = float(self.lengths.sum())

    def at(self, arc: float) -> np.ndarray:
        """The point `arc` pixels along the arm (clamped to the shoulder and the wrist)."""
        arc = min(max(arc, 0.0), self.total)
        last = len(self.lengths) - 1
        for index, length in enumerate(self.lengths):
            if arc <= length or index == last:
                return self.points[index] + _unit(self.points[index + 1] - self.points[index]) * min(arc, length)
            arc -= length
        return self.points[-1]

    def direction(self) -> np.ndarray:
        return _unit(self.points[1] - self.points[0])


def cuff_reaches(person: Person, labels: np.ndarray | None) -> dict[str, float]:
    """Side → how far past the wrist landmark the wearer's own sleeve runs (frame px, ≤ CUFF_REACH
    × the forearm): the landmark sits inside the cuff, and a long sleeve cut there left a band of
    the old cuff between it and the hand. The hand is skin to the parser, so the search ends
    there. 0 where the pose only guesses the wrist, or without a parse."""
    reaches = {}
    for side, (_, elbow_j, wrist_j, _) in ARMS.items():
        wrist = person.landmarks[wrist_j]
        if labels is None or not (person.in_frame[wrist_j] and person.visibility[wrist_j] >= MIN_SEEN_VISIBILITY):
            reaches[side] = 0.0
            continue
        forearm = wrist - person.landmarks[elbow_j]
        reaches[side] = _extent_along(labels, None, wrist.astype(np.float64), _unit(forearm),
                                      CUFF_REACH * float(np.hypot(*forearm)), COVER_LABELS)
    return reaches


def sleeve_ends(person: Person, labels: np.ndarray | None) -> dict[str, float]:
    """Side → how far down the upper arm the wearer's own sleeve runs: frame px from the shoulder
    joint along the bone to the end of the first run of clothing (up to the elbow), where a run
    of SLEEVE_END_GAP px of anything else ends it — the torso's clothing further down, beside an
    arm hanging against it, is not the sleeve. 0 where the pose only guesses the elbow, or
    without a parse."""
    ends = {}
    for side, (shoulder_j, elbow_j, _, _) in ARMS.items():
        if labels is None or not (person.in_frame[elbow_j] and person.visibility[elbow_j] >= MIN_SEEN_VISIBILITY):
            ends[side] = 0.0
            continue
        shoulder = person.landmarks[shoulder_j].astype(np.float64)
        upper = (person.landmarks[elbow_j] - shoulder).astype(np.float64)
        _, _, _, inside, on_ray = labels_on_rays(labels, shoulder[None], _unit(upper)[None],
                                                 np.array([np.hypot(*upper)]))
        ends[side] = float(_first_run(~(_lut(COVER_LABELS)[on_ray] & inside), SLEEVE_END_GAP)[0])
    return ends


def _fit_sleeves(garment: Garment, person: Person, lm: dict[str, np.ndarray], target: dict[str, np.ndarray],
                 scale: float, widths: dict[tuple[str, str], float], reaches: dict[tuple[str, str], np.ndarray],
                 cover: bool, cuffs: dict[str, float], ends: dict[str, float]) -> tuple[SleeveFit, ...]:
    """Each sleeve as a tube along its arm, hanging from the armhole and bending at the elbow.

    The root joins the torso (the shoulder seam at the top of the arm, the torso's armpit on its
    inner side), so no gap opens at the armhole. Further down, cross-sections at the elbow and at
    the cuff are centred on the bone, as wide as the garment's sleeve there — or, when covering,
    as the wearer's measured arm (bounded), so an old sleeve does not show around the new one — and
    moved in off the bone where the arm's outer edge lies nearer it (`reaches`, `_off_bone`).
    The sleeve keeps its own length (its outer edge, shoulder point to outer cuff, measured from
    the shoulder joint); long sleeves are cut at the wrist, so hands stay bare — when covering,
    at the end of the wearer's own cuff (`cuffs`, from `cuff_reaches`). When covering, a short
    sleeve reaches down over the wearer's own (`ends`, from `sleeve_ends`), by up to
    MAX_SHORT_LENGTHEN× its length: beyond the fill's reach, the old sleeve's hem showed below it.
    """
    fits = []
    joints = person.landmarks
    shoulder_width = person.shoulder_width
    shoulder_mid = (joints[B.LEFT_SHOULDER] + joints[B.RIGHT_SHOULDER]) / 2
    for side, (shoulder_j, elbow_j, wrist_j, _) in ARMS.items():
        wrist = joints[wrist_j].astype(np.float64)
        if cover and garment.sleeve_kind is SleeveKind.LONG:
            wrist = wrist + _unit(wrist - joints[elbow_j]) * cuffs[side]
        bone = _Bone(np.array([joints[shoulder_j], joints[elbow_j], wrist]))
        g_shoulder, g_outer_cuff = lm[f"shoulder_{side}"], lm[f"sleeve_{side}_outer"]
        g_armpit, g_inner_cuff = lm[f"armpit_{side}"], lm[f"sleeve_{side}_inner"]
        # The root is where the torso panel's shoulder and armpit went (raised over a wearer's
        # higher shoulder line when covering), so sleeve and torso meet without a gap.
        seam, armpit = target[f"shoulder_{side}"], target[f"armpit_{side}"]
        # A long sleeve reaches the wrist by definition, whatever the flat-lay's proportions; a
        # short one keeps its own length, unless it covers the wearer's longer one.
        own_length = float(np.hypot(*(g_outer_cuff - g_shoulder))) * scale
        length = bone.total if garment.sleeve_kind is SleeveKind.LONG else own_length
        if cover and garment.sleeve_kind is SleeveKind.SHORT:
            length = min(max(length, ends[side] + COVER_MARGIN * shoulder_width), MAX_SHORT_LENGTHEN * own_length)
        armpit_arc = min(max(0.0, float((armpit - bone.points[0]) @ bone.direction())), 0.9 * length)
        end = min(length, bone.total)
        elbow = float(bone.lengths[0])
        # Cross-sections below the armpit: the elbow (if the sleeve reaches past it) and the cuff.
        arcs = [arc for arc in ((elbow,) if elbow < end - 2 else ()) + (end,) if arc > armpit_arc + 2]

        def outward(segment: int) -> np.ndarray:
            """Unit normal of an arm segment pointing away from the body, towards the shoulder."""
            along = _unit(bone.points[segment + 1] - bone.points[segment])
            normal = np.array([-along[1], along[0]])
            return normal if normal @ (seam - shoulder_mid) >= 0 else -normal

        # The root's inner corner is the torso's armpit — unless that lies out on the arm (a
        # flat-lay with its armpits under its shoulders, on a narrow body): then the sleeve's
        # inner seam crossed its outer one and the sleeve twisted into a wing. It moves in to the
        # arm's inner edge, over the torso panel, so still no gap opens between them.
        normal = outward(0)
        edge = widths[(side, "upper")] + COVER_MARGIN * shoulder_width
        beyond = float((armpit - bone.at(armpit_arc)) @ normal) + edge
        root_inner = armpit - normal * beyond if beyond > 0 else armpit
        body_sections = [(seam, root_inner)]
        garment_sections = [(g_shoulder, g_armpit)]
        for index, arc in enumerate(arcs):
            centre = bone.at(arc)
            segment = 0 if arc <= bone.lengths[0] + 1e-6 else 1
            normal = outward(segment)
            t_outer = arc / max(length, 1e-6)
            t_inner = (arc - armpit_arc) / max(length - armpit_arc, 1e-6)
            g_out = g_shoulder + (g_outer_cuff - g_shoulder) * t_outer
            g_in = g_armpit + (g_inner_cuff - g_armpit) * t_inner
            # A flat-laid sleeve is a tube pressed flat: its width is half the tube's girth, and
            # the tube seen from the front is girth / π across — 2/π of the flat width. Drawn at
            # the flat width, short sleeves stood off the arms like wings.
            flat_half = float(np.hypot(*(g_out - g_in))) * scale / 2
            # It goes round the arm: never narrower than the arm it clothes (the wearer's own
            # sleeve included, covered or not), or the arm shows on both sides like a flap.
            key = (side, "upper" if segment == 0 else "fore")
            half = min(max(2 / np.pi * flat_half, widths[key] + COVER_MARGIN * shoulder_width),
                       flat_half * SLEEVE_MAX_WIDEN)
            inward = -normal * _off_bone(half, reaches[key], COVER_MARGIN * shoulder_width)
            centre = centre + inward
            # A short sleeve's opening is slanted: its inner seam (armpit to inner cuff) has a length
            # of its own, often far more than the few pixels left between the armpit and the
            # outer cuff's level — cut square there, the sleeve folded up against the torso.
            inner_centre = centre
            if index == len(arcs) - 1 and garment.sleeve_kind is not SleeveKind.LONG:
                inner_arc = armpit_arc + float(np.hypot(*(g_inner_cuff - g_armpit))) * scale
                inner_centre = bone.at(max(arc, inner_arc)) + inward
            bisector = normal + outward(1)
            if arc == elbow and len(arcs) > index + 1 and float(np.hypot(*bisector)) > MIN_BISECTOR:
                # The elbow's cross-section is the bend's mitre, shared by both quads: square to the
                # upper arm, it ran along a forearm bent by 90° (a hand on the hip), and the forearm's
                # quad folded into a sliver with the skin showing round it. As wide as the tube along
                # the mitre, up to MAX_MITRE× for sharp bends (the fill closes what remains).
                mitre = _unit(bisector)
                normal, half = mitre, half / max(float(mitre @ normal), 1 / MAX_MITRE)
            body_sections.append((centre + normal * half, inner_centre - normal * half))
            garment_sections.append((g_out, g_in))
        body_quads = [[a[0], a[1], b[1], b[0]] for a, b in zip(body_sections, body_sections[1:])]
        garment_quads = [[a[0], a[1], b[1], b[0]] for a, b in zip(garment_sections, garment_sections[1:])]
        if body_quads:
            fits.append(SleeveFit(side, np.array(garment_quads, np.float32), np.array(body_quads, np.float32)))
    return tuple(fits)
