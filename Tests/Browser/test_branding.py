"""Each tenant's site shows its own brand, and only its own, in a real browser.

Expected values come from the demo brand packs (TenantAssets/<slug>/brand.json) that the
server was seeded from. Screenshots go to .data/screenshots/ (MINGLE_SCREENSHOTS).
"""

import html
import re
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (
    PORT,
    host_for,
    http_status,
    load_brand,
    save_screenshot,
    url_for,
    use_phone_viewport,
)

ORGANIZER_PASSWORD = "mingle-demo-pass"
OTHER = {"acme": "globex", "globex": "acme"}


# --- helpers -------------------------------------------------------------------------------


def text_of(driver, selector):
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    assert elements, f"{driver.current_url}: no element matches {selector!r}"
    return elements[0].text.strip()


def assert_text(driver, selector, expected, what=""):
    shown = text_of(driver, selector)
    assert shown == expected, f"{driver.current_url}: {selector} shows {shown!r}, expected {what}{expected!r}"


def wait_for_logo(driver):
    """The header logo, once the browser has finished loading (or failing to load) it."""
    logos = driver.find_elements(By.CSS_SELECTOR, ".site-header img.logo")
    assert logos, f"{driver.current_url}: no img.logo in the header"
    logo = logos[0]
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return arguments[0].complete", logo))
    return logo


def brand_strings(brand):
    """The texts by which a tenant's brand could be recognised in another tenant's page."""
    return {
        "name": brand["name"],
        "title": brand["title"],
        "header": brand["header"],
        "footer": brand["footer"],
    }


def appears_in(source, text):
    """Whether `text` occurs in serialised HTML, literally or HTML-escaped."""
    return text in source or html.escape(text, quote=False) in source


def usernames_in(source, brand):
    """The brand pack's usernames that occur as whole words in `source`."""
    return [
        person["username"]
        for person in brand["people"]
        if re.search(rf"\b{re.escape(person['username'])}\b", source, re.IGNORECASE)
    ]


def assert_no_trace_of(source, brand, where):
    for field, text in brand_strings(brand).items():
        assert not appears_in(source, text), f"{where} contains {brand['slug']}'s {field} {text!r}"
    leaked = usernames_in(source, brand)
    assert not leaked, f"{where} mentions {brand['slug']}'s usernames {leaked}"


def rgb(hex_colour):
    """'#d9480f' -> 'rgb(217, 72, 15)', as getComputedStyle reports colours."""
    digits = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(digits[i : i + 2], 16) for i in (0, 2, 4)))


def sign_out_buttons(driver):
    return driver.find_elements(By.XPATH, "//button[normalize-space()='Sign out']")


def sign_in_links(driver):
    return driver.find_elements(By.XPATH, "//a[normalize-space()='Sign in']")


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_tenant_home_shows_its_own_brand(driver, brands, slug):
    brand = brands[slug]
    driver.get(url_for(slug))
    logo = wait_for_logo(driver)
    save_screenshot(driver, f"{slug}-home")

    assert brand["title"] in driver.title, f"<title> {driver.title!r} lacks {brand['title']!r}"

    natural_width = driver.execute_script("return arguments[0].naturalWidth", logo)
    assert natural_width > 0, f"{slug} logo {logo.get_attribute('src')} did not load"
    src = urllib.parse.urlsplit(logo.get_property("src"))
    assert (src.hostname, src.port) == (host_for(slug), PORT), f"{slug} logo is served from {src.netloc}"
    assert src.path.startswith("/images/"), f"{slug} logo path {src.path!r} is not under /images/"
    # The name is written beside the logo: the image is decorative, a screen reader says the name once.
    assert logo.get_dom_attribute("alt") == "", "the logo's alt text must not repeat the name beside it"

    for selector, field in (
        (".site-header .brand-title", "title"),
        (".site-header .header-text", "header"),
        (".site-footer .footer-text", "footer"),
    ):
        assert_text(driver, selector, brand[field], f"brand.json {field} ")

    links = [
        {"label": a.text.strip(), "url": a.get_dom_attribute("href")}
        for a in driver.find_elements(By.CSS_SELECTOR, ".site-footer .footer-links a")
    ]
    assert links == brand["footerLinks"], f"{slug} footer links differ from brand.json"


def test_tenant_pages_show_nothing_of_the_other_tenant(driver, brands):
    pages, logos = {}, {}
    for slug in ("acme", "globex"):
        driver.get(url_for(slug))
        logos[slug] = wait_for_logo(driver).get_property("src")
        pages[slug] = driver.page_source

    for slug, other in OTHER.items():
        # Control: the page does show its own brand, so the absence check below is meaningful.
        assert appears_in(pages[slug], brands[slug]["footer"]), f"{slug} home lacks its own footer"
        assert_no_trace_of(pages[slug], brands[other], f"{slug} home page")

    assert logos["acme"] != logos["globex"], "both tenants show the same logo URL"
    acme_logo_path = urllib.parse.urlsplit(logos["acme"]).path
    assert http_status(url_for("acme", acme_logo_path)) == 200, "acme logo does not load on acme's host"
    assert http_status(url_for("globex", acme_logo_path)) == 404, (
        f"acme's logo {acme_logo_path} should be 404 on globex's host"
    )


@pytest.mark.parametrize(
    "slug", ["acme", "globex", None, "nosuch"], ids=["acme", "globex", "platform", "unknown-host"]
)
def test_page_loads_its_stylesheets_and_images_and_uses_its_accent(driver, brands, slug):
    # Unknown hosts get the platform's page, so the platform's own pack applies there.
    brand = brands.get(slug) or load_brand("default")
    driver.get(url_for(slug))
    where = driver.current_url

    stylesheets = driver.execute_script(
        "return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    assert stylesheets, f"{where} links no stylesheet"
    failing = {href: http_status(href) for href in stylesheets}
    failing = {href: status for href, status in failing.items() if status != 200}
    assert not failing, f"{where}: stylesheets that do not load: {failing}"

    broken = driver.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{where}: images that do not load: {broken}"

    underline = driver.execute_script(
        "return getComputedStyle(document.querySelector('.site-header')).borderBottomColor"
    )
    assert underline == rgb(brand["accentColor"]), (
        f"{where}: header underline is {underline}, not the accent colour {brand['accentColor']}"
    )


def test_acme_home_fits_a_phone_screen(driver, brands):
    use_phone_viewport(driver)
    driver.get(url_for("acme"))
    logo = wait_for_logo(driver)
    save_screenshot(driver, "acme-home-phone")

    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert viewport == 390, f"phone emulation gave a {viewport}px viewport"
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"acme home scrolls sideways by {overflow}px at 390px wide"
    assert logo.is_displayed() and logo.size["width"] > 0, "acme logo is not visible at phone width"
    assert_text(driver, ".site-header .brand-title", brands["acme"]["title"])


def test_unknown_subdomain_shows_a_404_page(driver, brands):
    url = url_for("nosuch")
    assert http_status(url) == 404, f"{url} should answer 404"

    driver.get(url)
    save_screenshot(driver, "unknown-host-404")
    heading = text_of(driver, "main h1")
    assert "not found" in heading.lower(), f"unexpected heading {heading!r} on an unknown host"
    for brand in brands.values():
        assert_no_trace_of(driver.page_source, brand, "the unknown-host 404 page")


def test_platform_home_shows_no_tenant_brand(driver, brands):
    platform = load_brand("default")
    driver.get(url_for(None))
    logo = wait_for_logo(driver)
    save_screenshot(driver, "platform-home")

    assert driver.execute_script("return arguments[0].naturalWidth", logo) > 0, "platform logo did not load"
    assert platform["title"] in driver.title, f"platform <title> is {driver.title!r}"
    assert_text(driver, ".site-header .brand-title", platform["title"])
    for brand in brands.values():
        assert_no_trace_of(driver.page_source, brand, "the platform home page")


def test_organizer_signs_in_and_the_session_stays_on_its_host(driver, brands):
    acme, globex = brands["acme"], brands["globex"]
    organizer = next(p["username"] for p in acme["people"] if p["role"] == "organizer")

    # The portal sends an anonymous visitor to the sign-in form, and back after signing in.
    driver.get(url_for("acme", "/organize"))
    assert urllib.parse.urlsplit(driver.current_url).path == "/sign-in", (
        f"anonymous /organize went to {driver.current_url}, not the sign-in form"
    )
    sign_in_url = driver.current_url
    driver.find_element(By.ID, "username").send_keys(organizer)
    driver.find_element(By.ID, "password").send_keys(ORGANIZER_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.url_changes(sign_in_url))

    landed = urllib.parse.urlsplit(driver.current_url)
    assert (landed.hostname, landed.path) == (host_for("acme"), "/organize"), (
        f"after signing in we are at {driver.current_url}"
    )
    assert_text(driver, "main h1", "Organizer portal")
    assert sign_out_buttons(driver), "no 'Sign out' button after signing in"
    assert_text(driver, ".site-header .brand-title", acme["title"])

    driver.get(url_for("acme", "/organize/branding"))
    wait_for_logo(driver)
    save_screenshot(driver, "acme-branding")
    assert_text(driver, "main h1", "Branding")
    fields = ("title", "header", "footer")
    form_values = {field: driver.find_element(By.ID, field).get_property("value") for field in fields}
    assert form_values == {field: acme[field] for field in fields}, (
        "the branding form is not filled with acme's current branding"
    )
    acme_cookies = {c["name"] for c in driver.get_cookies()}
    assert any(name.endswith("mingle_session") for name in acme_cookies), (
        f"no session cookie on acme's host after signing in (cookies: {sorted(acme_cookies)})"
    )

    # Another tenant's host must not see that session.
    driver.get(url_for("globex"))
    globex_cookies = {c["name"] for c in driver.get_cookies()}
    assert not any(name.endswith("mingle_session") for name in globex_cookies), (
        f"acme's session cookie reached globex's host (cookies: {sorted(globex_cookies)})"
    )
    assert_text(driver, ".site-header .brand-title", globex["title"])
    carried = "the acme session carried over"
    assert sign_in_links(driver), f"globex host shows no 'Sign in' link: {carried}"
    assert not sign_out_buttons(driver), f"globex host shows a 'Sign out' button: {carried}"
    assert not re.search(rf"\b{organizer}\b", driver.page_source), f"globex page names {organizer!r}"
