"""One exported model, ready to run: verified file, session, cached names, input scaling."""

from __future__ import annotations

import threading

import numpy as np
import onnxruntime as ort

from app.errors import InputShapeError
from models.manifest import ModelSpec, load_model_spec
from models.session import Device, SessionInfo, create_session, cuda_device_id, device_run


class _BoundBuffers:
    """Runs a fixed-shape session through I/O binding on one input and output buffers allocated
    once on the session's device. A CUDA graph replays its kernels on the very device addresses it
    was captured with, so every run must read and write these same buffers; each run copies the
    input in and the outputs out (host arrays of their own, never views of the buffers)."""

    def __init__(self, session: ort.InferenceSession, spec: ModelSpec, info: SessionInfo, device_id: int):
        self._session = session
        self._info = info
        device_type = info.device
        with device_run(info):  # allocations too: a cudaMalloc would break another thread's capture
            self._input = ort.OrtValue.ortvalue_from_shape_and_type(spec.inputs[0].shape, np.float32, device_type,
                                                                     device_id)
            self._outputs = [ort.OrtValue.ortvalue_from_shape_and_type(o.shape, np.float32, device_type, device_id)
                             for o in spec.outputs]
        self._binding = session.io_binding()
        self._binding.bind_ortvalue_input(spec.inputs[0].name, self._input)
        for tensor, value in zip(spec.outputs, self._outputs):
            self._binding.bind_ortvalue_output(tensor.name, value)
        self._copy_out = device_type == "cpu"  # a CPU OrtValue's numpy() shares its buffer
        self._lock = threading.Lock()  # one set of buffers: one run at a time

    def run(self, tensor: np.ndarray) -> list[np.ndarray]:
        with self._lock, device_run(self._info):
            self._input.update_inplace(tensor)
            self._session.run_with_iobinding(self._binding)
            return [value.numpy().copy() if self._copy_out else value.numpy() for value in self._outputs]


class OnnxModel:
    """Runs one manifest model on (H, W, 3) uint8 RGB images of exactly its input size.

    On CUDA the session replays a CUDA graph through fixed device buffers (`_BoundBuffers`);
    `io_binding=True` runs those buffers on the CPU too, which is how that path is tested
    without a GPU."""

    def __init__(self, name: str, device: Device = "auto", threads: int | None = None, io_binding: bool = False):
        self.spec: ModelSpec = load_model_spec(name)
        # A CUDA graph needs buffers of one size: only for models whose every shape is fixed.
        fixed = all(size > 0 for tensor in (*self.spec.inputs, *self.spec.outputs) for size in tensor.shape)
        self.session, self.info = create_session(self.spec, device, threads, cuda_graph=fixed)
        self._input_name = self.session.get_inputs()[0].name
        self._output_names = [o.name for o in self.session.get_outputs()]
        low, high = self.spec.input_range
        # uint8 → float: x · scale + offset maps 0..255 onto [low, high].
        self._scale = np.float32((high - low) / 255.0)
        self._offset = np.float32(low)
        _, self.height, self.width, _ = self.spec.inputs[0].shape
        self._bound = None
        if self.info.cuda_graph or (io_binding and fixed):
            self._bound = _BoundBuffers(self.session, self.spec, self.info, cuda_device_id(self.session))

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
        if self._bound is not None:
            return self._bound.run(tensor)
        with device_run(self.info):
            return self.session.run(self._output_names, {self._input_name: tensor})
