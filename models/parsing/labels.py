"""CIHP label ids (LIP's, with 10 = torso skin) and the palette used for label PNGs."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Label(IntEnum):
    BACKGROUND = 0
    HAT = 1
    HAIR = 2
    GLOVE = 3
    SUNGLASSES = 4
    UPPER_CLOTHES = 5
    DRESS = 6
    COAT = 7
    SOCKS = 8
    PANTS = 9
    TORSO_SKIN = 10
    SCARF = 11
    SKIRT = 12
    FACE = 13
    LEFT_ARM = 14  # the person's left arm, bare skin (hands included)
    RIGHT_ARM = 15
    LEFT_LEG = 16
    RIGHT_LEG = 17
    LEFT_SHOE = 18
    RIGHT_SHOE = 19


NUM_LABELS = 20

# Labels our parser really produces (the rest exist in the id space only), see README.
PRODUCED = (
    Label.BACKGROUND, Label.HAIR, Label.UPPER_CLOTHES, Label.PANTS, Label.TORSO_SKIN, Label.FACE,
    Label.LEFT_ARM, Label.RIGHT_ARM, Label.LEFT_LEG, Label.RIGHT_LEG, Label.LEFT_SHOE, Label.RIGHT_SHOE,
)


# The LIP dataset's visualisation colours (RGB), also used by VITON-HD's image-parse maps.
_LIP_COLOURS = (
    (0, 0, 0), (128, 0, 0), (255, 0, 0), (0, 85, 0), (170, 0, 51), (255, 85, 0), (0, 0, 85), (0, 119, 221),
    (85, 85, 0), (0, 85, 85), (85, 51, 0), (52, 86, 128), (0, 128, 0), (0, 0, 255), (51, 170, 221),
    (0, 255, 255), (85, 255, 170), (170, 255, 85), (255, 255, 0), (255, 170, 0),
)


def lip_palette() -> np.ndarray:
    """(20, 3) uint8 RGB colour of each label id."""
    return np.array(_LIP_COLOURS, np.uint8)
