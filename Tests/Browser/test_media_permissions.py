"""What the live room says when the camera cannot be used.

The organizer (olivia) opens the demo session's lobby, whose room is open from the start. In a
Chromium that does not grant the camera by itself (no --use-fake-ui-for-media-stream) and whose
permission store denies camera and microphone for the site, "Start broadcasting" explains how
to allow them and offers "Try again". With no device at all (getUserMedia rejecting with
NotFoundError, as a browser does without one) it says so and that watching still works.
Screenshots: live-camera-denied.png, live-no-camera.png.
"""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import new_browser, save_screenshot, sign_in, url_for


def open_lobby(driver):
    driver.get(url_for("acme", "/organize/sessions"))
    driver.find_element(By.LINK_TEXT, "Open live room").click()
    WebDriverWait(driver, 15).until(EC.element_to_be_clickable((By.CSS_SELECTOR, '[data-action="broadcast"]')))


def status_text(driver):
    return driver.find_element(By.CSS_SELECTOR, '[data-live="media-status"]').text


def test_a_refused_or_missing_camera_is_explained():
    browser = new_browser(without=("--use-fake-ui-for-media-stream",))
    try:
        sign_in(browser, "olivia")
        for name in ("camera", "microphone"):
            browser.execute_cdp_cmd("Browser.setPermission",
                                    {"permission": {"name": name}, "setting": "denied", "origin": url_for("acme", "")})
        open_lobby(browser)
        browser.find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').click()
        WebDriverWait(browser, 10).until(lambda d: "may not use your camera" in status_text(d), status_text(browser))
        assert browser.find_element(By.CSS_SELECTOR, '[data-action="media-retry"]').is_displayed()
        # Not broadcasting after all, and the page says so.
        assert browser.find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').text == "Start broadcasting"
        WebDriverWait(browser, 5).until(
            lambda d: "not broadcasting" in d.find_element(By.CSS_SELECTOR, '[data-live="lobby-video-status"]').text)
        save_screenshot(browser, "live-camera-denied")
        # Allowed now: "Try again" starts the broadcast.
        for name in ("camera", "microphone"):
            browser.execute_cdp_cmd("Browser.setPermission",
                                    {"permission": {"name": name}, "setting": "granted", "origin": url_for("acme", "")})
        browser.find_element(By.CSS_SELECTOR, '[data-action="media-retry"]').click()
        WebDriverWait(browser, 15).until(
            lambda d: d.find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').text == "Stop broadcasting" and not status_text(d))
        WebDriverWait(browser, 15).until(
            lambda d: d.execute_script(
                "const own = document.querySelector('[data-live=lobby-screens] [data-publisher=self] video');"
                " return !!own && own.srcObject != null"))

        # No camera or microphone at all.
        browser.execute_cdp_cmd("Browser.resetPermissions", {})
        open_lobby(browser)
        browser.execute_script("""
            navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
        """)
        browser.find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').click()
        WebDriverWait(browser, 10).until(lambda d: "No camera or microphone was found" in status_text(d))
        assert "You can still watch and listen" in status_text(browser)
        assert browser.find_element(By.CSS_SELECTOR, '[data-action="media-retry"]').is_displayed()
        save_screenshot(browser, "live-no-camera")
    finally:
        browser.quit()
