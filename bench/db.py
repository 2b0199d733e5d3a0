"""The benchmark's PostgreSQL databases: names derived from DATABASE_URL, drop and create."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fede"


class NotPostgres(RuntimeError):
    """DATABASE_URL does not point to PostgreSQL: the benchmark needs it."""


def base_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        raise NotPostgres(
            "Le banc d'essai a besoin de PostgreSQL : DATABASE_URL=postgres://… "
            f"(reçu : {urlsplit(url).scheme or 'vide'})."
        )
    return url


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "fede"


def with_database(url: str, name: str) -> str:
    """The same server URL, pointing to database ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def bench_url(suffix: str = "_bench", url: str | None = None) -> str:
    """URL of the benchmark database: the name of DATABASE_URL's database + ``suffix``."""
    url = url or base_url()
    return with_database(url, database_name(url) + suffix)


def conninfo(url: str) -> str:
    """A libpq connection string (psycopg does not read the ``postgres://`` aliases)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(conninfo(url), **kwargs)


def _maintenance(url: str) -> psycopg.Connection:
    return connect(with_database(url, "postgres"), autocommit=True)


def exists(url: str) -> bool:
    with _maintenance(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return row is not None


def recreate(url: str) -> None:
    """Drop the database of ``url`` if it exists (closing its connections) and create it."""
    name = database_name(url)
    with _maintenance(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def clone(source_url: str, target_url: str) -> None:
    """A copy of ``source_url``'s database (CREATE DATABASE … TEMPLATE)."""
    with _maintenance(source_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(target_url))
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database_name(target_url)),
                sql.Identifier(database_name(source_url)),
            )
        )


def drop(url: str) -> None:
    with _maintenance(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )


def server_version(url: str) -> str:
    with connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def size_pretty(url: str) -> str:
    with connect(url) as conn:
        return conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
