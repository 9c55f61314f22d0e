"""The one onnxruntime session factory: providers, threads and graph optimisation in one place.

Providers are tried in the order TensorRT (only when its libraries really load) → CUDA → CPU.
onnxruntime-gpu lists CUDA as "available" even on machines without a GPU and then silently falls
back, so the provider that is *active* is read back from the session and reported.

CPU settings (measured on 2 cores, see DESIGN.md): full graph optimisation (its blocked-layout
pass is worth 1.5×); intra-op workers that spin during a run (waking sleeping ones before every
operator made the landmark model ~15% slower) and stop spinning when it ends. Left spinning
(onnxruntime's default), they keep a core busy after the run, and the parse and render that follow
the pose model ran at half speed beside them (3 warps and a blur: 6.2–7.1 ms vs 2.7–3.9 ms); two
sessions' spinning pools starved each other (26 ms vs 12.3 ms per frame for both models).

CUDA settings (measured on an H200, onnxruntime-gpu 1.31.1): convolutions in full float32, not TF32
(Hopper's default): with TF32 the landmark model's output differed from the CPU's by up to 1.3 crop
pixels, without it by 0.0009, at the same speed. CUDA graphs on request, for fixed-shape models run
through I/O binding (models/runner.py): replaying one halves their time (landmark model 3.3 →
1.5 ms, copies included), since each of their many small kernels otherwise costs a launch.

One CUDA run at a time across threads (`device_run`): onnxruntime captures a session's CUDA graph
on a thread's third run, in the global capture mode, where a cudaMalloc or a synchronous copy from
any other thread meanwhile fails the capture (CUDA error 900). The mirror runs CUDA sessions on
several threads (this frame's pose, the last frame's compositor, the face mesh and the detector's
check beside them); their Python and OpenCV work still overlaps, only the device calls take turns.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Literal

import onnxruntime as ort

from app.errors import DeviceError, ModelError
from models.manifest import REBUILD_HINT, ModelSpec

log = logging.getLogger(__name__)

Device = Literal["auto", "cuda", "cpu"]
DEVICES: tuple[Device, ...] = ("auto", "cuda", "cpu")

_CPU = "CPUExecutionProvider"
_CUDA = "CUDAExecutionProvider"
_TENSORRT = "TensorrtExecutionProvider"
_ORT_LOG_ERROR = 3  # hide onnxruntime's own provider fallback warnings; we report the outcome


@dataclass(frozen=True)
class SessionInfo:
    model: str
    provider: str  # the provider that runs the graph, e.g. "CUDAExecutionProvider"
    cuda_graph: bool = False  # replays a captured CUDA graph

    def __str__(self) -> str:
        """e.g. "pose_landmarks=CUDAExecutionProvider (CUDA graph)", as `bench` reports it."""
        return f"{self.model}={self.provider}{' (CUDA graph)' if self.cuda_graph else ''}"

    @property
    def device(self) -> str:
        return "cpu" if self.provider == _CPU else "cuda"


_CUDA_RUNS = threading.Lock()  # see the module docstring: no CUDA run beside another's graph capture


def device_run(info: SessionInfo) -> AbstractContextManager:
    """Hold around every run of (and every device copy for) a session: on CUDA it waits for any
    other thread's CUDA run to end; on the CPU it holds nothing."""
    return _CUDA_RUNS if info.device == "cuda" else nullcontext()


def _nvidia_driver_present() -> bool:
    # Without the driver's libcuda there is no GPU to use; checking first keeps onnxruntime from
    # printing library-loading errors on every CPU-only machine.
    return ctypes.util.find_library("cuda") is not None


def _tensorrt_really_available() -> bool:
    # The TensorRT provider is listed whenever the wheel was built with it; it only works when
    # libnvinfer can be loaded. Engine builds also take minutes, so it is opt-in.
    return os.environ.get("LIVEFIT_TENSORRT") == "1" and ctypes.util.find_library("nvinfer") is not None


def _cpu_threads() -> int:
    return int(os.environ.get("LIVEFIT_CPU_THREADS", "0")) or (os.cpu_count() or 1)


def provider_chain(device: Device) -> list[str]:
    """Providers to ask for, most preferred first."""
    if device not in DEVICES:
        raise DeviceError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
    if device == "cpu":
        return [_CPU]
    available = ort.get_available_providers()
    chain = []
    if _TENSORRT in available and _tensorrt_really_available():
        chain.append(_TENSORRT)
    if _CUDA not in available:
        if device == "cuda":
            raise DeviceError(
                "CUDA was requested but this onnxruntime has no CUDA provider; "
                "install onnxruntime-gpu or use --device cpu"
            )
        return [_CPU]
    if not _nvidia_driver_present():
        if device == "cuda":
            raise DeviceError("CUDA was requested but no NVIDIA driver was found; use --device cpu or --device auto")
        log.debug("no NVIDIA driver: running on the CPU")
        return [_CPU]
    if _TENSORRT in available and _tensorrt_really_available():
        chain.append(_TENSORRT)
    return chain + [_CUDA, _CPU]


def _preload_cuda_libraries() -> None:
    # onnxruntime-gpu can load CUDA/cuDNN from the nvidia-* pip packages when asked to.
    preload = getattr(ort, "preload_dlls", None)
    if preload is not None:
        try:
            preload()
        except OSError as error:  # libraries missing: the CUDA provider will fail and fall back
            log.debug("onnxruntime.preload_dlls: %s", error)


def cuda_options(cuda_graph: bool = False) -> dict[str, str]:
    """The CUDA provider's options (see the module docstring for why each)."""
    return {"use_tf32": "0", **({"enable_cuda_graph": "1"} if cuda_graph else {})}


def cuda_device_id(session: ort.InferenceSession) -> int:
    """The GPU a CUDA session runs on (0 for any other session): where its device buffers go."""
    return int(session.get_provider_options().get(_CUDA, {}).get("device_id", 0))


def uses_cuda_graph(session: ort.InferenceSession) -> bool:
    """Whether `session` replays a captured CUDA graph (then it must run through fixed I/O buffers)."""
    return session.get_provider_options().get(_CUDA, {}).get("enable_cuda_graph") == "1"


def create_session(spec: ModelSpec, device: Device = "auto", threads: int | None = None, *,
                   cuda_graph: bool = False) -> tuple[ort.InferenceSession, SessionInfo]:
    """A session for `spec` on the best provider `device` allows, and which provider is active.
    `threads`: CPU intra-op threads (default `LIVEFIT_CPU_THREADS`, or every core); 1 for a model
    run beside the others on a thread of its own, so it takes no more than that thread.
    `cuda_graph`: on CUDA, capture the run as a CUDA graph (fixed shapes, run through I/O binding
    only; see `uses_cuda_graph`); if onnxruntime refuses (an operator that CUDA cannot run), the
    session runs without one."""
    chain = provider_chain(device)
    if cuda_graph and _CUDA in chain:
        try:
            return _create_session(spec, device, threads, chain, cuda_graph=True)
        except ModelError as error:
            # onnxruntime's own words: the ModelError's advice to rebuild the model does not apply.
            log.warning("%s: no CUDA graph (%s); running it kernel by kernel", spec.name, error.__cause__ or error)
    return _create_session(spec, device, threads, chain, cuda_graph=False)


def _create_session(spec: ModelSpec, device: Device, threads: int | None, chain: list[str], cuda_graph: bool
                    ) -> tuple[ort.InferenceSession, SessionInfo]:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = _ORT_LOG_ERROR
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads or _cpu_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.force_spinning_stop", "1")
    if chain[0] != _CPU:
        _preload_cuda_libraries()
    # On the CPU alone, the twin rewritten for its blocked layout (models/export/cpu_fusion.py).
    path = spec.cpu_path if chain == [_CPU] and spec.cpu_path is not None else spec.path
    try:
        providers = [(name, cuda_options(cuda_graph)) if name == _CUDA else name for name in chain]
        with device_run(SessionInfo(spec.name, chain[0])):  # on a GPU it allocates device memory
            session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except (ort.capi.onnxruntime_pybind11_state.Fail, ort.capi.onnxruntime_pybind11_state.InvalidProtobuf,
            ort.capi.onnxruntime_pybind11_state.InvalidGraph) as error:
        raise ModelError(f"{path}: onnxruntime cannot load this model ({error}); {REBUILD_HINT}") from error
    active = session.get_providers()[0]
    if device == "cuda" and active == _CPU:
        raise DeviceError(
            "CUDA was requested but could not be started (no NVIDIA GPU, driver or CUDA/cuDNN "
            "libraries found); use --device cpu or --device auto"
        )
    info = SessionInfo(spec.name, active, uses_cuda_graph(session))
    log.debug("%s runs on %s", spec.name, active)
    return session, info
