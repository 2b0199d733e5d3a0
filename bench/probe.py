"""The Django side of the load run, run in its own process against a benchmark database.

``python -m bench.probe --database-url URL --out plan.json``
    looks up each page's URLs (a page whose URL name does not exist is listed as absent),
    opens a session for each simulated user (the cookie the load client will carry), and
    counts the SQL queries of one request per page through ``django.test.Client``.

``python -m bench.probe --database-url URL --profile PAGE[,PAGE] --out profile.json``
    profiles one request of each page: cProfile's heaviest functions, the slowest SQL
    statements and the plan (EXPLAIN ANALYZE) of the slowest one.

``python -m bench.probe --database-url URL --time PAGE[,PAGE] [--repeat 30]``
    times requests of each page in this process, one after the other (no concurrency):
    median and 90th percentile of the whole request and of its SQL, and the query count —
    the quick measure to check a change before a full ``make bench``. Prints a table.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

from bench import generate as gen


def all_pages(targets: dict, skipped: dict | None = None) -> list:
    from bench.datasets import PLUGINS, load_plugin
    from bench.pages import core_pages

    pages = core_pages(targets)
    for name in PLUGINS:
        if skipped and name in skipped:
            continue
        pages.extend(load_plugin(name).pages(targets))
    return pages


def resolve(pages: list, only: set[str] | None = None) -> tuple[list, list]:
    """(present, absent): each present page with its URLs per entry."""
    from django.urls import NoReverseMatch

    present, absent = [], []
    for page in pages:
        if only and page.name not in only:
            continue
        if not page.entries:
            absent.append({"name": page.name, "label": page.label, "reason": "aucune donnée"})
            continue
        try:
            urls = [page.urls(entry) for entry in page.entries]
        except NoReverseMatch:
            absent.append({"name": page.name, "label": page.label, "reason": "URL absente"})
            continue
        present.append((page, urls))
    return present, absent


class Sessions:
    """One logged-in test client per user id; its session cookie serves the load client."""

    def __init__(self):
        from django.conf import settings

        self.cookie_name = settings.SESSION_COOKIE_NAME
        self.clients = {}

    def client(self, user_id: int | None):
        from django.contrib.auth import get_user_model
        from django.test import Client

        if user_id is None:
            return Client(raise_request_exception=False)
        if user_id not in self.clients:
            client = Client(raise_request_exception=False)
            client.force_login(get_user_model().objects.get(pk=user_id))
            self.clients[user_id] = client
        return self.clients[user_id]

    def cookie(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return self.client(user_id).cookies[self.cookie_name].value


def count_queries(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: caches of the process (content types, templates…)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    return {
        "status": response.status_code,
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
        "location": response.get("Location", ""),
        "single_request_ms": round(elapsed * 1000, 1),
    }


def plan(url: str, only: set[str] | None = None) -> dict:
    manifest = gen.read_manifest(url)
    if manifest is None:
        raise SystemExit(f"Pas de jeu de données dans {url} : lancez bench.generate.")
    pages = all_pages(manifest["targets"], manifest.get("skipped"))
    present, absent = resolve(pages, only)
    sessions = Sessions()
    out = []
    for page, urls in present:
        users = []
        for entry, entry_urls in zip(page.entries, urls, strict=True):
            user_id = None if page.anonymous else entry["user_id"]
            users.append(
                {"user_id": user_id, "cookie": sessions.cookie(user_id), "urls": entry_urls}
            )
        first = page.entries[0]
        probe = count_queries(
            sessions.client(None if page.anonymous else first["user_id"]), urls[0][0]
        )
        out.append(
            {
                "name": page.name,
                "label": page.label,
                "app": page.app,
                "key": page.key,
                "weight": page.weight,
                "anonymous": page.anonymous,
                "note": page.note,
                "example_url": urls[0][0],
                "users": users,
                **probe,
            }
        )
    return {
        "cookie_name": sessions.cookie_name,
        "pages": out,
        "absent": absent,
        "manifest": {k: v for k, v in manifest.items() if k != "targets"},
    }


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(url: str, names: set[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manifest = gen.read_manifest(url)
    present, _absent = resolve(all_pages(manifest["targets"], manifest.get("skipped")), names)
    sessions = Sessions()
    result = {}
    for page, urls in present:
        client = sessions.client(None if page.anonymous else page.entries[0]["user_id"])
        target = urls[0][0]
        client.get(target)
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            profiler.enable()
            client.get(target)
            profiler.disable()
            elapsed = time.perf_counter() - start
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        # The project's own functions by cumulative time (which view, selector or
        # template tag is heavy), then every function by its own time (where the CPU goes).
        stats.sort_stats("cumulative").print_stats(r"/fede/", 15)
        stats.sort_stats("tottime").print_stats(15)
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        sql_total = sum(float(q["time"]) for q in queries)
        slowest = queries[0]["sql"] if queries else ""
        result[page.name] = {
            "url": target,
            "ms": round(elapsed * 1000, 1),
            "sql_ms": round(sql_total * 1000, 1),
            "queries": len(queries),
            "slowest_sql": [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in queries[:5]
            ],
            "explain": _explain(slowest) if slowest.lstrip().upper().startswith("SELECT") else "",
            "cprofile": stream.getvalue(),
        }
    return result


def timing(url: str, names: set[str], repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manifest = gen.read_manifest(url)
    present, _absent = resolve(all_pages(manifest["targets"], manifest.get("skipped")), names)
    sessions = Sessions()
    result = {}
    for page, urls in present:
        client = sessions.client(None if page.anonymous else page.entries[0]["user_id"])
        target = urls[0][0]
        for _ in range(3):
            client.get(target)  # warm
        total, sql, status, queries = [], [], None, 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                status = client.get(target).status_code
                total.append((time.perf_counter() - start) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            queries = len(ctx.captured_queries)
        total.sort()
        sql.sort()
        result[page.name] = {
            "url": target,
            "status": status,
            "queries": queries,
            "p50_ms": round(total[len(total) // 2], 1),
            "p90_ms": round(total[int(len(total) * 0.9)], 1),
            "sql_p50_ms": round(sql[len(sql) // 2], 1),
        }
    return result


def _production_here(database_url: str) -> None:
    """Run this process as the load run serves the app: production settings, static files
    collected once into ``var/bench-static`` (the manifest the templates need)."""
    import subprocess

    from bench.server import NOT_PRODUCTION, ROOT, production_env

    static_root = ROOT / "var" / "bench-static"
    env = production_env(database_url, str(static_root), secret_key="bench-probe")
    for name in NOT_PRODUCTION:
        os.environ.pop(name, None)
    os.environ.update(env)
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out")
    parser.add_argument("--pages", help="seulement ces pages (noms séparés par des virgules)")
    parser.add_argument("--profile", help="profiler ces pages (noms séparés par des virgules)")
    parser.add_argument("--time", help="chronométrer ces pages (noms séparés par des virgules)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.out and not args.time:
        parser.error("--out est requis (sauf avec --time)")
    if (args.time or args.profile) and "FEDE_BENCH_STATIC_ROOT" not in os.environ:
        _production_here(args.database_url)
    gen.configure_django(args.database_url)
    if args.time:
        data = timing(args.database_url, set(args.time.split(",")), args.repeat)
        for name, row in data.items():
            print(
                f"{name:45} {row['status']} p50 {row['p50_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f}"
                f"  SQL p50 {row['sql_p50_ms']:6.1f} ms  {row['queries']} req."
            )
        if not args.out:
            return 0
    elif args.profile:
        data = profile(args.database_url, set(args.profile.split(",")))
    else:
        data = plan(args.database_url, set(args.pages.split(",")) if args.pages else None)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
