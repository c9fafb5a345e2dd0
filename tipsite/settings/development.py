"""Local development: DEBUG on, e-mail to the console, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = env_bool("DEBUG", True)
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Only on request (make run sets it): the demo accounts with the passwords the README prints.
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", False)
# `make run PORT=8001` serves on that port; links in e-mails follow it unless SITE_URL is set.
PORT = env_int("PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
