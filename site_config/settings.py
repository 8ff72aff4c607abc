"""Carnet's settings: one module, read from the environment, safe by default.

Every value that differs between a laptop and a server comes from an environment
variable; without one, the default is the safe choice (DEBUG off, no "*" host).
`make run` sets the development values it needs.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Offline commands (migrate, makemigrations, import_markdown…) sign nothing and run without a
# key; serving does not: site_config/wsgi.py and asgi.py refuse to start without one unless
# DEBUG, and `check --deploy` reports it (blog/checks.py). A key is never invented at random:
# sessions would die at each restart.
SECRET_KEY_MISSING = not SECRET_KEY
SECRET_KEY = SECRET_KEY or "django-insecure-carnet-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "blog.admin_site.CarnetAdminConfig",  # django.contrib.admin with Carnet's site (roles)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml (its templates)
    "taggit",
    "reversion",  # post history (admin authoring); the comparison is ours (blog/admin_history.py)
    "axes",  # admin login throttling
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sees the 404s of the views: old addresses from the previous site answer 301.
    "blog.middleware.RedirectFallbackMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out until AXES_COOLOFF_TIME has passed (it unlocks by itself).
AUTHENTICATION_BACKENDS = [
    "blog.admin_auth.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CARNET_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CARNET_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Behind reverse proxies every request comes from the proxy: CARNET_PROXY_COUNT trusted proxies
# (0 = none, Carnet faces the readers) tell the reader's address in X-Forwarded-For
# (blog/client_address.py).
_proxy_count = os.environ.get("CARNET_PROXY_COUNT", "0").strip()
if not _proxy_count.isdigit():
    raise ImproperlyConfigured("CARNET_PROXY_COUNT must be a number of proxies: 0, 1, 2…")
CARNET_PROXY_COUNT = int(_proxy_count)
AXES_CLIENT_IP_CALLABLE = "blog.client_address.client_ip"

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url reads from DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An import, the site and an editor saving at the same time must not hit
    # "database is locked": WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock at BEGIN (no deadlock on lock upgrade), and the
    # timeout waits for it instead of failing at once.
    # Connections are kept (DJANGO_CONN_MAX_AGE, as for PostgreSQL): opening one runs the
    # PRAGMAs below under a lock, and with one per request the public pages served ~4x fewer
    # requests/s under gunicorn (bench/bench_site.py). Sync workers hold one connection each.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: French first, English by changing LANGUAGE_CODE.
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# Static files: served by whitenoise, compressed, with hashed (cache-busting) names.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
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
# Uploaded media are served by Django in development only (see site_config/urls.py);
# in production the front web server (or SERVE_MEDIA=1 on a small site) does it.
SERVE_MEDIA = env_bool("CARNET_SERVE_MEDIA", DEBUG)

LOGIN_URL = "admin:login"

# Tags: "Django" and "django" are one tag; French tags get ASCII slugs.
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True

# What the site says about itself while the admin's « Site identity » leaves a field empty.
CARNET_SITE_NAME = os.environ.get("CARNET_SITE_NAME", "Carnet")
CARNET_TAGLINE = os.environ.get("CARNET_TAGLINE", _("Notes of a freelancer getting started"))
CARNET_AUTHOR = os.environ.get("CARNET_AUTHOR", "")
# Contact form (/contact/): messages are stored, then mailed to CARNET_CONTACT_EMAIL (else the
# site identity's public address, else ADMINS); a few per sender address per hour (more are
# kept, flagged « hors limite », not mailed); past MAX_KEPT per network an hour, refused.
CARNET_CONTACT_EMAIL = os.environ.get("CARNET_CONTACT_EMAIL", "")
CARNET_CONTACT_MESSAGES_PER_HOUR = int(os.environ.get("CARNET_CONTACT_MESSAGES_PER_HOUR", "3"))
CARNET_CONTACT_MAX_KEPT_PER_HOUR = int(os.environ.get("CARNET_CONTACT_MAX_KEPT_PER_HOUR", "30"))
ADMINS = [("", address) for address in env_list("DJANGO_ADMINS")]
# Email: printed on the console unless an SMTP server is configured in the environment.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not env_bool("EMAIL_USE_SSL"))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))  # a dead server must not hang a reader
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "carnet@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Markdown bodies above this size are refused with a clear error (rendering is superlinear).
CARNET_MAX_MARKDOWN_BYTES = int(os.environ.get("CARNET_MAX_MARKDOWN_BYTES", str(512 * 1024)))
# Public pages are kept rendered for anonymous readers, keyed by the site's ETag (so never
# stale: an edit or a post going live makes a new key); 0 turns it off (blog/caching.py).
CARNET_PAGE_CACHE_SECONDS = int(os.environ.get("CARNET_PAGE_CACHE_SECONDS", "600"))

# Security headers; HTTPS-only settings turn on with DJANGO_SECURE=1 behind TLS.
SECURE = env_bool("DJANGO_SECURE")
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
