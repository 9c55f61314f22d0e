"""Typed errors with messages a user can act on.

Every error the command line or the GUI shows to a person derives from `LiveFitError`; the
front ends print `str(error)` as one line and exit non-zero, so each message names the file or
setting involved and says what to do about it.
"""

from __future__ import annotations


class LiveFitError(Exception):
    """Base of every error LiveFit reports to a user."""


class SourceError(LiveFitError):
    """A frame source (image, folder, video, camera) cannot be opened or read."""


class InputShapeError(LiveFitError, ValueError):
    """An array handed to the pipeline has the wrong shape or dtype."""


class ModelError(LiveFitError):
    """A model file is missing, corrupted or does not match the manifest."""


class DeviceError(LiveFitError):
    """The requested compute device (e.g. CUDA) is not available."""


class GarmentError(LiveFitError):
    """A garment photo or sidecar cannot be used."""


class OutputError(LiveFitError):
    """A result cannot be written."""
