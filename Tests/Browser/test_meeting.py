"""A meeting with a host, four members and a guest, in real browsers through real Janus (issue 15).

The guest and a member wait and are admitted; every page decodes every other participant's
video over at most two peer connections; a shared screen is decoded by all; chat reaches everyone
in order and survives a reload; raised hands reach the host in order; a host's mute stops a
person's audio at the others until they unmute themself after being asked; a removed person's
page says so and their return is refused; "end for everyone" closes every page's media. The
test prints join → first remote frame beside a direct Janus subscription measured in the same run.
"""

import base64
import hashlib
import hmac
import math
import os
import secrets
import struct
import time
import wave
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from mingle_browser import (assert_fits_phone, axe_problems, browser_for_people, print_page_errors, count_peer_connections, peer_connections, psql, save_screenshot, set_viewport,
                            sign_in, url_for, wait_until)
from test_live_session import direct_janus_subscription, janus_script, median

HOST = "olivia"
MEMBERS = ["ana", "ben", "chen", "dara"]
GUEST = "guest"
PEOPLE = [HOST] + MEMBERS + [GUEST]
GUEST_NAME = "Gita Guest"

# The screen a page "shares": the browser's own picker cannot be driven headless, so the test
# gives getDisplayMedia a moving canvas instead (everything after it — the third track, Janus,
# the others' decoding — is Mingle's).
FAKE_SCREEN = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = Object.assign(document.createElement("canvas"), { width: 640, height: 360 });
  const g = canvas.getContext("2d");
  let frame = 0;
  setInterval(() => { g.fillStyle = `hsl(${(frame++ * 7) % 360} 60% 50%)`; g.fillRect(0, 0, 640, 360);
                      g.fillStyle = "#fff"; g.font = "40px sans-serif"; g.fillText("Slides " + frame, 40, 180); }, 100);
  return canvas.captureStream(10);
};
"""

# Small fake cameras: six pages of one browser decoding thirty streams on two cores.
SMALL_CAMERAS = """
const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => original(constraints && constraints.video
    ? { ...constraints, video: { ...(constraints.video === true ? {} : constraints.video), width: 320, height: 180, frameRate: 10 } }
    : constraints);
"""


def speech_file():
    """A steady tone as every fake microphone (Chromium's own fake beeps once a second, too little
    for Janus to call anyone talking): whoever is unmuted talks."""
    path = Path(".data/meeting-voice.wav").resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        rate = 48000

        # Syllables, not a steady tone (noise suppression takes a steady tone for noise): a voice
        # of 120-240 Hz with harmonics, 250 ms on, 80 ms off.
        def voice(i):
            t = i / rate
            syllable, within = divmod(t, 0.33)
            if within > 0.25:
                return 0
            pitch = 120 + 120 * ((syllable * 7) % 10) / 10
            envelope = math.sin(math.pi * within / 0.25)
            return int(9000 * envelope * sum(math.sin(2 * math.pi * pitch * k * t) / k for k in (1, 2, 3, 4)))
        samples = b"".join(struct.pack("<h", max(-32000, min(32000, voice(i)))) for i in range(rate * 4))
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples)
    return path


@pytest.fixture
def meeting_room():
    driver, windows = browser_for_people(PEOPLE + ["janus-publisher", "janus-watcher"],
                                         extra_flags=(f"--use-file-for-fake-audio-capture={speech_file()}",))
    for name in PEOPLE:
        count_peer_connections(windows[name])
        windows[name].execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SMALL_CAMERAS + FAKE_SCREEN})
    try:
        yield windows
    finally:
        print_page_errors(driver)
        driver.quit()


def create_meeting():
    token = secrets.token_urlsafe(18)
    meeting = psql(f"""INSERT INTO meetings (tenant_id, link_token, title, created_by, starts_at, ends_at, time_zone,
                                             waiting_room, guests_allowed)
                       SELECT current_setting('app.tenant_id')::uuid, '{token}', 'Quarterly board call', u.id, now(),
                              now() + interval '2 hours', 'UTC', true, true
                       FROM users u WHERE u.username = '{HOST}' RETURNING id;""")
    return meeting, token


def janus_pin(room):
    """The pin Mingle gives a Janus room (Sources/Media/MediaRooms.swift, `credentials`): HMAC of
    "pin:<name>" under a key derived from Mingle's secret by HKDF-SHA256 — so the test's direct
    page can join the meeting's own room."""
    key = bytes.fromhex(os.environ["MINGLE_SECRET_KEY"])
    extracted = hmac.new(bytes(32), key, hashlib.sha256).digest()
    room_key = hmac.new(extracted, b"mingle janus rooms\x01", hashlib.sha256).digest()
    code = hmac.new(room_key, f"pin:{room}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(code).rstrip(b"=").decode()


def direct_janus_room(window):
    """An empty Janus room of the test's own, for the direct page's camera."""
    room = f"baseline-own-{int(time.time() * 1000)}"
    janus_script(window, "publisher", room, {"feeds": 0})
    return room


def mingle_join(host, link):
    """(script start → first remote frame, page load → first remote frame) of the host's page."""
    loaded = time.time()
    host.get(link)
    wait_until(lambda: stage(host) == "room", 20, "the host back in the room")
    wait_until(lambda: len(host.execute_script("return window.mingleShownFrames()")) > 0, 60, "the host's first remote frame")
    first = min(host.execute_script("return window.mingleShownFrames()").values()) / 1000
    return first - host.execute_script("return window.mingleJoinedAt") / 1000, first - loaded


def direct_join(watcher, host, meeting, own_room):
    """The same as `mingle_join` done directly with Janus: the meeting's own room and the five
    feeds the host watches, the page's own camera published meanwhile (into `own_room`)."""
    view = state(host)
    room = f"meeting-{meeting.lower()}-{view['you']['mediaRoom']}"  # MediaRooms.janusName
    host_name = next(p["name"] for p in view["people"] if p["id"] == view["you"]["you"])
    listed = janus_script(watcher, "list", room, {})["participants"]
    feeds = [p["id"] for p in listed if p.get("display") != host_name]
    assert len(feeds) == len(PEOPLE) - 1, listed
    loaded = time.time()
    result = janus_script(watcher, "watcher", room, {"feedIds": feeds, "pin": janus_pin(room), "publishRoom": own_room})
    return result["seconds"], time.time() - loaded


def state(window):
    return window.execute_script("return window.mingleMeeting ? window.mingleMeeting() : null")


def stage(window):
    return window.execute_script("return document.getElementById('meeting')?.dataset.stage")


def stats(window):
    return window.execute_script("return await window.mingleMediaStats()")


def me(window):
    return (state(window) or {}).get("you", {}).get("you") if state(window) and state(window).get("you") else None


def click(window, selector):
    window.find_element(By.CSS_SELECTOR, selector).click()


def decoded(window, publishers):
    feeds = ((stats(window) or {}).get("watching") or {}).get("feeds", {})
    return all(feeds.get(p, {}).get("framesDecoded", 0) > 0 for p in publishers)


def audio_packets(window, publisher):
    return (((stats(window) or {}).get("watching") or {}).get("audio") or {}).get(publisher, 0)


def test_a_meeting_from_waiting_room_to_end_for_everyone(meeting_room):
    windows = meeting_room
    meeting, token = create_meeting()
    link = url_for("acme", f"/m/{token}")
    for name in [HOST] + MEMBERS:
        sign_in(windows[name], name)

    # Ana arrives before the host: she waits, even for the host (nobody bypasses the waiting room).
    windows["ana"].get(link)
    wait_until(lambda: stage(windows["ana"]) == "waiting", 20, "Ana in the waiting room")
    save_screenshot(windows["ana"], "meeting-waiting-room")
    set_viewport(windows["ana"], 390, 844, mobile=True)
    assert_fits_phone(windows["ana"], "the waiting room")
    save_screenshot(windows["ana"], "meeting-waiting-phone")
    windows["ana"].execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # The host comes and admits her, one by one.
    windows[HOST].get(link)
    wait_until(lambda: stage(windows[HOST]) == "room", 20, "the host in the room")
    ana_id = me(windows["ana"])
    wait_until(lambda: [p["id"] for p in state(windows[HOST])["waiting"]] == [ana_id], 20, "Ana in the host's waiting list")
    click(windows[HOST], f'[data-live="waiting-list"] [data-action="admit"][data-person="{ana_id}"]')
    wait_until(lambda: stage(windows["ana"]) == "room", 20, "Ana admitted")

    # The guest gives a name; the others arrive; all wait; the host admits everyone at once.
    guest = windows[GUEST]
    guest.get(link)
    save_screenshot(guest, "meeting-guest-form")
    # A name is needed (spaces are none): the server's answer says so beside the field.
    guest.find_element(By.ID, "name").send_keys("   ")
    click(guest, "main form button[type=submit]")
    wait_until(lambda: guest.find_elements(By.ID, "name-error"), 10, "the name's error")
    save_screenshot(guest, "meeting-guest-form-error")
    guest.find_element(By.ID, "name").clear()
    guest.find_element(By.ID, "name").send_keys(GUEST_NAME)
    click(guest, "main form button[type=submit]")
    wait_until(lambda: stage(guest) == "waiting", 20, "the guest in the waiting room")
    assert "board call" in guest.find_element(By.TAG_NAME, "h1").text.lower()
    for name in ["ben", "chen", "dara"]:
        windows[name].get(link)
    wait_until(lambda: len(state(windows[HOST])["waiting"]) == 4, 20, "four people in the waiting room")
    save_screenshot(windows[HOST], "meeting-host-waiting-list")
    click(windows[HOST], '[data-action="admit-all"]')
    for name in PEOPLE:
        wait_until(lambda: stage(windows[name]) == "room", 20, f"{name} in the room")
    ids = {name: me(windows[name]) for name in PEOPLE}
    assert state(guest)["you"]["role"] == "guest"

    # Every page decodes every other participant's video, over at most two connections.
    for name in PEOPLE:
        others = [ids[n] for n in PEOPLE if n != name]
        try:
            wait_until(lambda: decoded(windows[name], others), 90, f"{name} decoding the five others")
        except AssertionError:
            raise AssertionError(f"{name}: {stats(windows[name])} {windows[name].execute_script('return window.mingleMediaTimeline()')}") from None
    for name in PEOPLE:
        counts = peer_connections(windows[name])
        assert counts["open"] <= 2 and counts["most"] <= 2, (name, counts)
    save_screenshot(windows[HOST], "meeting-room-desktop")
    # Every control of the room, as the host sees it, is named and reachable (axe: no serious problems).
    assert axe_problems(windows[HOST]) == []

    # Join → first remote frame: the host reloads (a network drop: their place is kept) and is
    # timed from their page's script start (and from page load) to the first frame of someone
    # else; beside a page that does the same directly with Janus in the same run: subscribe to
    # the same five feeds of the same room in one connection while publishing its own camera.
    # Three rounds, alternating, medians (one busy browser runs everything).
    own_room = direct_janus_room(windows["janus-publisher"])
    mingle, direct = [], []
    for _ in range(3):
        mingle.append(mingle_join(windows[HOST], link))
        direct.append(direct_join(windows["janus-watcher"], windows[HOST], meeting, own_room))
    (m_script, m_load), (d_script, d_load) = [tuple(median(x[i] for x in runs) for i in range(2)) for runs in (mingle, direct)]
    one_feed = direct_janus_subscription(windows["janus-publisher"], windows["janus-watcher"], script_time=True)[0][1]
    print(f"\n[figures] meeting join (the room's script starts: socket, entry, media) → first remote frame, median of 3: {m_script:.2f} s "
          f"({', '.join(f'{m[0]:.2f}' for m in mingle)}); the same directly with Janus (script start → first frame of the same five "
          f"feeds, own camera published meanwhile), same run: {d_script:.2f} s ({', '.join(f'{d[0]:.2f}' for d in direct)}); "
          f"ratio {m_script / d_script:.2f}")
    print(f"[figures] the same from page load: {m_load:.2f} s; direct: {d_load:.2f} s; ratio {m_load / d_load:.2f} "
          f"(Mingle's page loads its site and scripts; Janus's test page is empty). "
          f"A direct subscription to one feed, nothing published: {one_feed:.2f} s from its script's start")
    steps = windows[HOST].execute_script("return window.mingleJoinSteps().concat(window.mingleMediaTimeline())")
    start = windows[HOST].execute_script("return window.mingleJoinedAt")
    print("[figures]   the host's steps after the script's start, last round (s): "
          + ", ".join(f"{step} {(at - start) / 1000:.2f}" for step, at in sorted(steps, key=lambda s: s[1]) if at >= start))
    assert state(windows[HOST])["you"]["role"] == "host"

    # A shared screen is decoded by everyone.
    click(windows["ana"], '[data-action="share"]')
    wait_until(lambda: state(windows[HOST])["presenter"] == ids["ana"], 20, "Ana presenting")
    for name in PEOPLE:
        if name == "ana":
            continue
        wait_until(lambda: ((((stats(windows[name]) or {}).get("watching") or {}).get("screens") or {}).get(ids["ana"], {})
                            .get("framesDecoded", 0) > 0), 60, f"{name} decoding Ana's screen")
    save_screenshot(windows["ben"], "meeting-screen-share")
    click(windows["ana"], '[data-action="share"]')
    wait_until(lambda: state(windows[HOST])["presenter"] is None, 20, "Ana's share ended")

    # Chat: in order, for everyone, still there after a reload.
    lines = [("ben", "Hello from Ben, see https://example.com/agenda"), ("chen", "Chen here <b>not bold</b>"), (GUEST, "Hi, I am the guest")]
    for name, text in lines:
        click(windows[name], '[data-tab="chat"]')
        windows[name].find_element(By.ID, "chat-text").send_keys(text)
        click(windows[name], '.chat-form button[type="submit"]')
        wait_until(lambda: state(windows[HOST]) and text in " ".join(windows[HOST].execute_script(
            "return [...document.querySelectorAll('[data-live=chat-log] p')].map(p => p.textContent)")), 20, f"{name}'s message")
    expected = [text for _, text in lines]
    for name in PEOPLE:
        wait_until(lambda: state(windows[name])["chat"][-3:] == expected, 20, f"the chat in order on {name}'s page")
    link_el = windows["dara"].find_element(By.CSS_SELECTOR, '[data-live="chat-log"] a')
    assert link_el.get_attribute("href") == "https://example.com/agenda"
    assert windows["dara"].find_elements(By.CSS_SELECTOR, '[data-live="chat-log"] b') == []
    windows["chen"].refresh()
    wait_until(lambda: stage(windows["chen"]) == "room" and state(windows["chen"])["chat"][-3:] == expected, 20, "the chat after a reload")

    # Hands: Ben first, then Chen; the host sees them in that order.
    click(windows["ben"], '[data-action="hand"]')
    wait_until(lambda: any(p.get("hand") == 1 and p["id"] == ids["ben"] for p in state(windows[HOST])["people"]), 10, "Ben's hand")
    click(windows["chen"], '[data-action="hand"]')

    def hands():
        raised = [p for p in state(windows[HOST])["people"] if p.get("hand")]
        return [p["id"] for p in sorted(raised, key=lambda p: p["hand"])]
    wait_until(lambda: hands() == [ids["ben"], ids["chen"]], 10, "two hands in order")
    assert "Hands raised" in windows[HOST].find_element(By.CSS_SELECTOR, '[data-live="hands-summary"]').text

    # The host mutes Ana: her audio stops arriving until she unmutes after being asked.
    click(windows["ana"], '[data-action="mic"]')
    wait_until(lambda: audio_packets(windows["ben"], ids["ana"]) > 20, 20, "Ana's audio at Ben")
    windows[HOST].execute_script("window.confirm = () => true")
    click(windows[HOST], f'[data-live="people"] [data-action="mute-person"][data-person="{ids["ana"]}"]')
    wait_until(lambda: "muted you" in windows["ana"].find_element(By.CSS_SELECTOR, '[data-live="notice"]').text, 10, "Ana told")
    # Muting someone else leaves one's own microphone as it was.
    assert windows[HOST].find_element(By.CSS_SELECTOR, '.meeting-controls [data-action="mic"]').text == "Unmute"
    host_audio = audio_packets(windows["ben"], ids[HOST])
    time.sleep(1.5)
    assert audio_packets(windows["ben"], ids[HOST]) == host_audio, "the host's own microphone went on"


    def stopped():
        before = {n: audio_packets(windows[n], ids["ana"]) for n in ["ben", GUEST]}
        time.sleep(1.5)
        return all(audio_packets(windows[n], ids["ana"]) == before[n] for n in before)
    wait_until(stopped, 20, "Ana's audio to stop arriving", every=0)
    assert windows["ana"].find_element(By.CSS_SELECTOR, '[data-action="mic"]').text == "Muted by host"
    click(windows[HOST], f'[data-live="people"] [data-action="ask-unmute"][data-person="{ids["ana"]}"]')
    wait_until(lambda: "asks you to unmute" in windows["ana"].find_element(By.CSS_SELECTOR, '[data-live="notice"]').text, 10, "Ana asked")
    assert stopped(), "the block was lifted but nobody unmuted Ana: her audio must not flow yet"
    click(windows["ana"], '[data-live="notice"] [data-action="mic"]')
    before = audio_packets(windows["ben"], ids["ana"])
    wait_until(lambda: audio_packets(windows["ben"], ids["ana"]) > before + 20, 20, "Ana's audio again after she unmuted")
    # She is the only one unmuted and her microphone hears a steady tone: Janus says she talks,
    # and everyone's page shows her as the speaker.
    try:
        wait_until(lambda: state(windows["ben"])["speaker"] == ids["ana"], 20, "Ana shown as the speaker")
    except AssertionError:
        raise AssertionError(f"no speaker: {state(windows['ben'])['speaker']} (ids {ids}; people "
                             f"{[(p['name'], p['mic'], p['blocked']) for p in state(windows['ben'])['people']]}); Ana sends "
                             f"{windows['ana'].execute_script('return window.mingleMediaTimeline().slice(-8)')}") from None
    assert "speaking" in windows["ben"].find_element(By.CSS_SELECTOR, f'.tile[data-person="{ids["ana"]}"]').get_attribute("class")

    # The host removes Dara: her page says so and her return is refused.
    click(windows[HOST], f'[data-live="people"] [data-action="remove"][data-person="{ids["dara"]}"]')
    wait_until(lambda: stage(windows["dara"]) == "over", 10, "Dara's page told")
    assert "removed" in windows["dara"].find_element(By.CSS_SELECTOR, '[data-live="over-title"]').text
    windows["dara"].get(link)
    wait_until(lambda: stage(windows["dara"]) == "over", 20, "Dara refused")
    assert "removed" in windows["dara"].find_element(By.CSS_SELECTOR, '[data-live="over-title"]').text.lower()
    save_screenshot(windows["dara"], "meeting-removed")

    # The room at phone width.
    set_viewport(windows["ben"], 390, 844, mobile=True)
    time.sleep(1)
    save_screenshot(windows["ben"], "meeting-room-phone")

    # End for everyone: every page's media closes.
    click(windows[HOST], '[data-action="end"]')
    for name in [HOST, "ana", "ben", "chen", GUEST]:
        wait_until(lambda: stage(windows[name]) == "over", 20, f"{name}'s page told the meeting ended")
        wait_until(lambda: peer_connections(windows[name])["open"] == 0, 20, f"{name}'s media closed")
    assert "ended" in windows["ben"].find_element(By.CSS_SELECTOR, '[data-live="over-title"]').text
    save_screenshot(windows["ben"], "meeting-ended-phone")
    # Coming back by the link afterwards: the meeting has ended.
    windows["chen"].get(link)
    wait_until(lambda: "ended" in windows["chen"].find_element(By.TAG_NAME, "main").text.lower(), 20, "Chen told the meeting ended")
    save_screenshot(windows["chen"], "meeting-ended-link")
    assert psql(f"SELECT ended_at IS NOT NULL FROM meetings WHERE id = '{meeting}'") == "t"
