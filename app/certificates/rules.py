"""Pure rules for certificates: the code people type from paper, and what a certificate's status is on a day."""
import enum
import hashlib
import hmac
import re
from datetime import date

# Crockford's base32: no I, L, O or U, so a code read off paper cannot be mistyped as a look-alike letter.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 28  # 28 x 5 = 140 bits
GROUP = 4
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
MAX_TYPED = 80  # anything longer is not a code, whatever it holds


class Status(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def code_from_bytes(secret: bytes) -> str:
    """The first 140 bits of `secret` as a 28-character code."""
    if len(secret) * 8 < CODE_LENGTH * 5:
        raise ValueError("a code needs at least 140 bits")
    number = int.from_bytes(secret, "big") >> (len(secret) * 8 - CODE_LENGTH * 5)
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def derive_code(key: bytes, nonce: bytes) -> str:
    """The code for a certificate: a keyed hash of its random 128-bit nonce, so the database alone never holds it."""
    return code_from_bytes(hmac.new(key, b"cpm-certificate:" + nonce, hashlib.sha256).digest())


def grouped(code: str) -> str:
    """'ABCD-EFGH-...': easier to read aloud and to type from paper."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str | None) -> str | None:
    """A typed or scanned code in its canonical form, or None when it cannot be a code."""
    if not typed or len(typed) > MAX_TYPED:
        return None
    text = _SEPARATORS.sub("", typed).upper().translate(_LOOK_ALIKES)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def code_hash(code: str) -> str:
    """What the database keeps: the SHA-256 of the canonical code, in hex."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def status_on(day: date, expires_on: date | None, revoked: bool, superseded: bool) -> Status:
    """Revoked wins over superseded, which wins over expired. A certificate is expired on its expiry date."""
    if revoked:
        return Status.REVOKED
    if superseded:
        return Status.SUPERSEDED
    if expires_on is not None and day >= expires_on:
        return Status.EXPIRED
    return Status.VALID


def hours_label(minutes: int) -> str:
    """'6 hours', '1 hour', '3.5 hours', '45 minutes'."""
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes / 60
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return "1 hour" if text == "1" else f"{text} hours"
