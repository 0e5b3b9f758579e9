"""Helpers for the headless-Chromium tests: addresses, brand packs, HTTP, screenshots.

The server under test is already running (scripts/test.sh starts a freshly seeded one);
its port comes from MINGLE_BASE_PORT. Sites live at http://mingle.localhost:PORT (platform)
and http://<slug>.mingle.localhost:PORT (tenants).
"""

import base64
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Written on every run, so outside the tracked tree; copies worth keeping live in docs/screenshots/.
SCREENSHOTS = Path(os.environ.get("MINGLE_SCREENSHOTS", Path(__file__).resolve().parents[2] / ".data" / "screenshots"))

CHROMIUM_BINARY = "/usr/lib/chromium/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP_SIZE = (1280, 900)
# Headless, with a fake camera and microphone granted without asking, and no throttling of
# pages in the background (several people share one machine in these tests).
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
)
PHONE_SIZE = (390, 844)

PORT = int(os.environ.get("MINGLE_BASE_PORT", "8080"))
ROOT_HOST = "mingle.localhost"

TENANT_SLUGS = ("acme", "globex")
DEMO_PASSWORD = "mingle-demo-pass"


def host_for(slug=None):
    """The host name (without port) of a tenant, or of the platform when slug is None."""
    return f"{slug}.{ROOT_HOST}" if slug else ROOT_HOST


def url_for(slug=None, path="/"):
    """An absolute URL on a tenant's host, or on the platform host when slug is None."""
    return f"http://{host_for(slug)}:{PORT}{path}"


def load_brand(slug):
    """A brand pack as seeded: TenantAssets/<slug>/brand.json ("default" is the platform's own)."""
    with open(REPO_ROOT / "TenantAssets" / slug / "brand.json", encoding="utf-8") as f:
        return json.load(f)


def http_status(url):
    """GET `url` outside the browser and return the HTTP status code (no redirects followed).

    Python's resolver does not map *.localhost to loopback the way Chromium does, so the
    request goes to 127.0.0.1 with the original host in the Host header.
    """
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == ROOT_HOST or parts.hostname.endswith("." + ROOT_HOST), url
    loopback = parts._replace(netloc=f"127.0.0.1:{parts.port or 80}").geturl()
    request = urllib.request.Request(loopback, headers={"Host": parts.netloc})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:  # 3xx/4xx/5xx arrive as HTTPError
        return error.code


def save_screenshot(driver, name):
    """Save a full-page PNG of the current page as screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    try:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        viewport = metrics["cssLayoutViewport"]
        clip = {
            "x": 0,
            "y": 0,
            "width": viewport["clientWidth"],
            "height": max(metrics["cssContentSize"]["height"], viewport["clientHeight"]),
            "scale": 1,
        }
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def set_viewport(driver, width, height, mobile=False):
    """Give the page exactly width x height CSS pixels; `mobile` makes the viewport meta apply."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def use_phone_viewport(driver):
    set_viewport(driver, *PHONE_SIZE, mobile=True)


def assert_fits_phone(driver, what):
    """The page does not scroll sideways at phone width."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE_SIZE[0], f"{what} is {width}px wide at phone width"


def use_desktop_viewport(driver):
    set_viewport(driver, *DESKTOP_SIZE)


def write_test_picture(path, width=600, height=450):
    """A plain PNG (a colour gradient), written with zlib only, to upload as a profile picture."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 160))
        for y in range(height)
    )
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
    Path(path).write_bytes(png)
    return Path(path)


def new_browser(width=DESKTOP_SIZE[0], height=DESKTOP_SIZE[1], without=(), zone=None):
    """Another person at another computer: a headless Chromium with its own cookies.
    `without`: flags of CHROMIUM_FLAGS to leave out (say, the one that grants the camera);
    `zone`: the IANA time zone the browser runs in (its TZ), else the machine's."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM_BINARY
    for flag in CHROMIUM_FLAGS + (f"--window-size={width},{height}",):
        if flag not in without:
            options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = dict(os.environ, TZ=zone) if zone else None
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=options)
    driver.set_page_load_timeout(30)
    return driver


def sign_in(driver, username, slug="acme", password=DEMO_PASSWORD):
    """Signs a demo person in on a tenant's site through the form; waits for the redirect."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url_for(slug, "/sign-in"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url != before)


def axe_problems(driver, impacts=("serious", "critical")):
    """axe-core 4.x (the axe-core-python package's copy) run on the page shown: its violations
    of the given impacts, one line each, with the elements it names."""
    import axe_core_python

    source = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text()
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), f"axe did not run: {result}"
    return [f"{v['impact']}: {v['id']} ({v['help']}) at " + ", ".join(n["target"][0] for n in v["nodes"][:4])
            for v in result if v.get("impact") in impacts]


class PersonWindow:
    """One person's window in a browser shared by several people. Each window has its own
    BiDi user context (its own cookies), so one Chromium serves a whole room — far lighter than
    a browser per person. Every call first makes this window the current one."""

    def __init__(self, driver, handle):
        self._driver = driver
        self._handle = handle

    def __getattr__(self, name):
        if getattr(self._driver, "_mingle_current", None) != self._handle:
            self._driver.switch_to.window(self._handle)
            self._driver._mingle_current = self._handle
        return getattr(self._driver, name)


def browser_for_people(usernames, width=DESKTOP_SIZE[0], height=DESKTOP_SIZE[1], extra_flags=(), tabs=None):
    """One headless Chromium with a window of its own for each person: (driver, {username: window});
    `extra_flags` are added to CHROMIUM_FLAGS (say, a file for the fake microphone). `tabs` adds
    windows that share a person's cookies, as a second tab of theirs: {"ben-2": "ben"}."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM_BINARY
    for flag in CHROMIUM_FLAGS + tuple(extra_flags) + (f"--window-size={width},{height}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.enable_bidi = True
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    windows, contexts = {}, {}
    for username in usernames:
        contexts[username] = driver.browser.create_user_context()
        windows[username] = PersonWindow(driver, driver.browsing_context.create(type="window", user_context=contexts[username]))
    for tab, username in (tabs or {}).items():
        windows[tab] = PersonWindow(driver, driver.browsing_context.create(type="window", user_context=contexts[username]))
    return driver, windows


# Counts a page's RTCPeerConnections from outside Mingle's code: installed before any script of
# the page runs, it wraps the constructor. `window.mingleTestPeers()` gives {open, made, most}
# (most: the largest number open at once); `.native` makes a connection the count leaves out.
PEER_COUNTER = """
(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.mingleTestPeers) return;
  const made = [];
  let most = 0;
  const open = () => made.filter((pc) => pc.connectionState !== "closed" && pc.signalingState !== "closed").length;
  function Counted(...args) { const pc = new Native(...args); made.push(pc); most = Math.max(most, open()); return pc; }
  Counted.prototype = Native.prototype;
  Object.setPrototypeOf(Counted, Native);
  window.RTCPeerConnection = Counted;
  window.mingleTestPeers = () => ({ open: open(), made: made.length, most });
  window.mingleTestPeers.native = Native;
  // For a failing test: where each connection got stuck.
  window.mingleTestPeers.describe = () => made.map((pc) => ({
    connection: pc.connectionState, ice: pc.iceConnectionState, gathering: pc.iceGatheringState,
    localBytes: ((pc.localDescription || {}).sdp || "").length,
    receiving: ((pc.remoteDescription || {}).sdp || "").split("\\n").filter((l) => l.trim() === "a=sendonly").length,
    local: ((pc.localDescription || {}).sdp || "").split("\\n").filter((l) => l.startsWith("a=candidate")).map((l) => l.trim()),
    remote: ((pc.remoteDescription || {}).sdp || "").split("\\n").filter((l) => l.startsWith("a=candidate")).map((l) => l.trim()),
  }));
})();
"""


def print_page_errors(driver):
    """The pages' own errors, if any (they help more than a timeout). The baseline windows of the
    media tests sit on Janus's own error page, which answers 403: those are left out."""
    for entry in driver.get_log("browser"):
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"] and "127.0.0.1" not in entry["message"]:
            print(f"[console] {entry['message'][:400]}")


def count_peer_connections(window):
    """Every page this window loads from now on counts its RTCPeerConnections (PEER_COUNTER)."""
    window.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PEER_COUNTER})


def peer_connections(window):
    return window.execute_script("return window.mingleTestPeers ? window.mingleTestPeers() : null")


def psql(sql, tenant="acme"):
    """Runs SQL as the database owner inside a tenant's row-level-security scope (None: no
    tenant); returns the last line it prints ("" when none)."""
    env = dict(os.environ, PGPASSWORD=os.environ["MINGLE_DB_OWNER_PASSWORD"])
    scope = f"SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = '{tenant}'), false);\n" if tenant else ""
    result = subprocess.run(
        ["psql", "-At", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ.get("MINGLE_DB_HOST", "127.0.0.1"),
         "-p", os.environ["MINGLE_DB_PORT"], "-U", os.environ.get("MINGLE_DB_OWNER", "mingle_owner"),
         "-d", os.environ["MINGLE_DB_NAME"], "-c", scope + sql],
        env=env, capture_output=True, text=True, check=True)
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def wait_until(condition, timeout, what, every=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(every)
    # Once more at the deadline: in a busy browser one look at several windows takes seconds, so
    # the last look inside the time may have started long before it ran out.
    if condition():
        return
    raise AssertionError(f"timed out waiting for {what}")


def invitation_link(email, subject_contains=""):
    """The "details and your answer" link of the latest session email to `email` whose subject
    contains `subject_contains`, read from the outbox (the demo server has no SMTP: mail waits
    there, as the console shows it). Each email has a link of its own (a token)."""
    quoted = subject_contains.replace("'", "''")
    return psql("SELECT substring(body_text from 'Details and the live room:\\s*(http://\\S+/invitation/[A-Za-z0-9_-]+)') "
                f"FROM outbox WHERE to_address = '{email}' AND subject LIKE '%{quoted}%' "
                "AND body_text LIKE '%/invitation/%' ORDER BY created_at DESC LIMIT 1", tenant=None) or None
