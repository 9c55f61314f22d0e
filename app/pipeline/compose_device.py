"""Device compositor: the CPU compositor's sampling and blending as one ONNX graph (models/compose.onnx).

Same picture as `compose.sample_layers` + `compose.composite` (tests/pipeline/test_compose_device.py
holds them within a tolerance), but one graph call, so on a GPU the texture sampling, feathering,
occlusion, lighting and blend all stay on the device. The graph is built by
models/export/compose_graph.py and loaded like every other model (manifest check, CUDA → CPU
session factory, provider reported in `info`).

Copies per frame on CUDA (I/O binding), 8-bit wherever the CPU path's values are:
  host → device: the frame's box (1, h, w, 3) uint8 as cropped, the merged map (1, h, w, 2) float32,
                 sleeve region, both occluders and the shading gain (1, 1, h, w) uint8 each,
                 opacity (1,) — 15·h·w bytes in all (≈ 4.4 MB for a 520×560 box);
  device → host: the composited box (1, h, w, 3) uint8 only (3·h·w bytes), never the full frame;
  once per garment: the texture (1, H, W, 4) uint8, kept on the device as an OrtValue.
On the CPU provider the same arrays are simply handed to `session.run` (no copies to avoid).

Measured on an H200 (host memory to the GPU at 9.7 GB/s pageable). The first version of this
graph (float32 in and out, the feather as two cuDNN convolutions, the grid's scale read from the
texture's shape) made `bench`'s compose stage 18.6–22.5 ms on the GPU, against 7.2 ms for OpenCV on
that machine's CPU. The compositor alone, on boxes of ~530×570 px changing size every frame: with
8-bit I/O 8.2 ms (37 ms when cuDNN searched algorithms exhaustively for each new box size); with
the feather as shifted taps (no cuDNN) 3.1 ms, and the compose stage 6.3 ms. The last change, the
texture size given as an input so that the grid's scaling (0.6 ms in the profile) no longer runs
on the CPU, was not measured on a GPU.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import onnxruntime as ort

from app.errors import InputShapeError, ModelError
from app.pipeline.compose import SHADING_ONE, shading_gain
from app.pipeline.compose import composite as cpu_composite
from app.pipeline.occlusion import Occlusion
from models.manifest import load_model_spec
from models.session import Device, SessionInfo, create_session, cuda_device_id, device_run

log = logging.getLogger(__name__)

MODEL_NAME = "compose"
INPUT_NAMES = ("frame", "texture", "texture_size", "grid", "sleeve_region", "over_torso", "over_sleeves", "shading",
               "opacity")
OUTPUT_NAME = "image"
# The graph feathers alpha with a reflect Pad of 3 px, which needs each box side > 3 px; smaller
# boxes (a garment a few pixels across) go through the CPU compositor instead.
MIN_BOX_SIDE = 4

Box = tuple[int, int, int, int]


def _plane(mask: np.ndarray) -> np.ndarray:
    """(h, w) uint8 → (1, 1, h, w) uint8, contiguous (a view when it already is)."""
    return np.ascontiguousarray(mask)[None, None]


def _check(name: str, array: np.ndarray, shape: tuple[int, ...], dtype: type) -> None:
    if array.shape != shape or array.dtype != dtype:
        raise InputShapeError(f"{name}: expected {shape} {np.dtype(dtype)}, got {array.shape} {array.dtype}")


class DeviceCompositor:
    """Runs models/compose.onnx on the best provider `device` allows.

    `io_binding`: None = use I/O binding (texture kept on the device) exactly when the session runs
    on CUDA; True forces it on the CPU too, which is how the binding code is tested without a GPU.
    """

    def __init__(self, device: Device = "auto", io_binding: bool | None = None):
        self.spec = load_model_spec(MODEL_NAME)
        self.session, self.info = create_session(self.spec, device)
        names = tuple(value.name for value in self.session.get_inputs())
        if sorted(names) != sorted(INPUT_NAMES):
            raise ModelError(f"{self.spec.path}: inputs {names} are not the compositor's {INPUT_NAMES}; "
                             "rebuild it with `python -m models.export.compose_graph`")
        on_cuda = self.info.device == "cuda"
        self._io_binding = on_cuda if io_binding is None else io_binding
        self._device_type = "cuda" if on_cuda else "cpu"
        self._device_id = cuda_device_id(self.session)
        # The texture the cache was built from (kept, so its id cannot be reused by another array)
        # and its (1, H, W, 4) uint8 tensor: an OrtValue on the device, or a numpy array for `run`.
        self._texture_source: np.ndarray | None = None
        self._texture_tensor: np.ndarray | None = None
        self._texture_value: ort.OrtValue | None = None
        self._texture_size = np.zeros(2, np.float32)  # (W, H) of the cached texture
        log.info("compositor graph runs on %s%s", self.info.provider, " with I/O binding" if self._io_binding else "")

    @property
    def session_info(self) -> SessionInfo:
        return self.info

    def close(self) -> None:
        """Drop the cached texture (device memory on CUDA)."""
        self._texture_source = self._texture_tensor = self._texture_value = None

    def __enter__(self) -> DeviceCompositor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def composite(self, frame_bgr: np.ndarray, texture_bgra: np.ndarray, box: Box, merged_map: np.ndarray,
                  sleeve_region: np.ndarray, occlusion: Occlusion, shading: np.ndarray | None,
                  opacity: float = 1.0) -> np.ndarray:
        """A copy of the frame (H, W, 3) uint8 BGR with the garment blended into `box`.

        texture_bgra (Ht, Wt, 4) uint8 BGRA, treated as immutable: it is uploaded once and cached
        by identity (a garment's `rgba`), so editing it in place is not seen.
        box (x0, y0, x1, y1) frame pixels; merged_map (h, w, 2) float32 from `merge_maps`;
        sleeve_region (h, w) uint8, non-zero where sleeves are drawn; occlusion masks (h, w)
        uint8 0..255; shading (h, w) float32 gain ≈ 1 or None; opacity 0..1.
        """
        x0, y0, x1, y1 = box
        h, w = y1 - y0, x1 - x0
        self._validate(frame_bgr, texture_bgra, box, merged_map, sleeve_region, occlusion, shading, opacity)
        if h < MIN_BOX_SIDE or w < MIN_BOX_SIDE:
            return self._composite_on_cpu(frame_bgr, texture_bgra, box, merged_map, sleeve_region, occlusion,
                                          shading, opacity)
        gain = np.full((h, w), SHADING_ONE, np.uint8) if shading is None else shading_gain(shading)
        self._cache_texture(texture_bgra)
        feeds = {
            "frame": np.ascontiguousarray(frame_bgr[y0:y1, x0:x1])[None],
            "texture_size": self._texture_size,
            "grid": np.ascontiguousarray(merged_map)[None],
            "sleeve_region": _plane(sleeve_region),
            "over_torso": _plane(occlusion.over_torso),
            "over_sleeves": _plane(occlusion.over_sleeves),
            "shading": _plane(gain),
            "opacity": np.array([opacity], np.float32),
        }
        with device_run(self.info):  # see models.session
            image = self._run_bound(feeds) if self._io_binding else self._run_plain(feeds)
        out = frame_bgr.copy()
        out[y0:y1, x0:x1] = image[0]  # (h, w, 3) uint8 BGR, rounded by the graph
        return out

    def _cache_texture(self, texture_bgra: np.ndarray) -> None:
        if texture_bgra is self._texture_source:
            return
        tensor = np.ascontiguousarray(texture_bgra)[None]  # (1, H, W, 4) uint8
        self._texture_source, self._texture_tensor = texture_bgra, tensor
        self._texture_size = np.array([texture_bgra.shape[1], texture_bgra.shape[0]], np.float32)
        # On CUDA this is the one upload of the garment; on the CPU the OrtValue wraps `tensor`.
        with device_run(self.info):  # an allocation on the device
            self._texture_value = (ort.OrtValue.ortvalue_from_numpy(tensor, self._device_type, self._device_id)
                                   if self._io_binding else None)
        log.debug("texture %s cached on %s", texture_bgra.shape, self._device_type if self._io_binding else "host")

    def _run_plain(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run([OUTPUT_NAME], {**feeds, "texture": self._texture_tensor})[0]

    def _run_bound(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        binding = self.session.io_binding()
        binding.bind_ortvalue_input("texture", self._texture_value)
        for name, array in feeds.items():
            binding.bind_cpu_input(name, array)  # copied to the device by the run
        # Left on the device (ORT allocates it there: its shape follows the box), then only this
        # box comes back to the host.
        binding.bind_output(OUTPUT_NAME, self._device_type, self._device_id)
        self.session.run_with_iobinding(binding)
        return binding.copy_outputs_to_cpu()[0]

    @staticmethod
    def _composite_on_cpu(frame_bgr: np.ndarray, texture_bgra: np.ndarray, box: Box, merged_map: np.ndarray,
                          sleeve_region: np.ndarray, occlusion: Occlusion, shading: np.ndarray | None,
                          opacity: float) -> np.ndarray:
        sampled = cv2.remap(texture_bgra, merged_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                            borderValue=(0, 0, 0, 0))
        colour, alpha = cv2.cvtColor(sampled, cv2.COLOR_BGRA2BGR), cv2.extractChannel(sampled, 3)
        return cpu_composite(frame_bgr, colour, alpha, sleeve_region, occlusion, shading, box, opacity)

    @staticmethod
    def _validate(frame_bgr: np.ndarray, texture_bgra: np.ndarray, box: Box, merged_map: np.ndarray,
                  sleeve_region: np.ndarray, occlusion: Occlusion, shading: np.ndarray | None,
                  opacity: float) -> None:
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise InputShapeError(f"frame: expected (H, W, 3) uint8, got {frame_bgr.shape} {frame_bgr.dtype}")
        if (texture_bgra.ndim != 3 or texture_bgra.shape[2] != 4 or texture_bgra.dtype != np.uint8
                or min(texture_bgra.shape[:2]) < 2):  # GridSample's scale divides by size − 1
            raise InputShapeError(f"texture: expected (H ≥ 2, W ≥ 2, 4) uint8, got {texture_bgra.shape} "
                                  f"{texture_bgra.dtype}")
        x0, y0, x1, y1 = box
        height, width = frame_bgr.shape[:2]
        if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
            raise InputShapeError(f"box {box} is empty or outside the {width}×{height} frame")
        size = (y1 - y0, x1 - x0)
        _check("merged_map", merged_map, (*size, 2), np.float32)
        _check("sleeve_region", sleeve_region, size, np.uint8)
        _check("occlusion.over_torso", occlusion.over_torso, size, np.uint8)
        _check("occlusion.over_sleeves", occlusion.over_sleeves, size, np.uint8)
        if shading is not None:
            _check("shading", shading, size, np.float32)
        if not 0.0 <= opacity <= 1.0:
            raise InputShapeError(f"opacity {opacity} is outside 0..1")
