import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache: no cached page or counter leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor_client(client):
    """A client logged in as a member of the Editors group (no superuser powers)."""
    from tests.factories import EDITOR_PASSWORD, make_editor

    client.login(username=make_editor().username, password=EDITOR_PASSWORD)
    return client
