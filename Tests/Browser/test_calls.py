"""One-to-one calls in real browsers through real Janus (issue 16).

Three members, Ana, Ben (with two tabs) and Chen, all connected. Ana sees Ben come online and go
offline; she calls him with video: both of his tabs ring, he answers in one and the other stops
("answered elsewhere"); both pages decode each other's video; messages typed beside the call
arrive live; Ben ends it and both pages say so. Ana calls Chen, who declines. Chen calls Ben and
Ben answers; Ana's call to Ben meanwhile is busy. Ana calls Chen, who does not answer: after 30 s
a missed-call message in their conversation and a notice in Chen's notifications. The call logs
show all of it, with durations. The test prints the set-up time (Answer pressed → first remote
frame) beside a direct Janus page doing the same in the same run.
"""

import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from mingle_browser import (assert_fits_phone, browser_for_people, print_page_errors, psql, save_screenshot, sign_in, url_for,
                            use_desktop_viewport, use_phone_viewport, wait_until)
from test_live_session import janus_script, median

PEOPLE = ["ana", "ben", "chen"]


@pytest.fixture
def people():
    driver, windows = browser_for_people(PEOPLE, tabs={"ben-2": "ben"})
    try:
        yield windows
    finally:
        print_page_errors(driver)
        driver.quit()
        # The connections this test made go again (later tests start from the demo's own).
        ids = [user_id(name) for name in PEOPLE]
        quoted = ", ".join(f"'{i}'" for i in ids)
        psql(f"DELETE FROM connections WHERE requester_id IN ({quoted}) AND recipient_id IN ({quoted})")


def user_id(username):
    return psql(f"SELECT id FROM users WHERE username = '{username}'", tenant=None).upper()


def connect(a, b):
    psql(f"INSERT INTO connections (tenant_id, requester_id, recipient_id, status) "
         f"SELECT id, '{a}', '{b}', 'accepted' FROM tenants WHERE slug = 'acme' "
         f"AND NOT EXISTS (SELECT 1 FROM connections WHERE (requester_id = '{a}' AND recipient_id = '{b}') "
         f"OR (requester_id = '{b}' AND recipient_id = '{a}'))")
    psql(f"UPDATE connections SET status = 'accepted' WHERE (requester_id = '{a}' AND recipient_id = '{b}') "
         f"OR (requester_id = '{b}' AND recipient_id = '{a}')")


def shown(window, selector):
    found = window.find_elements(By.CSS_SELECTOR, selector)
    return bool(found) and found[0].is_displayed()


def call_state(window):
    return window.execute_script("return window.mingleCall ? window.mingleCall() : null") or {}


def status_text(window):
    return window.find_element(By.CSS_SELECTOR, '#call [data-live="status"]').text


def start_call(caller, callee_username, video=True):
    """From the conversation page: the call's id once the caller's page is in it."""
    caller.get(url_for("acme", f"/messages/{callee_username}"))
    caller.find_element(By.CSS_SELECTOR, f'.call-buttons button[value="{1 if video else 0}"]').click()
    wait_until(lambda: "/calls/" in caller.current_url, 10, "the call page")
    return caller.current_url.split("/calls/")[1].split("?")[0]


def ringing(window):
    return window.execute_script("return window.mingleRinging ? window.mingleRinging() : null")


def ring_button(window, label):
    return next(b for b in window.find_elements(By.CSS_SELECTOR, ".ring button") if b.text.startswith(label))


def frame_at(window, publisher):
    """When (ms, the page's clock) the page first showed a frame of `publisher`; None before."""
    frames = window.execute_script("return window.mingleShownFrames ? window.mingleShownFrames() : {}") or {}
    return frames.get(publisher) or frames.get(publisher.lower())


def thread(window):
    return [p.text for p in window.find_elements(By.CSS_SELECTOR, "#thread li p")]


def say(window, text):
    box = window.find_element(By.CSS_SELECTOR, ".call-chat textarea")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def setup_times(caller, callee, caller_id, callee_id):
    """Once both pages show each other's video: (Answer pressed → the caller's video on the
    callee's page, the caller's page saw the answer → the callee's video), in seconds."""
    wait_until(lambda: frame_at(callee, caller_id) and frame_at(caller, callee_id), 20, "both to show each other's video")
    callee_times, caller_times = call_state(callee)["times"], call_state(caller)["times"]
    return ((frame_at(callee, caller_id) - callee_times["answerPressed"]) / 1000,
            (frame_at(caller, callee_id) - caller_times["answered"]) / 1000)


def direct_call_baseline(publisher, watcher):
    """The direct Janus equivalents, pages of Janus's own origin timed from their load: for the
    callee, a page joins a room where the other side already publishes, publishing its own
    camera meanwhile (what the callee's page does on Answer); for the caller, the other side
    first publishes, then a page watches it (the caller's page can watch the callee only once the
    callee's media is up). Seconds, (callee, caller)."""
    room = f"baseline-call-{int(time.time() * 1000)}"
    janus_script(publisher, "publisher", room, {"feeds": 1})
    loaded = time.time()
    janus_script(watcher, "watcher", room, {"feeds": 1, "publishRoom": room})
    callee = time.time() - loaded
    room = f"baseline-call-{int(time.time() * 1000)}"
    loaded = time.time()
    janus_script(publisher, "publisher", room, {"feeds": 1})
    janus_script(watcher, "watcher", room, {"feeds": 1})
    return callee, time.time() - loaded


def test_calls_between_three_members(people):
    ana, ben, ben2, chen = people["ana"], people["ben"], people["ben-2"], people["chen"]
    ids = {name: user_id(name) for name in PEOPLE}
    connect(ids["ana"], ids["ben"])
    connect(ids["ana"], ids["chen"])
    connect(ids["ben"], ids["chen"])
    for name in PEOPLE:
        sign_in(people[name], name)
    setup = []  # (who, Answer or answer seen → first remote frame, seconds)

    # Presence: Ben opens a page, Ana (on their conversation) sees him; he closes it, she sees that.
    for window in (ben, ben2, chen):
        window.get("about:blank")
    ana.get(url_for("acme", "/messages/ben"))
    badge = f'[data-online-for="{ids["ben"]}"]'
    wait_until(lambda: ana.execute_script("return !!window.mingleOnline") and not shown(ana, badge), 15, "Ben offline at first")
    opened = time.time()
    ben.get(url_for("acme", "/people"))
    wait_until(lambda: shown(ana, badge), 2, "Ben online on Ana's page within 2 s")
    appeared = time.time() - opened
    ben.get("about:blank")
    closed = time.time()
    wait_until(lambda: not shown(ana, badge), 10, "Ben offline on Ana's page within 10 s")
    print(f"\n[figures] calls: presence shown {appeared:.2f} s after Ben opened a page, gone {time.time() - closed:.2f} s after he closed it")

    # Ana calls Ben with video: both of his tabs ring.
    ben.get(url_for("acme", "/messages"))
    ben2.get(url_for("acme", "/people"))
    chen.get(url_for("acme", "/messages"))
    wait_until(lambda: all(w.execute_script("return !!window.mingleOnline && window.mingleOnline().length > 0") for w in (ben, ben2)), 10, "Ben's sockets")
    call = start_call(ana, "ben")
    wait_until(lambda: ringing(ben) == call and ringing(ben2) == call, 5, "both of Ben's tabs to ring")
    assert "Ana" in ben.find_element(By.CSS_SELECTOR, ".ring h2").text
    assert ben.find_element(By.CSS_SELECTOR, ".ring .ring-text").text == "Video call"
    assert ben.switch_to.active_element.text.startswith("Answer"), "the prompt takes the keyboard's focus"
    assert "Calling Ben" in status_text(ana)
    save_screenshot(ben, "call-ringing-prompt")
    save_screenshot(ana, "call-calling")

    # He answers in the first tab; the second stops: answered elsewhere.
    ring_button(ben, "Answer").click()
    wait_until(lambda: "/calls/" in ben.current_url and (call_state(ben).get("view") or {}).get("state") == "answered", 10, "Ben in the call")
    wait_until(lambda: ringing(ben2) is None and "another page" in ben2.find_element(By.CSS_SELECTOR, ".ring").text, 5,
               "the second tab: answered elsewhere")

    # Both decode each other's video.
    setup.append(setup_times(ana, ben, ids["ana"], ids["ben"]))
    ben_times = call_state(ben)["times"]
    steps = ben.execute_script("const t = performance.timing; return [['response', t.responseStart], ['dom ready', t.domContentLoadedEventEnd]]"
                               ".concat(window.mingleCallSteps ? window.mingleCallSteps() : []).concat(window.mingleMediaTimeline ? window.mingleMediaTimeline() : [])")
    resources = ben.execute_script("return performance.getEntriesByType('resource').map(r => [r.name.split('/').pop(), Math.round(performance.timeOrigin + r.startTime), Math.round(performance.timeOrigin + r.responseEnd), r.transferSize])")
    print("[figures]   Ben's page's files (start, end after Answer; bytes over the wire): " + ", ".join(
        f"{name} {(start - ben_times['answerPressed']) / 1000:.2f}–{(end - ben_times['answerPressed']) / 1000:.2f} {size}" for name, start, end, size in resources))
    print("[figures]   Ben's steps after Answer: " + ", ".join(f"{name} {(at - ben_times['answerPressed']) / 1000:.2f}"
                                                            for name, at in sorted(steps, key=lambda step: step[1])))
    assert all(re.fullmatch(r"In call · \d\d:\d\d", status_text(w)) for w in (ana, ben)), [status_text(w) for w in (ana, ben)]

    # Messages typed beside the call arrive live, both ways.
    say(ana, "Can you hear me?")
    wait_until(lambda: "Can you hear me?" in thread(ben), 5, "Ana's message on Ben's call page")
    say(ben, "Loud and clear")
    wait_until(lambda: "Loud and clear" in thread(ana), 5, "Ben's answer on Ana's call page")
    assert "/calls/" in ana.current_url and "/calls/" in ben.current_url, "sending stays in the call"

    # Ana's page reloads (a dropped connection): the call goes on, video both ways again.
    ana.refresh()
    wait_until(lambda: (call_state(ana).get("view") or {}).get("state") == "answered" and frame_at(ana, ids["ben"]), 15,
               "Ana back in the call, seeing Ben")
    wait_until(lambda: not (call_state(ben).get("view") or {}).get("otherAway") and "In call" in status_text(ben), 10,
               "Ben's page: Ana is back")
    assert "Loud and clear" in thread(ana), "the conversation is there again"
    save_screenshot(ana, "call-in-call")
    use_phone_viewport(ben)
    time.sleep(0.5)
    assert_fits_phone(ben, "the call page")
    save_screenshot(ben, "call-in-call-phone")
    use_desktop_viewport(ben)
    time.sleep(2)  # a call of a few seconds, for its duration in the log

    # Ben ends it; both pages say so.
    ben.find_element(By.CSS_SELECTOR, '[data-action="hang-up"]').click()
    for window in (ana, ben):
        wait_until(lambda: call_state(window).get("over") and "The call has ended" in status_text(window), 5, "the end on both pages")
    assert re.search(r"It lasted \d+ s\.", status_text(ana)), status_text(ana)
    save_screenshot(ana, "call-ended")

    # Two more answered calls for the set-up figure, each after a round of the direct baseline in
    # the same browser (these machines are noisy: the rounds alternate). Ana hangs up these.
    baseline = [direct_call_baseline(chen, ben2)]
    for _ in range(2):
        ben.get(url_for("acme", "/messages"))
        wait_until(lambda: ben.execute_script("return !!window.mingleOnline && window.mingleOnline().length > 0"), 10, "Ben's socket")
        again = start_call(ana, "ben")
        wait_until(lambda: ringing(ben) == again, 5, "Ben's page to ring")
        ring_button(ben, "Answer").click()
        setup.append(setup_times(ana, ben, ids["ana"], ids["ben"]))
        ana.find_element(By.CSS_SELECTOR, '[data-action="hang-up"]').click()
        wait_until(lambda: call_state(ben).get("over") and "The call has ended" in status_text(ben), 5, "the end on Ben's page")
        baseline.append(direct_call_baseline(chen, ben2))

    # Ana calls Chen, who declines from the prompt.
    chen.get(url_for("acme", "/messages"))
    wait_until(lambda: chen.execute_script("return !!window.mingleOnline && window.mingleOnline().length > 0"), 10, "Chen's socket")
    declined = start_call(ana, "chen", video=False)
    wait_until(lambda: ringing(chen) == declined, 5, "Chen's page to ring")
    assert chen.find_element(By.CSS_SELECTOR, ".ring .ring-text").text == "Audio call"
    ring_button(chen, "Decline").click()
    wait_until(lambda: "declined the call" in status_text(ana), 5, "Ana's page: declined")

    # Chen calls Ben, who answers; Ana's call to Ben meanwhile is busy.
    ben.get(url_for("acme", "/messages"))
    wait_until(lambda: ben.execute_script("return !!window.mingleOnline && window.mingleOnline().length > 0"), 10, "Ben's socket")
    chen_call = start_call(chen, "ben")
    wait_until(lambda: ringing(ben) == chen_call, 5, "Ben's page to ring for Chen")
    ring_button(ben, "Answer").click()
    setup.append(setup_times(chen, ben, ids["chen"], ids["ben"]))
    busy = start_call(ana, "ben")
    wait_until(lambda: "is busy in another call" in status_text(ana), 5, "Ana's page: busy")
    assert ringing(ben2) is None or ringing(ben2) != busy, "a busy call never rings"
    save_screenshot(ana, "call-busy")
    chen.find_element(By.CSS_SELECTOR, '[data-action="hang-up"]').click()
    wait_until(lambda: call_state(ben).get("over"), 5, "Ben's page: the call with Chen ended")

    # Ana calls Chen, who does not answer: missed after 30 s.
    chen.get(url_for("acme", "/people"))
    wait_until(lambda: chen.execute_script("return !!window.mingleOnline && window.mingleOnline().length > 0"), 10, "Chen's socket")
    missed = start_call(ana, "chen")
    wait_until(lambda: ringing(chen) == missed, 5, "Chen's page to ring")
    rang = time.time()
    wait_until(lambda: "did not answer" in status_text(ana), 40, "the call to be missed")
    assert time.time() - rang >= 25, "it rang for its 30 s"
    wait_until(lambda: ringing(chen) is None, 5, "Chen's page to stop ringing")
    chen.get(url_for("acme", "/messages/ana"))
    assert "Missed video call" in thread(chen)
    log = chen.find_element(By.CSS_SELECTOR, ".call-log")
    log.find_element(By.TAG_NAME, "summary").click()
    assert "Missed" in log.text and "Declined" in log.text, log.text
    save_screenshot(chen, "call-log-missed")
    chen.get(url_for("acme", "/notifications"))
    assert "Missed call from Ana" in chen.find_element(By.TAG_NAME, "main").text

    # The call log beside Ben's conversation with Ana: answered, with its duration, and busy.
    ana.get(url_for("acme", "/messages/ben"))
    log = ana.find_element(By.CSS_SELECTOR, ".call-log")
    log.find_element(By.TAG_NAME, "summary").click()
    entries = [li.text for li in log.find_elements(By.TAG_NAME, "li")]
    assert any("Busy" in e for e in entries) and any("Answered" in e and " s" in e.split("Answered")[1] for e in entries), entries
    save_screenshot(ana, "call-log")

    callee_mingle, caller_mingle = median([c for c, _ in setup]), median([c for _, c in setup])
    callee_direct, caller_direct = median([c for c, _ in baseline]), median([c for _, c in baseline])
    print("[figures] call set-up → first remote frame, Mingle (medians of 4 calls) beside direct Janus pages (medians of 3 rounds, alternating):")
    print(f"[figures]   callee, Answer pressed → the caller's video (incl. loading the call page): {callee_mingle:.2f} s, "
          f"direct {callee_direct:.2f} s: {callee_mingle / callee_direct:.2f}×  "
          f"[Mingle {', '.join(f'{c:.2f}' for c, _ in setup)}; direct {', '.join(f'{c:.2f}' for c, _ in baseline)}]")
    print(f"[figures]   caller, answer seen → the callee's video: {caller_mingle:.2f} s, direct {caller_direct:.2f} s: "
          f"{caller_mingle / caller_direct:.2f}×  [Mingle {', '.join(f'{c:.2f}' for _, c in setup)}; direct {', '.join(f'{c:.2f}' for _, c in baseline)}]")
