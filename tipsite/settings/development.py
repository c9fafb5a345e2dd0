"""Local development: DEBUG on, e-mail to the console, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Only on request (make run sets it): the demo accounts with the passwords the README prints.
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", False)
