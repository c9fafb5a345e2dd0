"""What pytest runs: DEBUG off as in production, fast password hashing, mail kept in memory."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploads go to a throw-away folder, served by the app so browser tests can load them.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tipsite-test-media-"))
SERVE_MEDIA = True

# Serve static files straight from the apps and static/ (no collectstatic), for the live-server
# browser tests; autorefresh also skips the check for a collected STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: live-server tests then write concurrently
    # under WAL and the busy timeout, exactly as the site does.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="tipsite-test-db-")) / "test.sqlite3")
    }

# Pages render afresh in tests, so each test sees its own data and query counts are exact; the
# page cache has its own tests, which turn it on.
PAGE_CACHE_SECONDS = 0

# Django's test client logs in without a request, which django-axes refuses; the tests of the
# login protection turn it back on (tests/production/test_admin_login.py).
AXES_ENABLED = False

if not REDIS_URL:  # noqa: F405
    # pytest runs the site in one process, where a memory cache is shared by everything and
    # costs no queries, so query counts stay exact. The database cache a site without Redis
    # uses is tested with real workers (tests/production/test_one_server.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
