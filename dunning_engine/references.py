"""Structured payment references: ISO 11649 (RF) and Belgian OGM/VCS."""

from __future__ import annotations

import re

RF_MAX_BASE = 21
BE_MAX_NUMBER = 10**10 - 1


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


def _be_check(number: int) -> int:
    return number % 97 or 97


def be_structured_reference(number: int) -> str:
    """Return the Belgian structured communication of ``number`` (0..9999999999).

    The 10 digits of the number are followed by two check digits (number
    modulo 97, or 97 when that is 0): ``+++ddd/dddd/ddddd+++``.

    :raises ValueError: if ``number`` is not an integer in range
    """
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= BE_MAX_NUMBER:
        raise ValueError(
            f"A Belgian structured reference needs a number from 0 to {BE_MAX_NUMBER}, "
            f"not {number!r}."
        )
    digits = f"{number:010d}{_be_check(number):02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_valid_be_structured(reference: str) -> bool:
    """Tell whether ``reference`` is a valid Belgian structured communication.

    Accepted forms: ``+++123/4567/89002+++``, ``***123/4567/89002***`` or the
    12 digits alone; spaces are ignored.
    """
    if not isinstance(reference, str):
        return False
    match = re.fullmatch(
        r"(\+{3}|\*{3})?(\d{3})/?(\d{4})/?(\d{5})(\+{3}|\*{3})?", _compact(reference)
    )
    if match is None or match.group(1) != match.group(5):
        return False
    digits = match.group(2) + match.group(3) + match.group(4)
    return _be_check(int(digits[:10])) == int(digits[10:])
