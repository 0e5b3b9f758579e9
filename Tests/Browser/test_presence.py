"""Presence over every page's socket (issue 11): a member who opens any page appears online to
another member of the tenant within 2 s and is gone within 10 s of closing it; a member of
another tenant never hears of them."""

import time

import pytest
from selenium.webdriver.common.by import By

from mingle_browser import browser_for_people, psql, save_screenshot, sign_in, url_for, wait_until


@pytest.fixture
def people():
    driver, windows = browser_for_people(["ana", "ben", "dana"])
    try:
        yield windows
    finally:
        driver.quit()


def user_id(username):
    return psql(f"SELECT id FROM users WHERE username = '{username}'", tenant=None).upper()


def shown_online(window, who):
    badges = window.find_elements(By.CSS_SELECTOR, f'[data-online-for="{who}"]')
    return bool(badges) and badges[0].is_displayed()


def test_members_see_who_is_online_inside_their_tenant_only(people):
    ana, ben, dana = people["ana"], people["ben"], people["dana"]
    ana_id = user_id("ana")
    sign_in(ana, "ana")
    sign_in(ben, "ben")
    sign_in(dana, "dana", slug="globex")
    # Ana is not on any page of the site now; Ben and Dana look at their people pages.
    ana.get("about:blank")
    ben.get(url_for("acme", "/people"))
    dana.get(url_for("globex", "/people"))
    wait_until(lambda: ben.execute_script("return window.mingleOnline && window.mingleOnline().length > 0"), 10, "Ben's socket")
    wait_until(lambda: not shown_online(ben, ana_id), 15, "Ana to be offline before she opens a page")

    # Ana opens a page of the site: Ben sees her online.
    opened = time.time()
    ana.get(url_for("acme", "/sessions"))
    wait_until(lambda: shown_online(ben, ana_id), 2, "Ana online on Ben's people page")
    appeared = time.time() - opened
    ben.get(url_for("acme", "/people/ana"))
    wait_until(lambda: shown_online(ben, ana_id), 5, "Ana online on her profile page")
    save_screenshot(ben, "presence-person")
    ben.get(url_for("acme", "/people"))
    wait_until(lambda: shown_online(ben, ana_id), 5, "Ana online on the people page")
    save_screenshot(ben, "presence-people")

    # A second tab of hers, then both close: she is gone within 10 s of the last.
    people_extra = ana.execute_script("return window.mingleOnline().length")
    assert people_extra >= 2, "Ana's own page knows who is online"
    ana.get("about:blank")
    closed = time.time()
    wait_until(lambda: not shown_online(ben, ana_id), 10, "Ana offline on Ben's page")
    gone = time.time() - closed
    print(f"\n[figures] presence: page opened → shown online to another member {appeared:.2f} s; "
          f"last page closed → shown offline {gone:.2f} s (3 s of it the deliberate linger)")

    # Dana, of another tenant, never heard of her.
    assert ana_id.lower() not in [i.lower() for i in dana.execute_script("return window.mingleOnline()")]
    assert not dana.find_elements(By.CSS_SELECTOR, f'[data-online-for="{ana_id}"]')
