"""Close what the fitted garment still leaves of the wearer's own top.

The fit moves the garment's sides, hem, neckline and sleeves out to the old top (bounded), but a
smooth warp cannot follow every turn of that outline: slivers stay visible at the armpits, along
the outer arm, at the cuffs. When the garment may cover (its sleeves at least as long as the
wearer's), each such pixel within `reach` of the garment samples the garment where it is nearest
— the garment's edge is stretched outward by at most `reach` — instead of the old top peeking out.

This edits the merged sampling map (texture coordinates per frame pixel), not colours, so the
CPU and the device compositors, which both start from that map, draw the same picture.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.parsing.labels import Label

SOLID = 250  # texture alpha from which a garment pixel may lend its coordinates
_CLOTHING_LUT = np.zeros(256, np.uint8)
_CLOTHING_LUT[[Label.UPPER_CLOTHES, Label.DRESS, Label.COAT]] = 1


def cover_gaps(merged: np.ndarray, sleeve_region: np.ndarray, texture_alpha: np.ndarray, labels: np.ndarray,
               reach: float) -> int:
    """Extend the garment over the wearer's clothing pixels within `reach` px of it, in place.

    merged (h, w, 2) float32 texture (x, y) per box pixel, -1 where nothing is drawn (from
    `compose.merge_maps`); sleeve_region (h, w) uint8, set to 255 on filled pixels (only face,
    hair and hands may hide them: they stand for the old top, which is under everything);
    texture_alpha (th, tw) uint8; labels (h, w) uint8 CIHP ids over the same box.
    The search runs at half resolution (a 2×2 block lends itself whole, so texture detail keeps
    its pixel pitch). Returns the number of pixels filled.
    """
    height, width = labels.shape
    cloth = cv2.LUT(labels, _CLOTHING_LUT)
    drawn = cv2.remap(texture_alpha, merged, None, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    solid = (drawn >= SOLID).astype(np.uint8)
    gaps = cloth & (1 - solid)
    if not gaps.any() or not solid.any():
        return 0
    half = (width // 2, height // 2)
    # A half-resolution pixel lends only if its whole 2×2 block is solid garment.
    solid_half = cv2.resize(solid * 255, half, interpolation=cv2.INTER_AREA) == 255
    if not solid_half.any():
        return 0
    distance, nearest = cv2.distanceTransformWithLabels((~solid_half).astype(np.uint8), cv2.DIST_L2, 3,
                                                        labelType=cv2.DIST_LABEL_PIXEL)
    # Which solid pixel each label stands for (labels number the zero pixels of the input).
    lenders = np.flatnonzero(solid_half)
    lender_of_label = np.zeros(int(nearest.max()) + 1, np.int64)
    lender_of_label[nearest.flat[lenders]] = lenders
    ys, xs = np.nonzero(gaps[:2 * half[1], :2 * half[0]])
    hy, hx = ys // 2, xs // 2
    close = distance[hy, hx] <= reach / 2
    ys, xs, hy, hx = ys[close], xs[close], hy[close], hx[close]
    if not len(ys):
        return 0
    lender = lender_of_label[nearest[hy, hx]]
    # Same offset inside the lending 2×2 block as inside the borrowing one.
    source_y, source_x = 2 * (lender // half[0]) + ys % 2, 2 * (lender % half[0]) + xs % 2
    merged[ys, xs] = merged[source_y, source_x]
    sleeve_region[ys, xs] = 255
    return len(ys)
