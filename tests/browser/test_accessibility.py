"""axe-core, injected into each public page type in Chromium, finds no violation of any impact."""

import pytest

from tests.pages import EXPECTED_STATUS, PAGE_TYPES
from tests.tools import AXE_JS, require_checkers


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_has_no_accessibility_violations(page, site, watch, name, width):
    require_checkers()
    page.set_viewport_size({"width": width, "height": 900})
    url = site.url + PAGE_TYPES[name]
    if EXPECTED_STATUS.get(name) == 404:
        watch.expect_missing(url)
    page.goto(url)
    # Evaluated through the DevTools protocol, so the site's Content Security Policy still holds
    # for everything the page itself loads.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
    ]
    assert violations == []
