"""LiveFit: a real-time virtual try-on mirror."""

__version__ = "0.1.0"
