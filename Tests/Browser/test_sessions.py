"""An organizer schedules a session through the portal form; a member sees it on /sessions.

Runs against the seeded demo (acme: organizer olivia, member ana). Screenshots of the
organizer's form and list and of the member's pages, at desktop and phone width, go to
.data/screenshots/ (MINGLE_SCREENSHOTS).
"""

import datetime
import time
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from mingle_browser import assert_fits_phone, save_screenshot, sign_in, url_for, use_desktop_viewport, use_phone_viewport





def set_value(driver, element_id, value):
    """datetime-local inputs take typed text in the browser's locale; set the value itself."""
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def submit(driver):
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, "form.session-form button[type=submit]").click()
    WebDriverWait(driver, 10).until(
        lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".errors, .flash"))


def fill_session(driver, title, start, end):
    title_input = driver.find_element(By.ID, "title")
    title_input.clear()
    title_input.send_keys(title)
    driver.find_element(By.ID, "description").send_keys("Five-minute conversations, a new partner each round.")
    Select(driver.find_element(By.ID, "time_zone")).select_by_value("Europe/Paris")
    set_value(driver, "starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    set_value(driver, "ends_at", end.strftime("%Y-%m-%dT%H:%M"))
    rounds = driver.find_element(By.ID, "round_minutes")
    rounds.clear()
    rounds.send_keys("5")


def test_organizer_schedules_and_member_sees_it(driver):
    title = f"Browser mixer {int(time.time())}"
    # 14:00 in Paris three days on: a one-hour session that is on one day in every zone a test
    # browser may have (a start near midnight crossed into the next day in UTC).
    start = datetime.datetime.now() + datetime.timedelta(days=3)
    start = start.replace(hour=14, minute=0, second=0, microsecond=0)

    # The organizer's list, then the form.
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/organize/sessions"))
    assert "Live sessions" in driver.find_element(By.TAG_NAME, "h1").text
    save_screenshot(driver, "sessions-organizer-list-before")
    driver.find_element(By.LINK_TEXT, "Schedule a session").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "starts_at")))

    # A refused form keeps what was typed and says why.
    fill_session(driver, title, start, start - datetime.timedelta(hours=1))
    submit(driver)
    errors = driver.find_element(By.CSS_SELECTOR, ".errors").text
    assert "The session must end after it starts." in errors
    assert driver.find_element(By.ID, "title").get_attribute("value") == title
    save_screenshot(driver, "sessions-organizer-form-refused")

    # Fixed: one own order for the survey (the "would connect" question first), then saved.
    set_value(driver, "ends_at", (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    position = driver.find_element(By.ID, "position-would-connect")
    position.clear()
    position.send_keys("1")
    quality = driver.find_element(By.ID, "position-conversation-quality")
    quality.clear()
    quality.send_keys("2")
    save_screenshot(driver, "sessions-organizer-form")
    submit(driver)
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert f"“{title}” is scheduled" in flash and "invited by message and email" in flash, flash
    assert title in driver.find_element(By.CSS_SELECTOR, ".session-list").text
    save_screenshot(driver, "sessions-organizer-list")

    # The demo's first session has its lobby open: the organizer gets to the live room.
    assert driver.find_elements(By.LINK_TEXT, "Open live room")

    # The organizer writes a question of their own (single choice) for later surveys.
    driver.get(url_for("acme", "/organize/questions"))
    question = f"Which track suits them? {int(time.time())}"
    driver.find_element(By.ID, "prompt").send_keys(question)
    driver.find_element(By.CSS_SELECTOR, 'input[name="kind"][value="single_choice"]').click()
    driver.find_element(By.ID, "options").send_keys("Product\nEngineering\nSales")
    driver.find_element(By.CSS_SELECTOR, 'form[action^="/organize/questions"] button[type="submit"]').click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert question in driver.find_element(By.CSS_SELECTOR, ".plain-list").text
    save_screenshot(driver, "questions-organizer")
    use_phone_viewport(driver)
    driver.get(url_for("acme", "/organize/questions"))
    save_screenshot(driver, "questions-organizer-phone")
    assert_fits_phone(driver, "the questions page")
    use_desktop_viewport(driver)

    use_phone_viewport(driver)
    driver.get(url_for("acme", "/organize/sessions/new"))
    save_screenshot(driver, "sessions-organizer-form-phone")
    assert_fits_phone(driver, "the form")
    use_desktop_viewport(driver)

    # The member: the session is listed, with its time in the member's own zone (their browser's), named.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "ana")
    driver.find_element(By.LINK_TEXT, "Sessions").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".session-list")))
    listing = driver.find_element(By.CSS_SELECTOR, ".session-list").text
    zone = driver.find_element(By.TAG_NAME, "html").get_attribute("data-zone")
    local = start.replace(tzinfo=ZoneInfo("Europe/Paris")).astimezone(ZoneInfo(zone))
    line = next(l for l in listing.splitlines() if f"{local.day} {local:%B %Y}, {local:%H:%M}–" in l)
    assert title in listing and f"({zone}" in line, (zone, listing)
    assert driver.find_elements(By.LINK_TEXT, "Enter the live room"), "the demo session's lobby should be open"
    feed = driver.find_element(By.ID, "feed-url").get_attribute("value")
    assert "/calendar/" in feed and feed.endswith(".ics")
    save_screenshot(driver, "sessions-member-list")

    driver.find_element(By.LINK_TEXT, title).click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".facts")))
    assert "scheduled" in driver.find_element(By.CSS_SELECTOR, "h1 .badge").text
    save_screenshot(driver, "sessions-member-session")

    use_phone_viewport(driver)
    driver.get(url_for("acme", "/sessions"))
    save_screenshot(driver, "sessions-member-list-phone")
    driver.find_element(By.LINK_TEXT, "Spring founders' mixer").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".enter-room")))
    save_screenshot(driver, "sessions-member-lobby-open-phone")
    assert_fits_phone(driver, "the page")
