"""Mail to readers who asked for it: well-formed, absolute links, unsubscribed in one click.

Knows no app: the followers app says what to send and to whom; this builds messages that
arrive (a ``Message-ID`` of the site's own domain, a ``Date``, a text part and an HTML one, the
RFC 8058 one-click unsubscribe headers) and sends many of them over one SMTP connection.
"""

import contextlib
from collections.abc import Iterator
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


def absolute(path: str) -> str:
    """``path`` as a link that works from a mailbox: on ``SITE_URL``, which mail has no request
    to take it from."""
    return settings.SITE_URL + path


def message_domain() -> str:
    """The site's host, for Message-IDs (Django would look up this machine's name otherwise)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def build_message(
    *,
    subject: str,
    to: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    connection=None,
) -> EmailMultiAlternatives:
    """One message to one reader, with a text part, an HTML part and a one-click unsubscribe.

    ``unsubscribe_url`` must take a POST of ``List-Unsubscribe=One-Click`` without cookies or
    a CSRF token (RFC 8058); mail clients show it as their own "Unsubscribe" button.
    """
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={
            "Message-ID": make_msgid(domain=message_domain()),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Marks it as bulk mail readers asked for, so auto-responders stay quiet.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@contextlib.contextmanager
def smtp_connection() -> Iterator:
    """One connection to the mail server for a batch of messages, closed however it ends."""
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):  # a broken connection cannot be closed politely
            connection.close()
