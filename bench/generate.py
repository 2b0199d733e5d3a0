"""Generate a benchmark database: ``python -m bench.generate [--scale national|smoke]``.

Drops and creates the database (DATABASE_URL's name + ``_bench`` by default), runs the
migrations, then each generator of ``bench.datasets`` writes its rows with ``COPY``.
Foreign keys are checked once at the end rather than row by row, then ``VACUUM ANALYZE``.
The same seed on the same day gives the same data. What the load run needs (users to log
in as, ids of objects) is kept in the table ``bench_manifest`` of that database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import psycopg

from bench import db
from bench.scales import SCALES

MANIFEST_TABLE = "bench_manifest"


def configure_django(url: str) -> None:
    """Point Django at ``url`` with the benchmark settings (before django.setup())."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", "bench-dataset-generation")
    for name in ("FEDE_TESTING", "FEDE_DEMO", "DEBUG", "FEDE_RELAX_MFA"):
        os.environ.pop(name, None)
    import django

    django.setup()


def _reset_sequences(conn, models) -> None:
    for model in models:
        pk = model._meta.pk
        if not pk.get_internal_type().endswith("AutoField"):
            continue
        table, column = model._meta.db_table, pk.column
        conn.execute(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{column}"), 1), '
            f'MAX("{column}") IS NOT NULL) FROM "{table}"',
            [table, column],
        )


def check_foreign_keys(conn, models) -> list[str]:
    """Rows pointing to nothing (the load skipped the foreign key triggers)."""
    from django.db import models as djm

    problems = []
    for model in models:
        for f in model._meta.concrete_fields:
            if not isinstance(f, djm.ForeignKey):
                continue
            target = f.target_field
            child, parent = model._meta.db_table, f.related_model._meta.db_table
            n = conn.execute(
                f'SELECT count(*) FROM "{child}" c WHERE c."{f.column}" IS NOT NULL AND NOT EXISTS '
                f'(SELECT 1 FROM "{parent}" p WHERE p."{target.column}" = c."{f.column}")'
            ).fetchone()[0]
            if n:
                problems.append(f"{child}.{f.column}: {n} lignes sans {parent}")
    return problems


def write_manifest(url: str, manifest: dict) -> None:
    with db.connect(url, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MANIFEST_TABLE} (key text PRIMARY KEY, value jsonb)"
        )
        conn.execute(
            f"INSERT INTO {MANIFEST_TABLE} (key, value) VALUES ('manifest', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(manifest, default=str)],
        )


def read_manifest(url: str) -> dict | None:
    if not db.exists(url):
        return None
    with db.connect(url) as conn:
        found = conn.execute("SELECT to_regclass(%s)", [MANIFEST_TABLE]).fetchone()[0]
        if not found:
            return None
        row = conn.execute(f"SELECT value FROM {MANIFEST_TABLE} WHERE key = 'manifest'").fetchone()
    return row[0] if row else None


def generate(url: str, scale_name: str = "national", seed: int = 2026, log=print) -> dict:
    """Build the database at ``url`` and return its manifest."""
    from django.core.management import call_command
    from django.utils import timezone

    from bench.datasets import PLUGINS, Context, SkipPlugin, load_plugin

    scale = SCALES[scale_name]
    started = time.perf_counter()
    log(f"Base {db.database_name(url)} : suppression, création, migrations…")
    db.recreate(url)
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    log(f"  migrations : {migrated - started:.1f} s")

    with db.connect(url) as conn:
        # Consistent by construction: foreign keys are checked once at the end instead
        # of by a trigger per row.
        try:
            conn.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()  # not a superuser: the triggers check each row, slower
        conn.execute("SET synchronous_commit = off")
        ctx = Context(conn=conn, scale=scale, seed=seed, now=timezone.now(), log=log)
        for name in PLUGINS:
            t0 = time.perf_counter()
            log(f"Jeu de données « {name} »…")
            try:
                load_plugin(name).generate(conn, ctx)
            except SkipPlugin as exc:
                ctx.skipped[name] = str(exc)
                log(f"  ignoré : {exc}")
            ctx.timings[name] = round(time.perf_counter() - t0, 1)
            log(f"  {name} : {ctx.timings[name]} s")
        conn.execute("RESET session_replication_role")
        _reset_sequences(conn, ctx.models_written)
        conn.commit()
    loaded = time.perf_counter()

    log("VACUUM ANALYZE…")
    with db.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    analysed = time.perf_counter()
    with db.connect(url) as conn:
        problems = check_foreign_keys(conn, ctx.models_written)
    if problems:
        raise RuntimeError("Clés étrangères incohérentes : " + "; ".join(problems))
    finished = time.perf_counter()

    manifest = {
        "scale": scale.as_dict(),
        "seed": seed,
        "generated_at": ctx.now.isoformat(),
        "seconds": {
            "total": round(finished - started, 1),
            "migrations": round(migrated - started, 1),
            "load": round(loaded - migrated, 1),
            "vacuum_analyze": round(analysed - loaded, 1),
            "foreign_key_check": round(finished - analysed, 1),
            "per_app": ctx.timings,
        },
        "rows": ctx.counts,
        "skipped": ctx.skipped,
        "targets": ctx.targets,
        "database_size": db.size_pretty(url),
    }
    write_manifest(url, manifest)
    log(
        f"Jeu de données « {scale.name} » prêt en {manifest['seconds']['total']} s "
        f"({manifest['database_size']})."
    )
    return manifest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        help="base à (re)créer ; par défaut celle de DATABASE_URL suffixée de _bench",
    )
    parser.add_argument("--manifest-out", help="écrit aussi le manifeste dans ce fichier JSON")
    args = parser.parse_args(argv)
    try:
        url = args.database_url or db.bench_url()
    except db.NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_django(url)
    manifest = generate(url, args.scale, args.seed)
    if args.manifest_out:
        with open(args.manifest_out, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
