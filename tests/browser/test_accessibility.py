"""axe-core, injected into each public page type in Chromium, finds no violation of any impact."""

import pytest

from tests.browser.conftest import axe_violations
from tests.pages import EXPECTED_STATUS, PAGE_TYPES


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_has_no_accessibility_violations(page, site, reader_activity, watch, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    url = site.url + PAGE_TYPES[name]
    if EXPECTED_STATUS.get(name) == 404:
        watch.expect_missing(url)
    page.goto(url)
    assert axe_violations(page) == []
