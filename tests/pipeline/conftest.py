"""A drawn person with known parts, and a drawn garment with known landmarks.

The renderer's contract is checked against inputs whose truth is known exactly: a frame where
the torso, arms, face and hair are flat-coloured regions with matching labels and landmarks.
"""

from __future__ import annotations

import os
from dataclasses import replace

import cv2
import numpy as np
import pytest

from app.garments.model import Garment, SleeveKind
from app.pipeline.perception import PerceptionResult
from models.parsing import Label, ParseResult
from models.pose import BlazePose as B
from models.pose import Person, PoseResult
from models.pose.geometry import RotatedRect

FRAME_SIZE = (640, 480)
SKIN = (140, 170, 220)  # BGR
SHIRT = (60, 140, 60)  # the wearer's own top: green
FACE_CENTRE = (320, 95)


def _person_landmarks(arm_across: bool) -> np.ndarray:
    points = np.zeros((33, 2), np.float32)
    points[B.NOSE] = FACE_CENTRE
    points[B.LEFT_EYE], points[B.RIGHT_EYE] = (335, 85), (305, 85)
    points[B.LEFT_EAR], points[B.RIGHT_EAR] = (355, 90), (285, 90)
    points[B.MOUTH_LEFT], points[B.MOUTH_RIGHT] = (330, 112), (310, 112)
    points[B.LEFT_SHOULDER], points[B.RIGHT_SHOULDER] = (390, 170), (250, 170)
    points[B.LEFT_HIP], points[B.RIGHT_HIP] = (370, 380), (270, 380)
    points[B.LEFT_KNEE], points[B.RIGHT_KNEE] = (370, 470), (270, 470)
    points[B.LEFT_ANKLE], points[B.RIGHT_ANKLE] = (370, 560), (270, 560)
    points[B.RIGHT_ELBOW], points[B.RIGHT_WRIST] = (230, 270), (225, 360)
    if arm_across:  # left forearm raised across the chest
        points[B.LEFT_ELBOW], points[B.LEFT_WRIST] = (410, 270), (300, 230)
    else:
        points[B.LEFT_ELBOW], points[B.LEFT_WRIST] = (410, 270), (415, 360)
    for wrist, fingers in ((B.LEFT_WRIST, (B.LEFT_INDEX, B.LEFT_PINKY, B.LEFT_THUMB)),
                           (B.RIGHT_WRIST, (B.RIGHT_INDEX, B.RIGHT_PINKY, B.RIGHT_THUMB))):
        direction = points[wrist] - points[wrist - 2]  # elbow → wrist continues into the hand
        direction = direction / np.linalg.norm(direction)
        for finger in fingers:
            points[finger] = points[wrist] + direction * 22
    points[[B.LEFT_HEEL, B.LEFT_FOOT_INDEX]] = points[B.LEFT_ANKLE]
    points[[B.RIGHT_HEEL, B.RIGHT_FOOT_INDEX]] = points[B.RIGHT_ANKLE]
    return points


def _drawn_person(arm_across: bool = False, bare_arms: bool = True) -> tuple[np.ndarray, PerceptionResult]:
    """(480, 640, 3) BGR frame of a flat-coloured person and a matching perception result."""
    width, height = FRAME_SIZE
    points = _person_landmarks(arm_across)
    frame = np.full((height, width, 3), 200, np.uint8)
    labels = np.zeros((height, width), np.uint8)

    def paint(mask: np.ndarray, colour: tuple[int, int, int], label: int) -> None:
        frame[mask > 0] = colour
        labels[mask > 0] = label

    torso = np.zeros((height, width), np.uint8)
    cv2.fillConvexPoly(torso, np.array([(235, 160), (405, 160), (385, 400), (255, 400)], np.int32), 1)
    paint(torso, SHIRT, Label.UPPER_CLOTHES)
    lower = np.zeros_like(torso)
    cv2.rectangle(lower, (255, 400), (385, 480), 1, -1)
    paint(lower, (90, 60, 40), Label.PANTS)
    for shoulder, elbow, wrist, label in ((B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST, Label.RIGHT_ARM),
                                          (B.LEFT_SHOULDER, B.LEFT_ELBOW, B.LEFT_WRIST, Label.LEFT_ARM)):
        arm = np.zeros_like(torso)
        chain = [points[shoulder], points[elbow], points[wrist], points[wrist] + (points[wrist] - points[elbow]) * 0.25]
        for a, b in zip(chain, chain[1:]):
            cv2.line(arm, tuple(np.int32(a)), tuple(np.int32(b)), 1, 34)
        if bare_arms:
            paint(arm, SKIN, label)
        else:
            paint(arm, SHIRT, Label.UPPER_CLOTHES)
            hand = np.zeros_like(torso)
            cv2.circle(hand, tuple(np.int32(chain[-1])), 16, 1, -1)
            paint(hand, SKIN, label)
    hair = np.zeros_like(torso)
    cv2.circle(hair, (320, 80), 52, 1, -1)
    paint(hair, (30, 40, 60), Label.HAIR)
    face = np.zeros_like(torso)
    cv2.ellipse(face, FACE_CENTRE, (36, 46), 0, 0, 360, 1, -1)
    paint(face, SKIN, Label.FACE)

    person = Person(
        landmarks=points, z=np.zeros(33, np.float32), visibility=np.ones(33, np.float32),
        presence=np.ones(33, np.float32),
        in_frame=(points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height),
        score=1.0, roi=RotatedRect(320, 300, 600, 0.0), mask_logits=np.full((256, 256), -20, np.float32),
    )
    pose = PoseResult((person,), FRAME_SIZE, False)
    parse = ParseResult(labels, (labels > 0).astype(np.float32), (None,))
    return frame, PerceptionResult(pose, parse, {})


def _drawn_garment(sleeves: SleeveKind, left_colour=(40, 40, 220), right_colour=(220, 60, 40),
                  body_colour=(230, 230, 230)) -> Garment:
    """A flat-lay top (768×1024) on white; the wearer's left sleeve (image right) is `left_colour`."""
    w, h = 768, 1024
    lm = dict(neck_center=(384, 190), collar_left=(450, 130), collar_right=(318, 130),
              shoulder_left=(560, 150), shoulder_right=(208, 150), armpit_left=(540, 330),
              armpit_right=(228, 330), hem_left=(545, 700), hem_right=(223, 700), hem_center=(384, 705))
    if sleeves is SleeveKind.SHORT:
        lm.update(sleeve_left_outer=(690, 300), sleeve_left_inner=(620, 380),
                  sleeve_right_outer=(78, 300), sleeve_right_inner=(148, 380))
    elif sleeves is SleeveKind.LONG:
        lm.update(sleeve_left_outer=(740, 640), sleeve_left_inner=(660, 660),
                  sleeve_right_outer=(28, 640), sleeve_right_inner=(108, 660))
    image = np.full((h, w, 3), 255, np.uint8)
    mask = np.zeros((h, w), np.uint8)
    body = [lm["collar_right"], lm["neck_center"], lm["collar_left"], lm["shoulder_left"], lm["armpit_left"],
            lm["hem_left"], lm["hem_center"], lm["hem_right"], lm["armpit_right"], lm["shoulder_right"]]
    cv2.fillPoly(mask, [np.array(body, np.int32)], 255)
    image[mask > 0] = body_colour
    if sleeves is not SleeveKind.NONE:
        for side, colour in (("left", left_colour), ("right", right_colour)):
            quad = np.array([lm[f"shoulder_{side}"], lm[f"sleeve_{side}_outer"], lm[f"sleeve_{side}_inner"],
                             lm[f"armpit_{side}"]], np.int32)
            sleeve = np.zeros_like(mask)
            cv2.fillConvexPoly(sleeve, quad, 255)
            image[sleeve > 0] = colour
            mask |= sleeve
    category = {SleeveKind.NONE: "sleeveless", SleeveKind.SHORT: "short_sleeve", SleeveKind.LONG: "long_sleeve"}[sleeves]
    return Garment("drawn", "Drawn top", category, np.dstack([image, mask]), mask,
                   {k: (float(x), float(y)) for k, (x, y) in lm.items()}, sleeves, 1.0)


@pytest.fixture
def drawn_person():
    """Function (arm_across=False, bare_arms=True) → (frame, PerceptionResult)."""
    return _drawn_person


def _raised_from_below(person: Person, elbow_visibility: float, wrist_visibility: float) -> Person:
    """`person` (of the 640×480 drawn frame) as the pose sometimes has an arm hanging out of the
    frame: the left forearm rising from an elbow below the frame up across the chest."""
    points, visibility = person.landmarks.copy(), person.visibility.copy()
    fingers = [B.LEFT_INDEX, B.LEFT_PINKY, B.LEFT_THUMB]
    points[B.LEFT_ELBOW], points[B.LEFT_WRIST], points[fingers] = (400, 520), (300, 250), (292, 230)
    visibility[B.LEFT_ELBOW], visibility[[B.LEFT_WRIST, *fingers]] = elbow_visibility, wrist_visibility
    width, height = FRAME_SIZE
    in_frame = (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
    return replace(person, landmarks=points, visibility=visibility, in_frame=in_frame)


@pytest.fixture
def raised_from_below():
    """Function (person, elbow_visibility, wrist_visibility) → Person (see _raised_from_below)."""
    return _raised_from_below


@pytest.fixture
def drawn_garment():
    """Function (SleeveKind, left_colour, right_colour, body_colour) → Garment."""
    return _drawn_garment


@pytest.fixture(scope="session")
def graph_device() -> str:
    """The provider the compositor graph's tests run it on: the CPU (everywhere, CI included), or
    `LIVEFIT_TEST_DEVICE=cuda` on a GPU machine, where the same tests then check CUDA's picture."""
    return os.environ.get("LIVEFIT_TEST_DEVICE", "cpu")
