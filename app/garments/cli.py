"""`livefit garments add|list|check|remove`: the garment catalog from the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import cv2
import numpy as np

from app.errors import GarmentError
from app.garments.analyze import analyze, disagreements
from app.garments.catalog import Catalog, load_garment
from app.garments.model import Garment
from app.garments.imageio import load_image
from app.garments.model import CATEGORIES, LANDMARK_NAMES, Point
from app.garments.overlay import draw_overlay, mask_preview

log = logging.getLogger(__name__)


def add_subparser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `garments` and its sub-commands on the top-level parser."""
    parser = subparsers.add_parser(
        "garments",
        help="import, list, check and remove garments",
        description="The garment catalog: bundled garments plus your own folder of imported photos.",
    )
    parser.add_argument(
        "--catalog",
        metavar="DIR",
        type=Path,
        help="user catalog folder (default: $LIVEFIT_CATALOG_DIR, else the platform's user data folder)",
    )
    sub = parser.add_subparsers(dest="garments_command", metavar="ACTION")
    add = sub.add_parser("add", help="import product photos into the catalog")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="photo(s): PNG, JPEG, WebP or BMP")
    add.add_argument("--name", help="display name (one photo only)")
    add.add_argument("--category", choices=CATEGORIES, help="override the category guessed from the sleeves")
    sub.add_parser("list", help="list bundled and imported garments")
    check = sub.add_parser("check", help="show what was understood about a photo, sidecar or catalog id")
    check.add_argument("target", metavar="PATH", help="a photo, a sidecar .json, or a catalog id")
    check.add_argument("--out", type=Path, metavar="DIR", help="write the mask and a landmark overlay here")
    remove = sub.add_parser("remove", help="remove an imported garment")
    remove.add_argument("id", metavar="ID")
    parser.set_defaults(func=handle, garments_parser=parser)


def handle(args: argparse.Namespace) -> int:
    catalog = Catalog.default(args.catalog)
    command = getattr(args, "garments_command", None)
    if command == "add":
        return _add(catalog, args.paths, args.name, args.category)
    if command == "list":
        return _list(catalog)
    if command == "check":
        return _check(catalog, args.target, args.out)
    if command == "remove":
        entry = catalog.remove(args.id)
        sys.stdout.write(f"removed {entry.id} ({entry.name})\n")
        return 0
    args.garments_parser.print_help()
    return 2


def _add(catalog: Catalog, photos: list[Path], name: str | None, category: str | None) -> int:
    if name is not None and len(photos) > 1:
        raise GarmentError("--name can only be given with a single photo")
    failed: list[str] = []
    for photo in photos:
        try:
            entry = catalog.add(photo, name=name, category=category)
        except GarmentError as error:
            if len(photos) == 1:
                raise
            log.error("%s", error)
            failed.append(str(photo))
            continue
        sys.stdout.write(f"{entry.id}\t{entry.name}\t{entry.category}\tconfidence {entry.confidence:.2f}\n")
        for warning in entry.warnings:
            sys.stdout.write(f"  note: {warning}\n")
    if failed:
        raise GarmentError(f"{len(failed)} of {len(photos)} photos were not imported: {', '.join(failed)}")
    return 0


def _list(catalog: Catalog) -> int:
    entries = catalog.list()
    rows = [("ID", "NAME", "CATEGORY", "CONF", "FROM")]
    rows += [(e.id, e.name, e.category, f"{e.confidence:.2f}", "bundled" if e.bundled else "user") for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    sys.stdout.write(f"{len(entries)} garments; user catalog: {catalog.user_dir}\n")
    for problem in catalog.problems:
        sys.stdout.write(f"skipped: {problem}\n")
    return 0


def _describe(title: str, category: str, sleeve: str, confidence: float, landmarks: dict[str, Point],
              notes: tuple[str, ...]) -> str:
    lines = [title, f"  category   {category} (sleeves: {sleeve})", f"  confidence {confidence:.2f}"]
    lines += [f"  note       {n}" for n in notes]
    lines.append("  landmarks (x, y in image pixels; left = the wearer's left = image right):")
    for name in LANDMARK_NAMES:
        if name in landmarks:
            x, y = landmarks[name]
            lines.append(f"    {name:<20} {x:7.1f} {y:7.1f}")
    return "\n".join(lines) + "\n"


def _agreement(garment: Garment, source: str) -> str:
    """How a fresh automatic detection compares with the stored landmarks."""
    fresh = analyze(garment.rgba[:, :, :3], Path(source))
    ys = np.flatnonzero(garment.mask.any(axis=1))
    height = float(ys.max() - ys.min()) if ys.size else float(garment.mask.shape[0])
    differ = disagreements(garment.landmarks, fresh.landmarks, height)
    if not differ:
        return "  automatic detection agrees with every stored landmark\n"
    listed = ", ".join(f"{name} ({share:.0%} of the height)" for name, share in differ.items())
    return f"  automatic detection differs at: {listed}; check these\n"


def _check(catalog: Catalog, target: str, out: Path | None) -> int:
    """Show what is stored (a sidecar or a catalog id) or what a photo would give, and draw it."""
    path = Path(target)
    if path.is_file() and path.suffix.lower() != ".json":
        image = load_image(path).pixels[:, :, :3]
        result = analyze(image, path)
        text = _describe(f"{path}: analysed (nothing stored)", result.category, result.sleeve_kind.value,
                         result.confidence, result.landmarks, result.notes)
        mask, landmarks, stem = result.mask, result.landmarks, path.stem
    else:
        if path.is_file():
            sidecar_path, bundled = path, False
        else:
            entry = catalog.find(target)
            sidecar_path, bundled = entry.sidecar_path, entry.bundled
        garment = load_garment(sidecar_path, bundled)
        text = _describe(f"{sidecar_path}: stored garment {garment.id!r} ({garment.name})", garment.category,
                         garment.sleeve_kind.value, garment.confidence, garment.landmarks, garment.warnings)
        text += _agreement(garment, str(sidecar_path))
        image, mask, landmarks, stem = garment.rgba[:, :, :3], garment.mask, garment.landmarks, garment.id
    sys.stdout.write(text)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GarmentError(f"{out}: cannot create the output folder ({error.strerror})") from error
        overlay = draw_overlay(image, mask, landmarks, caption=stem)
        for name, picture in ((f"{stem}.mask.png", mask_preview(mask)), (f"{stem}.overlay.png", overlay)):
            if not cv2.imwrite(str(out / name), picture):
                raise GarmentError(f"{out / name}: could not write the picture")
        sys.stdout.write(f"wrote {out / (stem + '.mask.png')} and {out / (stem + '.overlay.png')}\n")
    return 0
