"""The organizer's survey reports on the demo tenant (acme, organizer olivia).

The demo holds a session from two weeks ago with three rounds of surveys; the live-session
test (which runs before this file) adds a short session of its own. Every report page opens,
its chart and tables show, CSV downloads start with the UTF-8 byte-order mark, and the pages fit
a phone. Screenshots go to .data/screenshots/ (report-*.png).
"""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from mingle_browser import assert_fits_phone, save_screenshot, sign_in, url_for, use_desktop_viewport, use_phone_viewport


def fetch_text(driver, path):
    """A CSV file as the signed-in browser gets it: status, first bytes, text."""
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: "same-origin"}).then(async (r) => {
            const bytes = new Uint8Array(await r.arrayBuffer());
            done({status: r.status, type: r.headers.get("content-type"), head: Array.from(bytes.slice(0, 3)),
                  text: new TextDecoder().decode(bytes)});
        });
        """,
        path,
    )


def open_tab(driver, name):
    driver.find_element(By.CSS_SELECTOR, "nav.tabs").find_element(By.LINK_TEXT, name).click()
    WebDriverWait(driver, 10).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, 'nav.tabs a[aria-current="page"]'), name))


def test_every_report_page_on_the_demo_tenant(driver):
    sign_in(driver, "olivia")
    driver.get(url_for("acme", "/organize"))
    driver.find_element(By.CSS_SELECTOR, "nav.subnav").find_element(By.LINK_TEXT, "Reports").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "dl.figures")))
    overview = driver.find_element(By.TAG_NAME, "main").text
    assert "Winter warm-up" in overview, overview
    save_screenshot(driver, "report-overview")

    # One session: the demo's past one.
    Select(driver.find_element(By.ID, "scope-session")).select_by_visible_text(
        next(o.text for o in Select(driver.find_element(By.ID, "scope-session")).options if o.text.startswith("Winter warm-up")))
    driver.find_element(By.CSS_SELECTOR, "form.report-scope button").click()
    WebDriverWait(driver, 10).until(EC.url_contains("session="))
    assert "“Winter warm-up”" in driver.find_element(By.CSS_SELECTOR, "main").text

    open_tab(driver, "Every answer")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.report tbody tr")
    assert len(rows) >= 10, f"{len(rows)} answers"
    # Filter: what Ana said.
    Select(driver.find_element(By.ID, "filter-by")).select_by_visible_text("Ana Alvarez")
    driver.find_element(By.CSS_SELECTOR, "form.report-filters button").click()
    WebDriverWait(driver, 10).until(EC.url_contains("by=ana"))
    froms = {row.find_elements(By.TAG_NAME, "td")[2].text for row in driver.find_elements(By.CSS_SELECTOR, "table.report tbody tr")}
    assert froms == {"Ana Alvarez"}, froms
    save_screenshot(driver, "report-answers")
    csv = fetch_text(driver, driver.find_element(By.LINK_TEXT, "Download CSV").get_attribute("href"))
    assert csv["status"] == 200 and csv["type"].startswith("text/csv") and csv["head"] == [0xEF, 0xBB, 0xBF], csv
    assert csv["text"].splitlines()[1:] and all("Ana Alvarez" in line for line in csv["text"].split("\r\n")[1:] if line)

    open_tab(driver, "By question")
    charts = driver.find_elements(By.CSS_SELECTOR, 'svg.chart[role="img"]')
    assert len(charts) >= 3, f"{len(charts)} charts"
    assert charts[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    save_screenshot(driver, "report-questions")

    open_tab(driver, "By member")
    driver.find_element(By.CSS_SELECTOR, 'table.report thead a[href*="sort=conversation-quality"]').click()
    WebDriverWait(driver, 10).until(EC.url_contains("sort=conversation-quality"))
    save_screenshot(driver, "report-members")
    driver.find_element(By.CSS_SELECTOR, "table.report tbody").find_element(By.LINK_TEXT, "Ben Brook").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "message")))
    assert driver.find_elements(By.CSS_SELECTOR, 'svg.chart[role="img"]'), "the member's ratings chart"
    draft = driver.find_element(By.ID, "body").get_attribute("value")
    assert draft.startswith("Hi Ben Brook,"), draft
    save_screenshot(driver, "report-member")
    driver.find_element(By.CSS_SELECTOR, 'form[action$="/message"] button[type="submit"]').click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "Message sent to Ben Brook" in driver.find_element(By.CSS_SELECTOR, ".flash").text

    open_tab(driver, "Mutual interest")
    save_screenshot(driver, "report-mutual")
    connect_all = driver.find_elements(By.CSS_SELECTOR, 'form[action="/organize/reports/mutual/connect"] button')
    if connect_all:
        connect_all[0].click()
        # It asks first: the connections are made on the members' behalf.
        alert = WebDriverWait(driver, 5).until(EC.alert_is_present())
        assert "on the members' behalf" in alert.text, alert.text
        alert.accept()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
        assert "Connected" in driver.find_element(By.CSS_SELECTOR, ".flash").text
        save_screenshot(driver, "report-mutual-connected")

    use_phone_viewport(driver)
    for tab, name in [("Every answer", "report-answers-phone"), ("By question", "report-questions-phone")]:
        open_tab(driver, tab)
        save_screenshot(driver, name)
        assert_fits_phone(driver, f"the {tab} report")
    use_desktop_viewport(driver)
