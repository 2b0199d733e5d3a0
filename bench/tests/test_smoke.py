"""The benchmark harness runs end to end on a tiny dataset, so it never rots.

A few seconds: the same generator, gunicorn under production settings and the load client
on three pages, the import benchmark on a small file. Needs PostgreSQL (DATABASE_URL).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("core.ping", "core.home", "organization.member_list")

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="le banc d'essai a besoin de PostgreSQL (DATABASE_URL=postgres://…)",
)


@pytest.fixture
def bench_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    suffix = "_bench_smoke" + (f"_{worker}" if worker else "")
    yield suffix, db.bench_url(suffix)
    db.drop(db.bench_url(suffix))


@needs_postgres
@pytest.mark.postgres
@pytest.mark.xdist_group("bench")
def test_bench_runs_end_to_end(tmp_path, bench_database):
    """A tiny dataset, a few seconds of load on three pages: no error, result files written."""
    suffix, url = bench_database
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--scale=smoke",
        "--users=3",
        "--duration=1",
        "--mixed=1",
        "--floor-sample=1",
        "--workers=2",
        f"--pages={','.join(PAGES)}",
        "--import-rows=200",
        "--no-profile",
        f"--database-suffix={suffix}",
        f"--out-dir={tmp_path}",
        "--date=smoke",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    result = json.loads((tmp_path / "smoke.json").read_text(encoding="utf-8"))
    assert (tmp_path / "smoke.md").read_text(encoding="utf-8").startswith("# Banc d'essai")
    pages = {p["name"]: p for p in result["pages"]}
    # The floor comes with its second reference: a bare Django view with a session.
    assert set(pages) == set(PAGES) | {"bench.bare"}
    assert result["floor_to_bare"] is not None
    for page in pages.values():
        assert page["probe_status"] == 200, page
        assert page["requests"] > 0, page
        assert page["errors"] == 0, page["error_samples"]
        assert page["queries"] >= 0
    assert pages["core.ping"]["ratio_p50"] == 1.0
    # Each other page's ratio is read against a floor measured just before it.
    for name in set(PAGES) - {"core.ping"}:
        assert pages[name]["floor_ref_ms"] > 0, pages[name]
    assert result["mixed"]["all"]["errors"] == 0
    assert result["dataset"]["rows"]["organization_member"] == 500
    imported = result["import"]["runs"]["200"]["import"]
    assert imported["bad_rows"] == 0
    assert imported["created"] + imported["updated"] == 200
    # Online ballots cast concurrently: one per voter, all in the box, register emptied after.
    casting = result["ballots"]["casting"]
    assert casting["ballots"] > 0 and casting["consistent"], casting
    assert (
        casting["second_ballots_refused"].split("/")[0]
        == casting["second_ballots_refused"].split("/")[1]
    )
    assert result["ballots"]["consolidation"]["pvs"] == 10
    with db.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM ballots_voterecord").fetchone()[0] == 0
        # The generated tally of the section round is the recount of its PVs.
        kept = conn.execute(
            "SELECT pvs, counted, roll, registered, voters, blank, void, votes "
            "FROM ballots_roundtally WHERE round_id = 1"
        ).fetchone()
        recount = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'validated'), sum(registered), "
            "sum(registered) FILTER (WHERE status = 'validated'), "
            "sum(voters) FILTER (WHERE status = 'validated'), "
            "sum(blank) FILTER (WHERE status = 'validated'), "
            "sum(void) FILTER (WHERE status = 'validated') "
            "FROM ballots_sectionresult WHERE round_id = 1"
        ).fetchone()
        votes = dict(
            conn.execute(
                "SELECT l.option_id::text, sum(l.votes) FROM ballots_sectionresultline l "
                "JOIN ballots_sectionresult r ON r.id = l.result_id "
                "WHERE r.round_id = 1 AND r.status = 'validated' GROUP BY l.option_id"
            ).fetchall()
        )
    assert kept[:7] == tuple(v or 0 for v in recount)
    assert kept[7] == votes

    # The generated tree has the materialised paths of organization.services.unit_create.
    with db.connect(url) as conn:
        units = conn.execute("SELECT id, parent_id, path, depth FROM organization_unit").fetchall()
    by_id = {pk: (parent, path, depth) for pk, parent, path, depth in units}
    for pk, (parent, path, depth) in by_id.items():
        prefix, parent_depth = (by_id[parent][1], by_id[parent][2]) if parent else ("", -1)
        assert path == f"{prefix}{pk:08d}.", pk
        assert depth == parent_depth + 1, pk
