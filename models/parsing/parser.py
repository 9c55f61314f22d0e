"""`HumanParser`: a label map with CIHP ids for every person the pose estimator found.

How each class is obtained (also in the README):
- person vs background: the larger of the selfie-segmentation probability (whole frame, every
  person) and each tracked person's own segmentation from the pose model (ROI-aligned, sharper);
  each person pixel belongs to the tracked person whose skeleton is nearest;
- face (13): the face mesh's outline, the mesh run on a ROI from the pose's face points;
- hair (2): person pixels in a head-sized disc around the face that are not face, and the hair's
  ends below it: pieces of "top" above the shoulders that touch that hair but no top below them;
- arms (14/15), legs (16/17): person pixels inside capsules along the limb bones that match a skin
  colour model fitted to the face; the same capsules' non-skin pixels are sleeves (5) / trousers (9);
- hands are part of the arms (CIHP has no hand class);
- torso skin (10): skin-coloured person pixels above the hips (neck, neckline, bare midriff);
- upper clothes (5) / pants (9): the remaining person pixels above / below the hip line;
- shoes (18/19): non-skin pixels in capsules from ankle over heel to toe;
- person pixels far from every tracked skeleton (someone the pose estimator did not pick, a tiny
  figure in a crowd) are labelled upper clothes (5), the commonest class, so the silhouette is
  still right.
Classes CIHP has but this parser cannot tell apart (hat, glove, sunglasses, dress, coat, socks,
scarf, skirt) are never produced: a dress is upper clothes + pants, a hat is hair.

Everything is computed at a working resolution (longer side `work_size` px) inside each
person's box and the label map is scaled to the frame with nearest-neighbour sampling.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from models.face import CHIN, FOREHEAD, Face, FaceLandmarker, face_roi
from models.parsing.labels import Label
from models.parsing.skin import SkinModel
from models.pose.estimator import Person, PoseResult
from models.pose.geometry import RotatedRect
from models.pose.keypoints import ARMS, LEGS, SKELETON
from models.pose.keypoints import BlazePose as B
from models.runner import OnnxModel
from models.session import Device, SessionInfo

WORK_SIZE = 448  # default working resolution (longer side, px)
PERSON_THRESHOLD = 0.5
SELFIE_SIZE = 256
ARM_LABEL = {"left": Label.LEFT_ARM, "right": Label.RIGHT_ARM}  # the wearer's side → its arm's label
LEG_LABEL = {"left": Label.LEFT_LEG, "right": Label.RIGHT_LEG}  # … its leg's
SHOE_LABEL = {"left": Label.LEFT_SHOE, "right": Label.RIGHT_SHOE}  # … its shoe's
OWNER_REACH = 1.6  # how far from its skeleton (in body scales) a person's pixels may lie
BOX_MARGIN = 0.25  # of the landmark box's larger side, around each person's territory
# Limb capsule radii as fractions of the person's body scale (≈ shoulder width).
UPPER_ARM_RADIUS = 0.20
FOREARM_RADIUS = 0.17
HAND_RADIUS = 0.17
# Top vs trousers by colour near the hip line (see _split_top_and_bottom).
SPLIT_BAND_UP, SPLIT_BAND_DOWN = 0.45, 0.25  # × body scale around the hip line
SPLIT_SAMPLE_RADIUS = 0.15  # × body scale: the chest and thigh sample discs
SPLIT_MIN_SAMPLES = 40
SPLIT_MIN_SPREAD = 4.0  # grey levels: the floor of a colour model's per-channel spread
SPLIT_MIN_SEPARATION = 3.0  # spreads between the two means, below which they look alike
SLEEVE_CORE = 0.6  # of FOREARM_RADIUS: a forearm's non-skin core is its sleeve
SLEEVE_SAMPLES = 400  # colours a forearm's sleeve model is made from (its median is no better from more)
SLEEVED_SHARE = 0.5  # of a forearm's core not skin: from this share on, the forearm wears a sleeve
CLOTHING_MATCH = 3 * 2.5 ** 2  # summed squared spreads: a colour this near the top's or trousers' is clothing
HAND_CUFF_FRACTION = 0.5  # of wrist → knuckles: non-skin pixels before this are sleeve, not hand
MIN_SEEN_VISIBILITY = 0.5  # a joint's (or a hand's mean) visibility below which the pose only guesses where it is
# Share of a seen hand's capsule past the cuff that must be the person's skin for the hand to be
# confirmed. Bare hands measured 0.51–1.0 (VITON-HD, a webcam close-up); hands the pose invents on
# a dark top, trousers or the wall beside the neck 0.00–0.03 (the demo, CIHP 0005008, SCHP's demo
# photo) — but so did gloves (MPII, COCO) and a dark hand on a dark hip (VITON-HD 07966): a hand is
# taken for invented only when no elbow in sight holds its forearm up either (of those photos,
# only the demo's).
MIN_HAND_SKIN = 0.2
MIN_HAND_JUDGED = 0.25  # × a hand disc's area (HAND_RADIUS): less of the capsule in the frame is not judged
WRIST_END = 0.3  # of the forearm, from the wrist: bare-arm skin must reach this far down
THIGH_RADIUS = 0.26
SHIN_RADIUS = 0.19
FOOT_RADIUS = 0.13
HEAD_RADIUS = 0.85  # of the face height (forehead to chin), around the face centre
HAIR_SAMPLES = 400  # of the head's hair pixels, for its colour (a few hundred are plenty)
FACE_ERODE = 0.08  # of the face height: keeps hairline and background out of the skin samples
# Working-resolution px: the band along a person's outline whose colours are skin and background
# mixed (see the arm rim in _label_person).
OUTLINE_MIX = 2
# The backdrop seen through the person mask (see _backdrop): sampled in a ring this many
# working-resolution px outside the mask (past the mixed band), and trusted only when plain
# (each channel's spread at most BACKDROP_MAX_SPREAD grey levels, YCrCb).
BACKDROP_RING = (OUTLINE_MIX + 1, OUTLINE_MIX + 6)
BACKDROP_MAX_SPREAD = np.array([16.0, 8.0, 8.0], np.float32)
_BACKDROP_OPENING = np.ones((3, 3), np.uint8)  # runs of backdrop colour up to 2 px wide are the top's own


@dataclass(frozen=True)
class ParseResult:
    labels: np.ndarray  # (H, W) uint8 CIHP ids at frame resolution
    person_probability: np.ndarray  # (h, w) float32 in [0, 1] at working resolution
    faces: tuple[Face | None, ...]  # one per person of the PoseResult, same order
    # Per person, same order: the sides ("left", "right") whose hand the pose claims to see but
    # nothing in the frame confirms: no skin under it, and its elbow out of the frame or unseen.
    # The pose invents such a hand now and then on an arm hanging out of the frame.
    invented_hands: tuple[frozenset[str], ...] = ()


def in_sight(person: Person, joint: int) -> bool:
    """Whether the pose sees `joint` inside the frame (not guessed, not past the frame's edge)."""
    return bool(person.in_frame[joint]) and float(person.visibility[joint]) >= MIN_SEEN_VISIBILITY


def _body_scale(points: np.ndarray) -> float:
    """A person's size in pixels (≈ shoulder width; half the torso length when seen from the side)."""
    shoulders = float(np.hypot(*(points[B.LEFT_SHOULDER] - points[B.RIGHT_SHOULDER])))
    torso = float(np.hypot(*(points[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0)
                             - points[[B.LEFT_HIP, B.RIGHT_HIP]].mean(0))))
    return max(shoulders, 0.5 * torso, 4.0)


def _half_plane(shape: tuple[int, int], point: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(h, w) bool: pixels on the side of the line through `point` that `direction` (unit) points to."""
    far = float(shape[0] + shape[1]) * 2
    across = np.array([-direction[1], direction[0]], np.float32) * far
    polygon = np.array([point - across, point + across, point + across + direction * far,
                        point - across + direction * far])
    canvas = np.zeros(shape, np.uint8)
    cv2.fillPoly(canvas, [np.round(polygon).astype(np.int32)], 1)
    return canvas.astype(bool)


def _colour_model(samples_ycrcb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Robust (mean, spread) of (N, 3) YCrCb samples, or None when there are too few."""
    if len(samples_ycrcb) < SPLIT_MIN_SAMPLES:
        return None
    values = samples_ycrcb.astype(np.float32)
    middle = len(values) // 2  # the (upper) median by one partition: np.median costs ~0.1 ms a call
    mean = np.partition(values, middle, axis=0)[middle]
    spread = np.partition(np.abs(values - mean), middle, axis=0)[middle] * 1.4826 + SPLIT_MIN_SPREAD
    return mean, spread


def _samples(colours: np.ndarray, region: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """(N, 3) colours of the pixels in `region` (h, w) uint8 that `keep` (h, w) bool allows —
    looked at only inside the region's bounding box (a few percent of the territory)."""
    x, y, w, h = cv2.boundingRect(region)
    window = (slice(y, y + h), slice(x, x + w))
    return colours[window][region[window].astype(bool) & keep[window]]


ColourModel = tuple[np.ndarray, np.ndarray]  # (3,) YCrCb mean, (3,) spread


def _told_apart(a: ColourModel, b: ColourModel) -> bool:
    """Whether two colour models' means lie SPLIT_MIN_SEPARATION or more of the wider spread apart
    in some channel (else they look alike: a dress's top and skirt, a white shirt on a white wall)."""
    return float(np.abs((a[0] - b[0]) / np.maximum(a[1], b[1])).max()) >= SPLIT_MIN_SEPARATION


def _split_top_and_bottom(colours: np.ndarray, cloth: np.ndarray, local: np.ndarray, body: float,
                          hip_side: np.ndarray, axis: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray | None, tuple[ColourModel | None, ColourModel | None]]:
    """(h, w) bool: the upper body, refined from the hip line by colour; (h, w) bool, the pixels
    that look like the top rather than the trousers (None when that cannot be told); and the
    colour models of the top and the trousers (each None without enough samples).

    The hip joints sit below most waistbands, so a straight split at the hip line calls a
    high-waisted trouser's top "upper clothes" (and a top tucked in stays short). Near the line
    (a band SPLIT_BAND_UP above it, SPLIT_BAND_DOWN below, × body scale), a clothing pixel goes to
    whichever is closer in colour: the top (sampled mid-chest) or the trousers (sampled on the
    thighs). When the two look alike (a dress, a tracksuit) the hip line stands.
    colours (h, w, 3) uint8 YCrCb, cloth (h, w) bool person pixels that are not skin, local (33, 2)
    landmarks in the same box, hip_side (h, w) bool the side of the hip line towards the head,
    axis (2,) unit hips → shoulders.
    """
    shoulders = local[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0)
    hips = local[[B.LEFT_HIP, B.RIGHT_HIP]].mean(0)
    chest = np.zeros(cloth.shape, np.uint8)
    cv2.circle(chest, tuple(np.round(shoulders + (hips - shoulders) * 0.45).astype(int)),
               max(1, int(SPLIT_SAMPLE_RADIUS * body)), 1, -1)
    thighs = np.zeros(cloth.shape, np.uint8)
    for hip, knee, *_ in LEGS.values():
        _capsule(thighs, [local[hip] + (local[knee] - local[hip]) * 0.2, local[knee] + (local[hip] - local[knee]) * 0.4],
                 SPLIT_SAMPLE_RADIUS * body)
    top = _colour_model(_samples(colours, chest, cloth & hip_side))
    bottom = _colour_model(_samples(colours, thighs, cloth & ~hip_side))
    if top is None or bottom is None:
        return hip_side, None, (top, bottom)
    if not _told_apart(top, bottom):
        return hip_side, None, (top, bottom)
    band = _half_plane(cloth.shape, hips + axis * SPLIT_BAND_UP * body, -axis)
    band &= _half_plane(cloth.shape, hips - axis * SPLIT_BAND_DOWN * body, axis)
    # Nearer the top ⟺ Σ_c [(v_c − top_c)² / spread_c² − (v_c − bottom_c)² / spread_c²] < 0.
    preference = _summed_lookup(colours, _distance_tables(top) - _distance_tables(bottom))
    looks_like_top = cv2.medianBlur((preference < 0).astype(np.uint8), 5).astype(bool)
    return np.where(band & cloth, looks_like_top, hip_side), looks_like_top, (top, bottom)


def _distance_tables(model: ColourModel) -> np.ndarray:
    """(256, 3) float32: ((v − mean) / spread)² for every value v of each channel."""
    mean, spread = model
    return (((np.arange(256, dtype=np.float32)[:, None] - mean) / spread) ** 2).astype(np.float32)


def _summed_lookup(colours: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """(h, w) float32: Σ over the channels of (256, 3) `tables` looked up at (h, w, 3) uint8
    `colours` — by OpenCV's LUT (float maths per pixel cost ~2 ms, numpy's indexing by the three
    channels ~2× the LUT)."""
    looked_up = cv2.LUT(colours, np.ascontiguousarray(tables[None]))
    return (looked_up[..., 0] + looked_up[..., 1]) + looked_up[..., 2]


def _looks_like(colours: np.ndarray, models: tuple[ColourModel | None, ...]) -> np.ndarray | None:
    """(h, w) bool: pixels of (h, w, 3) uint8 YCrCb `colours` within CLOTHING_MATCH (spreads, summed
    squared over the channels) of any of the colour models; None when there are none."""
    matches = None
    for model in (model for model in models if model is not None):
        near = _summed_lookup(colours, _distance_tables(model)) < CLOTHING_MATCH
        matches = near if matches is None else matches | near
    return matches


def _backdrop(colours: np.ndarray, mine: np.ndarray, anyone: np.ndarray, cloth: np.ndarray,
              clothing_models: tuple[ColourModel | None, ...]) -> np.ndarray | None:
    """(h, w) bool: `cloth` pixels, (h, w) bool, that show the backdrop rather than clothes: the
    wall seen between an arm and the waist, or round a hand on the hip, which the person mask
    (smooth, from a 256-px model) fills in. Read as the top, the gap had the new garment fitted out
    to it and its fill smeared down the arm (VITON-HD 07966). A pixel is backdrop when its colour is
    within CLOTHING_MATCH of the backdrop just outside `mine` (the person's pixels) and nearer it
    than every clothing model (the gap's wall is in shadow, which a mottled top's wide model
    reaches too). None when that cannot be told: no clothing model, a backdrop too busy (spread
    over BACKDROP_MAX_SPREAD) or too little of it in sight, or clothes that look like it (less
    than SPLIT_MIN_SEPARATION apart: a white shirt against a white wall).
    colours (h, w, 3) uint8 YCrCb; anyone (h, w) bool: pixels of any person (a neighbour is no
    backdrop)."""
    models = [model for model in clothing_models if model is not None]
    if not models:
        return None
    inner, outer = BACKDROP_RING
    own = mine.astype(np.uint8)

    def grown(radius: int) -> np.ndarray:  # a square's reach: the ring's shape does not matter, and it is cheap
        return cv2.dilate(own, np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)).view(bool)

    backdrop = _colour_model(colours[grown(outer) & ~grown(inner) & ~anyone])
    if backdrop is None or (backdrop[1] > BACKDROP_MAX_SPREAD).any():
        return None
    if not all(_told_apart(model, backdrop) for model in models):
        return None
    to_backdrop = _distance_tables(backdrop)
    nearest_clothing = np.minimum.reduce([_summed_lookup(colours, _distance_tables(model)) for model in models])
    distance = _summed_lookup(colours, to_backdrop)
    seen_through = (cloth & (distance < CLOTHING_MATCH) & (distance < nearest_clothing)).view(np.uint8)
    # Only patches the wall shows through, not lines: a top's pale trim or piping reads as the
    # wall too, and is the top's (labelled backdrop, it punched holes in new sleeves: VITON-HD 00121).
    return cv2.morphologyEx(seen_through, cv2.MORPH_OPEN, _BACKDROP_OPENING).view(bool)


def _hair_on_the_top(out: np.ndarray, colours: np.ndarray, above_shoulders: np.ndarray,
                     top_model: ColourModel | None) -> np.ndarray:
    """(h, w) bool: long hair lying on the top — pixels the top has claimed above the shoulders
    that look like the head's hair more than the top, joined to that hair. Hair falling on the
    shoulders joins the top's piece, so `_hair_ends` keeps it whole; read as the top, it had the
    new garment's shoulders raised into the hair (VITON-HD 07966, with every garment). Nothing
    when hair and top look alike (dark hair on a black top): the top keeps them.
    out (h, w) uint8 labels so far (the disc's hair included), colours (h, w, 3) uint8 YCrCb,
    above_shoulders (h, w) bool, top_model the top's colour (`_split_top_and_bottom`)."""
    found = np.zeros(out.shape, bool)
    hair = cv2.inRange(out, int(Label.HAIR), int(Label.HAIR))
    at = cv2.findNonZero(hair)  # (n, 1, 2) x, y: ~20× faster than a boolean mask's gather
    if at is None:
        return found
    at = at.reshape(-1, 2)[::max(1, len(at) // HAIR_SAMPLES)]
    hair_model = _colour_model(colours[at[:, 1], at[:, 0]])
    if hair_model is None or top_model is None or not _told_apart(hair_model, top_model):
        return found
    _, first_row, _, rows = cv2.boundingRect(above_shoulders.view(np.uint8))
    band = slice(0, first_row + rows)  # the rows that reach above the shoulders
    claimed = (out[band] == Label.UPPER_CLOTHES) & above_shoulders[band]
    if not claimed.any():
        return found
    # Nearer the hair's colour than the top's: a top's colour model is broad (a washed grey
    # tee's reaches down to near-black), so "not like the top" alone kept the hair.
    to_hair = _summed_lookup(colours[band], _distance_tables(hair_model))
    to_top = _summed_lookup(colours[band], _distance_tables(top_model))
    looks = (to_hair < CLOTHING_MATCH) & (to_hair < to_top) & claimed
    pieces, touching = _pieces_touching_hair(looks.view(np.uint8), hair[band])
    found[band] = touching[pieces]
    return found


def _pieces_touching_hair(mask: np.ndarray, hair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 8-connected pieces of (h, w) uint8 `mask` (int32 ids, 0 outside them) and, per id,
    whether that piece touches (h, w) uint8 `hair` (non-zero where hair is); False for id 0."""
    count, pieces = cv2.connectedComponents(mask, connectivity=8)
    touching = np.zeros(count, bool)
    touching[pieces[cv2.dilate(hair, np.ones((3, 3), np.uint8)) > 0]] = True
    touching[0] = False  # outside every piece
    return pieces, touching


def _hair_ends(out: np.ndarray, above_shoulders: np.ndarray) -> np.ndarray:
    """(h, w) bool: the hair's ends below the head's disc, which the top has claimed so far: pieces
    of the top lying wholly above the shoulders that touch the disc's hair. A top's own parts
    there (a collar, a hood, a strap) run on down into it, and so do a neighbour's clothes; the
    ends of shoulder-length hair, over bare shoulders, do not. Read as the top, they had the new
    garment raised into the hair and painted over it (VITON-HD 05997, with every garment).
    out (h, w) uint8 labels so far (the disc's hair included), above_shoulders (h, w) bool."""
    ends = np.zeros(out.shape, bool)
    _, first_row, _, rows = cv2.boundingRect(above_shoulders.view(np.uint8))
    if rows == 0:
        return ends
    last_row = first_row + rows  # rows [first_row, last_row) hold the region above the shoulders
    # Only down to the first row wholly below the shoulders (a piece that runs on below reaches
    # it): for someone upright, a third to a half of the territory. With OpenCV's 8-bit masks the
    # step costs ~0.3 ms a frame on the demo (2 busy cores; ~0.5 over the whole territory in numpy).
    band = slice(0, min(len(out), last_row + 1))
    labels = out[band]
    top = cv2.inRange(labels, int(Label.UPPER_CLOTHES), int(Label.UPPER_CLOTHES))  # (h', w) 255 where the top is
    pieces, touching = _pieces_touching_hair(top, cv2.inRange(labels, int(Label.HAIR), int(Label.HAIR)))
    touching[pieces[(top > 0) & ~above_shoulders[band]]] = False  # the piece runs on below the shoulders
    if touching.any():
        ends[band] = touching[pieces]
    return ends


def _capsule(canvas: np.ndarray, points: list[np.ndarray], radius: float) -> None:
    thickness = max(1, int(round(2 * radius)))
    for a, b in zip(points, points[1:]):
        cv2.line(canvas, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1, thickness, cv2.LINE_8)
    for p in points:
        cv2.circle(canvas, tuple(np.round(p).astype(int)), max(1, int(round(radius))), 1, -1)


def _shows_no_skin(palm: np.ndarray, skin: np.ndarray, radius: float) -> bool:
    """Whether a hand's capsule past the cuff, `palm` (h, w) bool, has less than MIN_HAND_SKIN of
    `skin` (h, w) bool under it. Not judged (False) when less than MIN_HAND_JUDGED of a hand disc
    of `radius` lies in it: the capsule is drawn only inside the person's territory, which ends at
    the frame's edge, and of a hand past it too little may be left to tell."""
    area = int(palm.sum())
    return area >= MIN_HAND_JUDGED * np.pi * radius ** 2 and int((palm & skin).sum()) < MIN_HAND_SKIN * area


def _skin_reaching_the_arm_end(bare: np.ndarray, hand: np.ndarray, elbow: np.ndarray, wrist: np.ndarray,
                               radius: float, seen: tuple[bool, bool]) -> np.ndarray:
    """(h, w) bool: the skin-coloured arm pixels `bare` (h, w) bool that are connected to the
    arm's end — its wrist end when the pose sees the wrist, else the elbow. A bare arm's skin runs
    down to the wrist (a short sleeve or a strap ends above it); a skin-coloured patch in the middle
    of a sleeve, cut off from the wrist by cloth, is the sleeve (an orange suit, a beige jumper).
    The wrist end is the hand's capsules (`hand` (h, w) uint8) and the last WRIST_END of the
    forearm, in the same box pixels.
    `seen`: whether the pose sees the elbow and the wrist. A guessed wrist lies on whatever hides
    it, so then the skin must reach the elbow instead; with neither seen, nothing is bare arm."""
    elbow_seen, wrist_seen = seen
    if not (elbow_seen or wrist_seen):
        return np.zeros_like(bare)
    end = hand.copy() if wrist_seen else np.zeros_like(hand)
    if wrist_seen:
        _capsule(end, [wrist + (elbow - wrist) * WRIST_END, wrist], radius)
    else:
        _capsule(end, [elbow], radius)
    count, components = cv2.connectedComponents(bare.astype(np.uint8), connectivity=8)
    if count <= 1:
        return bare
    reaching = np.zeros(count, bool)
    reaching[np.unique(components[(end > 0) & bare])] = True
    reaching[0] = False
    return reaching[components]


class HumanParser:
    """Label maps from frames + pose results. Models: selfie segmentation, face mesh."""

    def __init__(self, device: Device = "auto", use_selfie_segmentation: bool = True, use_face_mesh: bool = True,
                 face_every: int = 1, work_size: int = WORK_SIZE, face_in_background: bool = False):
        """`face_every` > 1 (video): run the face mesh on every n-th frame only and move the last
        outline with the pose's nose in between — a face changes shape slowly. `face_in_background`
        (a live mirror): the mesh (of the first frame, then of every n-th) runs on a thread of its
        own and is taken up by the first frame after it finishes, so no frame waits for it (~1.5 ms
        on one core every third frame, with its CPU twin); the outline then depends on timing,
        which is why files, where results must repeat, do not."""
        self.selfie = OnnxModel("selfie_segmentation", device) if use_selfie_segmentation else None
        # In the background the mesh keeps to its one thread: the pose model needs both cores.
        self.face = FaceLandmarker(OnnxModel("face_landmarks", device, 1 if face_in_background else None)
                                   ) if use_face_mesh else None
        self.face_every = max(1, face_every)
        self.work_size = work_size
        self._background = ThreadPoolExecutor(1, thread_name_prefix="face-mesh") if face_in_background else None
        self.reset()

    def reset(self) -> None:
        """Forget the last face (a new source): nothing from the old one is moved onto the new."""
        self._frame = 0
        self._last_face: tuple[Face, np.ndarray] | None = None  # face, nose position it was found at
        self._pending: tuple[Future, np.ndarray] | None = None  # background mesh, nose at its frame
        self._skin: tuple[RotatedRect, SkinModel] | None = None  # the last skin model, by its mesh's ROI

    def close(self) -> None:
        if self._background is not None:
            self._background.shutdown(wait=True, cancel_futures=True)

    @property
    def session_infos(self) -> tuple[SessionInfo, ...]:
        models = [m for m in (self.selfie, self.face.model if self.face else None) if m is not None]
        return tuple(m.info for m in models)

    def parse(self, frame_rgb: np.ndarray, pose: PoseResult) -> ParseResult:
        height, width = frame_rgb.shape[:2]
        scale = min(1.0, self.work_size / max(width, height))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # Bilinear, not area: 12× cheaper at 720p, and the small image only feeds colour models.
        small = cv2.resize(frame_rgb, size, interpolation=cv2.INTER_LINEAR)
        probability = self._person_probability(frame_rgb, pose, scale, size)
        person = probability >= PERSON_THRESHOLD
        owners = self._owners(pose, scale, size)
        labels = np.zeros(size[::-1], np.uint8)
        labels[person] = Label.UPPER_CLOTHES  # people nobody tracks; tracked ones are refined below
        faces = self._faces(frame_rgb, pose)
        ycrcb = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb)
        invented = tuple(self._label_person(labels, person & (owners == index), person, ycrcb, p, face, scale)
                         for index, (p, face) in enumerate(zip(pose.people, faces)))
        full = cv2.resize(labels, (width, height), interpolation=cv2.INTER_NEAREST)
        return ParseResult(full, probability, faces, invented)

    # -- person probability and ownership ---------------------------------------------------------
    def _person_probability(self, frame_rgb: np.ndarray, pose: PoseResult, scale: float,
                            size: tuple[int, int]) -> np.ndarray:
        """(h, w) float32 probability that a working-resolution pixel shows any person."""
        probability = np.zeros(size[::-1], np.float32)
        if self.selfie is not None:
            square = cv2.resize(frame_rgb, (SELFIE_SIZE, SELFIE_SIZE), interpolation=cv2.INTER_LINEAR)
            probability = cv2.resize(self.selfie.run(square)[0][0, :, :, 0], size, interpolation=cv2.INTER_LINEAR)
        for p in pose.people:
            np.maximum(probability, p.mask(size[0], size[1], scale), out=probability)
        return probability

    def _owners(self, pose: PoseResult, scale: float, size: tuple[int, int]) -> np.ndarray:
        """(h, w) int16: index of the person whose skeleton is nearest each pixel, -1 if none is near."""
        owners = np.full(size[::-1], -1, np.int16)
        if not pose.people:
            return owners
        if len(pose.people) == 1 and self.selfie is None:
            owners[:] = 0  # the only person mask is this person's own
            return owners
        best = np.full(size[::-1], np.inf, np.float32)
        for index, p in enumerate(pose.people):
            canvas = np.ones(size[::-1], np.uint8)
            points = p.landmarks * scale
            for a, b in SKELETON:
                cv2.line(canvas, tuple(np.round(points[a]).astype(int)), tuple(np.round(points[b]).astype(int)), 0, 1)
            distance = cv2.distanceTransform(canvas, cv2.DIST_L2, 3)
            reach = OWNER_REACH * _body_scale(points)
            closer = (distance < best) & (distance <= reach)
            owners[closer] = index
            best = np.where(closer, distance, best)
        return owners

    def _faces(self, frame_rgb: np.ndarray, pose: PoseResult) -> tuple[Face | None, ...]:
        self._frame += 1
        if self.face is None:
            return tuple(None for _ in pose.people)
        if len(pose.people) != 1:
            self._last_face = self._pending = None
            return tuple(self._face_of(frame_rgb, person) for person in pose.people)
        person = pose.people[0]
        nose = person.landmarks[B.NOSE].copy()
        if self._pending is not None and self._pending[0].done():
            face = self._pending[0].result()
            self._last_face = (face, self._pending[1]) if face is not None else None
            self._pending = None
        due = self._frame % self.face_every == 0
        if self._background is None and (due or self._last_face is None):
            face = self._face_of(frame_rgb, person)
            self._last_face = (face, nose) if face is not None else None
            return (face,)
        if self._background is not None and self._pending is None and (due or self._frame == 1):
            self._pending = (self._background.submit(self._face_of, frame_rgb, person), nose)
        if self._last_face is None:
            return (None,)
        face, found_at = self._last_face
        return (Face(face.points + (person.landmarks[B.NOSE] - found_at), face.score, face.roi),)

    def _face_of(self, frame_rgb: np.ndarray, person: Person) -> Face | None:
        roi = face_roi(person.landmarks, person.visibility)
        return self.face(frame_rgb, roi) if roi is not None else None

    # -- parts -------------------------------------------------------------------------------------
    def _label_person(self, labels: np.ndarray, person_mask: np.ndarray, anyone: np.ndarray, ycrcb: np.ndarray,
                      person: Person, face: Face | None, scale: float) -> frozenset[str]:
        """Labels `person`'s pixels in `labels` (h, w) at working resolution, in place; returns the
        sides whose seen hand is invented (ParseResult.invented_hands). person_mask: (h, w) bool,
        this person's pixels; anyone: (h, w) bool, every person's."""
        points = person.landmarks * scale
        face_outline = face.outline * scale if face is not None else None
        x0, y0, x1, y1 = self._territory(points, face_outline, labels.shape)
        if x1 <= x0 or y1 <= y0:
            return frozenset()
        origin = np.array([x0, y0], np.float32)
        local = points - origin
        shape = (y1 - y0, x1 - x0)
        mine = person_mask[y0:y1, x0:x1]
        colours = ycrcb[y0:y1, x0:x1]

        face_mask = np.zeros(shape, np.uint8)
        if face_outline is not None:
            cv2.fillPoly(face_mask, [np.round(face_outline - origin).astype(np.int32)], 1)
            face_height = float(np.hypot(*(face.points[CHIN] - face.points[FOREHEAD]))) * scale
            skin_model = self._skin_model(face, colours, face_mask, face_height)
        else:
            face_height = 0.0
            skin_model = SkinModel.generic()
        skin = skin_model.mask(colours) & mine

        body = _body_scale(local)
        out = np.zeros(shape, np.uint8)
        # Upper vs lower body: which side of the hip line (perpendicular to the spine) a pixel is on.
        hips = local[[B.LEFT_HIP, B.RIGHT_HIP]].mean(0)
        axis = local[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0) - hips
        axis /= max(float(np.hypot(*axis)), 1e-6)
        upper, like_top, clothing_models = _split_top_and_bottom(colours, mine & ~skin, local, body,
                                                                 _half_plane(shape, hips, axis), axis)
        if clothing_models[0] is not None:
            # Now that the top's colour is known: its shaded side, nearer the top than the skin in
            # chroma, is not bare arm or torso (a pink blouse's flanks read as arm and stayed in
            # front of every new garment).
            skin = skin_model.without_clothing(skin, colours, clothing_models[0])
        # Without the wearer's own skin tone, beige or pink cloth would pass for a bare torso;
        # the generic model is trusted only on the limbs.
        torso_skin = skin if face_outline is not None else np.zeros_like(skin)
        # Only what would be the top: that is what a new garment is fitted out to and fills.
        backdrop = _backdrop(colours, mine, anyone[y0:y1, x0:x1], mine & ~skin & upper, clothing_models)
        solid = mine & ~backdrop if backdrop is not None else mine  # the person's own pixels
        out[solid & upper] = Label.UPPER_CLOTHES
        out[solid & ~upper] = Label.PANTS
        out[torso_skin & upper] = Label.TORSO_SKIN

        def limb(chain: list[int], radii: list[float]) -> np.ndarray:
            canvas = np.zeros(shape, np.uint8)
            for (a, b), radius in zip(zip(chain, chain[1:]), radii):
                _capsule(canvas, [local[a], local[b]], radius * body)
            return canvas.astype(bool) & mine

        for side, (hip, knee, ankle, heel, toe) in LEGS.items():
            leg = limb([hip, knee, ankle], [THIGH_RADIUS, SHIN_RADIUS]) & ~upper
            out[leg & skin] = LEG_LABEL[side]
            foot = limb([ankle, heel, toe], [FOOT_RADIUS, FOOT_RADIUS]) & ~skin
            out[foot] = SHOE_LABEL[side]

        mix = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * OUTLINE_MIX + 1, 2 * OUTLINE_MIX + 1))
        outline = cv2.dilate((~mine).astype(np.uint8), mix).astype(bool)  # within OUTLINE_MIX of the background
        invented = set()
        for side, (shoulder, elbow, wrist, fingers) in ARMS.items():
            arm_label = ARM_LABEL[side]
            arm = limb([shoulder, elbow, wrist], [UPPER_ARM_RADIUS, FOREARM_RADIUS])
            # A sleeved forearm hanging below the hip line is still the top, not the trousers
            # (where colour tells them apart, only what looks like the top).
            core = limb([elbow, wrist], [SLEEVE_CORE * FOREARM_RADIUS])
            sleeve = core & ~skin
            forearm_cloth = sleeve  # kept as it is: narrowed below to what looks like the top
            if like_top is not None:
                sleeve = sleeve & like_top
            out[sleeve & (out == Label.PANTS)] = Label.UPPER_CLOTHES
            hand = np.zeros(shape, np.uint8)
            for finger in fingers:
                _capsule(hand, [local[wrist], local[finger]], HAND_RADIUS * body)
            # Past the middle of the hand: the landmark "wrist" often sits inside a long sleeve's
            # cuff, which is clothing, not hand.
            knuckles = local[list(fingers)].mean(0)
            reach = knuckles - local[wrist]
            past_cuff = _half_plane(shape, local[wrist] + HAND_CUFF_FRACTION * reach,
                                    reach / max(float(np.hypot(*reach)), 1e-6))
            x, y, w, h = cv2.boundingRect(hand)
            box = (slice(y, y + h), slice(x, x + w))  # the hand's: over the territory the look-ups cost ~2 ms
            hand_seen = bool(w and h) and float(person.visibility[[wrist, *fingers]].mean()) >= MIN_SEEN_VISIBILITY
            palm = hand[box].astype(bool) & past_cuff[box]
            if hand_seen and not in_sight(person, elbow) and _shows_no_skin(palm, skin[box], HAND_RADIUS * body):
                # A hand the pose invents on an arm hanging out of the frame (across a dark top,
                # in a lap): none of its pixels is hand (a name badge under one stood in front of
                # a new top), and no skin is bare arm for reaching it.
                invented.add(side)
                hand_seen = False
            joints_seen = (bool(person.visibility[elbow] >= MIN_SEEN_VISIBILITY),
                           bool(person.visibility[wrist] >= MIN_SEEN_VISIBILITY) and side not in invented)
            bare = _skin_reaching_the_arm_end(arm & skin, hand, local[elbow], local[wrist], FOREARM_RADIUS * body,
                                              joints_seen) if person.in_frame[wrist] else arm & skin
            out[bare] = arm_label
            # The bare arm's outline against the background: its pixels mix skin with the wall and
            # fail the skin test, and above the hip line they read as the top — a rim the cover
            # fill then painted with the garment, as dots down the far side of the arm.
            rim = arm & (out == Label.UPPER_CLOTHES) & outline & cv2.dilate(bare.astype(np.uint8), mix).astype(bool)
            out[rim] = arm_label
            # Hands are arm (CIHP has no hand class) even where the skin model misses them — but
            # only past the cuff (above). Not where the pose only guesses the hand (hidden behind
            # the body or an object): a guessed hand's capsule lies on whatever hides it,
            # skin-coloured cloth included.
            # Nor, past the cuff, on what looks like the clothes: a hand on the hip has the trousers
            # and a belt under its capsule, which then stayed in front of a new top as a dark blob;
            # a shirt's cuff under a waistcoat looks like the forearm's sleeve, not like the top.
            if hand_seen:
                hand_pixels = hand[box].astype(bool) & mine[box]
                undecided = hand_pixels & past_cuff[box] & ~skin[box]  # the pixels colour decides
                if undecided.any():
                    # A shirt's own sleeve, from the forearm's box (a few hundred colours are plenty).
                    reach_px = SLEEVE_CORE * FOREARM_RADIUS * body + 1
                    (fx0, fy0), (fx1, fy1) = (np.minimum(local[elbow], local[wrist]) - reach_px).astype(int), \
                        (np.maximum(local[elbow], local[wrist]) + reach_px).astype(int)
                    forearm = (slice(max(fy0, 0), max(fy1, 0)), slice(max(fx0, 0), max(fx1, 0)))
                    samples = colours[forearm][forearm_cloth[forearm]]
                    # Only of a sleeved forearm: on a bare one the non-skin core is skin in shade,
                    # and a "sleeve" of that colour took a hand's shaded side for cloth (VITON-HD
                    # 00121, hands beside her shorts).
                    sleeved = len(samples) >= SLEEVED_SHARE * np.count_nonzero(core[forearm])
                    sleeve_model = _colour_model(samples[::max(1, len(samples) // SLEEVE_SAMPLES)]) if sleeved else None
                    clothing = _looks_like(colours[box], clothing_models + (sleeve_model,))
                    if clothing is not None:
                        undecided &= ~clothing
                out[box][hand_pixels & (skin[box] | undecided)] = arm_label

        if face_outline is not None:
            centre = (face.points[CHIN] + face.points[FOREHEAD]) / 2 * scale - origin
            chin_line = face.points[CHIN] * scale - origin
            head = np.zeros(shape, np.uint8)
            cv2.circle(head, tuple(np.round(centre).astype(int)), max(1, int(HEAD_RADIUS * face_height)), 1, -1)
            above_chin = _half_plane(shape, chin_line, axis)
            out[head.astype(bool) & mine & above_chin & ~face_mask.astype(bool)] = Label.HAIR
            shoulders = local[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]].mean(0)
            above_shoulders = _half_plane(shape, shoulders, axis)
            out[_hair_on_the_top(out, colours, above_shoulders, clothing_models[0])] = Label.HAIR
            out[_hair_ends(out, above_shoulders)] = Label.HAIR
            out[face_mask.astype(bool)] = Label.FACE

        region = labels[y0:y1, x0:x1]
        region[out > 0] = out[out > 0]
        if backdrop is not None:
            region[backdrop & (out == 0)] = Label.BACKGROUND
        # Face and hair come from the face mesh, not the ownership map: keep them even where the
        # segmentation left a gap.
        return frozenset(invented)

    def _skin_model(self, face: Face, colours: np.ndarray, face_mask: np.ndarray, face_height: float) -> SkinModel:
        """The skin model fitted to the face's inner pixels — once per face mesh run: between runs
        the outline is only moved with the nose, and a face's skin tone does not change.
        colours (h, w, 3) uint8 YCrCb, face_mask (h, w) uint8 1 inside the outline, both over the
        person's territory; face_height in the same pixels."""
        if self._skin is None or self._skin[0] is not face.roi:
            inner = cv2.erode(face_mask, np.ones((3, 3), np.uint8), iterations=max(1, int(FACE_ERODE * face_height)))
            self._skin = (face.roi, SkinModel.fit(colours[inner.astype(bool)]))
        return self._skin[1]

    @staticmethod
    def _territory(points: np.ndarray, face_outline: np.ndarray | None, shape: tuple[int, int]) -> tuple[int, int, int, int]:
        every = points if face_outline is None else np.concatenate([points, face_outline])
        (x0, y0), (x1, y1) = every.min(0), every.max(0)
        margin = BOX_MARGIN * max(x1 - x0, y1 - y0)
        height, width = shape
        return (max(0, int(x0 - margin)), max(0, int(y0 - margin)),
                min(width, int(x1 + margin) + 1), min(height, int(y1 + margin) + 1))
