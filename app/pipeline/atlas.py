"""A garment's texture split into its torso and its sleeves, side by side in one image.

The torso warp samples near the armholes, where a flat-lay photo shows the sleeves' roots; if the
torso layer could see sleeve cloth it would paste flaps of sleeve beside the body. So the torso
half of the atlas keeps only cloth between the armhole lines, the sleeve half only cloth outside
them (each reaching SEAM_OVERLAP texels past them, so the two overlap at the seam), and one
remap over a merged map still samples everything (sleeve maps are offset by the garment's width
into the right half).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.garments.model import Garment, SleeveKind


BLEED = 4  # px of cloth colour carried past the garment's edge
EDGE_MIX = 1  # px: the mask's outer band whose colour is backdrop and cloth mixed
SEAM_OVERLAP = 6  # texels each half reaches past the armhole line into the other's cloth
PULL_START = 4  # the far fill's finest level: 1/PULL_START of the photo's size (see _pull_colour)
NECK_DROP = 0.02  # × the photo's height: how far below the front neckline's lowest point its opening is looked for


@dataclass(frozen=True)
class GarmentAtlas:
    texture: np.ndarray  # (H, 2W, 4) uint8 BGRA: [torso cloth | sleeve cloth], alpha = cloth
    sleeve_offset: float  # add to a garment x coordinate to sample the sleeve half (= W)
    alpha: np.ndarray  # (H, 2W) uint8: the texture's alpha, contiguous (for single-channel remaps)
    neck_opening: np.ndarray  # (H, W) uint8 0/255 in garment pixels: the neck hole (`neck_opening`)
    neck_box: tuple[int, int, int, int]  # its bounds (x0, y0, x1, y1) in garment pixels; x1 <= x0 when empty


def _extend_to_bottom(top: np.ndarray, bottom: np.ndarray, height: int) -> np.ndarray:
    """The point where the line top→bottom reaches y = height (or `bottom` if it runs sideways)."""
    dy = bottom[1] - top[1]
    if dy <= 1e-6:
        return np.array([bottom[0], height], np.float64)
    return top + (bottom - top) * ((height - top[1]) / dy)


def torso_region(garment: Garment) -> np.ndarray:
    """(H, W) uint8 0/255: the part of the photo between the two armhole lines."""
    width, height = garment.size
    if garment.sleeve_kind is SleeveKind.NONE:
        return np.full((height, width), 255, np.uint8)
    lm = {k: np.array(v, np.float64) for k, v in garment.landmarks.items()}
    polygon = [
        (lm["shoulder_right"][0], 0.0), (lm["shoulder_left"][0], 0.0),
        lm["shoulder_left"], lm["armpit_left"], _extend_to_bottom(lm["armpit_left"], lm["hem_left"], height),
        _extend_to_bottom(lm["armpit_right"], lm["hem_right"], height), lm["armpit_right"], lm["shoulder_right"],
    ]
    region = np.zeros((height, width), np.uint8)
    cv2.fillPoly(region, [np.round(np.array(polygon)).astype(np.int32)], 255)
    return region


def _pull_colour(colour: np.ndarray, known: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: every pixel's colour filled in smoothly from the `known` ((H, W) uint8, 0/255)
    pixels of `colour` ((H, W, 3) uint8) nearest it — pushed down a pyramid of known-weighted means,
    then pulled back up where a level knows little. From 1/PULL_START of the size up: far from the
    cloth the colour need not be sharp (~16 ms for a product photo, against ~100 at full size)."""
    size = (max(1, colour.shape[1] // PULL_START), max(1, colour.shape[0] // PULL_START))
    weight = cv2.resize(known, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    premultiplied = cv2.resize(cv2.bitwise_and(colour, colour, mask=known), size,
                               interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    levels = [(premultiplied, weight)]
    while min(levels[-1][1].shape) > 1:
        summed, weight = levels[-1]
        half = (max(1, weight.shape[1] // 2), max(1, weight.shape[0] // 2))
        levels.append((cv2.resize(summed, half, interpolation=cv2.INTER_AREA),
                       cv2.resize(weight, half, interpolation=cv2.INTER_AREA)))
    filled = None
    for summed, weight in reversed(levels):
        mean = summed / np.maximum(weight, 1e-6)[..., None]
        if filled is not None:
            coarse = cv2.resize(filled, weight.shape[::-1], interpolation=cv2.INTER_LINEAR)
            # Where this level knows little, the coarser one's answer; where it knows, its own (a
            # pixel a quarter known or more is trusted whole: its mean is already the cloth's).
            share = np.clip(weight * 4.0, 0.0, 1.0)[..., None]
            mean = mean * share + coarse * (1.0 - share)
        filled = mean
    full = cv2.resize(filled, (colour.shape[1], colour.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(full * 255.0 + 0.5, 0, 255).astype(np.uint8)


def bleed_colour(colour: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: `colour` ((H, W, 3) uint8, contiguous) with the cloth's outermost EDGE_MIX px
    and the pixels just outside `mask` ((H, W) uint8, 0 = no cloth), up to BLEED px out, set to the
    mean colour of the cloth round them; every pixel further out, to the colour of the cloth
    nearest it (`_pull_colour`).

    Bilinear sampling at the garment's edge mixes in the texels beside it; in a product photo those
    show the studio backdrop (near white), which drew a light fringe round every garment and a
    light seam where the cover fill meets the garment's own edge. The mask's own outermost pixels
    are backdrop and cloth mixed too (tee-navy: grey 62 there, 37 a pixel further in), and the
    cover fill, mirroring the garment across its edge, repeated that light line as dashes. With
    the inner cloth's colour carried outward, the edge blends cloth with cloth and only the alpha
    fades (a sample reads 2×2 texels, so a few pixels of ring are enough). Further out: the
    compositor feathers the garment's alpha outwards over pixels whose own sample has none, and
    a torso warp stretched to the body's side samples far off the cloth there — a light fringe
    down the demo's shoulders, where the photo's backdrop showed through the feather."""
    cloth = cv2.compare(mask, 0, cv2.CMP_GT)  # 0/255
    core = cv2.erode(cloth, np.ones((2 * EDGE_MIX + 1, 2 * EDGE_MIX + 1), np.uint8))
    window = (2 * (BLEED + EDGE_MIX) + 1,) * 2  # reaching BLEED px past the mask itself
    weight = cv2.boxFilter(core, cv2.CV_32F, window, normalize=False)  # 255 × core pixels around
    ring = cv2.bitwise_and(cv2.compare(weight, 0, cv2.CMP_GT), cv2.bitwise_not(core))
    if not cv2.countNonZero(ring):
        return colour
    summed = cv2.boxFilter(cv2.bitwise_and(colour, colour, mask=core), cv2.CV_32F, window, normalize=False)
    mean = cv2.divide(summed, cv2.merge([weight, weight, weight]), scale=255, dtype=cv2.CV_8U)
    near = colour.copy()
    cv2.copyTo(mean, ring, near)
    known = cv2.bitwise_or(core, ring)
    bled = _pull_colour(near, known)
    cv2.copyTo(near, known, bled)
    return bled


def neck_opening(garment: Garment) -> np.ndarray:
    """(H, W) uint8 0/255 in the photo's pixels: the hole the neck goes through — no cloth, below
    the line between the collar points and above the front neckline's lowest point (neck_center)."""
    width, height = garment.size
    lm = {k: np.array(v, np.float64) for k, v in garment.landmarks.items()}
    bottom = lm["neck_center"][1] + NECK_DROP * height
    quad = np.array([lm["collar_right"], lm["collar_left"], (lm["collar_left"][0], bottom),
                     (lm["collar_right"][0], bottom)])
    hole = np.zeros((height, width), np.uint8)
    cv2.fillConvexPoly(hole, np.round(quad).astype(np.int32), 255)
    return cv2.bitwise_and(hole, cv2.compare(garment.mask, 0, cv2.CMP_EQ))


def build_atlas(garment: Garment) -> GarmentAtlas:
    width, _ = garment.size
    colour = bleed_colour(cv2.cvtColor(garment.rgba, cv2.COLOR_BGRA2BGR), garment.mask)
    torso = torso_region(garment)
    # Torso and sleeves overlap across the armhole line: cut exactly there, each faded out along
    # it in bilinear sampling, and where the two met on the body the wearer's top showed through
    # between them. (The renderer lets a sleeve replace the torso only where it is as solid.)
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * SEAM_OVERLAP + 1,) * 2)
    torso_alpha = cv2.bitwise_and(garment.mask, cv2.dilate(torso, reach))
    sleeve_alpha = cv2.bitwise_and(garment.mask, cv2.bitwise_not(cv2.erode(torso, reach)))
    texture = np.concatenate([np.dstack([colour, torso_alpha]), np.dstack([colour, sleeve_alpha])], 1)
    opening = neck_opening(garment)
    x, y, w, h = cv2.boundingRect(opening)
    return GarmentAtlas(np.ascontiguousarray(texture), float(width), np.ascontiguousarray(texture[..., 3]),
                        opening, (x, y, x + w, y + h))
