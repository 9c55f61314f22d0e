"""What stays in front of the garment, on frames large enough to be masked at half resolution."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from app.pipeline.occlusion import ARM_LABELS, HALF_RESOLUTION_FROM, HEAD_LABELS, build_occlusion


def _doubled(drawn_person):
    """The drawn person, a forearm raised across the chest, at twice its size (1280×960): labels,
    and the person with its landmarks."""
    _, perception = drawn_person(arm_across=True)
    labels = cv2.resize(perception.parse.labels, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    person = perception.pose.primary
    return labels, replace(person, landmarks=person.landmarks * 2)


def test_half_resolution_masks_keep_every_occluder_whole_and_nothing_else(drawn_person) -> None:
    labels, person = _doubled(drawn_person)
    assert max(labels.shape) >= HALF_RESOLUTION_FROM
    box = (100, 60, 1180, 940)  # odd offsets: the half-resolution grid need not start on the frame's
    occlusion = build_occlusion(labels, person, box, None)
    x0, y0, x1, y1 = box
    region = labels[y0:y1, x0:x1]
    assert occlusion.over_torso.shape == region.shape == occlusion.over_sleeves.shape
    occluders = np.isin(region, HEAD_LABELS + ARM_LABELS)
    head = np.isin(region, HEAD_LABELS)
    # The forearm raised across the chest, the other arm, the face and hair: fully in front of
    # the torso panel; face and hair also in front of the sleeves.
    assert (occlusion.over_torso[occluders] == 255).mean() > 0.995
    assert (occlusion.over_sleeves[head] == 255).mean() > 0.995
    # The soft edge falls on the garment side, within a few pixels: the shirt beyond is not hidden
    # (by either mask: the sleeves' holds face, hair and the hands, which lie on the arms).
    away = cv2.distanceTransform((~occluders).astype(np.uint8), cv2.DIST_L2, 3)
    assert (occlusion.over_torso[away > 5] == 0).all() and (occlusion.over_sleeves[away > 5] == 0).all()


def test_half_resolution_masks_match_full_resolution_ones_but_for_the_edges(drawn_person) -> None:
    _, perception = drawn_person(arm_across=True)
    small = build_occlusion(perception.parse.labels, perception.pose.primary, (0, 0, 640, 480), None)
    labels, person = _doubled(drawn_person)
    large = build_occlusion(labels, person, (0, 0, 1280, 960), None)
    enlarged = cv2.resize(small.over_torso, (1280, 960), interpolation=cv2.INTER_LINEAR)
    difference = np.abs(large.over_torso.astype(np.int16) - enlarged.astype(np.int16))
    assert (difference > 128).mean() < 0.002  # a pixel's worth along the edges at most
