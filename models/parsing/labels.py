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


def lip_palette() -> np.ndarray:
    """(20, 3) uint8 RGB colours: the LIP/CIHP visualisation palette (bit-interleaved VOC scheme)."""
    palette = np.zeros((NUM_LABELS, 3), np.uint8)
    for label in range(NUM_LABELS):
        value, colour = label, [0, 0, 0]
        for bit in range(8):
            for channel in range(3):
                colour[channel] |= ((value >> channel) & 1) << (7 - bit)
            value >>= 3
        palette[label] = colour
    return palette
