"""Dataset generators, one module per app, run in the order of the app layers.

Each module ``bench/datasets/<app>.py`` provides:

``generate(conn, ctx)``
    writes the app's rows with ``ctx.copy(Model, columns, rows)`` (PostgreSQL ``COPY``),
    reading what earlier generators left in ``ctx.shared`` and leaving its own there,
    and records what the load run needs (ids of objects, users to log in as) in
    ``ctx.targets[<app>]``;

``pages(targets) -> list[bench.pages.Page]``
    the app's key pages for the load run, built from those targets.

A module may skip itself (``ctx.skip(reason)``) when its app has no models yet. Adding a
capability to the benchmark means adding one module here and its name to ``PLUGINS``.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models

from bench.scales import Scale

#: Generators in layer order (an app may read what the ones before it wrote).
PLUGINS = [
    "organization",
    "rooms",
    "events",
    "kits",
    "consultations",
    "convention",
    "ballots",
    "practices",
    "website",
]


def load_plugin(name: str):
    return importlib.import_module(f"bench.datasets.{name}")


class SkipPlugin(Exception):
    """Raised by ``ctx.skip``: the app has nothing to generate (yet)."""


@dataclass
class Context:
    conn: object  # psycopg.Connection
    scale: Scale
    seed: int
    now: datetime.datetime
    log: callable = print
    #: Per app: what the load run needs (JSON-serialisable).
    targets: dict = field(default_factory=dict)
    #: In-memory results an app leaves for the apps after it (not serialised).
    shared: dict = field(default_factory=dict)
    #: Rows written per table.
    counts: dict = field(default_factory=dict)
    #: Seconds spent per app.
    timings: dict = field(default_factory=dict)
    #: Apps skipped, with the reason.
    skipped: dict = field(default_factory=dict)
    models_written: list = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localtime(self.now).date()

    def rng(self, name: str) -> random.Random:
        """A generator of its own per name, so one app's changes don't shift another's data."""
        return random.Random(f"{self.seed}:{name}")  # noqa: S311 — test data, not secrets

    def skip(self, reason: str):
        raise SkipPlugin(reason)

    def copy(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        """COPY ``rows`` (tuples in the order of ``columns``) into ``model``'s table.

        Concrete fields left out get their model default (or NULL when nullable, or
        ``now`` for auto_now fields), so a field added later to a model with a default
        doesn't break the generator; a required field without default raises.
        """
        from psycopg import sql
        from psycopg.types.json import Jsonb

        opts = model._meta
        by_name = {}
        for f in opts.concrete_fields:
            by_name[f.name] = f
            by_name[f.attname] = f
        given = [by_name[c] for c in columns]
        given_set = {f.attname for f in given}
        extra_fields, extra_values, per_row = [], [], []
        for f in opts.concrete_fields:
            if f.attname in given_set:
                continue
            if f.unique and f.has_default() and callable(f.default):
                # A unique default (uuid4, a token): one value per row.
                per_row.append(f)
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.now
            elif f.has_default():
                value = f.get_default()
                if isinstance(value, models.Model):
                    value = value.pk
            elif f.null:
                value = None
            elif f.blank and f.empty_strings_allowed:
                value = ""
            elif isinstance(f, models.AutoField | models.BigAutoField):
                raise ValueError(f"{opts.label}: give the ids explicitly")
            else:
                raise ValueError(f"{opts.label}.{f.name}: required field left out of the dataset")
            if isinstance(f, models.JSONField) and value is not None:
                value = Jsonb(value)
            extra_fields.append(f)
            extra_values.append(value)
        all_fields = given + per_row + extra_fields
        if per_row:
            makers = [f.default for f in per_row]
            rows = (row + tuple(make() for make in makers) for row in rows)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(opts.db_table),
            sql.SQL(", ").join(sql.Identifier(f.column) for f in all_fields),
        )
        extra = tuple(extra_values)
        n = 0
        with self.conn.cursor() as cur, cur.copy(statement) as cp:
            write = cp.write_row
            if extra:
                for row in rows:
                    write(row + extra)
                    n += 1
            else:
                for row in rows:
                    write(row)
                    n += 1
        self.counts[opts.db_table] = self.counts.get(opts.db_table, 0) + n
        if model not in self.models_written:
            self.models_written.append(model)
        return n

    def copy_timed(self, model, columns, rows) -> int:
        start = time.perf_counter()
        n = self.copy(model, columns, rows)
        self.log(f"  {model._meta.db_table}: {n:,} lignes en {time.perf_counter() - start:.1f} s")
        return n
