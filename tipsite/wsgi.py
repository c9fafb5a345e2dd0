"""WSGI entry point; gunicorn serves ``tipsite.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipsite.settings.production")

application = get_wsgi_application()
