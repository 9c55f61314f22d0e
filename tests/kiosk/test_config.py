"""The kiosk config file and the admin PIN hash: defaults, strict checks, one-line errors."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.kiosk.config import (
    CameraConfig,
    CaptureConfig,
    KioskConfig,
    KioskConfigError,
    config_keys,
    load_config,
    parse_config,
)
from app.kiosk.pin import DEFAULT_ITERATIONS, PinFormatError, PinHash, hash_pin

REPO = Path(__file__).resolve().parents[2]
CATALOG = ["tee-navy", "hoodie-marl", "tank-sage"]
PIN_HASH = str(hash_pin("1234", iterations=10_000))


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_only_the_pin_gives_every_default(tmp_path: Path) -> None:
    path = write(tmp_path, f'[kiosk]\npin_pbkdf2 = "{PIN_HASH}"\n')
    config = load_config(path, CATALOG)
    assert config.pin is not None and config.pin.verify("1234") and not config.pin.verify("1235")
    assert dataclasses.replace(config, pin=None) == KioskConfig(path=path)
    assert config.capture.save is False  # private by default
    assert config.carousel(CATALOG) == CATALOG and config.first_garment(CATALOG) == "tee-navy"


def test_every_key_is_read(tmp_path: Path) -> None:
    logo = tmp_path / "brand" / "logo.png"
    logo.parent.mkdir()
    cv2.imwrite(str(logo), np.zeros((20, 40, 3), np.uint8))
    path = write(tmp_path, f"""
[kiosk]
title = "Acme Mirror"
accent = "#FF8800"
logo = "brand/logo.png"
idle_seconds = 45
reset_seconds = 12.5
stall_seconds = 3
retry_seconds = 1
admin_keys = "ctrl+shift+F9"
pin_pbkdf2 = "{PIN_HASH}"
garments = ["tank-sage", "tee-navy"]
default_garment = "tee-navy"

[kiosk.camera]
source = 1
size = "1280x720"
device = "cpu"
mirror = false
mirror_print = true
overlap = false

[kiosk.capture]
enabled = true
countdown_seconds = 0
show_seconds = 8
save = true
folder = "photos"

[kiosk.attract]
message = "Try it on!"
slide_seconds = 6
""")
    config = load_config(path, CATALOG)
    assert (config.title, config.accent, config.logo) == ("Acme Mirror", "#ff8800", logo)
    assert (config.idle_seconds, config.reset_seconds, config.stall_seconds, config.retry_seconds) == (45, 12.5, 3, 1)
    assert config.admin_keys == "Ctrl+Shift+F9"
    assert config.carousel(CATALOG) == ["tank-sage", "tee-navy"] and config.first_garment(CATALOG) == "tee-navy"
    assert config.camera == CameraConfig(source="1", size=(1280, 720), device="cpu", mirror=False,
                                         mirror_print=True, overlap=False)
    assert config.capture == CaptureConfig(enabled=True, countdown_seconds=0, show_seconds=8, save=True,
                                           folder=tmp_path / "photos")
    assert (config.attract.message, config.attract.slide_seconds) == ("Try it on!", 6)


BAD = [
    ('[kiosk]\nidle_seconds = "soon"', "key `kiosk.idle_seconds`: expected a number of seconds ≥ 5 and ≤ 3600, "
                                       "got 'soon'"),
    ("[kiosk]\nidle_seconds = 2", "key `kiosk.idle_seconds`: expected a number of seconds ≥ 5"),
    ("[kiosk]\nreset_seconds = true", "key `kiosk.reset_seconds`: expected a number of seconds ≥ 5"),
    ("[kiosk]\nstall_seconds = 0.1", "key `kiosk.stall_seconds`: expected a number of seconds ≥ 0.5"),
    ('[kiosk]\naccent = "blue"', 'key `kiosk.accent`: expected a colour as "#RRGGBB", got \'blue\''),
    ('[kiosk]\ntitle = ""', "key `kiosk.title`: expected a text of 1 to 40 characters"),
    ('[kiosk]\nlogo = "missing.png"', "key `kiosk.logo`: expected a PNG, JPEG, WebP, BMP image of at most 4096 "
                                       "pixels a side, absolute or relative to this file; "),
    ('[kiosk]\nlogo = "kiosk.toml"', "kiosk.toml is not one of those formats, got 'kiosk.toml'"),
    ('[kiosk]\nadmin_keys = "Ctrl+Q"', "key `kiosk.admin_keys`: expected a key combination of at least two"),
    ('[kiosk]\nadmin_keys = "Ctrl+Hyper+Q"', "key `kiosk.admin_keys`: expected a key combination"),
    ('[kiosk]\npin_pbkdf2 = "1234"', "key `kiosk.pin_pbkdf2`: expected a hash made by `livefit --kiosk-pin`"),
    ('[kiosk]\npin_pbkdf2 = "pbkdf2_sha256$100$00112233445566778899$' + "ab" * 32 + '"',
     "with at least 10000 iterations"),
    ('[kiosk]\npin_pbkdf2 = "pbkdf2_sha256$20000$zz$' + "ab" * 32 + '"', "salt and hash are hexadecimal"),
    ('[kiosk]\ngarments = ["tee-navy", "ghost"]', "key `kiosk.garments`: not in the catalog: ghost"),
    ('[kiosk]\ngarments = ["tee-navy", "tee-navy"]', "key `kiosk.garments`: expected each garment once"),
    ("[kiosk]\ngarments = []", "key `kiosk.garments`: expected a non-empty list of garment ids"),
    ('[kiosk]\ngarments = ["tee-navy"]\ndefault_garment = "tank-sage"',
     "key `kiosk.default_garment`: expected one of the garments in `kiosk.garments`, got 'tank-sage'"),
    ('[kiosk]\ndefault_garment = "ghost"', "key `kiosk.default_garment`: expected one of the garments in the catalog"),
    ('[kiosk.camera]\nsize = "big"', 'key `kiosk.camera.size`: expected a size as "WIDTHxHEIGHT"'),
    ('[kiosk.camera]\ndevice = "gpu"', 'key `kiosk.camera.device`: expected "auto" or "cuda" or "cpu", got \'gpu\''),
    ('[kiosk.camera]\nsource = "clip.mp4"', "clip.mp4 does not exist"),
    ("[kiosk.capture]\nshow_seconds = 0", "key `kiosk.capture.show_seconds`: expected a number of seconds ≥ 1"),
    ('[kiosk.capture]\nsave = "yes"', "key `kiosk.capture.save`: expected true or false, got 'yes'"),
    ("[kiosk]\nidle_secs = 30", "unknown key `kiosk.idle_secs` (did you mean `idle_seconds`?)"),
    ("[kiosk.camra]\nsize = ''", "unknown key `kiosk.camra` (did you mean `camera`?)"),
    ("[kiosk.capture]\nsave_photos = true",
     "unknown key `kiosk.capture.save_photos` (known keys: countdown_seconds, enabled, folder, save, show_seconds)"),
    ('[kiosk]\ncamera = "0"', "key `kiosk.camera`: expected a table ([kiosk.camera]), got '0'"),
    ("[kiosks]\n", "unknown key `kiosks` (did you mean `kiosk`?)"),
    ("title = 'x'\n", "unknown key `title`"),
    ("", "no [kiosk] table"),
    ("[kiosk\n", "not valid TOML: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_a_bad_file_is_refused_with_the_file_the_key_and_what_is_expected(tmp_path: Path, text: str,
                                                                          message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(KioskConfigError) as caught:
        parse_config(text, path, CATALOG)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_pin_is_required_and_the_message_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(KioskConfigError, match=r"does not exist, so there is no `kiosk.pin_pbkdf2`.*"
                                               r"livefit --kiosk-pin"):
        load_config(tmp_path / "kiosk.toml", CATALOG)
    path = write(tmp_path, "[kiosk]\ntitle = 'Shop'\n")
    with pytest.raises(KioskConfigError, match=r"has no `kiosk\.pin_pbkdf2`"):
        load_config(path, CATALOG)
    assert load_config(tmp_path / "missing.toml", CATALOG, require_pin=False) == KioskConfig(
        path=tmp_path / "missing.toml")


def test_an_empty_catalog_cannot_run_a_kiosk(tmp_path: Path) -> None:
    with pytest.raises(KioskConfigError, match="the catalog has no garments"):
        parse_config("[kiosk]\n", tmp_path / "k.toml", [])


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xff\xfe[kiosk]")
    with pytest.raises(KioskConfigError, match="cannot read the kiosk config"):
        load_config(path, CATALOG)


def test_the_schema_covers_every_setting() -> None:
    keys = config_keys()
    assert "kiosk.pin_pbkdf2" in keys and "kiosk.capture.save" in keys
    top = {f.name for f in dataclasses.fields(KioskConfig)} - {"path", "camera", "capture", "attract"}
    assert {k.split(".")[1] for k in keys if k.count(".") == 1} == (top - {"pin"}) | {"pin_pbkdf2"}
    for table, kind in (("camera", CameraConfig), ("capture", CaptureConfig)):
        assert {k.split(".")[2] for k in keys if k.startswith(f"kiosk.{table}.")} == \
            {f.name for f in dataclasses.fields(kind)}


# --- the PIN ---------------------------------------------------------------------------------


def test_a_pin_hash_round_trips_and_checks_in_constant_time() -> None:
    hashed = hash_pin("902114", iterations=10_000)
    text = str(hashed)
    assert text.startswith("pbkdf2_sha256$10000$") and "902114" not in text
    parsed = PinHash.parse(text)
    assert parsed == hashed and parsed.verify("902114") and not parsed.verify("902115")
    assert repr(parsed) == "PinHash(iterations=10000)"  # logs and tracebacks never show the hash
    assert hash_pin("1234").iterations == DEFAULT_ITERATIONS
    assert str(hash_pin("1234", 10_000)) != str(hash_pin("1234", 10_000))  # salted


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "١٢٣٤"])
def test_a_pin_is_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(PinFormatError):
        hash_pin(pin, iterations=10_000)


def test_the_pin_helper_prints_the_config_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "app.kiosk.pin", "--stdin"], input="4321\n", cwd=REPO,
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('pin_pbkdf2 = "pbkdf2_sha256$')
    config = parse_config(f"[kiosk]\n{line}\n", tmp_path / "k.toml", CATALOG)
    assert config.pin is not None and config.pin.verify("4321")
    bad = subprocess.run([sys.executable, "-m", "app.kiosk.pin", "--stdin"], input="12\n", cwd=REPO,
                         capture_output=True, text=True, check=False, timeout=60)
    assert bad.returncode == 2 and bad.stderr == "pin: error: a PIN is 4 to 12 digits\n"


def test_a_logo_that_cannot_be_shown_stops_the_start(tmp_path: Path) -> None:
    ok, encoded = cv2.imencode(".png", np.full((60, 200, 3), 200, np.uint8))
    assert ok
    (tmp_path / "logo.png").write_bytes(encoded.tobytes()[: len(encoded) // 2])
    with pytest.raises(KioskConfigError, match=r"key `kiosk\.logo`: .*logo\.png is cut off"):
        parse_config('[kiosk]\nlogo = "logo.png"\n', tmp_path / "kiosk.toml", CATALOG)
