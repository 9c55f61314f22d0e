"""The one place that configures logging."""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_cli_logging(verbose: bool = False) -> None:
    """Log to stderr: warnings by default, debug with --verbose."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=_FORMAT, force=True)
    # onnxruntime and others are chatty at INFO; keep our own INFO lines (active device, files).
    for name in ("onnxruntime", "PIL", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)
