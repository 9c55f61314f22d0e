"""The compositor as one ONNX graph: sample the garment texture, feather, occlude, light, blend.

The device twin of `app.pipeline.compose` (sample_layers + composite), written with `onnx.helper`
so the whole per-frame composition can stay on the GPU. It computes the same picture in float32
instead of OpenCV's uint8 fixed point; `tests/pipeline/test_compose_device.py` holds the two
paths together within a stated tolerance.

Inputs (h, w = the box's size, tex_h, tex_w = the texture's; all dynamic). What crosses from the
host each frame is 8-bit wherever the CPU path's own values are: 15 bytes per box pixel in and 3
out, instead of 36 and 12 as float32 (what that and the tap-wise feather bought on an H200:
app/pipeline/compose_device.py):
  frame          (1, h, w, 3) uint8       the frame's box, BGR, as cropped from the frame
  texture        (1, tex_h, tex_w, 4) uint8  the garment image, BGRA (uploaded once per garment)
  texture_size   (2,) float32             (tex_w, tex_h). Given rather than read from the texture's
                                          shape: onnxruntime computes shape-derived values on the CPU,
                                          and the grid's scaling by them ran there too (0.6 ms and a
                                          copy of the grid a frame on an H200)
  grid           (1, h, w, 2) float32     texture pixel (x, y) per box pixel, cv2.remap convention
                                          (integer = pixel centre); (-1, -1) = nothing drawn
  sleeve_region  (1, 1, h, w) uint8       non-zero where a sleeve (not the torso) is drawn
  over_torso     (1, 1, h, w) uint8       0..255 occluder of the torso panel (already feathered)
  over_sleeves   (1, 1, h, w) uint8       0..255 occluder of the sleeves
  shading        (1, 1, h, w) uint8       brightness gain × SHADING_ONE (the CPU path's fixed point)
  opacity        (1,) float32             0..1 fade of the whole garment
Output:
  image          (1, h, w, 3) uint8       the box with the garment blended in, BGR, rounded

Sampling convention: cv2.remap puts texture pixel i's centre at coordinate i, with out-of-image
taps reading 0 (BORDER_CONSTANT). GridSample with align_corners=1 puts pixel 0's centre at -1 and
pixel W-1's at +1, so u = 2x / (W - 1) - 1 lands on the same point, and padding_mode="zeros"
reads 0 per out-of-image tap exactly like BORDER_CONSTANT — (-1, -1) therefore samples fully
transparent black, as on the CPU.

`python -m models.export.compose_graph` writes models/compose.onnx and its manifest entry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from models.export.build import MODELS_DIR, OPSET
from models.manifest import MANIFEST_NAME, MANIFEST_VERSION

log = logging.getLogger(__name__)

NAME = "compose"
FILE_NAME = f"{NAME}.onnx"
IR_VERSION = 8  # the IR version that goes with opset 17; newer onnx packages default higher
# Must equal app.pipeline.compose.EDGE_FEATHER and SHADING_ONE (not imported: the export side
# stays app-free).
EDGE_FEATHER = 3
SHADING_ONE = 128.0
MAX_LEVEL = 255.0

_H, _W, _TEX_H, _TEX_W = "h", "w", "tex_h", "tex_w"
_U8, _F32 = TensorProto.UINT8, TensorProto.FLOAT
INPUTS: tuple[tuple[str, int, list[int | str]], ...] = (
    ("frame", _U8, [1, _H, _W, 3]),
    ("texture", _U8, [1, _TEX_H, _TEX_W, 4]),
    ("texture_size", _F32, [2]),
    ("grid", _F32, [1, _H, _W, 2]),
    ("sleeve_region", _U8, [1, 1, _H, _W]),
    ("over_torso", _U8, [1, 1, _H, _W]),
    ("over_sleeves", _U8, [1, 1, _H, _W]),
    ("shading", _U8, [1, 1, _H, _W]),
    ("opacity", _F32, [1]),
)
OUTPUTS: tuple[tuple[str, int, list[int | str]], ...] = (("image", _U8, [1, _H, _W, 3]),)
_NHWC_TO_NCHW, _NCHW_TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


FEATHER_TAPS = 2 * EDGE_FEATHER + 1


def _feather_kernel() -> np.ndarray:
    """(FEATHER_TAPS,) float32: cv2.GaussianBlur(alpha, (7, 7), 0)'s kernel, applied separably (for
    ksize ≤ 7 and sigma ≤ 0 it is OpenCV's fixed binomial-like table, not the sigma formula)."""
    return cv2.getGaussianKernel(FEATHER_TAPS, 0).astype(np.float32).ravel()


def _constants() -> list[onnx.TensorProto]:
    values = {
        "one": np.array(1.0, np.float32),
        "two": np.array(2.0, np.float32),
        "half": np.array(0.5, np.float32),
        "zero": np.array(0.0, np.float32),
        "max_level": np.array(MAX_LEVEL, np.float32),
        "inv_max_level": np.array(1.0 / MAX_LEVEL, np.float32),
        "inv_shading_one": np.array(1.0 / SHADING_ONE, np.float32),
        "split_colour_alpha": np.array([3, 1], np.int64),
        # Pad order: begins of N, C, H, W then ends of N, C, H, W.
        "feather_pads": np.array([0, 0, EDGE_FEATHER, EDGE_FEATHER, 0, 0, EDGE_FEATHER, EDGE_FEATHER], np.int64),
        "axis_rows": np.array([2], np.int64),
        "axis_columns": np.array([3], np.int64),
    }
    last = FEATHER_TAPS - 1
    for tap, weight in enumerate(_feather_kernel()):
        # Tap k reads the padded plane from k to k − last along the axis (the last tap to its end).
        values[f"tap{tap}_start"] = np.array([tap], np.int64)
        values[f"tap{tap}_end"] = np.array([tap - last if tap < last else np.iinfo(np.int64).max], np.int64)
        values[f"tap{tap}_weight"] = np.array(weight, np.float32)
    return [numpy_helper.from_array(value, name) for name, value in values.items()]


def _blur_along(source: str, target: str, axis: str) -> list[onnx.NodeProto]:
    """`target` = Σ weight_k · (`source` shifted by k along `axis`): one direction of the separable
    feather as Slices, Muls and a Sum. cuDNN's convolution of this one-channel plane took 1.5–1.8 ms
    per direction on an H200 (and a new algorithm search for every new box size); these small
    elementwise kernels take ~0.03 ms each."""
    node = helper.make_node
    nodes, terms = [], []
    for tap in range(FEATHER_TAPS):
        shifted, weighted = f"{target}_tap{tap}", f"{target}_tap{tap}_weighted"
        nodes.append(node("Slice", [source, f"tap{tap}_start", f"tap{tap}_end", axis], [shifted]))
        nodes.append(node("Mul", [shifted, f"tap{tap}_weight"], [weighted]))
        terms.append(weighted)
    return nodes + [node("Sum", terms, [target])]


def _nodes() -> list[onnx.NodeProto]:
    node = helper.make_node
    return [
        # 8-bit NHWC from the host → float32 NCHW for GridSample and the blend.
        node("Cast", ["frame"], ["frame_hwc"], to=TensorProto.FLOAT),
        node("Transpose", ["frame_hwc"], ["frame_level"], perm=_NHWC_TO_NCHW),
        node("Cast", ["texture"], ["texture_hwc"], to=TensorProto.FLOAT),
        node("Transpose", ["texture_hwc"], ["texture_level"], perm=_NHWC_TO_NCHW),
        node("Cast", ["sleeve_region"], ["sleeve_level"], to=TensorProto.FLOAT),
        node("Cast", ["over_torso"], ["over_torso_level"], to=TensorProto.FLOAT),
        node("Mul", ["over_torso_level", "inv_max_level"], ["over_torso_weight"]),
        node("Cast", ["over_sleeves"], ["over_sleeves_level"], to=TensorProto.FLOAT),
        node("Mul", ["over_sleeves_level", "inv_max_level"], ["over_sleeves_weight"]),
        node("Cast", ["shading"], ["shading_fixed"], to=TensorProto.FLOAT),
        node("Mul", ["shading_fixed", "inv_shading_one"], ["gain"]),
        # Pixel coordinates → GridSample's [-1, 1] (align_corners=1): u = x · 2 / (size − 1) − 1.
        node("Sub", ["texture_size", "one"], ["tex_last"]),
        node("Div", ["two", "tex_last"], ["grid_scale"]),
        node("Mul", ["grid", "grid_scale"], ["grid_scaled"]),
        node("Sub", ["grid_scaled", "one"], ["grid_normalised"]),
        node("GridSample", ["texture_level", "grid_normalised"], ["sampled"],
             mode="bilinear", padding_mode="zeros", align_corners=1),
        node("Split", ["sampled", "split_colour_alpha"], ["colour", "alpha_level"], axis=1),
        # Feather the alpha edge: the CPU path's GaussianBlur with BORDER_REFLECT_101 (= Pad reflect).
        node("Mul", ["alpha_level", "inv_max_level"], ["alpha"]),
        node("Pad", ["alpha", "feather_pads"], ["alpha_padded"], mode="reflect"),
        *_blur_along("alpha_padded", "alpha_blur_v", "axis_rows"),
        *_blur_along("alpha_blur_v", "alpha_feathered", "axis_columns"),
        # Sleeves answer to their own occluder (face, hair, hands); the torso also to the arms.
        node("Greater", ["sleeve_level", "half"], ["is_sleeve"]),
        node("Where", ["is_sleeve", "over_sleeves_weight", "over_torso_weight"], ["occluder"]),
        node("Sub", ["one", "occluder"], ["visible"]),
        node("Mul", ["alpha_feathered", "visible"], ["alpha_visible"]),
        node("Mul", ["alpha_visible", "opacity"], ["weight"]),
        # Lighting saturates at white like the CPU path's uint8 multiply.
        node("Mul", ["colour", "gain"], ["colour_lit"]),
        node("Min", ["colour_lit", "max_level"], ["colour_clamped"]),
        # frame · (1 − weight) + colour · weight, written as one lerp.
        node("Sub", ["colour_clamped", "frame_level"], ["difference"]),
        node("Mul", ["difference", "weight"], ["step"]),
        node("Add", ["frame_level", "step"], ["blended"]),
        node("Clip", ["blended", "zero", "max_level"], ["clipped"]),
        # Rounded once, here, back to 8-bit NHWC: what the host pastes into the frame as it comes.
        node("Round", ["clipped"], ["rounded"]),
        node("Cast", ["rounded"], ["image_nchw"], to=TensorProto.UINT8),
        node("Transpose", ["image_nchw"], ["image"], perm=_NCHW_TO_NHWC),
    ]


def build_graph() -> onnx.ModelProto:
    """The compositor graph, checked by onnx.checker (deterministic: same bytes every call)."""
    graph = helper.make_graph(
        _nodes(),
        "livefit_compose",
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in INPUTS],
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in OUTPUTS],
        initializer=_constants(),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="LiveFit", ir_version=IR_VERSION)
    model.doc_string = "LiveFit compositor: GridSample garment, feather, occlude, shade, blend (see compose_graph.py)"
    onnx.checker.check_model(model, full_check=True)
    return model


def _describe(values) -> list[dict]:
    # Same convention as build.export_model: dynamic dims (dim_param) are written as 0.
    return [
        {"name": v.name, "shape": [d.dim_value for d in v.type.tensor_type.shape.dim],
         "dtype": helper.tensor_dtype_to_np_dtype(v.type.tensor_type.elem_type).name}
        for v in values
    ]


def export_compose() -> dict:
    """Write models/compose.onnx; its manifest entry (same schema as build.export_model's)."""
    model = build_graph()
    data = model.SerializeToString()
    path = MODELS_DIR / FILE_NAME
    path.write_bytes(data)
    log.info("%s: %d ops → %s (%.1f kB)", NAME, len(model.graph.node), path.name, len(data) / 1e3)
    return {
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "opset": OPSET,
        "inputs": _describe(model.graph.input),
        "outputs": _describe(model.graph.output),
        "input_layout": "NHWC",
        "input_colour": "BGR",
        "input_range": [0.0, MAX_LEVEL],
        "source": {"package": "LiveFit", "member": "models/export/compose_graph.py", "licence": "project"},
    }


def add_to_manifest() -> None:
    """Export the graph and put its entry into models/manifest.json, keeping the other entries."""
    manifest_path = MODELS_DIR / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"models": {}}
    manifest["version"] = MANIFEST_VERSION
    manifest.setdefault("models", {})[NAME] = export_compose()
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log.info("wrote %s", manifest_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.export.compose_graph",
                                     description="write models/compose.onnx and its manifest entry")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    add_to_manifest()
    return 0


if __name__ == "__main__":
    sys.exit(main())
