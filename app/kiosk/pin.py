"""The admin PIN: stored only as a salted PBKDF2 hash, checked in constant time.

    livefit --kiosk-pin                # asks for the PIN twice, prints the line for kiosk.toml
    echo 2468 | livefit --kiosk-pin    # reads it from standard input when that is not a terminal
    python -m app.kiosk.pin [--stdin]  # the same, from a source checkout

The config holds `pin_pbkdf2 = "pbkdf2_sha256$ITERATIONS$SALT$HASH"` (salt and hash in hex), the
format Django and passlib use, so a leaked config file does not give the PIN away cheaply.
PINs are 4 to 12 digits: the kiosk's PIN pad is a touch keypad.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 200_000
"""About 0.1 s per check on a shop PC: once per PIN attempt, and slow to brute-force offline."""
MIN_ITERATIONS = 10_000
SALT_BYTES = 16
MIN_SALT_HEX = 16
HASH_HEX = 64  # sha256
PIN_DIGITS = (4, 12)
EXPECTED = f"a hash made by `livefit --kiosk-pin`: \"{SCHEME}$ITERATIONS$SALT$HASH\""


class PinFormatError(ValueError):
    """A PIN or PIN hash that does not follow the rules; the message says what is expected."""


def check_pin(pin: str) -> str:
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise PinFormatError(f"a PIN is {low} to {high} digits")
    return pin


@dataclass(frozen=True)
class PinHash:
    iterations: int
    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> PinHash:
        parts = text.split("$")
        if len(parts) != 4 or parts[0] != SCHEME:
            raise PinFormatError(EXPECTED)
        _, iterations, salt, digest = parts
        if not iterations.isdigit() or int(iterations) < MIN_ITERATIONS:
            raise PinFormatError(f"{EXPECTED} with at least {MIN_ITERATIONS} iterations")
        try:
            salt_bytes, digest_bytes = bytes.fromhex(salt), bytes.fromhex(digest)
        except ValueError as error:
            raise PinFormatError(f"{EXPECTED}; salt and hash are hexadecimal") from error
        if len(salt) < MIN_SALT_HEX or len(digest) != HASH_HEX:
            raise PinFormatError(f"{EXPECTED}; the salt has at least {MIN_SALT_HEX} and the hash "
                                 f"{HASH_HEX} hex digits")
        return cls(int(iterations), salt_bytes, digest_bytes)

    def verify(self, pin: str) -> bool:
        candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), self.salt, self.iterations)
        return hmac.compare_digest(candidate, self.digest)

    def __str__(self) -> str:
        return f"{SCHEME}${self.iterations}${self.salt.hex()}${self.digest.hex()}"


def hash_pin(pin: str, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None) -> PinHash:
    check_pin(pin)
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    return PinHash(iterations, salt, hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.kiosk.pin",
                                     description="Print the kiosk.toml line for an admin PIN.")
    parser.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    args = parser.parse_args(argv)
    try:
        if args.stdin:
            pin = sys.stdin.readline().strip()
        else:
            pin = getpass.getpass("Admin PIN (4-12 digits): ")
            if getpass.getpass("Again: ") != pin:
                sys.stderr.write("pin: error: the two PINs differ\n")
                return 2
        line = f'pin_pbkdf2 = "{hash_pin(pin)}"'
    except PinFormatError as error:
        sys.stderr.write(f"pin: error: {error}\n")
        return 2
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
