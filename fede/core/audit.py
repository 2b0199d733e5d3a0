"""The access log helper: every export and bulk read of member data goes through here."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AccessLog


def log_access(
    *,
    actor,
    action: str,
    what: str,
    obj: models.Model | None = None,
    row_count: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Write one line of the access log (who, what, object, row count, when)."""
    return AccessLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        what=what[:200],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        row_count=row_count,
        detail=detail or {},
    )
