"""Carnet's settings: one module, read from the environment, safe by default.

Every value that differs between a laptop and a server comes from an environment
variable; without one, the default is the safe choice (DEBUG off, no "*" host).
`make run` sets the development values it needs.
"""

import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """A whole number from the environment, or a message naming the variable (no traceback).

    ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    """
    value = os.environ.get(name, "").strip() or str(default)
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number (0, 1, 2…), not {value!r}.")
    return int(value)


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
    "blog.thirdparty.TaggitConfig",  # taggit, named « Étiquettes » in the admin
    "reversion",  # post history (admin authoring); the comparison is ours (blog/admin/history.py)
    "blog.thirdparty.AxesConfig",  # axes: admin login throttling, named and shown in French too
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files and errors included.
    "csp.middleware.CSPMiddleware",
    "blog.public.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept pages for anonymous readers, before sessions, auth and the views (one query a hit).
    "blog.public.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The site's language on public pages, the editor's in the admin (not LocaleMiddleware).
    "blog.public.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sees the 404s of the views: old addresses from the previous site answer 301.
    "blog.public.middleware.RedirectFallbackMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out until AXES_COOLOFF_TIME has passed (it unlocks by itself).
AUTHENTICATION_BACKENDS = [
    "blog.admin.auth.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CARNET_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CARNET_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The admin header and the real cool-off on the page (templates/admin/locked_out.html).
AXES_LOCKOUT_CALLABLE = "blog.admin.auth.locked_out"
AXES_VERBOSE = False
# Failures and lock-outs are database rows (axes' default handler, said out loud): every worker
# and machine sees them, and no page entry can evict them as it could in a cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Behind reverse proxies every request comes from the proxy: CARNET_PROXY_COUNT trusted proxies
# (0 = none, Carnet faces the readers) tell the reader's address in X-Forwarded-For
# (blog/client_address.py).
CARNET_PROXY_COUNT = env_int("CARNET_PROXY_COUNT", 0)
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
                "blog.public.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url reads from DATABASE_URL.
DATABASE_URL_FORMS = (
    "sqlite:////absolute/path/db.sqlite3 (four slashes), sqlite:///relative/db.sqlite3 (three), "
    "postgres://user:password@host:5432/name"
)


def database_from_url(url: str) -> dict:
    """DATABASES["default"] from a URL, or a message showing the right forms (no traceback).

    ``sqlite://db.sqlite3`` (two slashes, a common typo) is read by dj-database-url as an
    in-memory database: migrate would succeed on it and every command after would find no table.
    """
    try:
        database = dj_database_url.parse(
            url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except Exception as error:  # unknown scheme, bad port, stray characters…
        raise ImproperlyConfigured(
            f"DATABASE_URL {url!r} cannot be read ({error}). Write it as {DATABASE_URL_FORMS}."
        ) from None
    name = str(database.get("NAME") or "")
    if database["ENGINE"] == "django.db.backends.sqlite3" and (
        not name or ":memory:" in name or "mode=memory" in name
    ):
        raise ImproperlyConfigured(
            f"DATABASE_URL {url!r} names an in-memory SQLite database, lost when the command "
            f"ends. Write it as {DATABASE_URL_FORMS}."
        )
    return database


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
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
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters and prepared statements (psycopg prepares a statement after
    # DJANGO_DB_PREPARE_THRESHOLD runs of the same SQL on a connection): a public page runs the
    # same few statements with other values (their SQL is built once: blog.prepared), and
    # PostgreSQL spent more time parsing and planning them than running them (the public state's
    # query: 0.86 ms planning, 0.22 ms running). The server's CPU per page fell from 4.9 to
    # 1.8 ms (post page), 6.3 to 3.0 (/blog/), 19.2 to 14.2 (search; bench/README.md). Django
    # leaves both off for connection poolers: behind PgBouncer in transaction mode (older than
    # 1.21, or without max_prepared_statements) set DJANGO_DB_PREPARE_THRESHOLD=off. PostgreSQL
    # plans a prepared statement again after a migration; restart the workers after one that
    # changes a column's type (a statement may fail with « cached plan must not change result
    # type » until they do).
    threshold = os.environ.get("DJANGO_DB_PREPARE_THRESHOLD", "5").strip().lower()
    if threshold != "off":
        if not threshold.isdecimal():  # (« ² » is a digit, not a number)
            raise ImproperlyConfigured(
                f"DJANGO_DB_PREPARE_THRESHOLD={threshold!r}: write how many runs of a statement "
                "come before it is prepared (5 by default; 0: at once), or off."
            )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(threshold)
        )
# DATABASE_POOL=1 (PostgreSQL): Django 5.2's psycopg connection pool, one per worker process,
# instead of one persistent connection per worker (DJANGO_CONN_MAX_AGE). Django refuses the pool
# with a persistent connection, so CONN_MAX_AGE is 0 then. Threaded or many-worker servers gain
# most; sync gunicorn workers do as well with CONN_MAX_AGE alone (the default, 60 s).
DATABASE_POOL = env_bool("DATABASE_POOL")
if DATABASE_POOL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_POOL=1 needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has no "
            "connection pool. Unset DATABASE_POOL, or use DJANGO_CONN_MAX_AGE."
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True

# Cache: rendered public pages and the site identity, both made again from the database when
# missing. Each worker's local memory by default (one machine: every key holds the state of the
# site, so workers never serve a stale page); REDIS_URL shares it between processes and machines.
# A Redis that does not answer is a miss, with one warning per outage (site_config/cache.py).
# Nothing that must not be evicted lives here: the contact limit counts stored messages
# (blog/public/contact.py), login lock-outs are rows (AXES_HANDLER below), sessions are rows
# (Django's default SESSION_ENGINE): a full cache evicting pages cannot reset any of them.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "site_config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "carnet",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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


# Media in an S3-compatible bucket (AWS, MinIO, R2, Scaleway…) when CARNET_S3_BUCKET is set:
# several app servers then share one set of files and none is written to their disks
# (blog/images/storage.py, blog/images/s3.py). The keys are read by boto3 from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), never kept in settings.
def s3_media(environ) -> tuple[str, dict] | None:
    """(MEDIA_URL, the default storage) for media in a bucket; None without CARNET_S3_BUCKET."""
    bucket = environ.get("CARNET_S3_BUCKET", "").strip()
    if not bucket:
        return None
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip().rstrip("/")
    region = environ.get("AWS_S3_REGION_NAME", "").strip() or "us-east-1"
    # Where readers get the files: a CDN or public domain (CARNET_MEDIA_URL), else the bucket's
    # own address (path style on a custom endpoint, as MinIO and moto expect).
    media_url = environ.get("CARNET_MEDIA_URL", "").strip() or (
        f"{endpoint}/{bucket}/" if endpoint else f"https://{bucket}.s3.{region}.amazonaws.com/"
    )
    media_url = media_url.rstrip("/") + "/"
    media = urlsplit(media_url)
    if media.scheme not in {"http", "https"} or not media.netloc or media.query:
        raise ImproperlyConfigured(
            "CARNET_MEDIA_URL (or AWS_S3_ENDPOINT_URL) must be an absolute http(s) address, "
            f"such as https://media.example.org/, not {media_url!r}."
        )
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region,
        "addressing_style": "path" if endpoint else None,
        # URLs are MEDIA_URL + name, built without asking S3 (no signing per image), the same
        # for every reader: public blog images, cacheable by browsers, CDNs and the page cache.
        # A signed URL (querystring auth) would differ per render and expire in cached pages.
        "custom_domain": media.netloc + media.path.rstrip("/"),
        "url_protocol": f"{media.scheme}:",
        "querystring_auth": False,
        # Readers need the objects public: a bucket policy (README), or this canned ACL on each
        # object for providers without policies (CARNET_S3_ACL=public-read).
        "default_acl": environ.get("CARNET_S3_ACL", "").strip() or None,
        # Never replace a file: two uploads named photo.jpg get two names, as on a disk. Imports
        # look for their content-named file first (blog/porting/images.py): a copy found is
        # not written again.
        "file_overwrite": False,
    }
    return media_url, {"BACKEND": "blog.images.s3.MediaS3Storage", "OPTIONS": options}


if _s3_media := s3_media(os.environ):
    MEDIA_URL, STORAGES["default"] = _s3_media
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
CARNET_CONTACT_MESSAGES_PER_HOUR = env_int("CARNET_CONTACT_MESSAGES_PER_HOUR", 3)
CARNET_CONTACT_MAX_KEPT_PER_HOUR = env_int("CARNET_CONTACT_MAX_KEPT_PER_HOUR", 30)
ADMINS = [("", address) for address in env_list("DJANGO_ADMINS")]
# Email: printed on the console unless an SMTP server is configured in the environment.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not env_bool("EMAIL_USE_SSL"))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # a dead server must not hang a reader
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "carnet@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Markdown bodies above this size are refused with a clear error (rendering is superlinear).
CARNET_MAX_MARKDOWN_BYTES = env_int("CARNET_MAX_MARKDOWN_BYTES", 512 * 1024)
# Public pages are kept rendered for anonymous readers, keyed by the site's ETag (so never
# stale: an edit or a post going live makes a new key); 0 turns it off (blog/public/caching.py).
CARNET_PAGE_CACHE_SECONDS = env_int("CARNET_PAGE_CACHE_SECONDS", 600)
# Proxies and CDNs (nginx's proxy_cache, deploy/nginx.conf): public pages may be kept by shared
# caches for CARNET_CACHE_S_MAXAGE seconds (`Cache-Control: public, max-age=0, s-maxage=N`;
# browsers still revalidate every time), and served stale for up to
# CARNET_CACHE_STALE_WHILE_REVALIDATE more seconds while the proxy fetches a fresh copy. Off (0)
# by default: a new post shows at once everywhere only when nothing in front keeps pages.
# Staff pages, the admin, the contact form and search stay `private, no-store`.
CARNET_CACHE_S_MAXAGE = env_int("CARNET_CACHE_S_MAXAGE", 0)
CARNET_CACHE_STALE_WHILE_REVALIDATE = env_int("CARNET_CACHE_STALE_WHILE_REVALIDATE", 0)

# The static site (manage.py build_static; README « Static site »): where the admin's
# « Publier le site statique » writes it (unset: no button), the address it is served at, and
# where its contact form posts ("netlify" for Netlify Forms; empty: a mailto link instead).
CARNET_STATIC_DIR = os.environ.get("CARNET_STATIC_DIR", "")
CARNET_STATIC_BASE_URL = os.environ.get("CARNET_STATIC_BASE_URL", "")
CARNET_STATIC_CONTACT_ACTION = os.environ.get("CARNET_STATIC_CONTACT_ACTION", "")
# Post pages per Pagefind run: beyond, the search index is made in batches (its memory).
CARNET_STATIC_SEARCH_BATCH = env_int("CARNET_STATIC_SEARCH_BATCH", 500)

# Security headers; HTTPS-only settings turn on with DJANGO_SECURE=1 behind TLS.
SECURE = env_bool("DJANGO_SECURE")
SECURE_SSL_REDIRECT = SECURE
# Load balancers probe each app server on plain HTTP: /healthz answers them, no redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
# HSTS is each operator's decision, one setting each, all off by default: includeSubDomains
# binds every other host of the domain to HTTPS, and a preloaded domain takes months to leave
# the browsers' lists. The production values in the README turn HSTS on for this host only.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
# check --deploy warns until subdomains and preload are turned on (security.W005, W021); an
# operator who wrote DJANGO_HSTS_INCLUDE_SUBDOMAINS=0 / DJANGO_HSTS_PRELOAD=0 has decided, and
# the reminder is silenced for that choice only. Left unset, the reminder stays.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, variable in (
        ("security.W005", "DJANGO_HSTS_INCLUDE_SUBDOMAINS"),
        ("security.W021", "DJANGO_HSTS_PRELOAD"),
    )
    if variable in os.environ and not env_bool(variable)
]
# X-Forwarded-Proto is written by whoever sends the request: believed only when trusted
# proxies stand in front (CARNET_PROXY_COUNT > 0), which must set it themselves (nginx:
# proxy_set_header X-Forwarded-Proto $scheme). Without a proxy a reader could claim HTTPS on
# plain HTTP, skip the SSL redirect and get secure cookies sent back in clear.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CARNET_PROXY_COUNT else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said out loud
X_FRAME_OPTIONS = "DENY"
# The session cookie is HttpOnly (Django's default); the CSRF one can be too: the editor reads
# the token from the form's hidden input, never from document.cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"  # links from a mail into the admin work


def _csp_hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def _inline_styles(template: str) -> list[str]:
    """The <style> blocks of a stand-alone page, to allow them by hash.

    500.html must not depend on static files or the database (it shows when they fail), so its
    few rules stay inline; an edit to them changes the allowed hash with them.
    """
    text = (BASE_DIR / "templates" / template).read_text(encoding="utf-8")
    return re.findall(r"<style>(.*?)</style>", text, re.S)


# Markdown tables align their cells with style="text-align:…" (the only style the sanitizer
# keeps, blog/rendering.py); these exact attribute values are allowed by hash ('unsafe-hashes'),
# every other inline style attribute is refused. A browser without 'unsafe-hashes' support only
# loses the alignment.
TABLE_ALIGNMENTS = [f"text-align:{side}" for side in ("left", "center", "right", "justify")]

# Content-Security-Policy (django-csp): scripts and styles only from the site's own files, no
# inline script at all (the only <script> elements are JSON data blocks: json_script and JSON-LD,
# which no browser executes and CSP does not govern), so no nonce: a nonce would also fight the
# page cache, which serves one rendered page to many readers. The admin preview is an
# <iframe srcdoc> with sandbox="allow-same-origin" (no scripts): it inherits this policy.
# img-src: uploads and renditions are under MEDIA_URL, on this origin (or a bucket's, below);
# images that imported posts link on other HTTPS hosts still show (nothing of a post is lost in
# the move), unless CARNET_REMOTE_IMAGES=0 refuses them (no reader then reaches a third
# party); data: for the preview's featured image chosen but not saved yet (blog/admin/editor.py),
# blob: for the editor's thumbnail of a picked file. Tested in Chromium:
# tests/browser/test_browser_csp.py.
CARNET_REMOTE_IMAGES = env_bool("CARNET_REMOTE_IMAGES", default=True)
# Media in a bucket or on a CDN (CARNET_S3_BUCKET, CARNET_MEDIA_URL) come from that origin: named
# in img-src, so they show with CARNET_REMOTE_IMAGES=0 and over http (a local MinIO) too.
_media = urlsplit(MEDIA_URL)
MEDIA_ORIGIN = f"{_media.scheme}://{_media.netloc}" if _media.netloc else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *map(_csp_hash, _inline_styles("500.html"))],
        "style-src-attr": [UNSAFE_HASHES, *map(_csp_hash, TABLE_ALIGNMENTS)],
        "img-src": [
            SELF,
            *([MEDIA_ORIGIN] if MEDIA_ORIGIN else []),
            "data:",
            "blob:",
            *(["https:"] if CARNET_REMOTE_IMAGES else []),
        ],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
