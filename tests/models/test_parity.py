"""The committed ONNX files compute what the TFLite originals compute, on real photos.

Reference: the TFLite files read from the mediapipe wheel, run by LiteRT (`ai-edge-litert`, which
runs all four graphs, custom op included). Skips when the `export` extra or the cached wheel
(`python -m models.export --download-only`) is missing.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

interpreter_module = pytest.importorskip("ai_edge_litert.interpreter", reason="the export extra is not installed")

from models.export.build import EXPORTS  # noqa: E402
from models.export.wheel import find_cached_wheel, read_member  # noqa: E402
from models.runner import OnnxModel  # noqa: E402

LANDMARK_TOLERANCE_PX = 0.01  # at the model's input size
MASK_IOU = 0.999
PHOTOS = ("vitonhd/image/00006_00.jpg", "vitonhd/image/07966_00.jpg", "coco2017_kpts/000000000785.jpg",
          "mpii/060754485.jpg")


def real_photos(astronaut_bgr: np.ndarray, shared: Path | None) -> list[np.ndarray]:
    """RGB photos of people: the bundled demo portrait, plus shared real photos when present."""
    images = [astronaut_bgr]
    if shared is not None:
        images += [cv2.imread(str(shared / "people" / p)) for p in PHOTOS]
    return [cv2.cvtColor(i, cv2.COLOR_BGR2RGB) for i in images]


@pytest.fixture(scope="module")
def wheel() -> Path:
    path = find_cached_wheel()
    if path is None:
        pytest.skip("mediapipe wheel not cached; run `python -m models.export --download-only`")
    return path


def run_both(wheel: Path, name: str, image_rgb: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    ours = OnnxModel(name, "cpu")
    resized = cv2.resize(image_rgb, (ours.width, ours.height), interpolation=cv2.INTER_AREA)
    interpreter = interpreter_module.Interpreter(model_content=read_member(wheel, EXPORTS[name].member))
    interpreter.allocate_tensors()
    low, high = ours.spec.input_range
    tensor = (resized[None].astype(np.float32) * ((high - low) / 255.0) + low).astype(np.float32)
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor)
    interpreter.invoke()
    reference = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
    return ours.run(resized), reference


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="module")
def images(astronaut_bgr: np.ndarray, shared_data_if_present: Path | None) -> list[np.ndarray]:
    return real_photos(astronaut_bgr, shared_data_if_present)


def test_pose_landmarks_match_tflite(wheel: Path, images: list[np.ndarray]) -> None:
    for image in images:
        ours, reference = run_both(wheel, "pose_landmarks", image)
        # landmarks (39 × x, y, z, visibility, presence): x, y in input pixels
        xy_ours, xy_ref = ours[0].reshape(39, 5)[:, :2], reference[0].reshape(39, 5)[:, :2]
        assert np.abs(xy_ours - xy_ref).max() < LANDMARK_TOLERANCE_PX
        assert abs(float(ours[1].item()) - float(reference[1].item())) < 1e-4  # pose flag
        assert iou(ours[2] > 0, reference[2] > 0) >= MASK_IOU  # segmentation
        assert np.abs(ours[3] - reference[3]).max() < 0.01  # heatmap logits


def test_pose_detector_matches_tflite(wheel: Path, images: list[np.ndarray]) -> None:
    for image in images:
        ours, reference = run_both(wheel, "pose_detector", image)
        confident = reference[1][0, :, 0] > 0  # anchors the detector would keep
        assert confident.any()
        assert np.abs(ours[0][0, confident] - reference[0][0, confident]).max() < LANDMARK_TOLERANCE_PX
        assert np.abs(ours[1] - reference[1]).max() < 1e-3


def test_selfie_segmentation_matches_tflite(wheel: Path, images: list[np.ndarray]) -> None:
    for image in images:
        ours, reference = run_both(wheel, "selfie_segmentation", image)
        assert (reference[0] > 0.5).mean() > 0.05  # a person is really there
        assert iou(ours[0] > 0.5, reference[0] > 0.5) >= MASK_IOU


def test_face_landmarks_match_tflite(wheel: Path, astronaut_bgr: np.ndarray) -> None:
    face = cv2.cvtColor(astronaut_bgr[20:230, 120:330], cv2.COLOR_BGR2RGB)
    ours, reference = run_both(wheel, "face_landmarks", np.ascontiguousarray(face))
    points_ours, points_ref = ours[0].reshape(468, 3)[:, :2], reference[0].reshape(468, 3)[:, :2]
    assert np.abs(points_ours - points_ref).max() < LANDMARK_TOLERANCE_PX
    assert float(reference[1].item()) > 0  # the crop really shows a face
