"""Attendance (issue 14): an organizer schedules a session; a member answers "I'll come" from
the link in their invitation email, in a browser where nobody is signed in (a GET only asks,
the button answers); the organizer's attendance page then shows that member as coming.

Screenshots (desktop and phone) of the invitation page, the member's session page, the
organizer's sessions list and attendance page go to .data/screenshots/.
"""

import datetime
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (assert_fits_phone, invitation_link, new_browser, psql, save_screenshot, sign_in, url_for,
                            use_desktop_viewport, use_phone_viewport)
from test_sessions import fill_session, submit


def shots(driver, name):
    """The page at desktop and at phone width (where it must not scroll sideways)."""
    use_desktop_viewport(driver)
    save_screenshot(driver, f"{name}-desktop")
    use_phone_viewport(driver)
    driver.refresh()
    assert_fits_phone(driver, name)
    save_screenshot(driver, f"{name}-phone")
    use_desktop_viewport(driver)


def test_an_rsvp_from_the_email_link_shows_in_the_organizers_attendance(driver):
    title = f"Attendance mixer {int(time.time())}"
    start = (datetime.datetime.now() + datetime.timedelta(days=4)).replace(minute=0, second=0, microsecond=0)

    # The organizer schedules a session: every active member gets an email with links of their own.
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/organize/sessions/new"))
    fill_session(driver, title, start, start + datetime.timedelta(hours=1))
    submit(driver)
    assert f"“{title}” is scheduled" in driver.find_element(By.CSS_SELECTOR, ".flash").text

    link = invitation_link("ana@acme.example", title)
    assert link and "/invitation/" in link, link

    # Ana opens "I'll come" from her email in a browser where nobody is signed in: a page that
    # asks, with one button; nothing is answered by opening it.
    member = new_browser()
    try:
        member.get(link + "?answer=yes")
        assert title in member.find_element(By.TAG_NAME, "h1").text
        buttons = member.find_elements(By.CSS_SELECTOR, ".answer-buttons button")
        assert [b.text for b in buttons] == ["Yes, I’ll come"], [b.text for b in buttons]
        session_id = link.split("/sessions/")[1].split("/")[0]
        assert psql(f"SELECT coalesce(answer, 'none') || ' ' || (opened_at IS NOT NULL) FROM live_session_invitations i "
                    f"JOIN users u ON u.id = i.user_id WHERE u.username = 'ana' AND i.session_id = '{session_id}'") == "none true"
        shots(member, "attendance-invitation-confirm")
        member.find_element(By.CSS_SELECTOR, ".answer-buttons button").click()
        WebDriverWait(member, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
        assert "you’re down as coming" in member.find_element(By.CSS_SELECTOR, ".flash").text
        assert "You said you’ll come." in member.find_element(By.CSS_SELECTOR, ".answer-current").text
        assert not member.get_cookie("mingle_session"), "the link signed nobody in"
        shots(member, "attendance-invitation-answered")
    finally:
        member.quit()

    # The organizer's list counts it; the attendance page names Ana as coming.
    driver.get(url_for("acme", "/organize/sessions"))
    item = next(li for li in driver.find_elements(By.CSS_SELECTOR, ".session-item") if title in li.text)
    assert "1 coming" in item.text, item.text
    shots(driver, "attendance-organizer-sessions")
    item = next(li for li in driver.find_elements(By.CSS_SELECTOR, ".session-item") if title in li.text)
    item.find_element(By.LINK_TEXT, "Attendance").click()
    WebDriverWait(driver, 10).until(lambda d: "/attendance" in d.current_url)
    row = next(tr for tr in driver.find_elements(By.CSS_SELECTOR, "table.attendance tbody tr") if "Ana Alvarez" in tr.text)
    assert "Coming" in row.text, row.text
    figures = {f.find_element(By.TAG_NAME, "dt").text: f.find_element(By.TAG_NAME, "dd").text
               for f in driver.find_elements(By.CSS_SELECTOR, ".figures > div")}
    assert figures["Coming"].startswith("1"), figures
    shots(driver, "attendance-organizer-upcoming")
    # At phone width the table scrolls inside its box, not the page.
    use_phone_viewport(driver)
    wrap = driver.find_element(By.CSS_SELECTOR, ".table-wrap")
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", wrap)
    use_desktop_viewport(driver)

    # A session that ran (the seeded "Winter warm-up"): who came, for how long, in how many rounds.
    past = psql("SELECT id FROM live_sessions WHERE title = 'Winter warm-up'")
    driver.get(url_for("acme", f"/organize/sessions/{past}/attendance"))
    assert "Took part in rounds" in driver.find_element(By.CSS_SELECTOR, ".figures").text
    assert " min" in driver.find_element(By.CSS_SELECTOR, "table.attendance tbody").text
    shots(driver, "attendance-organizer-past")

    # Signed in, Ana sees her answer on the session's page and may change it there.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "ana")
    driver.get(url_for("acme", f"/sessions/{session_id}"))
    assert "You said you’ll come." in driver.find_element(By.CSS_SELECTOR, ".invitation-answer").text
    shots(driver, "attendance-member-session")
