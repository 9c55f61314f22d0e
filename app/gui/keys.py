"""The keyboard map: one table the window binds and the help overlay shows.

Keys follow VITON_realtime, the webcam demo LiveFit replaces (`c` capture, `a`/`s`/`d`/`f` the
first four garments, `q` quit), plus mirror-app habits (arrows, F11, Esc). Holding space is
not a shortcut but a held key, and "?" is matched on the typed character (see `MainWindow`);
both are listed here so the overlay shows them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyBinding:
    action: str
    """Name of the `MainWindow` action it triggers."""
    keys: tuple[str, ...]
    """QKeySequence strings."""
    label: str
    """How the help overlay names the keys."""
    description: str


QUICK_PICK_KEYS: tuple[str, ...] = ("A", "S", "D", "F")
"""Pick the first four garments of the catalog, in order."""

BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("capture", ("C",), "C", "Take a photo"),
    KeyBinding("pick_0", ("A",), "A  S  D  F", "Wear one of the first four garments"),
    KeyBinding("pick_1", ("S",), "", ""),
    KeyBinding("pick_2", ("D",), "", ""),
    KeyBinding("pick_3", ("F",), "", ""),
    KeyBinding("next_garment", ("Right", "N"), "→  N", "Next garment"),
    KeyBinding("previous_garment", ("Left", "P"), "←  P", "Previous garment"),
    KeyBinding("mirror", ("M",), "M", "Mirror the picture on or off"),
    KeyBinding("fullscreen", ("F11",), "F11", "Full screen"),
    KeyBinding("help", ("F1",), "?  F1", "Show or hide this help"),
    KeyBinding("quit", ("Q",), "Q  Esc", "Quit"),
    KeyBinding("escape", ("Esc",), "", ""),  # closes the help first, else quits
)

HELP_TEXT = "?"
"""Also toggles the help. Matched on the typed character (see `MainWindow.keyPressEvent`):
"?" is Shift+/ on one layout and a key of its own on another, and a key sequence matches
only some of them."""

HOLD_KEY_LABEL = "Space (hold)"
HOLD_KEY_DESCRIPTION = "See yourself without the garment"


def help_rows() -> list[tuple[str, str]]:
    """(keys, what they do) in the order the overlay lists them."""
    rows = [(b.label, b.description) for b in BINDINGS if b.label]
    rows.insert(4, (HOLD_KEY_LABEL, HOLD_KEY_DESCRIPTION))  # after the garment keys
    return rows
