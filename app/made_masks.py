"""Masks of a person's top for photos without a labelled parse map, made by GrabCut.

`livefit evaluate tryon` measures how much of the wearer's old top still shows; for people without
a human-labelled parse map it needs a mask of that top made some other way than by LiveFit's own
parser (measuring the parser's output against itself would hide its errors). GrabCut (OpenCV's
graph cut over colour models) separates the top by its colours, seeded from the pose only:

- the top for sure: the middle of the chest (the upper half of the torso between the shoulder
  and hip joints, shrunk to half its size); probably the top: the rest of that upper half;
- not the top for sure: the picture's border, the face, skin the colour of the face, the arms from
  60 % down the upper arm (below where a short sleeve ends), and everything lower than 0.4 torso
  lengths below the hip joints (the bottoms);
- then the connected region holding the chest.

Checked by eye on the four VITON-HD photos without a parse map (a sleeveless blouse, two tees, a
strappy top). Known bias: the last few pixels of a short sleeve's hem can fall under the arm
exclusion, so a garment's coverage of a sleeve's end counts slightly less than it should.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.pose import BlazePose as B
from models.pose import Person

BORDER_PX = 8
FACE_SAMPLE = 0.12  # × shoulder width: radius round the nose whose median colour is the skin's
FACE_EXCLUDE = 0.25  # × shoulder width: radius round the nose that is never the top
SKIN_DISTANCE = 8.0  # Lab units from the face's median colour that count as skin
ARM_FROM = 0.6  # share of the way from shoulder to elbow where the arm stops being the top
ARM_THICKNESS = 0.12  # × shoulder width
BOTTOMS_BELOW = 0.4  # × torso length below the hip joints: never the top
ITERATIONS = 6


def grabcut_top(image_bgr: np.ndarray, person: Person) -> np.ndarray:
    """(H, W) bool: the pixels of the top `person` wears in an (H, W, 3) uint8 BGR photo (their
    landmarks in the same pixels)."""
    height, width = image_bgr.shape[:2]
    points = person.landmarks
    shoulder_width = person.shoulder_width
    seeds = np.full((height, width), cv2.GC_PR_BGD, np.uint8)
    shoulders = points[[B.LEFT_SHOULDER, B.RIGHT_SHOULDER]]
    hips = points[[B.LEFT_HIP, B.RIGHT_HIP]]
    chest = np.array([shoulders[0], shoulders[1], (shoulders[1] + hips[1]) / 2, (shoulders[0] + hips[0]) / 2])
    centre = chest.mean(0)
    cv2.fillConvexPoly(seeds, np.round(chest).astype(np.int32), cv2.GC_PR_FGD)
    cv2.fillConvexPoly(seeds, np.round(centre + (chest - centre) * 0.5).astype(np.int32), cv2.GC_FGD)

    nose = tuple(np.round(points[B.NOSE]).astype(int))
    lab = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    face = np.zeros((height, width), np.uint8)
    cv2.circle(face, nose, max(1, int(FACE_SAMPLE * shoulder_width)), 1, -1)
    skin = np.linalg.norm(lab - np.median(lab[face > 0], 0), axis=2) < SKIN_DISTANCE
    seeds[skin & (seeds != cv2.GC_FGD)] = cv2.GC_BGD
    cv2.circle(seeds, nose, max(1, int(FACE_EXCLUDE * shoulder_width)), cv2.GC_BGD, -1)
    thickness = max(2, int(ARM_THICKNESS * shoulder_width))
    for shoulder, elbow, wrist in ((B.LEFT_SHOULDER, B.LEFT_ELBOW, B.LEFT_WRIST),
                                   (B.RIGHT_SHOULDER, B.RIGHT_ELBOW, B.RIGHT_WRIST)):
        start = points[shoulder] + ARM_FROM * (points[elbow] - points[shoulder])
        for a, b in ((start, points[elbow]), (points[elbow], points[wrist])):
            cv2.line(seeds, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), cv2.GC_BGD, thickness)
    torso_length = float(np.hypot(*(shoulders.mean(0) - hips.mean(0))))
    seeds[max(0, int(hips[:, 1].mean() + BOTTOMS_BELOW * torso_length)):] = cv2.GC_BGD
    seeds[:BORDER_PX], seeds[-BORDER_PX:], seeds[:, :BORDER_PX], seeds[:, -BORDER_PX:] = (cv2.GC_BGD,) * 4

    background_model, foreground_model = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(image_bgr, seeds, None, background_model, foreground_model, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    top = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.uint8)
    _, components = cv2.connectedComponents(top)
    return components == components[int(centre[1]), int(centre[0])]
