"""Cloth mask of a product photo: which pixels are garment.

The literature's recipe (R, G and B all <= 250 is cloth, fill holes, median filter) assumes a pure
white background. Studio backgrounds are often light grey (~246), which that recipe calls cloth
everywhere, and a white garment on white has no colour difference to threshold. So:

1. A transparent PNG's alpha channel is used when it has one that means something.
2. Otherwise the background is modelled from the photo's border (a smooth quadratic surface per
   channel, fitted robustly so a garment touching the edge does not bend it), with a tolerance
   from the border's own noise. Studio backgrounds are retouched flat, so the tolerance can be
   tight, which is what lets a white tee's faint texture count as cloth.
3. Background is what the border reaches by flooding through background-like pixels, after an
   erosion that stops the flood from squeezing through one-pixel gaps in a faint outline; it
   then grows back to the true edge, and (on clean backgrounds) through the JPEG ringing halo
   that surrounds a retouched garment.
4. Background the eroded flood missed (the gap between a long sleeve and the torso) is found
   again by connectivity or by its shape (see `_background_pockets`); pale fabric is not.
5. The edge is moved to half the local garment/background contrast (where a person draws it),
   small specks and pin holes are dealt with, and only the largest garment is kept; several
   large ones are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.errors import GarmentError

REFERENCE_SIDE = 1024
"""Kernel sizes below are for a photo whose longer side is this; they scale with the photo."""
WORK_MAX_SIDE = 1600
"""Larger photos are masked at this size and the mask is scaled back up."""

BORDER_RING_FRACTION = 0.01
BACKGROUND_TOL_MIN = 1.0
"""Flat retouched studio backgrounds have no noise; one grey level absorbs JPEG rounding."""
BACKGROUND_TOL_MAX = 40.0
PLAIN_BORDER_MIN_INLIERS = 0.75
ALPHA_MEANINGFUL_MIN = 0.01
"""At least this share of pixels must be see-through for the alpha channel to be trusted."""

FLOOD_ERODE = 9
HALO_WIDTH = 16
HALO_MEAN = 3.0
"""Grey levels: the halo's average distance from the background colour is at most this..."""
HALO_MAX = 10.0
"""...and no pixel of it strays further."""
EDGE_BAND = 8
EDGE_PASSES = 1
PEEL_MIN_CONTRAST = 30.0
"""Paler fabric keeps its edge: its halo is invisible and peeling would bite into white stripes."""
MEDIAN = 5
HOLE_MIN_FRACTION = 0.0005
POCKET_MIN_DEPTH = 0.3
POCKET_MIN_OFFSET = 0.3
POCKET_MIN_ELONGATION = 1.5

MIN_COVERAGE = 0.01
MAX_COVERAGE = 0.9
SECOND_GARMENT_RATIO = 0.25
SECOND_GARMENT_MIN_FRACTION = 0.01
BORDER_TOUCH_FRACTION = 0.005
SMALL_GARMENT = 0.6
"""A garment spanning less than this share of the photo's longer side is masked again in a crop."""
CROP_MARGIN = 0.12


@dataclass(frozen=True)
class MaskResult:
    """`mask`: (H, W) uint8, 255 = cloth, same size as the photo."""

    mask: np.ndarray
    method: str
    """"alpha" (from the PNG's transparency) or "background" (from the border colour)."""
    background_bgr: tuple[float, float, float] | None
    coverage: float
    touches_border: bool
    warnings: tuple[str, ...]


def _odd(value: float) -> int:
    return max(3, int(round(value)) | 1)


def _ellipse(size: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def _border_ring(height: int, width: int) -> np.ndarray:
    """(H, W) bool, True on the outer band of the photo used to learn the background."""
    band = max(2, int(round(BORDER_RING_FRACTION * min(height, width))))
    ring = np.zeros((height, width), dtype=bool)
    ring[:band] = ring[-band:] = True
    ring[:, :band] = ring[:, -band:] = True
    return ring


def _quadratic_design(xs: np.ndarray, ys: np.ndarray, width: int, height: int) -> np.ndarray:
    u = xs / max(width - 1, 1) * 2.0 - 1.0
    v = ys / max(height - 1, 1) * 2.0 - 1.0
    return np.stack([np.ones_like(u), u, v, u * u, v * v, u * v], axis=1)


def _fit_background(image: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Background model from the border: (H, W, 3) float32 surface, tolerance, inlier share."""
    height, width = image.shape[:2]
    ys, xs = np.nonzero(_border_ring(height, width))
    samples = image[ys, xs].astype(np.float64)
    design = _quadratic_design(xs.astype(np.float64), ys.astype(np.float64), width, height)
    # Start from the median so a garment touching the edge cannot pull the first fit.
    inliers = np.abs(samples - np.median(samples, axis=0)).max(axis=1) <= BACKGROUND_TOL_MAX
    coef = np.zeros((design.shape[1], 3))
    for _ in range(3):
        if inliers.sum() < design.shape[1] * 4:
            break
        coef, *_ = np.linalg.lstsq(design[inliers], samples[inliers], rcond=None)
        residual = np.abs(samples - design @ coef).max(axis=1)
        noise = float(np.percentile(residual[inliers], 90))
        tol = float(np.clip(2.0 * noise + 1.0, BACKGROUND_TOL_MIN, BACKGROUND_TOL_MAX))
        inliers = residual <= max(tol * 2.0, 6.0)
    residual = np.abs(samples - design @ coef).max(axis=1)
    noise = float(np.percentile(residual[inliers], 90)) if inliers.any() else BACKGROUND_TOL_MAX
    tol = float(np.clip(2.0 * noise + 1.0, BACKGROUND_TOL_MIN, BACKGROUND_TOL_MAX))
    inlier_share = float(np.mean(residual <= max(tol, 6.0)))
    gy, gx = np.mgrid[0:height, 0:width]
    full = _quadratic_design(gx.ravel().astype(np.float64), gy.ravel().astype(np.float64), width, height)
    surface = (full @ coef).reshape(height, width, 3).astype(np.float32)
    return surface, tol, inlier_share


def _components(binary: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=connectivity)
    return count, labels, stats


def _border_labels(labels: np.ndarray) -> np.ndarray:
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    found = np.unique(edge)
    return found[found > 0]


def _background_from_colour(image: np.ndarray, scale: float) -> tuple[np.ndarray, tuple[float, float, float]]:
    """(H, W) uint8 cloth mask (0/1) of an opaque photo, and the mean background colour."""
    height, width = image.shape[:2]
    surface, tol, inlier_share = _fit_background(image)
    if inlier_share < PLAIN_BORDER_MIN_INLIERS:
        raise GarmentError(
            "the photo's border is not a plain background; photograph the garment on a plain "
            "white or grey background with a margin around it, or use a transparent PNG"
        )
    distance = np.abs(image.astype(np.float32) - surface).max(axis=2)
    background_like = (distance <= tol).astype(np.uint8)

    erode = _odd(FLOOD_ERODE * scale)
    core = cv2.erode(background_like, _ellipse(erode))
    _, labels, stats = _components(core, connectivity=4)
    outside = np.isin(labels, _border_labels(labels))
    background = outside | _background_pockets(labels, stats, outside, background_like)
    background = background.astype(np.uint8)
    for _ in range(erode // 2 + 2):  # grow back to the edge, never past background-like pixels
        background = cv2.dilate(background, _ellipse(3)) & background_like
    # JPEG ringing leaves a halo of near-background noise up to two 8x8 blocks wide around the
    # garment; it is background on average, though not pixel by pixel.
    # Only on clean (retouched) backgrounds: on a noisy one the tolerance already covers it.
    if tol <= HALO_MEAN:
        window = _odd(5 * scale)
        halo_like = (cv2.blur(distance, (window, window)) <= HALO_MEAN) & (distance <= HALO_MAX)
        halo_like = halo_like.astype(np.uint8)
        for _ in range(int(round(HALO_WIDTH * scale))):
            background = cv2.dilate(background, _ellipse(3)) & (halo_like | background_like)
    cloth = (1 - background).astype(np.uint8)
    for index in range(EDGE_PASSES):  # a halo deeper than one band is peeled in several passes
        refined = _move_edge_to_half_contrast(cloth, distance, tol, scale, first_pass=index == 0)
        if np.array_equal(refined, cloth):
            break
        cloth = refined
    b, g, r = (float(c) for c in surface.reshape(-1, 3).mean(axis=0))
    return cloth, (b, g, r)


def _background_pockets(
    labels: np.ndarray, stats: np.ndarray, outside: np.ndarray, background_like: np.ndarray
) -> np.ndarray:
    """Background the eroded border flood could not reach: the gap between a sleeve and the torso.

    A pocket is background when the un-eroded background-like pixels still connect it to the
    border (a narrow channel down to the hem), or, when it is fully enclosed (a cuff resting on
    the hem), when it has a sleeve gap's shape: below the chest, off the centre line, tall and
    narrow. A white stripe or a pale patch inside the fabric has neither.
    """
    height, width = labels.shape
    result = np.zeros((height, width), dtype=bool)
    min_area = HOLE_MIN_FRACTION * height * width
    border = set(_border_labels(labels).tolist())
    _, raw_labels = cv2.connectedComponents(background_like, connectivity=8)
    reachable = set(_border_labels(raw_labels).tolist())
    ys, xs = np.nonzero(~outside)
    if ys.size == 0:
        return result
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    centre_x, half_width = (left + right) / 2.0, max((right - left) / 2.0, 1.0)
    for label in range(1, stats.shape[0]):
        if label in border or stats[label, cv2.CC_STAT_AREA] < min_area:
            continue
        x, y, w, h = (int(v) for v in stats[label, :4])
        pocket = labels == label
        py, px = np.nonzero(pocket[y : y + h, x : x + w])
        if int(raw_labels[y + py[0], x + px[0]]) in reachable:
            result |= pocket
            continue
        below_chest = (y - top) >= POCKET_MIN_DEPTH * (bottom - top)
        off_centre = abs(x + w / 2.0 - centre_x) >= POCKET_MIN_OFFSET * half_width
        if below_chest and off_centre and h >= POCKET_MIN_ELONGATION * w:
            result |= pocket
    return result


def _move_edge_to_half_contrast(
    cloth: np.ndarray, distance: np.ndarray, tol: float, scale: float, first_pass: bool
) -> np.ndarray:
    """Drop edge pixels fainter than half the contrast of the fabric right next to them.

    Retouched product photos carry a light halo and a soft shadow a few pixels wide around the
    garment; a person draws the edge where the colour is half-way between fabric and background.
    The contrast is taken from the nearest fabric pixel, so a white panel at the edge of a red
    tee is judged against white, not against the red next to it.
    """
    band = max(2, int(round(EDGE_BAND * scale)))
    inner = cv2.erode(cloth, _ellipse(2 * band + 1))
    if not inner.any():
        return cloth
    window = (_odd(5 * scale), _odd(5 * scale))
    local = cv2.blur(distance * inner, window) / np.maximum(cv2.blur(inner.astype(np.float32), window), 1e-3)
    # Labels name the nearest inner pixel, numbered in raster order of the inner pixels.
    _, nearest = cv2.distanceTransformWithLabels(
        (1 - inner).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    inner_contrast = local[inner > 0]
    edge = (cloth > 0) & (inner == 0)
    contrast = np.zeros_like(distance)
    contrast[edge] = inner_contrast[nearest[edge] - 1]
    # Low-contrast fabric (white on white) keeps the flood's edge: halving a faint contrast
    # would cut into the fabric. Past the first band only compression noise (near but not equal
    # to the background) is peeled: pixels exactly of the background colour that deep are white
    # fabric clipped by the retoucher behind a faint outline, such as white stripes at a sleeve's
    # edge.
    drop = edge & (contrast >= max(4.0 * tol, PEEL_MIN_CONTRAST)) & (distance < 0.5 * contrast)
    if not first_pass:
        drop &= distance > tol
    out = cloth.copy()
    out[drop] = 0
    return out


def _from_alpha(alpha: np.ndarray) -> np.ndarray:
    return (alpha >= 128).astype(np.uint8)


def _alpha_is_meaningful(pixels: np.ndarray) -> bool:
    if pixels.ndim != 3 or pixels.shape[2] != 4:
        return False
    return float(np.mean(pixels[:, :, 3] < 128)) >= ALPHA_MEANINGFUL_MIN


def _keep_one_garment(cloth: np.ndarray, scale: float) -> np.ndarray:
    """The largest cloth region with its small holes filled; refuse several large garments."""
    height, width = cloth.shape
    count, labels, stats = _components(cloth)
    if count <= 1:
        raise GarmentError("no garment found: the photo is plain background")
    areas = stats[1:, cv2.CC_STAT_AREA]
    order = np.argsort(areas)[::-1]
    largest = int(areas[order[0]])
    big = [
        int(a) for a in areas
        if a >= SECOND_GARMENT_RATIO * largest and a >= SECOND_GARMENT_MIN_FRACTION * height * width
    ]
    if len(big) > 1:
        raise GarmentError(
            f"found {len(big)} separate garments in one photo; import one garment per photo"
        )
    keep = (labels == int(order[0]) + 1).astype(np.uint8)
    # Fill pin holes (a dropped print pixel, a button highlight) but keep real pockets.
    holes = (1 - keep).astype(np.uint8)
    hcount, hlabels, hstats = _components(holes, connectivity=4)
    border = set(_border_labels(hlabels).tolist())
    small = HOLE_MIN_FRACTION * height * width
    for label in range(1, hcount):
        if label not in border and hstats[label, cv2.CC_STAT_AREA] < small:
            keep[hlabels == label] = 1
    return cv2.medianBlur(keep * 255, _odd(MEDIAN * scale))


def _mask_at_own_scale(pixels: np.ndarray) -> tuple[np.ndarray, str, tuple[float, float, float] | None]:
    """(mask, method, background colour) with kernel sizes set by this image's size."""
    height, width = pixels.shape[:2]
    factor = min(1.0, WORK_MAX_SIDE / max(height, width))
    work = pixels if factor >= 1.0 else cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    scale = max(work.shape[:2]) / REFERENCE_SIDE
    colour: tuple[float, float, float] | None = None
    if _alpha_is_meaningful(work):
        cloth, method = _from_alpha(work[:, :, 3]), "alpha"
    else:
        cloth, colour = _background_from_colour(np.ascontiguousarray(work[:, :, :3]), scale)
        method = "background"
    mask = _keep_one_garment(cloth, scale)
    if factor < 1.0:
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
        mask = np.where(mask >= 128, 255, 0).astype(np.uint8)
    return mask, method, colour


def compute_mask(pixels: np.ndarray) -> MaskResult:
    """Cloth mask of a photo (`pixels`: (H, W, 3) BGR or (H, W, 4) BGRA uint8).

    Raises GarmentError (reason only; the caller names the file) for a plain image, an image
    with no background around the garment, or several garments.
    """
    height, width = pixels.shape[:2]
    mask, method, colour = _mask_at_own_scale(pixels)
    ys, xs = np.nonzero(mask)
    extent = max(int(np.ptp(ys)), int(np.ptp(xs))) if ys.size else 0
    if 0 < extent < SMALL_GARMENT * max(height, width):
        # Kernel sizes follow the photo's size, which is too coarse for a garment that fills a
        # small part of it (narrow gaps between sleeve and torso close up): mask it again in a
        # crop around it, where the sizes follow the garment.
        margin = int(CROP_MARGIN * extent) + 8
        y0, y1 = max(0, int(ys.min()) - margin), min(height, int(ys.max()) + margin + 1)
        x0, x1 = max(0, int(xs.min()) - margin), min(width, int(xs.max()) + margin + 1)
        crop, method, colour = _mask_at_own_scale(pixels[y0:y1, x0:x1])
        mask = np.zeros((height, width), np.uint8)
        mask[y0:y1, x0:x1] = crop
    coverage = float(np.mean(mask > 0))
    if coverage < MIN_COVERAGE:
        raise GarmentError("no garment found: almost the whole photo is background")
    if coverage > MAX_COVERAGE:
        raise GarmentError(
            f"the garment covers {coverage:.0%} of the photo, leaving no background to tell it "
            "apart; use a photo with a plain margin around the garment"
        )
    edge = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    touches = float(np.mean(edge > 0)) > BORDER_TOUCH_FRACTION
    warnings = ("the garment touches the photo's edge, so part of it may be cut off",) if touches else ()
    return MaskResult(mask, method, colour, coverage, touches, warnings)
