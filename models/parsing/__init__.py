"""Human parsing: a per-pixel label map with CIHP ids from segmentation + landmarks + colour."""

from models.parsing.labels import Label
from models.parsing.parser import HumanParser, ParseResult

__all__ = ["HumanParser", "Label", "ParseResult"]
