"""The compositor as one ONNX graph: sample the garment texture, feather, occlude, light, blend.

The device twin of `app.pipeline.compose` (sample_layers + composite), written with `onnx.helper`
so the whole per-frame composition can stay on the GPU. It computes the same picture in float32
instead of OpenCV's uint8 fixed point; `tests/pipeline/test_compose_device.py` holds the two
paths together within a stated tolerance.

Inputs (float32; h, w = the box's size, tex_h, tex_w = the texture's; all dynamic):
  frame          (1, 3, h, w)          the frame's box, BGR 0..255
  texture        (1, 4, tex_h, tex_w)  the garment image, BGRA 0..255
  grid           (1, h, w, 2)          texture pixel (x, y) per box pixel, cv2.remap convention
                                       (integer = pixel centre); (-1, -1) = nothing drawn
  sleeve_region  (1, 1, h, w)          1 where a sleeve (not the torso) is drawn, else 0
  over_torso     (1, 1, h, w)          0..1 occluder of the torso panel (already feathered)
  over_sleeves   (1, 1, h, w)          0..1 occluder of the sleeves
  shading        (1, 1, h, w)          brightness gain ≈ 1
  opacity        (1,)                  0..1 fade of the whole garment
Output:
  image          (1, 3, h, w)          the box with the garment blended in, BGR 0..255

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
# Must equal app.pipeline.compose.EDGE_FEATHER (not imported: the export side stays app-free).
EDGE_FEATHER = 3
MAX_LEVEL = 255.0

_H, _W, _TEX_H, _TEX_W = "h", "w", "tex_h", "tex_w"
INPUTS: tuple[tuple[str, list[int | str]], ...] = (
    ("frame", [1, 3, _H, _W]),
    ("texture", [1, 4, _TEX_H, _TEX_W]),
    ("grid", [1, _H, _W, 2]),
    ("sleeve_region", [1, 1, _H, _W]),
    ("over_torso", [1, 1, _H, _W]),
    ("over_sleeves", [1, 1, _H, _W]),
    ("shading", [1, 1, _H, _W]),
    ("opacity", [1]),
)
OUTPUTS: tuple[tuple[str, list[int | str]], ...] = (("image", [1, 3, _H, _W]),)


def _constants() -> list[onnx.TensorProto]:
    size = 2 * EDGE_FEATHER + 1
    # cv2.GaussianBlur(alpha, (7, 7), 0) uses exactly this kernel (for ksize ≤ 7 and sigma ≤ 0 it is
    # OpenCV's fixed binomial-like table, not the sigma formula), applied separably.
    kernel = cv2.getGaussianKernel(size, 0).astype(np.float32).ravel()
    values = {
        "tex_size_index": np.array([3, 2], np.int64),  # (W, H) of NCHW, to match grid's (x, y)
        "one": np.array(1.0, np.float32),
        "two": np.array(2.0, np.float32),
        "half": np.array(0.5, np.float32),
        "zero": np.array(0.0, np.float32),
        "max_level": np.array(MAX_LEVEL, np.float32),
        "inv_max_level": np.array(1.0 / MAX_LEVEL, np.float32),
        "split_colour_alpha": np.array([3, 1], np.int64),
        # Pad order: begins of N, C, H, W then ends of N, C, H, W.
        "feather_pads": np.array([0, 0, EDGE_FEATHER, EDGE_FEATHER, 0, 0, EDGE_FEATHER, EDGE_FEATHER], np.int64),
        "kernel_vertical": kernel.reshape(1, 1, size, 1),
        "kernel_horizontal": kernel.reshape(1, 1, 1, size),
    }
    return [numpy_helper.from_array(value, name) for name, value in values.items()]


def _nodes() -> list[onnx.NodeProto]:
    node = helper.make_node
    return [
        # Pixel coordinates → GridSample's [-1, 1] (align_corners=1): u = x · 2 / (size − 1) − 1.
        node("Shape", ["texture"], ["tex_shape"]),
        node("Gather", ["tex_shape", "tex_size_index"], ["tex_wh_int"]),
        node("Cast", ["tex_wh_int"], ["tex_wh"], to=TensorProto.FLOAT),
        node("Sub", ["tex_wh", "one"], ["tex_last"]),
        node("Div", ["two", "tex_last"], ["grid_scale"]),
        node("Mul", ["grid", "grid_scale"], ["grid_scaled"]),
        node("Sub", ["grid_scaled", "one"], ["grid_normalised"]),
        node("GridSample", ["texture", "grid_normalised"], ["sampled"],
             mode="bilinear", padding_mode="zeros", align_corners=1),
        node("Split", ["sampled", "split_colour_alpha"], ["colour", "alpha_level"], axis=1),
        # Feather the alpha edge: the CPU path's GaussianBlur with BORDER_REFLECT_101 (= Pad reflect).
        node("Mul", ["alpha_level", "inv_max_level"], ["alpha"]),
        node("Pad", ["alpha", "feather_pads"], ["alpha_padded"], mode="reflect"),
        node("Conv", ["alpha_padded", "kernel_vertical"], ["alpha_blur_v"]),
        node("Conv", ["alpha_blur_v", "kernel_horizontal"], ["alpha_feathered"]),
        # Sleeves answer to their own occluder (face, hair, hands); the torso also to the arms.
        node("Greater", ["sleeve_region", "half"], ["is_sleeve"]),
        node("Where", ["is_sleeve", "over_sleeves", "over_torso"], ["occluder"]),
        node("Sub", ["one", "occluder"], ["visible"]),
        node("Mul", ["alpha_feathered", "visible"], ["alpha_visible"]),
        node("Mul", ["alpha_visible", "opacity"], ["weight"]),
        # Lighting saturates at white like the CPU path's uint8 multiply.
        node("Mul", ["colour", "shading"], ["colour_lit"]),
        node("Min", ["colour_lit", "max_level"], ["colour_clamped"]),
        # frame · (1 − weight) + colour · weight, written as one lerp.
        node("Sub", ["colour_clamped", "frame"], ["difference"]),
        node("Mul", ["difference", "weight"], ["step"]),
        node("Add", ["frame", "step"], ["blended"]),
        node("Clip", ["blended", "zero", "max_level"], ["image"]),
    ]


def build_graph() -> onnx.ModelProto:
    """The compositor graph, checked by onnx.checker (deterministic: same bytes every call)."""
    float_value = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)  # noqa: E731
    graph = helper.make_graph(
        _nodes(),
        "livefit_compose",
        [float_value(name, shape) for name, shape in INPUTS],
        [float_value(name, shape) for name, shape in OUTPUTS],
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
        {"name": v.name, "shape": [d.dim_value for d in v.type.tensor_type.shape.dim], "dtype": "float32"}
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
        "input_layout": "NCHW",
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
