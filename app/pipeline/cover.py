"""Close what the fitted garment still leaves of the wearer's own top.

The fit moves the garment's sides, hem, neckline and sleeves out to the old top (bounded), but a
smooth warp cannot follow every turn of that outline: slivers stay visible at the armpits, along
the outer arm, at the cuffs. Each such pixel within `reach` of the garment samples the garment
mirrored across its edge — the garment extends outward by at most `reach` — instead of the old
top peeking out; mirrored along a smoothed direction, so a pattern continues round a curve
rather than breaking into a mosaic. Sleeves a shorter-sleeved garment may not cover are kept
out by the caller.

This edits the merged sampling map (texture coordinates per frame pixel), not colours, so the
CPU and the device compositors, which both start from that map, draw the same picture.
"""

from __future__ import annotations

import cv2
import numpy as np

from app.pipeline.compose import every_other, half_alpha
from app.pipeline.fit import COVER_LABELS, SleeveFit
from app.pipeline.occlusion import ARM_LABELS, label_lut

SOLID = 250  # texture alpha from which a garment pixel may lend its coordinates
OUTLINE_SMOOTHING = 5  # half-resolution px: box filter over the clothing mask's staircase edges
FIELD_SIGMA = 4.0  # half-resolution px: blur of the distance whose gradient the fill mirrors along
# OpenCV's Gaussian kernel for float images reaches 4σ (rounded), the central difference 1 px more.
FIELD_REACH = int(round(4 * FIELD_SIGMA)) + 1
_CLOTHING_LUT = label_lut(COVER_LABELS)  # 255 for the wearer's top
_ARM_SKIN_LUT = label_lut(ARM_LABELS)


def sleeve_skin(labels: np.ndarray, sleeves: tuple[SleeveFit, ...], box: tuple[int, int, int, int],
                widen: float) -> np.ndarray:
    """(h, w) uint8 0/255 over `box`: bare arm the new sleeves are meant to clothe — arm skin
    within each sleeve's quads widened sideways by `widen` px (not past the sleeve's end, so a
    hand below a cuff stays out), and round each bend between two quads (a bent elbow's outer
    corner lies outside both). labels: (h, w) uint8 CIHP ids over the same box.

    A sleeve's quads follow the pose's bones, which seldom run down the middle of the arm the
    parser sees, and its straight edges cut inside the shoulder's curve: bare skin showed beside
    new sleeves. The fill covers it as it covers the old top."""
    x0, y0 = box[0], box[1]
    span = np.zeros(labels.shape, np.uint8)
    for sleeve in sleeves:
        for outer_root, inner_root, inner_end, outer_end in sleeve.body_quads.astype(np.float64):
            grown = []
            for outer, inner in ((outer_root, inner_root), (outer_end, inner_end)):
                across = (outer - inner) / max(float(np.hypot(*(outer - inner))), 1e-6)
                grown.append((outer + across * widen, inner - across * widen))
            quad = np.array([grown[0][0], grown[0][1], grown[1][1], grown[1][0]]) - (x0, y0)
            cv2.fillConvexPoly(span, np.round(quad).astype(np.int32), 255)
        for _, _, inner, outer in sleeve.body_quads[:-1].astype(np.float64):  # the bends
            centre = (inner + outer) / 2 - (x0, y0)
            radius = float(np.hypot(*(outer - inner))) / 2 + widen
            cv2.circle(span, tuple(np.round(centre).astype(int)), int(round(radius)), 255, -1)
    return cv2.bitwise_and(span, cv2.LUT(labels, _ARM_SKIN_LUT))


def _central_difference(field: np.ndarray, rows: np.ndarray, columns: np.ndarray, axis: int) -> np.ndarray:
    """(n,) float32: the (h, w) float32 field's central difference along `axis` (0: down, 1: right)
    at n points — what cv2.Sobel(ksize=1) gives there (borders reflected the same way), without
    differentiating the whole field."""
    size = field.shape[axis]
    at = rows if axis == 0 else columns
    if size < 3:
        derivative = cv2.Sobel(field, cv2.CV_32F, axis, 1 - axis, ksize=1)
        return derivative[rows, columns]
    before, after = np.abs(at - 1), (size - 1) - np.abs(size - 2 - at)  # reflected at -1 and size
    if axis == 0:
        return field[after, columns] - field[before, columns]
    return field[rows, after] - field[rows, before]


def cover_gaps(merged: np.ndarray, sleeve_region: np.ndarray, texture_alpha: np.ndarray, labels: np.ndarray,
               reach: float, keep: np.ndarray | None = None, drawn: np.ndarray | None = None,
               skin: np.ndarray | None = None) -> tuple[int, tuple[int, int, int, int] | None]:
    """Extend the garment over the wearer's clothing pixels within `reach` px of it, in place.

    merged (h, w, 2) float32 texture (x, y) per box pixel, -1 where nothing is drawn (from
    `compose.merge_maps`); sleeve_region (h, w) uint8, set to 255 on filled pixels (only face,
    hair and hands may hide them: they stand for the old top, which is under everything);
    texture_alpha (th, tw) uint8; labels (h, w) uint8 CIHP ids over the same box; keep (h, w)
    uint8, non-zero where the wearer's clothing must stay as it is (sleeves a shorter-sleeved
    garment cannot cover), or None.
    drawn: `compose.half_alpha` of the same map, if the caller has it. skin: (h, w) uint8, non-zero
    on bare skin to cover as well (`sleeve_skin`), or None; where the torso panel is already
    drawn on it (under an arm, which would hide it) it is marked as sleeve, drawn over the arm.
    The search runs at half resolution (it is about slivers a few pixels wide, and this keeps it
    near a millisecond); a 2×2 block borrows from a 2×2 block, so texture detail keeps its pitch.
    Returns the number of pixels filled and their bounds (x0, y0, x1, y1) in the box (or None).
    """
    height, width = labels.shape
    if not (merged.flags.c_contiguous and sleeve_region.flags.c_contiguous):
        raise ValueError("cover_gaps edits merged and sleeve_region in place: pass C-contiguous arrays")
    if skin is not None:
        x, y, w, h = cv2.boundingRect(skin)  # the arms' part of the box only
        if w and h:
            window = (slice(y, y + h), slice(x, x + w))
            # 255 where the map samples the garment. (numpy's comparison: OpenCV's with a scalar
            # raises on a 1×1 array, a single pixel of skin in the box, as it takes it for a scalar.)
            drawn_on = (merged[window][..., 0] >= 0).astype(np.uint8) * np.uint8(255)
            cv2.max(sleeve_region[window], cv2.bitwise_and(skin[window], drawn_on), dst=sleeve_region[window])
    half_h, half_w = height // 2, width // 2
    if half_h == 0 or half_w == 0:
        return 0, None
    drawn = drawn if drawn is not None else half_alpha(merged, texture_alpha)
    solid = (drawn >= SOLID).astype(np.uint8)
    # A lender's neighbours are garment too, so the whole 2×2 block it stands for is.
    lenders_mask = cv2.erode(solid, np.ones((3, 3), np.uint8))
    # The label map comes from a coarser parse scaled up, so its edges are staircases; the garment
    # edge must not copy them. A blurred, re-thresholded mask follows the same outline smoothly.
    cloth = cv2.LUT(every_other(labels), _CLOTHING_LUT)
    cloth = (cv2.blur(cloth, (OUTLINE_SMOOTHING, OUTLINE_SMOOTHING)) >= 128).astype(np.uint8)
    if skin is not None:
        cloth |= (every_other(skin) > 0).astype(np.uint8)
    # Not only where the sample at the block's corner misses the garment: along the garment's edge a
    # block can hold garment and gap pixels both, and left out, those gaps showed as a dotted line
    # between the garment and the fill. Full resolution decides pixel by pixel below.
    open_blocks = cloth & (1 - lenders_mask)
    if not lenders_mask.any() or not open_blocks.any():
        return 0, None
    distance = cv2.distanceTransform(1 - lenders_mask, cv2.DIST_L2, 3)  # half-res px to the garment
    found_at = cv2.findNonZero(open_blocks & (distance <= reach / 2).view(np.uint8))  # x, y pairs, row-major
    if found_at is None:
        return 0, None
    found_at = found_at.reshape(-1, 2)
    hx, hy = found_at[:, 0].astype(np.int64), found_at[:, 1].astype(np.int64)
    # Mirror the garment across its edge (the point as far inside as the gap is outside) so a
    # pattern continues instead of smearing the edge pixel outward; the edge itself where the
    # mirror image would leave the garment. The way to the edge is the gradient of the blurred
    # distance, not the nearest edge pixel: that one jumps from block to block wherever the edge
    # turns, and mirroring across it tiled stripes into a mosaic of offset dashes. Each
    # half-resolution pixel stands for its 2×2 block and borrows a 2×2 block. Flat indices into
    # the box (one index array gathers ~2× faster than a pair).
    # Blurred and differentiated only around the gap pixels: FIELD_REACH past them, the kernels'
    # reach, the field is the same as over the whole box (the gaps are often a small part of it).
    fy0, fx0 = max(0, int(hy.min()) - FIELD_REACH), max(0, int(hx.min()) - FIELD_REACH)
    fy1, fx1 = min(half_h, int(hy.max()) + 1 + FIELD_REACH), min(half_w, int(hx.max()) + 1 + FIELD_REACH)
    smooth = cv2.GaussianBlur(distance[fy0:fy1, fx0:fx1], (0, 0), FIELD_SIGMA)
    away = np.stack([_central_difference(smooth, hy - fy0, hx - fx0, 0),
                     _central_difference(smooth, hy - fy0, hx - fx0, 1)], axis=1)
    away /= np.maximum(np.hypot(away[:, 0], away[:, 1]), 1e-6)[:, None]
    gap = 2 * distance[hy, hx, None] * away  # (N, 2) full-res px from the edge out to the gap pixel
    gap_y, gap_x = np.ascontiguousarray(gap[:, 0]), np.ascontiguousarray(gap[:, 1])
    block = np.array([0, 1, width, width + 1])
    # Each (x, y) float32 pair as one 8-byte item: numpy gathers and scatters those ~2× faster
    # than rows of a 2-column array.
    pairs = merged.reshape(-1).view(np.int64)

    texture_height, texture_width = texture_alpha.shape
    # Flat indices into a contiguous plane gather ~2× faster than (row, column) pairs.
    alpha_flat = np.ascontiguousarray(texture_alpha).reshape(-1)

    def solid_at(coords: np.ndarray) -> np.ndarray:
        """(n,) bool: whether each of (n, 2) texture coordinates samples solid garment."""
        u = coords[:, 0].astype(np.int64)
        v = coords[:, 1].astype(np.int64)
        np.clip(u, 0, texture_width - 1, out=u)
        np.clip(v, 0, texture_height - 1, out=v)
        v *= texture_width
        v += u
        return (coords[:, 0] >= 0) & (alpha_flat[v] >= SOLID)

    def borrow(which: np.ndarray, reflection: float) -> tuple[np.ndarray, np.ndarray]:
        """(4n, 2) coordinates of the blocks `reflection` × the gap back from gap pixels `which`,
        and (n,) whether each such block is solid garment."""
        row = np.rint(2 * hy[which] - reflection * gap_y[which]).astype(np.int64)
        column = np.rint(2 * hx[which] - reflection * gap_x[which]).astype(np.int64)
        fits = (row >= 0) & (row < height - 1) & (column >= 0) & (column < width - 1)
        row *= width
        row += column
        row[~fits] = 0
        borrowed = pairs[(row[:, None] + block).ravel()].view(np.float32).reshape(-1, 2)
        return borrowed, solid_at(borrowed).reshape(-1, 4).all(1) & fits

    source, found = borrow(np.arange(len(hy)), 2.0)  # the mirror image
    missing = np.flatnonzero(~found)
    if len(missing):  # the edge, where the mirror image leaves the garment
        edge, at_edge = borrow(missing, 1.0)
        source.reshape(-1, 4, 2)[missing[at_edge]] = edge.reshape(-1, 4, 2)[at_edge]
        found[missing[at_edge]] = True
    hy, hx, source = hy[found], hx[found], source.reshape(-1, 4, 2)[found].reshape(-1, 2)
    targets = ((2 * hy * width + 2 * hx)[:, None] + block).ravel()
    # Full resolution has the last word: never over solid garment.
    take = ~solid_at(pairs[targets].view(np.float32).reshape(-1, 2))
    if keep is not None:
        take &= keep.reshape(-1)[targets] == 0
    targets = targets[take]
    if not len(targets):
        return 0, None
    pairs[targets] = source.reshape(-1).view(np.int64)[take]
    sleeve_region.reshape(-1)[targets] = 255
    ys, xs = np.divmod(targets, width)
    return len(targets), (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
