"""The garment sidecar: a versioned JSON file next to the image, the single source of truth.

A person may open it in a text editor and move a landmark; the desktop garment editor edits
the same file. Reading validates everything a hand edit can break and says what is wrong, in
one line naming the file.

Format version 1::

    {
      "format": "livefit-garment",
      "version": 1,
      "id": "red-tee", "name": "Red tee",
      "category": "short_sleeve",          # sleeveless | short_sleeve | long_sleeve | shirt | hoodie
      "sleeve_kind": "short",              # none | short | long
      "image": "red-tee.jpg", "mask": "red-tee.mask.png", "thumbnail": "red-tee.thumb.jpg",
      "size": {"width": 768, "height": 1024},
      "coordinates": "...",                # a reminder of the frame, ignored on reading
      "landmarks": {"neck_center": [384.0, 120.5], ...},
      "detection": {"method": "auto", "confidence": 0.93, ...},
      "source": {"file": "IMG_0042.jpg", "sha256": "..."}
    }

Paths are relative to the sidecar's folder. Landmarks are [x, y] in image pixels (x right,
y down); left/right are the wearer's, so the wearer's left is on the image right. Sleeve
landmarks are left out (or null) when sleeve_kind is "none".
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import GarmentError
from app.garments.model import CATEGORIES, LANDMARK_NAMES, Point, SleeveKind, required_landmarks

FORMAT = "livefit-garment"
VERSION = 1
COORDINATES_NOTE = (
    "landmarks are [x, y] in image pixels, x to the right and y down; left and right are the "
    "wearer's, so the wearer's left is on the image right"
)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_SIDECAR_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Sidecar:
    """The parsed contents of a sidecar; file names are relative to `folder`."""

    id: str
    name: str
    category: str
    sleeve_kind: SleeveKind
    image: str
    mask: str
    thumbnail: str | None
    width: int
    height: int
    landmarks: dict[str, Point]
    detection: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    folder: Path = Path(".")

    @property
    def image_path(self) -> Path:
        return self.folder / self.image

    @property
    def mask_path(self) -> Path:
        return self.folder / self.mask

    @property
    def thumbnail_path(self) -> Path | None:
        return self.folder / self.thumbnail if self.thumbnail else None

    @property
    def confidence(self) -> float:
        value = self.detection.get("confidence", 1.0)
        return float(value) if isinstance(value, (int, float)) else 1.0

    @property
    def notes(self) -> tuple[str, ...]:
        notes = self.detection.get("notes", [])
        return tuple(str(n) for n in notes) if isinstance(notes, list) else ()


def to_json(sidecar: Sidecar) -> str:
    """Pretty JSON text, landmarks in the documented order, one per line."""
    landmarks = {
        name: [round(sidecar.landmarks[name][0], 1), round(sidecar.landmarks[name][1], 1)]
        for name in LANDMARK_NAMES
        if name in sidecar.landmarks
    }
    document = {
        "format": FORMAT,
        "version": VERSION,
        "id": sidecar.id,
        "name": sidecar.name,
        "category": sidecar.category,
        "sleeve_kind": sidecar.sleeve_kind.value,
        "image": sidecar.image,
        "mask": sidecar.mask,
        "thumbnail": sidecar.thumbnail,
        "size": {"width": sidecar.width, "height": sidecar.height},
        "coordinates": COORDINATES_NOTE,
        "landmarks": landmarks,
        "detection": sidecar.detection,
        "source": sidecar.source,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # One landmark per line reads (and diffs) better than a number per line.
    text = re.sub(r"\[\n\s+(-?[\d.]+),\n\s+(-?[\d.]+)\n\s+\]", r"[\1, \2]", text)
    return text + "\n"


def _fail(path: Path, problem: str) -> GarmentError:
    return GarmentError(f"{path}: {problem}")


def _string(doc: dict[str, Any], key: str, path: Path) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"'{key}' must be a non-empty string")
    return value


def _file_name(doc: dict[str, Any], key: str, path: Path) -> str:
    value = _string(doc, key, path)
    if Path(value).is_absolute() or ".." in Path(value).parts:
        raise _fail(path, f"'{key}' must name a file next to the sidecar, not {value!r}")
    return value


def _size(doc: dict[str, Any], path: Path) -> tuple[int, int]:
    size = doc.get("size")
    if not isinstance(size, dict):
        raise _fail(path, "'size' must be {\"width\": W, \"height\": H}")
    width, height = size.get("width"), size.get("height")
    if not (isinstance(width, int) and isinstance(height, int)) or isinstance(width, bool) or isinstance(height, bool):
        raise _fail(path, "'size' width and height must be positive whole numbers")
    if width <= 0 or height <= 0:
        raise _fail(path, "'size' width and height must be positive whole numbers")
    return width, height


def _landmarks(doc: dict[str, Any], kind: SleeveKind, width: int, height: int, path: Path) -> dict[str, Point]:
    raw = doc.get("landmarks")
    if not isinstance(raw, dict):
        raise _fail(path, "'landmarks' must be an object of name: [x, y]")
    result: dict[str, Point] = {}
    for name, value in raw.items():
        if name not in LANDMARK_NAMES:
            raise _fail(path, f"unknown landmark {name!r}; known: {', '.join(LANDMARK_NAMES)}")
        if value is None:
            continue
        if (
            not isinstance(value, (list, tuple))
            or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not all(math.isfinite(v) for v in value)
        ):
            raise _fail(path, f"landmark {name} must be [x, y] numbers, not {json.dumps(value)}")
        x, y = float(value[0]), float(value[1])
        if not (0.0 <= x <= width and 0.0 <= y <= height):
            raise _fail(path, f"landmark {name} ({x:g}, {y:g}) is outside the {width}x{height} image")
        result[name] = (x, y)
    missing = [n for n in required_landmarks(kind) if n not in result]
    if missing:
        raise _fail(path, f"missing landmarks for sleeve kind {kind.value!r}: {', '.join(missing)}")
    for part in ("shoulder", "armpit", "hem"):
        left, right = result[f"{part}_left"], result[f"{part}_right"]
        if left[0] <= right[0]:
            raise _fail(
                path,
                f"{part}_left is not to the image right of {part}_right: left and right are the "
                "wearer's, so the wearer's left is on the image right",
            )
    if kind is SleeveKind.NONE:
        result = {k: v for k, v in result.items() if not k.startswith("sleeve_")}
    return result


def parse(text: str, path: Path) -> Sidecar:
    """Validate sidecar JSON text read from `path`; GarmentError naming the problem."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(path, f"invalid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from error
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(path, f"not a LiveFit garment sidecar (expected \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(path, "'version' must be a positive whole number")
    if version > VERSION:
        raise _fail(path, f"written by a newer LiveFit (format version {version}, this one reads {VERSION}); update LiveFit")
    garment_id = _string(doc, "id", path)
    if not ID_PATTERN.match(garment_id):
        raise _fail(path, f"'id' {garment_id!r} must be lower-case letters, digits and dashes")
    name = _string(doc, "name", path)
    category = doc.get("category")
    if category not in CATEGORIES:
        raise _fail(path, f"'category' must be one of {', '.join(CATEGORIES)}, not {json.dumps(category)}")
    try:
        kind = SleeveKind(doc.get("sleeve_kind"))
    except ValueError as error:
        kinds = ", ".join(k.value for k in SleeveKind)
        raise _fail(path, f"'sleeve_kind' must be one of {kinds}") from error
    width, height = _size(doc, path)
    thumbnail = _file_name(doc, "thumbnail", path) if doc.get("thumbnail") is not None else None
    detection = doc.get("detection", {})
    source = doc.get("source", {})
    return Sidecar(
        id=garment_id,
        name=name,
        category=str(category),
        sleeve_kind=kind,
        image=_file_name(doc, "image", path),
        mask=_file_name(doc, "mask", path),
        thumbnail=thumbnail,
        width=width,
        height=height,
        landmarks=_landmarks(doc, kind, width, height, path),
        detection=detection if isinstance(detection, dict) else {},
        source=source if isinstance(source, dict) else {},
        folder=path.parent,
    )


def read(path: Path) -> Sidecar:
    """Read and validate a sidecar file."""
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            raise _fail(path, "sidecar is larger than 1 MB; is it really a garment sidecar?")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise _fail(path, "no such sidecar") from error
    except UnicodeDecodeError as error:
        raise _fail(path, "not a text file (invalid UTF-8)") from error
    except OSError as error:
        raise _fail(path, f"cannot read ({error.strerror})") from error
    return parse(text, path)


def write(sidecar: Sidecar, path: Path) -> None:
    """Write the sidecar atomically (a half-written sidecar would break the catalog)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_json(sidecar), encoding="utf-8")
    tmp.replace(path)
