"""The garment catalog: garments bundled with LiveFit plus the user's own folder.

Each garment is four files side by side, named by its id: the photo as imported (`ID.jpg`,
`ID.png`, ...; never re-encoded), the sidecar `ID.json` (the source of truth), the cloth mask
`ID.mask.png` and a thumbnail `ID.thumb.jpg`. A garment exists once its sidecar does; importing
writes the other files first and the sidecar last, so a failed import leaves nothing behind.
Bundled garments are read-only. One broken sidecar does not stop the catalog: it is skipped and
reported in `problems`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from app import paths
from app.errors import GarmentError
from app.garments import sidecar as sidecars
from app.garments.analyze import analyze
from app.garments.imageio import decode, load_image, read_bytes, read_header
from app.garments.model import Garment, GarmentEntry
from app.garments.sidecar import Sidecar

log = logging.getLogger(__name__)

THUMB_SIZE = (192, 256)
"""(width, height) of thumbnails: a 3:4 portrait like the product photos."""
THUMB_BACKGROUND = (246, 246, 246)
_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp", "BMP": ".bmp"}


def slugify(text: str) -> str:
    """An id from a name or file name: lower-case ASCII letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return slug or "garment"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_thumbnail(image_bgr: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(256, 192, 3) BGR uint8: the garment on a plain light background, centred with a margin."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        raise GarmentError("cannot make a thumbnail of an empty mask")
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    flat = (image_bgr[:, :, :3] * alpha + np.array(THUMB_BACKGROUND) * (1 - alpha)).astype(np.uint8)
    tw, th = THUMB_SIZE
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = flat[y0:y1, x0:x1]
    scale = 0.9 * min(tw / crop.shape[1], th / crop.shape[0])
    small = cv2.resize(crop, (max(1, int(crop.shape[1] * scale)), max(1, int(crop.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA)
    canvas = np.full((th, tw, 3), THUMB_BACKGROUND, np.uint8)
    oy, ox = (th - small.shape[0]) // 2, (tw - small.shape[1]) // 2
    canvas[oy : oy + small.shape[0], ox : ox + small.shape[1]] = small
    return canvas


def _encode(ext: str, image: np.ndarray, params: list[int] | None = None) -> bytes:
    ok, buf = cv2.imencode(ext, image, params or [])
    if not ok:
        raise GarmentError(f"could not encode a {ext} image")
    return buf.tobytes()


def _entry(sc: Sidecar, bundled: bool, sidecar_path: Path) -> GarmentEntry:
    return GarmentEntry(
        id=sc.id,
        name=sc.name,
        category=sc.category,
        sleeve_kind=sc.sleeve_kind,
        confidence=sc.confidence,
        bundled=bundled,
        sidecar_path=sidecar_path,
        image_path=sc.image_path,
        thumbnail_path=sc.thumbnail_path,
        warnings=sc.notes,
    )


def load_garment(sidecar_path: Path, bundled: bool = False) -> Garment:
    """Load a garment from its sidecar: validated sidecar, decoded image and mask."""
    sc = sidecars.read(sidecar_path)
    image = load_image(sc.image_path).pixels
    height, width = image.shape[:2]
    if (width, height) != (sc.width, sc.height):
        raise GarmentError(
            f"{sidecar_path}: the sidecar says {sc.width}x{sc.height} but {sc.image} is {width}x{height}"
        )
    mask = cv2.imread(str(sc.mask_path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise GarmentError(f"{sidecar_path}: mask {sc.mask} is missing or unreadable; re-import the photo")
    if mask.shape != (height, width):
        raise GarmentError(f"{sidecar_path}: mask {sc.mask} is {mask.shape[1]}x{mask.shape[0]}, not {width}x{height}")
    mask = np.where(mask >= 128, 255, 0).astype(np.uint8)
    rgba = np.dstack([image[:, :, :3], mask])
    return Garment(
        id=sc.id,
        name=sc.name,
        category=sc.category,
        rgba=rgba,
        mask=mask,
        landmarks=dict(sc.landmarks),
        sleeve_kind=sc.sleeve_kind,
        confidence=sc.confidence,
        bundled=bundled,
        warnings=sc.notes,
    )


class Catalog:
    """Bundled garments (read-only) plus a user folder that imports go to."""

    def __init__(self, user_dir: Path, bundled_dir: Path | None = None) -> None:
        self.user_dir = Path(user_dir)
        self.bundled_dir = Path(bundled_dir) if bundled_dir is not None else None
        self.problems: list[str] = []
        """One line per sidecar skipped by the last `list()`, naming the file and the problem."""

    @classmethod
    def default(cls, user_dir: Path | None = None) -> Catalog:
        """The bundled garments plus `user_dir`, or the platform's user catalog folder."""
        return cls(user_dir or paths.user_catalog_dir(), paths.bundled_garments_dir())

    def _folders(self) -> list[tuple[Path, bool]]:
        folders = [(self.bundled_dir, True)] if self.bundled_dir is not None else []
        folders.append((self.user_dir, False))
        return [(f, b) for f, b in folders if f.is_dir()]

    def _scan(self) -> list[tuple[Sidecar, bool, Path]]:
        self.problems = []
        found: list[tuple[Sidecar, bool, Path]] = []
        seen: set[str] = set()
        for folder, bundled in self._folders():
            for path in sorted(folder.glob("*.json")):
                try:
                    sc = sidecars.read(path)
                except GarmentError as error:
                    self.problems.append(str(error))
                    log.warning("skipping garment: %s", error)
                    continue
                if sc.id in seen:
                    problem = f"{path}: id {sc.id!r} is already used by another garment; skipped"
                    self.problems.append(problem)
                    log.warning("%s", problem)
                    continue
                seen.add(sc.id)
                found.append((sc, bundled, path))
        return found

    def list(self) -> list[GarmentEntry]:
        """Every usable garment, bundled first, each group in name order."""
        entries = [_entry(sc, bundled, path) for sc, bundled, path in self._scan()]
        return sorted(entries, key=lambda e: (not e.bundled, e.name.lower(), e.id))

    def find(self, garment_id: str) -> GarmentEntry:
        for entry in self.list():
            if entry.id == garment_id:
                return entry
        raise GarmentError(f"no garment with id {garment_id!r} in the catalog (see `garments list`)")

    def load(self, garment_id: str) -> Garment:
        entry = self.find(garment_id)
        return load_garment(entry.sidecar_path, bundled=entry.bundled)

    def _unique_id(self, base: str, taken: set[str]) -> str:
        candidate, n = base, 2
        while candidate in taken:
            candidate = f"{base[:36]}-{n}"
            n += 1
        return candidate

    def add(self, path: Path, name: str | None = None, category: str | None = None) -> GarmentEntry:
        """Import a photo: analyse it, copy it in, write mask, thumbnail and sidecar.

        The same file (by content) imported twice returns the existing entry. On any failure
        nothing is written to the catalog.
        """
        path = Path(path)
        data = read_bytes(path)
        digest = sha256_of(data)
        scanned = self._scan()
        for sc, bundled, sc_path in scanned:
            if sc.source.get("sha256") == digest:
                log.info("%s is already in the catalog as %r", path, sc.id)
                return _entry(sc, bundled, sc_path)
        fmt, _, _ = read_header(path, data)
        image = decode(path, data).pixels
        result = analyze(image, path, category)
        if name is not None and not name.strip():
            raise GarmentError("--name must not be empty")
        display = (name or path.stem).strip()
        garment_id = self._unique_id(slugify(name or path.stem), {sc.id for sc, _, _ in scanned})
        height, width = image.shape[:2]
        sc = Sidecar(
            id=garment_id,
            name=display,
            category=result.category,
            sleeve_kind=result.sleeve_kind,
            image=garment_id + _EXTENSIONS[fmt],
            mask=f"{garment_id}.mask.png",
            thumbnail=f"{garment_id}.thumb.jpg",
            width=width,
            height=height,
            landmarks=result.landmarks,
            detection={
                "method": "auto",
                "confidence": result.confidence,
                "category_guess": result.category_guess,
                "sleeve_ratio": result.sleeve_ratio,
                "mask_method": result.mask_method,
                "neckline": result.neckline,
                "notes": list(result.notes),
            },
            source={"file": path.name, "sha256": digest},
            folder=self.user_dir,
        )
        files = {
            sc.image: data,
            sc.mask: _encode(".png", result.mask),
            sc.thumbnail or "": _encode(".jpg", make_thumbnail(image, result.mask), [cv2.IMWRITE_JPEG_QUALITY, 88]),
        }
        self._write_atomically(sc, files)
        log.info("imported %s as %r (%s, confidence %.2f)", path, sc.id, sc.category, result.confidence)
        return _entry(sc, False, self.user_dir / f"{sc.id}.json")

    def _write_atomically(self, sc: Sidecar, files: dict[str, bytes]) -> None:
        """Stage every file in a temporary folder inside the catalog, then move them in, sidecar last."""
        created_dir = not self.user_dir.exists()
        try:
            self.user_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GarmentError(f"{self.user_dir}: cannot create the catalog folder ({error.strerror})") from error
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.user_dir))
        moved: list[Path] = []
        try:
            for file_name, payload in files.items():
                (staging / file_name).write_bytes(payload)
            sidecars.write(replace(sc, folder=self.user_dir), staging / f"{sc.id}.json")
            for file_name in [*files, f"{sc.id}.json"]:
                target = self.user_dir / file_name
                if target.exists():
                    raise GarmentError(f"{target}: already exists; remove it or import under another --name")
                (staging / file_name).replace(target)
                moved.append(target)
        except (OSError, GarmentError) as error:
            for target in moved:
                target.unlink(missing_ok=True)
            if created_dir:
                shutil.rmtree(self.user_dir, ignore_errors=True)
            if isinstance(error, GarmentError):
                raise
            raise GarmentError(f"{self.user_dir}: cannot write the garment ({error.strerror})") from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def remove(self, garment_id: str) -> GarmentEntry:
        """Delete a user garment's files (sidecar first, so a half-removed garment is gone)."""
        entry = self.find(garment_id)
        if entry.bundled:
            raise GarmentError(f"{garment_id!r} is bundled with LiveFit and cannot be removed")
        sc = sidecars.read(entry.sidecar_path)
        entry.sidecar_path.unlink()
        for path in (sc.image_path, sc.mask_path, sc.thumbnail_path):
            if path is not None and path.parent == self.user_dir:
                path.unlink(missing_ok=True)
        log.info("removed %r", garment_id)
        return entry
