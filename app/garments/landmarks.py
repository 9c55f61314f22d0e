"""Garment landmarks from the cloth mask's silhouette.

Works on a copy of the mask scaled to `WORK_HEIGHT` rows and reports points in the mask's own
pixels (x right, y down). Left/right are the wearer's: the wearer's left is the IMAGE RIGHT.

Each half of the silhouette is read on its own, mirrored so that "outward" is +x:

1. Centre line: the column about which the upper garment is most mirror-symmetric (ties and
   wrap fronts make the lower half asymmetric, shoulders rarely are).
2. Torso side: in each row, the run of cloth containing the centre line ends at the torso's side,
   or at a sleeve's outer edge where the sleeve touches the torso in that row. Straight lines are
   fitted to those ends (RANSAC); the torso side is the innermost well-supported one, so joined
   sleeves and ties bulging out of the side do not pull it outward.
3. From the side line the run end is followed upward while it moves smoothly: where a sleeve
   joins (or the armhole curves in) is the armpit. Followed downward, where the hem turns in is
   the hem corner.
4. A long sleeve lying against the torso leaves no gap, so its outer edge is what looks like a
   side line. It is recognised by the cuff hanging free below it (a separate run carrying the
   line on) and by no sleeve joining it from outside further up. The torso side is then taken
   from the torso below the cuff or from the other half, and the armpit depth from the other
   half or from typical proportions (lower confidence).
5. Sleeve: cloth reaching outward of the armpit. Its end's outer and inner points are the
   45-degree extremes in the sleeve's own frame; the shoulder is the corner between the collar
   and the sleeve (or, when the outline has no clear corner, the shoulder line above the armpit).
6. Sleeve length over torso length gives sleeveless / short / long.

The collar corners and neck centre found here come from the silhouette only; `neckline` refines
them from the photo, where the inside of the back neckline shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from app.errors import GarmentError
from app.garments.model import CATEGORY_FOR_SLEEVES, Point, SleeveKind

WORK_HEIGHT = 512
CROP_MARGIN = 0.04
MIN_GARMENT_PIXELS = 4000
SYMMETRY_SEARCH = 0.15
"""The centre line is searched this share of the garment's width either side of its middle."""
SYMMETRY_ROWS = 0.55
SIDE_FIT_FROM = 0.3
"""Rows below this share of the garment's height may carry the side line."""
SIDE_TOLERANCE = 0.025
"""How far (share of the garment's width) a row may stray from a line and still support it."""
SIDE_MAX_SLOPE = 0.2
SIDE_MAX_GAP = 0.03
SIDE_MIN_SUPPORT = 0.08
"""A side line must be followed by at least this share of the garment's rows."""
SIDE_GROUP_TOLERANCES = 3.0
SIDE_GROUP_MIN_SHARE = 0.5
SIDE_MAX_STEP = 1.0
CONTACT_SKIP = 0.2
"""Pixels per row the side may move (at WORK_HEIGHT) and still be the same seam: 45 degrees."""
RANSAC_TRIALS = 300
SLEEVE_RUN_MIN_START = 0.45
"""A hanging cuff's run starts at least this share of the torso half-width from the centre."""
ARMPIT_MAX_DEPTH = 0.62
ARMPIT_MIN_DEPTH = 0.12
"""Armpit depth below the collar as a share of collar-to-hem: outside this range it is not an
armpit the silhouette shows (a cuff touching the torso, or a side running into a strap)."""
ARMPIT_DEPTH_ESTIMATE = 0.3
"""Armpit depth as a share of shoulder-to-hem, used when the armpit is hidden on both sides."""
SLEEVE_MIN_REACH = 0.06
"""Cloth reaching this share of the garment width beyond the armpit is a sleeve."""
LONG_SLEEVE_RATIO = 0.55
"""Sleeve length (shoulder to sleeve end) over torso length (shoulder to hem) above which a
sleeve is long; a tee is about 0.3, a long sleeve about 0.9, three-quarter sleeves about 0.65."""
SHOULDER_MIN_TURN_DEG = 30.0
SLEEVE_EDGE_EPSILON = 0.02
"""Outline simplification tolerance (share of the garment width) when looking for the cuff."""
SLEEVE_EDGE_MIN = 0.04
"""A sleeve opening is at least this share of the garment width."""
COLLAR_WINDOW = (0.04, 0.3)
"""Collar corners are searched this share of the garment width from the centre line."""
NECK_SIDE_TOLERANCE = 0.012
HIDDEN_ARMPIT_CONFIDENCE = 0.7
ASYMMETRY_TOLERANCE = 0.06


@dataclass(frozen=True)
class LandmarkResult:
    """Landmarks in the mask's pixel frame, the sleeve length found and how sure we are."""

    landmarks: dict[str, Point]
    sleeve_kind: SleeveKind
    category: str
    confidence: float
    sleeve_ratio: float
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Side:
    """Landmarks of one half, mirrored so that outward is +x (work pixels)."""

    collar: Point
    shoulder: Point
    armpit: Point
    hem: Point
    sleeve_outer: Point | None
    sleeve_inner: Point | None
    sleeve_length: float
    armpit_hidden: bool


@dataclass(frozen=True)
class _Line:
    """x = a*y + b, supported by the rows [y_top, y_bottom] (work pixels)."""

    a: float
    b: float
    y_top: int
    y_bottom: int

    def x(self, y: float | np.ndarray) -> float | np.ndarray:
        return self.a * y + self.b


class _HalfView:
    """The right half of a (possibly mirrored) work mask, outward = +x from `centre`.

    `run_end[y]`: last column of the cloth run containing the centre column (NaN if none).
    `outer[y]`: last cloth column right of the centre (NaN if none).
    """

    def __init__(self, mask: np.ndarray, centre: float, top: int, bottom: int) -> None:
        self.mask = mask
        self.centre = centre
        self.top = top
        self.bottom = bottom
        self.height = bottom - top
        self.start = int(np.ceil(centre))
        self.run_end = np.full(mask.shape[0], np.nan)
        self.outer = np.full(mask.shape[0], np.nan)
        for y in range(top, bottom + 1):
            row = mask[y, self.start :]
            if row.size and row[0]:
                gaps = np.flatnonzero(~row)
                self.run_end[y] = self.start + (gaps[0] - 1 if gaps.size else row.size - 1)
            cols = np.flatnonzero(row)
            if cols.size:
                self.outer[y] = self.start + cols[-1]
        self.width = float(np.nanmax(self.outer) - centre) * 2.0
        self.tol = SIDE_TOLERANCE * self.width
        self.outline = _outline(mask)

    def rows(self, frac0: float, frac1: float) -> np.ndarray:
        return np.arange(self.top + int(frac0 * self.height), self.top + int(frac1 * self.height) + 1)


@dataclass(frozen=True)
class _Evidence:
    """What one half says about the torso before the halves are reconciled."""

    view: _HalfView
    line: _Line | None
    split_y: int | None
    side_x: float | None


def _outline(mask: np.ndarray) -> np.ndarray:
    """(N, 2) float array of the outer contour, in order."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    return contour[:, 0, :].astype(np.float64)


def _largest_component(mask: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        raise GarmentError("the cloth mask is empty")
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _centre_column(mask: np.ndarray, top: int, bottom: int, left: int, right: int) -> float:
    """Column (may be half-integer) about which the upper garment is most symmetric."""
    rows = mask[top : top + max(1, int(SYMMETRY_ROWS * (bottom - top)))]
    middle = (left + right) / 2.0
    span = max(1, int(SYMMETRY_SEARCH * (right - left)))
    best, best_score = middle, -1.0
    for twice in range(int(2 * (middle - span)), int(2 * (middle + span)) + 1):
        centre = twice / 2.0
        reach = int(min(centre, rows.shape[1] - 1 - centre))
        part = rows[:, int(np.ceil(centre - reach)) : int(np.floor(centre + reach)) + 1]
        union = np.logical_or(part, part[:, ::-1]).sum()
        score = np.logical_and(part, part[:, ::-1]).sum() / union if union else 0.0
        if score > best_score:
            best, best_score = centre, score
    return best


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), (np.flatnonzero(d == -1) - 1).tolist()))


def _side_line(view: _HalfView, rng: np.random.Generator) -> _Line | None:
    """The innermost well-supported straight line through the central run's ends.

    Candidate lines within a few tolerances of each other are one group (waist and hip of one
    side seam); the torso side is the innermost group followed by at least half as many rows
    as the best-supported group.
    """
    ys = view.rows(SIDE_FIT_FROM, 1.0)
    xs = view.run_end[ys]
    ok = ~np.isnan(xs)
    ys, xs = ys[ok], xs[ok]
    min_support = max(5, int(SIDE_MIN_SUPPORT * view.height))
    max_gap = max(2, int(SIDE_MAX_GAP * view.height))
    if ys.size < min_support:
        return None
    candidates: list[tuple[int, float, np.ndarray]] = []
    for _ in range(RANSAC_TRIALS):
        i, j = rng.choice(ys.size, size=2, replace=False)
        if ys[i] == ys[j]:
            continue
        slope = (xs[j] - xs[i]) / (ys[j] - ys[i])
        if abs(slope) > SIDE_MAX_SLOPE:
            continue
        inliers = _longest_block(ys, np.abs(xs - (xs[i] + slope * (ys - ys[i]))) <= view.tol, max_gap)
        if inliers.sum() >= min_support:
            candidates.append((int(inliers.sum()), float(np.mean(xs[inliers])), inliers))
    if not candidates:
        return None
    candidates.sort(key=lambda c: -c[0])
    groups: list[tuple[int, float, np.ndarray]] = []
    for cand in candidates:
        if all(abs(cand[1] - g[1]) > SIDE_GROUP_TOLERANCES * view.tol for g in groups):
            groups.append(cand)
    strong = [g for g in groups if g[0] >= SIDE_GROUP_MIN_SHARE * groups[0][0]]
    inliers = min(strong, key=lambda g: g[1])[2]
    a, b = np.polyfit(ys[inliers], xs[inliers], 1)
    return _Line(float(a), float(b), int(ys[inliers].min()), int(ys[inliers].max()))


def _longest_block(ys: np.ndarray, inliers: np.ndarray, max_gap: int) -> np.ndarray:
    """The inliers of the longest stretch of rows without a gap wider than `max_gap`.

    A side seam is one unbroken stretch; a line that crosses it at an angle collects rows from
    unrelated places.
    """
    rows = ys[inliers]
    if rows.size == 0:
        return inliers
    breaks = np.flatnonzero(np.diff(rows) > max_gap)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [rows.size - 1]])
    k = int(np.argmax(ends - starts))
    keep = (ys >= rows[starts[k]]) & (ys <= rows[ends[k]])
    return inliers & keep


def _follow(view: _HalfView, y_from: int, step: int) -> int:
    """Last row reached from `y_from` while the central run's end moves smoothly.

    A side seam moves at most about one pixel per row; a sleeve joining (going up), the armhole
    curving in, or the hem turning inward (going down) moves it faster.
    """
    y = y_from
    while view.top <= y + 2 * step <= view.bottom:
        x0, x2 = view.run_end[y], view.run_end[y + 2 * step]
        if np.isnan(x0) or np.isnan(x2) or abs(x2 - x0) > 2 * SIDE_MAX_STEP:
            break
        y += step
    return y


def _follow_down(view: _HalfView, y_from: int) -> int:
    """Like `_follow` going down, but stepping over rows where a cuff or tie touches the side.

    Where the run end jumps outward and comes back to the side within `CONTACT_SKIP` of the
    height, the torso side carries on below the contact.
    """
    y = _follow(view, y_from, +1)
    skip = int(CONTACT_SKIP * view.height)
    while y + 2 <= view.bottom:
        x = view.run_end[y]
        ahead = view.run_end[y + 1 : min(view.bottom, y + skip) + 1]
        back = np.flatnonzero(np.abs(ahead - x) <= 1.5 * view.tol)
        jumped_out = not np.isnan(view.run_end[y + 2]) and view.run_end[y + 2] > x + 2 * SIDE_MAX_STEP
        if not jumped_out or back.size == 0:
            break
        y = _follow(view, y + 1 + int(back[0]), +1)
    return y


def _sleeve_edge_split(view: _HalfView, line: _Line) -> int | None:
    """Row below which the "side line" turns out to be a long sleeve's outer edge, or None.

    Below a sleeve held against the torso its cuff hangs free: the outer edge carries on along
    the line as a separate run that starts well away from the centre line. Going up, such a line
    never meets a sleeve joining from outside; it turns inward into the shoulder. (A tie hanging
    below the hem looks the same from below, but its line, the torso side, meets the sleeve.)
    """
    rows = np.arange(line.y_bottom + 1, min(view.bottom, line.y_bottom + int(0.06 * view.height)) + 1)
    if rows.size < 3:
        return None
    half = float(line.x(line.y_bottom)) - view.centre
    hits = []
    for y in rows:
        outer = view.outer[y]
        if np.isnan(outer) or abs(outer - line.x(y)) > 2 * view.tol:
            hits.append(False)
            continue
        start = next(a for a, b in _runs(view.mask[y, view.start :]) if view.start + b == outer)
        hits.append(view.start + start - view.centre >= SLEEVE_RUN_MIN_START * half)
    if np.mean(hits) < 0.6:
        return None
    top = _follow(view, line.y_top, -1)
    above = view.run_end[max(view.top, top - int(0.03 * view.height)) : top]
    if np.any(above > line.x(top) + 2 * view.tol):
        return None
    return int(rows[int(np.argmax(hits))])


def _evidence(view: _HalfView, rng: np.random.Generator) -> _Evidence:
    line = _side_line(view, rng)
    if line is None:
        return _Evidence(view, None, None, None)
    split = _sleeve_edge_split(view, line)
    if split is None:
        return _Evidence(view, line, None, None)
    below = view.run_end[split : min(view.bottom, split + int(0.03 * view.height)) + 1]
    side = float(np.nanmax(below)) if np.any(~np.isnan(below)) else None
    return _Evidence(view, None, split, side)


def _nearest_index(points: np.ndarray, target: Point) -> int:
    return int(np.argmin(np.hypot(points[:, 0] - target[0], points[:, 1] - target[1])))


def _path(points: np.ndarray, i: int, j: int, centre: float) -> np.ndarray:
    """Outline points from index i to j, in the direction that stays right of the centre."""
    n = len(points)
    forward = points[np.arange(i, i + ((j - i) % n) + 1) % n]
    backward = points[np.arange(i, i - ((i - j) % n) - 1, -1) % n]
    return forward if np.mean(forward[:, 0] > centre) >= np.mean(backward[:, 0] > centre) else backward


def _collar(view: _HalfView) -> Point:
    """Highest point of the top outline near the centre (the high point of the shoulder).

    Of a flat stretch the innermost point is taken: the shoulder line falls away outward.
    """
    c0 = view.start + int(COLLAR_WINDOW[0] * view.width)
    c1 = min(view.mask.shape[1], view.start + max(int(COLLAR_WINDOW[1] * view.width), 2))
    sub = view.mask[:, c0:c1]
    has = sub.any(axis=0)
    if not has.any():
        raise GarmentError("found no shoulders next to the neck; is this a top photographed from the front?")
    tops = np.where(has, np.argmax(sub, axis=0), view.mask.shape[0]).astype(float)
    highest = float(tops.min())
    flat = np.flatnonzero(tops <= highest + NECK_SIDE_TOLERANCE * view.height)
    k = int(flat[0])
    return float(c0 + k), float(tops[k])


def _hem_corner(view: _HalfView, x: float, y: float) -> Point:
    """The down-and-outward extreme of the outline near (x, y)."""
    o = view.outline
    near = o[(np.abs(o[:, 1] - y) <= 0.05 * view.height) & (np.abs(o[:, 0] - x) <= 0.05 * view.width)]
    near = near[near[:, 0] > view.centre]
    if not near.size:
        return float(x), float(y)
    k = int(np.argmax(near[:, 1] + (near[:, 0] - view.centre)))
    return float(near[k, 0]), float(near[k, 1])


def _sleeve_reach(view: _HalfView, collar_y: float, armpit: Point, hem: Point) -> float:
    """How far cloth reaches beyond the torso: above the armpit, or hanging below it as its own run.

    Above the armpit the reference is the torso's widest point, so the top of a tank's strap
    (outward of a deep armhole, inward of the hips) is not taken for a sleeve.
    """
    hem_y = hem[1]
    above = view.outer[int(collar_y) : int(armpit[1]) + 1]
    widest = max(armpit[0], hem[0])
    reach = float(np.nanmax(above - widest)) if np.any(~np.isnan(above)) else 0.0
    for y in range(int(armpit[1]) + 1, min(view.bottom, int(hem_y + 0.1 * view.height)) + 1):
        if not np.isnan(view.outer[y]) and not np.isnan(view.run_end[y]) and view.outer[y] > view.run_end[y] + 1:
            reach = max(reach, float(view.outer[y] - armpit[0]))
    return reach


def _turn_degrees(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = b - a, c - b
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if nu == 0 or nv == 0:
        return 0.0
    return float(np.degrees(np.arccos(np.clip(np.dot(u, v) / (nu * nv), -1.0, 1.0))))


def _tip_index(upper: np.ndarray, armpit: Point, width: float) -> int:
    """Index of the sleeve's far end on the outline collar -> sleeve -> armpit.

    Sleeves point outward (short ones) or hang down (long ones) from the armpit, never up: the
    far end maximises outward plus downward distance from the armpit, which the shoulder (up
    and only a little outward) does not.
    """
    reach = (upper[:, 0] - armpit[0]) + np.maximum(upper[:, 1] - armpit[1], 0.0)
    return int(np.argmax(np.where(upper[:, 0] > armpit[0] + 0.02 * width, reach, -np.inf)))


def _shoulder(upper: np.ndarray, armpit: Point, width: float) -> Point:
    """Corner between the shoulder line and the sleeve on the outline collar -> sleeve.

    Where the outline runs on almost straight (dropped shoulders, sleeves held out), the corner
    is weak and the shoulder line's point above the armpit is used instead.
    """
    first = upper[: _tip_index(upper, armpit, width) + 1]
    if len(first) >= 3:
        chord = first[-1] - first[0]
        norm = float(np.hypot(*chord)) or 1.0
        off = np.abs(chord[0] * (first[:, 1] - first[0, 1]) - chord[1] * (first[:, 0] - first[0, 0])) / norm
        k = int(np.argmax(off))
        if _turn_degrees(first[0], first[k], first[-1]) >= SHOULDER_MIN_TURN_DEG and first[k, 0] >= armpit[0] - 0.03 * width:
            return float(first[k, 0]), float(first[k, 1])
    crossing = np.flatnonzero(first[:, 0] >= armpit[0])
    k = int(crossing[0]) if crossing.size else len(first) - 1
    return float(first[k, 0]), float(first[k, 1])


def _sleeve_end(upper: np.ndarray, armpit: Point, shoulder: Point, width: float) -> tuple[Point, Point]:
    """(outer end, inner end) of the sleeve on the outline collar -> sleeve -> armpit.

    The outline from the shoulder to the armpit is simplified to a few straight edges; the
    sleeve's opening (or cuff) is the edge reaching farthest from the armpit, outward or down,
    and its two ends, in outline order, are the outer and the inner end.
    """
    k0 = _nearest_index(upper, shoulder)
    part = upper[k0:]
    if len(part) < 4:
        part = upper
    simple = cv2.approxPolyDP(part.astype(np.float32).reshape(-1, 1, 2), SLEEVE_EDGE_EPSILON * width, False)
    vertices = simple.reshape(-1, 2).astype(np.float64)
    reach = (vertices[:, 0] - armpit[0]) + np.maximum(vertices[:, 1] - armpit[1], 0.0)
    base = (np.asarray(shoulder) + np.asarray(armpit)) / 2.0
    best, best_score = 0, -np.inf
    for i in range(len(vertices) - 1):
        edge = vertices[i + 1] - vertices[i]
        length = float(np.hypot(*edge))
        if length < SLEEVE_EDGE_MIN * width:
            continue
        # The opening crosses the sleeve: square to the line from the armhole to it. The top
        # and the underside run along that line.
        towards = (vertices[i] + vertices[i + 1]) / 2.0 - base
        across = 1.0 - abs(float(edge @ towards)) / (length * (float(np.hypot(*towards)) or 1.0))
        score = float(reach[i] + reach[i + 1]) * across
        if score > best_score:
            best, best_score = i, score
    if best_score == -np.inf:
        k = _tip_index(upper, armpit, width)
        return (float(upper[k, 0]), float(upper[k, 1])), (float(upper[k, 0]), float(upper[k, 1]))
    outer, inner = vertices[best], vertices[best + 1]
    return (float(outer[0]), float(outer[1])), (float(inner[0]), float(inner[1]))


def _hidden_side_x(ev: _Evidence, mirror: _Evidence) -> float:
    if ev.side_x is not None:
        return ev.side_x
    if mirror.line is not None:
        return ev.view.centre + float(mirror.line.x(mirror.line.y_top)) - mirror.view.centre
    if mirror.side_x is not None:
        return ev.view.centre + mirror.side_x - mirror.view.centre
    raise GarmentError("found no torso side below the sleeves; is this a top photographed flat from the front?")


def _armpit_depth(ev: _Evidence) -> float | None:
    """Armpit depth below the collar that a half shows plainly, or None."""
    if ev.line is None:
        return None
    view = ev.view
    collar_y = _collar(view)[1]
    y_armpit = _follow(view, ev.line.y_top, -1)
    y_hem = _follow(view, ev.line.y_bottom, +1)
    depth = (y_armpit - collar_y) / max(y_hem - collar_y, 1.0)
    return float(y_armpit - collar_y) if ARMPIT_MIN_DEPTH <= depth <= ARMPIT_MAX_DEPTH else None


def _cut_along_side(mask: np.ndarray, side: list[tuple[int, float]]) -> np.ndarray:
    """A copy of the mask with a two-pixel slit just outside the torso side.

    A sleeve touching the torso below the armpit (a cuff on the hem, a sleeve held against the
    side) then no longer joins it, so the outline runs around the sleeve and up its inner edge
    to the armpit.
    """
    cut = mask.astype(np.uint8)
    # A polyline keeps the slit unbroken where the side steps sideways between rows.
    points = np.array([[int(round(x)) + 2, y] for y, x in side], dtype=np.int32).reshape(-1, 1, 2)
    cv2.polylines(cut, [points], isClosed=False, color=0, thickness=2)
    cut = cut.astype(bool)
    return cut


def _analyse_half(ev: _Evidence, mirror: _Evidence) -> _Side:
    """Landmarks of one half from its own evidence, borrowing from the other half where blind."""
    view = ev.view
    collar = _collar(view)
    if ev.line is not None:
        line = ev.line
        y_armpit = _follow(view, line.y_top, -1)
        y_hem = _follow_down(view, line.y_bottom)
        armpit = (float(view.run_end[y_armpit]), float(y_armpit))
        hem = _hem_corner(view, float(view.run_end[y_hem]), float(y_hem))
        depth = (armpit[1] - collar[1]) / max(hem[1] - collar[1], 1.0)
        # Deeper than this the "armpit" is a cuff touching the torso side (a long sleeve hangs
        # against the torso above it); shallower, the side ran smoothly into a strap.
        hidden, shallow = depth > ARMPIT_MAX_DEPTH, depth < ARMPIT_MIN_DEPTH
    elif ev.split_y is not None:
        line = _Line(0.0, _hidden_side_x(ev, mirror), ev.split_y, ev.split_y)
        y_hem = _follow_down(view, ev.split_y) if not np.isnan(view.run_end[ev.split_y]) else ev.split_y
        hem_x = view.run_end[y_hem] if not np.isnan(view.run_end[y_hem]) else line.b
        hem = _hem_corner(view, float(hem_x), float(y_hem))
        armpit, hidden, shallow = (line.b, float(ev.split_y)), True, False
    else:
        raise GarmentError("found no torso side; is this a top photographed flat from the front?")
    if hidden or shallow:
        known = _armpit_depth(mirror)
        y = int(round(collar[1] + (known if known is not None else ARMPIT_DEPTH_ESTIMATE * (hem[1] - collar[1]))))
        x = float(line.x(y)) if hidden or np.isnan(view.run_end[y]) else float(view.run_end[y])
        armpit = (x, float(y))

    side = []
    for y in range(int(armpit[1]), int(hem[1]) + 1):
        # Where a cuff touches the side the run ends at the cuff's far edge: cut on the line.
        edge, on_line = view.run_end[y], float(line.x(y))
        touching = np.isnan(edge) or edge > on_line + 1.5 * view.tol
        side.append((y, on_line if hidden or touching else float(edge)))
    outline = _outline(_cut_along_side(view.mask, side))
    upper = _path(outline, _nearest_index(outline, collar), _nearest_index(outline, armpit), view.centre)
    has_sleeve = hidden or _sleeve_reach(view, collar[1], armpit, hem) >= SLEEVE_MIN_REACH * view.width
    sleeve_outer = sleeve_inner = None
    sleeve_length = 0.0
    if has_sleeve:
        shoulder = _shoulder(upper, armpit, view.width)
        sleeve_outer, sleeve_inner = _sleeve_end(upper, armpit, shoulder, view.width)
        mid = np.add(sleeve_outer, sleeve_inner) / 2.0
        sleeve_length = float(np.hypot(mid[0] - shoulder[0], mid[1] - shoulder[1]))
    else:
        score = (upper[:, 0] - view.centre) - (upper[:, 1] - collar[1])
        k = int(np.argmax(score))
        shoulder = (float(upper[k, 0]), float(upper[k, 1]))
    return _Side(collar, shoulder, armpit, hem, sleeve_outer, sleeve_inner, sleeve_length, hidden)


def garment_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), end-exclusive: the cloth's bounding box with a margin on every side.

    Landmarks are found in this crop scaled to a fixed height, so a garment small in a large
    photo is read at the same detail as one that fills it.
    """
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        raise GarmentError("the cloth mask is empty")
    margin = int(round(CROP_MARGIN * max(ys.max() - ys.min(), xs.max() - xs.min()))) + 2
    height, width = mask.shape[:2]
    return (max(0, int(xs.min()) - margin), max(0, int(ys.min()) - margin),
            min(width, int(xs.max()) + margin + 1), min(height, int(ys.max()) + margin + 1))


def _work_mask(mask: np.ndarray) -> tuple[np.ndarray, float, tuple[int, int]]:
    """(work mask, scale from mask pixels to work pixels, (x, y) offset of the crop)."""
    x0, y0, x1, y1 = garment_box(mask > 0)
    crop = mask[y0:y1, x0:x1]
    scale = WORK_HEIGHT / crop.shape[0]
    size = (max(8, int(round(crop.shape[1] * scale))), WORK_HEIGHT)
    work = cv2.resize((crop > 0).astype(np.uint8) * 255, size, interpolation=cv2.INTER_AREA) >= 128
    return _largest_component(work), scale, (x0, y0)


def _asymmetry(left: _Side, right: _Side, centre: float, height: float) -> float:
    """Mean mismatch (share of height) between a half and the mirror image of the other."""
    diffs = []
    for a, b in ((left.shoulder, right.shoulder), (left.armpit, right.armpit), (left.hem, right.hem)):
        diffs.append(np.hypot((a[0] - centre) - (b[0] - centre), a[1] - b[1]) / height)
    return float(np.mean(diffs))


def detect_landmarks(mask: np.ndarray, seed: int = 0) -> LandmarkResult:
    """Landmarks of a garment from its cloth mask ((H, W) uint8 or bool, nonzero = cloth).

    Raises GarmentError (the reason only; the caller names the file) when the silhouette is
    not a top that can be read.
    """
    if np.count_nonzero(mask) < MIN_GARMENT_PIXELS:
        raise GarmentError("the garment is too small in the photo to find its landmarks")
    work, scale, (ox, oy) = _work_mask(mask)
    ys, xs = np.nonzero(work)
    top, bottom = int(ys.min()), int(ys.max())
    centre = _centre_column(work, top, bottom, int(xs.min()), int(xs.max()))
    w = work.shape[1]
    flipped = np.ascontiguousarray(work[:, ::-1])
    rng = np.random.default_rng(seed)
    ev_left = _evidence(_HalfView(work, centre, top, bottom), rng)  # wearer's left = image right
    ev_right = _evidence(_HalfView(flipped, w - 1 - centre, top, bottom), rng)
    left = _analyse_half(ev_left, ev_right)
    right_m = _analyse_half(ev_right, ev_left)  # still mirrored: outward is +x

    notes: list[str] = []
    confidence = 1.0
    if left.armpit_hidden or right_m.armpit_hidden:
        notes.append("a sleeve lies against the torso, so its armpit was estimated")
        confidence *= HIDDEN_ARMPIT_CONFIDENCE
    asym = _asymmetry(left, right_m, centre, bottom - top)
    if asym > ASYMMETRY_TOLERANCE:
        notes.append(f"the two halves differ by {asym:.0%} of the height")
        confidence *= max(0.2, 1.0 - 4.0 * (asym - ASYMMETRY_TOLERANCE))
    if (left.sleeve_outer is None) != (right_m.sleeve_outer is None):
        notes.append("one side seems to have a sleeve and the other not")
        confidence *= 0.5
    torso = float(np.mean([s.hem[1] - s.shoulder[1] for s in (left, right_m)]))
    if torso <= 0:
        raise GarmentError("found the hem above the shoulders; is the photo upside down?")
    lengths = [s.sleeve_length for s in (left, right_m) if s.sleeve_outer is not None]
    ratio = float(np.mean(lengths)) / torso if lengths else 0.0
    if not lengths:
        kind = SleeveKind.NONE
    else:
        kind = SleeveKind.LONG if ratio >= LONG_SLEEVE_RATIO else SleeveKind.SHORT

    def mirror(p: Point) -> Point:
        return (w - 1 - p[0], p[1])

    pts: dict[str, Point] = {
        "collar_left": left.collar,
        "collar_right": mirror(right_m.collar),
        "shoulder_left": left.shoulder,
        "shoulder_right": mirror(right_m.shoulder),
        "armpit_left": left.armpit,
        "armpit_right": mirror(right_m.armpit),
        "hem_left": left.hem,
        "hem_right": mirror(right_m.hem),
    }
    if kind is not SleeveKind.NONE:
        for side, other, prefix, flip in ((left, right_m, "sleeve_left", False), (right_m, left, "sleeve_right", True)):
            # A half that found no sleeve borrows the other half's, mirrored, rather than leave a hole.
            ends = (side.sleeve_outer, side.sleeve_inner)
            if ends[0] is None or ends[1] is None:
                ends, flip = (other.sleeve_outer, other.sleeve_inner), not flip
            for suffix, point in zip(("outer", "inner"), ends):
                if point is not None:
                    pts[f"{prefix}_{suffix}"] = mirror(point) if flip else point
    column = np.flatnonzero(work[:, int(round(centre))])
    pts["neck_center"] = (centre, float(column.min()) if column.size else float(top))
    pts["hem_center"] = (centre, float(column.max()) if column.size else float(bottom))
    to_mask = {name: ((x + 0.5) / scale - 0.5 + ox, (y + 0.5) / scale - 0.5 + oy) for name, (x, y) in pts.items()}
    return LandmarkResult(
        landmarks=to_mask,
        sleeve_kind=kind,
        category=CATEGORY_FOR_SLEEVES[kind],
        confidence=round(confidence, 3),
        sleeve_ratio=round(ratio, 3),
        notes=tuple(notes),
    )
