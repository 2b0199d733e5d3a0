"""Production settings are safe: deploy checks clean, secret key required, security headers."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra):
    """A clean environment as in production: no DEBUG, no FEDE_DEMO, no FEDE_TESTING."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "fede.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fede.sqlite3'}",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    """`manage.py check --deploy` reports nothing with production-like settings."""
    result = run(["manage.py", "check", "--deploy"], production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS:" not in output


def test_check_deploy_refuses_relaxed_mfa_or_demo(tmp_path):
    """The demo switches are reported when they leak into production."""
    result = run(["manage.py", "check", "--deploy"], production_env(tmp_path, FEDE_DEMO="1"))
    assert "fede.W001" in result.stdout + result.stderr


def test_relaxed_mfa_is_ignored_in_production(tmp_path):
    """FEDE_RELAX_MFA has no effect without FEDE_DEMO/DEBUG: production always demands MFA."""
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'fede.settings'; "
        "django.setup(); from django.conf import settings; print(settings.FEDE_RELAX_MFA)"
    )
    result = run(["-c", script], production_env(tmp_path, FEDE_RELAX_MFA="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_secret_key_is_required_outside_debug_and_demo(tmp_path):
    """Without SECRET_KEY (and no DEBUG/FEDE_DEMO/FEDE_TESTING) Django refuses to start."""
    result = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_offline_commands_run_without_the_secret(tmp_path):
    """`makemigrations --check` works on a developer machine with no SECRET_KEY set."""
    env = production_env(tmp_path, SECRET_KEY=None)
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


_HEADERS_SCRIPT = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "fede.settings"
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="fede.example.org")
plain = client.get("/theme.css")
secure = client.get("/theme.css", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "secure_status": secure.status_code,
    "headers": dict(secure.headers),
    "session_cookie_secure": __import__("django.conf").conf.settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": __import__("django.conf").conf.settings.CSRF_COOKIE_SECURE,
}))
"""


def test_production_responses_carry_hsts_and_redirect_to_https(tmp_path):
    """Under production settings: HTTP goes to HTTPS, HSTS is sent, cookies are secure."""
    result = run(["-c", _HEADERS_SCRIPT], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["plain_status"] == 301
    assert data["plain_location"].startswith("https://fede.example.org/")
    assert data["secure_status"] == 200
    hsts = data["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert data["session_cookie_secure"] is True
    assert data["csrf_cookie_secure"] is True


@pytest.mark.django_db
def test_responses_carry_a_strict_content_security_policy(client):
    """Pages are sent with a CSP that forbids inline scripts and framing."""
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = {
        part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()
    }
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives.get("style-src", "")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_sessions_expire(settings):
    """Sessions end after at most a working day and their cookies are HTTP-only."""
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_password_reset_does_not_log_in(settings):
    """A password reset never opens a session by itself (MFA would be skipped)."""
    assert settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET is False


def _setting(tmp_path, expression: str, **extra) -> str:
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'fede.settings'; "
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    result = run(["-c", script], production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_cache_is_shared_between_workers(tmp_path):
    """Rate limits live in one cache for every worker: the database by default, Redis when
    REDIS_URL is given — never each process's memory."""
    backend = "settings.CACHES['default']['BACKEND']"
    assert _setting(tmp_path, backend) == "django.core.cache.backends.db.DatabaseCache"
    assert (
        _setting(tmp_path, backend, REDIS_URL="redis://127.0.0.1:6379/1")
        == "django.core.cache.backends.redis.RedisCache"
    )


def test_the_database_cache_table_is_created_by_migrate(tmp_path):
    """`migrate` alone prepares the cache: the login page works on a fresh database."""
    env = production_env(tmp_path)
    result = run(["manage.py", "migrate", "--noinput"], env)
    assert result.returncode == 0, result.stderr
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'fede.settings'; "
        "django.setup(); from django.core.cache import cache; cache.set('k', 'v', 30); "
        "print(cache.get('k'))"
    )
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "v"


def test_the_client_address_is_read_behind_the_trusted_proxies(tmp_path):
    """TRUSTED_PROXY_COUNT=1 (nginx in front): rate limits key on the real client."""
    assert (
        _setting(tmp_path, "settings.ALLAUTH_TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="1") == "1"
    )
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'fede.settings'; "
        "django.setup(); from django.test import RequestFactory; "
        "from allauth.core.internal.httpkit import get_client_ip; "
        "r = RequestFactory().get('/', HTTP_X_FORWARDED_FOR='203.0.113.9', "
        "REMOTE_ADDR='127.0.0.1'); print(get_client_ip(r))"
    )
    result = run(["-c", script], production_env(tmp_path, TRUSTED_PROXY_COUNT="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "203.0.113.9"
