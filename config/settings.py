"""Settings for the survey platform, read from the environment.

Every variable is listed in README.md. Defaults suit the local demo (`make run`); production
sets DJANGO_DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config.release import release

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    # "False", "0" and "" must all read as false, not as a truthy string.
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is not 1.")
    # A fresh key per process: fine for the demo, never used in production.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "departments",
    "accounts",
    "equipment",
    "survey",
    "interchange",
    "reports",
    "jobs",
    "api",
    "notices",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.UnusableCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DataVersionMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its 400 page passes through the others (CSP headers included).
    "config.middleware.UnusableInputMiddleware",
]

# Scripts and styles only from our own static files. Plotly sets inline styles on the charts
# it draws, hence 'unsafe-inline' for styles (never for scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        # plotly.js draws a chart's PNG/SVG download through an <img> of a blob: (or data:) URL.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.pages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A write waits this long (seconds) for a row another transaction holds, a long import above
# all, then fails and the user is told that an import is running (a 503 with Retry-After)
# instead of waiting into the worker's timeout. Long writers lift it for their own
# connection (`config.locks.waiting_without_limit`). Behind PgBouncer in transaction mode,
# which refuses startup options, set it with ALTER ROLE ... SET lock_timeout instead.
SURVEY_LOCK_TIMEOUT = envint("SURVEY_LOCK_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={SURVEY_LOCK_TIMEOUT}s"
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = SURVEY_LOCK_TIMEOUT

# App servers keep no state of their own: sessions and the figures' data versions live in the
# database and, with REDIS_URL, the cache (figures, dashboards) is shared by every server.
# How long figures may lag behind a change (seconds); see survey/versions.py.
SURVEY_FIGURES_MAX_AGE = envint("SURVEY_FIGURES_MAX_AGE", 0)
# Disclosure control of published figures (reports/privacy.py): a figure with fewer non-zero
# contributors, or whose largest contributor holds more than this share, is not published.
SURVEY_DISCLOSURE_MIN_CONTRIBUTORS = envint("SURVEY_DISCLOSURE_MIN_CONTRIBUTORS", 3)
SURVEY_DISCLOSURE_DOMINANCE = float(os.environ.get("SURVEY_DISCLOSURE_DOMINANCE", "0.85"))
SURVEY_PUBLIC_MIN_SHARE = float(os.environ.get("SURVEY_PUBLIC_MIN_SHARE", "0.5"))
# Reminders of the deadline: an institution is reminded at most once in this many days.
SURVEY_REMINDER_INTERVAL_DAYS = envint("SURVEY_REMINDER_INTERVAL_DAYS", 7)
# Links in mail are made absolute with this address (mail is written outside any request).
SURVEY_SITE_URL = os.environ.get("SURVEY_SITE_URL", "http://127.0.0.1:8000")
# A working day; a session left on a shared ward computer ends with the browser.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
            if REDIS_URL
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        "KEY_PREFIX": release(),
    }
}
# Sessions are read from a shared cache where there is one, and always written through to the
# database: a process-local cache would let a session ended in one worker live on in another.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if REDIS_URL else 'db'}"

# Background jobs (imports, exports, mail) through django-tasks: on the database queue in the
# embedded default (`manage.py db_worker`, started by `make run`), on RQ with the Redis that is
# already there in production (`manage.py rqworker --job-class django_tasks_rq.Job`).
# TASKS_BACKEND=immediate runs each job inside the request that enqueues it.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "rq" if REDIS_URL else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "rq": "django_tasks_rq.RQBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
# An import of 150,000 rows takes minutes: the job's limit is an hour, not the request's 30 s.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

# Model permissions, plus every permission for users whose role is admin (accounts.Membership).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RoleBackend"]

# Login throttling: five failures lock that username from that address for 15 minutes. Keyed
# on both, because a hospital's staff share one address and must not lock each other out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", 0)
# The API's throttle reads the client address the way axes does.
NINJA_NUM_PROXIES = envint("PROXY_COUNT", 0)
# A failed login's username as recorded, cut to the length of axes' column (accounts.forms).
AXES_USERNAME_CALLABLE = "accounts.forms.axes_username"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "survey:reports"
LOGOUT_REDIRECT_URL = "home"
# Password-reset mail per hour, per e-mail address and per client address (a hospital's
# staff share one address); counted in the database for every server (accounts.throttling).
PASSWORD_RESET_LIMIT_PER_EMAIL = envint("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = envint("PASSWORD_RESET_LIMIT_PER_CLIENT", 20)

# Password-reset mail: printed on the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "survey@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js is the "basic" bundle (bar, scatter, pie: all our charts use) of the same version
# as the plotly wheel's, committed under static/vendor: a quarter of the full bundle's weight,
# and nothing fetched from a CDN (hospital intranets are offline). A test checks the versions.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Survey files: `import_survey` reads files of up to SURVEY_UPLOAD_MAX_BYTES; the admin's import,
# the only form that takes a file, up to SURVEY_ADMIN_IMPORT_MAX_BYTES: the admin's import only
# uploads, a background job reads the file (jobs/). Any other request body is form fields,
# held in memory: Django's default of 2.5 MB (files do not count toward it). A larger body is
# refused (400) before it is read, whoever sends it (interchange.files.BoundedUploadHandler).
SURVEY_UPLOAD_MAX_BYTES = 200 * 1024 * 1024
SURVEY_ADMIN_IMPORT_MAX_BYTES = envint("SURVEY_ADMIN_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "interchange.files.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Uploaded survey files waiting for their job and exported files; served only through
# jobs:download, never as media URLs. App servers and workers must share this folder.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # Off only for a plain-HTTP test bench on 127.0.0.1 (bench/bench_load.py).
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
