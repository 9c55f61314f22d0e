"""One exported model, ready to run: verified file, session, cached names, input scaling."""

from __future__ import annotations

import numpy as np

from app.errors import InputShapeError
from models.manifest import ModelSpec, load_model_spec
from models.session import Device, SessionInfo, create_session


class OnnxModel:
    """Runs one manifest model on (H, W, 3) uint8 RGB images of exactly its input size."""

    def __init__(self, name: str, device: Device = "auto", threads: int | None = None):
        self.spec: ModelSpec = load_model_spec(name)
        self.session, self.info = create_session(self.spec, device, threads)
        self._input_name = self.session.get_inputs()[0].name
        self._output_names = [o.name for o in self.session.get_outputs()]
        low, high = self.spec.input_range
        # uint8 → float: x · scale + offset maps 0..255 onto [low, high].
        self._scale = np.float32((high - low) / 255.0)
        self._offset = np.float32(low)
        _, self.height, self.width, _ = self.spec.inputs[0].shape

    @property
    def session_info(self) -> SessionInfo:
        return self.info

    def run(self, image_rgb: np.ndarray) -> list[np.ndarray]:
        """Model outputs (NHWC, float32) for one (height, width, 3) uint8 RGB image."""
        if image_rgb.shape != (self.height, self.width, 3) or image_rgb.dtype != np.uint8:
            raise InputShapeError(
                f"{self.spec.name} expects a ({self.height}, {self.width}, 3) uint8 image, "
                f"got {image_rgb.shape} {image_rgb.dtype}"
            )
        tensor = image_rgb[None].astype(np.float32) * self._scale + self._offset
        return self.session.run(self._output_names, {self._input_name: tensor})
