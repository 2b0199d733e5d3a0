"""Member import benchmark: a generated CSV through ``organization.imports.import_members``.

The import runs on a copy of the benchmark database (so the dataset the pages are measured
on stays as generated), in a process of its own so its memory is measured from a clean
start: the resident set size is sampled every 20 ms during the dry run and the import.
Most rows are new members; one in ten updates a member already in the file (a new phone
number). The CSV is a temporary file, never kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import db

HEADER = [
    "numero_adherent",
    "nom",
    "prenom",
    "email",
    "telephone",
    "adresse",
    "code_postal",
    "ville",
    "date_naissance",
    "date_adhesion",
    "statut",
    "section",
    "consentement_contact",
    "consentement_lettre",
]


def write_csv(url: str, path: Path, rows: int, prefix: str, seed: int = 2026) -> None:
    """A member file of ``rows`` rows for the sections of the database at ``url``."""
    from bench.datasets.organization import EMAIL_DOMAINS, Pools, _ascii

    rng = random.Random(f"{seed}:import:{prefix}")  # noqa: S311 — test data
    pools = Pools(seed)
    with db.connect(url) as conn:
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM organization_unit WHERE kind = 'section' AND is_active ORDER BY id"
            )
        ]
        existing = conn.execute(
            "SELECT m.membership_number, m.last_name, m.first_name, m.joined_on, u.code "
            "FROM organization_member m JOIN organization_unit u ON u.id = m.section_id "
            "WHERE m.status = 'active' AND m.anonymised_at IS NULL ORDER BY m.id DESC LIMIT %s",
            [rows // 10],
        ).fetchall()
    updates = {i * 10: row for i, row in enumerate(existing)}
    first_names = pools.first_female + pools.first_male
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            old = updates.get(n)
            phone = f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            if old:
                number, last, first, joined, code = old
                writer.writerow(
                    [
                        number,
                        last,
                        first,
                        "",
                        phone,
                        "",
                        "",
                        "",
                        "",
                        f"{joined:%d/%m/%Y}",
                        "",
                        code,
                        "",
                        "",
                    ]
                )
                continue
            first = rng.choice(first_names)
            last = rng.choice(pools.last)
            writer.writerow(
                [
                    f"{prefix}{n:08d}",
                    last,
                    first,
                    f"{_ascii(first)}.{_ascii(last)}.{prefix.lower()}{n}@{EMAIL_DOMAINS[n % 3]}",
                    phone,
                    f"{rng.randint(1, 200)} {rng.choice(pools.streets)}",
                    f"750{rng.randint(1, 20):02d}",
                    "Paris",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2005)}",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2006, 2025)}",
                    "actif",
                    codes[int(len(codes) * rng.random() ** 2)],
                    "oui",
                    "non" if rng.random() < 0.6 else "oui",
                ]
            )


class RSSSampler(threading.Thread):
    """Resident set size of this process, sampled; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.02):
        super().__init__(daemon=True)
        import resource

        self.page = resource.getpagesize()
        self.interval = interval
        self.peak = self.current()
        self.timeline: list[tuple[float, int]] = []
        self.running = True
        self.started_at = time.perf_counter()

    def current(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self.page

    def run(self):
        last_mark = 0.0
        while self.running:
            rss = self.current()
            self.peak = max(self.peak, rss)
            t = time.perf_counter() - self.started_at
            if t - last_mark >= 1:
                self.timeline.append((round(t, 1), rss))
                last_mark = t
            time.sleep(self.interval)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def _measure(fn) -> dict:
    import gc

    gc.collect()
    sampler = RSSSampler()
    start_rss = sampler.current()
    sampler.start()
    t0 = time.perf_counter()
    report = fn()
    seconds = time.perf_counter() - t0
    peak = sampler.stop()
    mb = 1024 * 1024
    return {
        "seconds": round(seconds, 2),
        "rows": report.total,
        "rows_per_s": round(report.total / seconds) if seconds else None,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "bad_rows": report.bad_rows,
        "file_error": report.file_error,
        "rss_start_mb": round(start_rss / mb, 1),
        "rss_peak_mb": round(peak / mb, 1),
        "rss_growth_mb": round((peak - start_rss) / mb, 1),
        "rss_timeline_mb": [(t, round(r / mb, 1)) for t, r in sampler.timeline],
    }


def _profiled(fn) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    report = fn()
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stream.write(f"{report.total} lignes, {report.created} créées, {report.updated} mises à jour\n")
    stats.sort_stats("cumulative").print_stats(r"/fede/", 20)
    stats.sort_stats("tottime").print_stats(20)
    return stream.getvalue()


def child(url: str, csv_path: str, out: str, profile: bool = False) -> None:
    """In the measured process: a dry run, then the import itself (or, with ``profile``,
    the import under cProfile)."""
    from bench import generate as gen

    gen.configure_django(url)
    from django.contrib.auth import get_user_model

    from fede.organization.imports import import_members

    manifest = gen.read_manifest(url)
    actor = get_user_model().objects.get(
        pk=manifest["targets"]["organization"]["national_first_secretary"]
    )
    if profile:
        result = {
            "cprofile": _profiled(lambda: import_members(csv_path, actor=actor, dry_run=False))
        }
    else:
        result = {
            "dry_run": _measure(lambda: import_members(csv_path, actor=actor, dry_run=True)),
            "import": _measure(lambda: import_members(csv_path, actor=actor, dry_run=False)),
        }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


def _child_process(url: str, path: Path, out: Path, env: dict, *extra: str) -> dict:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.importbench",
            "--database-url",
            url,
            "--csv",
            str(path),
            "--out",
            str(out),
            *extra,
        ],
        env=env | {"DATABASE_URL": url},
        check=True,
    )
    with open(out, encoding="utf-8") as fh:
        return json.load(fh)


def run(
    source_url: str, sizes: list[int], workdir: Path, env: dict, log=print, profile_rows: int = 0
) -> dict:
    """Copy the database, import a file of each size in a fresh process, drop the copy.

    With ``profile_rows``, one more file of that size is imported under cProfile."""
    copy_url = db.with_database(source_url, db.database_name(source_url) + "_import")
    log("Copie de la base pour l'import…")
    db.clone(source_url, copy_url)
    results = {}
    try:
        for k, rows in enumerate(sorted(sizes)):
            prefix = "IJKLMN"[k]
            path = workdir / f"import-{rows}.csv"
            t0 = time.perf_counter()
            write_csv(copy_url, path, rows, prefix)
            log(f"  fichier de {rows:,} lignes écrit en {time.perf_counter() - t0:.1f} s")
            results[str(rows)] = _child_process(
                copy_url, path, workdir / f"import-{rows}.json", env
            )
            r = results[str(rows)]["import"]
            log(
                f"  import de {rows:,} lignes : {r['seconds']} s, {r['rows_per_s']} lignes/s, "
                f"mémoire +{r['rss_growth_mb']} Mo"
            )
            path.unlink()
        if profile_rows:
            path = workdir / "import-profile.csv"
            write_csv(copy_url, path, profile_rows, "P")
            prof = _child_process(copy_url, path, workdir / "import-profile.json", env, "--profile")
            results["profile"] = {"rows": profile_rows, "cprofile": prof["cprofile"]}
            path.unlink()
    finally:
        db.drop(copy_url)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--profile", action="store_true", help="importer sous cProfile")
    args = parser.parse_args(argv)
    child(args.database_url, args.csv, args.out, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
