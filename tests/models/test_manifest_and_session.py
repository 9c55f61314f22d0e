"""Model files are verified before use; devices are chosen and reported; errors say what to do."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from app.errors import DeviceError, ModelError
from models.manifest import load_model_spec
from models.runner import OnnxModel
from models.session import SessionInfo, create_session, cuda_options, device_run, provider_chain

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the models folder that the app is pointed at."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(REPO / "models" / "manifest.json", folder)
    shutil.copy(REPO / "models" / "selfie_segmentation.onnx", folder)
    monkeypatch.setenv("LIVEFIT_MODELS_DIR", str(folder))
    return folder


def test_manifest_lists_every_model_with_source_and_hash() -> None:
    manifest = json.loads((REPO / "models" / "manifest.json").read_text())
    wheel_models = {"pose_detector", "pose_landmarks", "selfie_segmentation", "face_landmarks"}
    assert set(manifest["models"]) == wheel_models | {"compose"}  # compose: the renderer's own graph
    for entry in (manifest["models"][name] for name in wheel_models):
        assert len(entry["sha256"]) == 64
        assert entry["source"]["package"] == "mediapipe==0.10.21"
        assert entry["source"]["member"].endswith(".tflite")
        assert entry["inputs"][0]["shape"][0] == 1 and entry["inputs"][0]["shape"][3] == 3


def test_corrupted_model_names_the_file_and_how_to_rebuild(model_copy: Path) -> None:
    path = model_copy / "selfie_segmentation.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError) as error:
        OnnxModel("selfie_segmentation")
    message = str(error.value)
    assert str(path) in message and "corrupted" in message and "python -m models.export" in message


def test_truncated_model_is_refused(model_copy: Path) -> None:
    path = model_copy / "selfie_segmentation.onnx"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ModelError, match="selfie_segmentation.onnx: model file is corrupted"):
        load_model_spec("selfie_segmentation")


def test_unloadable_model_with_matching_hash_is_a_model_error(model_copy: Path) -> None:
    # A file that passes the checksum (someone rebuilt the manifest by hand) but is not ONNX.
    path = model_copy / "selfie_segmentation.onnx"
    path.write_bytes(b"not an onnx graph")
    manifest = json.loads((model_copy / "manifest.json").read_text())
    manifest["models"]["selfie_segmentation"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="onnxruntime cannot load this model"):
        create_session(load_model_spec("selfie_segmentation"), "cpu")


def test_missing_model_file(model_copy: Path) -> None:
    (model_copy / "selfie_segmentation.onnx").unlink()
    with pytest.raises(ModelError, match="model file is missing; rebuild it"):
        load_model_spec("selfie_segmentation")


def test_cpu_device_runs_on_the_cpu_provider() -> None:
    model = OnnxModel("selfie_segmentation", "cpu")
    assert model.info.provider == "CPUExecutionProvider"
    assert model.info.device == "cpu"
    assert not model.info.cuda_graph and str(model.info) == "selfie_segmentation=CPUExecutionProvider"


def test_auto_device_reports_what_is_active() -> None:
    model = OnnxModel("selfie_segmentation", "auto")
    assert model.info.provider in model.session.get_providers()
    assert model.info.provider == model.session.get_providers()[0]


def test_cuda_request_without_a_gpu_says_so_clearly() -> None:
    if "CUDAExecutionProvider" in OnnxModel("selfie_segmentation", "auto").session.get_providers():
        pytest.skip("this machine really has CUDA")
    with pytest.raises(DeviceError, match="CUDA was requested but .*--device cpu"):
        OnnxModel("selfie_segmentation", "cuda")


def test_fixed_buffer_path_gives_each_frame_its_own_outputs() -> None:
    # On CUDA the models replay a CUDA graph through buffers allocated once (models/runner.py);
    # io_binding=True runs that path on the CPU. Each new image must be read (not the first one
    # over and over) and earlier outputs must survive later runs.
    plain, bound = OnnxModel("pose_landmarks", "cpu"), OnnxModel("pose_landmarks", "cpu", io_binding=True)
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 256, (256, 256, 3), dtype=np.uint8) for _ in range(2)]
    first = bound.run(images[0])
    first_kept = [array.copy() for array in first]
    second = bound.run(images[1])
    for got, want in zip(first + second, plain.run(images[0]) + plain.run(images[1])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for now, then in zip(first, first_kept):
        np.testing.assert_array_equal(now, then)
    assert not np.allclose(first[0], second[0])


def test_cuda_runs_in_float32_and_graphs_only_on_request() -> None:
    assert cuda_options() == {"use_tf32": "0"}
    assert cuda_options(cuda_graph=True) == {"use_tf32": "0", "enable_cuda_graph": "1"}


def test_cuda_runs_take_turns_across_threads_and_cpu_runs_do_not() -> None:
    # A CUDA graph's capture fails if another thread touches the device meanwhile (models/session.py).
    cuda, cpu = SessionInfo("a", "CUDAExecutionProvider"), SessionInfo("b", "CPUExecutionProvider")
    entered: dict[str, bool] = {}

    def try_to_run(name: str, info: SessionInfo) -> None:
        guard = device_run(info)
        if hasattr(guard, "acquire"):
            entered[name] = guard.acquire(timeout=0.1)
            if entered[name]:
                guard.release()
        else:
            with guard:
                entered[name] = True

    with device_run(SessionInfo("c", "CUDAExecutionProvider")):
        threads = [threading.Thread(target=try_to_run, args=args) for args in (("cuda", cuda), ("cpu", cpu))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert entered == {"cuda": False, "cpu": True}
    try_to_run("cuda", cuda)
    assert entered["cuda"]


def test_unknown_device_is_refused() -> None:
    with pytest.raises(DeviceError, match="unknown device 'tpu'"):
        provider_chain("tpu")  # type: ignore[arg-type]


def test_run_time_never_imports_torch_or_mediapipe() -> None:
    code = (
        "import sys, numpy as np\n"
        "from app.pipeline.perception import Perception\n"
        "import app.run_cli, app.bench_cli\n"
        "with Perception(device='cpu') as p:\n"
        "    p.process(np.zeros((120, 160, 3), np.uint8))\n"
        "bad = [m for m in ('torch', 'mediapipe', 'tflite', 'ai_edge_litert') if m in sys.modules]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_cpu_twin_fuses_residual_blocks_and_matches_the_standard_model() -> None:
    # The CPU provider loads <name>.cpu.onnx (Conv → Add → Clip as one FusedConv, 8-channel
    # tensors carried as 16, both of which keep onnxruntime's blocked layout); every other
    # provider the standard file. Same numbers.
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    spec = load_model_spec("pose_landmarks")
    assert spec.cpu_path is not None and spec.cpu_path != spec.path
    twin = onnx.load(str(spec.cpu_path))
    fused = [node for node in twin.graph.node if node.op_type == "FusedConv"]
    assert len(fused) >= 10 and all(node.domain == "com.microsoft" for node in fused)
    assert not any(node.op_type == "FusedConv" for node in onnx.load(str(spec.path)).graph.node)

    def kernel_shapes(model: onnx.ModelProto) -> list[tuple[int, ...]]:
        weights = {w.name: w for w in model.graph.initializer}
        return [tuple(numpy_helper.to_array(weights[node.input[1]]).shape) for node in model.graph.node
                if node.op_type in ("Conv", "FusedConv") and node.input[1] in weights]

    assert any(8 in shape[:2] for shape in kernel_shapes(onnx.load(str(spec.path))))  # the segmentation head
    assert not any(8 in shape[:2] for shape in kernel_shapes(twin))
    session, _ = create_session(spec, "cpu")
    options = ort.SessionOptions()
    standard = ort.InferenceSession(str(spec.path), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    image = rng.random((1, 256, 256, 3), np.float32)
    name = standard.get_inputs()[0].name
    for ours, theirs in zip(session.run(None, {name: image}), standard.run(None, {name: image})):
        assert np.abs(ours - theirs).max() < 1e-3 * max(1.0, float(np.abs(theirs).max()))  # rounding only


def test_face_mesh_cpu_twin_has_no_prelu_and_matches_the_standard_model() -> None:
    # PRelu is written as two 1×1 depthwise convolutions (onnxruntime's PRelu leaves the blocked
    # layout); the landmarks must not move.
    import onnx
    import onnxruntime as ort

    spec = load_model_spec("face_landmarks")
    assert spec.cpu_path is not None
    assert "PRelu" in {node.op_type for node in onnx.load(str(spec.path)).graph.node}
    assert "PRelu" not in {node.op_type for node in onnx.load(str(spec.cpu_path)).graph.node}
    session, _ = create_session(spec, "cpu")
    standard = ort.InferenceSession(str(spec.path), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(1).random((1, 192, 192, 3), np.float32)
    name = standard.get_inputs()[0].name
    for ours, theirs in zip(session.run(None, {name: image}), standard.run(None, {name: image})):
        assert np.abs(ours - theirs).max() < 1e-3 * max(1.0, float(np.abs(theirs).max()))


def test_corrupted_cpu_twin_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(REPO / "models" / "manifest.json", folder)
    shutil.copy(REPO / "models" / "pose_landmarks.onnx", folder)
    (folder / "pose_landmarks.cpu.onnx").write_bytes(b"truncated")
    monkeypatch.setenv("LIVEFIT_MODELS_DIR", str(folder))
    with pytest.raises(ModelError, match="pose_landmarks.cpu.onnx: model file is corrupted"):
        load_model_spec("pose_landmarks")


def test_a_refused_cuda_graph_falls_back_with_onnxruntimes_reason_not_a_rebuild_hint(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import models.session as session_module

    calls = []

    def fake_create(spec, device, threads, chain, cuda_graph):
        calls.append(cuda_graph)
        if cuda_graph:
            try:
                raise RuntimeError("CUDA graph capture is not supported for MemcpyToHost")
            except RuntimeError as cause:
                raise ModelError(f"{spec.path}: onnxruntime cannot load this model ({cause}); rebuild it") from cause
        return "session", "info"

    monkeypatch.setattr(session_module, "provider_chain", lambda device: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setattr(session_module, "_create_session", fake_create)
    with caplog.at_level("WARNING", logger="models.session"):
        assert create_session(load_model_spec("face_landmarks"), "auto", cuda_graph=True) == ("session", "info")
    assert calls == [True, False]
    assert "MemcpyToHost" in caplog.text and "kernel by kernel" in caplog.text and "rebuild" not in caplog.text
