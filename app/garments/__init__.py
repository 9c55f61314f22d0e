"""The garment catalog: product photos in, wearable garments (mask, landmarks, category) out.

Modules, each owning one thing: `model` (Garment, GarmentEntry, landmark names), `imageio` (safe
photo loading), `mask` (cloth mask), `landmarks` (silhouette landmarks, sleeve length),
`neckline` (front neckline, inside of the back removed), `analyze` (the three in order, with
sanity checks), `sidecar` (the versioned JSON next to each image), `catalog` (bundled + user
garments: import, list, load, remove), `overlay` (pictures for people), `cli` (`garments ...`),
`resolve` (`--garment ID|PATH` for the run command).
"""
