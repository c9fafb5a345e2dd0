"""Settings shared by every mode, read from environment variables.

Every variable is documented in README.md. Defaults are safe for development; ``production``
overrides what must never have a default on a public site.
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .caches import database_cache, redis_cache
from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "LifeTips")
# The public address, for links in e-mails (which have no request to build them from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "tipsite.apps.TipSiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    # Every save of a tip kept as a version; the admin compares and restores them.
    "reversion",
    "reversion_compare",
    "tips",
    "comments",
    "requests_app",
    # Above tips and comments: following by e-mail (weekly letters, comment notices).
    "followers",
    # Above the apps: the editors' pages that join them (content gaps, admin counts).
    "tipsite.editorial",
]

MIDDLEWARE = [
    "tipsite.middleware.RequestLogMiddleware",
    # Cached pages are answered here and need nothing below: a hit carries the headers the
    # middleware below gave its page when it was rendered, answers conditional requests and
    # sets its length itself.
    "tipsite.pagecache.PageCacheMiddleware",
    # Security headers come before whitenoise, so static files carry them too.
    "django.middleware.security.SecurityMiddleware",
    "tipsite.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before static files, media and every view; with the headers above on their answers.
    "tipsite.middleware.RefuseOddRequestsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the CSRF middleware, the first to read the request body.
    "tipsite.middleware.FilesOnlyForAdminMiddleware",
    # Sees the answer last, cookies and all: anything personal is kept from shared caches.
    "tipsite.middleware.PersonalAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Turns a login that django-axes refused into the lockout page (tipsite.admin.login_locked_out).
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tipsite.urls"
# Where editors log in; move it (e.g. "backstage-7f3a/") to keep bots off the login page.
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"
WSGI_APPLICATION = "tipsite.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "tips.context_processors.site",
]
TEMPLATES = [
    # Readers' pages: Jinja2 (tipsite/jinja2.py says why). Looked in first; a name it lacks
    # falls through to Django's engine, which renders the admin, e-mails and form widgets.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "tipsite.jinja2.environment",
            "context_processors": [*CONTEXT_PROCESSORS, "tipsite.jinja2.csrf_field"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database must turn into a quick 503, not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 2
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the start of
    # a transaction, so concurrent writers queue on the busy timeout instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# With Redis, each worker also keeps the pages it has just served from it, and serves them again
# for up to this long without asking (0: ask Redis every time). Other servers' changes then show
# within that time; the reader or editor who made one sees it at once (tipsite/pagecache.py).
PAGE_CACHE_RECHECK_SECONDS = env_float("PAGE_CACHE_RECHECK_SECONDS", 1.0)
# After a Redis failure, skip Redis for this long before trying it again (tipsite/cache_breaker.py).
CACHE_BREAKER_SECONDS = env_float("CACHE_BREAKER_SECONDS", 5.0)
if REDIS_URL:
    # Shared by every server: pages, sessions and every rate-limit counter; what happens when
    # Redis fails or hangs is in tipsite/settings/caches.py.
    CACHES = {"default": redis_cache(REDIS_URL, key_prefix=env_str("CACHE_KEY_PREFIX", "tipsite"))}
    if PAGE_CACHE_RECHECK_SECONDS > 0:
        # Kept for PAGE_CACHE_RECHECK_SECONDS each (TIMEOUT here would be rounded down to seconds).
        CACHES["recent_pages"] = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "recent-pages",
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis, in the database every worker, server, management command and cron job
    # shares: a memory cache per process would keep serving what another one changed.
    CACHES = {"default": database_cache(max_entries=env_int("CACHE_MAX_ENTRIES", 5000))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Let Django serve uploads itself (development, tests, a single small server). Larger sites serve
# them from shared object storage or the front web server instead.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

# Guru photos and tip images are re-encoded by Pillow; refuse anything larger than this upfront.
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 8 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)

# Security headers on every response (HTML, errors, static files). HTTPS-only ones (HSTS,
# secure cookies, redirect) are in production.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Forms from cached pages carry no token until their script fetches one; without JavaScript,
# this view offers to send them again (tipsite/views.py).
CSRF_FAILURE_VIEW = "tipsite.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Requests larger than this are refused with 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# Failed logins (django-axes): counted per username AND IP together, so a stranger guessing an
# editor's password locks out only themselves, never the editor on another network. Counted in
# the database, shared by every server and kept when Redis is down; a success clears them.
# Unlock early with `manage.py axes_reset_username editor` (README).
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# A try while locked out does not restart the wait, so the time the lockout page gives is true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The same visitor address as every other limit, behind TRUSTED_PROXIES proxies.
AXES_CLIENT_IP_CALLABLE = "tipsite.antispam.client_ip"
AXES_LOCKOUT_CALLABLE = "tipsite.admin.login_locked_out"
# No start-up banner in the output of every management command (cron would mail it).
AXES_VERBOSE = False

# Accounts whose passwords the README prints, for trying the site. seed_demo creates them only
# when DEMO_ACCOUNTS is on (development settings with DEMO_ACCOUNTS=true: make run); in every
# other mode the site refuses to serve while one of them still has this password
# (tipsite/checks.py).
DEMO_ACCOUNTS = False
DEMO_PASSWORDS = {"editor": "tipsite-editor", "guru": "tipsite-guru"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <tips@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

TIPS_PER_PAGE = env_int("TIPS_PER_PAGE", 20)
# Anonymous readers get pages from the shared cache for at most this long (0: off); any change to
# content starts afresh at once (tipsite/pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# Pages that are the same for every anonymous reader say that a shared cache (a caching proxy
# such as deploy/nginx/tipsite.conf, a CDN) may keep them this long (0: none may).
HTTP_CACHE_SECONDS = env_int("HTTP_CACHE_SECONDS", 60)

# How many proxies in front of the site append to X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# Defences of every public form (tipsite/antispam.py). ANTISPAM overrides them per form.
ANTISPAM_DEFAULTS = {
    "min_seconds": env_int("ANTISPAM_MIN_SECONDS", 3),
    "max_age_seconds": env_int("ANTISPAM_MAX_AGE_SECONDS", 2 * 3600),
    "interval_seconds": env_int("FLOOD_INTERVAL_SECONDS", 15),
    "per_hour": env_int("FLOOD_PER_HOUR", 10),
}
ANTISPAM = {
    "comment": {},
    "tip_request": {},
    # A reader may vote within a second of reading and change their mind right after.
    "vote": {"min_seconds": 1, "interval_seconds": 0, "per_hour": 60},
    # Following by e-mail: a reader may subscribe to a topic, then to a tip, a moment later.
    "follow": {"interval_seconds": 5},
}
# How long a link to confirm following by e-mail works (followers).
FOLLOW_CONFIRM_DAYS = env_int("FOLLOW_CONFIRM_DAYS", 7)

# Comment moderation (comments/moderation.py).
# "first": hold a commenter's first comment, then trust their email; "all": hold every comment;
# "none": publish every comment that no other rule holds.
COMMENTS_MODERATION = env_str("COMMENTS_MODERATION", "first")
COMMENTS_HOLD_LINKS = env_int("COMMENTS_HOLD_LINKS", 2)
COMMENTS_MODERATION_WORDS = env_list("COMMENTS_MODERATION_WORDS", [])
COMMENTS_DISALLOWED_WORDS = env_list(
    "COMMENTS_DISALLOWED_WORDS",
    ["viagra", "cialis", "casino bonus", "payday loan", "crypto giveaway"],
)
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
# How long a search without results is kept once nobody makes it again (tips_prune_search_misses).
SEARCH_MISS_RETENTION_DAYS = env_int("SEARCH_MISS_RETENTION_DAYS", 90)

# One line per request (tipsite.requests) and every error, each with its request id, to stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tipsite.middleware.RequestIdFilter"},
        "cache_skipped": {"()": "tipsite.cache_breaker.SkippedCallsFilter"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "null": {"class": "logging.NullHandler"},
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Our request line replaces Django's own per-request warnings for 4xx.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Bots send foreign Host headers all day; the request line records the 400 already.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
        # The failure that opens the cache breaker is logged; the calls it then skips are not.
        "django_redis.cache": {"filters": ["cache_skipped"]},
    },
}
