"""Render LiveFit's bundled garments: ghost-mannequin product photos of tops, made from scratch.

Every garment is built from a few measurements (neck, shoulders, armpits, hem, sleeve angle and
length), so its landmarks are known exactly and go straight into the sidecar. The picture is
then painted the way a studio photo looks: woven or knitted fabric texture (per piece, so
stripes follow the sleeves), soft folds and edge falloff, seams and stitching, a rib binding at
the neck, the inside of the back neckline showing through the neck opening, buttons, pockets and
drawstrings, on a retouched light-grey background. Deterministic: each garment has its own seed.

Run from the repository root:  python assets/make_garments.py [--out assets/garments]
Nothing here comes from a photo; the output is LiveFit's own (see assets/garments/SOURCE.md).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.garments.catalog import make_thumbnail  # noqa: E402
from app.garments.model import SleeveKind  # noqa: E402
from app.garments.sidecar import Sidecar, write  # noqa: E402

W, H = 768, 1024
SS = 2
"""Supersampling of the piece masks, for anti-aliased edges."""
BACKGROUND = 246.0
JPEG_QUALITY = 90

Vec = np.ndarray


@dataclass(frozen=True)
class Spec:
    id: str
    name: str
    category: str
    sleeve: str  # none | short | long
    fabric: str
    colours: tuple[tuple[int, int, int], ...]  # BGR
    seed: int
    neck: str = "crew"  # crew | v | scoop | boat | shirt
    neck_half: float = 78.0
    front_depth: float = 64.0
    shoulder_half: float = 222.0
    shoulder_drop: float = 34.0
    armpit_half: float = 206.0
    armpit_depth: float = 215.0
    hem_half: float = 210.0
    hem_y: float = 830.0
    hem_curve: float = 0.0
    waist_in: float = 8.0
    sleeve_angle: float = 35.0  # degrees below horizontal
    sleeve_length: float = 150.0
    sleeve_end: float = 118.0
    extras: tuple[str, ...] = field(default=())


SPECS: tuple[Spec, ...] = (
    Spec("tee-navy", "Navy crew-neck tee", "short_sleeve", "short", "jersey", ((92, 52, 30),), 11),
    Spec("tee-red-print", "Red graphic tee", "short_sleeve", "short", "jersey", ((40, 40, 196),), 12,
         extras=("print",), sleeve_angle=32.0),
    Spec("tee-blush-vneck", "Blush V-neck tee", "short_sleeve", "short", "heather",
         ((170, 172, 226), (150, 150, 208)), 13, neck="v", front_depth=150.0, hem_half=186.0,
         sleeve_length=130.0, sleeve_angle=40.0),
    Spec("tank-sage", "Sage scoop tank", "sleeveless", "none", "heather", ((132, 160, 140), (112, 140, 120)),
         14, neck="scoop", front_depth=110.0, neck_half=90.0, shoulder_half=150.0, armpit_half=182.0,
         armpit_depth=215.0, hem_half=196.0, hem_curve=28.0, hem_y=900.0),
    Spec("tank-mustard-rib", "Mustard rib tank", "sleeveless", "none", "rib", ((40, 160, 214),), 15,
         neck="crew", neck_half=78.0, front_depth=60.0, shoulder_half=140.0, armpit_half=172.0,
         armpit_depth=200.0, hem_half=176.0, hem_y=820.0, waist_in=12.0),
    Spec("breton-long", "Breton stripe top", "long_sleeve", "long", "stripes", ((214, 226, 232), (96, 50, 34)), 16,
         neck="boat", neck_half=110.0, front_depth=30.0, shoulder_half=215.0, sleeve_angle=76.0,
         sleeve_length=560.0, sleeve_end=84.0),
    Spec("henley-olive-waffle", "Olive waffle henley", "long_sleeve", "long", "waffle", ((74, 110, 104),), 17,
         neck="crew", extras=("henley",), sleeve_angle=77.0, sleeve_length=570.0, sleeve_end=80.0),
    Spec("blouse-floral", "Floral V-neck blouse", "long_sleeve", "long", "floral", ((222, 240, 246),), 18,
         neck="v", front_depth=170.0, sleeve_angle=74.0, sleeve_length=540.0, sleeve_end=96.0,
         hem_half=200.0, waist_in=4.0),
    Spec("shirt-gingham", "Blue gingham shirt", "shirt", "long", "gingham", ((240, 240, 244), (170, 110, 52)), 19,
         neck="shirt", front_depth=96.0, extras=("buttons", "pocket", "cuffs"), sleeve_angle=76.0,
         sleeve_length=575.0, sleeve_end=86.0, hem_curve=34.0, hem_y=900.0),
    Spec("shirt-denim", "Short-sleeve denim shirt", "shirt", "short", "denim", ((120, 78, 44),), 20,
         neck="shirt", front_depth=96.0, extras=("buttons", "pocket"), sleeve_angle=30.0,
         sleeve_length=150.0, sleeve_end=122.0, hem_curve=26.0),
    Spec("hoodie-marl", "Grey marl hoodie", "hoodie", "long", "fleece", ((168, 168, 164), (140, 140, 138)), 21,
         neck="crew", neck_half=84.0, front_depth=56.0, extras=("hood", "pocket-kangaroo", "cuffs", "hem-band"),
         shoulder_half=220.0, armpit_half=196.0, hem_half=196.0, sleeve_angle=77.0, sleeve_length=560.0,
         sleeve_end=92.0, waist_in=0.0),
)


# --------------------------------------------------------------------------------- geometry


@dataclass
class Geometry:
    """Points in image pixels; `_l` is the wearer's left = image right."""

    points: dict[str, Vec]
    torso: np.ndarray
    sleeves: list[tuple[np.ndarray, Vec]]  # (polygon, unit direction)
    front_neck: np.ndarray  # polyline from collar_right to collar_left
    back_neck: np.ndarray


def _curve(a: Vec, b: Vec, c: Vec, n: int = 24) -> np.ndarray:
    """Quadratic Bezier from a to c with control b."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * b + t**2 * c


def _mirror(p: Vec) -> Vec:
    return np.array([W - 1 - p[0], p[1]])


def _chaikin(poly: np.ndarray, rounds: int = 2, keep: set[int] | None = None) -> np.ndarray:
    """Round the corners of a closed polygon, except the vertices listed in `keep`."""
    pts = [np.asarray(p, float) for p in poly]
    fixed = [i in (keep or set()) for i in range(len(pts))]
    for _ in range(rounds):
        out, out_fixed = [], []
        n = len(pts)
        for i in range(n):
            p, q = pts[i], pts[(i + 1) % n]
            if fixed[i]:
                out.append(p)
                out_fixed.append(True)
            else:
                out.append(0.75 * p + 0.25 * q)
                out_fixed.append(False)
            out.append(0.25 * p + 0.75 * q)
            out_fixed.append(False)
        pts, fixed = out, out_fixed
    return np.array(pts)


def build_geometry(s: Spec) -> Geometry:
    cx = (W - 1) / 2.0
    top = 120.0
    hps = np.array([cx + s.neck_half, top])
    shoulder = np.array([cx + s.shoulder_half, top + s.shoulder_drop])
    armpit = np.array([cx + s.armpit_half, top + s.armpit_depth])
    hem = np.array([cx + s.hem_half, s.hem_y - s.hem_curve * 0.15])
    hem_c = np.array([cx, s.hem_y + s.hem_curve * 0.85])
    waist = np.array([cx + (s.armpit_half + s.hem_half) / 2.0 - s.waist_in, (armpit[1] + hem[1]) / 2.0])
    pts: dict[str, Vec] = {
        "collar_left": hps, "shoulder_left": shoulder, "armpit_left": armpit, "hem_left": hem, "hem_center": hem_c,
    }
    right_side: list[Vec] = [hps, shoulder]
    sleeve_polys: list[tuple[np.ndarray, Vec]] = []
    if s.sleeve != "none":
        a = np.radians(s.sleeve_angle)
        d = np.array([np.cos(a), np.sin(a)])
        inward = np.array([-np.sin(a), np.cos(a)])  # across the sleeve, toward the underside
        outer = shoulder + s.sleeve_length * d
        inner = outer + s.sleeve_end * inward
        pts["sleeve_left_outer"], pts["sleeve_left_inner"] = outer, inner
        # The sleeve starts on the shoulder line, inside the torso, so the shoulder runs smoothly
        # into the sleeve; its cap bulges into the torso so the pieces overlap at the seam.
        along = (shoulder - hps) / np.linalg.norm(shoulder - hps)
        start = shoulder - 70.0 * along
        cap = _curve(start, shoulder + np.array([-40.0, 80.0]), armpit, 12)
        sleeve = np.vstack([_curve(start, shoulder + 24.0 * along, outer, 20),
                            _curve(outer, (outer + inner) / 2 + d * 3, inner, 6),
                            _curve(inner, (inner + armpit) / 2 - inward * (34.0 if s.sleeve == "long" else 6.0), armpit, 16), cap[::-1]])
        sleeve_polys.append((_chaikin(sleeve, rounds=2, keep={0}), d))
        right_side += [armpit]
    else:
        # Armhole of a tank: from the strap down and in, then out to the side seam.
        hole = _curve(shoulder, np.array([shoulder[0] - 22.0, armpit[1] - 30.0]), armpit, 20)
        right_side += list(hole[1:])
    side = _curve(armpit, waist + np.array([-4.0, 0.0]), hem, 24)
    right_side += list(side[1:])
    hem_line = _curve(hem, np.array([cx + s.hem_half * 0.5, hem_c[1] + 2.0]), hem_c, 16)
    right_side += list(hem_line[1:])
    left_side = [_mirror(p) for p in reversed(right_side)]
    back_dip = np.array([cx, top + 10.0])
    back = _curve(_mirror(hps), back_dip, hps, 24)
    keep: set[int] = set()
    torso = _chaikin(np.vstack([back[1:-1], np.array(right_side), np.array(left_side[1:])]), rounds=3, keep=keep)
    # Front neckline from the wearer's right collar corner (image left) to the left one.
    apex = np.array([cx, top + s.front_depth])
    if s.neck in ("v", "shirt"):
        half = [_mirror(hps) + t * (apex - _mirror(hps)) for t in np.linspace(0, 1, 14)]
        front = np.vstack([half, [_mirror(p) for p in reversed(half[:-1])]])
    elif s.neck == "scoop":
        front = np.vstack([_curve(_mirror(hps), np.array([_mirror(hps)[0] + 8, apex[1] + 12]), apex, 18),
                           _curve(apex, np.array([hps[0] - 8, apex[1] + 12]), hps, 18)[1:]])
    else:
        front = np.vstack([_curve(_mirror(hps), np.array([_mirror(hps)[0] + 10, apex[1] + 4]), apex, 18),
                           _curve(apex, np.array([hps[0] - 10, apex[1] + 4]), hps, 18)[1:]])
    pts["neck_center"] = apex
    for name in list(pts):
        if name.endswith("_left") or "_left_" in name:
            pts[name.replace("left", "right")] = _mirror(pts[name])
    sleeves = sleeve_polys + [(np.array([_mirror(p) for p in poly]), np.array([-d[0], d[1]])) for poly, d in sleeve_polys]
    return Geometry(pts, torso, sleeves, front, back)


# --------------------------------------------------------------------------------- raster helpers


def _coverage(polys: list[np.ndarray]) -> np.ndarray:
    """Anti-aliased coverage (H, W) float32 in 0..1 of filled polygons."""
    big = np.zeros((H * SS, W * SS), np.uint8)
    for poly in polys:
        cv2.fillPoly(big, [np.round(poly * SS).astype(np.int32)], 255, cv2.LINE_AA)
    return cv2.resize(big, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def _stroke(canvas: np.ndarray, line: np.ndarray, value: float, width: float, closed: bool = False,
            dashed: float = 0.0) -> None:
    """Draw a polyline of `value` into a float canvas (anti-aliased, supersampled)."""
    big = np.zeros((H * SS, W * SS), np.uint8)
    pts = line.copy()
    if dashed:
        seg = np.cumsum(np.r_[0, np.hypot(*np.diff(pts, axis=0).T)])
        dense = np.linspace(0, seg[-1], max(2, int(seg[-1] / 1.5)))
        pts = np.stack([np.interp(dense, seg, pts[:, 0]), np.interp(dense, seg, pts[:, 1])], 1)
        on = (dense // dashed) % 2 == 0
        for i in range(len(pts) - 1):
            if on[i]:
                cv2.line(big, tuple(np.round(pts[i] * SS).astype(int)), tuple(np.round(pts[i + 1] * SS).astype(int)),
                         255, max(1, int(round(width * SS))), cv2.LINE_AA)
    else:
        cv2.polylines(big, [np.round(pts * SS).astype(np.int32)], closed, 255, max(1, int(round(width * SS))), cv2.LINE_AA)
    cov = cv2.resize(big, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    canvas += cov * value


def _offset(line: np.ndarray, dist: float) -> np.ndarray:
    """The polyline moved `dist` pixels along its left-hand normal."""
    d = np.gradient(line, axis=0)
    n = np.stack([d[:, 1], -d[:, 0]], 1)
    n /= np.maximum(np.hypot(n[:, 0], n[:, 1])[:, None], 1e-6)
    return line + dist * n


def _noise(rng: np.random.Generator, scale: float, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    """Smooth noise in -1..1 with features about `scale` pixels wide."""
    small = rng.standard_normal((max(2, int(shape[0] / scale) + 2), max(2, int(shape[1] / scale) + 2))).astype(np.float32)
    big = cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return big / (np.abs(big).max() + 1e-6)


def _frame(direction: Vec | None) -> tuple[np.ndarray, np.ndarray]:
    """Fabric coordinates (u across, v along the piece) for every pixel."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if direction is None:
        return xx, yy
    along = direction / np.linalg.norm(direction)
    return (xx * along[1] - yy * along[0]), (xx * along[0] + yy * along[1])


# --------------------------------------------------------------------------------- fabrics


def fabric(s: Spec, rng: np.random.Generator, direction: Vec | None) -> np.ndarray:
    """(H, W, 3) float32 BGR 0..255 fabric for one piece; `direction` = the piece's length axis."""
    u, v = _frame(direction)
    base = np.array(s.colours[0], np.float32)
    second = np.array(s.colours[-1], np.float32)
    grain = rng.standard_normal((H, W)).astype(np.float32)
    if s.fabric == "jersey":
        rib = 0.035 * np.sin(u * 2 * np.pi / 3.4)
        tex = 1 + rib + 0.025 * cv2.GaussianBlur(grain, (0, 0), 0.7) + 0.03 * _noise(rng, 90)
        return base * tex[..., None]
    if s.fabric == "heather":
        streak = cv2.GaussianBlur(grain, (0, 0), sigmaX=0.6, sigmaY=2.2)
        mix = np.clip(0.5 + 1.6 * streak, 0, 1)[..., None]
        tex = 1 + 0.03 * np.sin(u * 2 * np.pi / 3.2)[..., None]
        return (base * (1 - mix) + second * mix) * tex
    if s.fabric == "rib":
        rib = 0.11 * np.sin(u * 2 * np.pi / 7.0) + 0.04 * np.sin(u * 2 * np.pi / 3.5)
        tex = 1 + rib + 0.02 * cv2.GaussianBlur(grain, (0, 0), 0.8)
        return base * tex[..., None]
    if s.fabric == "stripes":
        period = 34.0
        phase = (v if direction is not None else v) % period / period
        edge = 1.2 / period
        on = np.clip((phase - 0.45) / edge, 0, 1) * np.clip((0.95 - phase) / edge, 0, 1)
        cloth = base * (1 - on[..., None]) + second * on[..., None]
        return cloth * (1 + 0.03 * np.sin(u * 2 * np.pi / 3.4) + 0.02 * cv2.GaussianBlur(grain, (0, 0), 0.7))[..., None]
    if s.fabric == "waffle":
        cell = 9.0
        wx = np.abs(((u % cell) / cell) - 0.5) * 2
        wy = np.abs(((v % cell) / cell) - 0.5) * 2
        relief = 0.10 * (np.maximum(wx, wy) ** 3) - 0.05
        return base * (1 + relief + 0.02 * cv2.GaussianBlur(grain, (0, 0), 0.8))[..., None]
    if s.fabric == "gingham":
        period = 22.0
        hx = ((u % period) < period / 2).astype(np.float32)
        hy = ((v % period) < period / 2).astype(np.float32)
        hx, hy = cv2.GaussianBlur(hx, (0, 0), 0.7), cv2.GaussianBlur(hy, (0, 0), 0.7)
        amount = (0.45 * hx + 0.45 * hy + 0.1 * hx * hy)[..., None]
        weave = 1 + 0.04 * np.sin(u * np.pi) * np.sin(v * np.pi) + 0.02 * cv2.GaussianBlur(grain, (0, 0), 0.6)
        return (base * (1 - amount) + second * amount) * weave[..., None]
    if s.fabric == "denim":
        twill = 0.09 * np.sin((u + v) * 2 * np.pi / 4.2)
        slub = 0.10 * cv2.GaussianBlur(grain, (0, 0), sigmaX=0.5, sigmaY=9.0) * 3
        fade = 0.10 * _noise(rng, 60)
        white = np.clip(0.2 + slub + 0.5 * twill, 0, 1)[..., None]
        cloth = base * (1 + twill + fade)[..., None]
        return cloth * (1 - 0.35 * white) + np.array([220, 210, 200], np.float32) * 0.35 * white
    if s.fabric == "fleece":
        marl = cv2.GaussianBlur(grain, (0, 0), sigmaX=0.5, sigmaY=1.6)
        mix = np.clip(0.5 + 1.3 * marl, 0, 1)[..., None]
        fuzz = 1 + 0.025 * cv2.GaussianBlur(rng.standard_normal((H, W)).astype(np.float32), (0, 0), 1.5)[..., None]
        return (base * (1 - mix) + second * mix) * fuzz
    if s.fabric == "floral":
        return _floral(base, rng)
    raise ValueError(f"unknown fabric {s.fabric}")


def _floral(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cream ground with scattered small flowers and leaves, printed (slightly soft)."""
    canvas = np.ones((H, W, 3), np.float32) * base
    palette = [(92, 110, 226), (150, 160, 240), (70, 170, 232), (120, 96, 196)]
    leaf = (88, 128, 84)
    for _ in range(520):
        c = rng.uniform([0, 0], [W, H])
        r = rng.uniform(9, 16)
        ang = rng.uniform(0, 360)
        for k in range(2):
            a = np.radians(ang + 40 + k * 110)
            p = c + (r * 1.5) * np.array([np.cos(a), np.sin(a)])
            cv2.ellipse(canvas, tuple(np.round(p).astype(int)), (int(r * 0.9), int(r * 0.38)),
                        float(np.degrees(a)), 0, 360, leaf, -1, cv2.LINE_AA)
        colour = palette[int(rng.integers(len(palette)))]
        for k in range(5):
            a = np.radians(ang + k * 72)
            p = c + (r * 0.55) * np.array([np.cos(a), np.sin(a)])
            cv2.ellipse(canvas, tuple(np.round(p).astype(int)), (int(r * 0.62), int(r * 0.42)),
                        float(np.degrees(a)), 0, 360, colour, -1, cv2.LINE_AA)
        cv2.circle(canvas, tuple(np.round(c).astype(int)), int(r * 0.28), (60, 170, 230), -1, cv2.LINE_AA)
    canvas = cv2.GaussianBlur(canvas, (0, 0), 0.8)
    weave = 1 + 0.02 * cv2.GaussianBlur(rng.standard_normal((H, W)).astype(np.float32), (0, 0), 0.6)
    return canvas * weave[..., None]


def _graphic(canvas: np.ndarray, g: Geometry, rng: np.random.Generator) -> None:
    """A screen-printed chest graphic: a banded sun over hills and a wordmark, a little worn."""
    cx = (W - 1) / 2.0
    top = g.points["neck_center"][1]
    art = np.zeros((H, W, 3), np.float32)
    alpha = np.zeros((H, W), np.float32)
    centre = (int(cx), int(top + 190))
    sun = np.zeros((H, W), np.uint8)
    cv2.circle(sun, centre, 92, 255, -1, cv2.LINE_AA)
    bands = np.zeros((H, W), np.uint8)
    for i, y in enumerate(range(centre[1] + 10, centre[1] + 92, 16)):
        cv2.rectangle(bands, (0, y), (W, y + 6 + i), 255, -1)
    sun_a = (sun.astype(np.float32) / 255) * (1 - bands.astype(np.float32) / 255)
    yy = np.mgrid[0:H, 0:W][0].astype(np.float32)
    grad = np.clip((yy - (centre[1] - 92)) / 184.0, 0, 1)[..., None]
    sun_col = np.array([80, 210, 250], np.float32) * (1 - grad) + np.array([70, 120, 245], np.float32) * grad
    art = art * (1 - sun_a[..., None]) + sun_col * sun_a[..., None]
    alpha = np.maximum(alpha, sun_a)
    hills = np.zeros((H, W), np.uint8)
    pts = np.array([[cx - 130, centre[1] + 100], [cx - 60, centre[1] + 40], [cx, centre[1] + 80],
                    [cx + 70, centre[1] + 30], [cx + 130, centre[1] + 100]], np.int32)
    cv2.fillPoly(hills, [pts], 255, cv2.LINE_AA)
    hill_a = hills.astype(np.float32) / 255
    art = art * (1 - hill_a[..., None]) + np.array([60, 50, 40], np.float32) * hill_a[..., None]
    alpha = np.maximum(alpha, hill_a)
    word = np.zeros((H, W), np.uint8)
    text = "SUNSET CLUB"
    font, size, thick = cv2.FONT_HERSHEY_DUPLEX, 1.25, 3
    (tw, th), _ = cv2.getTextSize(text, font, size, thick)
    cv2.putText(word, text, (int(cx - tw / 2), centre[1] + 120 + th), font, size, 255, thick, cv2.LINE_AA)
    small = "EST. 1994  -  COAST LINE"
    (sw, sh), _ = cv2.getTextSize(small, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    cv2.putText(word, small, (int(cx - sw / 2), centre[1] + 132 + th + sh + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 255, 1, cv2.LINE_AA)
    word_a = word.astype(np.float32) / 255
    art = art * (1 - word_a[..., None]) + np.array([235, 238, 240], np.float32) * word_a[..., None]
    alpha = np.maximum(alpha, word_a)
    worn = np.clip(0.85 + 0.5 * cv2.GaussianBlur(rng.standard_normal((H, W)).astype(np.float32), (0, 0), 1.2), 0, 1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 0.6) * worn
    canvas[:] = canvas * (1 - alpha[..., None]) + art * alpha[..., None]


# --------------------------------------------------------------------------------- shading


def _folds(rng: np.random.Generator, g: Geometry, s: Spec) -> np.ndarray:
    """Soft folds: dark valleys with a lit ridge beside them, where garments crease."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    shade = np.zeros((H, W), np.float32)
    cx = (W - 1) / 2.0

    def fold(p: Vec, angle: float, length: float, width: float, depth: float) -> None:
        d = np.array([np.cos(angle), np.sin(angle)], np.float32)
        rel_x, rel_y = xx - p[0], yy - p[1]
        along = rel_x * d[0] + rel_y * d[1]
        across = -rel_x * d[1] + rel_y * d[0]
        window = np.exp(-(along / length) ** 2)
        shade[:] += window * (-depth * np.exp(-(across / width) ** 2) + 0.55 * depth * np.exp(-((across - 1.6 * width) / width) ** 2))

    for side in (-1, 1):
        ap = g.points["armpit_left" if side > 0 else "armpit_right"]
        for k in range(3):
            start = ap + np.array([-side * (20 + 25 * k), 40 + 50 * k])
            fold(start, np.pi / 2 + side * rng.uniform(0.45, 0.75), rng.uniform(60, 110), rng.uniform(7, 12),
                 rng.uniform(0.08, 0.13))
    for k in range(4):
        y = rng.uniform(g.points["armpit_left"][1] + 160, g.points["hem_center"][1] - 60)
        fold(np.array([cx + rng.uniform(-120, 120), y]), rng.uniform(-0.25, 0.25), rng.uniform(80, 150),
             rng.uniform(9, 16), rng.uniform(0.05, 0.09))
    # Broad drape: the fabric sags between the shoulders and bunches a little at the waist.
    for k in range(3):
        centre = np.array([cx + rng.uniform(-150, 150), rng.uniform(360, 720)])
        fold(centre, np.pi / 2 + rng.uniform(-0.35, 0.35), rng.uniform(120, 220), rng.uniform(30, 45),
             rng.uniform(0.04, 0.07) * (1 if k % 2 else -0.8))
    for poly, d in g.sleeves:
        if s.sleeve == "long":
            for t in (0.45, 0.62, 0.8):
                centre = poly[0] + d * t * s.sleeve_length + np.array([-np.sign(d[0]) * 30, 0])
                fold(centre, float(np.arctan2(d[1], d[0]) + np.pi / 2 + rng.uniform(-0.4, 0.4)), 32, 6, 0.12)
        else:
            centre = poly[0] + d * 0.55 * s.sleeve_length + np.array([0, 40])
            fold(centre, float(np.arctan2(d[1], d[0]) + rng.uniform(-0.3, 0.3)), 45, 7, 0.09)
    return shade


def _light(silhouette: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Studio light: brighter chest, falling off toward the edges and the hem."""
    inside = (silhouette > 0.5).astype(np.uint8)
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    edge = 1.0 - 0.16 * np.exp(-dist / 16.0) - 0.05 * np.exp(-dist / 60.0)
    yy = np.mgrid[0:H, 0:W][0].astype(np.float32)
    vertical = 1.04 - 0.08 * (yy / H)
    return edge * vertical * (1 + 0.035 * _noise(rng, 140))


def _volume(g: Geometry, torso_cov: np.ndarray, sleeve_cov: list[np.ndarray]) -> np.ndarray:
    """The garment is filled out as on a body: the torso a cylinder, each sleeve a tube."""
    cx = (W - 1) / 2.0
    half = abs(g.points["armpit_left"][0] - cx) + 10.0
    xx = np.mgrid[0:H, 0:W][1].astype(np.float32)
    torso = 1.0 - 0.20 * np.clip(np.abs(xx - cx) / half, 0, 1.2) ** 2.6
    volume = torso * np.clip(torso_cov, 0, 1)
    covered = np.clip(torso_cov, 0, 1)
    for cov in sleeve_cov:
        inside = (cov > 0.5).astype(np.uint8)
        dist = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
        tube = 0.80 + 0.20 * np.sqrt(np.clip(dist / max(float(dist.max()), 1.0), 0, 1))
        volume = volume * (1 - cov) + tube * cov
        covered = np.maximum(covered, cov)
    return np.where(covered > 0, volume / np.maximum(covered, 1e-3), 1.0)


# --------------------------------------------------------------------------------- render


def render(s: Spec) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[float, float]]]:
    """(image BGR uint8, wearable mask uint8, landmarks) of one garment."""
    rng = np.random.default_rng(s.seed)
    g = build_geometry(s)
    torso_cov = _coverage([g.torso])
    sleeve_cov = [_coverage([poly]) for poly, _ in g.sleeves]
    silhouette = np.clip(torso_cov + sum(sleeve_cov, np.zeros((H, W), np.float32)), 0, 1)
    front_region = np.vstack([g.front_neck, g.back_neck[::-1]])
    inner_back = _coverage([front_region]) * torso_cov

    torso_fabric = fabric(s, rng, None)
    if "print" in s.extras:
        _graphic(torso_fabric, g, rng)
    cloth = torso_fabric * torso_cov[..., None]
    for (poly, d), cov in zip(g.sleeves, sleeve_cov):
        piece = fabric(s, rng, d)
        # Sleeves lie on top of the torso at the armhole.
        cloth = cloth * (1 - cov[..., None]) + piece * cov[..., None]
    shade = (1 + _folds(rng, g, s)) * _light(silhouette, rng) * _volume(g, torso_cov, sleeve_cov)

    seams = np.zeros((H, W), np.float32)
    lights = np.zeros((H, W), np.float32)
    for side in ("left", "right"):
        p = g.points
        _stroke(seams, np.array([p[f"collar_{side}"], p[f"shoulder_{side}"]]), 0.22, 1.6)
        if s.sleeve != "none":
            cap = _curve(p[f"shoulder_{side}"], p[f"shoulder_{side}"] + np.array([-26.0 if side == "left" else 26.0, 80.0]),
                         p[f"armpit_{side}"], 16)
            _stroke(seams, cap, 0.28, 1.8)
            _stroke(lights, _offset(cap, -2.5 if side == "left" else 2.5), 0.05, 1.5)
            end = np.array([p[f"sleeve_{side}_outer"], p[f"sleeve_{side}_inner"]])
            d = end[1] - end[0]
            along = -np.array([-d[1], d[0]]) / np.linalg.norm(d) * (1 if side == "left" else -1)
            for k, depth in enumerate((14.0, 20.0) if "cuffs" not in s.extras else (30.0,)):
                _stroke(seams, end + along * depth, 0.25 if k == 0 else 0.18, 1.1, dashed=4.0)
            if "cuffs" in s.extras:
                cuff = np.array([end[0] + along * 30.0, end[1] + along * 30.0])
                _stroke(seams, cuff, 0.3, 1.6)
    hem = np.array([g.points["hem_right"], g.points["hem_center"], g.points["hem_left"]])
    hem_line = np.vstack([_curve(hem[0], np.array([(hem[0][0] + hem[1][0]) / 2, hem[1][1] + 2]), hem[1], 20),
                          _curve(hem[1], np.array([(hem[1][0] + hem[2][0]) / 2, hem[1][1] + 2]), hem[2], 20)[1:]])
    if "hem-band" in s.extras:
        _stroke(seams, hem_line + np.array([0, -46.0]), 0.3, 1.8)
    else:
        _stroke(seams, hem_line + np.array([0, -14.0]), 0.25, 1.1, dashed=4.0)
        _stroke(seams, hem_line + np.array([0, -20.0]), 0.18, 1.1, dashed=4.0)

    # Neck binding: a rib band just below the front neckline.
    band_w = 13.0 if s.neck not in ("shirt",) and "hood" not in s.extras else 0.0
    if "hood" in s.extras:
        cloth = _hood(cloth, torso_fabric, g, torso_cov, seams)
    if band_w:
        band = _coverage([np.vstack([g.front_neck, _offset(g.front_neck, -band_w)[::-1]])]) * torso_cov
        rib_u = _frame(None)[0]
        rib = 1 + 0.08 * np.sin(rib_u * 2 * np.pi / 4.0)
        tone = 0.93 if "hood" not in s.extras else 0.88
        cloth = cloth * (1 - band[..., None]) + cloth * (rib * tone)[..., None] * band[..., None]
        _stroke(seams, _offset(g.front_neck, -band_w), 0.25, 1.4)
        _stroke(lights, _offset(g.front_neck, -1.5), 0.12, 1.2)

    image = cloth * shade[..., None]
    image *= (1 - seams)[..., None]
    image += (lights * 60.0)[..., None]
    _extras(image, g, s, rng)

    # The inside of the back neckline, in shadow, with a woven label.
    inside = torso_fabric * 0.58
    yy = np.mgrid[0:H, 0:W][0].astype(np.float32)
    inside *= np.clip(1.05 - (yy - g.back_neck[:, 1].min()) / 500.0, 0.6, 1.05)[..., None]
    label = np.zeros((H, W), np.float32)
    cx = (W - 1) / 2.0
    ly = g.back_neck[:, 1].max() + 8
    cv2.rectangle(label, (int(cx - 26), int(ly)), (int(cx + 26), int(ly + 20)), 1.0, -1)
    label = cv2.GaussianBlur(label, (0, 0), 0.7)
    label_img = np.full((H, W, 3), 226.0, np.float32)
    for k in range(2):
        cv2.line(label_img, (int(cx - 18), int(ly + 7 + 6 * k)), (int(cx + 18 - 10 * k), int(ly + 7 + 6 * k)),
                 (90, 90, 90), 1, cv2.LINE_AA)
    inside = inside * (1 - label[..., None]) + label_img * label[..., None]
    image = image * (1 - inner_back[..., None]) + inside * inner_back[..., None]

    image += rng.normal(0, 1.2, image.shape).astype(np.float32)
    final = image * silhouette[..., None] + BACKGROUND * (1 - silhouette[..., None])
    wearable = np.clip(silhouette - inner_back, 0, 1)
    mask = np.where(wearable >= 0.5, 255, 0).astype(np.uint8)
    landmarks = {k: (round(float(v[0]), 1), round(float(v[1]), 1)) for k, v in g.points.items()}
    return np.clip(final, 0, 255).astype(np.uint8), mask, landmarks


def _hood(cloth: np.ndarray, fabric_img: np.ndarray, g: Geometry, torso_cov: np.ndarray,
          seams: np.ndarray) -> np.ndarray:
    """A lowered hood: two thick rolled edges around the neck, crossing over at the front."""
    cx = (W - 1) / 2.0
    front = g.front_neck
    apex = g.points["neck_center"]
    for side in (-1, 1):  # the wearer's right edge first, the left one lies on top
        half = front[front[:, 0] >= cx] if side > 0 else front[front[:, 0] <= cx][::-1]
        half = half[np.argsort(-np.abs(half[:, 0] - cx))]
        tail = np.array([apex + np.array([-side * 22.0, 26.0]), apex + np.array([-side * 44.0, 40.0])])
        centre_line = np.vstack([half, tail]) + np.array([0.0, 14.0])
        band = np.zeros((H, W), np.float32)
        _stroke(band, centre_line, 1.0, 38.0)
        band *= torso_cov
        inside = (band > 0.5).astype(np.uint8)
        dist = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
        tube = 0.66 + 0.42 * np.sqrt(np.clip(dist / max(float(dist.max()), 1.0), 0, 1))
        cloth = cloth * (1 - band[..., None]) + fabric_img * tube[..., None] * band[..., None]
        lining = np.zeros((H, W), np.float32)
        _stroke(lining, _offset(centre_line, -14.0 * side), 1.0, 9.0)
        lining *= band
        cloth = cloth * (1 - lining[..., None]) + fabric_img * 0.72 * lining[..., None]
        edge = np.zeros((H, W), np.float32)
        _stroke(edge, _offset(centre_line, 19.0 * side), 0.30, 2.0)
        _stroke(edge, _offset(centre_line, -19.0 * side), 0.22, 1.6)
        seams[:] = np.maximum(seams, edge * (band > 0.05))
    return cloth


def _extras(image: np.ndarray, g: Geometry, s: Spec, rng: np.random.Generator) -> None:
    cx = (W - 1) / 2.0
    p = g.points
    top = p["collar_left"][1]
    dark = np.zeros((H, W), np.float32)
    lights = np.zeros((H, W), np.float32)
    if s.neck == "shirt":
        _shirt_collar(image, g, s)
    if "buttons" in s.extras or "henley" in s.extras:
        y0 = p["neck_center"][1] + (8 if s.neck == "shirt" else 4)
        y1 = p["hem_center"][1] - 30 if "buttons" in s.extras else y0 + 150
        for x in (cx - 16, cx + 16):
            _stroke(dark, np.array([[x, y0], [x, y1]]), 0.22, 1.3)
        n = 7 if "buttons" in s.extras else 3
        for y in np.linspace(y0 + 26, y1 - 20, n):
            _button(image, (cx, y), 8.5 if "buttons" in s.extras else 7.0, s)
    if "pocket" in s.extras:
        x0, y0 = p["collar_left"][0] + 18, top + 190
        pocket = np.array([[x0, y0], [x0 + 96, y0], [x0 + 96, y0 + 100], [x0 + 48, y0 + 114], [x0, y0 + 100]])
        _stroke(dark, np.vstack([pocket, pocket[:1]]), 0.25, 1.3, dashed=3.5)
        _stroke(dark, np.array([[x0, y0 + 2], [x0 + 96, y0 + 2]]), 0.3, 1.6)
        _stroke(lights, np.array([[x0, y0 + 5], [x0 + 96, y0 + 5]]), 0.1, 1.5)
    if "pocket-kangaroo" in s.extras:
        yb = p["hem_center"][1] - 60
        k = np.array([[cx - 120, yb], [cx - 150, yb - 120], [cx - 92, yb - 190], [cx + 92, yb - 190],
                      [cx + 150, yb - 120], [cx + 120, yb]])
        _stroke(dark, k, 0.28, 1.6)
        _stroke(dark, _offset(k, 5), 0.16, 1.0, dashed=3.5)
        for side in (-1, 1):
            _stroke(dark, np.array([[cx + side * 150, yb - 120], [cx + side * 92, yb - 190]]), 0.45, 3.0)
    if "hem-band" in s.extras:
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        band = ((yy > p["hem_center"][1] - 46) & (yy < p["hem_center"][1] + 2)).astype(np.float32)
        image *= (1 - band * (0.06 - 0.05 * np.sin(xx * 2 * np.pi / 4.0)))[..., None]
    if "hood" in s.extras:
        for side in (-1, 1):
            start = np.array([cx + side * 40, p["neck_center"][1] + 26])
            cord = np.array([start + np.array([side * 4 * t / 10, 12 * t]) for t in range(12)])
            _stroke(dark, cord + np.array([1.5, 2.0]), 0.25, 6.0)
            cord_img = np.zeros((H, W), np.float32)
            _stroke(cord_img, cord, 1.0, 5.0)
            image[:] = image * (1 - cord_img[..., None]) + np.array([236, 236, 232], np.float32) * 0.92 * cord_img[..., None]
            tip = np.zeros((H, W), np.float32)
            _stroke(tip, cord[-3:], 1.0, 6.0)
            image[:] = image * (1 - tip[..., None]) + np.array([200, 200, 196], np.float32) * tip[..., None]
            cv2.circle(image, tuple(np.round(start).astype(int)), 5, (90, 90, 90), -1, cv2.LINE_AA)
    image *= (1 - dark)[..., None]
    image += (lights * 60.0)[..., None]


def _shirt_collar(image: np.ndarray, g: Geometry, s: Spec) -> None:
    """Two collar flaps folded over the shoulders, pointing down beside the placket."""
    p = g.points
    cx = (W - 1) / 2.0
    top = p["collar_left"][1]
    for side in (-1, 1):
        hps = p["collar_left"] if side > 0 else p["collar_right"]
        flap = np.array([hps + np.array([-side * 6, -4]), hps + np.array([side * 34, 22]),
                         np.array([cx + side * 46, top + 118]), np.array([cx + side * 6, top + 82]),
                         np.array([cx + side * 4, top + 22])])
        cov = _coverage([flap])
        shade = 1.02 + 0.04 * side
        image[:] = image * (1 - cov[..., None]) + image * shade * cov[..., None]
        edge = np.zeros((H, W), np.float32)
        _stroke(edge, np.vstack([flap[1:4]]), 0.35, 1.6)
        _stroke(edge, _offset(np.vstack([flap[1:4]]), -5 * side), 0.18, 1.0, dashed=3.0)
        under = np.zeros((H, W), np.float32)
        _stroke(under, np.vstack([flap[1:4]]) + np.array([0, 4]), 0.25, 5.0)
        image *= (1 - under * (1 - cov))[..., None]
        image *= (1 - edge)[..., None]


def _button(image: np.ndarray, centre: tuple[float, float], r: float, s: Spec) -> None:
    c = np.array(centre)
    colour = np.array([238, 240, 240], np.float32) if s.fabric != "denim" else np.array([150, 170, 190], np.float32)
    if s.fabric == "waffle":
        colour = np.array([60, 80, 90], np.float32)
    disc = np.zeros((H, W), np.float32)
    _stroke(disc, np.array([c, c + 0.01]), 1.0, 2 * r)
    shadow = np.zeros((H, W), np.float32)
    _stroke(shadow, np.array([c + [1.5, 2.5], c + [1.51, 2.51]]), 0.35, 2 * r + 2)
    image *= (1 - shadow * (1 - disc))[..., None]
    image[:] = image * (1 - disc[..., None]) + colour * disc[..., None]
    rim = np.zeros((H, W), np.float32)
    cv2.circle(rim, tuple(np.round(c).astype(int)), int(r - 2), 0.25, 1, cv2.LINE_AA)
    for dx, dy in ((-2.2, -2.2), (2.2, -2.2), (-2.2, 2.2), (2.2, 2.2)):
        cv2.circle(rim, (int(round(c[0] + dx)), int(round(c[1] + dy))), 1, 0.6, -1, cv2.LINE_AA)
    image *= (1 - rim)[..., None]


# --------------------------------------------------------------------------------- output


def write_garment(s: Spec, out: Path) -> dict[str, tuple[float, float]]:
    image, mask, landmarks = render(s)
    if not cv2.imwrite(str(out / f"{s.id}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
        raise OSError(f"cannot write {out / (s.id + '.jpg')}")
    cv2.imwrite(str(out / f"{s.id}.mask.png"), mask, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    cv2.imwrite(str(out / f"{s.id}.thumb.jpg"), make_thumbnail(image, mask), [cv2.IMWRITE_JPEG_QUALITY, 88])
    kind = SleeveKind(s.sleeve)
    if kind is SleeveKind.NONE:
        landmarks = {k: v for k, v in landmarks.items() if not k.startswith("sleeve_")}
    sc = Sidecar(
        id=s.id, name=s.name, category=s.category, sleeve_kind=kind, image=f"{s.id}.jpg",
        mask=f"{s.id}.mask.png", thumbnail=f"{s.id}.thumb.jpg", width=W, height=H, landmarks=landmarks,
        detection={"method": "generated", "confidence": 1.0, "notes": []},
        source={"file": "assets/make_garments.py", "seed": s.seed, "fabric": s.fabric},
        folder=out,
    )
    write(sc, out / f"{s.id}.json")
    return landmarks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "garments")
    parser.add_argument("--only", nargs="*", help="ids to render (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        if args.only and spec.id not in args.only:
            continue
        write_garment(spec, args.out)
        sys.stdout.write(f"wrote {spec.id}\n")
    (args.out / "SOURCE.md").write_text(
        "# Bundled garments\n\nRendered by `assets/make_garments.py` (procedural, seeded); no photo or "
        "third-party image was used. Regenerate with `python assets/make_garments.py`.\n"
        "Each garment: `ID.jpg` (photo), `ID.json` (sidecar, format version 1), `ID.mask.png`, `ID.thumb.jpg`.\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
