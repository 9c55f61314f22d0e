"""The model manifest: which `.onnx` files the app loads, their sha256, inputs and outputs.

`load_model_spec` verifies a file against the manifest before any session is built, so a
truncated or corrupted download fails with a message that names the file and how to rebuild it
instead of a deep onnxruntime stack trace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.errors import ModelError
from app.paths import models_dir

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
REBUILD_HINT = "rebuild it with `python -m models.export` (needs the `export` extra) or reinstall LiveFit"


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    path: Path
    sha256: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    input_range: tuple[float, float]  # RGB 0..255 maps linearly onto this range
    cpu_path: Path | None = None  # the same model rewritten for the CPU provider only (cpu_fusion)

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the NHWC image input."""
        _, height, width, _ = self.inputs[0].shape
        return width, height


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise ModelError(f"{path}: model manifest is missing; {REBUILD_HINT}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelError(f"{path}: model manifest is not valid JSON ({error}); {REBUILD_HINT}") from error
    if manifest.get("version") != MANIFEST_VERSION:
        raise ModelError(f"{path}: manifest version {manifest.get('version')!r}, expected {MANIFEST_VERSION}")
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_file(folder: Path, entry: dict, verify: bool) -> Path:
    """The file a manifest entry ({"file", "sha256"}) names, checked to exist and match its hash."""
    path = folder / entry["file"]
    if not path.is_file():
        raise ModelError(f"{path}: model file is missing; {REBUILD_HINT}")
    if verify and _sha256(path) != entry["sha256"]:
        raise ModelError(f"{path}: model file is corrupted (sha256 does not match the manifest); {REBUILD_HINT}")
    return path


def load_model_spec(name: str, folder: Path | None = None, verify: bool = True) -> ModelSpec:
    """The manifest entry for model `name`, with its file checked to exist and match its sha256."""
    folder = folder or models_dir()
    entry = _read_manifest(folder).get("models", {}).get(name)
    if entry is None:
        raise ModelError(f"{folder / MANIFEST_NAME}: no model named {name!r}; {REBUILD_HINT}")
    path = _checked_file(folder, entry, verify)
    cpu_path = _checked_file(folder, entry["cpu_variant"], verify) if "cpu_variant" in entry else None
    tensors = lambda items: tuple(TensorSpec(t["name"], tuple(t["shape"])) for t in items)  # noqa: E731
    return ModelSpec(
        name=name,
        path=path,
        sha256=entry["sha256"],
        inputs=tensors(entry["inputs"]),
        outputs=tensors(entry["outputs"]),
        input_range=tuple(entry["input_range"]),
        cpu_path=cpu_path,
    )
