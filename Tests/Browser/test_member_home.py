"""A newcomer in Tokyo joins acme, pays, and lands on their home: welcomed, with the next session
shown in their browser's zone (Chromium runs with TZ=Asia/Tokyo), which their account keeps.

Screenshots of the home at desktop and phone width, and of the registration form refused with
every problem shown beside its field, go to .data/screenshots/.
"""

import datetime
import secrets
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (assert_fits_phone, axe_problems, new_browser, psql, save_screenshot, url_for,
                            use_desktop_viewport, use_phone_viewport)
from test_membership import confirm_address, fill, submit

ZONE = "Asia/Tokyo"


@pytest.fixture
def tokyo():
    browser = new_browser(zone=ZONE)
    yield browser
    browser.quit()


def describe(start, end, zone):
    """The server's words for a session's time: "Tuesday 1 December 2026, 21:10–22:10 (Asia/Tokyo, UTC+09:00)"."""
    a, b = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    offset = a.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    label = f"{zone}, UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    day = lambda t: f"{t:%A} {t.day} {t:%B %Y}"  # noqa: E731
    span = f"{day(a)}, {a:%H:%M}–{b:%H:%M}" if day(a) == day(b) else f"{day(a)}, {a:%H:%M} – {day(b)}, {b:%H:%M}"
    return f"{span} ({label})"


def test_a_newcomer_pays_and_lands_on_their_home_with_the_next_session_in_their_zone(tokyo):
    driver = tokyo
    suffix = secrets.token_hex(3)
    username, email = f"kenji{suffix}", f"kenji{suffix}@example.test"
    assert driver.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone") == ZONE

    # A refused registration: every problem at once, beside its field, the typed values kept.
    driver.get(url_for("acme", "/register"))
    fill(driver, {"first_name": "Kenji", "last_name": "Sato", "email": "not-an-address", "username": "-x",
                  "password": "short", "confirmation": "short"})
    driver.execute_script("document.querySelector('main form').noValidate = true")
    submit(driver)
    for field in ("email", "username", "password"):
        element = driver.find_element(By.ID, field)
        assert element.get_attribute("aria-invalid") == "true", field
        error = driver.find_element(By.ID, f"{field}-error")
        assert element.get_attribute("aria-describedby") == f"{field}-error" and error.text, field
    assert driver.find_element(By.ID, "first_name").get_attribute("value") == "Kenji"
    assert len(driver.find_elements(By.CSS_SELECTOR, ".errors li a")) == 3
    assert "bytes" not in driver.page_source
    save_screenshot(driver, "register-refused")

    # Register, confirm, pay.
    fill(driver, {"email": email, "username": username, "password": "kenjis password", "confirmation": "kenjis password"})
    submit(driver)
    # (submit's wait ends at once here: the refused page's own error list is still on screen)
    WebDriverWait(driver, 15).until(lambda d: urllib.parse.urlsplit(d.current_url).path != "/register")
    assert urllib.parse.urlsplit(driver.current_url).path == "/membership", driver.current_url
    confirm_address(driver, email)
    driver.find_element(By.XPATH, "//button[contains(., 'with PayPal')]").click()
    WebDriverWait(driver, 15).until(EC.url_contains("/checkoutnow"))
    driver.find_element(By.XPATH, "//button[normalize-space()='Pay now']").click()

    # Home: welcomed, with the next session in Tokyo time, the zone named.
    WebDriverWait(driver, 15).until(lambda d: "Your payment is confirmed" in d.page_source)
    assert urllib.parse.urlsplit(driver.current_url).path == "/", driver.current_url
    assert "Welcome to" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert "Hello, Kenji" in driver.find_element(By.TAG_NAME, "h1").text
    row = psql("SELECT title || '|' || extract(epoch FROM starts_at)::bigint || '|' || extract(epoch FROM ends_at)::bigint "
               "FROM live_sessions WHERE ends_at > now() AND cancelled_at IS NULL ORDER BY starts_at, id LIMIT 1")
    title, start, end = row.split("|")
    utc = datetime.timezone.utc
    expected = describe(datetime.datetime.fromtimestamp(int(start), utc), datetime.datetime.fromtimestamp(int(end), utc), ZONE)
    card = driver.find_element(By.CSS_SELECTOR, "[aria-labelledby=next-heading]")
    assert title in card.text and expected in card.text, (expected, card.text)
    assert "Times are shown in Asia/Tokyo" in driver.find_element(By.CSS_SELECTOR, ".zone-note").text
    profile = driver.find_element(By.CSS_SELECTOR, "[aria-labelledby=profile-heading]").text
    assert "0 of" in profile and "a picture" in profile, profile
    assert psql(f"SELECT time_zone FROM users WHERE username = '{username}'", tenant=None) == ZONE
    assert axe_problems(driver) == []
    save_screenshot(driver, "member-home")
    use_phone_viewport(driver)
    assert_fits_phone(driver, "member home")
    save_screenshot(driver, "member-home-phone")
    use_desktop_viewport(driver)

    # The sessions list says the same, in the same zone.
    driver.get(url_for("acme", "/sessions"))
    assert expected in driver.find_element(By.TAG_NAME, "main").text
