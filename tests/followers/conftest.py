import logging

import pytest

from tests.followers.smtp_sink import start_sink


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a real SMTP server in this process; the server's Sink."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per connection
    sink, controller = start_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "https://tips.example.org"
    yield sink
    controller.stop()
