"""WSGI entry point; gunicorn serves ``tipsite.wsgi:application``.

It refuses to start while an account still has a password the README prints
(:func:`tipsite.checks.refuse_demo_passwords`).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipsite.settings.production")

application = get_wsgi_application()

from tipsite.checks import refuse_demo_passwords  # noqa: E402 - needs the apps loaded above

refuse_demo_passwords()
