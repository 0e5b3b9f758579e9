"""Watch-together rooms in real browsers (issue 17): four pages in one room play a test video
made here with ffmpeg (a 60 s test pattern with a burned-in frame counter); the host plays,
pauses, seeks twice and changes the speed; a fifth page joins late. Every 250 ms each page's
`currentTime` is compared with where the server's playback says it should be (the server's
state read from the page, the time from this machine's clock, which is the server's); the test
fails if a settled page is more than 0.5 s off, and prints p50 / p95 / max drift and the late
joiner's time to settle.
"""

import http.server
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from mingle_browser import REPO_ROOT, browser_for_people, print_page_errors, save_screenshot, sign_in, url_for, use_phone_viewport, \
    use_desktop_viewport, assert_fits_phone, wait_until

HOST = "ana"
EARLY = ["ben", "chen", "dara"]
LATE = "eli"
PEOPLE = [HOST] + EARLY + [LATE]
VIDEO_PORT = int(os.environ.get("MINGLE_TEST_VIDEO_PORT", "18091"))
# A change is followed by this long in which pages may still be catching up (a seek, a new rate).
SETTLE = 2.0
GROSS = 0.5


def make_test_video(seconds=60):
    """A 640×360 test pattern with its frame number burned in, and a tone, as H.264/AAC MP4 with
    faststart; made once and kept in .data."""
    path = REPO_ROOT / ".data" / f"watch-test-{seconds}s.mp4"
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=640x360:rate=25",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-vf", "drawtext=text='%{frame_num}':x=20:y=20:fontsize=48:fontcolor=white:box=1:boxcolor=black",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-movflags", "+faststart", str(path)], check=True)
    return path


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves one file with byte ranges (a browser seeks with them), as a video host would."""
    file = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        data = self.file.read_bytes()
        start, end = 0, len(data) - 1
        match = re.match(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if match:
            if match.group(1):
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else end
            else:
                start = len(data) - int(match.group(2))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start:end + 1])


@pytest.fixture
def video_link():
    RangeHandler.file = make_test_video()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", VIDEO_PORT), RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{VIDEO_PORT}/watch-test.mp4"
    finally:
        server.shutdown()


@pytest.fixture
def people():
    driver, windows = browser_for_people(PEOPLE)
    try:
        yield windows
    finally:
        print_page_errors(driver)
        driver.quit()


def state(window):
    return window.execute_script("return window.mingleWatch ? window.mingleWatch() : null") or {}


def expected_position(playback, now_ms, duration=60.0):
    moved = playback["position"] if playback["paused"] else playback["position"] + (now_ms - playback["at"]) / 1000 * playback["rate"]
    return min(max(0.0, moved), duration)


def sample(windows):
    """[(name, drift s | None when the page is loading or waiting)] now."""
    out = []
    for name, window in windows.items():
        before = time.time() * 1000
        seen = window.execute_script(
            "const w = window.mingleWatch && window.mingleWatch(); const v = document.querySelector('[data-live=video]');"
            "return w ? {playback: w.playback, stalled: w.stalled, current: v.currentTime, ready: v.readyState, seeking: v.seeking} : null")
        after = time.time() * 1000
        if not seen or not seen["playback"] or seen["stalled"] or seen["ready"] < 3 or seen["seeking"]:
            out.append((name, None))
            continue
        out.append((name, seen["current"] - expected_position(seen["playback"], (before + after) / 2)))
    return out


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def control(window, action, value=None):
    if action == "toggle":
        window.find_element(By.CSS_SELECTOR, '[data-action="toggle"]').click()
    elif action == "seek":
        window.execute_script("const s = document.getElementById('seek'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", value)
    elif action == "rate":
        window.execute_script("const s = document.getElementById('rate'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));", value)


def play_script(host, in_room, script, seconds, late=None, every=0.25):
    """Carries out the host's `script` [(seconds after its start, "toggle"|"seek"|"rate"|"late",
    value)] while sampling every page of `in_room` (a dict, which the late joiner `late` =
    (window, room link) enters); fails on a settled page more than GROSS off. Returns the settled
    drifts (s) and the late joiner's time to be within 0.1 s."""
    drifts, changes = [], []
    late_joined, late_settled = None, None
    start = time.time()
    index = 0
    while time.time() - start < seconds:
        elapsed = time.time() - start
        while index < len(script) and elapsed >= script[index][0]:
            _, action, value = script[index]
            if action == "late":
                window, link = late
                late_joined = time.time()
                window.get(link)
                window.find_element(By.ID, "pin").send_keys("246810")
                window.find_element(By.CSS_SELECTOR, ".watch-door form button[type=submit]").click()
                in_room[LATE] = window
            else:
                control(host, action, value)
            changes.append(time.time())
            index += 1
        for name, drift in sample(in_room):
            if drift is None:
                continue
            if late is not None and name == LATE and late_settled is None:
                if abs(drift) < 0.1:
                    late_settled = time.time() - late_joined
                continue
            if any(0 <= time.time() - at < SETTLE for at in changes):
                continue
            drifts.append(abs(drift))
            assert abs(drift) <= GROSS, f"{name} is {drift:+.3f} s off the server's position"
        time.sleep(every)
    return drifts, late_settled


def open_room(people, video_link=None, screenshots=True):
    """The host makes a room (PIN 246810) and adds the test video — uploaded through the page, or
    by its link when `video_link` is given; the early ones join with ID and PIN (Ben types a wrong
    PIN first). Returns the host's page, the pages in the room and the room's link, once every
    page's video has loaded."""
    host = people[HOST]
    for name in PEOPLE:
        sign_in(people[name], name)

    # The host makes a room; the flash says its ID and PIN once.
    host.get(url_for("acme", "/watch"))
    if screenshots:
        save_screenshot(host, "watch-rooms")
    host.find_element(By.ID, "title").send_keys("Test pattern night")
    host.find_element(By.ID, "pin").send_keys("246810")
    host.find_element(By.CSS_SELECTOR, ".watch-create button[type=submit]").click()
    wait_until(lambda: "/w/" in host.current_url, 10, "the room")
    flash = host.find_element(By.CSS_SELECTOR, ".flash").text
    code = re.search(r"Room ID (\d{3} \d{3} \d{3})", flash).group(1)
    room_url = host.current_url
    wait_until(lambda: (state(host).get("room") or {}).get("isHost"), 10, "the host in the room")

    # The host adds the video by its link; the others join with ID and PIN (one types a wrong PIN first).
    if video_link:
        host.find_element(By.ID, "add-link").send_keys(video_link)
        host.find_element(By.CSS_SELECTOR, "[data-live=add-form] button").click()
    else:
        host.find_element(By.ID, "upload-file").send_keys(str(make_test_video()))
        host.find_element(By.CSS_SELECTOR, "[data-live=upload-form] button").click()
        wait_until(lambda: "%" in host.find_element(By.CSS_SELECTOR, "[data-live=upload-status]").text, 10, "the upload's progress")
        if screenshots:
            save_screenshot(host, "watch-upload-progress")
    wait_until(lambda: len((state(host).get("room") or {}).get("queue", [])) == 1, 60, "the video in the list")
    if not video_link:
        wait_until(lambda: "Ready" in host.find_element(By.CSS_SELECTOR, "[data-live=upload-status]").text, 10, "the upload said ready")
    for name in EARLY:
        window = people[name]
        window.get(url_for("acme", "/watch"))
        window.find_element(By.ID, "code").send_keys(code)
        window.find_element(By.ID, "join_pin").send_keys("111111" if name == "ben" else "246810")
        window.find_element(By.CSS_SELECTOR, ".watch-join button[type=submit]").click()
        if name == "ben":
            wait_until(lambda: "No room here has that ID and PIN" in window.page_source, 10, "the wrong PIN's message")
            if screenshots:
                save_screenshot(window, "watch-wrong-pin")
            window.find_element(By.ID, "join_pin").clear()
            window.find_element(By.ID, "join_pin").send_keys("246810")
            window.find_element(By.CSS_SELECTOR, ".watch-join button[type=submit]").click()
        wait_until(lambda: window.current_url == room_url, 10, f"{name} in the room")
    in_room = {name: people[name] for name in [HOST] + EARLY}
    wait_until(lambda: all(len((state(w).get("room") or {}).get("people", [])) == 4 for w in in_room.values()), 15, "four people in the room")
    wait_until(lambda: all(w.execute_script("return document.querySelector('[data-live=video]').readyState") >= 2 for w in in_room.values()),
               20, "every page's video loaded")

    return host, in_room, room_url


def test_pages_stay_in_step_with_the_server(people):
    host, in_room, room_url = open_room(people)

    # The script of the host's changes (seconds after play), sampling every 250 ms meanwhile.
    script = [(0, "toggle", None), (6, "toggle", None), (8, "seek", 30), (8.5, "toggle", None), (13, "seek", 12),
              (18, "rate", "1.5"), (24, "late", None), (32, "rate", "1"), (38, "toggle", None)]
    drifts, late_settled = play_script(host, in_room, script, 40, late=(people[LATE], room_url))

    save_screenshot(host, "watch-room")
    use_phone_viewport(people["ben"])
    time.sleep(0.5)
    assert_fits_phone(people["ben"], "the watch room")
    save_screenshot(people["ben"], "watch-room-phone")
    use_desktop_viewport(people["ben"])
    assert drifts, "no settled samples"
    assert late_settled is not None, "the late joiner settled"
    print(f"\n[figures] watch drift, {len(drifts)} settled samples of {len(in_room)} pages over 40 s (an uploaded video): "
          f"p50 {percentile(drifts, 50) * 1000:.0f} ms, p95 {percentile(drifts, 95) * 1000:.0f} ms, max {max(drifts) * 1000:.0f} ms; "
          f"late joiner in step (< 0.1 s) {late_settled:.2f} s after opening the link")
