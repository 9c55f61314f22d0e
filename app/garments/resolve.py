"""`--garment ID|PATH`: a catalog garment by id, or a product photo analysed on the fly.

A path is analysed exactly as an import would be (mask, landmarks, category) but nothing is
written to the catalog: trying a photo on must not change the shop's catalog.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.garments.analyze import analyze
from app.garments.catalog import Catalog, slugify
from app.garments.imageio import load_image
from app.garments.model import Garment


def resolve_garment(spec: str, catalog: Catalog | None = None) -> Garment:
    path = Path(spec)
    if path.suffix and path.exists():
        image = load_image(path).pixels
        result = analyze(image, path)
        return Garment(
            id=slugify(path.stem),
            name=path.stem,
            category=result.category,
            rgba=np.dstack([image[:, :, :3], result.mask]),
            mask=result.mask,
            landmarks=dict(result.landmarks),
            sleeve_kind=result.sleeve_kind,
            confidence=result.confidence,
        )
    return (catalog or Catalog.default()).load(spec)
