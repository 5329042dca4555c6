"""Structured payment references: ISO 11649 (RF) creditor references."""

from __future__ import annotations

import re

RF_MAX_BASE = 21


def _compact(reference: str) -> str:
    return re.sub(r"\s+", "", reference).upper()


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 remainder, letters A..Z counting as 10..35."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def rf_reference(base: str) -> str:
    """Return the ISO 11649 creditor reference of ``base``, grouped by 4.

    ``base`` may contain letters, digits and spaces (ignored); at most 21
    letters and digits. Example: ``rf_reference('539007547034')`` is
    ``'RF18 5390 0754 7034'``.

    :raises ValueError: if ``base`` is empty, too long or not alphanumeric
    """
    compact = _compact(base)
    if not compact or len(compact) > RF_MAX_BASE or not re.fullmatch(r"[0-9A-Z]+", compact):
        raise ValueError(
            f"The base of an RF reference must be 1 to {RF_MAX_BASE} letters or digits, "
            f"not {base!r}."
        )
    check = 98 - _mod97(compact + "RF00")
    reference = f"RF{check:02d}{compact}"
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def is_valid_rf(reference: str) -> bool:
    """Tell whether ``reference`` is a valid ISO 11649 reference (spaces allowed)."""
    if not isinstance(reference, str):
        return False
    compact = _compact(reference)
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,%d}" % RF_MAX_BASE, compact):
        return False
    if not 2 <= int(compact[2:4]) <= 98:  # 00, 01 and 99 are never issued
        return False
    return _mod97(compact[4:] + compact[:4]) == 1
