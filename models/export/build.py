"""Export each mediapipe TFLite model to ONNX and write the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import onnx
import onnxslim
import torch

from models.export.cpu_fusion import (fuse_residual_activations, pad_narrow_channels, prelu_as_relu_convs,
                                      split_single_channel_convs)
from models.export.tflite_reader import read_graph
from models.export.torch_graph import TFLiteModule
from models.export.wheel import MEDIAPIPE_VERSION, read_member
from models.manifest import MANIFEST_NAME, MANIFEST_VERSION

log = logging.getLogger(__name__)

OPSET = 17
MODELS_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ExportSpec:
    member: str  # path inside the wheel
    outputs: tuple[str, ...]  # our names for the TFLite outputs, in TFLite order
    input_range: tuple[float, float]  # pixel values 0..255 map linearly onto this range (RGB order)


EXPORTS: dict[str, ExportSpec] = {
    "pose_detector": ExportSpec(
        "mediapipe/modules/pose_detection/pose_detection.tflite", ("boxes", "scores"), (-1.0, 1.0)
    ),
    "pose_landmarks": ExportSpec(
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        ("landmarks", "pose_flag", "segmentation", "heatmap", "world_landmarks"),
        (0.0, 1.0),
    ),
    "selfie_segmentation": ExportSpec(
        "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite", ("mask",), (0.0, 1.0)
    ),
    "face_landmarks": ExportSpec(
        "mediapipe/modules/face_landmark/face_landmark.tflite", ("landmarks", "face_flag"), (0.0, 1.0)
    ),
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_model(wheel: Path, name: str, spec: ExportSpec) -> dict:
    tflite_bytes = read_member(wheel, spec.member)
    graph = read_graph(tflite_bytes)
    module = TFLiteModule(graph).eval()
    input_shape = graph.tensors[graph.inputs[0]].shape
    buffer = io.BytesIO()
    # Shapes are static, so the tracer's "converting a tensor to a Python int" warnings are
    # expected; the legacy (TorchScript) exporter is used because it needs no onnxscript.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(input_shape),),
            buffer,
            input_names=["image"],
            output_names=list(spec.outputs),
            opset_version=OPSET,
            dynamo=False,
        )
    slim = onnxslim.slim(onnx.load_from_string(buffer.getvalue()))
    data = slim.SerializeToString()
    path = MODELS_DIR / f"{name}.onnx"
    path.write_bytes(data)
    log.info("%s: %d ops → %s (%.1f MB)", name, len(graph.ops), path.name, len(data) / 1e6)
    cpu_variant = write_cpu_variant(name, slim)

    def describe(values) -> list[dict]:
        return [
            {"name": v.name, "shape": [d.dim_value for d in v.type.tensor_type.shape.dim], "dtype": "float32"}
            for v in values
        ]

    entry = {
        "file": path.name,
        "sha256": _sha256(data),
        "opset": OPSET,
        "inputs": describe(slim.graph.input),
        "outputs": describe(slim.graph.output),
        "input_layout": "NHWC",
        "input_colour": "RGB",
        "input_range": list(spec.input_range),
        "source": {
            "wheel": wheel.name,
            "package": f"mediapipe=={MEDIAPIPE_VERSION}",
            "member": spec.member,
            "sha256": _sha256(tflite_bytes),
            "licence": "Apache-2.0",
        },
    }
    if cpu_variant is not None:
        entry["cpu_variant"] = cpu_variant
    return entry


def write_cpu_variant(name: str, model: onnx.ModelProto) -> dict | None:
    """Write `<name>.cpu.onnx` (see cpu_fusion) if a rewrite that pays applies; its manifest part.
    Widening alone does not: selfie segmentation's two widened convolutions ran no faster."""
    fused, count = fuse_residual_activations(model)
    fused, widened = pad_narrow_channels(fused)
    fused, split = split_single_channel_convs(fused)
    fused, prelus = prelu_as_relu_convs(fused)
    path = MODELS_DIR / f"{name}.cpu.onnx"
    if count + split + prelus == 0:
        path.unlink(missing_ok=True)
        return None
    onnx.checker.check_model(fused)
    data = fused.SerializeToString()
    path.write_bytes(data)
    log.info("%s: %d residual blocks fused, %d convolutions widened, %d split, %d PRelus rewritten → %s",
             name, count, widened, split, prelus, path.name)
    return {"file": path.name, "sha256": _sha256(data), "fused_blocks": count, "widened_convs": widened,
            "split_convs": split, "rewritten_prelus": prelus}


def rebuild_cpu_variants() -> None:
    """Refresh every model's CPU twin from the exported files (no re-export)."""
    manifest_path = MODELS_DIR / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    for name in EXPORTS:
        entry = manifest["models"][name]
        variant = write_cpu_variant(name, onnx.load(str(MODELS_DIR / entry["file"])))
        entry.pop("cpu_variant", None)
        if variant is not None:
            entry["cpu_variant"] = variant
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log.info("wrote %s", manifest_path)


def export_all(wheel: Path, only: list[str] | None = None) -> None:
    manifest_path = MODELS_DIR / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"models": {}}
    manifest["version"] = MANIFEST_VERSION
    for name, spec in EXPORTS.items():
        if only and name not in only:
            continue
        manifest["models"][name] = export_model(wheel, name, spec)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log.info("wrote %s", manifest_path)
