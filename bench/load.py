"""The load client: ``python -m bench.load --plan plan.json --base http://127.0.0.1:PORT``.

Runs in its own process, one thread per simulated user, each with its own connection and
session cookie, in a closed loop (a user sends the next request when the page arrived,
no think time). Each page is loaded alone for ``--duration`` seconds, then all pages
together in proportion to their weight (the mixed phase). With ``--floor-sample``, the
floor page is loaded for that many seconds just before each page: the page's ratio to the
floor is then read against a floor measured under the same conditions (a shared machine
can be a third slower or faster from one minute to the next). Only the HTML is fetched: a
browser keeps the static files in its cache. A response other than 200 is an error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT = 30


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.errors: dict[str, list[str]] = {}
        self.bytes: dict[str, int] = {}

    def add(self, page: str, ms: float, status: str, size: int, error: str | None):
        with self.lock:
            self.samples.setdefault(page, []).append(ms)
            counts = self.statuses.setdefault(page, {})
            counts[status] = counts.get(status, 0) + 1
            self.bytes[page] = self.bytes.get(page, 0) + size
            if error is not None:
                errors = self.errors.setdefault(page, [])
                if len(errors) < 5:
                    errors.append(error)


class VirtualUser:
    def __init__(self, host: str, port: int, cookie_name: str):
        self.host, self.port, self.cookie_name = host, port, cookie_name
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def get(self, path: str, cookie: str | None) -> tuple[float, str, int, str | None]:
        headers = {"User-Agent": "fede-bench", "Accept": "text/html"}
        if cookie:
            headers["Cookie"] = f"{self.cookie_name}={cookie}"
        start = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
            status = response.status
            if response.will_close:
                self.conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            ms = (time.perf_counter() - start) * 1000
            return ms, type(exc).__name__, 0, f"{path}: {exc!r}"
        ms = (time.perf_counter() - start) * 1000
        error = None
        if status != 200:
            where = response.getheader("Location") or ""
            error = f"{path}: HTTP {status} {where}".strip()
        return ms, str(status), len(body), error


def run_phase(
    base: str, cookie_name: str, pages: list[dict], users: int, duration: float, seed: int
):
    """Load ``pages`` (all together, by weight) with ``users`` threads for ``duration`` s."""
    parts = urlsplit(base)
    recorder = Recorder()
    barrier = threading.Barrier(users + 1)
    state = {"deadline": 0.0}
    weights = [p.get("weight", 1) for p in pages]

    def work(index: int):
        vu = VirtualUser(parts.hostname, parts.port, cookie_name)
        rng = random.Random(seed * 1000 + index)  # noqa: S311 — load pattern, not secrets
        turn = {p["name"]: index for p in pages}
        barrier.wait()
        while time.perf_counter() < state["deadline"]:
            page = pages[0] if len(pages) == 1 else rng.choices(pages, weights)[0]
            user = page["users"][index % len(page["users"])]
            urls = user["urls"]
            path = urls[turn[page["name"]] % len(urls)]
            turn[page["name"]] += 1
            ms, status, size, error = vu.get(path, user["cookie"])
            recorder.add(page["name"], ms, status, size, error)
        vu.conn.close()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    state["deadline"] = time.perf_counter() + duration
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "elapsed": elapsed,
        "pages": {
            name: {
                "latencies_ms": recorder.samples[name],
                "statuses": recorder.statuses[name],
                "errors": sum(n for code, n in recorder.statuses[name].items() if code != "200"),
                "error_samples": recorder.errors.get(name, []),
                "bytes": recorder.bytes[name],
            }
            for name in recorder.samples
        },
    }


def warm_up(base: str, cookie_name: str, pages: list[dict], rounds: int = 3) -> None:
    """A few requests per page and user, not recorded: workers load code and templates."""
    parts = urlsplit(base)
    vu = VirtualUser(parts.hostname, parts.port, cookie_name)
    for _ in range(rounds):
        for page in pages:
            for user in page["users"]:
                vu.get(user["urls"][0], user["cookie"])


def median(values: list[float]) -> float | None:
    """The p50 as the report computes it (the middle value, the upper one of two)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def loadavg() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return -1.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30, help="secondes par page")
    parser.add_argument("--mixed", type=float, default=60, help="secondes de la phase mixte")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--floor", default="", help="nom de la page plancher")
    parser.add_argument(
        "--floor-sample",
        type=float,
        default=0,
        help="secondes de plancher juste avant chaque page (0 : aucune)",
    )
    args = parser.parse_args(argv)
    with open(args.plan, encoding="utf-8") as fh:
        plan = json.load(fh)
    pages = plan["pages"]
    cookie_name = plan["cookie_name"]
    warm_up(args.base, cookie_name, pages)
    result = {"users": args.users, "duration": args.duration, "per_page": {}, "mixed": None}
    floor = next((p for p in pages if p["name"] == args.floor), None)
    for page in pages:
        adjacent = None
        if floor is not None and args.floor_sample > 0 and page is not floor:
            sample = run_phase(
                args.base, cookie_name, [floor], args.users, args.floor_sample, args.seed
            )
            adjacent = median(sample["pages"].get(floor["name"], {}).get("latencies_ms", []))
        before = loadavg()
        phase = run_phase(args.base, cookie_name, [page], args.users, args.duration, args.seed)
        phase["loadavg"] = [before, loadavg()]
        if adjacent is not None:
            phase["floor_p50_ms"] = round(adjacent, 1)
        result["per_page"][page["name"]] = phase
        stats = phase["pages"].get(page["name"], {})
        n = len(stats.get("latencies_ms", []))
        print(
            f"  {page['name']}: {n} requêtes, {stats.get('errors', 0)} erreurs",
            flush=True,
        )
    if args.mixed > 0 and len(pages) > 1:
        before = loadavg()
        phase = run_phase(args.base, cookie_name, pages, args.users, args.mixed, args.seed)
        phase["loadavg"] = [before, loadavg()]
        result["mixed"] = phase
        print(
            f"  phase mixte : {sum(len(p['latencies_ms']) for p in phase['pages'].values())} requêtes"
        )
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
