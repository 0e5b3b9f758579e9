"""The super-tenant console in a real browser: sign in, tenants, one tenant's people, outbox, audit."""

import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import assert_fits_phone, save_screenshot, url_for, use_phone_viewport

ADMIN = ("admin", "mingle-admin-pass")


def sign_in_admin(driver):
    driver.get(url_for(None, "/admin"))
    assert urllib.parse.urlsplit(driver.current_url).path == "/sign-in"
    before = driver.current_url
    driver.find_element(By.ID, "username").send_keys(ADMIN[0])
    driver.find_element(By.ID, "password").send_keys(ADMIN[1])
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.url_changes(before))
    assert urllib.parse.urlsplit(driver.current_url).path == "/admin", driver.current_url


def cells(driver, column):
    return [row.find_elements(By.TAG_NAME, "td")[column].text for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_admin_sees_every_tenant_and_its_people(driver, brands):
    sign_in_admin(driver)
    names = cells(driver, 0)
    for slug, brand in brands.items():
        assert brand["name"] in names, f"{brand['name']} missing from the tenant list {names}"
    save_screenshot(driver, "console-tenants")

    driver.find_element(By.LINK_TEXT, brands["globex"]["name"]).click()
    WebDriverWait(driver, 10).until(EC.url_contains("/admin/tenants/globex"))
    usernames = cells(driver, 1)
    expected = {p["username"] for p in brands["globex"]["people"]}
    assert expected <= set(usernames), f"globex people {expected} not all listed: {usernames}"
    assert not {p["username"] for p in brands["acme"]["people"]} & set(usernames), "acme people listed under globex"
    save_screenshot(driver, "console-tenant-globex")

    driver.get(url_for(None, "/admin/audit"))
    actions = cells(driver, 3)
    assert "view members" in actions and "list tenants" in actions, f"audit log lacks the visits: {actions[:10]}"
    save_screenshot(driver, "console-audit")

    driver.get(url_for(None, "/admin/outbox"))
    assert "No SMTP server is configured" in driver.page_source
    save_screenshot(driver, "console-outbox")


def test_a_refused_new_tenant_keeps_what_was_typed(driver, brands):
    sign_in_admin(driver)
    driver.get(url_for(None, "/admin/tenants/new"))
    typed = {"name": "Umbrella Club", "slug": "acme", "first_name": "Alice", "last_name": "Abernathy",
             "username": "alice-umbrella", "email": "alice@umbrella.example"}
    for field, value in typed.items():
        driver.find_element(By.ID, field).send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".errors")))
    assert "is already taken" in driver.find_element(By.CSS_SELECTOR, ".errors").text
    for field, value in typed.items():
        assert driver.find_element(By.ID, field).get_property("value") == value, f"{field} was not kept"
    save_screenshot(driver, "console-new-tenant-error")
    use_phone_viewport(driver)
    assert_fits_phone(driver, "the form page")
    save_screenshot(driver, "console-new-tenant-phone")


def test_admin_opens_a_tenants_organizer_portal(driver, brands):
    sign_in_admin(driver)
    driver.get(url_for(None, "/admin/tenants/acme"))
    driver.find_element(By.XPATH, "//button[normalize-space()='Open organizer portal']").click()
    WebDriverWait(driver, 10).until(EC.url_contains("/organize"))
    landed = urllib.parse.urlsplit(driver.current_url)
    assert landed.hostname == urllib.parse.urlsplit(url_for("acme")).hostname, driver.current_url
    assert "Platform administrator view" in driver.page_source
    members = {p["username"] for p in brands["acme"]["people"]}
    assert members <= set(cells(driver, 1)), "the portal does not list acme's people"
    save_screenshot(driver, "console-admin-in-acme-portal")
