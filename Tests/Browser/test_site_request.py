"""Becoming an organizer (issue 14): someone requests a site on the platform home (the address
checked as it is typed, a refused form coming back with every problem beside its field), a
platform admin approves it in the console, and the new organizer sets a password from the
emailed link and lands on the set-up checklist; the root host then lists their site."""

import re
import secrets
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (assert_fits_phone, axe_problems, host_for, save_screenshot, url_for,
                            use_desktop_viewport, use_phone_viewport)
from test_console import sign_in_admin

PASSWORD = "a brand new organizer password"


def fill(driver, values):
    for field, value in values.items():
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


def submit(driver, form="main form"):
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".field-error"))


def both_widths(driver, name):
    """Screenshots at desktop and phone width; the page must not scroll sideways on a phone."""
    save_screenshot(driver, f"{name}-desktop")
    use_phone_viewport(driver)
    assert_fits_phone(driver, name)
    save_screenshot(driver, f"{name}-phone")
    use_desktop_viewport(driver)


def no_serious_axe_problems(driver, what):
    problems = axe_problems(driver)
    assert not problems, f"{what}: {problems}"


def address_status(driver, slug):
    """Types `slug` into the address field and waits for the live check's answer."""
    field = driver.find_element(By.ID, "slug")
    field.clear()
    field.send_keys(slug)
    WebDriverWait(driver, 10).until(lambda d: slug in d.find_element(By.ID, "slug-status").text)
    return driver.find_element(By.ID, "slug-status").text


def request_site(driver, slug, email, name="Riverside Founders"):
    """Files a request on the platform home as an anonymous visitor."""
    driver.get(url_for(None, "/"))
    fill(driver, {"site_name": name, "slug": slug, "first_name": "Rhea", "last_name": "Rivers", "email": email,
                  "about": "Founders from the riverside meet monthly to swap notes.\nAbout 40 people."})
    submit(driver, ".site-request-form")
    assert urllib.parse.urlsplit(driver.current_url).path == "/site-requests/received", driver.current_url


def mail_text(driver, email, subject_part):
    """A queued email's text, read in the console's outbox (the demo has no SMTP server)."""
    driver.get(url_for(None, "/admin/outbox"))
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if email in r.text and subject_part in r.text)
    row.find_element(By.TAG_NAME, "a").click()
    return driver.find_element(By.CSS_SELECTOR, ".mail-text").text


def confirm_submit(driver, form):
    """Submits a form that asks first (data-confirm), and says yes."""
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
    alert = WebDriverWait(driver, 5).until(EC.alert_is_present())
    question = alert.text
    alert.accept()
    WebDriverWait(driver, 15).until(lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".flash, .field-error"))
    return question


def test_request_a_site_approve_it_and_set_it_up(driver):
    suffix = secrets.token_hex(3)
    slug, email = f"riverside-{suffix}", f"rhea{suffix}@example.test"

    # The platform home explains the product and checks the address as it is typed.
    driver.get(url_for(None, "/"))
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".features h2")]
    assert "Live speed networking" in headings and "Paid membership" in headings, headings
    both_widths(driver, "platform-home")
    assert "acme" in address_status(driver, "acme") and "is taken" in driver.find_element(By.ID, "slug-status").text
    assert "is reserved" in address_status(driver, "admin")
    assert "is available" in address_status(driver, slug)
    assert driver.find_element(By.ID, "slug-status").get_attribute("aria-live") == "polite"
    save_screenshot(driver, "platform-home-address-available")

    # Refused: every problem beside its field, what was typed kept.
    fill(driver, {"site_name": "", "first_name": "Rhea", "email": "not an email", "about": ""})
    submit(driver, ".site-request-form")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".field-error")]
    assert any("Give your site a name" in e for e in errors) and any("email address like" in e for e in errors), errors
    assert any("about your community" in e for e in errors), errors
    assert driver.find_element(By.ID, "first_name").get_attribute("value") == "Rhea"
    assert driver.find_element(By.ID, "slug").get_attribute("value") == slug
    assert driver.find_element(By.ID, "site_name").get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element.get_attribute("id") == "site_name", "the first wrong field has the focus"
    both_widths(driver, "platform-home-request-errors")
    no_serious_axe_problems(driver, "the refused request form")

    # Filed: a confirmation page saying what happens next.
    request_site(driver, slug, email)
    assert "we received your request" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    both_widths(driver, "site-request-received")
    no_serious_axe_problems(driver, "the received page")

    # An admin sees it waiting in the console and approves it.
    sign_in_admin(driver)
    badge = driver.find_element(By.CSS_SELECTOR, ".subnav a[href='/admin/site-requests'] .count").text
    assert int(badge) >= 1, badge
    driver.find_element(By.CSS_SELECTOR, ".subnav a[href='/admin/site-requests']").click()
    WebDriverWait(driver, 10).until(EC.url_contains("/admin/site-requests"))
    both_widths(driver, "console-site-requests")
    no_serious_axe_problems(driver, "the console's requests")
    driver.find_element(By.LINK_TEXT, "Riverside Founders").click()
    WebDriverWait(driver, 10).until(lambda d: "Founders from the riverside" in d.page_source)
    assert driver.find_element(By.ID, "username").get_attribute("value") == "rhea"
    both_widths(driver, "console-site-request")
    no_serious_axe_problems(driver, "a site request")
    fill(driver, {"username": f"rhea{suffix}"})
    question = confirm_submit(driver, "form[action$='/approve']")
    assert slug in question, question
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert f"is live at {slug}." in flash, flash
    save_screenshot(driver, "console-site-request-approved")
    link = re.search(r"http://\S+/reset-password\?token=\S+", mail_text(driver, email, "is ready")).group(0)
    assert urllib.parse.urlsplit(link).hostname == host_for(slug)

    # The new organizer sets a password from the link and lands on the checklist.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get(link)
    fill(driver, {"password": PASSWORD, "confirmation": PASSWORD})
    submit(driver)
    landed = urllib.parse.urlsplit(driver.current_url)
    assert (landed.hostname, landed.path) == (host_for(slug), "/organize"), driver.current_url
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "Set up your site"
    steps = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".setup-steps li")]
    assert len(steps) == 5 and "Schedule your first session" in " ".join(steps), steps
    assert "0 of 5 done" in driver.page_source
    both_widths(driver, "organizer-checklist")
    no_serious_axe_problems(driver, "the checklist")

    # A first step done is ticked.
    driver.get(url_for(slug, "/organize/branding"))
    accent = driver.find_element(By.ID, "accent")
    driver.execute_script("arguments[0].value = '#0a7f5a'", accent)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    driver.get(url_for(slug, "/organize"))
    done = [li for li in driver.find_elements(By.CSS_SELECTOR, ".setup-steps li.done")]
    assert len(done) == 1 and "Make the site yours" in done[0].text, [li.text for li in done]
    save_screenshot(driver, "organizer-checklist-one-done")

    # On the root host, the organizer's sites are listed.
    driver.get(url_for(None, "/sign-in"))
    fill(driver, {"username": f"rhea{suffix}", "password": PASSWORD})
    submit(driver)
    sites = driver.find_element(By.CSS_SELECTOR, ".your-sites").text
    assert "Riverside Founders" in sites and "Organizer" in sites, sites
    both_widths(driver, "platform-home-your-sites")


def test_a_declined_request_needs_a_reason(driver):
    suffix = secrets.token_hex(3)
    slug, email = f"shoes-{suffix}", f"seller{suffix}@example.test"
    request_site(driver, slug, email, name="Shoe Outlet")
    sign_in_admin(driver)
    driver.get(url_for(None, "/admin/site-requests"))
    driver.find_element(By.LINK_TEXT, "Shoe Outlet").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "reason")))

    confirm_submit(driver, "form[action$='/decline']")
    error = driver.find_element(By.ID, "reason-error").text
    assert "Say why" in error, error
    assert driver.find_element(By.ID, "reason").get_attribute("aria-invalid") == "true"
    save_screenshot(driver, "console-site-request-decline-error")

    fill(driver, {"reason": "Mingle is for communities that meet live."})
    confirm_submit(driver, "form[action$='/decline']")
    assert "Declined" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert "Mingle is for communities that meet live." in driver.page_source
    both_widths(driver, "console-site-request-declined")
    assert "meet live" in mail_text(driver, email, "Your request")
