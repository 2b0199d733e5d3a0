"""Figures of the load run: percentiles, ratios to the floor, targets."""

from bench import report


def test_percentile_is_nearest_rank():
    """p50 of 1..100 is 50, p95 is 95, p99 is 99; an empty list has none."""
    values = [float(x) for x in range(1, 101)]
    assert report.percentile(values, 50) == 50
    assert report.percentile(values, 95) == 95
    assert report.percentile(values, 99) == 99
    assert report.percentile([], 50) is None


def _plan_page(name, key=True, queries=5):
    return {
        "name": name,
        "label": name,
        "key": key,
        "anonymous": False,
        "example_url": "/",
        "queries": queries,
        "status": 200,
    }


def test_ratio_to_the_floor_and_target():
    """Each page's p50 is divided by the floor's; a key page over 100 ms at p95 misses."""
    load = {
        "per_page": {
            "core.ping": {
                "elapsed": 1.0,
                "pages": {"core.ping": {"latencies_ms": [10.0] * 100, "errors": 0}},
            },
            "fast": {
                "elapsed": 1.0,
                "pages": {"fast": {"latencies_ms": [30.0] * 100, "errors": 0}},
            },
            "slow": {
                "elapsed": 2.0,
                "pages": {"slow": {"latencies_ms": [50.0] * 90 + [200.0] * 10, "errors": 0}},
            },
        },
        "mixed": None,
    }
    plan = {
        "pages": [
            _plan_page("core.ping", key=False),
            _plan_page("fast"),
            _plan_page("slow", queries=7),
        ],
        "absent": [],
    }
    small = {"pages": [_plan_page("fast"), _plan_page("slow", queries=7)]}
    doc = report.build(load=load, plan=plan, compare_plan=small, context={})
    rows = {r["name"]: r for r in doc["pages"]}
    assert rows["fast"]["ratio_p50"] == 3.0
    assert rows["fast"]["meets_target"] is True
    assert rows["slow"]["p95_ms"] == 200.0
    assert rows["slow"]["rps"] == 50.0
    assert rows["slow"]["meets_target"] is False
    assert doc["summary"]["missed"] == ["slow"]
    assert doc["queries_constant"] is True


def test_more_queries_on_the_big_dataset_is_reported():
    """A page that makes more queries on the national dataset than on the small one fails."""
    load = {"per_page": {}, "mixed": None}
    plan = {"pages": [_plan_page("list", queries=58)], "absent": []}
    small = {"pages": [_plan_page("list", queries=8)]}
    doc = report.build(load=load, plan=plan, compare_plan=small, context={})
    assert doc["queries_constant"] is False


def test_a_page_over_six_times_the_floor_misses_the_ratio_target():
    load = {
        "per_page": {
            "core.ping": {
                "elapsed": 1.0,
                "pages": {"core.ping": {"latencies_ms": [10.0] * 100, "errors": 0}},
            },
            "heavy": {
                "elapsed": 1.0,
                "pages": {"heavy": {"latencies_ms": [70.0] * 100, "errors": 0}},
            },
        },
        "mixed": None,
    }
    plan = {"pages": [_plan_page("core.ping", key=False), _plan_page("heavy")], "absent": []}
    doc = report.build(load=load, plan=plan, compare_plan=None, context={})
    heavy = next(r for r in doc["pages"] if r["name"] == "heavy")
    assert heavy["meets_target"] is True  # p95 70 ms
    assert heavy["meets_ratio"] is False  # but 7 × the floor
    assert doc["summary"]["key_pages_meeting_ratio"] == 0


def test_the_report_shows_each_page_next_to_the_previous_run(tmp_path):
    import json

    (tmp_path / "2026-11-01.json").write_text(
        json.dumps(
            {
                "date": "2026-11-01",
                "dataset": {"scale": {"name": "national"}},
                "pages": [{"name": "list", "p50_ms": 100.0, "p95_ms": 150.0}],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "2026-12-24.json").write_text("{}", encoding="utf-8")  # later: ignored
    prev = report.previous_run(tmp_path, "2026-12-06")
    assert prev["date"] == "2026-11-01"
    assert prev["pages"]["list"] == {"p50_ms": 100.0, "p95_ms": 150.0}
    assert report._delta(80.0, 100.0) == "100 (−20%)"
    assert report._delta(165.0, 150.0) == "150 (+10%)"
    assert report._delta(50.0, None) == "—"
    assert report.previous_run(tmp_path, "2026-10-01") is None


def test_a_second_run_of_the_day_compares_with_the_first(tmp_path):
    """Runs named "2026-12-06", then "2026-12-06-soir": the evening run compares with the
    day's first, and a later one ("2026-12-06-tard") with the evening's — by name without
    the extension ("2026-12-06.json" sorts after "2026-12-06-soir.json" as a file name)."""
    import json

    for stem in ("2026-12-06", "2026-12-06-soir"):
        (tmp_path / f"{stem}.json").write_text(json.dumps({"date": stem}), encoding="utf-8")
    assert report.previous_run(tmp_path, "2026-12-06-soir")["date"] == "2026-12-06"
    assert report.previous_run(tmp_path, "2026-12-06-tard")["date"] == "2026-12-06-soir"


def test_a_page_s_ratio_is_read_against_the_floor_measured_just_before_it():
    """bench.load --floor-sample measures the floor again before each page: the machine
    slowed down by half between the floor row and the page, the page is read against the
    floor of its own moment (40 / 20 = 2.0, not 40 / 10 = 4.0); without a sample, the run's
    floor. The report shows the floor each ratio was read against."""
    load = {
        "per_page": {
            "core.ping": {
                "elapsed": 1.0,
                "pages": {"core.ping": {"latencies_ms": [10.0] * 100, "errors": 0}},
            },
            "later": {
                "elapsed": 1.0,
                "floor_p50_ms": 20.0,
                "pages": {"later": {"latencies_ms": [40.0] * 100, "errors": 0}},
            },
            "unsampled": {
                "elapsed": 1.0,
                "pages": {"unsampled": {"latencies_ms": [40.0] * 100, "errors": 0}},
            },
        },
        "mixed": None,
    }
    plan = {
        "pages": [_plan_page("core.ping", key=False), _plan_page("later"), _plan_page("unsampled")],
        "absent": [],
    }
    doc = report.build(load=load, plan=plan, compare_plan=None, context={})
    rows = {r["name"]: r for r in doc["pages"]}
    assert (rows["later"]["ratio_p50"], rows["later"]["floor_ref_ms"]) == (2.0, 20.0)
    assert (rows["unsampled"]["ratio_p50"], rows["unsampled"]["floor_ref_ms"]) == (4.0, 10.0)
    assert rows["core.ping"]["ratio_p50"] == 1.0


def test_the_load_client_samples_the_floor_before_each_page(monkeypatch, tmp_path):
    """bench.load: with --floor-sample, a short floor phase runs before every other page
    and its median is kept on that page's phase."""
    import json

    from bench import load as load_client

    calls = []

    def fake_phase(base, cookie_name, pages, users, duration, seed):
        name = pages[0]["name"]
        calls.append((name, duration))
        value = 12.0 if name == "core.ping" else 50.0
        return {"elapsed": duration, "pages": {name: {"latencies_ms": [value, value + 2, value]}}}

    monkeypatch.setattr(load_client, "run_phase", fake_phase)
    monkeypatch.setattr(load_client, "warm_up", lambda *a, **k: None)
    plan = {
        "cookie_name": "sessionid",
        "pages": [
            {"name": "core.ping", "users": [{"cookie": None, "urls": ["/ping"]}]},
            {"name": "page", "users": [{"cookie": None, "urls": ["/p"]}]},
        ],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "load.json"
    argv = ["--plan", str(tmp_path / "plan.json"), "--base", "http://127.0.0.1:1", "--out"]
    argv += [str(out), "--duration", "5", "--mixed", "0", "--floor", "core.ping"]
    load_client.main([*argv, "--floor-sample", "2"])
    assert calls == [("core.ping", 5.0), ("core.ping", 2.0), ("page", 5.0)]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["per_page"]["page"]["floor_p50_ms"] == 12.0
    assert "floor_p50_ms" not in result["per_page"]["core.ping"]
