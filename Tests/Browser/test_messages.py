"""Two members connect and exchange messages; the reader's open page updates without a reload."""

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import new_browser, save_screenshot, sign_in, url_for



@pytest.fixture
def second_browser():
    """Another person at another computer: a second Chromium with its own cookies."""
    driver = new_browser()
    yield driver
    driver.quit()




def click(driver, text):
    before = driver.current_url
    driver.find_element(By.XPATH, f"//main//button[normalize-space()='{text}']").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".flash"))


def start_unconnected(driver, other):
    """Re-runs against a long-lived demo server: undo an earlier run's connection or request."""
    driver.get(url_for("acme", f"/people/{other}"))
    for label in ("Withdraw", "Decline"):
        if driver.find_elements(By.XPATH, f"//main//button[normalize-space()='{label}']"):
            click(driver, label)
    if driver.find_elements(By.CSS_SELECTOR, ".badge.ok"):
        driver.get(url_for("acme", "/connections"))
        row = next(li for li in driver.find_elements(By.CSS_SELECTOR, ".plain-list li") if other.capitalize() in li.text or other in li.text)
        row.find_element(By.XPATH, ".//button[normalize-space()='Remove']").click()
        # "Remove your connection with …?" — yes.
        WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert).accept()
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))


def test_members_connect_and_messages_arrive_live(driver, second_browser):
    ana, ben = driver, second_browser
    sign_in(ana, "ana")
    sign_in(ben, "ben")
    start_unconnected(ana, "ben")

    # Ana asks; Ben sees the request in his notifications and accepts it.
    ana.get(url_for("acme", "/people/ben"))
    click(ana, "Connect")
    assert "Request sent" in ana.page_source
    ben.get(url_for("acme", "/notifications"))
    assert "Ana Alvarez would like to connect with you." in ben.page_source, "notices name people, not usernames"
    save_screenshot(ben, "notifications")
    ben.get(url_for("acme", "/connections"))
    save_screenshot(ben, "connections-request")
    row = next(li for li in ben.find_elements(By.CSS_SELECTOR, ".plain-list li") if "Ana" in li.text)
    row.find_element(By.XPATH, ".//button[normalize-space()='Accept']").click()
    WebDriverWait(ben, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Connected"))

    # Ana opens the conversation; Ben writes; Ana's open page shows it without a reload.
    ana.get(url_for("acme", "/people/ben"))
    ana.find_element(By.LINK_TEXT, "Message").click()
    WebDriverWait(ana, 10).until(EC.presence_of_element_located((By.ID, "thread")))
    ana.execute_script("window.__marker = 'same page'")
    unread_before = ana.find_element(By.CSS_SELECTOR, '[data-unread="messages"]').get_attribute("textContent")
    ana.execute_script("""
        window.__counts = [];
        const badge = document.querySelector('[data-unread="messages"]');
        new MutationObserver(() => window.__counts.push(badge.textContent)).observe(badge, {childList: true, characterData: true, subtree: true});""")
    note = f"Coffee at the next session? {int(time.time())}"
    ben.get(url_for("acme", "/messages/ana"))
    ben.find_element(By.ID, "body").send_keys(note)
    click(ben, "Send")
    WebDriverWait(ana, 10).until(lambda d: note in d.find_element(By.ID, "thread").text)
    assert ana.execute_script("return window.__marker") == "same page", "the page was reloaded"
    # It came over the page's socket: the page made no request of its own since it loaded.
    requests = ana.execute_script(
        "return performance.getEntriesByType('resource').filter(e => ['fetch', 'xmlhttprequest'].includes(e.initiatorType)).map(e => e.name)")
    assert requests == [], requests
    # Shown, hence read: the header's count (other conversations) is what it was before.
    WebDriverWait(ana, 10).until(lambda d: d.execute_script("return window.__counts")[-1:] == [unread_before])
    assert ana.execute_script("return window.__counts") == [str(int(unread_before or 0) + 1), unread_before]
    # A screen reader hears "Messages, 1 unread" (or nothing after the name when none are).
    label = ana.find_element(By.CSS_SELECTOR, '[data-unread-label="messages"]').get_attribute("textContent")
    assert label == ("" if unread_before in ("", "0") else f", {unread_before} unread"), label

    # A link in a message is clickable where it arrives, and only http(s) becomes a link.
    ben.get(url_for("acme", "/messages/ana"))
    ben.find_element(By.ID, "body").send_keys("Agenda: https://example.com/agenda. Not javascript:alert(1)")
    click(ben, "Send")
    WebDriverWait(ana, 10).until(lambda d: "example.com/agenda" in d.find_element(By.ID, "thread").text)
    links = ana.find_elements(By.CSS_SELECTOR, "#thread a")
    assert [(a.get_attribute("href"), a.get_attribute("rel")) for a in links] == [("https://example.com/agenda", "noopener nofollow")], links

    # Ana replies the ordinary way; both see the whole thread.
    ana.find_element(By.ID, "body").send_keys("Yes, see you there!")
    click(ana, "Send")
    assert note in ana.page_source and "Yes, see you there!" in ana.page_source
    save_screenshot(ana, "conversation")
    ben.get(url_for("acme", "/messages"))
    assert "Yes, see you there!" in ben.page_source
    save_screenshot(ben, "messages-inbox")
