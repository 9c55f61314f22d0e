"""`TryOnRenderer`: the selected garment drawn onto the person, frame after frame.

Per frame: fit (garment landmarks → body targets), warp (sampling maps per layer), occlusion
(what stays in front), lighting, composition. Between frames: the fitted control points are
smoothed (not only the landmarks, so parse-driven width changes do not jitter), and a lost
person fades the garment out over `FADE_FRAMES` instead of leaving it hanging or popping.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np

from app.garments.model import Garment, SleeveKind
from app.pipeline.arms import arm_measures, hang_unseen_forearms
from app.pipeline.atlas import GarmentAtlas, build_atlas
from app.pipeline.compose import bounds_of, composite, half_alpha, merge_maps, sample_map, union_box
from app.pipeline.cover import cover_gaps, sleeve_skin
from app.pipeline.compose_device import DeviceCompositor
from app.pipeline.fit import GarmentFit, SleeveFit, cuff_reaches, fit_garment, sleeve_ends, worn_sleeve_kind
from app.pipeline.lighting import shading_map
from app.pipeline.occlusion import Occlusion, arm_mask, armhole_zones, build_occlusion
from app.pipeline.perception import PerceptionResult
from app.pipeline.warp import Layer, sleeve_layers, torso_layer
from models.pose import BlazePose as B
from models.pose.smoothing import OneEuroFilter

FADE_FRAMES = 8
COVER_REACH = 0.15  # × shoulder width: how far the garment's edge may stretch over the old top
DRAWN_MARGIN = 6  # px around what is drawn: the alpha feather and the half-resolution bounds
KEEP_ARM_SCALE = 1.3  # × measured arm half-width: the wearer's own sleeves the fill keeps off
WORN_VOTES = 45  # frames the wearer's own sleeve length is decided over
WORN_SWITCH = 2 / 3  # share of those votes that changes a decision once made
MIN_NOSE_VISIBILITY = 0.5
# cos of the largest angle between the shoulder line (right → left shoulder) and the image's +x
# axis: an upright person facing the camera has their left shoulder on the image's right.
MIN_UPRIGHT_COS = 0.5
# Shoulder joints' distance over the torso's length (shoulder to hip midpoints): measured 0.57–1.16
# facing the camera (a webcam close-up, a standing person, the demo), 0.37–0.41 half turned away,
# 0.16–0.30 side-on. Below SIDE_ON a front-view garment is drawn no more (from half a turn it is a
# broken strip down the side); it comes back above SIDE_ON_BACK, so that a person turning near the
# threshold does not make it flicker.
SIDE_ON, SIDE_ON_BACK = 0.42, 0.5
# Control points are already built from smoothed landmarks; this filter steadies what the
# skeleton places (per-pixel speed scaled by the garment's size), so it follows motion quickly.
FIT_FILTER = dict(min_cutoff=0.3, beta=20.0, derivate_cutoff=1.0)
# What the parse adds on top (sides out to the silhouette, hem down to the old top's) flickers
# with the label map's edge: a plain low-pass (τ ≈ 0.16 s) against the flicker, then a wider
# backlash (OFFSET_PLAY) against edges that flip between two readings. A slower low-pass was
# tried and is worse: it drags a real change (the first frames' reading) out over seconds.
OFFSET_FILTER = dict(min_cutoff=1.0, beta=0.0, derivate_cutoff=1.0)
PLAY = 1.5  # px of backlash on every control point (see render)
# ... times a torso point's distance from the shoulders' midpoint in shoulder widths, up to this:
# the torso is placed by the shoulders' width and tilt, whose wander grows with that lever (on a
# still photo the hem stepped by ~2 px while the shoulders stayed within PLAY; VITON-HD 07966's
# jitter 0.545 → 0.521 px RMS, the five photos' median 0.392 → 0.353).
MAX_PLAY_LEVER = 2.0
# and on what the parse adds: a silhouette's edge can flip between two readings for seconds (an
# arm touching the side or not); a body's real width changes by more than this when it moves.
OFFSET_PLAY = 3.0
PARSED_OFFSET = 0.5  # px: a control point the parse moves further than this is held as a whole (see render)
# Frames after the garment is first drawn on a person that its points follow the smoothed fit with
# no backlash: the first frames' readings are not yet settled (the arms' measured widths converge
# over them, and the parse's edges with the pose), and held from the first frame, a hem stayed
# 3 px high until a later flip of the old top's edge pushed it down, mid-video (VITON-HD 00034).
SETTLE_FRAMES = 10
NECK_SEARCH = 8  # px: the torso map's sampling step when looking for the garment's neck opening in the frame
WIDTH_SMOOTHING = 0.1  # per frame: exponential smoothing of the measured arm thicknesses, cuff and sleeve ends


@dataclass(frozen=True)
class RenderResult:
    image: np.ndarray  # (H, W, 3) uint8 BGR: the frame with the garment on
    fit: GarmentFit | None
    timings_ms: dict[str, float]


def _facing_camera(perception: PerceptionResult) -> bool:
    """A front-view garment only fits someone upright and facing the mirror: their face is found,
    or at least the pose sees the nose, and their shoulder line runs from the image's left to its
    right (within 60°). From behind it would be pasted over their hair; on someone bent over a
    desk or lying down, across their head."""
    person = perception.pose.primary
    shoulders = person.landmarks[B.LEFT_SHOULDER] - person.landmarks[B.RIGHT_SHOULDER]
    upright = float(shoulders[0]) >= MIN_UPRIGHT_COS * float(np.hypot(*shoulders))
    face_found = bool(perception.parse.faces) and perception.parse.faces[0] is not None
    return upright and (face_found or float(person.visibility[B.NOSE]) >= MIN_NOSE_VISIBILITY)


def _shoulders_in_view(person) -> bool:
    """Whether both shoulder joints lie inside the frame: the garment hangs from them. With one
    out of view the shopper is at the frame's edge or too near the camera, where the pose guesses
    a body round a face and a hand (mmaction2's make-up close-up: a garment block over her face)."""
    return bool(person.in_frame[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].all())


def _with_unseen_forearms_hung(perception: PerceptionResult, frame_size: tuple[int, int]) -> PerceptionResult:
    """`perception` with the primary person's out-of-sight forearms hanging straight
    (`hang_unseen_forearms`): the garment's sleeves and what stays in front follow that."""
    person = perception.pose.primary
    if person is None:
        return perception
    invented = perception.parse.invented_hands[0] if perception.parse.invented_hands else frozenset()
    hung = hang_unseen_forearms(person, invented, frame_size)
    if hung is person:
        return perception
    return replace(perception, pose=replace(perception.pose, people=(hung,) + perception.pose.people[1:]))


def _fit_vector(fit: GarmentFit) -> np.ndarray:
    """(M, 2) float64: the skeleton-placed torso points, then every sleeve quad corner."""
    parts = [fit.placed_points.reshape(-1, 2)] + [s.body_quads.reshape(-1, 2) for s in fit.sleeves]
    return np.concatenate(parts).astype(np.float64)


def _with_vector(fit: GarmentFit, vector: np.ndarray, parse_offsets: np.ndarray) -> GarmentFit:
    """The fit rebuilt from a (smoothed) `_fit_vector` and (smoothed) parse offsets (N, 2)."""
    n = len(fit.body_points)
    placed = vector[:n].astype(np.float32)
    body = (placed + parse_offsets).astype(np.float32)
    sleeves, offset = [], n
    for sleeve in fit.sleeves:
        count = sleeve.body_quads.size // 2
        quads = vector[offset:offset + count].reshape(sleeve.body_quads.shape).astype(np.float32)
        sleeves.append(SleeveFit(sleeve.side, sleeve.garment_quads, quads))
        offset += count
    return replace(fit, body_points=body, placed_points=placed, sleeves=tuple(sleeves))


def _low_pass(held: dict | None, measured: dict) -> dict:
    """`measured` moved into `held` by WIDTH_SMOOTHING per frame (per key; the first frame as is)."""
    if held is None:
        return measured
    return {key: value + WIDTH_SMOOTHING * (measured[key] - value) for key, value in held.items()}


def _masks(frame_bgr: np.ndarray, labels: np.ndarray, person, box: tuple[int, int, int, int],
           arm_cores: dict[tuple[str, str], float] | None, armholes: tuple[np.ndarray, ...],
           clothed: np.ndarray | None) -> tuple[Occlusion, np.ndarray]:
    """What stays in front and the shading over `box`: both need only the frame, the parse and
    the pose, not the garment's maps, so they can be made beside them."""
    return build_occlusion(labels, person, box, arm_cores, armholes, clothed), shading_map(frame_bgr, labels, box)


class TryOnRenderer:
    """`device_compositor`: sample and composite in one ONNX graph on the GPU (the models' device),
    instead of OpenCV on the CPU; both give the same picture within a grey level or two.
    `masks_beside` (a live pipeline, which closes the renderer): occlusion and shading are made on
    a thread of their own while this one merges, fills and samples the garment's maps (the
    pictures are the same either way). Call `close()` when done."""

    def __init__(self, garment: Garment | None = None, device_compositor: DeviceCompositor | None = None,
                 masks_beside: bool = False):
        self.garment = garment
        self.device_compositor = device_compositor
        self._mirror_print = False
        self._drawn: Garment | None = None  # the garment as drawn: `garment`, or its mirror image
        self._atlas: GarmentAtlas | None = None
        self._prepare()
        self._beside = ThreadPoolExecutor(1, thread_name_prefix="render-masks") if masks_beside else None
        self.reset()

    def _prepare(self) -> None:
        """The garment to draw and its atlas, for the current garment and print setting."""
        garment = self.garment
        self._drawn = garment.mirrored() if garment is not None and self._mirror_print else garment
        self._atlas = build_atlas(self._drawn) if self._drawn is not None else None

    def close(self) -> None:
        if self._beside is not None:
            self._beside.shutdown(wait=True)

    def reset(self) -> None:
        """Forget motion state: smoothing, the last fit kept for fading out."""
        self._filter = OneEuroFilter(**FIT_FILTER)
        self._offset_filter = OneEuroFilter(**OFFSET_FILTER)
        self._last: tuple[GarmentFit, PerceptionResult] | None = None
        self._missing = 0
        self._shape: tuple[int, ...] | None = None
        self._worn_votes: list[SleeveKind] = []
        self._worn_kind: SleeveKind | None = None  # the decision the votes last carried
        self._widths: dict[tuple[str, str], float] | None = None
        self._arm_reaches: dict[tuple[str, str], np.ndarray] | None = None
        self._cuff_reaches: dict[str, float] | None = None
        self._ends: dict[str, float] | None = None
        self._held: tuple[np.ndarray, np.ndarray] | None = None  # last drawn fit vector and offsets
        self._drawn_frames = 0  # frames drawn since the filters last started
        self._side_on = False

    @property
    def last_fit(self) -> GarmentFit | None:
        """The fit drawn in the latest frame (smoothed), or None."""
        return self._last[0] if self._last is not None else None

    def set_garment(self, garment: Garment | None) -> None:
        if garment is not self.garment:
            self.garment = garment
            self._prepare()
            self.reset()

    @property
    def mirror_print(self) -> bool:
        return self._mirror_print

    def set_mirror_print(self, on: bool) -> None:
        """Draw the garment mirrored, for a picture that is shown mirrored (a selfie mirror): its
        print and text then read the right way round there, as on the product photo. The price is
        the garment's own left and right: a chest pocket or a one-sided print moves to the other
        side of the body. Off by default, so the mirror is a true mirror end to end."""
        if bool(on) != self._mirror_print:
            self._mirror_print = bool(on)
            self._prepare()
            self.reset()

    def render(self, frame_bgr: np.ndarray, perception: PerceptionResult, timestamp_s: float = 0.0) -> RenderResult:
        timings: dict[str, float] = {}
        if self.garment is None or perception.parse is None:
            return RenderResult(frame_bgr, None, timings)
        perception = _with_unseen_forearms_hung(perception, frame_bgr.shape[1::-1])
        person = perception.pose.primary
        if (person is None or not _facing_camera(perception) or not _shoulders_in_view(person)
                or self._turned_side_on(person)):
            return self._fade(frame_bgr, timings)
        start = time.perf_counter()
        widths, reaches = self._arms(person, perception)
        fit = fit_garment(self._drawn, person, perception.parse.labels, self._worn(person, perception),
                          widths, self._cuffs(person, perception), self._sleeve_ends(person, perception), reaches)
        vector = _fit_vector(fit)
        if self._shape != vector.shape:  # the garment or its sleeves changed: start afresh
            self._restart_smoothing()
            self._shape = vector.shape
        scale = float(np.ptp(fit.body_points, 0).mean())
        offsets = (fit.body_points - fit.placed_points).astype(np.float64)
        smoothed = self._filter(vector, timestamp_s, scale)
        offsets = self._offset_filter(offsets, timestamp_s, scale)
        self._drawn_frames += 1
        if self._held is not None and self._held[0].shape == smoothed.shape and self._drawn_frames > SETTLE_FRAMES:
            smoothed, offsets = self._backlash(fit, person, smoothed, offsets)
        self._held = (smoothed, offsets)
        fit = _with_vector(fit, smoothed, offsets)
        self._last, self._missing = (fit, perception), 0
        image = self._draw(frame_bgr, fit, perception, 1.0, timings, start)
        return RenderResult(image, fit, timings)

    def _restart_smoothing(self) -> None:
        """The fit's filters from scratch, and the settling frames counted again."""
        self._filter.reset()
        self._offset_filter.reset()
        self._drawn_frames = 0

    def _backlash(self, fit: GarmentFit, person, smoothed: np.ndarray, offsets: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """The smoothed fit vector (M, 2) and parse offsets (N, 2), held where they were last drawn
        (`self._held`) unless they moved further than their backlash: a point moves only once its
        input has moved more than its play from where it is held, then follows that far behind. A
        still person's slow landmark wander (a pixel or two over seconds, amplified down a
        garment's length) then leaves the garment still."""
        held_vector, held_offsets = self._held
        torso = fit.placed_points.astype(np.float64)  # (N, 2): the vector's first N rows
        middle = (torso[fit.names.index("shoulder_left")] + torso[fit.names.index("shoulder_right")]) / 2
        lever = np.hypot(*(torso - middle).T) / max(person.shoulder_width, 1.0)
        play = np.full((len(smoothed), 1), PLAY)
        play[:len(torso), 0] = PLAY * np.clip(lever, 1.0, MAX_PLAY_LEVER)
        smoothed = smoothed - np.clip(smoothed - held_vector, -play, play)
        placed = smoothed[:len(torso)]  # the held skeleton-placed torso points (a view)
        # A point the parse moves (a side out to the silhouette) is held as a whole: its two parts
        # creep against each other on a still person (the skeleton's out, the parse's back in to
        # the same edge), and held apart they stepped in turn (VITON-HD 07966).
        body = placed + offsets
        body = body - np.clip(body - (held_vector[:len(torso)] + held_offsets), -OFFSET_PLAY, OFFSET_PLAY)
        parsed = (np.abs(offsets) > PARSED_OFFSET).any(1, keepdims=True)
        offsets = np.where(parsed, body - placed, offsets - np.clip(offsets - held_offsets, -OFFSET_PLAY, OFFSET_PLAY))
        return smoothed, offsets

    def _worn(self, person, perception: PerceptionResult) -> SleeveKind:
        """The wearer's own sleeve length, by majority over the last frames: whether to cover their
        top is a decision about the person, and flipping it per frame would make the garment jump."""
        self._worn_votes = (self._worn_votes + [worn_sleeve_kind(person, perception.parse.labels)])[-WORN_VOTES:]
        leader = max(set(self._worn_votes), key=self._worn_votes.count)
        # Once decided, it changes only on a clear majority: an arm the parse reads now as sleeved,
        # now as bare (the demo's spacesuit) flipped a bare majority every second or so, and with
        # it the garment's shoulders and what it covers.
        if self._worn_kind is None or self._worn_votes.count(leader) >= WORN_SWITCH * len(self._worn_votes):
            self._worn_kind = leader
        return self._worn_kind

    def _arms(self, person, perception: PerceptionResult
              ) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], np.ndarray]]:
        """The arms' half-thicknesses and reaches from the bone (`arm_measures`), low-passed:
        measured on the parse's edges each frame, they flicker by a pixel or two, and they place
        the shoulder seams the whole garment hangs from, and the sleeves."""
        widths, reaches = arm_measures(person, perception.parse.labels)
        self._widths = _low_pass(self._widths, widths)
        self._arm_reaches = _low_pass(self._arm_reaches, reaches)
        return self._widths, self._arm_reaches

    def _cuffs(self, person, perception: PerceptionResult) -> dict[str, float]:
        """How far the wearer's cuffs run past the wrists, low-passed likewise: the cuff's end in
        the parse flickers by a few pixels, and the new sleeve's end with it."""
        self._cuff_reaches = _low_pass(self._cuff_reaches, cuff_reaches(person, perception.parse.labels))
        return self._cuff_reaches

    def _sleeve_ends(self, person, perception: PerceptionResult) -> dict[str, float]:
        """How far down the upper arms the wearer's sleeves run, low-passed likewise."""
        self._ends = _low_pass(self._ends, sleeve_ends(person, perception.parse.labels))
        return self._ends

    def _turned_side_on(self, person) -> bool:
        """Whether the person shows the camera their side (see SIDE_ON), with hysteresis."""
        threshold = SIDE_ON_BACK if self._side_on else SIDE_ON
        self._side_on = person.shoulder_width < threshold * max(person.torso_length, 1.0)
        return self._side_on

    def _neck_opening(self, torso: Layer, box: tuple[int, int, int, int]) -> np.ndarray | None:
        """(h, w) uint8 0/255 over `box`: the frame pixels the torso warp maps into the garment's neck
        hole, or None when there are none. The cover fill keeps off them: it mirrors the garment
        across its nearest edge, and inside the opening that is the neckline, so where the old top
        rose into the opening (a collar, a crew neck under a V) a second neckline was drawn inside
        the first, a loop round the neck. Whatever the wearer has on there shows, as it would."""
        opening, (ox0, oy0, ox1, oy1) = self._atlas.neck_opening, self._atlas.neck_box
        if ox1 <= ox0:
            return None
        # Only the part of the torso's box that maps near the hole (the map is smooth: its samples
        # every NECK_SEARCH px, grown by one step, bound it): a remap over the whole box cost ~1 ms.
        coarse = torso.map_xy[::NECK_SEARCH, ::NECK_SEARCH]
        near = (coarse[..., 0] >= ox0) & (coarse[..., 0] < ox1) & (coarse[..., 1] >= oy0) & (coarse[..., 1] < oy1)
        rows, columns = np.flatnonzero(near.any(1)), np.flatnonzero(near.any(0))
        if not len(rows):
            return None
        height, width = torso.map_xy.shape[:2]
        r0, r1 = max(0, (rows[0] - 1) * NECK_SEARCH), min(height, (rows[-1] + 2) * NECK_SEARCH)
        c0, c1 = max(0, (columns[0] - 1) * NECK_SEARCH), min(width, (columns[-1] + 2) * NECK_SEARCH)
        inside = cv2.remap(opening, np.ascontiguousarray(torso.map_xy[r0:r1, c0:c1]), None, cv2.INTER_NEAREST,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        x0, y0, x1, y1 = box
        keep = np.zeros((y1 - y0, x1 - x0), np.uint8)
        top, left = torso.y0 - y0 + r0, torso.x0 - x0 + c0
        keep[top:top + (r1 - r0), left:left + (c1 - c0)] = inside
        return keep

    def _fade(self, frame_bgr: np.ndarray, timings: dict[str, float]) -> RenderResult:
        self._missing += 1
        if self._last is None or self._missing > FADE_FRAMES:
            self._restart_smoothing()
            return RenderResult(frame_bgr, None, timings)
        fit, perception = self._last
        opacity = 1.0 - self._missing / (FADE_FRAMES + 1)
        return RenderResult(self._draw(frame_bgr, fit, perception, opacity, timings, time.perf_counter()), fit, timings)

    def _draw(self, frame_bgr: np.ndarray, fit: GarmentFit, perception: PerceptionResult, opacity: float,
              timings: dict[str, float], start: float) -> np.ndarray:
        height, width = frame_bgr.shape[:2]
        layers: list[Layer] = []
        torso = torso_layer(fit, (width, height))
        if torso is not None:
            layers.append(torso)
        layers += sleeve_layers(fit, (width, height), self._atlas.sleeve_offset)
        warped = time.perf_counter()
        timings["warp"] = (warped - start) * 1e3
        if not layers:
            return frame_bgr
        labels = perception.parse.labels
        person = perception.pose.primary or self._last[1].pose.primary
        reach = COVER_REACH * person.shoulder_width if fit.cover_torso else 0.0
        box = union_box(layers, int(np.ceil(reach)), (width, height))
        # Over the whole box (cropped below), so the result does not depend on which thread made it.
        cores = None if fit.cover else fit.arm_cores
        shoulder_mid = person.landmarks[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0)
        armholes = armhole_zones(tuple((s.body_quads[0][0], s.body_quads[0][1]) for s in fit.sleeves), shoulder_mid)
        x0, y0, x1, y1 = box
        # Bare arms the new sleeves clothe: covered where the sleeves miss them, like the old top,
        # and in front of nothing.
        skin = sleeve_skin(labels[y0:y1, x0:x1], fit.sleeves, box, reach) if fit.cover and fit.sleeves else None
        mask_args = (frame_bgr, labels, person, box, cores, armholes, skin)
        masks = self._beside.submit(_masks, *mask_args) if self._beside is not None else None
        merged, sleeve_region = merge_maps(self._atlas.texture, layers, box, self._atlas.alpha)
        drawn = half_alpha(merged, self._atlas.alpha)
        parts = [bounds_of(drawn, 2)]
        if fit.cover_torso:
            # Sleeves the new garment may not cover (a tank over a t-shirt) keep out of the fill —
            # below the new sleeves' openings: above them the new sleeve clothes the arm, and the
            # fill closes the gap left between its root and the torso panel's shoulder.
            keep = None if torso is None else self._neck_opening(torso, box)
            if not fit.cover:
                openings = {sleeve.side: sleeve.body_quads[-1][2:].mean(0) for sleeve in fit.sleeves}
                arms = arm_mask(person, {key: KEEP_ARM_SCALE * value for key, value in fit.arm_half_widths.items()},
                                box, openings)
                keep = arms if keep is None else cv2.bitwise_or(keep, arms)
            parts.append(cover_gaps(merged, sleeve_region, self._atlas.alpha, labels[y0:y1, x0:x1], reach, keep,
                                    drawn, skin)[1])
        # The layers' boxes hold much empty map (a spline's box around a tapering torso, the
        # reach margin): the rest of the work runs only where something is drawn.
        parts = [part for part in parts if part is not None]
        if not parts:
            return frame_bgr
        bx0, by0 = (max(0, min(part[i] for part in parts) - DRAWN_MARGIN) for i in (0, 1))
        bx1 = min(merged.shape[1], max(part[2] for part in parts) + DRAWN_MARGIN)
        by1 = min(merged.shape[0], max(part[3] for part in parts) + DRAWN_MARGIN)
        merged = np.ascontiguousarray(merged[by0:by1, bx0:bx1])
        sleeve_region = np.ascontiguousarray(sleeve_region[by0:by1, bx0:bx1])
        occlusion, shading = masks.result() if masks is not None else _masks(*mask_args)
        trim = (slice(by0, by1), slice(bx0, bx1))
        occlusion = Occlusion(np.ascontiguousarray(occlusion.over_torso[trim]),
                              np.ascontiguousarray(occlusion.over_sleeves[trim]))
        shading = np.ascontiguousarray(shading[trim])
        box = (box[0] + bx0, box[1] + by0, box[0] + bx1, box[1] + by1)
        if self.device_compositor is not None:
            image = self.device_compositor.composite(frame_bgr, self._atlas.texture, box, merged, sleeve_region,
                                                     occlusion, shading, opacity)
        else:
            colour, alpha = sample_map(self._atlas.texture, merged)
            image = composite(frame_bgr, colour, alpha, sleeve_region, occlusion, shading, box, opacity)
        timings["compose"] = (time.perf_counter() - warped) * 1e3
        return image
