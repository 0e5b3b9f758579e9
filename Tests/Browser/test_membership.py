"""A newcomer joins acme (paid) through the simulated PayPal, fills their profile, and is listed."""

import re
import secrets
import urllib.parse
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from mingle_browser import SCREENSHOTS, http_status, save_screenshot, url_for, write_test_picture
from test_messages import click, second_browser, sign_in  # noqa: F401 (second_browser is a fixture)


def submit(driver):
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.current_url != before or d.find_elements(By.CSS_SELECTOR, ".errors"))


def fill(driver, values):
    for field, value in values.items():
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


def confirmation_link(driver, email):
    """The link from the confirmation email, read in the console's outbox (no SMTP in the demo)."""
    driver.delete_all_cookies()
    driver.get(url_for(None, "/sign-in"))
    fill(driver, {"username": "admin", "password": "mingle-admin-pass"})
    submit(driver)
    driver.get(url_for(None, "/admin/outbox"))
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if email in r.text and "Confirm" in r.text)
    row.find_element(By.TAG_NAME, "a").click()
    text = driver.find_element(By.CSS_SELECTOR, ".mail-text").text
    return re.search(r"http://\S+/confirm-email\?token=\S+", text).group(0)


def confirm_address(driver, email, slug="acme"):
    """Follows the emailed confirmation link as the newcomer: the link is read in the console,
    then the newcomer's own session on the site comes back to open it."""
    own = driver.get_cookies()
    link = confirmation_link(driver, email)
    driver.delete_all_cookies()
    driver.get(url_for(slug, "/"))
    for cookie in own:
        driver.add_cookie({k: cookie[k] for k in ("name", "value", "path") if k in cookie})
    driver.get(link)
    submit(driver)


def test_a_newcomer_registers_pays_fills_a_profile_connects_and_messages(driver, second_browser, brands):
    suffix = secrets.token_hex(3)
    username, email = f"nora{suffix}", f"nora{suffix}@example.test"

    # Register on acme (paid).
    driver.get(url_for("acme", "/join"))
    assert "25.00 EUR" in driver.page_source
    save_screenshot(driver, "membership-join")
    driver.find_element(By.LINK_TEXT, "Create an account").click()
    fill(driver, {"first_name": "Nora", "last_name": "Newcomb", "email": email, "username": username,
                  "password": "noras password", "confirmation": "noras password"})
    save_screenshot(driver, "membership-register")
    submit(driver)
    assert urllib.parse.urlsplit(driver.current_url).path == "/membership", driver.current_url
    assert "Confirm your email address" in driver.page_source
    save_screenshot(driver, "membership-unconfirmed")

    # Confirm the address with the emailed link.
    confirm_address(driver, email)
    assert "Your email address is confirmed" in driver.page_source
    assert "Pay 25.00 EUR with PayPal" in driver.page_source
    save_screenshot(driver, "membership-pay")

    # Pay on the (simulated) PayPal approval page and come back.
    driver.find_element(By.XPATH, "//button[contains(., 'with PayPal')]").click()
    WebDriverWait(driver, 15).until(EC.url_contains("/checkoutnow"))
    assert "12.50" not in driver.page_source and "25.00" in driver.page_source
    save_screenshot(driver, "membership-paypal-approval")
    driver.find_element(By.XPATH, "//button[normalize-space()='Pay now']").click()
    # A new member lands on their home, welcomed, with what is next.
    WebDriverWait(driver, 15).until(lambda d: "Your payment is confirmed" in d.page_source)
    assert urllib.parse.urlsplit(driver.current_url).path == "/", driver.current_url
    assert "Welcome to" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert driver.find_element(By.ID, "next-heading").is_displayed()
    save_screenshot(driver, "membership-active")

    # Fill the profile with a picture.
    driver.get(url_for("acme", "/profile"))
    picture_file = write_test_picture(SCREENSHOTS.parent / "test-picture.png")
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(picture_file))
    labels = {label.text.split(" (")[0]: label.get_attribute("for") for label in driver.find_elements(By.TAG_NAME, "label")}
    fill(driver, {labels["Headline"]: "Newcomer building robots", labels["About me"]: "I like meeting people.\nAnd robots.",
                  labels["Website"]: "https://nora.example"})
    Select(driver.find_element(By.ID, labels["Looking for"])).select_by_visible_text("Co-founder")
    save_screenshot(driver, "profile-edit")
    submit(driver)
    assert urllib.parse.urlsplit(driver.current_url).path == f"/people/{username}", driver.current_url
    assert "Your profile is saved" in driver.page_source
    picture = driver.find_element(By.CSS_SELECTOR, ".profile-head img.avatar")
    assert driver.execute_script("return arguments[0].naturalWidth", picture) == 400, "the picture is cropped to 400×400"
    save_screenshot(driver, "profile-view")

    # Listed on the people page, found by profile text.
    driver.get(url_for("acme", "/people?q=robots"))
    names = [card.text for card in driver.find_elements(By.CSS_SELECTOR, ".person-card")]
    assert any("Nora Newcomb" in n and "Newcomer building robots" in n for n in names), names
    driver.get(url_for("acme", "/people"))
    save_screenshot(driver, "people")

    # The picture is private to members: without a member's session it does not exist.
    driver.get(url_for("acme", f"/people/{username}"))
    src = driver.find_element(By.CSS_SELECTOR, ".profile-head img.avatar").get_attribute("src")
    assert http_status(src) == 404

    # The newcomer asks Ana to connect; Ana (at her own computer) accepts; they exchange messages.
    ana = second_browser
    driver.get(url_for("acme", "/people/ana"))
    click(driver, "Connect")
    assert "Request sent" in driver.page_source
    sign_in(ana, "ana")
    ana.get(url_for("acme", f"/people/{username}"))
    assert "would like to connect" in ana.page_source
    click(ana, "Accept")
    driver.get(url_for("acme", "/messages/ana"))
    driver.find_element(By.ID, "body").send_keys("Hi Ana, I am new here!")
    click(driver, "Send")
    ana.get(url_for("acme", f"/messages/{username}"))
    assert "Hi Ana, I am new here!" in ana.page_source
    ana.find_element(By.ID, "body").send_keys(f"Welcome, Nora!")
    click(ana, "Send")
    WebDriverWait(driver, 10).until(lambda d: "Welcome, Nora!" in d.find_element(By.ID, "thread").text)
    save_screenshot(driver, "newcomer-conversation")
