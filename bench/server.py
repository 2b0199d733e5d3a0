"""Serve the app for the benchmark: production settings, gunicorn on a loopback port."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Variables that turn on the demo or test conveniences: never in a benchmark.
NOT_PRODUCTION = ("FEDE_TESTING", "FEDE_DEMO", "DEBUG", "FEDE_RELAX_MFA", "TASKS_BACKEND")


def production_env(database_url: str, static_root: str, secret_key: str | None = None) -> dict:
    """The environment of the app under test: production settings (DEBUG off, secure
    defaults) except what plain HTTP on loopback needs (no HTTPS redirect, no Secure
    cookies, no HSTS)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_URL": "dummymail://",
            "FEDE_BENCH_STATIC_ROOT": static_root,
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def collectstatic(env: dict) -> subprocess.Popen:
    """Start ``collectstatic`` into the run's static folder (returns the process)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_workers() -> int:
    """Two per core, between 2 and 4 (gunicorn's usual advice, for a small machine)."""
    return max(2, min(4, 2 * (os.cpu_count() or 1)))


class Gunicorn:
    def __init__(self, env: dict, workers: int, log_path: Path, ready_path: str = "/healthz"):
        self.env, self.workers, self.log_path = env, workers, log_path
        self.ready_path = ready_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fede.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn s'est arrêté : voir {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn ne répond pas sur {self.base} : voir {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
