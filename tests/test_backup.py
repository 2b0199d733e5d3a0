"""The documented backup procedure (docs/exploitation.md) really restores the data."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from fede.organization.models import Member
from fede.organization.tests.factories import MemberFactory, make_federation, make_section

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("backup")]


def _conninfo(dbname: str) -> str:
    s = connection.settings_dict
    parts = [f"dbname={dbname}", f"host={s['HOST'] or '127.0.0.1'}", f"port={s['PORT'] or 5432}"]
    if s["USER"]:
        parts.append(f"user={s['USER']}")
    if s["PASSWORD"]:
        parts.append(f"password={s['PASSWORD']}")
    return " ".join(parts)


@pytest.mark.django_db(transaction=True)
def test_pg_dump_then_restore_finds_the_members(tmp_path):
    """A dump of the database, restored into a new database, holds the same members."""
    if connection.vendor != "postgresql":
        pytest.skip("La sauvegarde pg_dump/pg_restore concerne PostgreSQL.")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore absents de cette machine.")
    section = make_section(make_federation())
    MemberFactory.create_batch(25, section=section)
    MemberFactory(section=section, last_name="Sauvegardée", membership_number="BK-0001")

    dump = tmp_path / "fede.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", "-d", _conninfo(source)],
        check=True,
    )
    target = f"fede_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", _conninfo(target), str(dump)], check=True)
        with psycopg.connect(_conninfo(target)) as restored:
            count = restored.execute(
                f"SELECT count(*) FROM {Member._meta.db_table}"  # noqa: S608
            ).fetchone()[0]
            name = restored.execute(
                f"SELECT last_name FROM {Member._meta.db_table} WHERE membership_number = %s",  # noqa: S608
                ["BK-0001"],
            ).fetchone()[0]
        assert count == 26
        assert name == "Sauvegardée"
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
