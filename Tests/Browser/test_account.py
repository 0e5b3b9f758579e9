"""The account area (issue 14), walked in the browser by a member of acme who also belongs to
globex: the account page from the menu, a refused and a saved name, an email change confirmed
from the link in the email, a notification setting, a receipt, the password page, copying the
profile from globex, and leaving — with screenshots at desktop and phone width and an axe scan
of each new page."""

import re
import secrets
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (axe_problems, psql, save_screenshot, sign_in, url_for, use_desktop_viewport,
                            use_phone_viewport)


def path_of(driver):
    return urllib.parse.urlsplit(driver.current_url).path


def press(driver, selector):
    """Clicks a submit button and waits for the next page."""
    before = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.TAG_NAME, "html") != before)


def flash(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    return found[0].text if found else ""


def both_widths(driver, name):
    """Screenshots of the page shown at desktop and phone width, and its axe scan."""
    save_screenshot(driver, f"{name}-desktop")
    use_phone_viewport(driver)
    save_screenshot(driver, f"{name}-phone")
    use_desktop_viewport(driver)
    problems = axe_problems(driver)
    assert not problems, f"{name}: {problems}"


def make_member(username):
    """A member of acme (with a paid fee) and of globex (with a profile), signed in with the demo password."""
    psql(f"""INSERT INTO users (username, email, first_name, last_name, password_hash, email_confirmed_at)
             SELECT '{username}', '{username}@example.test', 'Kim', 'Account', password_hash, now()
             FROM users WHERE username = 'ana'""", tenant=None)
    for slug in ("acme", "globex"):
        psql(f"""INSERT INTO memberships (tenant_id, user_id, role, status)
                 SELECT id, (SELECT id FROM users WHERE username = '{username}'), 'member', 'active'
                 FROM tenants WHERE slug = '{slug}'""", tenant=slug)
    psql(f"""INSERT INTO payments (tenant_id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, completed_at)
             SELECT app_tenant_id(), id, 2500, 'EUR', 'ORDER-{username}', 'CAPTURE-{username}', 'completed', now()
             FROM users WHERE username = '{username}'""", tenant="acme")
    for label, value in (("Headline", "Builds robots for tea rooms"), ("Website", "https://kim.example")):
        psql(f"""INSERT INTO profile_answers (tenant_id, user_id, section_id, value)
                 SELECT app_tenant_id(), (SELECT id FROM users WHERE username = '{username}'), s.id, '{value}'
                 FROM profile_sections s WHERE s.label = '{label}'""", tenant="globex")


def test_a_member_uses_every_part_of_the_account_area(driver):
    username = f"kim{secrets.token_hex(3)}"
    make_member(username)
    sign_in(driver, username, "acme")

    # The account page from the site menu.
    driver.find_element(By.CSS_SELECTOR, "#site-menu a[href='/account']").click()
    assert path_of(driver) == "/account"
    assert "Time zone" in driver.page_source and "CAPTURE-" + username in driver.page_source
    both_widths(driver, "account")

    # A refused name (past the browser's own check): the problem beside its field, the other
    # name kept; then a good one.
    driver.execute_script("document.getElementById('first_name').removeAttribute('required')")
    first = driver.find_element(By.ID, "first_name")
    first.clear()
    last = driver.find_element(By.ID, "last_name")
    last.clear()
    last.send_keys("Accountant")
    press(driver, "#name button[type=submit]")
    assert driver.find_element(By.ID, "first_name").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "first_name-error").text == "Give your first name."
    assert driver.find_element(By.ID, "last_name").get_attribute("value") == "Accountant"
    save_screenshot(driver, "account-name-error-desktop")
    use_phone_viewport(driver)
    save_screenshot(driver, "account-name-error-phone")
    use_desktop_viewport(driver)
    driver.find_element(By.ID, "first_name").send_keys("Kimberly")
    press(driver, "#name button[type=submit]")
    assert "people see you as Kimberly Accountant" in flash(driver)

    # The email address: asked, waiting, confirmed from the link in the email.
    new_address = f"{username}@new.example"
    driver.find_element(By.ID, "new_email").send_keys(new_address)
    press(driver, "#email button[type=submit]")
    assert f"We emailed a link to {new_address}" in flash(driver)
    assert "Waiting for confirmation" in driver.page_source
    assert psql(f"SELECT email FROM users WHERE username = '{username}'", tenant=None) == f"{username}@example.test"
    save_screenshot(driver, "account-email-pending-desktop")
    link = psql(f"""SELECT substring(body_text from 'http://\\S+/account/email/confirm\\?token=\\S+') FROM outbox
                    WHERE to_address = '{new_address}' ORDER BY created_at DESC LIMIT 1""", tenant=None)
    assert link.startswith("http://acme."), link
    driver.get(link)
    both_widths(driver, "account-email-confirm")
    press(driver, "main form button[type=submit]")
    assert path_of(driver) == "/account" and f"Your email address is now {new_address}" in flash(driver)
    assert psql(f"SELECT email FROM users WHERE username = '{username}'", tenant=None) == new_address
    assert psql(f"""SELECT count(*) FROM outbox WHERE to_address = '{username}@example.test'
                    AND subject = 'Your email address was changed'""", tenant=None) == "1"

    # Which emails: no more message emails from acme.
    box = driver.find_element(By.ID, "email_messages")
    assert box.is_selected()
    box.click()
    press(driver, "#notifications button[type=submit]")
    assert "emails you about connection requests and sessions" in flash(driver)
    assert not driver.find_element(By.ID, "email_messages").is_selected()
    assert psql(f"""SELECT email_messages FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE u.username = '{username}'""", tenant="acme") == "f"

    # A receipt, printable.
    driver.find_element(By.CSS_SELECTOR, "#receipts a[href^='/account/receipts/']").click()
    assert "CAPTURE-" + username in driver.page_source and "25.00 EUR" in driver.page_source
    assert driver.find_element(By.CSS_SELECTOR, "[data-print]").is_displayed()
    both_widths(driver, "account-receipt")

    # The password page, with every problem beside its field.
    driver.get(url_for("acme", "/account/password"))
    driver.find_element(By.ID, "password").send_keys("short")
    driver.find_element(By.ID, "confirmation").send_keys("short")
    driver.execute_script("for (const i of document.querySelectorAll('input')) i.removeAttribute('required'), i.removeAttribute('minlength')")
    press(driver, "main form button[type=submit]")
    assert driver.find_element(By.ID, "current-error").text == "Give your current password."
    assert "at least 10 characters" in driver.find_element(By.ID, "password-error").text
    both_widths(driver, "account-password-errors")

    # Copying the profile from globex into the empty one here.
    driver.get(url_for("acme", "/profile"))
    offer = driver.find_element(By.CSS_SELECTOR, ".copy-offer")
    assert "Copy my profile from Globex" in offer.text
    both_widths(driver, "account-profile-copy-offer")
    press(driver, ".copy-offer button[type=submit]")
    assert "Copied 2 answers from" in driver.page_source
    both_widths(driver, "account-profile-copied")
    driver.get(url_for("acme", "/profile"))
    values = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "main input")]
    assert "Builds robots for tea rooms" in values and "https://kim.example" in values

    # Leaving, after saying yes to the question.
    driver.get(url_for("acme", "/account"))
    driver.find_element(By.CSS_SELECTOR, "a[href='/account/leave']").click()
    assert "Your profile is hidden from everyone" in driver.page_source
    both_widths(driver, "account-leave")
    driver.find_element(By.CSS_SELECTOR, "main form button.danger").click()
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
    driver.switch_to.alert.accept()
    WebDriverWait(driver, 15).until(lambda d: path_of(d) == "/")
    assert "You have left" in flash(driver)
    driver.get(url_for("acme", "/people"))
    assert path_of(driver) == "/join", driver.current_url
    assert psql(f"""SELECT status FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE u.username = '{username}'""", tenant="acme") == "left"
    assert re.search(r"Join", driver.page_source)
