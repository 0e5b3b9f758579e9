"""A page watching six people at once does so over one peer connection (issue 12).

Six organizers of one site broadcast to a session's lobby; a member entering it sees all six,
each video decoded, over a single RTCPeerConnection (a Janus multistream subscription), and every
organizer's page — sending its own camera and watching the five others — holds two.
"""

import os
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By

from mingle_browser import (browser_for_people, count_peer_connections, peer_connections, psql, save_screenshot, sign_in, url_for,
                            wait_until)

TENANT = "globex"
BROADCASTERS = ["gustav", "olivia", "ana", "ben", "chen", "dara"]  # gustav organizes globex; the others join it for this test
WATCHER = "emil"


def small_cameras(window):
    """The fake cameras of this window send 320×180 at 10 frames a second: seven pages of one
    browser decoding 36 streams on two cores would otherwise starve it (ICE checks time out)."""
    window.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (constraints) => original(constraints && constraints.video
            ? { ...constraints, video: { ...(constraints.video === true ? {} : constraints.video), width: 320, height: 180, frameRate: 10 } }
            : constraints);
    """})


GUESTS = [name for name in BROADCASTERS if name != "gustav"]
GUEST_LIST = ", ".join(f"'{name}'" for name in GUESTS)


@pytest.fixture
def six_organizers():
    """Five people of acme are made organizers of globex for the test, and removed after."""
    psql(tenant=TENANT, sql=f"""INSERT INTO memberships (tenant_id, user_id, role)
             SELECT current_setting('app.tenant_id')::uuid, id, 'organizer' FROM users WHERE username IN ({GUEST_LIST})
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = 'organizer', status = 'active';""")
    driver, windows = browser_for_people(BROADCASTERS + [WATCHER])
    for name, window in windows.items():
        count_peer_connections(window)
        if name in BROADCASTERS:
            small_cameras(window)
    try:
        yield windows
    finally:
        driver.quit()
        # The session they entered keeps their attendance; their memberships go.
        try:
            psql(tenant=TENANT, sql=f"DELETE FROM memberships WHERE user_id IN (SELECT id FROM users WHERE username IN ({GUEST_LIST}));")
        except subprocess.CalledProcessError:
            psql(tenant=TENANT, sql=f"UPDATE memberships SET status = 'suspended' WHERE user_id IN (SELECT id FROM users WHERE username IN ({GUEST_LIST}));")


def media_stats(window):
    return window.execute_script("return await window.mingleMediaStats()")


def test_a_page_watches_six_feeds_over_one_connection(six_organizers):
    windows = six_organizers
    session = subprocess.run(
        [os.environ["MINGLE_BIN"], "quick-session", "--tenant", TENANT, "--title", "Six screens",
         "--starts-in", "900", "--length", "600", "--lead", "1200"],
        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    live_url = url_for(TENANT, f"/sessions/{session}/live")

    # Six organizers enter the lobby and broadcast.
    for name in BROADCASTERS:
        sign_in(windows[name], name, slug=TENANT)
        windows[name].get(live_url)
    for name in BROADCASTERS:
        wait_until(lambda: windows[name].find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').is_displayed(), 20,
                   f"{name}'s broadcast button")
        windows[name].find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').click()
    for name in BROADCASTERS:
        wait_until(lambda: (media_stats(windows[name])["publishing"] or {}).get("state") == "connected", 30,
                   f"{name}'s broadcast to connect")

    # A member enters: all six appear, each decoded, over one connection.
    watcher = windows[WATCHER]
    sign_in(watcher, WATCHER, slug=TENANT)
    loaded = time.time()
    watcher.get(live_url)

    def all_six_decoded():
        feeds = (media_stats(watcher)["watching"] or {}).get("feeds", {})
        return len(feeds) == 6 and all(feed["framesDecoded"] > 0 for feed in feeds.values())
    try:
        wait_until(all_six_decoded, 60, "the member to decode all six broadcasts")
    except AssertionError:
        save_screenshot(watcher, "live-six-screens-failure")
        details = watcher.execute_script(
            "return {stats: await window.mingleMediaStats(), steps: window.mingleMediaTimeline(), peers: window.mingleTestPeers(),"
            " connections: window.mingleTestPeers.describe()}")
        raise AssertionError(f"the member did not decode all six: {details}") from None
    print(f"\n[figures] page load → all six broadcasts decoded in one page, as the test saw it: {time.time() - loaded:.2f} s")
    assert len(watcher.find_elements(By.CSS_SELECTOR, '[data-live="lobby-screens"] video')) == 6
    shown = watcher.execute_script("return window.mingleShownFrames()")
    assert len(shown) == 6, shown
    # Two connections in the page (its own camera's, off in the lobby, and the watching one);
    # all twelve streams (six people's audio and video) arrive over one of them.
    counts = peer_connections(watcher)
    assert counts["open"] == 2 and counts["most"] == 2, counts
    receiving = [c for c in watcher.execute_script("return window.mingleTestPeers.describe()") if c["receiving"] > 0]
    assert len(receiving) == 1 and receiving[0]["receiving"] == 12, receiving
    answer_bytes = receiving[0]["localBytes"]
    print(f"[figures] the page's SDP answer for six people: {answer_bytes} bytes (a message may be 64 KiB)")
    save_screenshot(watcher, "live-lobby-six-screens")

    # Every organizer's page: its own broadcast and the five others, over two connections.
    wait_until(lambda: all(len((media_stats(windows[n])["watching"] or {}).get("feeds", {})) == 5 for n in BROADCASTERS), 60,
               "every organizer to watch the five others")
    for name in BROADCASTERS:
        counts = peer_connections(windows[name])
        assert counts["open"] == 2 and counts["most"] == 2, (name, counts)
