"""Far-reaching actions ask first (issue 14): the browser shows the form's question, and saying
no sends nothing."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import sign_in, url_for
from test_console import sign_in_admin


def press_and_refuse(driver, button):
    before = driver.current_url
    button.click()
    alert = WebDriverWait(driver, 5).until(EC.alert_is_present())
    question = alert.text
    alert.dismiss()
    assert driver.current_url == before and not driver.find_elements(By.CSS_SELECTOR, ".flash"), "nothing was sent"
    return question


def test_suspending_a_member_or_a_tenant_asks_first(driver):
    sign_in(driver, "olivia", "acme")
    driver.get(url_for("acme", "/organize/members/ben"))
    question = press_and_refuse(driver, driver.find_element(By.XPATH, "//main//button[normalize-space()='Suspend']"))
    assert question.startswith("Suspend Ben Brook?"), question
    driver.refresh()
    assert driver.find_element(By.XPATH, "//main//button[normalize-space()='Suspend']"), "Ben is still active"

    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in_admin(driver)
    driver.get(url_for(None, "/admin/tenants/globex"))
    question = press_and_refuse(driver, driver.find_element(By.XPATH, "//main//button[normalize-space()='Suspend']"))
    assert "stops answering for everyone" in question, question
