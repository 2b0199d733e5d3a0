"""Settings of Fédé: one file, read from the environment (see the README's table)."""

import secrets
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# DEMO turns on the conveniences of `make demo`: SQLite default, console mail, a
# development secret key and, only if asked, the relaxed MFA banner.
DEMO = env.bool("FEDE_DEMO", default=False)
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("FEDE_TESTING", default=False)

# Offline commands that read code and write files, never sign or serve anything: they may
# run on a developer's machine without the production secret (a throwaway key is used).
_OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "showmigrations"}
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") else ""

if DEBUG or DEMO or TESTING:
    SECRET_KEY = env.str("SECRET_KEY", default="demo-insecure-key-never-used-in-production")
elif _COMMAND in _OFFLINE_COMMANDS:
    SECRET_KEY = env.str("SECRET_KEY", default=secrets.token_urlsafe(50))
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "fede.core",
    "fede.accounts",
    "fede.organization",
    "fede.rooms",
    "fede.events",
    "fede.kits",
    "fede.consultations",
    "fede.ballots",
    "fede.convention",
    "fede.practices",
    "fede.website",
    "fede.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fede.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fede.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view is private unless decorated with core.access.public_view.
    "fede.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fede.accounts.session_cache.SessionOnUserMiddleware",
    "fede.accounts.mfa.MFARequiredMiddleware",
]

ROOT_URLCONF = "fede.urls"
WSGI_APPLICATION = "fede.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fede" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "fede.core.context_processors.site",
                "fede.organization.context_processors.offices",
            ],
        },
    }
]

# SQLite is the embedded default of the demo and of a plain `make test`; production and CI
# give DATABASE_URL=postgres://…
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'fede.sqlite3'}")
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # The few statements compiled once (fede.core.statements) are prepared on the
    # connection after this many runs; empty turns preparing off (a pooler in transaction
    # mode that does not follow prepared statements). Django's other queries are not
    # prepared (their values are written into the SQL).
    _prepare = env.str("DB_PREPARE_THRESHOLD", default="5")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        int(_prepare) if _prepare else None
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout so the demo server, the worker and tests can share the file.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# django-allauth: e-mail is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Fédé] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
}
ACCOUNT_ADAPTER = "fede.accounts.adapter.AccountAdapter"

# Behind nginx every client would be 127.0.0.1: say how many proxies stand in front and
# the login and form rate limits read the client's address from X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Fédé")

# The demo may relax the MFA requirement of offices; a banner says so on every page.
# Production settings never set it (a deploy check refuses it outside DEMO/DEBUG).
FEDE_RELAX_MFA = env.bool("FEDE_RELAX_MFA", default=False) and (DEMO or DEBUG or TESTING)

# One cache shared by every worker and server (rate limits, cached fragments): Redis when
# REDIS_URL is set, else a table of the database (created by core's migrations). The test
# suite keeps one in memory per process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fede_cache",
        }
    }

# Every form of the site renders through one renderer (fede.core.forms).
FORM_RENDERER = "fede.core.forms.FormRenderer"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "fede" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (TESTING or DEBUG or DEMO)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG or DEMO
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FEDE_UPLOAD_MAX_BYTES = env.int("FEDE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Member files to import (CSV/XLSX) may be larger than other uploads.
FEDE_IMPORT_MAX_BYTES = env.int("FEDE_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)

# Mail: console in the demo, SMTP (EMAIL_URL=smtp://user:pass@host:587/?tls=True) otherwise.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if (DEMO or DEBUG) else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# A mail server that accepts the connection and never answers must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# After this many hours of failed attempts a mail is abandoned (listed for the staff).
FEDE_MAIL_RETRY_HOURS = env.int("FEDE_MAIL_RETRY_HOURS", default=96)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Fédé <ne-pas-repondre@fede.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: the database backend in production (worker: `manage.py db_worker`),
# immediate in tests and the demo so that nothing waits for a worker.
# Background tasks run in the database worker (`manage.py db_worker`) everywhere but in the
# test suite, where they run at once: the demo serves with a worker beside it, so mail and
# imports never run inside a request and the progress bars are real.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default=(
                "django_tasks.backends.immediate.ImmediateBackend"
                if TESTING
                else "django_tasks_db.DatabaseBackend"
            ),
        )
    }
}

# Security.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_secure_default = not (DEBUG or DEMO or TESTING)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_secure_default)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_secure_default)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_secure_default)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _secure_default else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The federation's own look: its name and colour (see docs/exploitation.md).
# The public address of the site, for links in e-mails and calendar feeds.
FEDE_SITE_URL = env.str("FEDE_SITE_URL", default="http://127.0.0.1:8000")
FEDE_SITE_NAME = env.str("FEDE_SITE_NAME", default="Fédération de Paris")
FEDE_BRAND_COLOR = env.str("FEDE_BRAND_COLOR", default="#c4122f")
FEDE_ANONYMISE_AFTER_YEARS = env.int("FEDE_ANONYMISE_AFTER_YEARS", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
