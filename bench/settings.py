"""The site as `make bench` serves it: the production settings and what only a benchmark needs.

    DJANGO_SETTINGS_MODULE=bench.settings gunicorn tipsite.wsgi:application

Production modules carry no benchmark switch; everything a run needs on top of them is here.
"""

from pathlib import Path

from tipsite.settings.production import *  # noqa: F403
from tipsite.settings.production import MIDDLEWARE, TEMPLATES

# Outermost but for the request log: the count covers every query a request makes, the page
# cache's too.
MIDDLEWARE = [MIDDLEWARE[0], "bench.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE[1:]]
JINJA2, DJANGO_TEMPLATES = TEMPLATES
TEMPLATES = [
    JINJA2,
    {**DJANGO_TEMPLATES, "DIRS": [*DJANGO_TEMPLATES["DIRS"], Path(__file__).parent / "templates"]},
]
ROOT_URLCONF = "bench.urls"
