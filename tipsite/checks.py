"""The site refuses to serve while an account still has a password the README prints.

``seed_demo`` creates the demo accounts of ``settings.DEMO_PASSWORDS`` only when the development
settings ask for them (``DEMO_ACCOUNTS``, as ``make run`` does). A database they were made in may
still be served later in another mode, by ``make serve`` say: there the check below fails
``migrate`` and ``check --database default``, and :func:`refuse_demo_passwords` stops
``tipsite.wsgi`` from starting.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, router

logger = logging.getLogger(__name__)

ERROR_ID = "tipsite.E001"


def demo_passwords_apply() -> bool:
    """Everywhere but development with the demo accounts asked for."""
    return not (settings.DEBUG or settings.DEMO_ACCOUNTS)


def accounts_with_demo_passwords(using: str) -> list[str]:
    """The usernames that still have their documented password, in database ``using``.

    Only the documented usernames are looked up, and each password hashed once.
    """
    User = get_user_model()
    connection = connections[using]
    if User._meta.db_table not in connection.introspection.table_names():
        return []  # not migrated yet: no accounts at all
    users = User._default_manager.db_manager(using).filter(
        **{f"{User.USERNAME_FIELD}__in": list(settings.DEMO_PASSWORDS)}
    )
    return sorted(
        user.get_username()
        for user in users
        if check_password(settings.DEMO_PASSWORDS[user.get_username()], user.password)
    )


def explain(username: str) -> str:
    return (
        f"The demo account {username!r} still has its documented password, which anyone can "
        f"read in the README; change it with `python manage.py changepassword {username}` or "
        "delete the account."
    )


@checks.register(checks.Tags.database, checks.Tags.security)
def demo_passwords_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if databases is None or not demo_passwords_apply():
        return []
    using = router.db_for_read(get_user_model())
    if using not in databases:
        return []
    return [
        checks.Error(explain(username), id=ERROR_ID)
        for username in accounts_with_demo_passwords(using)
    ]


def refuse_demo_passwords() -> None:
    """Raise ImproperlyConfigured, naming the account, while a demo password would log in.

    A database that cannot be reached is let be: the site then answers 503 until it can, and
    ``migrate`` runs the check again before the next start.
    """
    if not demo_passwords_apply():
        return
    using = router.db_for_read(get_user_model())
    try:
        found = accounts_with_demo_passwords(using)
    except DatabaseError:
        logger.warning("Could not check for demo passwords: the database did not answer.")
        return
    finally:
        # Opened at start-up outside any request: a forked or threaded worker must not share it.
        connections[using].close()
    if found:
        raise ImproperlyConfigured(" ".join(explain(username) for username in found))
