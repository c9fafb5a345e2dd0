import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import make_rich_tip
from tests.tools import (
    ARTIFACTS,
    AXE_JS,
    CHROMIUM,
    CHROMIUM_FLAGS,
    require_checkers,
    require_chromium,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
# are still plain synchronous code, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


def pytest_collection_modifyitems(items):
    """Browser tests drive a live server in another thread, so they use real transactions."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def site(live_server):
    """The live test server with the demo network loaded, and a tip whose body has it all."""
    call_command("seed_demo", stdout=io.StringIO())
    make_rich_tip()
    return live_server


@pytest.fixture
def reader_activity(site):
    """The demo network with readers' comments and votes (tests/pages.py)."""
    from tests.pages import add_reader_activity

    add_reader_activity()
    return site


class PageWatch:
    """Everything a page did that a reader should never suffer: foreign requests, script errors."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.foreign_requests: list[str] = []
        self.errors: list[str] = []
        self.expected_missing: set[str] = set()
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _on_request(self, request):
        if not request.url.startswith((self.origin + "/", "data:")):
            self.foreign_requests.append(request.url)

    def _on_console(self, message):
        if message.type != "error":
            return
        if message.location.get("url") in self.expected_missing and "404" in message.text:
            return  # the 404 page the test asked for
        self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def expect_missing(self, url: str) -> str:
        """Visiting ``url`` will answer 404 on purpose; Chromium logs that, and it is no error."""
        self.expected_missing.add(url)
        return url

    def assert_clean(self):
        assert self.foreign_requests == [], "requests left the site's origin"
        assert self.errors == [], "the browser reported errors"


@pytest.fixture
def watch(page, site):
    page.set_default_timeout(10_000)
    watcher = PageWatch(page, site.url)
    yield watcher
    watcher.assert_clean()


def axe_violations(page) -> list[str]:
    """Run axe-core on the page as it is now; one line for each violation, any impact."""
    require_checkers()
    # Evaluated through the DevTools protocol, so the site's Content Security Policy still holds
    # for everything the page itself loads.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
    ]


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
