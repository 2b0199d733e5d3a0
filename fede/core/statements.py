"""SQL compiled once by the ORM, run many times: for the few hot queries whose compilation
costs more than their execution.

Building and compiling a queryset (a visibility rule of many ``Q``, two joined models of
forty columns) can take a millisecond or two; on a page read a hundred times a second,
with a statement that only changes with a few values, that is the first cost to go. The
one way to do it:

    from fede.core.statements import Slot, bind, compiled

    def _statement(alias):
        qs = Member.objects.using(alias).filter(user_id=Slot("user", IntegerField()))
        return compiled(("member_of_user", alias), lambda: sql_of(qs))

    sql, params = _statement(alias)
    cursor.execute(sql, bind(params, {"user": user.pk}, alias))

- The statement is written by the ORM (``sql_of``, ``where_of``), never by hand: the
  same joins, quoting and conditions as the queryset it stands for. A test compares the
  rows with the queryset's (each use has one).
- ``Slot`` marks a value given at execution (an id, an instant): the SQL kept is the same
  for every request. Anything else the statement depends on goes in the key of
  :func:`compiled` (the database alias always; a reader's scope when the statement holds
  a visibility rule).
- What is kept is SQL text and parameters, never rows: it decides nothing that a request
  does not recompute from its key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import DateField, DateTimeField, Expression

from .memo import TimedCache

_STATEMENTS = TimedCache(ttl=None, max_size=4096)


class Slot(Expression):
    """A value given when a statement compiled once runs (:func:`bind`)."""

    def __init__(self, name: str, output_field=None):
        super().__init__(output_field=output_field or DateTimeField())
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


def bind(params: Iterable, values: dict, using: str = "default") -> list:
    """``params`` with each :class:`Slot` replaced by its value, adapted as the ORM would
    (instants and dates for the database's driver)."""
    ops = connections[using].ops
    bound = []
    for param in params:
        if isinstance(param, Slot):
            value = values[param.name]
            if isinstance(param.output_field, DateTimeField):
                value = ops.adapt_datetimefield_value(value)
            elif isinstance(param.output_field, DateField):
                value = ops.adapt_datefield_value(value)
            param = value
        bound.append(param)
    return bound


def compiled(key: tuple, build: Callable[[], tuple]) -> tuple:
    """The statement kept for ``key`` (which holds the database alias and everything the
    statement depends on), or ``build()`` — once per process."""
    return _STATEMENTS.get(key, build)


def sql_of(queryset) -> tuple[str, tuple]:
    """The SQL and parameters of ``queryset`` on its database."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def where_of(query, using: str = "default") -> tuple[str, tuple]:
    """The WHERE condition of ``query`` alone ("" when it has none, a false condition
    when it can match nothing), to be written into a statement around it."""
    try:
        sql, params = query.get_compiler(using=using).compile(query.where)
    except FullResultSet:
        return "", ()
    except EmptyResultSet:
        return "1 = 0", ()
    return sql, tuple(params)
