"""`livefit evaluate`: the figures the try-on issue asks for, reproducible from the command line.

- `evaluate tryon DATA --out DIR`: every person photo with a parse map in DATA (VITON-HD's
  image-parse-v3 and the CIHP labels) × every catalog garment: share of the person's old
  upper-clothes pixels still visible, face/hair and bare-arm pixels left untouched (the
  definitions of ../shared/tools/tryon_metrics.py), the garment painted past the body onto the
  background ("spill", over the old top's size; labelled maps only), a contact sheet of the
  renders and a second sheet with the wearer's old top that still shows painted red.
  The label maps have classes, not people: on a group photo the garment goes on one person while
  everyone's tops count, so the same figures are also given over the wearer alone: the labelled
  pixels inside the dressed person's own segmentation from the pose model and nearer the body
  under their labelled face than under anyone else's. People standing shoulder to shoulder share
  one segmentation (and the pose detector can miss one of them), so without the second rule a
  neighbour's top counted as the wearer's: most of the "visible" share on CIHP 0012008 was the
  sweater of the man beside her. Over the wearer the old top is also measured counting a pixel
  covered when the render of the garment or of its half-turned colours (`contrast_of`) changed
  it: a stripe of the new garment in the old top's colour leaves the pixel alone, yet the garment
  is what shows there.
- `evaluate stability --source IMAGE|FOLDER --garment ID [ID …]|all`: each photo fed as a
  300-frame video with fresh sensor-like noise per frame, for each garment; garment control-point
  jitter (RMS px) and mean absolute frame difference inside the garment, and over a folder the
  median and largest jitter per garment.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

import cv2
import numpy as np

from app.errors import LiveFitError
from app.garments.catalog import Catalog
from app.garments.model import Garment, SleeveKind
from app.made_masks import grabcut_top
from app.outputs.atomic import write_bytes_atomic
from app.outputs.overlay import encode_image
from app.pipeline.frame import FramePipeline, FrameResult
from app.pipeline.overlap import each_frame
from app.sources import read_image
from app.sources.images import list_images
from models.parsing.labels import Label
from models.pose import BlazePose as B

log = logging.getLogger(__name__)

CHANGED, KEPT = 25, 12  # grey levels, as in tryon_metrics.py
VISIBLE_COLOUR = (0, 0, 255)  # BGR: the old top still showing, on the visible sheet
UPPER, HEAD, ARMS, FACE = (5, 6, 7), (13, 2, 1, 4), (14, 15), 13
NOISE_SIGMA = 3.0  # grey levels of per-frame sensor noise
STABILITY_FRAMES = 300
SETTLING_FRAMES = 30  # frames left out at the start, while the filters settle
STABILITY_SIZE = (1280, 720)
WEARER_PROBABILITY = 0.5
WEARER_GROW = 0.01  # × the image's longer side: the segmentation's edge is soft
MIN_FACE_PIXELS = 30  # labelled face blobs smaller than this are not taken for a person
BODY_FACES = 6.0  # × a face's size: how far below it the body axis a pixel is measured to reaches


def add_subparser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="try-on quality and stability figures")
    sub = parser.add_subparsers(dest="evaluation", metavar="WHAT", required=True)
    tryon = sub.add_parser("tryon", help="coverage/occlusion for every labelled person × garment")
    tryon.add_argument("data", type=Path, help="folder holding people/ (e.g. ../shared/data)")
    tryon.add_argument("--out", type=Path, required=True, help="folder for the contact sheets and the figures (JSON)")
    tryon.set_defaults(func=evaluate_tryon)
    stability = sub.add_parser("stability", help="jitter and flicker on a still photo with sensor noise")
    stability.add_argument("--source", type=Path, required=True, help="a photo of a person, or a folder of them")
    stability.add_argument("--garment", required=True, nargs="+", metavar="ID",
                           help="catalog garment ids, or 'all' for every garment in the catalog")
    stability.add_argument("--frames", type=int, default=STABILITY_FRAMES)
    stability.set_defaults(func=evaluate_stability)


def _people(data: Path) -> list[tuple[Path, Path | None]]:
    """Each person photo and its labelled parse map: VITON-HD's image-parse-v3 and CIHP's labels;
    None for the VITON-HD photos without one (their top's mask is made: `made_masks`)."""
    pairs: list[tuple[Path, Path | None]] = []
    viton = data / "people" / "vitonhd"
    for image in sorted((viton / "image").glob("*.jpg")):
        labels = viton / "image-parse-v3" / f"{image.stem}.png"
        pairs.append((image, labels if labels.exists() else None))
    for labels in sorted((data / "people" / "cihp" / "labels").glob("*.png")):
        pairs.append((data / "people" / "cihp" / "images" / f"{labels.stem}.jpg", labels))
    return [(image, labels) for image, labels in pairs if image.exists()]


def _read_labels(path: Path) -> np.ndarray:
    from PIL import Image  # label maps are palette PNGs; pillow is in the dev extra

    return np.asarray(Image.open(path))


def contrast_of(garment: Garment) -> Garment:
    """The same garment (same cloth mask and landmarks, so the same fit) with every channel turned
    half way round its range (v → v + 128 mod 256): each channel then differs from the garment's
    own by 128, so against any old top one of the two differs by at least 64 in every channel.
    The colour negative (255 − v) did not: a mid-grey garment is its own negative, and a grey
    marl over a grey top counted 14 % of the top as visible where the garment covered it."""
    rgba = garment.rgba.copy()
    rgba[..., :3] += np.uint8(128)  # uint8 arithmetic wraps: mod 256
    return dataclasses.replace(garment, id=f"{garment.id}-contrast", rgba=rgba)


def changed_by(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose largest channel difference between two (H, W, 3) uint8 images
    exceeds CHANGED grey levels (tryon_metrics.py's "changed")."""
    return np.abs(after.astype(int) - before.astype(int)).max(2) > CHANGED


def tryon_figures(before: np.ndarray, after: np.ndarray, labels: np.ndarray,
                  after_contrast: np.ndarray | None = None, background_known: bool = True) -> dict[str, float | None]:
    """The shares of tryon_metrics.py; with `after_contrast` (the same render of the garment in
    its half-turned colours, `contrast_of`) the old top's share is also given with a pixel counted
    as covered when either render changed it: a white stripe over a white shirt leaves the pixel's
    colour alone, but it is the garment that is seen there. And `spill`: the background pixels
    (label 0) the render changed, over the old top's pixel count — garment painted past the body
    (onto the wall, or a neighbour when the labels are the wearer's alone); None unless
    `background_known` (a made mask's 0 is everything but the top)."""
    diff = np.abs(after.astype(int) - before.astype(int)).max(2)
    changed, kept = diff > CHANGED, diff <= KEPT

    def share(mask: np.ndarray, ids: tuple[int, ...]) -> float | None:
        region = np.isin(labels, ids)
        return float(mask[region].mean()) if region.any() else None

    covered = share(changed, UPPER)
    top_pixels = int(np.isin(labels, UPPER).sum())
    figures = {"upper_visible": None if covered is None else 1.0 - covered, "face_hair_kept": share(kept, HEAD),
               "arms_kept": share(kept, ARMS),
               "spill": float((changed & (labels == 0)).sum()) / top_pixels if background_known and top_pixels else None}
    if after_contrast is not None:
        either = changed | changed_by(before, after_contrast)
        covered = share(either, UPPER)
        figures["upper_visible_either"] = None if covered is None else 1.0 - covered
    return figures


def visible_overlay(before: np.ndarray, after: np.ndarray, after_contrast: np.ndarray,
                    labels: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: the render `after` with the old top's pixels that neither it nor the
    contrast's render changed (what `upper_visible_either` counts) painted VISIBLE_COLOUR: where
    the coverage fails, at a glance. All images (H, W, 3) uint8 BGR, labels (H, W) CIHP ids."""
    unchanged = ~(changed_by(before, after) | changed_by(before, after_contrast))
    overlay = after.copy()
    overlay[unchanged & np.isin(labels, UPPER)] = VISIBLE_COLOUR
    return overlay


def _sheet(rows: list[list[np.ndarray]], height: int = 240) -> np.ndarray:
    """One image of `rows` of (H, W, 3) images, each scaled to `height`, rows padded to one width."""
    strips = [np.hstack([cv2.resize(image, (int(image.shape[1] * height / image.shape[0]), height))
                         for image in row]) for row in rows]
    width = max(strip.shape[1] for strip in strips)
    return np.vstack([cv2.copyMakeBorder(strip, 0, 0, 0, width - strip.shape[1], cv2.BORDER_CONSTANT)
                      for strip in strips])


def _own_body(labels: np.ndarray, nose: np.ndarray) -> np.ndarray | None:
    """(H, W) bool: the pixels nearer the body below the labelled face nearest `nose` (x, y
    frame pixels) than below any other labelled face, or None with fewer than two faces (nobody
    to tell the wearer from). A body is taken as a vertical axis from the face's centre down
    BODY_FACES face sizes; distances are in face sizes, so a near, large person and a far, small
    one split the space by their sizes."""
    count, _, stats, centres = cv2.connectedComponentsWithStats((labels == FACE).astype(np.uint8))
    faces = [(centres[i], float(np.sqrt(stats[i, cv2.CC_STAT_AREA]))) for i in range(1, count)
             if stats[i, cv2.CC_STAT_AREA] >= MIN_FACE_PIXELS]
    if len(faces) < 2:
        return None
    ys, xs = np.mgrid[0:labels.shape[0], 0:labels.shape[1]].astype(np.float32)
    distances = []
    for (cx, cy), size in faces:
        below = np.clip(ys - cy, 0.0, BODY_FACES * size)  # the nearest point of the axis
        distances.append(np.hypot(xs - cx, ys - cy - below) / size)
    wearer = int(np.argmin([np.hypot(*(centre - nose)) for centre, _ in faces]))
    return np.argmin(distances, axis=0) == wearer


def _wearer_labels(labels: np.ndarray, result) -> np.ndarray:
    """The label map with everyone but the dressed person set to background (0)."""
    person = result.perception.pose.primary
    if person is None:
        return np.zeros_like(labels)
    height, width = labels.shape
    mine = (person.mask(width, height) > WEARER_PROBABILITY).astype(np.uint8)
    grow = max(1, int(WEARER_GROW * max(height, width)))
    mine = cv2.dilate(mine, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))) > 0
    own = _own_body(labels, person.landmarks[B.NOSE])
    if own is not None:
        mine &= own
    return np.where(mine, labels, 0).astype(labels.dtype)


def evaluate_tryon(args: argparse.Namespace) -> int:
    people = _people(args.data)
    if not people:
        raise LiveFitError(f"{args.data}: no person photos found under people/")
    catalog = Catalog.default()
    garments = [catalog.load(entry.id) for entry in catalog.list()]
    rows, visible_rows, results = [], [], []
    with FramePipeline(static_image_mode=True) as pipeline:
        for number, (image_path, labels_path) in enumerate(people, 1):
            log.info("person %d of %d: %s", number, len(people), image_path.name)
            image = read_image(image_path)
            if labels_path is None:
                person = pipeline.perception.process(image).pose.primary
                if person is None:
                    log.warning("%s: nobody found to make a mask of the top for; left out", image_path.name)
                    continue
                labels = np.where(grabcut_top(image, person), Label.UPPER_CLOTHES, Label.BACKGROUND).astype(np.uint8)
            else:
                labels = _read_labels(labels_path)
            if labels.shape != image.shape[:2]:
                labels = cv2.resize(labels, image.shape[1::-1], interpolation=cv2.INTER_NEAREST)
            row, visible_row = [image], [image]
            for garment in garments:
                renders = []
                for worn in (contrast_of(garment), garment):
                    pipeline.set_garment(worn)
                    pipeline.reset()
                    renders.append(pipeline.process(image))
                contrast, result = renders[0].output, renders[1]
                render = result.output
                wearer_labels = _wearer_labels(labels, result)
                known = labels_path is not None
                figures = tryon_figures(image, render, labels, contrast, known)
                wearer = tryon_figures(image, render, wearer_labels, contrast, known)
                results.append({"person": image_path.stem, "mask_made": labels_path is None, "garment": garment.id,
                                "sleeves": garment.sleeve_kind.value, "drawn": result.drawn, **figures,
                                **{f"wearer_{key}": value for key, value in wearer.items()}})
                row.append(render)
                visible_row.append(visible_overlay(image, render, contrast, wearer_labels))
            rows.append(row)
            visible_rows.append(visible_row)
    write_bytes_atomic(args.out / "contact_sheet.png", encode_image(".png", _sheet(rows)))
    write_bytes_atomic(args.out / "visible_sheet.png", encode_image(".png", _sheet(visible_rows)))
    write_bytes_atomic(args.out / "tryon_figures.json", json.dumps(results, indent=1).encode())
    out = sys.stdout
    out.write(f"{'person':<10} {'garment':<22} {'sleeves':<7} {'upper visible':>13} {'(wearer)':>8} "
              f"{'(either)':>8} {'face/hair kept':>14} {'arms kept':>9} {'spill':>6}\n")
    for r in results:
        fmt = lambda v: "    -" if v is None else f"{v:5.3f}"  # noqa: E731
        person = r["person"] + ("*" if r["mask_made"] else "")
        out.write(f"{person:<10} {r['garment']:<22} {r['sleeves']:<7} {fmt(r['upper_visible']):>13} "
                  f"{fmt(r['wearer_upper_visible']):>8} {fmt(r['wearer_upper_visible_either']):>8} "
                  f"{fmt(r['face_hair_kept']):>14} {fmt(r['arms_kept']):>9} {fmt(r['wearer_spill']):>6}"
                  + ("" if r["drawn"] else "  (not drawn)") + "\n")
    groups: dict[tuple[bool, str], list[dict]] = {}
    for r in results:
        groups.setdefault((r["mask_made"], r["sleeves"]), []).append(r)
    for (made, kind), rs in sorted(groups.items()):
        values = lambda key: [r[key] for r in rs if r[key] is not None and r["drawn"]]  # noqa: E731
        if not values("upper_visible"):
            continue
        kept = [f"min face/hair kept {min(values('face_hair_kept')):.3f}"] if values("face_hair_kept") else []
        if kind == SleeveKind.NONE.value and values("arms_kept"):
            kept.append(f"min arms kept {min(values('arms_kept')):.3f}")
        if values("wearer_spill"):
            kept.append(f"median spill {np.median(values('wearer_spill')):.3f}")
        out.write(f"{kind}{', masks made (*)' if made else ''} (drawn renders): median upper visible "
                  f"{np.median(values('upper_visible')):.3f}, over the wearer "
                  f"{np.median(values('wearer_upper_visible')):.3f} "
                  f"({np.median(values('wearer_upper_visible_either')):.3f} counting either colour)"
                  + "".join(f", {k}" for k in kept) + "\n")
    if any(r["mask_made"] for r in results):
        out.write("*: no labelled parse map; the top's mask made by GrabCut seeded from the pose (app/made_masks.py), "
                  "so only the old top's share is measured\n")
    out.write(f"contact sheet: {args.out / 'contact_sheet.png'}; the wearer's old top still visible, in red: "
              f"{args.out / 'visible_sheet.png'}\n")
    return 0


@dataclasses.dataclass(frozen=True)
class Stability:
    frames: int  # frames measured (after the filters settle)
    jitter_px: float  # RMS distance of the garment's torso control points from their mean
    flicker: float  # mean absolute difference between consecutive outputs inside the garment, grey levels


def stability_of(photo: np.ndarray, garment: Garment, frames: int = STABILITY_FRAMES) -> Stability | None:
    """The (H, W, 3) uint8 BGR photo centred on a 1280×720 canvas, as a camera would frame someone
    standing still, fed as `frames` frames with fresh noise in each; None if nobody is tracked."""
    width, height = STABILITY_SIZE
    scale = min(width / photo.shape[1], height / photo.shape[0])
    size = (int(photo.shape[1] * scale), int(photo.shape[0] * scale))
    resized = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
    canvas = np.full((height, width, 3), 128, np.uint8)
    x0, y0 = (width - resized.shape[1]) // 2, (height - resized.shape[0]) // 2
    canvas[y0:y0 + resized.shape[0], x0:x0 + resized.shape[1]] = resized
    rng = np.random.default_rng(0)
    points, outputs = [], []
    # Overlapped as the mirror runs frames (the same pictures, ~¼ sooner on 2 cores).
    with FramePipeline(garment=garment, overlapped=True) as pipeline:
        def deliver(result: FrameResult, index: int) -> None:
            fit = pipeline.renderer.last_fit  # this frame's: frames are rendered one at a time, in order
            if fit is not None and index >= SETTLING_FRAMES:
                points.append(fit.body_points.copy())
                outputs.append(result.output)

        noisy = (np.clip(canvas + rng.normal(0, NOISE_SIGMA, canvas.shape), 0, 255).astype(np.uint8)
                 for _ in range(frames))
        each_frame(pipeline, ((frame, index / 30.0, index) for index, frame in enumerate(noisy)), deliver)
    if len(points) < 2:
        return None
    stack = np.stack(points)
    jitter = float(np.sqrt(((stack - stack.mean(0)) ** 2).sum(-1).mean()))
    garment_mask = changed_by(canvas, outputs[0])
    flicker = float(np.mean([np.abs(b.astype(int) - a.astype(int))[garment_mask].mean()
                             for a, b in zip(outputs, outputs[1:])]))
    return Stability(len(points), jitter, flicker)


def evaluate_stability(args: argparse.Namespace) -> int:
    photos = list_images(args.source) if args.source.is_dir() else [args.source]
    if not photos:
        raise LiveFitError(f"{args.source}: no photos in this folder")
    catalog = Catalog.default()
    ids = [entry.id for entry in catalog.list()] if args.garment == ["all"] else args.garment
    garments = [catalog.load(garment_id) for garment_id in ids]  # unknown ids fail before the long runs
    summaries = []
    for garment in garments:
        jitters = []
        for number, path in enumerate(photos, 1):
            log.info("%s: photo %d of %d: %s", garment.id, number, len(photos), path.name)
            figures = stability_of(read_image(path), garment, args.frames)
            if figures is None:
                if len(photos) == 1:
                    raise LiveFitError(f"{path}: no person tracked, nothing to measure")
                sys.stdout.write(f"{path.name} + {garment.id}: no person tracked\n")
                continue
            jitters.append(figures.jitter_px)
            sys.stdout.write(f"{path.name} + {garment.id}: {figures.frames} frames after {SETTLING_FRAMES} settling, "
                             f"control-point jitter {figures.jitter_px:.3f} px RMS, mean |frame difference| inside "
                             f"the garment {figures.flicker:.2f} grey levels (sensor noise alone: σ {NOISE_SIGMA})\n")
        if len(photos) > 1 and jitters:
            summaries.append(f"{garment.id}: {len(jitters)} photos, jitter median {np.median(jitters):.3f}, "
                             f"max {max(jitters):.3f} px RMS")
            sys.stdout.write(summaries[-1] + "\n")
    if len(summaries) > 1:
        sys.stdout.write("all garments:\n" + "".join(f"  {line}\n" for line in summaries))
    return 0
