"""An organizer schedules a meeting with chosen invitees; the invitee sees it in their list and
on its page, and has the email with its calendar invitation (issue 15, around the room).

Runs against the seeded demo (acme: organizer olivia, members ana and ben). Screenshots of the
list, the form (also refused) and the meeting's page, at desktop and phone width, go to
.data/screenshots/ (MINGLE_SCREENSHOTS).
"""

import datetime
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from mingle_browser import (assert_fits_phone, psql, save_screenshot, sign_in, url_for, use_desktop_viewport,
                            use_phone_viewport)


def set_value(driver, element_id, value):
    """datetime-local inputs take typed text in the browser's locale; set the value itself."""
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, element_id), value)


def submit(driver):
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, "form.meeting-form button[value=save]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".errors, .flash"))


def shoot_both(driver, name, path):
    """Screenshots of `path` at desktop and phone width (the page must not scroll sideways)."""
    driver.get(url_for("acme", path))
    save_screenshot(driver, name)
    use_phone_viewport(driver)
    driver.get(url_for("acme", path))
    save_screenshot(driver, f"{name}-phone")
    assert_fits_phone(driver, path)
    use_desktop_viewport(driver)


def test_organizer_schedules_a_meeting_for_chosen_members_and_the_invitee_sees_it(driver):
    title = f"Board call {int(time.time())}"
    start = (datetime.datetime.now() + datetime.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)

    # The organizer's list, then the form.
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/meetings"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Meetings"
    save_screenshot(driver, "meetings-organizer-list-before")
    driver.find_element(By.LINK_TEXT, "Schedule a meeting").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "starts_at")))
    # The defaults: waiting room on, guests off, 25 people, the site's zone.
    assert driver.find_element(By.NAME, "waiting_room").is_selected()
    assert not driver.find_element(By.NAME, "guests_allowed").is_selected()
    assert driver.find_element(By.ID, "participant_cap").get_attribute("value") == "25"

    # The name filter narrows the list as one types (the Filter button is gone with scripts).
    assert not driver.find_elements(By.CSS_SELECTOR, "button[value=filter]")
    driver.find_element(By.ID, "filter").send_keys("alva")
    visible = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".invitee-list li") if li.is_displayed()]
    assert len(visible) == 1 and "Ana Alvarez" in visible[0], visible
    driver.find_element(By.CSS_SELECTOR, ".invitee-list li:not([hidden]) input").click()

    # A refused form keeps what was typed and says why, beside the field.
    driver.find_element(By.ID, "title").send_keys(title)
    driver.find_element(By.ID, "description").send_keys("Agenda: https://example.com/agenda")
    Select(driver.find_element(By.ID, "time_zone")).select_by_value("Europe/Paris")
    set_value(driver, "starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    set_value(driver, "ends_at", (start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    cap = driver.find_element(By.ID, "participant_cap")
    cap.clear()
    cap.send_keys("8")
    submit(driver)
    assert "The end must come after the start." in driver.find_element(By.ID, "ends_at-error").text
    assert driver.find_element(By.ID, "ends_at").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "title").get_attribute("value") == title
    ticked = [i.get_attribute("value") for i in driver.find_elements(By.CSS_SELECTOR, ".invitee-list input:checked")]
    assert len(ticked) == 1
    save_screenshot(driver, "meetings-form-refused")

    set_value(driver, "ends_at", (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    save_screenshot(driver, "meetings-form")
    submit(driver)
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert f"“{title}” is scheduled" in flash and "1 member was invited by message and email" in flash, flash

    # The meeting's page: its link in a read-only field, copied with a visible confirmation.
    link = driver.find_element(By.ID, "meeting-link")
    assert link.get_attribute("readonly") is not None and "/m/" in link.get_attribute("value")
    token = link.get_attribute("value").rsplit("/m/", 1)[1]
    assert len(token) == 24
    driver.find_element(By.CSS_SELECTOR, "[data-copy]").click()
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-copy-status]").text)
    said = driver.find_element(By.CSS_SELECTOR, "[data-copy-status]").text
    assert said.startswith("Link copied") or "selected" in said, said
    assert "Ana Alvarez" in driver.find_element(By.CSS_SELECTOR, ".invited-list").text
    assert "8 people at most" in driver.find_element(By.CSS_SELECTOR, ".facts").text
    meeting_path = "/" + driver.current_url.split("/", 3)[3]
    shoot_both(driver, "meetings-details-host", meeting_path)
    shoot_both(driver, "meetings-form-edit", meeting_path + "/edit")
    assert driver.find_element(By.ID, "title").get_attribute("value") == title
    shoot_both(driver, "meetings-form-new", "/meetings/new")
    shoot_both(driver, "meetings-organizer-list", "/meetings")

    # The email: ana has the invitation with its .ics (REQUEST) and the room's link; ben has nothing.
    row = psql("SELECT subject || '|' || (attachment_body LIKE '%METHOD:REQUEST%')::text || '|' || "
               f"(body_text LIKE '%/m/{token}%')::text FROM outbox WHERE to_address = 'ana@acme.example' "
               f"AND subject LIKE '%{title}%'", tenant=None)
    assert row.startswith(f"Invitation: {title}") and row.endswith("|true|true"), row
    assert psql(f"SELECT count(*) FROM outbox WHERE to_address = 'ben@acme.example' AND subject LIKE '%{title}%'", tenant=None) == "0"

    # The invitee: the meeting in "Upcoming", its page with the time in their zone, Join and the link.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "ana")
    driver.find_element(By.LINK_TEXT, "Meetings").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "upcoming-heading")))
    upcoming = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=upcoming-heading]").text
    assert title in upcoming and "hosted by Olivia Organa" in upcoming, upcoming
    shoot_both(driver, "meetings-member-list", "/meetings")
    driver.find_element(By.LINK_TEXT, title).click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".facts")))
    zone = driver.find_element(By.TAG_NAME, "html").get_attribute("data-zone")
    assert f"({zone}" in driver.find_element(By.CSS_SELECTOR, ".facts").text
    join = driver.find_element(By.LINK_TEXT, "Join the meeting").get_attribute("href")
    assert join.endswith(f"/m/{token}")
    assert driver.find_element(By.LINK_TEXT, "https://example.com/agenda")
    assert not driver.find_elements(By.CSS_SELECTOR, "form[action$='/cancel']")
    shoot_both(driver, "meetings-details-member", meeting_path)

    # ben, not invited, finds nothing.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "ben")
    driver.get(url_for("acme", meeting_path))
    assert "no such meeting" in driver.page_source.lower()


def test_the_organizer_lets_members_host_and_a_member_then_can(driver):
    # The setting sits on the organizer's membership page, in a form of its own.
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/organize/membership"))
    box = driver.find_element(By.NAME, "members_may_host")
    assert not box.is_selected()
    box.click()
    driver.find_element(By.CSS_SELECTOR, "form[action='/organize/membership/meetings'] button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "Members may now schedule and start meetings" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert driver.find_element(By.NAME, "members_may_host").is_selected()
    shoot_both(driver, "meetings-setting-organizer", "/organize/membership#meetings")

    # ben, a member, may now schedule and start meetings.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "ben")
    driver.get(url_for("acme", "/meetings"))
    assert driver.find_elements(By.LINK_TEXT, "Schedule a meeting")
    assert driver.find_elements(By.XPATH, "//button[normalize-space()='Start a meeting now']")

    # Turned off again: members no longer host (the demo stays as it was).
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/organize/membership"))
    driver.find_element(By.NAME, "members_may_host").click()
    driver.find_element(By.CSS_SELECTOR, "form[action='/organize/membership/meetings'] button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert not driver.find_element(By.NAME, "members_may_host").is_selected()
