"""Presence over every page's socket (issue 11): a member who opens any page appears online to
another member of the tenant within 2 s and is gone within 10 s of closing it; a member of
another tenant never hears of them. "Online now" on the messages page lists the people one may
write to while they are online, and someone who chooses to appear offline leaves it at once
(issue 16)."""

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


def online_now(window):
    """The names "Online now" shows, or None when it says nobody is online."""
    items = [li.text for li in window.find_elements(By.CSS_SELECTOR, "[data-online-list] li") if li.is_displayed()]
    empty = window.find_element(By.CSS_SELECTOR, "[data-online-empty]").is_displayed()
    return None if empty else items


def test_online_now_lists_connections_while_online_and_not_someone_who_appears_offline(people):
    ana, ben = people["ana"], people["ben"]
    ana_id, ben_id = user_id("ana"), user_id("ben")
    # Ana and Ben are connected.
    psql(f"INSERT INTO connections (tenant_id, requester_id, recipient_id, status) "
         f"SELECT tenant_id, '{ana_id}', '{ben_id}', 'accepted' FROM memberships WHERE user_id = '{ana_id}' "
         f"AND tenant_id = (SELECT id FROM tenants WHERE slug = 'acme') ON CONFLICT DO NOTHING")
    sign_in(ana, "ana")
    sign_in(ben, "ben")
    ana.get("about:blank")
    ben.get(url_for("acme", "/messages"))
    wait_until(lambda: online_now(ben) is None or "Ana" not in " ".join(online_now(ben)), 15, "Ana not online yet")

    # Ana opens a page: she is in Ben's "Online now".
    ana.get(url_for("acme", "/sessions"))
    wait_until(lambda: any("Ana" in name for name in online_now(ben) or []), 5, "Ana in Ben's Online now")
    save_screenshot(ben, "online-now")

    # She chooses to appear offline: gone from Ben's list at once, her page still open.
    try:
        ana.get(url_for("acme", "/account#availability"))
        ana.find_element(By.ID, "appear_offline").click()
        ana.find_element(By.CSS_SELECTOR, '#availability button[type="submit"]').click()
        wait_until(lambda: "You appear offline" in ana.page_source, 10, "the account page's confirmation")
        save_screenshot(ana, "account-availability")
        wait_until(lambda: not any("Ana" in name for name in online_now(ben) or []), 5, "Ana gone from Ben's Online now")
        save_screenshot(ben, "online-now-empty")
    finally:
        psql(f"UPDATE memberships SET appear_offline = false WHERE user_id = '{ana_id}'")
