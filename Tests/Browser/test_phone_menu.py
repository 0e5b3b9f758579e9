"""The header on a phone (issue 14): at 390 px a signed-in person's links fold behind a Menu
button that opens with the keyboard and reaches every item, badges and Sign out included; the
organizer portal's sections take one row, not five."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import assert_fits_phone, save_screenshot, sign_in, url_for, use_phone_viewport


def test_the_phone_menu_reaches_every_link_and_sign_out(driver):
    sign_in(driver, "ana", "acme")
    use_phone_viewport(driver)
    driver.get(url_for("acme", "/people"))
    button = driver.find_element(By.CSS_SELECTOR, ".menu-button")
    menu = driver.find_element(By.ID, "site-menu")
    assert button.is_displayed() and not menu.is_displayed(), "the links start folded behind Menu"
    assert button.get_attribute("aria-expanded") == "false"
    assert_fits_phone(driver, "the people page with the menu closed")
    save_screenshot(driver, "phone-menu-closed")

    # Opened from the keyboard: every link of the desktop header is there, badges included.
    driver.execute_script("arguments[0].focus()", button)
    button.send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: menu.is_displayed())
    assert button.get_attribute("aria-expanded") == "true"
    names = [a.text.strip() for a in menu.find_elements(By.TAG_NAME, "a") if a.is_displayed()]
    for expected in ("Sessions", "People", "Connections", "Messages", "Notifications", "Profile", "ana"):
        assert any(name.startswith(expected) for name in names), f"{expected} missing from the menu: {names}"
    people = menu.find_element(By.LINK_TEXT, "People")
    assert people.get_attribute("aria-current") == "page", "the page shown is marked"
    assert_fits_phone(driver, "the people page with the menu open")
    save_screenshot(driver, "phone-menu-open")

    # Escape closes it and gives the focus back to the button.
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not menu.is_displayed() and driver.switch_to.active_element == button

    button.click()
    menu.find_element(By.XPATH, ".//button[normalize-space()='Sign out']").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.LINK_TEXT, "Sign in"))


def test_the_portals_sections_take_one_row_on_a_phone(driver):
    sign_in(driver, "olivia", "acme")
    use_phone_viewport(driver)
    driver.get(url_for("acme", "/organize/members"))
    subnav = driver.find_element(By.CSS_SELECTOR, ".subnav")
    tops = {link.location["y"] for link in subnav.find_elements(By.TAG_NAME, "a")}
    assert len(tops) == 1, f"the sections wrap into {len(tops)} rows"
    current = subnav.find_element(By.CSS_SELECTOR, "[aria-current=page]")
    assert current.text == "Members" and current.is_displayed()
    heading = driver.find_element(By.TAG_NAME, "h1")
    assert heading.location["y"] < 300, f"the page's heading starts {heading.location['y']}px down"
    assert_fits_phone(driver, "the members page")
    save_screenshot(driver, "phone-organizer-members")
