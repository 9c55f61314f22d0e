"""CPU compositor: sample the garment into its layers, layer them, light them, blend onto the frame.

Back to front: the frame; the torso panel (under arms, hands, face and hair); the sleeves (over
the arms they clothe, under hands, face and hair). All work happens inside the layers' box with
OpenCV kernels on uint8 images (a numpy float blend of a 720p frame costs 15–28 ms, OpenCV's ~1 ms).
"""

from __future__ import annotations

import cv2
import numpy as np

from app.pipeline.occlusion import Occlusion
from app.pipeline.warp import Layer

EDGE_FEATHER = 3  # px: blur of the garment's alpha edge, against jaggies and halos
SHADING_ONE = 128.0  # fixed-point scale of the shading gain (1.0 ↔ 128; the map stays below 2)


def union_box(layers: list[Layer], margin: int = 0, frame_size: tuple[int, int] | None = None
              ) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around all layers, grown by `margin` px within `frame_size` (w, h)."""
    boxes = np.array([layer.box for layer in layers])
    x0, y0 = int(boxes[:, 0].min()) - margin, int(boxes[:, 1].min()) - margin
    x1, y1 = int(boxes[:, 2].max()) + margin, int(boxes[:, 3].max()) + margin
    if frame_size is not None:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(frame_size[0], x1), min(frame_size[1], y1)
    return x0, y0, x1, y1


def merge_maps(texture_bgra: np.ndarray, layers: list[Layer], box: tuple[int, int, int, int],
               texture_alpha: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The layers' sampling maps merged over `box`, and where the sleeves are drawn.

    A sleeve replaces the torso where the sleeve has cloth at least as solid as the torso's, so
    the texture can then be sampled by a single remap (CPU) or GridSample (device). Layers: torso
    first, then sleeves.
    Returns merged (h, w, 2) float32 texture pixel (x, y) per box pixel, (-1, -1) = nothing; and
    sleeve_region (h, w) uint8, non-zero where a sleeve is drawn (the sleeves' bilinear alpha).
    texture_alpha: (th, tw) uint8, the texture's alpha plane, if the caller keeps one.
    """
    x0, y0, x1, y1 = box
    merged = np.full((y1 - y0, x1 - x0, 2), -1.0, np.float32)
    sleeve_region = np.zeros((y1 - y0, x1 - x0), np.uint8)
    # The alpha plane on its own, contiguous (copying it out of the texture costs ~1 ms a frame,
    # so the renderer passes the atlas's own copy).
    alpha = texture_alpha if texture_alpha is not None else np.ascontiguousarray(texture_bgra[..., 3])
    for layer in layers:  # torso first, sleeves after: later layers cover earlier ones
        lx0, ly0, lx1, ly1 = layer.box
        window = (slice(ly0 - y0, ly1 - y0), slice(lx0 - x0, lx1 - x0))
        if layer.name == "torso":
            merged[window] = layer.map_xy
            continue
        # The alpha each map really shows (bilinear, as the texture is sampled), so that a sleeve
        # replaces what lies below only where it is at least as solid: at the seam, the sleeve's
        # soft root edge lay over solid torso, and the wearer's own top showed through the crack.
        cloth = cv2.remap(alpha, layer.map_xy, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        below = cv2.remap(alpha, merged[window], None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=0)
        cloth[cloth < below] = 0
        cv2.copyTo(layer.map_xy, cloth, merged[window])
        cv2.max(sleeve_region[window], cloth, dst=sleeve_region[window])
    return merged, sleeve_region


def shading_gain(shading: np.ndarray) -> np.ndarray:
    """(h, w) uint8: a float32 shading map (gain ≈ 1) in fixed point, 1.0 ↔ SHADING_ONE, rounded and
    saturated — the one rounding both compositors apply."""
    return cv2.convertScaleAbs(shading, alpha=SHADING_ONE)


def every_other(image: np.ndarray) -> np.ndarray:
    """(h // 2, w // 2, …) contiguous: the pixels at even rows and columns of an (h, w, …) image —
    OpenCV's nearest resize by exactly ½ takes those, ~5× faster than copying a strided view."""
    half_h, half_w = image.shape[0] // 2, image.shape[1] // 2
    return cv2.resize(image[:2 * half_h, :2 * half_w], (half_w, half_h), interpolation=cv2.INTER_NEAREST)


def half_alpha(merged: np.ndarray, texture_alpha: np.ndarray) -> np.ndarray:
    """(h // 2, w // 2) uint8: the garment's alpha at every other box pixel (nearest sample), for
    masks that need no more detail: what is drawn, where the garment is solid."""
    return cv2.remap(texture_alpha, every_other(merged), None, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=0)


def bounds_of(mask: np.ndarray, scale: int = 1) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) around a mask's non-zero pixels, × scale, or None when it is empty."""
    x, y, w, h = cv2.boundingRect(mask)
    return None if w == 0 or h == 0 else (x * scale, y * scale, (x + w) * scale, (y + h) * scale)


def sample_map(texture_bgra: np.ndarray, merged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Garment colour (h, w, 3) uint8 and alpha (h, w) uint8 from a merged sampling map."""
    sampled = cv2.remap(texture_bgra, merged, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                        borderValue=(0, 0, 0, 0))
    return cv2.cvtColor(sampled, cv2.COLOR_BGRA2BGR), cv2.extractChannel(sampled, 3)


def sample_layers(texture_bgra: np.ndarray, layers: list[Layer], box: tuple[int, int, int, int]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Garment colour (h, w, 3) uint8, alpha (h, w) uint8 and the sleeve region over `box`."""
    merged, sleeve_region = merge_maps(texture_bgra, layers, box)
    return (*sample_map(texture_bgra, merged), sleeve_region)


def composite(frame_bgr: np.ndarray, colour: np.ndarray, alpha: np.ndarray, sleeve_region: np.ndarray,
              occlusion: Occlusion, shading: np.ndarray | None, box: tuple[int, int, int, int],
              opacity: float = 1.0) -> np.ndarray:
    """A copy of the frame with the garment blended into `box`.

    colour (h, w, 3) uint8, alpha (h, w) uint8, sleeve_region (h, w) uint8, non-zero where the
    sleeves, not the torso, are drawn (they answer to a different occluder).
    shading: (h, w) float32 multiplier (≈1) for the garment's brightness, or None.
    opacity: 0..1 for fading the garment out when the person is lost.
    """
    x0, y0, x1, y1 = box
    out = frame_bgr.copy()
    feather = (2 * EDGE_FEATHER + 1, 2 * EDGE_FEATHER + 1)
    occluder = occlusion.over_torso.copy()
    cv2.copyTo(occlusion.over_sleeves, sleeve_region, occluder)
    # uint8 arithmetic (OpenCV saturates and rounds): alpha · (1 − occluder).
    alpha = cv2.multiply(cv2.GaussianBlur(alpha, feather, 0), 255 - occluder, scale=1 / 255)
    weight = alpha.astype(np.float32) * (opacity / 255.0)
    if shading is not None:
        gain = shading_gain(shading)  # u8 for a fast multiply
        colour = cv2.multiply(colour, cv2.merge([gain, gain, gain]), scale=1 / SHADING_ONE)
    roi = out[y0:y1, x0:x1]
    cv2.blendLinear(colour, roi, weight, 1.0 - weight, dst=roi)  # in place: a view of `out`
    return out
