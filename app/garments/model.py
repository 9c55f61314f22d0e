"""What a garment is: the data the renderer consumes and the vocabulary shared by the catalog.

Coordinate frame used everywhere in this package ("garment pixels"): x to the right, y down, in
pixels of the garment's own image, origin at the top-left corner of the top-left pixel. Left and
right always mean the WEARER's: on a front-view product photo the wearer's left is on the IMAGE
RIGHT.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import numpy as np

Point = tuple[float, float]
"""(x, y) in garment pixels."""

CATEGORIES: tuple[str, ...] = ("sleeveless", "short_sleeve", "long_sleeve", "shirt", "hoodie")


class SleeveKind(str, Enum):
    """How far the sleeves reach; the renderer warps sleeves only when there are some."""

    NONE = "none"
    SHORT = "short"
    LONG = "long"


# The category the silhouette alone implies; "shirt" and "hoodie" need a person (or --category)
# because buttons and hoods do not change the outline enough to tell reliably.
CATEGORY_FOR_SLEEVES: dict[SleeveKind, str] = {
    SleeveKind.NONE: "sleeveless",
    SleeveKind.SHORT: "short_sleeve",
    SleeveKind.LONG: "long_sleeve",
}

TORSO_LANDMARKS: tuple[str, ...] = (
    "neck_center",
    "collar_left",
    "collar_right",
    "shoulder_left",
    "shoulder_right",
    "armpit_left",
    "armpit_right",
    "hem_left",
    "hem_right",
    "hem_center",
)
SLEEVE_LANDMARKS: tuple[str, ...] = (
    "sleeve_left_outer",
    "sleeve_left_inner",
    "sleeve_right_outer",
    "sleeve_right_inner",
)
LANDMARK_NAMES: tuple[str, ...] = TORSO_LANDMARKS[:7] + SLEEVE_LANDMARKS + TORSO_LANDMARKS[7:]
"""Every landmark name, in the order the sidecar lists them."""


def required_landmarks(sleeve_kind: SleeveKind) -> tuple[str, ...]:
    """Names that must be present: sleeve ends exist only on garments that have sleeves."""
    if sleeve_kind is SleeveKind.NONE:
        return TORSO_LANDMARKS
    return LANDMARK_NAMES


@dataclass(frozen=True)
class Garment:
    """A wearable garment, ready for the renderer.

    `rgba`: (H, W, 4) uint8 in OpenCV's BGRA order; alpha is the cloth mask (0 or 255).
    `mask`: (H, W) uint8, 255 = cloth the wearer shows (the inside of the back neckline is 0).
    `landmarks`: name -> (x, y) in garment pixels; sleeve landmarks are absent for sleeveless.
    """

    id: str
    name: str
    category: str
    rgba: np.ndarray
    mask: np.ndarray
    landmarks: dict[str, Point]
    sleeve_kind: SleeveKind
    confidence: float
    bundled: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.rgba.shape[1]), int(self.rgba.shape[0])

    def mirrored(self) -> Garment:
        """The garment flipped left to right: the photo and mask mirrored, each landmark moved to
        its mirror position under the other side's name (the wearer's left sleeve becomes the
        right one). Drawn on a person shown in a mirror, its print then reads the right way round."""
        width = self.size[0]

        def other_side(name: str) -> str:
            for a, b in (("_left", "_right"), ("_right", "_left")):
                if a in name:
                    return name.replace(a, b)
            return name

        # Garment pixels put the origin at the left edge of the first pixel: x mirrors to width − x.
        moved = {other_side(name): (width - x, y) for name, (x, y) in self.landmarks.items()}
        landmarks = {name: moved[name] for name in self.landmarks}  # the sidecar's order
        return replace(self, rgba=np.ascontiguousarray(self.rgba[:, ::-1]), mask=np.ascontiguousarray(self.mask[:, ::-1]),
                       landmarks=landmarks)


@dataclass(frozen=True)
class GarmentEntry:
    """One catalog row: enough to list and show a garment without decoding its image."""

    id: str
    name: str
    category: str
    sleeve_kind: SleeveKind
    confidence: float
    bundled: bool
    sidecar_path: Path
    image_path: Path
    thumbnail_path: Path | None
    warnings: tuple[str, ...] = field(default=())
