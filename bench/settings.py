"""The site as `make bench` serves it: the production settings and what only a benchmark needs.

    DJANGO_SETTINGS_MODULE=bench.settings gunicorn tipsite.wsgi:application

Production modules carry no benchmark switch; everything a run needs on top of them is here.
"""

from pathlib import Path

from tipsite.settings.production import *  # noqa: F403
from tipsite.settings.production import MIDDLEWARE, TEMPLATES

# Outermost but for security: the count covers every query a request makes, the page cache's too.
MIDDLEWARE = [MIDDLEWARE[0], "bench.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE[1:]]
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]}
]
ROOT_URLCONF = "bench.urls"
