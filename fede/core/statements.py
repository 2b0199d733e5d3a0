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

When the rows are wanted as the queryset gives them, :func:`values` (a ``values_list``
queryset: tuples) and :func:`instances` (a model queryset, ``select_related`` and
annotations included) compile it once and convert each row as the ORM does:

    rows = values(("app.page", alias), lambda: Comment.objects.using(alias).filter(
        paragraph_id=Slot("paragraph", IntegerField())).values_list("pk", "text"),
        {"paragraph": paragraph.pk}, alias)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import DateField, DateTimeField, Expression
from django.db.models.query import get_related_populators

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


@dataclass(frozen=True)
class _Compiled:
    """A queryset compiled once: its SQL, and what turns a row into what the queryset
    yields (its select list, the models it builds, its annotations' columns)."""

    query: Any
    sql: str
    params: tuple
    columns: list
    #: Some column's value needs a conversion on this backend (e.g. SQLite's dates).
    converted: bool
    select: list
    klass_info: dict | None
    annotation_col_map: dict | None


def _compile(queryset) -> _Compiled | None:
    """None when the queryset can match nothing (as the ORM, which then runs no query)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    return _Compiled(
        query=queryset.query,
        sql=sql,
        params=tuple(params),
        columns=columns,
        converted=bool(compiler.get_converters(columns)),
        select=compiler.select,
        klass_info=compiler.klass_info,
        annotation_col_map=compiler.annotation_col_map,
    )


def prepared_cursor(connection):
    """A cursor that sends the values apart from the SQL on PostgreSQL (psycopg 3).

    A statement compiled once then has the same text on every call, and psycopg prepares
    it on the connection after a few runs (``prepare_threshold``, 5 by default): PostgreSQL
    stops parsing and planning it on each request, which for these joined reads costs more
    than running them (1 to 2 ms of planning for under 1 ms of work). Django's own queries
    keep the default cursor, values written into the SQL. ``OPTIONS: {"prepare_threshold":
    None}`` (a pooler in transaction mode that does not follow prepared statements)
    turns preparing off: the values are still sent apart. Queries are logged and counted
    as any other (the connection's own cursor wrapper)."""
    if connection.vendor != "postgresql" or connection.features.uses_server_side_binding:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _execute(
    key: tuple, build: Callable, slots: dict, using: str, prepared: bool = True
) -> tuple[_Compiled | None, list]:
    statement = compiled(key, lambda: _compile(build()))
    if statement is None:
        return None, []
    connection = connections[using]
    with prepared_cursor(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(statement.sql, bind(statement.params, slots, using))
        rows = cursor.fetchall()
    if statement.converted:
        # The converters are the connection's own functions: taken again on each call.
        compiler = statement.query.get_compiler(connection=connection)
        converters = compiler.get_converters(statement.columns)
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return statement, rows


def values(
    key: tuple, build: Callable, slots: dict, using: str = "default", *, prepared: bool = True
) -> list[tuple]:
    """The rows of the ``values_list`` queryset ``build()`` returns (compiled once per
    ``key``; its :class:`Slot` given by ``slots``), as tuples converted as the ORM does.
    ``prepared=False``: run without preparing it on PostgreSQL (see :func:`prepared_cursor`), for a
    statement whose best plan depends on its values."""
    return _execute(key, build, slots, using, prepared)[1]


def instances(
    key: tuple, build: Callable, slots: dict, using: str = "default", *, prepared: bool = True
) -> list:
    """The model instances of the queryset ``build()`` returns (compiled once per ``key``;
    its :class:`Slot` given by ``slots``): the same objects the queryset builds, with their
    ``select_related`` objects and annotations, for the statement's cost alone.
    ``prepared``: as for :func:`values`."""
    statement, rows = _execute(key, build, slots, using, prepared)
    if not rows:
        return []
    info, select = statement.klass_info, statement.select
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    init_list = [selected[0].target.attname for selected in select[start:end]]
    populators = get_related_populators(info, select, using)
    model, annotations = info["model"], statement.annotation_col_map or {}
    objects = []
    for row in rows:
        obj = model.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects
