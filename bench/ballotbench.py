"""Internal votes benchmark: online ballots cast concurrently, and the consolidation of
every section's procès-verbal.

Runs in a process of its own on the benchmark database (``python -m bench.ballotbench``):

1. **Casting**: voters of the open online round (members on its roll with a login, whose
   second factor is the e-mailed code) each cast one ballot through
   ``fede.ballots.services.vote_cast`` — second factor checked, register row and ballot
   written in one transaction — from ``--processes`` processes of ``--threads`` threads,
   each with its database connection, as the web server's workers would. Every voter then tries once more, which must be
   refused. Measured: ballots per second over the wall time, latency per ballot. Checked:
   one register row per voter, as many ballots in the box as receipts handed out. The
   register, the box and the codes of that round are emptied afterwards, so the dataset
   stays as generated.
2. **Consolidation**: ``fede.ballots.selectors.round_results`` of the closed round whose
   PVs are all in (8,000 at national scale), timed several times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

from bench import db

TARGET_BALLOTS_PER_S = 300
CODE = "246810"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _cast_part(args) -> dict:
    """In a worker process: its voters cast their ballots from ``threads`` threads."""
    user_ids, threads, ballot_id = args
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import connection

    from fede.ballots import services
    from fede.ballots.models import Ballot

    ballot = Ballot.objects.select_related("federation").get(pk=ballot_id)
    options = list(services.current_round(ballot).options.all())
    users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
    connection.close()
    receipts: list[str] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(part: list) -> None:
        mine, times, fails = [], [], []
        try:
            for i, user in enumerate(part):
                t0 = time.perf_counter()
                try:
                    mine.append(
                        services.vote_cast(
                            actor=user, ballot=ballot, option=options[i % len(options)], code=CODE
                        )
                    )
                except ValidationError as exc:
                    fails.append(str(exc))
                times.append(time.perf_counter() - t0)
        finally:
            connection.close()
        with lock:
            receipts.extend(mine)
            latencies.extend(times)
            errors.extend(fails)

    pool = [threading.Thread(target=work, args=(users[k::threads],)) for k in range(threads)]
    start = time.time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {
        "receipts": receipts,
        "latencies": latencies,
        "errors": errors,
        "start": start,
        "end": time.time(),
    }


def child(url: str, out: str, voters: int, threads: int, processes: int) -> None:
    from bench import generate as gen

    gen.configure_django(url)
    import datetime

    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.utils import timezone

    from fede.ballots import selectors, services
    from fede.ballots.models import Ballot, CastBallot, RollEntry, Round, VoteCode, VoteRecord

    targets = gen.read_manifest(url)["targets"]["ballots"]
    ballot = Ballot.objects.select_related("federation").get(pk=targets["online_ballot_id"])
    round_ = Round.objects.get(pk=targets["online_round_id"])
    options = list(round_.options.all())
    with_totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id")
    entries = list(
        RollEntry.objects.filter(ballot=ballot, member__user__isnull=False, struck_at=None)
        .exclude(member__user_id__in=with_totp)
        .select_related("member")
        .order_by("member_id")[:voters]
    )
    users = {
        u.pk: u for u in get_user_model().objects.filter(pk__in=[e.member.user_id for e in entries])
    }
    now = timezone.now()
    expires = now + datetime.timedelta(minutes=30)
    VoteCode.objects.filter(round=round_).delete()
    VoteCode.objects.bulk_create(
        VoteCode(
            round=round_,
            member=e.member,
            code_hash=services._code_hash(round_, e.member, CODE),
            expires_at=expires,
        )
        for e in entries
    )
    voters_list = [users[e.member.user_id] for e in entries]
    connection.close()

    # Processes (as the web server's workers), each with its threads and connections.
    import multiprocessing

    ids = [u.pk for u in voters_list]
    parts = [(ids[k::processes], threads, ballot.pk) for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        done = pool.map(_cast_part, parts)
    receipts = [r for d in done for r in d["receipts"]]
    latencies = [x for d in done for x in d["latencies"]]
    errors = [x for d in done for x in d["errors"]]
    seconds = max(d["end"] for d in done) - min(d["start"] for d in done)
    refused_twice = 0

    # A second ballot from the same voters must be refused.
    for user in voters_list[:200]:
        try:
            services.vote_cast(actor=user, ballot=ballot, option=options[0], code=CODE)
        except ValidationError:
            refused_twice += 1
    register = VoteRecord.objects.filter(round=round_).count()
    box = CastBallot.objects.filter(round=round_).count()
    distinct_voters = VoteRecord.objects.filter(round=round_).values("member").distinct().count()
    CastBallot.objects.filter(round=round_).delete()
    VoteRecord.objects.filter(round=round_).delete()
    VoteCode.objects.filter(round=round_).delete()

    closed = Round.objects.get(ballot_id=targets["section_ballot_id"], number=1)
    timings = []
    for _ in range(5):
        t0 = time.perf_counter()
        results = selectors.round_results(closed)
        timings.append((time.perf_counter() - t0) * 1000)
    result = {
        "casting": {
            "eligible": RollEntry.objects.filter(ballot=ballot).count(),
            "voters": len(voters_list),
            "threads": threads,
            "processes": processes,
            "seconds": round(seconds, 2),
            "ballots": len(receipts),
            "ballots_per_s": round(len(receipts) / seconds, 1) if seconds else None,
            "latency_ms_p50": round(_percentile(latencies, 0.5) * 1000, 1),
            "latency_ms_p95": round(_percentile(latencies, 0.95) * 1000, 1),
            "errors": errors[:5],
            "error_count": len(errors),
            "register_rows": register,
            "distinct_voters": distinct_voters,
            "box_rows": box,
            "second_ballots_refused": f"{refused_twice}/{min(200, len(voters_list))}",
            "consistent": register == box == len(receipts) == distinct_voters,
            "target": TARGET_BALLOTS_PER_S,
        },
        "consolidation": {
            "pvs": len(results.sections),
            "validated": len(results.sections) - len(results.missing),
            "ms_median": round(statistics.median(timings), 1),
            "ms_max": round(max(timings), 1),
        },
    }
    result["casting"]["meets_target"] = bool(
        result["casting"]["consistent"]
        and (result["casting"]["ballots_per_s"] or 0) >= TARGET_BALLOTS_PER_S
    )
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


def run(
    url: str,
    workdir,
    env: dict,
    voters: int = 6000,
    threads: int = 2,
    processes: int = 4,
    log=print,
) -> dict:
    out = workdir / "ballots.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ballotbench",
            "--database-url",
            url,
            "--out",
            str(out),
            "--voters",
            str(voters),
            "--threads",
            str(threads),
            "--processes",
            str(processes),
        ],
        env=env | {"DATABASE_URL": url},
        check=True,
    )
    with open(out, encoding="utf-8") as fh:
        result = json.load(fh)
    c, k = result["casting"], result["consolidation"]
    log(
        f"  {c['ballots']:,} bulletins en {c['seconds']} s : {c['ballots_per_s']} bulletins/s "
        f"({c['processes']} processus × {c['threads']} fils, {c['eligible']:,} inscrits) ; consolidation de "
        f"{k['pvs']:,} PV en {k['ms_median']} ms"
    )
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", required=True)
    parser.add_argument("--voters", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=2, help="fils par processus")
    parser.add_argument("--processes", type=int, default=4, help="processus (workers)")
    args = parser.parse_args(argv)
    child(args.database_url or db.bench_url(), args.out, args.voters, args.threads, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
