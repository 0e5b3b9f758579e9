"""An organizer and five members run a short live session in real pages (issue 4).

The session is scheduled with `mingle quick-session` (durations in seconds): the lobby is open,
everyone enters and sees everyone, members press "Meet someone", two rounds of one-to-ones
happen with countdowns, the "one minute left" notice and a survey after each (one member
answers with the keyboard only), the member left out of round 1 is paired first in round 2,
everyone is back in the lobby at the end, and after the teardown the room is closed. Finally
the pairings and answers stored in PostgreSQL are compared with what the pages showed.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from mingle_browser import (print_page_errors, browser_for_people, count_peer_connections, peer_connections, psql, save_screenshot, set_viewport,
                            sign_in, url_for, wait_until)

ORGANIZER = "olivia"
MEMBERS = ["ana", "ben", "chen", "dara", "eli"]
PEOPLE = [ORGANIZER] + MEMBERS
# Seconds: the lobby is open at once; S comes after everyone has entered.
# Rounds long enough that a busy browser (the test drives six windows of one) keeps up.
# The grace (ending notice → end of the pair) is long enough for the test to see the notice.
STARTS_IN, LENGTH, ROUND, GRACE, TEARDOWN = 45, 150, 45, 10, 12




@pytest.fixture
def room():
    """Six people at their own windows of one browser (own cookies each): {username: window}."""
    driver, windows = browser_for_people([ORGANIZER] + MEMBERS + ["janus-publisher", "janus-watcher"])
    for person in PEOPLE:
        count_peer_connections(windows[person])
    try:
        yield windows
    finally:
        print_page_errors(driver)
        driver.quit()


def psql_json(sql):
    """Runs SQL inside acme's row-level-security scope; returns the JSON it prints."""
    return json.loads(psql(sql))


def schedule_quick_session():
    result = subprocess.run(
        [os.environ["MINGLE_BIN"], "quick-session", "--tenant", "acme", "--title", "Browser test session",
         "--starts-in", str(STARTS_IN), "--length", str(LENGTH), "--round", str(ROUND), "--grace", str(GRACE),
         "--lead", "600", "--teardown", str(TEARDOWN)],
        capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]




def stage(driver):
    return driver.execute_script(
        "const s = [...document.querySelectorAll('[data-stage]')].find(e => !e.hidden); return s ? s.dataset.stage : null;")


def snapshot(driver):
    """What a live page shows, read in one call (each call to a window of a busy browser is slow)."""
    return driver.execute_script("""
        const text = (name) => { const e = document.querySelector(`[data-live="${name}"]`); return e ? e.textContent : null; };
        const shown = (name) => { const e = document.querySelector(`[data-live="${name}"]`); return !!e && !!e.offsetParent; };
        const s = [...document.querySelectorAll('[data-stage]')].find(e => !e.hidden);
        return {stage: s ? s.dataset.stage : null, partner: text("partner"), round: text("pair-round"),
                countdown: text("pair-countdown"), firstInLine: shown("first-in-line"), ending: shown("pair-ending"),
                pairs: document.querySelectorAll('[data-live="pairs"] tr').length};
    """)


def live_text(driver, name):
    return driver.find_element(By.CSS_SELECTOR, f'[data-live="{name}"]').text


def wait_stage(browsers, names, wanted, timeout):
    try:
        wait_until(lambda: all(stage(browsers[n]) in wanted for n in names), timeout, f"{list(names)} to reach {wanted}")
    except AssertionError as failure:
        states = {n: stage(browsers[n]) for n in names}
        for n, state in states.items():
            if state not in wanted:
                save_screenshot(browsers[n], f"live-failure-{n}")
        raise AssertionError(f"{failure}; now {states}") from None


def fill_survey_with_mouse(driver, remember):
    driver.find_element(By.CSS_SELECTOR, 'input[name="conversation-quality"][value="4"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="would-connect"][value="Yes"]').click()
    # On a busy machine the page may still be laying the form out: wait until it can be typed in.
    remember_box = WebDriverWait(driver, 10).until(EC.element_to_be_clickable((By.CSS_SELECTOR, 'textarea[name="remember"]')))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", remember_box)
    remember_box.send_keys(remember)


def fill_survey_with_keyboard(driver, remember):
    """Focus starts on the first rating button; arrows choose, Tab moves on to the submit button."""
    keys = ActionChains(driver)
    keys.send_keys(Keys.SPACE).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT)  # 1 → 3
    keys.send_keys(Keys.TAB).send_keys(Keys.SPACE)  # would-connect: first option, "Yes"
    keys.send_keys(Keys.TAB).send_keys(remember)    # the free text
    keys.send_keys(Keys.TAB)                        # the submit button
    keys.perform()
    assert driver.switch_to.active_element.get_attribute("type") == "submit"


def submit_survey(driver, by_keyboard):
    if by_keyboard:
        ActionChains(driver).send_keys(Keys.ENTER).perform()
    else:
        driver.find_element(By.CSS_SELECTOR, '[data-stage="survey"] button[type="submit"]').click()


def janus_script(window, role, room, options):
    """Runs janus_direct.js as `role` on a page of Janus's own origin; its answer (asserted ok)."""
    url = os.environ["MINGLE_TEST_JANUS_URL"]
    window.get(url.replace("ws://", "http://") + "/")
    result = window.execute_async_script((Path(__file__).parent / "janus_direct.js").read_text(), role, url,
                                         os.environ["MINGLE_JANUS_API_SECRET"], os.environ["MINGLE_JANUS_ADMIN_KEY"], room, options)
    assert result.get("ok"), result
    return result


def direct_janus_subscription(publisher, watcher, script_time=False):
    """Seconds from loading a page to its first decoded frame when it subscribes to Janus
    directly (its own room, the publisher page's fake camera): the baseline for Mingle's
    figures. Returns (seconds, room); the publisher stays, so the room can be watched again
    later. With `script_time`, seconds is (from page load, from the script's start: its page loaded)."""
    room = f"baseline-{int(time.time() * 1000)}"
    janus_script(publisher, "publisher", room, {"feeds": 1})
    return watch_janus_directly(watcher, room, script_time), room


def watch_janus_directly(watcher, room, script_time=False):
    """Seconds from loading a page to its first decoded frame of the baseline publisher (and,
    with `script_time`, from the script's start to it)."""
    loaded = time.time()
    watched = janus_script(watcher, "watcher", room, {"feeds": 1})
    return (time.time() - loaded, watched["seconds"]) if script_time else time.time() - loaded


def media_stats(driver):
    """{publishing: {state, camera} | None, watching: {state, feeds: {user id: {framesDecoded, …}}} | None}
    from the page (Public/js/media.js)."""
    return driver.execute_script("return await window.mingleMediaStats()")


def watched_feeds(driver):
    return (media_stats(driver)["watching"] or {}).get("feeds", {})


def frame_shown_at(driver, publisher):
    """When (s since 1970, by the page's clock) the video of `publisher` first showed a frame
    since the page wanted it; None if it has not. Read without getStats: quick in a busy browser."""
    at = driver.execute_script("return window.mingleShownFrames()").get(publisher)
    return at / 1000 if at else None


def watch_behind_the_page(driver, session, *publishers):
    """A second socket of the same person, as a tampered page could open, asks to watch
    `publishers` and then never changes its wish: what it is sent shows what the server itself
    allows. `window.tamperStreams()` gives the publishers in the last offer it got;
    `window.tamperClose()` ends it."""
    driver.execute_script("""
        const [session, publishers] = arguments;
        const activity = `speed-networking:${session}`;
        const socket = new WebSocket(`ws://${location.host}/live/ws?activity=${activity}`);
        const pc = new window.mingleTestPeers.native();
        let streams = null;
        const heard = [];
        window.tamperStreams = () => streams && streams.map((s) => s.publisher);
        window.tamperHeard = () => heard;
        window.tamperClose = () => { socket.close(); pc.close(); };
        socket.onopen = () => socket.send(JSON.stringify({v: 1, type: "media-watch", activity, ref: "behind",
                                                          data: {room: "session", publishers}}));
        socket.onmessage = async (event) => {
            const message = JSON.parse(event.data);
            if (message.type === "media-offer") heard.push(message.data.streams);
            else if (message.type !== "state" && message.type !== "people" && message.type !== "media-ice") heard.push(event.data.slice(0, 300));
            if (message.type !== "media-offer") return;
            streams = message.data.streams;
            await pc.setRemoteDescription(message.data.sdp);
            const answer = await pc.createAnswer();
            await pc.setLocalDescription(answer);
            socket.send(JSON.stringify({v: 1, type: "media-answer", activity,
                                        data: {leg: message.data.leg, answer: {type: answer.type, sdp: answer.sdp}}}));
        };
    """, session, list(publishers))


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def test_an_organizer_and_five_members_run_a_short_session(room):
    session = schedule_quick_session()
    live_url = url_for("acme", f"/sessions/{session}/live")
    people = psql_json("SELECT json_agg(json_build_object('username', username, 'name', first_name || ' ' || last_name, 'id', id)) FROM users;")
    names = {row["username"]: row["name"] for row in people}
    ids = {row["username"]: row["id"].upper() for row in people}  # as Mingle's JSON writes them
    by_name = {name: username for username, name in names.items()}

    # Everyone signs in; the organizer enters and starts broadcasting; the members enter.
    for username in PEOPLE:
        sign_in(room[username], username)
    organizer = room[ORGANIZER]
    organizer.get(live_url)
    wait_stage(room, [ORGANIZER], {"lobby"}, 20)
    organizer.find_element(By.CSS_SELECTOR, '[data-action="broadcast"]').click()
    wait_until(lambda: (media_stats(organizer)["publishing"] or {}).get("state") == "connected",
               20, "the organizer's broadcast to connect")
    loaded = {}
    for member in MEMBERS:
        loaded[member] = time.time()
        room[member].get(live_url)
    wait_stage(room, PEOPLE, {"lobby"}, 20)
    first_frame = {}
    def lobby_frames():
        for member in MEMBERS:
            if member not in first_frame and (at := frame_shown_at(room[member], ids[ORGANIZER])):
                first_frame[member] = at - loaded[member]
        return len(first_frame) == len(MEMBERS)
    wait_until(lobby_frames, 30, "every member to decode the organizer's lobby video")
    print(f"\n[figures] page load → first frame of the lobby broadcast shown, per member (s): "
          + ", ".join(f"{m} {t:.2f}" for m, t in sorted(first_frame.items())))
    baseline, baseline_room = direct_janus_subscription(room["janus-publisher"], room["janus-watcher"])
    print(f"[figures] baseline, the same run: page load → first decoded frame of a direct Janus subscription: {baseline:.2f} s")

    # A member may watch the organizer's broadcast but not another member's camera (up, with
    # the camera off, ready for the first match), whatever their page asks.
    wait_until(lambda: room["ben"].execute_script("return !!window.mingleMediaTimeline().find(s => s[0] === 'publish connected')"),
               20, "ben's camera connection")
    watch_behind_the_page(room["ana"], session, ids["ben"], ids[ORGANIZER])
    wait_until(lambda: room["ana"].execute_script("return window.tamperStreams()") is not None, 10, "an offer to the second socket")
    assert set(room["ana"].execute_script("return window.tamperStreams()")) == {ids[ORGANIZER]}
    room["ana"].execute_script("window.tamperClose()")
    wait_until(lambda: live_text(organizer, "present-count") == "6", 10, "six people present")
    assert all(names[m] in live_text(room[m], "presence") for m in MEMBERS)
    assert not room["ana"].find_element(By.CSS_SELECTOR, '[data-action="meet"]').is_enabled()
    save_screenshot(room["ana"], "live-lobby-member")
    save_screenshot(organizer, "live-lobby-organizer")

    # S: "Meet someone" becomes possible; all five press it.
    wait_until(lambda: all(room[m].find_element(By.CSS_SELECTOR, '[data-action="meet"]').is_enabled() for m in MEMBERS),
               STARTS_IN + 10, "the start")
    # Each page presses its button itself at one agreed instant (the pages share the machine's
    # clock): driving five windows one after another takes seconds in a busy browser, longer
    # than the matcher's pool collects.
    press_at = int((time.time() + 3) * 1000)
    for member in MEMBERS:
        room[member].execute_script(
            "const [at] = arguments; setTimeout(() => { window.testPressedAt = Date.now(); "
            "document.querySelector('[data-action=\"meet\"]').click(); }, at - Date.now());",
            press_at)
    met_at = {member: press_at / 1000 for member in MEMBERS}
    time.sleep(max(0, press_at / 1000 - time.time()))
    # The same baseline again, started while the five pages work at once: the browser's load
    # is then the same for both.
    loaded_baseline = watch_janus_directly(room["janus-watcher"], baseline_room)
    print(f"[figures] baseline under the same load: a direct Janus subscription started as the members press: {loaded_baseline:.2f} s")

    seen_pairs = []       # {frozenset of usernames} in the order they were seen
    shown_rounds = {}     # frozenset of usernames -> the round number their pages showed
    answers = {}          # (submitter, target) -> {question key: value}
    left_out_before = None
    keyboard_user = None

    for round_number in (1, 2):
        # A round: two pairs and one member waiting first in line.
        wait_until(lambda: sorted(stage(room[m]) for m in MEMBERS).count("pair") == 4, 20, f"round {round_number}")
        if round_number == 1:
            print(f"[figures] every pair of round 1 seen by the test {time.time() - min(met_at.values()):.2f} s after the members pressed")
        shows = {m: snapshot(room[m]) for m in MEMBERS}
        # Left out: waiting first in line — or, once the last moment a pair may start has passed
        # (a slow round 2 on a busy machine), back in the lobby, told why.
        waiting = [m for m in MEMBERS if shows[m]["stage"] == "waiting" or (round_number == 2 and shows[m]["stage"] == "lobby")]
        assert len(waiting) == 1, {m: (shows[m]["stage"], shows[m].get("partner"), shows[m].get("round")) for m in MEMBERS}
        partners = {m: by_name[shows[m]["partner"]] for m in MEMBERS if m not in waiting}
        for member, partner in partners.items():
            assert partners[partner] == member
            assert shows[member]["round"] == shows[partner]["round"]
            assert "Round" in shows[member]["round"]
            shown_rounds[frozenset((member, partner))] = int(shows[member]["round"].split()[1])
        pairs = {frozenset((m, p)) for m, p in partners.items()}
        assert not pairs & set(seen_pairs), "a pair met twice"
        seen_pairs.extend(sorted(pairs, key=sorted))
        if left_out_before:
            assert left_out_before in partners, "the member left out last round was not paired first"
        left_out_before = waiting[0]
        if shows[waiting[0]]["stage"] == "lobby":
            assert "No new conversations start this close to the end" in room[waiting[0]].page_source
        else:
            wait_until(lambda: snapshot(room[waiting[0]])["firstInLine"] or stage(room[waiting[0]]) == "lobby", 10, "first in line")
        wait_until(lambda: snapshot(organizer)["pairs"] == 2, 10, "the organizer's view of the pairs")
        talking = next(iter(partners))
        wait_until(lambda: (snapshot(room[talking])["countdown"] or "").endswith("left"), 5, "the pair's countdown")

        if round_number == 1:
            # Reloading the page rejoins the pair.
            room[talking].refresh()
            wait_stage(room, [talking], {"pair"}, 10)
            assert by_name[live_text(room[talking], "partner")] == partners[talking]
            # Another member opens a second socket behind their page and asks to watch their partner.
            snoop = next(m for m in partners if talking not in (m, partners[m]))  # (a reloaded page publishes anew)
            watch_behind_the_page(room[snoop], session, ids[partners[snoop]])
            # It may: the pair is running.
            try:
                wait_until(lambda: room[snoop].execute_script("return window.tamperStreams()") == [ids[partners[snoop]]] * 2, 10,
                           "the second socket to receive the partner's audio and video")
            except AssertionError:
                raise AssertionError(f"the second socket heard {room[snoop].execute_script('return window.tamperHeard()')}") from None

        if round_number == 2:
            set_viewport(room[talking], 390, 844, mobile=True)
            save_screenshot(room[talking], "live-pair-phone")

        # After R the notice. By then every page of the pair has shown its partner's video
        # (asked once per page now, not polled: polling six windows of one busy browser takes
        # longer than the video does).
        wait_until(lambda: snapshot(room[talking])["ending"], ROUND + 5, "the ending notice")
        notice_seen = time.time()
        stats = {m: media_stats(room[m]) for m in partners}
        watching = {m: (stats[m]["watching"] or {}).get("feeds", {}).get(ids[partners[m]]) for m in partners}
        if not all(feed and feed["framesDecoded"] > 0 and feed.get("firstFrameAt") for feed in watching.values()):
            details = {m: (stage(room[m]), stats[m], live_text(room[m], "media-status")) for m in partners}
            raise AssertionError(f"no video both ways in round {round_number}: {details}")
        # Two peer connections at most in every page of the pair: one sends, one receives.
        counts = {m: peer_connections(room[m]) for m in partners}
        assert all(c["open"] <= 2 and c["most"] <= 2 for c in counts.values()), counts
        if round_number == 1:
            # (the reloaded page set its video up again; its time says nothing of the join)
            joined = [m for m in partners if talking not in (m, partners[m])]
            # (when the page really pressed: a busy page runs its timer late)
            met_at.update({m: room[m].execute_script("return window.testPressedAt") / 1000 for m in joined})
            shown = {m: room[m].execute_script("return window.minglePairsShown()") for m in joined}
            matched = {m: max(shown[m].values()) / 1000 - met_at[m] for m in joined}
            beyond = {m: watching[m]["firstFrameAt"] / 1000 - met_at[m] - matched[m] for m in joined}
            print("[figures] Meet someone → partner's first frame shown, as the pages recorded it (s): "
                  + ", ".join(f"{m} {matched[m] + beyond[m]:.2f}" for m in sorted(joined)))
            print("[figures]   of which matching (press → pair shown; the pool collects while someone may still join): "
                  + ", ".join(f"{m} {matched[m]:.2f}" for m in sorted(joined)))
            print("[figures]   of which video (pair shown → partner's first frame): "
                  + ", ".join(f"{m} {beyond[m]:.2f}" for m in sorted(joined))
                  + f"; median {median(beyond.values()):.2f} s = {median(beyond.values()) / baseline:.2f} × the baseline {baseline:.2f} s"
                  + f", {median(beyond.values()) / loaded_baseline:.2f} × the baseline under the same load {loaded_baseline:.2f} s")
            for m in joined:
                steps = room[m].execute_script("return window.mingleMediaTimeline().concat(window.mingleStateTimes || [])")
                start = met_at[m] * 1000
                print(f"[figures]   {m}'s steps after the press (s): " + ", ".join(
                    f"{step} {(at - start) / 1000:.2f}" for step, at in sorted(steps, key=lambda s: s[1]) if at >= start - 100))
        if round_number == 1:
            save_screenshot(room[talking], "live-pair-ending")
            save_screenshot(room[waiting[0]], "live-waiting")
            save_screenshot(organizer, "live-organizer-round")
        # The pair ends GRACE after the notice; what the test did since (stats, screenshots) counts.
        wait_stage(room, partners.keys(), {"survey"}, max(GRACE + 6, notice_seen + GRACE + 20 - time.time()))
        # The pair is over: nobody receives their former partner any more…
        wait_until(lambda: all(ids[partners[m]] not in watched_feeds(room[m]) for m in partners), 5,
                   "the pair's media to stop")
        if round_number == 1:
            # …not even the socket whose page never asked to stop: the server itself cut it.
            wait_until(lambda: room[snoop].execute_script("return window.tamperStreams()") == [], 5,
                       "the server to cut the second socket's subscription")
        by_keyboard = set()
        for member, partner in partners.items():
            browser = room[member]
            assert live_text(browser, "survey-partner") == names[partner]
            remember = f"{member} remembers {partner} ({round_number})"
            if keyboard_user is None:
                keyboard_user = member
                by_keyboard.add(member)
                save_screenshot(browser, "live-survey")
                fill_survey_with_keyboard(browser, remember)
                answers[(member, partner)] = {"conversation-quality": "3", "would-connect": "Yes", "remember": remember}
            else:
                fill_survey_with_mouse(browser, remember)
                answers[(member, partner)] = {"conversation-quality": "4", "would-connect": "Yes", "remember": remember}
        # Sent together, so the next round pairs everyone who is back (the pool collects for
        # a moment before matching).
        for member in partners:
            submit_survey(room[member], member in by_keyboard)
        # Submitted: back to the pool (round 2) or, this close to the end, to the lobby.
        wait_stage(room, partners.keys(), {"waiting", "pair", "lobby"}, 10)

    # E: everyone is back in the lobby; after the teardown the room is closed.
    # (Past the last pair start people are back in the lobby before E: wait for the end itself.)
    wait_stage(room, MEMBERS, {"lobby"}, LENGTH + 10)
    wait_until(lambda: "ended" in live_text(room["ana"], "lobby-title"), LENGTH + 10, "the session's end in the lobby")
    # Back in the lobby everyone watches the organizer again.
    wait_until(lambda: all(frame_shown_at(room[m], ids[ORGANIZER]) for m in MEMBERS), 20,
               "everyone watching the organizer at the end")
    # Every page kept to two peer connections, and reused them from round to round (the
    # reloaded page made its own again once; a failed connection may be made again once).
    counts = {p: peer_connections(room[p]) for p in PEOPLE}
    print("[figures] peer connections per page (open now, most at once, made in all): "
          + ", ".join(f"{p} {c['open']}/{c['most']}/{c['made']}" for p, c in counts.items()))
    assert all(c["most"] <= 2 for c in counts.values()), counts
    assert all(c["made"] <= 3 for p, c in counts.items()), counts
    save_screenshot(room["ana"], "live-ended")
    set_viewport(room["ben"], 390, 844, mobile=True)
    save_screenshot(room["ben"], "live-ended-phone")
    set_viewport(organizer, 390, 844, mobile=True)
    save_screenshot(organizer, "live-ended-organizer-phone")
    wait_stage(room, PEOPLE, {"closed"}, TEARDOWN + 10)
    save_screenshot(organizer, "live-closed")
    room["chen"].get(live_url)
    wait_stage(room, ["chen"], {"closed"}, 10)

    # What PostgreSQL holds matches what the pages showed.
    stored_pairs = psql_json("""
        SELECT json_agg(json_build_array(a.username, b.username, p.round, p.end_reason) ORDER BY p.round)
        FROM live_pairings p JOIN users a ON a.id = p.member_a JOIN users b ON b.id = p.member_b
        WHERE p.session_id = '%s';""" % session)
    assert {frozenset(p[:2]) for p in stored_pairs} == set(seen_pairs)
    assert {frozenset(p[:2]): p[2] for p in stored_pairs} == shown_rounds
    assert all(p[3] in ("time", "session_end") for p in stored_pairs)
    stored_answers = psql_json("""
        SELECT json_agg(json_build_array(s.username, t.username, a.question_key, a.value))
        FROM live_survey_responses r JOIN live_survey_answers a ON a.response_id = r.id
        JOIN users s ON s.id = r.submitter_id JOIN users t ON t.id = r.target_id
        WHERE r.session_id = '%s';""" % session)
    got = {}
    for submitter, target, key, value in stored_answers:
        got.setdefault((submitter, target), {})[key] = value
    assert got == answers

    # The organizer's report of this session shows the same answers.
    set_viewport(organizer, 1280, 900)
    organizer.get(url_for("acme", f"/organize/reports/answers?session={session}"))
    report = organizer.find_element(By.CSS_SELECTOR, "table.report").text
    for (member, partner), given in answers.items():
        assert given["remember"] in report, f"{given['remember']} is not in the report"
    assert len(organizer.find_elements(By.CSS_SELECTOR, "table.report tbody tr")) == len(answers)
    save_screenshot(organizer, "report-live-session")
