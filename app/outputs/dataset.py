"""The research layout CP-VTON / VITON training code reads, from webcam captures.

    DIR/image/STEM.jpg                 the person frame (original resolution)
    DIR/image-parse/STEM.png           LIP-palette label map (CIHP ids)
    DIR/pose/STEM_keypoints.json       OpenPose COCO-18
    DIR/cloth/GARMENT.jpg              the garment photo on white
    DIR/cloth-mask/GARMENT.jpg         its mask (white = cloth)
    DIR/test_pairs.txt                 "STEM.jpg GARMENT.jpg" per line

Images are written at the capture's resolution; CP-VTON resizes to 256×192, VITON-HD expects
1024×768 — resize for the model at hand.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.garments.model import Garment
from app.outputs.atomic import write_bytes_atomic
from app.outputs.label_png import write_label_png
from app.outputs.openpose_json import write_openpose_json
from app.outputs.overlay import encode_jpeg
from app.pipeline.perception import PerceptionResult


class DatasetWriter:
    def __init__(self, folder: Path, garment: Garment | None):
        self.folder = Path(folder)
        self.garment = garment
        self.pairs: list[str] = []
        if garment is not None:
            white = np.full(garment.rgba.shape[:2] + (3,), 255, np.uint8)
            cloth = np.where(garment.mask[..., None] > 0, garment.rgba[..., :3], white)
            write_bytes_atomic(self.folder / "cloth" / self.cloth_name, encode_jpeg(cloth))
            write_bytes_atomic(self.folder / "cloth-mask" / self.cloth_name,
                               encode_jpeg(cv2.cvtColor(garment.mask, cv2.COLOR_GRAY2BGR)))

    @property
    def cloth_name(self) -> str:
        return f"{self.garment.id}.jpg" if self.garment else ""

    def add(self, stem: str, frame_bgr: np.ndarray, perception: PerceptionResult) -> None:
        write_bytes_atomic(self.folder / "image" / f"{stem}.jpg", encode_jpeg(frame_bgr))
        if perception.parse is not None:
            write_label_png(self.folder / "image-parse" / f"{stem}.png", perception.parse.labels)
        write_openpose_json(self.folder / "pose" / f"{stem}_keypoints.json", perception.pose, "coco18")
        if self.garment is not None:
            self.pairs.append(f"{stem}.jpg {self.cloth_name}")

    def finish(self) -> None:
        if self.pairs:
            write_bytes_atomic(self.folder / "test_pairs.txt", ("\n".join(self.pairs) + "\n").encode())
