"""The device compositor graph (run on the CPU provider, or on CUDA with LIVEFIT_TEST_DEVICE=cuda) draws the
same picture as the CPU compositor."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import InputShapeError
from app.pipeline import compose
from app.pipeline.compose import merge_maps
from app.pipeline.compose_device import DeviceCompositor
from app.pipeline.occlusion import Occlusion
from app.pipeline.warp import OUTSIDE, Layer

REPO = Path(__file__).resolve().parents[2]
FRAME_SIZE = (360, 300)  # (width, height)
TEXTURE_SIZE = (200, 256)
BOX = (60, 40, 300, 280)  # (x0, y0, x1, y1): 240 × 240
# Tolerance, in grey levels over the box. Both paths take the shading gain in the same 1/128 fixed
# point; from there the graph computes in float32 to the final value and rounds once, the CPU path
# rounds to uint8 after the remap, the feather blur (8-bit fixed-point kernel), the alpha × (1 −
# occluder) multiply, the lighting and the blend. Each rounding is ≤ 0.5 level of its own quantity;
# where the alpha is partial they compound through |colour − frame| (up to 255) × an alpha error of
# ~1/255 each. And OpenCV 4.x's remap snaps float map coordinates to 1/32 px (OpenCV 5 does not),
# worth up to ~3 levels on this texture's hard checker edges. Measured with OpenCV 5.0: mean 0.08,
# p99.5 1, max 2.
# A systematic error costs far more: a half-pixel shift gives p99.5 ≈ 89 (test below), and a wrong
# blur border, kernel or occluder moves whole edges by tens of levels.
MAX_MEAN_DIFF = 1.0
MAX_P995_DIFF = 6.0


@dataclass(frozen=True)
class Scene:
    frame: np.ndarray  # (300, 360, 3) uint8 BGR
    texture: np.ndarray  # (256, 200, 4) uint8 BGRA, alpha 0/255
    layers: list[Layer]  # torso, then one sleeve; together they span BOX
    occlusion: Occlusion  # over BOX
    shading: np.ndarray  # (240, 240) float32 ≈ 1


def _texture(rng: np.random.Generator) -> np.ndarray:
    """A striped, checked, colour-graded garment with a T-shirt-like cloth mask."""
    width, height = TEXTURE_SIZE
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    blue = 128 + 120 * np.sin(xs / 3.0)  # fine stripes: a sampling shift shows at once
    green = np.where((xs // 16 + ys // 16) % 2 == 0, 230.0, 40.0)  # hard checker edges
    red = 255.0 * ys / (height - 1)  # smooth ramp, reaching white-ish where shading saturates
    bgr = np.stack([blue, green, red], -1) + rng.normal(0, 4, (height, width, 3))
    mask = np.zeros((height, width), np.uint8)
    cv2.rectangle(mask, (40, 50), (160, 245), 255, -1)  # body
    cv2.fillConvexPoly(mask, np.array([[40, 50], [0, 120], [25, 140], [40, 110]], np.int32), 255)  # sleeves
    cv2.fillConvexPoly(mask, np.array([[160, 50], [199, 120], [174, 140], [160, 110]], np.int32), 255)
    cv2.ellipse(mask, (100, 50), (28, 18), 0, 0, 360, 0, -1)  # neckline
    return np.dstack([np.clip(bgr, 0, 255).astype(np.uint8), mask])


def _rotation_map(x0: int, y0: int, w: int, h: int, angle: float, scale: float, centre_tex: tuple[float, float]
                  ) -> np.ndarray:
    """(h, w, 2) float32: the box's pixels rotated and scaled about its centre into the texture."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    dx, dy = xs - (w - 1) / 2, ys - (h - 1) / 2
    cos, sin = np.cos(angle) * scale, np.sin(angle) * scale
    return np.stack([cos * dx - sin * dy + centre_tex[0], sin * dx + cos * dy + centre_tex[1]], -1).astype(np.float32)


def _scene(seed: int = 7) -> Scene:
    rng = np.random.default_rng(seed)
    width, height = FRAME_SIZE
    x0, y0, x1, y1 = BOX
    w, h = x1 - x0, y1 - y0
    # A room-like frame: a smooth colour field plus sensor noise.
    coarse = rng.integers(0, 256, (6, 8, 3)).astype(np.float32)
    frame = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC) + rng.normal(0, 6, (height, width, 3))
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    # Torso: the whole box, rotated 0.2 rad and magnified ×1.2 into the texture; the box's corners
    # land outside the texture (transparent) and the mask's own edges cross the box.
    torso = Layer("torso", x0, y0, _rotation_map(x0, y0, w, h, 0.2, 1.2, (103.3, 150.7)))
    # One sleeve: a smaller box at the torso's upper right, pointing at the right sleeve, with
    # (-1, -1) outside a band as the warp writes it.
    sx0, sy0, sw, sh = x0 + 150, y0 + 20, 80, 70
    sleeve_map = _rotation_map(sx0, sy0, sw, sh, -0.4, 0.9, (176.4, 100.2))
    band = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(band, np.array([[5, 10], [75, 5], [78, 60], [10, 66]], np.int32), 1)
    sleeve_map[band == 0] = OUTSIDE
    sleeve = Layer("sleeve_right_0", sx0, sy0, sleeve_map)
    # Occluders: a face-like disc at the top (hides both layers) and an arm bar over the torso.
    head = np.zeros((h, w), np.uint8)
    cv2.circle(head, (120, 10), 45, 255, -1)
    arm = np.zeros((h, w), np.uint8)
    cv2.line(arm, (20, 60), (70, 220), 255, 30)
    feather = (5, 5)
    occlusion = Occlusion(cv2.GaussianBlur(head | arm, feather, 0), cv2.GaussianBlur(head, feather, 0))
    # Gentle left-to-right light with a highlight that saturates bright garment pixels.
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    shading = 0.8 + 0.35 * xs / (w - 1) + 0.2 * np.exp(-((xs - 170) ** 2 + (ys - 180) ** 2) / 800.0)
    return Scene(frame, _texture(rng), [torso, sleeve], occlusion, shading.astype(np.float32))


@pytest.fixture(scope="module")
def scene() -> Scene:
    return _scene()


@pytest.fixture(scope="module")
def compositor(graph_device: str) -> Iterator[DeviceCompositor]:
    with DeviceCompositor(graph_device) as device_compositor:
        yield device_compositor


def _cpu_path(scene: Scene, opacity: float, shading: np.ndarray | None) -> np.ndarray:
    colour, alpha, sleeve_region = compose.sample_layers(scene.texture, scene.layers, BOX)
    return compose.composite(scene.frame, colour, alpha, sleeve_region, scene.occlusion, shading, BOX, opacity)


def _device_path(compositor: DeviceCompositor, scene: Scene, opacity: float, shading: np.ndarray | None,
                 merged: np.ndarray | None = None) -> np.ndarray:
    merged_map, sleeve_region = merge_maps(scene.texture, scene.layers, BOX)
    return compositor.composite(scene.frame, scene.texture, BOX, merged_map if merged is None else merged,
                                sleeve_region, scene.occlusion, shading, opacity)


def _box_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = BOX
    return np.abs(a[y0:y1, x0:x1].astype(np.float32) - b[y0:y1, x0:x1].astype(np.float32))


def test_merge_maps_mirrors_sample_layers(scene: Scene) -> None:
    merged, sleeve_region = merge_maps(scene.texture, scene.layers, BOX)
    colour, alpha, expected_region = compose.sample_layers(scene.texture, scene.layers, BOX)
    sampled = cv2.remap(scene.texture, merged, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                        borderValue=(0, 0, 0, 0))
    np.testing.assert_array_equal(sampled[..., :3], colour)
    np.testing.assert_array_equal(sampled[..., 3], alpha)
    np.testing.assert_array_equal(sleeve_region, expected_region)
    assert merged.dtype == np.float32 and merged.shape == (BOX[3] - BOX[1], BOX[2] - BOX[0], 2)
    assert 0 < np.count_nonzero(sleeve_region) < sleeve_region.size  # the scene really has a sleeve


@pytest.mark.parametrize(("opacity", "with_shading"), [(1.0, True), (0.6, True), (1.0, False)])
def test_device_graph_matches_cpu_compositor(compositor: DeviceCompositor, scene: Scene, opacity: float,
                                             with_shading: bool) -> None:
    shading = scene.shading if with_shading else None
    expected = _cpu_path(scene, opacity, shading)
    result = _device_path(compositor, scene, opacity, shading)
    diff = _box_diff(result, expected)
    # The garment must really be drawn, or agreeing would prove nothing.
    assert _box_diff(expected, scene.frame).mean() > 10
    assert diff.mean() < MAX_MEAN_DIFF, diff.mean()
    assert np.percentile(diff, 99.5) < MAX_P995_DIFF, np.percentile(diff, 99.5)
    np.testing.assert_array_equal(result[: BOX[1]], scene.frame[: BOX[1]])  # outside the box: untouched


def test_half_pixel_shift_would_fail_the_tolerance(compositor: DeviceCompositor, scene: Scene) -> None:
    """The tolerance is tight enough to catch a sampling convention error (e.g. align_corners=0)."""
    merged, _ = merge_maps(scene.texture, scene.layers, BOX)
    shifted = np.where(merged >= 0, merged + 0.5, merged).astype(np.float32)
    diff = _box_diff(_device_path(compositor, scene, 1.0, scene.shading, shifted),
                     _cpu_path(scene, 1.0, scene.shading))
    assert np.percentile(diff, 99.5) > MAX_P995_DIFF


def test_io_binding_path_matches_plain_run(scene: Scene) -> None:
    plain = _device_path(DeviceCompositor("cpu"), scene, 0.8, scene.shading)
    with DeviceCompositor("cpu", io_binding=True) as bound:
        np.testing.assert_array_equal(_device_path(bound, scene, 0.8, scene.shading), plain)
        np.testing.assert_array_equal(_device_path(bound, scene, 0.8, scene.shading), plain)  # cached texture


def test_texture_is_cached_by_identity(compositor: DeviceCompositor, scene: Scene) -> None:
    first = _device_path(compositor, scene, 1.0, scene.shading)
    dimmer = scene.texture.copy()
    dimmer[..., :3] //= 2
    second = compositor.composite(scene.frame, dimmer, BOX, *merge_maps(dimmer, scene.layers, BOX),
                                  scene.occlusion, scene.shading, 1.0)
    assert _box_diff(first, second).mean() > 5  # a new garment array is uploaded, not the stale one
    np.testing.assert_array_equal(_device_path(compositor, scene, 1.0, scene.shading), first)


def test_a_texture_of_another_size_is_sampled_at_its_own_scale(compositor: DeviceCompositor, scene: Scene) -> None:
    # The graph is told the texture's size (it scales the grid by it): a narrower garment after a
    # wider one must not be sampled with the old size.
    _device_path(compositor, scene, 1.0, scene.shading)
    narrow = Scene(scene.frame, np.ascontiguousarray(scene.texture[:, :150]), scene.layers, scene.occlusion,
                   scene.shading)
    diff = _box_diff(_device_path(compositor, narrow, 1.0, narrow.shading), _cpu_path(narrow, 1.0, narrow.shading))
    assert diff.mean() < MAX_MEAN_DIFF and np.percentile(diff, 99.5) < MAX_P995_DIFF


def test_zero_opacity_returns_the_frame(compositor: DeviceCompositor, scene: Scene) -> None:
    np.testing.assert_array_equal(_device_path(compositor, scene, 0.0, scene.shading), scene.frame)


def test_nothing_drawn_returns_the_frame(compositor: DeviceCompositor, scene: Scene) -> None:
    x0, y0, x1, y1 = BOX
    nothing = np.full((y1 - y0, x1 - x0, 2), OUTSIDE, np.float32)
    np.testing.assert_array_equal(_device_path(compositor, scene, 1.0, scene.shading, nothing), scene.frame)


def test_output_is_a_new_uint8_frame(compositor: DeviceCompositor, scene: Scene) -> None:
    before = scene.frame.copy()
    result = _device_path(compositor, scene, 1.0, scene.shading)
    assert result.shape == scene.frame.shape and result.dtype == np.uint8
    assert result is not scene.frame
    np.testing.assert_array_equal(scene.frame, before)


def _small_box_inputs(side: int) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray, Occlusion]:
    """A side × side box at (100, 100) sampling the texture's checker edge near (100, 150)."""
    box = (100, 100, 100 + side, 100 + side)
    merged = _rotation_map(100, 100, side, side, 0.3, 1.7, (100.0, 150.0))
    region = np.zeros((side, side), np.uint8)
    occlusion = Occlusion(np.zeros((side, side), np.uint8), np.full((side, side), 255, np.uint8))
    return box, merged, region, occlusion


def _small_box_cpu(scene: Scene, box: tuple[int, int, int, int], merged: np.ndarray, region: np.ndarray,
                   occlusion: Occlusion) -> np.ndarray:
    sampled = cv2.remap(scene.texture, merged, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return compose.composite(scene.frame, sampled[..., :3].copy(), sampled[..., 3].copy(), region, occlusion,
                             None, box, 1.0)


def test_tiny_box_uses_the_cpu_compositor(compositor: DeviceCompositor, scene: Scene) -> None:
    # The graph's reflect padding needs sides of 4 px or more; a 3-px box must still be drawn.
    box, merged, region, occlusion = _small_box_inputs(3)
    result = compositor.composite(scene.frame, scene.texture, box, merged, region, occlusion, None, 1.0)
    np.testing.assert_array_equal(result, _small_box_cpu(scene, box, merged, region, occlusion))


def test_smallest_graph_box_agrees(compositor: DeviceCompositor, scene: Scene) -> None:
    # 4 px: the feather kernel reflects off both sides at once (BORDER_REFLECT_101 vs Pad reflect).
    box, merged, region, occlusion = _small_box_inputs(4)
    result = compositor.composite(scene.frame, scene.texture, box, merged, region, occlusion, None, 1.0)
    expected = _small_box_cpu(scene, box, merged, region, occlusion)
    assert not np.array_equal(expected, scene.frame)
    assert np.abs(result.astype(int) - expected.astype(int)).max() <= 2


def test_wrong_shapes_are_refused(compositor: DeviceCompositor, scene: Scene) -> None:
    merged, region = merge_maps(scene.texture, scene.layers, BOX)
    args = (scene.texture, BOX, merged, region, scene.occlusion, scene.shading)
    with pytest.raises(InputShapeError, match="frame"):
        compositor.composite(scene.frame[..., 0], *args)
    with pytest.raises(InputShapeError, match="merged_map"):
        compositor.composite(scene.frame, scene.texture, BOX, merged[1:], region, scene.occlusion, scene.shading)
    with pytest.raises(InputShapeError, match="box"):
        compositor.composite(scene.frame, scene.texture, (0, 0, 999, 10), merged, region, scene.occlusion, None)
    with pytest.raises(InputShapeError, match="opacity"):
        compositor.composite(scene.frame, *args, 1.5)


def test_graph_file_matches_the_manifest(compositor: DeviceCompositor, graph_device: str) -> None:
    manifest = json.loads((REPO / "models" / "manifest.json").read_text())["models"]["compose"]
    data = (REPO / "models" / manifest["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"] == compositor.spec.sha256
    assert compositor.info.provider == {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}[graph_device]
    assert [spec.name for spec in compositor.spec.inputs] == [value.name for value in compositor.session.get_inputs()]


def test_graph_file_is_what_the_builder_writes() -> None:
    """models/compose.onnx is not stale: rebuilding it gives the same bytes (needs the export extra)."""
    pytest.importorskip("onnx")
    pytest.importorskip("torch")  # models.export.build, where OPSET and MODELS_DIR live, imports torch
    pytest.importorskip("onnxslim")  # and onnxslim (a GPU machine's image has torch and onnx, not it)
    from models.export import compose_graph

    manifest = json.loads((REPO / "models" / "manifest.json").read_text())["models"]["compose"]
    assert hashlib.sha256(compose_graph.build_graph().SerializeToString()).hexdigest() == manifest["sha256"]
    assert compose_graph.EDGE_FEATHER == compose.EDGE_FEATHER
