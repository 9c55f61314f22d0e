"""The kiosk's configuration: a `[kiosk]` table in a TOML file, checked strictly before start.

A kiosk is set up once and then left alone, so a typo must stop it at start with a message that
names the file, the key and what is expected — never run half-configured. Every key has a
default except the admin PIN (there is no safe default for a lock). Unknown keys are errors
(`idle_secs` would otherwise be silently ignored), and so are garment ids the catalog lacks.
No Qt here: the command line checks the file before any window opens.

    [kiosk]
    title = "LiveFit"                 # shown on the attract screen and the top bar
    accent = "#7aa2ff"                # "#RRGGBB"
    logo = "logo.png"                 # relative to this file; optional
    idle_seconds = 30                 # nobody in view this long: the attract screen
    reset_seconds = 20                # nobody in view and no touch this long: session reset
    stall_seconds = 2                 # no processed frame this long: "out of order"
    retry_seconds = 2                 # first retry delay when out of order (doubles to 60 s)
    admin_keys = "Ctrl+Alt+Shift+K"   # opens the PIN pad
    pin_pbkdf2 = "pbkdf2_sha256$..."  # from `livefit --kiosk-pin`; required
    garments = ["tee-navy", ...]      # subset and order of the catalog; default: all
    default_garment = "tee-navy"      # default: the first of `garments`

    [kiosk.camera]   source = "0", size = "1280x720", device = "auto", mirror = true, mirror_print = false,
                     overlap = true
    [kiosk.capture]  enabled = true, countdown_seconds = 3, show_seconds = 6, save = false, folder = "…"
    [kiosk.attract]  message = "Step in front of the mirror", slide_seconds = 4
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import paths
from app.errors import LiveFitError
from app.imageformat import HeaderError, image_info, sniff_format
from app.kiosk.pin import PinFormatError, PinHash

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (3.10)
    import tomli as tomllib

FILE_NAME = "kiosk.toml"
DEFAULT_ACCENT = "#7aa2ff"  # app.gui.style.ACCENT (not imported: that module loads Qt)
MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
DEVICES = ("auto", "cuda", "cpu")  # models.session.DEVICES, without loading onnxruntime here
LOGO_FORMATS = ("PNG", "JPEG", "WebP", "BMP")
MAX_LOGO_SIDE = 4096
MAX_LOGO_BYTES = 16 * 1024 * 1024
MAX_TITLE = 40
MAX_MESSAGE = 80


class KioskConfigError(LiveFitError):
    """The kiosk config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CameraConfig:
    source: str = "0"
    """A camera number, "demo", or a video file (looped)."""
    size: tuple[int, int] | None = None
    """Requested (width, height); None: the camera's own."""
    device: str = "auto"
    mirror: bool = True
    mirror_print: bool = False
    """With `mirror`: garments drawn mirrored, so their printed text reads the right way round."""
    overlap: bool = True
    """On the CPU, pose the next frame while this one is drawn: more frames a second, each a little later."""


@dataclass(frozen=True)
class CaptureConfig:
    enabled: bool = True
    countdown_seconds: float = 3.0
    """"3, 2, 1" before the photo, so the shopper's hand is out of the picture."""
    show_seconds: float = 6.0
    save: bool = False
    """Privacy by default: a photo is shown and then discarded unless this is true."""
    folder: Path | None = None
    """Where saved photos go (save = true); None: Pictures/LiveFit."""


@dataclass(frozen=True)
class AttractConfig:
    message: str = "Step in front of the mirror"
    slide_seconds: float = 4.0


@dataclass(frozen=True)
class KioskConfig:
    path: Path | None = None
    """The file this came from; None when built in code (tests)."""
    title: str = "LiveFit"
    accent: str = DEFAULT_ACCENT
    logo: Path | None = None
    idle_seconds: float = 30.0
    reset_seconds: float = 20.0
    stall_seconds: float = 2.0
    retry_seconds: float = 2.0
    admin_keys: str = "Ctrl+Alt+Shift+K"
    pin: PinHash | None = None
    garments: tuple[str, ...] = ()
    """The carousel, in order; empty: the whole catalog in its own order."""
    default_garment: str | None = None
    camera: CameraConfig = field(default_factory=CameraConfig)
    capture: CaptureConfig = field(default_factory=CaptureConfig)
    attract: AttractConfig = field(default_factory=AttractConfig)

    def carousel(self, catalog_ids: list[str]) -> list[str]:
        """The garments the kiosk offers, in order."""
        return list(self.garments) if self.garments else catalog_ids

    def first_garment(self, catalog_ids: list[str]) -> str | None:
        offered = self.carousel(catalog_ids)
        return self.default_garment or (offered[0] if offered else None)


def default_config_path() -> Path:
    return paths.user_data_dir() / FILE_NAME


# --- value checks: each returns the value or raises _Invalid(what was expected) ---------------


class _Invalid(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


Check = Callable[[Any, Path], Any]


def _seconds(low: float, high: float) -> Check:
    def check(value: Any, _base: Path) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise _Invalid(f"a number of seconds ≥ {low:g} and ≤ {high:g}")
        return float(value)
    return check


def _boolean(value: Any, _base: Path) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _text(limit: int) -> Check:
    def check(value: Any, _base: Path) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise _Invalid(f"a text of 1 to {limit} characters")
        return value.strip()
    return check


def _colour(value: Any, _base: Path) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise _Invalid('a colour as "#RRGGBB"')
    return value.lower()


def _file(base: Path, value: Any, expected: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(expected)
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _logo(value: Any, base: Path) -> Path:
    expected = (f"a {', '.join(LOGO_FORMATS)} image of at most {MAX_LOGO_SIDE} pixels a side, absolute or "
                "relative to this file")
    path = _file(base, value, expected)
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            raise _Invalid(f"{expected}; {path} is too large")
        data = path.read_bytes()
    except OSError as error:
        raise _Invalid(f"{expected}; {path}: {error.strerror or error}") from None
    # Checked here, not when the window loads it: a logo that cannot be shown stops the start.
    fmt = sniff_format(data[:16])
    if fmt not in LOGO_FORMATS:
        raise _Invalid(f"{expected}; {path} is not one of those formats")
    try:
        info = image_info(fmt, data)
    except HeaderError as error:
        raise _Invalid(f"{expected}; {path}: {error}") from None
    if not info.complete or max(info.width, info.height) > MAX_LOGO_SIDE:
        raise _Invalid(f"{expected}; {path} is {'cut off' if not info.complete else 'too large'}")
    return path


def _folder(value: Any, base: Path) -> Path:
    return _file(base, value, "a folder path, absolute or relative to this file")


def _keys(value: Any, _base: Path) -> str:
    expected = ('a key combination of at least two of Ctrl, Alt, Shift, Meta and one letter, digit or '
                'F1-F12, e.g. "Ctrl+Alt+Shift+K"')
    if not isinstance(value, str):
        raise _Invalid(expected)
    parts = [part.strip() for part in value.split("+")]
    modifiers, key = parts[:-1], parts[-1].upper()
    known = {m.lower(): m for m in MODIFIERS}
    if (len(modifiers) < 2 or len({m.lower() for m in modifiers}) != len(modifiers)
            or any(m.lower() not in known for m in modifiers)
            or not re.fullmatch(r"[A-Z0-9]|F([1-9]|1[0-2])", key)):
        raise _Invalid(expected)
    return "+".join([*(known[m.lower()] for m in modifiers), key])


def _pin(value: Any, _base: Path) -> PinHash:
    if not isinstance(value, str):
        raise _Invalid("a PIN hash string from `livefit --kiosk-pin`")
    try:
        return PinHash.parse(value)
    except PinFormatError as error:
        raise _Invalid(str(error)) from error


def _garment_list(value: Any, _base: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _Invalid("a non-empty list of garment ids, e.g. [\"tee-navy\", \"hoodie-marl\"]")
    duplicates = sorted({v for v in value if value.count(v) > 1})
    if duplicates:
        raise _Invalid(f"each garment once; listed twice: {', '.join(duplicates)}")
    return tuple(value)


def _garment_id(value: Any, _base: Path) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid("a garment id (see `livefit garments list`)")
    return value


def _source(value: Any, base: Path) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid('a camera number ("0"), "demo", or a video file')
    if value == "demo" or (value.isascii() and value.isdigit()):
        return value
    path = _file(base, value, "a video file")
    if not path.is_file():
        raise _Invalid(f'a camera number ("0"), "demo", or a video file; {path} does not exist')
    return str(path)


def _size(value: Any, _base: Path) -> tuple[int, int] | None:
    expected = 'a size as "WIDTHxHEIGHT" (e.g. "1280x720"), or "" for the camera\'s own'
    if not isinstance(value, str):
        raise _Invalid(expected)
    if value == "":
        return None
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", value.lower())
    if not match or min(int(match[1]), int(match[2])) < 64:
        raise _Invalid(expected)
    return int(match[1]), int(match[2])


def _device(value: Any, _base: Path) -> str:
    if value not in DEVICES:
        raise _Invalid(" or ".join(f'"{d}"' for d in DEVICES))
    return str(value)


# --- the schema: TOML key -> (dataclass field, check) -----------------------------------------

_TOP: dict[str, tuple[str, Check]] = {
    "title": ("title", _text(MAX_TITLE)),
    "accent": ("accent", _colour),
    "logo": ("logo", _logo),
    "idle_seconds": ("idle_seconds", _seconds(5, 3600)),
    "reset_seconds": ("reset_seconds", _seconds(5, 3600)),
    "stall_seconds": ("stall_seconds", _seconds(0.5, 60)),
    "retry_seconds": ("retry_seconds", _seconds(0.5, 300)),
    "admin_keys": ("admin_keys", _keys),
    "pin_pbkdf2": ("pin", _pin),
    "garments": ("garments", _garment_list),
    "default_garment": ("default_garment", _garment_id),
}
_TABLES: dict[str, tuple[type, dict[str, tuple[str, Check]]]] = {
    "camera": (CameraConfig, {"source": ("source", _source), "size": ("size", _size),
                              "device": ("device", _device), "mirror": ("mirror", _boolean),
                              "mirror_print": ("mirror_print", _boolean), "overlap": ("overlap", _boolean)}),
    "capture": (CaptureConfig, {"enabled": ("enabled", _boolean),
                                "countdown_seconds": ("countdown_seconds", _seconds(0, 10)),
                                "show_seconds": ("show_seconds", _seconds(1, 60)),
                                "save": ("save", _boolean), "folder": ("folder", _folder)}),
    "attract": (AttractConfig, {"message": ("message", _text(MAX_MESSAGE)),
                                "slide_seconds": ("slide_seconds", _seconds(1, 60))}),
}


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent

    def error(self, key: str, message: str) -> KioskConfigError:
        return KioskConfigError(f"{self.path}: key `{key}`: {message}")

    def unknown(self, key: str, known: Collection[str]) -> KioskConfigError:
        name = key.rpartition(".")[2]
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(sorted(known))}"
        return KioskConfigError(f"{self.path}: unknown key `{key}` ({hint})")

    def table(self, prefix: str, values: Mapping[str, Any],
              schema: dict[str, tuple[str, Check]], tables: Collection[str] = ()) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key in tables:
                continue
            if key not in schema:
                raise self.unknown(f"{prefix}.{key}", [*schema, *tables])
            name, check = schema[key]
            try:
                out[name] = check(value, self.base)
            except _Invalid as invalid:
                raise self.error(f"{prefix}.{key}", f"expected {invalid.expected}, got {value!r}") from None
        return out


def parse_config(text: str, path: Path, catalog_ids: Collection[str]) -> KioskConfig:
    """A checked config from TOML text; `catalog_ids`: the garments the catalog has."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KioskConfigError(f"{path}: not valid TOML: {error}") from None
    reader = _Reader(path)
    for key in document:
        if key != "kiosk":
            raise reader.unknown(key, ["kiosk"])
    kiosk = document.get("kiosk")
    if not isinstance(kiosk, dict):
        raise KioskConfigError(f"{path}: no [kiosk] table: the kiosk's settings go under a [kiosk] heading")
    values = reader.table("kiosk", kiosk, _TOP, _TABLES)
    for name, (kind, schema) in _TABLES.items():
        if name not in kiosk:
            continue
        if not isinstance(kiosk[name], dict):
            raise reader.error(f"kiosk.{name}", f"expected a table ([kiosk.{name}]), got {kiosk[name]!r}")
        values[name] = kind(**reader.table(f"kiosk.{name}", kiosk[name], schema))
    config = KioskConfig(path=path, **values)
    _check_garments(config, reader, catalog_ids)
    return config


def _check_garments(config: KioskConfig, reader: _Reader, catalog_ids: Collection[str]) -> None:
    missing = [g for g in config.garments if g not in catalog_ids]
    if missing:
        raise reader.error("kiosk.garments", f"not in the catalog: {', '.join(missing)} "
                                             "(see `livefit garments list`)")
    default = config.default_garment
    if default is not None:
        offered = config.garments or tuple(catalog_ids)
        if default not in offered:
            where = "`kiosk.garments`" if config.garments else "the catalog"
            raise reader.error("kiosk.default_garment", f"expected one of the garments in {where}, got {default!r}")
    if not config.carousel(list(catalog_ids)):
        raise KioskConfigError(f"{reader.path}: the catalog has no garments to offer; add some with "
                               "`livefit garments add PHOTO`")


def load_config(path: Path, catalog_ids: Collection[str], *, require_pin: bool = True) -> KioskConfig:
    """Read and check `path`; a missing file means every default (the PIN is still required)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
        config = parse_config("[kiosk]\n", path, catalog_ids)
    except (OSError, UnicodeDecodeError) as error:
        raise KioskConfigError(f"{path}: cannot read the kiosk config ({error})") from None
    else:
        config = parse_config(text, path, catalog_ids)
    if require_pin and config.pin is None:
        what = "has no" if text else "does not exist, so there is no"
        raise KioskConfigError(
            f"{path}: {what} `kiosk.pin_pbkdf2`: kiosk mode locks its exit with an admin PIN; run "
            f"`livefit --kiosk-pin` and put the line it prints under [kiosk] in {path}")
    return config


def config_keys() -> list[str]:
    """Every key the file may hold (for the README's reference and its test)."""
    keys = [f"kiosk.{key}" for key in _TOP]
    for name, (_kind, schema) in _TABLES.items():
        keys += [f"kiosk.{name}.{key}" for key in schema]
    return keys

