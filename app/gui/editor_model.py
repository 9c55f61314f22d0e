"""The garment editor's data: one garment being fixed by hand, with undo (no Qt here).

Automatic landmarks are wrong on some real photos; a shop fixes them in the editor dialog, which
drives this model. It starts from the stored sidecar, photo and mask, and offers the edits a
person needs: move a landmark, rename, change the category, cut background the mask kept (a
colour-distance threshold against the photo's border colour, or an eraser brush). Every change
can be undone. `to_garment()` gives the renderer a preview; `save()` validates through the
sidecar reader's own rules and writes mask, thumbnail and sidecar (sidecar last).

Coordinates are garment pixels (x right, y down); left/right are the wearer's, so the wearer's
left is on the image right (see `app.garments.model`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from app.errors import GarmentError
from app.garments import sidecar as sidecars
from app.garments.analyze import check_geometry
from app.garments.catalog import make_thumbnail
from app.garments.imageio import load_image
from app.garments.model import CATEGORIES, CATEGORY_FOR_SLEEVES, Garment, Point, SleeveKind, required_landmarks
from app.garments.sidecar import Sidecar
from app.outputs.atomic import write_bytes_atomic

THRESHOLD_MAX = 120
"""Largest background tolerance the slider offers (grey levels of the photo)."""
UNDO_LIMIT = 40
MIN_COVERAGE = 0.01
"""A mask covering less of the photo than this is refused: nothing would be left to wear."""
BORDER_RING = 0.02
"""Share of the photo's shorter side sampled around the edge as "background colour"."""
THUMBNAIL_JPEG_QUALITY = 88
SLEEVES_FOR_CATEGORY: dict[str, SleeveKind] = {c: k for k, c in CATEGORY_FOR_SLEEVES.items()}
"""Categories that say how long the sleeves are; "shirt" and "hoodie" keep the current kind."""


@dataclass(frozen=True, eq=False)
class EditState:
    """One undoable state. `erased`: (H, W) bool, read-only, True where the eraser removed cloth."""

    name: str
    category: str
    sleeve_kind: SleeveKind
    landmarks: dict[str, Point]
    threshold: int
    erased: np.ndarray


def background_distance(photo: np.ndarray) -> np.ndarray:
    """(H, W) uint8: each pixel's largest channel difference from the border's median colour."""
    colour = photo[:, :, :3]
    height, width = colour.shape[:2]
    band = max(2, int(BORDER_RING * min(height, width)))
    ring = np.concatenate([colour[:band].reshape(-1, 3), colour[-band:].reshape(-1, 3),
                           colour[:, :band].reshape(-1, 3), colour[:, -band:].reshape(-1, 3)])
    reference = np.median(ring, axis=0).astype(np.int16)
    return np.abs(colour.astype(np.int16) - reference).max(axis=2).astype(np.uint8)


def default_sleeve_landmarks(landmarks: dict[str, Point], width: int, height: int) -> dict[str, Point]:
    """Plausible short-sleeve ends from the shoulders and armpits, for a person to drag into place."""
    out: dict[str, Point] = {}
    span = abs(landmarks["shoulder_left"][0] - landmarks["shoulder_right"][0])
    for side, sign in (("left", 1.0), ("right", -1.0)):  # the wearer's left is on the image right
        sx, sy = landmarks[f"shoulder_{side}"]
        ax, ay = landmarks[f"armpit_{side}"]
        out[f"sleeve_{side}_outer"] = (min(max(sx + sign * 0.3 * span, 0.0), width), min(sy + 0.25 * span, height))
        out[f"sleeve_{side}_inner"] = (min(max(ax + sign * 0.3 * span, 0.0), width), min(ay + 0.1 * span, height))
    return out


class GarmentEdit:
    def __init__(self, sidecar: Sidecar, sidecar_path: Path, photo: np.ndarray, mask: np.ndarray,
                 bundled: bool = False) -> None:
        """`photo`: (H, W, 3|4) uint8 BGR(A); `mask`: (H, W) uint8, 255 = cloth (as stored)."""
        if photo.shape[:2] != mask.shape:
            raise GarmentError(f"{sidecar_path}: the mask does not match the photo's size")
        self.sidecar = sidecar
        self.sidecar_path = sidecar_path
        self.photo = np.ascontiguousarray(photo[:, :, :3])
        # Edits always start from the mask as opened, so undo works across a save too.
        self.stored_mask = np.where(mask >= 128, 255, 0).astype(np.uint8)
        self._written_mask = self.stored_mask
        self.bundled = bundled
        self._distance = background_distance(self.photo)
        erased = np.zeros(mask.shape, dtype=bool)
        erased.flags.writeable = False
        self._state = EditState(sidecar.name, sidecar.category, sidecar.sleeve_kind, dict(sidecar.landmarks), 0, erased)
        self._saved_state = self._state
        self._undo: list[EditState] = []
        self._mask_cache: tuple[EditState, np.ndarray] | None = None

    @classmethod
    def open(cls, sidecar_path: Path, bundled: bool = False) -> GarmentEdit:
        """Read a stored garment for editing; GarmentError naming the file on any problem."""
        sc = sidecars.read(sidecar_path)
        photo = load_image(sc.image_path).pixels
        mask = cv2.imread(str(sc.mask_path), cv2.IMREAD_GRAYSCALE)
        if mask is None:
            raise GarmentError(f"{sidecar_path}: mask {sc.mask} is missing or unreadable")
        return cls(sc, sidecar_path, photo, mask, bundled)

    # --- state ------------------------------------------------------------------------------

    @property
    def state(self) -> EditState:
        return self._state

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the photo."""
        return int(self.photo.shape[1]), int(self.photo.shape[0])

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def dirty(self) -> bool:
        return self._state is not self._saved_state

    def visible_landmarks(self) -> dict[str, Point]:
        """The landmarks the garment's sleeve kind uses (sleeve ends only when it has sleeves)."""
        names = required_landmarks(self._state.sleeve_kind)
        return {n: p for n, p in self._state.landmarks.items() if n in names}

    def _push(self, new: EditState, record: bool) -> None:
        """Make `new` current; `record` keeps the old one for undo (False: continue a drag)."""
        if record:
            self._undo.append(self._state)
            del self._undo[:-UNDO_LIMIT]
        self._state = new

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._state = self._undo.pop()
        return True

    # --- edits ------------------------------------------------------------------------------

    def move_landmark(self, name: str, x: float, y: float, record: bool = True) -> None:
        if name not in self._state.landmarks:
            raise GarmentError(f"no landmark named {name!r}")
        width, height = self.size
        landmarks = dict(self._state.landmarks)
        landmarks[name] = (float(min(max(x, 0.0), width)), float(min(max(y, 0.0), height)))
        self._push(replace(self._state, landmarks=landmarks), record)

    def set_name(self, name: str, record: bool = True) -> None:
        if name != self._state.name:
            self._push(replace(self._state, name=name), record)

    def set_category(self, category: str) -> None:
        if category not in CATEGORIES:
            raise GarmentError(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
        if category == self._state.category:
            return
        kind = SLEEVES_FOR_CATEGORY.get(category, self._state.sleeve_kind)
        landmarks = dict(self._state.landmarks)
        if kind is not SleeveKind.NONE and not all(n in landmarks for n in required_landmarks(kind)):
            landmarks.update(default_sleeve_landmarks(landmarks, *self.size))
        self._push(replace(self._state, category=category, sleeve_kind=kind, landmarks=landmarks), True)

    def set_threshold(self, value: int, record: bool = True) -> None:
        value = int(min(max(value, 0), THRESHOLD_MAX))
        if value != self._state.threshold:
            self._push(replace(self._state, threshold=value), record)

    def erase(self, x: float, y: float, radius: float, record: bool = True) -> None:
        """Remove cloth in a disc (garment pixels); `record=False` continues the same stroke."""
        erased = self._state.erased.astype(np.uint8)  # a fresh copy: states never share pixels
        cv2.circle(erased, (round(x), round(y)), max(1, round(radius)), 1, -1)
        result = erased.astype(bool)
        result.flags.writeable = False
        self._push(replace(self._state, erased=result), record)

    # --- results ----------------------------------------------------------------------------

    def mask(self) -> np.ndarray:
        """(H, W) uint8 cloth mask of the current state, 255 = cloth."""
        if self._mask_cache is not None and self._mask_cache[0] is self._state:
            return self._mask_cache[1]
        keep = self.stored_mask > 0
        if self._state.threshold > 0:
            keep &= self._distance > self._state.threshold
        keep &= ~self._state.erased
        mask = np.where(keep, 255, 0).astype(np.uint8)
        mask.flags.writeable = False
        self._mask_cache = (self._state, mask)
        return mask

    def to_garment(self) -> Garment:
        """The garment as edited, for a live preview on the mirror (not saved)."""
        mask = self.mask()
        return Garment(
            id=self.sidecar.id,
            name=self._state.name.strip() or self.sidecar.id,
            category=self._state.category,
            rgba=np.dstack([self.photo, mask]),
            mask=mask,
            landmarks=self.visible_landmarks(),
            sleeve_kind=self._state.sleeve_kind,
            confidence=1.0,
            bundled=self.bundled,
        )

    def validated_sidecar(self) -> Sidecar:
        """The sidecar to write, checked by the same rules as reading; GarmentError otherwise."""
        state = self._state
        if not state.name.strip():
            raise GarmentError("the garment needs a name")
        landmarks = self.visible_landmarks()
        problem = check_geometry(landmarks, *self.size)
        if problem:
            raise GarmentError(f"cannot save: {problem}")
        coverage = float(np.mean(self.mask() > 0))
        if coverage < MIN_COVERAGE:
            raise GarmentError("cannot save: the mask is (almost) empty; lower the threshold or undo the eraser")
        detection = dict(self.sidecar.detection)
        detection.update(method="edited", edited_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        sc = replace(self.sidecar, name=state.name.strip(), category=state.category, sleeve_kind=state.sleeve_kind,
                     landmarks=landmarks, detection=detection)
        return sidecars.parse(sidecars.to_json(sc), self.sidecar_path)  # the reader's own validation

    def save(self) -> Sidecar:
        """Write mask and thumbnail (when the mask changed), then the sidecar; returns what was saved.

        GarmentError for an invalid garment, OutputError when a file cannot be written.
        """
        if self.bundled:
            raise GarmentError(f"{self.sidecar.id!r} is bundled with LiveFit and read-only; import the photo "
                               "to make your own copy")
        sc = self.validated_sidecar()
        mask = self.mask()
        if not np.array_equal(mask, self._written_mask):
            ok, png = cv2.imencode(".png", mask)
            if not ok:
                raise GarmentError(f"{sc.mask_path}: could not encode the mask")
            write_bytes_atomic(sc.mask_path, png.tobytes())  # OutputError with the reason
            if sc.thumbnail_path is not None:
                ok, jpeg = cv2.imencode(".jpg", make_thumbnail(self.photo, mask),
                                        [cv2.IMWRITE_JPEG_QUALITY, THUMBNAIL_JPEG_QUALITY])
                if ok:
                    write_bytes_atomic(sc.thumbnail_path, jpeg.tobytes())
            self._written_mask = mask
        try:
            sidecars.write(sc, self.sidecar_path)
        except OSError as error:
            raise GarmentError(f"{self.sidecar_path}: cannot write ({error.strerror or error})") from error
        self.sidecar = sc
        self._saved_state = self._state
        return sc
