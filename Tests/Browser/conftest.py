"""Fixtures for the headless-Chromium tests (helpers live in mingle_browser.py)."""

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from mingle_browser import (
    CHROMEDRIVER,
    CHROMIUM_BINARY,
    CHROMIUM_FLAGS,
    DESKTOP_SIZE,
    TENANT_SLUGS,
    load_brand,
    use_desktop_viewport,
)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    options = Options()
    options.binary_location = CHROMIUM_BINARY
    for flag in CHROMIUM_FLAGS + (f"--window-size={DESKTOP_SIZE[0]},{DESKTOP_SIZE[1]}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def driver(chromium):
    """The shared browser, reset for each test: no cookies on any host, desktop viewport."""
    chromium.execute_cdp_cmd("Network.enable", {})
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    use_desktop_viewport(chromium)
    yield chromium
    # Leave no page open: a page of the site holds a socket, and its person would stay online
    # for the tests after this one.
    chromium.get("about:blank")
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    use_desktop_viewport(chromium)


@pytest.fixture(scope="session")
def brands():
    """{slug: brand pack} for the demo tenants."""
    return {slug: load_brand(slug) for slug in TENANT_SLUGS}
