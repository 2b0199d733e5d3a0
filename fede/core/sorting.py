"""Natural order of names: "Paris 2" before "Paris 10", "Paris 1er" first.

Lists sort in the database on a stored key (:func:`natural_sort_key`: each run of digits
zero-padded, accents and case folded), kept by the model's ``save()``; Python lists of
names sort with :func:`natural_key`.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"\d+")
_WIDTH = 6


def fold(text: str) -> str:
    """Lower case, without accents (for sorting and searching)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def natural_sort_key(text: str) -> str:
    """A string that sorts naturally in SQL ("paris 000002" < "paris 000010")."""
    return _DIGITS.sub(lambda m: m.group(0).zfill(_WIDTH), fold(text).strip())


def natural_key(text: str) -> tuple:
    """A key for ``sorted()``: numbers compare as numbers."""
    parts = _DIGITS.split(fold(text).strip())
    numbers = [int(n) for n in _DIGITS.findall(fold(text).strip())]
    key: list = []
    for index, part in enumerate(parts):
        key.append(part)
        if index < len(numbers):
            key.append(numbers[index])
    return tuple(key)
