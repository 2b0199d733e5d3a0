"""Production installs requirements.lock alone: no test, lint, benchmark or demo tool."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_IN_PRODUCTION = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "playwright",
    "axe-playwright-python",
    "ruff",
    "import-linter",
    "factory-boy",
    "faker",
    "locust",
    "time-machine",
    "pypdf",
    "flask",
    "gevent",
}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
        if match:
            found[re.sub(r"\[.*\]", "", match[1]).lower().replace("_", "-")] = match[2]
    return found


def test_the_runtime_lock_brings_no_test_or_benchmark_package():
    runtime = pins(ROOT / "requirements.lock")
    assert "django" in runtime and "django-allauth" in runtime
    assert not NOT_IN_PRODUCTION & set(runtime), sorted(NOT_IN_PRODUCTION & set(runtime))


def test_the_development_lock_pins_the_runtime_packages_at_the_same_versions():
    runtime = pins(ROOT / "requirements.lock")
    dev = pins(ROOT / "requirements-dev.lock")
    assert {"pytest", "faker", "playwright"} <= set(dev)
    assert "locust" not in dev
    assert {name: dev.get(name) for name in runtime} == runtime
