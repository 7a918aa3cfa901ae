"""BSN validation: 9 digits passing the 11-proef (9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 mod 11)."""

from __future__ import annotations

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def normalise_bsn(raw: str) -> str:
    """Strip spaces, dots and dashes people type; keep leading zeros."""
    return "".join(ch for ch in raw.strip() if ch not in " .-")


def is_valid_bsn(bsn: str) -> bool:
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit() or bsn == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(WEIGHTS, bsn, strict=True)) % 11 == 0


def bsn_check_digit(first_eight: str) -> str | None:
    """The ninth digit that makes ``first_eight`` a valid BSN, or None when no digit does.

    Used by the demo generator to make valid numbers.
    """
    partial = sum(w * int(d) for w, d in zip(WEIGHTS[:8], first_eight, strict=True))
    digit = partial % 11
    if digit > 9:
        return None
    candidate = first_eight + str(digit)
    return candidate if is_valid_bsn(candidate) else None
