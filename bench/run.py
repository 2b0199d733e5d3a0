"""The benchmark: ``python -m bench.run`` (``make bench``). See docs/benchmarks.md.

1. generates the national dataset in ``<DATABASE_URL's database>_bench`` (and a small one
   in ``…_bench_small`` to show that query counts do not grow with the data);
2. opens the sessions of the simulated users and counts the SQL queries of each page;
3. serves the app with gunicorn (production settings) on a loopback port and loads each
   page from a second process (``bench.load``), then all pages together;
4. profiles the key pages that miss the target;
5. imports a generated member file through the real import path (``bench.importbench``);
6. casts online ballots concurrently and consolidates every PV (``bench.ballotbench``);
7. writes ``docs/benchmarks/<date>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

from bench import ballotbench, db, importbench, report
from bench import generate as gen
from bench.machine import CPUWatch
from bench.pages import BARE, BARE_PATH, FLOOR
from bench.scales import SCALES
from bench.server import ROOT, Gunicorn, collectstatic, default_workers, production_env

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEFAULT_IMPORT_ROWS = {"national": "50000,500000", "smoke": "200"}


def seconds(value: str) -> float:
    """``30``, ``30s`` or ``2min``."""
    value = value.strip().lower()
    if value.endswith("min"):
        return float(value[:-3]) * 60
    return float(value.removesuffix("s"))


def _python(module: str, *args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, check=True)


def _dataset(url: str, scale: str, reuse: bool, env: dict, log) -> dict:
    manifest = gen.read_manifest(url) if reuse else None
    if manifest and manifest["scale"]["name"] == scale:
        log(f"Jeu de données « {scale} » réutilisé ({db.database_name(url)}).")
        # The code may have gained migrations since the dataset was generated.
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env | {"DATABASE_URL": url},
            check=True,
        )
        manifest["reused"] = True
        return manifest
    _python("bench.generate", "--scale", scale, "--database-url", url, env=env)
    return gen.read_manifest(url)


def _probe(url: str, out: Path, env: dict, *extra: str) -> dict:
    _python(
        "bench.probe",
        "--database-url",
        url,
        "--out",
        str(out),
        *extra,
        env=env | {"DATABASE_URL": url},
    )
    with open(out, encoding="utf-8") as fh:
        return json.load(fh)


def _analysis(name: str, prof: dict) -> str:
    """A first reading of a profile: where most of the time goes."""
    if not prof["ms"]:
        return ""
    share = prof["sql_ms"] / prof["ms"]
    if share >= 0.5:
        return (
            f"Le temps va surtout à la base ({share:.0%}) : voir la requête la plus lente et son "
            "plan ci-dessous."
        )
    return (
        f"Le temps va surtout à Python ({1 - share:.0%} hors SQL) : rendu des gabarits et "
        "code de la vue, voir le profil."
    )


def _bare_reference(plan: dict, load: dict, floor: dict, env: dict, args, tmp: Path) -> None:
    """Load ``bench.bare`` (session + user, nothing else) with the floor's users, on a
    second gunicorn, and add it to the plan and the results as an information row."""
    page = {
        **{k: floor[k] for k in ("app", "weight", "anonymous")},
        "name": BARE,
        "label": "Vue Django nue avec session (seconde référence du plancher)",
        "key": False,
        "note": "intergiciels de session et d'authentification seulement",
        "example_url": BARE_PATH,
        "users": [dict(u, urls=[BARE_PATH]) for u in floor["users"]],
        "queries": 2,
        "status": 200,
        "location": "",
    }
    with open(tmp / "plan-bare.json", "w", encoding="utf-8") as fh:
        json.dump({"cookie_name": plan["cookie_name"], "pages": [page]}, fh)
    server = Gunicorn(
        env | {"DJANGO_SETTINGS_MODULE": "bench.bare"},
        args.workers,
        tmp / "bare.log",
        ready_path=BARE_PATH,
    )
    with server:
        _python(
            "bench.load",
            "--plan",
            str(tmp / "plan-bare.json"),
            "--base",
            server.base,
            "--out",
            str(tmp / "load-bare.json"),
            "--users",
            str(args.users),
            "--duration",
            str(args.duration),
            "--mixed",
            "0",
            env=env,
        )
    with open(tmp / "load-bare.json", encoding="utf-8") as fh:
        load["per_page"].update(json.load(fh)["per_page"])
    index = plan["pages"].index(floor) + 1
    plan["pages"].insert(index, {k: v for k, v in page.items() if k != "users"})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8, help="utilisateurs simultanés (8)")
    parser.add_argument(
        "--duration", type=seconds, default=30, help="secondes de charge par page (30)"
    )
    parser.add_argument(
        "--mixed", type=seconds, default=60, help="secondes de charge mixte (60 ; 0 : aucune)"
    )
    parser.add_argument(
        "--floor-sample",
        type=seconds,
        default=3,
        help="secondes de plancher juste avant chaque page, pour son ratio (3 ; 0 : aucune)",
    )
    parser.add_argument("--workers", type=int, default=default_workers(), help="workers gunicorn")
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument(
        "--skip-generate", action="store_true", help="réutiliser le jeu de données existant"
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="sans le petit jeu de comparaison des requêtes SQL",
    )
    parser.add_argument("--pages", help="seulement ces pages (noms séparés par des virgules)")
    parser.add_argument(
        "--import-rows",
        help="tailles des fichiers d'import (ex. 50000,500000 ; 0 : pas d'import)",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="ne pas profiler les pages hors cible"
    )
    parser.add_argument(
        "--ballot-voters",
        type=int,
        default=6000,
        help="votant·es du banc d'essai du vote en ligne (6000)",
    )
    parser.add_argument("--no-ballots", action="store_true", help="sans le banc des votes")
    parser.add_argument(
        "--database-suffix", default="_bench", help="suffixe du nom de la base (_bench)"
    )
    parser.add_argument("--out-dir", default=str(ROOT / "docs" / "benchmarks"))
    parser.add_argument("--date", default=datetime.datetime.now(PARIS).date().isoformat())
    parser.add_argument(
        "--note", action="append", default=[], help="remarque ajoutée aux résultats"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:4.0f} s] {message}", flush=True)

    try:
        url = db.bench_url(args.database_suffix)
    except db.NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    compare_url = (
        None
        if (args.no_compare or args.scale == "smoke")
        else db.bench_url(args.database_suffix + "_small")
    )
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="fede-bench-") as tmp:
        tmp = Path(tmp)
        env = production_env(url, str(tmp / "static"))
        static = collectstatic(env)
        manifest = _dataset(url, args.scale, args.skip_generate, env, log)
        small = (
            _dataset(compare_url, "smoke", args.skip_generate, env, log) if compare_url else None
        )
        if static.wait() != 0:
            raise SystemExit("collectstatic a échoué")

        log("Sessions et requêtes SQL par page…")
        pages_arg = ("--pages", args.pages) if args.pages else ()
        plan = _probe(url, tmp / "plan.json", env, *pages_arg)
        compare_plan = (
            _probe(compare_url, tmp / "plan-small.json", env, *pages_arg) if compare_url else None
        )
        for p in plan["pages"]:
            if p["status"] != 200:
                log(f"  attention : {p['name']} répond {p['status']} {p['location']}")

        log(f"gunicorn ({args.workers} workers) et charge ({args.users} utilisateurs)…")
        server = Gunicorn(env, args.workers, tmp / "gunicorn.log")
        with server, CPUWatch([db.database_name(url)]) as watch:
            _python(
                "bench.load",
                "--plan",
                str(tmp / "plan.json"),
                "--base",
                server.base,
                "--out",
                str(tmp / "load.json"),
                "--users",
                str(args.users),
                "--duration",
                str(args.duration),
                "--mixed",
                str(args.mixed),
                "--floor",
                FLOOR,
                "--floor-sample",
                str(args.floor_sample),
                env=env,
            )
        server_log = (tmp / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
        with open(tmp / "load.json", encoding="utf-8") as fh:
            load = json.load(fh)
        floor = next((p for p in plan["pages"] if p["name"] == FLOOR), None)
        if floor is not None:
            log("Seconde référence : une vue Django nue avec session…")
            _bare_reference(plan, load, floor, env, args, tmp)

        context = {
            "date": args.date,
            "revision": report.revision(ROOT),
            "machine": report.machine(),
            "postgresql": db.server_version(url),
            "settings": {
                "users": args.users,
                "duration": args.duration,
                "mixed": args.mixed,
                "workers": args.workers,
                "server": "gunicorn sync, bench.settings (réglages de production)",
                "client": "bench.load : un fil par utilisateur, boucle fermée, HTML seul",
            },
            "dataset": {k: v for k, v in manifest.items() if k != "targets"},
            "small_dataset": {"rows": small["rows"]} if small else None,
        }
        doc = report.build(load=load, plan=plan, compare_plan=compare_plan, context=context)
        doc["previous"] = report.previous_run(Path(args.out_dir), args.date)

        missed = [r["name"] for r in doc["pages"] if r["key"] and not r["meets_target"]]
        if missed and not args.no_profile:
            log(f"Profil des pages hors cible : {', '.join(missed)}…")
            profiles = _probe(url, tmp / "profile.json", env, "--profile", ",".join(missed))
            for name, prof in profiles.items():
                prof["analysis"] = _analysis(name, prof)
            doc["profiles"] = profiles

        sizes = [
            int(x)
            for x in (args.import_rows or DEFAULT_IMPORT_ROWS[args.scale]).split(",")
            if int(x)
        ]
        if sizes:
            log("Import d'adhérents…")
            runs = importbench.run(
                url,
                sizes,
                tmp,
                env,
                log=log,
                profile_rows=0 if args.no_profile else min(20_000, max(sizes)),
            )
            import_profile = runs.pop("profile", None)
            biggest = runs[str(max(sizes))]["import"]
            smallest = runs[str(min(sizes))]["import"]
            growth_small, growth_big = smallest["rss_growth_mb"], biggest["rss_growth_mb"]
            # Flat: ten times more rows may not cost more than 1.5× the memory (+20 Mo).
            flat = growth_big <= 1.5 * growth_small + 20
            doc["import"] = {
                "runs": runs,
                "meets_rate": (biggest["rows_per_s"] or 0) >= report.IMPORT_TARGET_ROWS_S,
                "memory_flat": flat,
                "memory_note": (
                    f"hausse de {growth_small} Mo pour {report.thousands(min(sizes))} lignes, "
                    f"de {growth_big} Mo pour {report.thousands(max(sizes))} lignes"
                ),
            }
            if import_profile and not doc["import"]["meets_rate"]:
                doc["import"]["profile"] = import_profile
            doc["summary"]["errors"] += biggest["bad_rows"]

        if "ballots" in manifest.get("targets", {}) and not args.no_ballots:
            log("Votes internes : bulletins en ligne concurrents, consolidation des PV…")
            doc["ballots"] = ballotbench.run(url, tmp, env, voters=args.ballot_voters, log=log)

    load_after = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    notes = list(args.note)
    cpu = watch.result
    if cpu and cpu["others_share"] is not None and cpu["others_share"] >= 0.1:
        notes.append(
            "La machine n'était pas réservée au banc d'essai : pendant la charge, d'autres "
            f"processus ont occupé en moyenne {cpu['others_share']:.0%} de ses {cores} cœurs "
            f"({cpu['cpu_seconds_others']:.0f} s de CPU en {cpu['seconds']:.0f} s ; charge "
            f"moyenne de {load_before:.1f} avant le passage). Ils ont pris du temps de "
            "processeur aux pages mesurées : les temps absolus en sont allongés, les ratios "
            "au plancher moins touchés."
        )
    doc["notes"] = notes
    doc["cpu_during_load"] = cpu
    doc["loadavg"] = {"before": load_before, "after": load_after}
    doc["server_errors_logged"] = server_log.count("Traceback")
    doc["seconds"] = round(time.perf_counter() - started, 1)
    md, js = report.write(doc, Path(args.out_dir))
    sm = doc["summary"]
    log(
        f"Terminé en {doc['seconds']:.0f} s : {sm['key_pages_meeting_p95']}/{sm['key_pages']} pages "
        f"clés dans la cible, {sm['errors']} erreur(s). Résultats : {md} et {js}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
