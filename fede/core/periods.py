"""Time spans: the one definition of "two spans overlap".

Spans are half-open, ``[start, end)``: a meeting ending at 20:00 and another starting at
20:00 do not overlap, in either order. The SQL form and the Python form say the same.
"""

from __future__ import annotations

from django.db.models import Q


def overlaps(start_a, end_a, start_b, end_b) -> bool:
    """Do ``[start_a, end_a)`` and ``[start_b, end_b)`` share an instant?"""
    return start_a < end_b and start_b < end_a


def overlap_q(start, end, *, start_field: str = "start", end_field: str = "end") -> Q:
    """Rows whose ``[start_field, end_field)`` overlaps ``[start, end)``.

    ``start`` and ``end`` may be values or expressions (``OuterRef("end")``).
    """
    return Q(**{f"{start_field}__lt": end, f"{end_field}__gt": start})
