"""What one meeting costs this machine (issue 15): N = 2, 5, 10 people in one meeting, every page
publishing a camera (320×180, 10 frames a second) and watching everyone else. Printed per N once
every page decodes every other: Janus's and Mingle's CPU (share of one core) and Mingle's memory,
beside the same figures with nobody in a meeting, measured first in the same run. Run by
`bash scripts/bench-meeting.sh` (not part of the test command: it prints figures, it asserts none).
"""

import os
import secrets
import subprocess
import time
from pathlib import Path

from selenium.webdriver.common.by import By

from mingle_browser import browser_for_people, psql, sign_in, url_for, wait_until

SIZES = (2, 5, 10)
DEMO = ["olivia", "ana", "ben", "chen", "dara", "eli"]
SAMPLE_SECONDS = 20
SMALL_CAMERAS = """
const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => original(constraints && constraints.video
    ? { ...constraints, video: { ...(constraints.video === true ? {} : constraints.video), width: 320, height: 180, frameRate: 10 } }
    : constraints);
"""
TICKS = os.sysconf("SC_CLK_TCK")


def people(n):
    """The demo people of acme, then bench members made for the run (with ana's password)."""
    names = DEMO + [f"bench{i}" for i in range(1, max(0, n - len(DEMO)) + 1)]
    for name in names[len(DEMO):]:
        psql(tenant=None, sql=f"""INSERT INTO users (username, email, password_hash, first_name, last_name, email_confirmed_at)
                 SELECT '{name}', '{name}@bench.test', password_hash, 'Bench', '{name[5:]}', now() FROM users WHERE username = 'ana'
                 ON CONFLICT (username) DO NOTHING;""")
        psql(f"""INSERT INTO memberships (tenant_id, user_id, role, status)
                 SELECT current_setting('app.tenant_id')::uuid, id, 'member', 'active' FROM users WHERE username = '{name}'
                 ON CONFLICT DO NOTHING;""")
    return names[:n]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample(pids, seconds=SAMPLE_SECONDS):
    """Each process's CPU over `seconds` as a share of one core."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.time()
    time.sleep(seconds)
    elapsed = time.time() - start
    return {name: (cpu_seconds(pid) - before[name]) / elapsed for name, pid in pids.items()}


def processes():
    janus = int(Path(".data/browser-janus/janus.pid").read_text())
    mingle = int(subprocess.run(["pgrep", "-n", "-f", f"{os.environ['MINGLE_BIN']} serve"], capture_output=True, text=True,
                                check=True).stdout.split()[0])
    return {"janus": janus, "mingle": mingle}


def chromium_cpu_seconds():
    """CPU time of every Chromium process now running (the pages themselves)."""
    total = 0.0
    for pid in subprocess.run(["pgrep", "-f", "chromium"], capture_output=True, text=True).stdout.split():
        try:
            total += cpu_seconds(int(pid))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


def frames_decoded(windows):
    """Video frames decoded so far by all pages together."""
    total = 0
    for window in windows.values():
        feeds = ((window.execute_script("return await window.mingleMediaStats()") or {}).get("watching") or {}).get("feeds", {})
        total += sum(feed["framesDecoded"] for feed in feeds.values())
    return total


def decoded_all(window, others):
    feeds = ((window.execute_script("return await window.mingleMediaStats()") or {}).get("watching") or {}).get("feeds", {})
    return sum(1 for feed in feeds.values() if feed["framesDecoded"] > 0) >= others


def test_meeting_costs():
    pids = processes()
    idle = sample(pids, 10)
    idle_rss = rss_mb(pids["mingle"])
    print(f"\n[figures] nobody in a meeting: Janus {idle['janus'] * 100:.1f} % of a core, Mingle {idle['mingle'] * 100:.1f} %, "
          f"Mingle memory {idle_rss:.0f} MB")
    for n in SIZES:
        names = people(n)
        token = secrets.token_urlsafe(18)
        psql(f"""INSERT INTO meetings (tenant_id, link_token, title, created_by, starts_at, ends_at, time_zone, waiting_room)
                 SELECT current_setting('app.tenant_id')::uuid, '{token}', 'Bench {n}', id, now(), now() + interval '1 hour', 'UTC', false
                 FROM users WHERE username = 'olivia';""")
        driver, windows = browser_for_people(names)
        try:
            for name in names:
                windows[name].execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SMALL_CAMERAS})
                sign_in(windows[name], name)
            for name in names:
                windows[name].get(url_for("acme", f"/m/{token}"))
            for name in names:
                wait_until(lambda: decoded_all(windows[name], n - 1), 180, f"{name} decoding the {n - 1} others")
            time.sleep(5)
            frames, browser, started = frames_decoded(windows), chromium_cpu_seconds(), time.time()
            used = sample(pids)
            frames, browser = frames_decoded(windows) - frames, chromium_cpu_seconds() - browser
            elapsed = time.time() - started
            memory = rss_mb(pids["mingle"])
            streams = n * (n - 1)
            print(f"[figures] a meeting of {n:2d}: Janus {used['janus'] * 100:5.1f} % of a core, Mingle {used['mingle'] * 100:5.1f} % "
                  f"(idle: {idle['janus'] * 100:.1f} %, {idle['mingle'] * 100:.1f} %), Mingle memory {memory:.0f} MB "
                  f"(+{memory - idle_rss:.0f} MB); {streams} video streams relayed, decoded at {frames / elapsed / streams:.1f} "
                  f"frames/s each (cameras send 10); the {n} pages' Chromium: {browser / elapsed * 100:.0f} % of a core")
            assert windows[names[0]].find_elements(By.CSS_SELECTOR, ".tile")
        finally:
            driver.quit()
        time.sleep(3)
