"""`python -m models.export`: rebuild models/*.onnx and models/manifest.json from the mediapipe wheel.

Steps: fetch `mediapipe==0.10.21` with `pip download --no-deps` into a cache (never installed),
read each `.tflite` out of the wheel (a zip), re-express it as a torch module, export ONNX,
simplify it with onnxslim (folds the explicit SAME pads into the convolutions), write a CPU twin
rewritten for onnxruntime's CPU provider (models/export/cpu_fusion.py) and
write the manifest the app verifies at load time.
"""

from __future__ import annotations

import argparse
import logging
import sys

from models.export.build import EXPORTS, export_all, rebuild_cpu_variants
from models.export.compose_graph import add_to_manifest as export_compose_graph
from models.export.wheel import fetch_wheel

log = logging.getLogger("models.export")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.export", description=__doc__.splitlines()[0])
    parser.add_argument("--download-only", action="store_true", help="only fetch the mediapipe wheel into the cache")
    parser.add_argument("--only", choices=sorted(EXPORTS), action="append", help="export just these models")
    parser.add_argument("--cpu-variants-only", action="store_true",
                        help="only rebuild the CPU twins from the exported .onnx files (no re-export)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.cpu_variants_only:
        rebuild_cpu_variants()
        return 0
    wheel = fetch_wheel()
    if args.download_only:
        log.info("wheel ready: %s", wheel)
        return 0
    export_all(wheel, args.only)
    if not args.only:
        export_compose_graph()  # the renderer's device compositor (no wheel needed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
