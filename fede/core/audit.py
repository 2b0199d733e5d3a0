"""The two trails: what was read (access log) and what was written (audit).

Both store an **action code with parameters** (``"members.export"``, ``{"rows": 120}``),
declared with its translatable text in the app's ``registry.py`` and rendered in the
reader's language when shown. Both carry the path of the unit the data belongs to
(``scope_path``), so a reader sees only the entries of their own scope
(``AccessLog.objects.within(paths)``).

Parameters hold ids, counts, unit names and codes, never a person's name: the trail of an
erased member must not keep who they were.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .access import is_system
from .models import AccessLog, AuditEntry


def scope_of(obj: Any) -> str:
    """The unit path an object belongs to: its own ``path``, or its ``permission_unit``'s."""
    if obj is None:
        return ""
    path = getattr(obj, "path", None)
    if isinstance(path, str):
        return path
    unit = getattr(obj, "permission_unit", None)
    return getattr(unit, "path", "") or ""


def _actor(actor):
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def log_access(
    *,
    actor,
    action: str,
    code: str,
    params: Mapping[str, Any] | None = None,
    obj: models.Model | None = None,
    scope: Any = None,
    row_count: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AccessLog:
    """One line of the access log: who read or exported what, how many rows, when.

    ``scope`` (a unit, or anything :func:`scope_of` understands) defaults to ``obj``'s.
    """
    return AccessLog.objects.create(
        actor=_actor(actor),
        action=action,
        code=code,
        params=_jsonable(dict(params or {})),
        scope_path=scope_of(scope if scope is not None else obj),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        row_count=row_count,
        detail=_jsonable(dict(detail or {})),
    )


def changed_fields(instance: models.Model, data: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [before, after]}`` for the values of ``data`` that differ on ``instance``."""
    changes = {}
    for name, new in data.items():
        old = getattr(instance, name, None)
        if isinstance(old, models.Model) or isinstance(new, models.Model):
            old_cmp = getattr(old, "pk", old)
            new_cmp = getattr(new, "pk", new)
        else:
            old_cmp, new_cmp = old, new
        if old_cmp != new_cmp:
            changes[name] = [_jsonable(old_cmp), _jsonable(new_cmp)]
    return changes


def audit(
    *,
    actor,
    code: str,
    obj: models.Model | None = None,
    params: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    scope: Any = None,
) -> AuditEntry:
    """Record one sensitive write (call it inside the service's transaction)."""
    return AuditEntry.objects.create(
        actor=_actor(actor),
        by_system=is_system(actor),
        code=code,
        params=_jsonable(dict(params or {})),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        scope_path=scope_of(scope if scope is not None else obj),
        changes=_jsonable(dict(changes or {})),
    )


def redact(objects: Iterable[models.Model]) -> int:
    """Keep only ids in the trails about ``objects`` (after a person's erasure).

    The changed values and the free parameters go; the action, its date, its author and
    the object's id stay, so the trail still says *that* something happened.
    """
    total = 0
    for obj in objects:
        label, pk = obj._meta.label_lower, str(obj.pk)
        total += AuditEntry.objects.filter(object_type=label, object_id=pk).update(
            changes={}, params={}
        )
        entries = AccessLog.objects.filter(object_type=label, object_id=pk)
        total += entries.update(params={}, what="")
        # The anonymisation's own entry keeps its detail: a digest of the membership number
        # (no personal data) that stops an old file from bringing the person back.
        entries.exclude(action=AccessLog.Action.ANONYMISE).update(detail={})
    return total
