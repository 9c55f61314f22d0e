"""The garment atlas: what a bilinear sample sees at the garment's edge."""

from __future__ import annotations

import cv2
import numpy as np

from app.garments.model import SleeveKind
from app.pipeline.atlas import BLEED, EDGE_MIX, bleed_colour, build_atlas, neck_opening


def test_sampling_across_the_garment_edge_blends_cloth_with_cloth_not_the_backdrop(drawn_garment) -> None:
    # A dark top photographed on white: half a texel outside its hem a bilinear sample used to be
    # half backdrop, a light fringe round the garment (and a light seam beside the cover fill).
    garment = drawn_garment(SleeveKind.NONE, body_colour=(40, 40, 40))
    atlas = build_atlas(garment)
    xs, ys = np.meshgrid(np.arange(300, 460, dtype=np.float32), np.arange(690, 715, 0.25, dtype=np.float32))
    sampled = cv2.remap(atlas.texture, xs, ys, cv2.INTER_LINEAR)  # the torso half, across the hem
    seen = sampled[..., 3] > 0
    assert seen.any() and (sampled[..., 3] < 255).any()  # the samples do straddle the edge
    assert sampled[..., :3][seen].max() <= 45


def test_bleed_fills_a_ring_with_the_cloth_round_it_and_leaves_the_rest() -> None:
    colour = np.full((40, 40, 3), 250, np.uint8)
    mask = np.zeros((40, 40), np.uint8)
    mask[10:30, 10:20] = 255
    colour[10:30, 10:20] = (10, 20, 30)
    mask[10:30, 20:30] = 255
    colour[10:30, 20:30] = (110, 120, 130)
    # The mask's outermost pixels in a product photo: cloth and the white backdrop mixed.
    colour[10:30, 10] = colour[10:30, 29] = (200, 200, 200)
    bled = bleed_colour(colour, mask)
    core = cv2.erode(mask, np.ones((2 * EDGE_MIX + 1,) * 2, np.uint8)) > 0
    assert np.array_equal(bled[core], colour[core])  # the cloth inside untouched
    assert (bled[12, 10] == (10, 20, 30)).all() and (bled[12, 29] == (110, 120, 130)).all()  # its mixed rim
    assert (bled[12, 10 - BLEED] == (10, 20, 30)).all() and (bled[12, 29 + BLEED] == (110, 120, 130)).all()
    assert (bled[8, 19].astype(int) - (60, 70, 80) <= 1).all()  # above the seam: the mean of both cloths
    # Beyond the ring, the cloth nearest: nothing of the backdrop is left for a feathered edge to
    # show (the compositor's feather reaches over samples far off a stretched garment's cloth).
    beyond = bled[0:10 - BLEED]
    assert np.abs(beyond.astype(int) - 250).min(2).max() > 100
    left, right = beyond[:, :15].astype(int), beyond[:, 25:].astype(int)
    assert (np.abs(left - (10, 20, 30)).max(2) < 30).all() and (np.abs(right - (110, 120, 130)).max(2) < 30).all()


def test_a_feathered_garment_edge_over_a_far_stretched_sample_shows_no_backdrop(drawn_garment) -> None:
    # Samples 40 texels off a dark garment's side (a torso stretched to the body's side samples
    # there) read the cloth's colour, not the photo's white backdrop: the compositor's feathered
    # alpha reaches over them, and a light line ran down the demo's shoulders.
    garment = drawn_garment(SleeveKind.NONE, body_colour=(40, 40, 40))
    texture = build_atlas(garment).texture
    side = int(garment.landmarks["hem_left"][0]) + 40, int(garment.landmarks["hem_left"][1]) - 100
    assert garment.mask[side[1], side[0]] == 0
    assert texture[side[1], side[0], :3].max() <= 45


def test_the_neck_opening_is_the_hole_below_the_collar_line_and_nothing_else(drawn_garment) -> None:
    # The drawn garment's neckline is a V from its collar points (318, 130) and (450, 130) down to
    # (384, 190).
    opening = neck_opening(drawn_garment(SleeveKind.SHORT)) > 0
    assert opening[135:175, 380:388].all()  # down the V
    assert not opening[:128].any()  # above the collar line: outside the garment, not its neck
    assert not opening[200:].any() and not opening[:, :310].any() and not opening[:, 460:].any()
    assert not opening[150, 330] and not opening[150, 438]  # the cloth beside the V
