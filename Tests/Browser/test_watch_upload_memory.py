"""A 200 MB upload to a watch room is streamed to disk (issue 17): the server's resident memory
(its own process, read from /proc) grows by a few MB at most while it arrives — a server that
held the body would grow by 200 MB. The body is not a video, so it is then refused (422) and
nothing of it is kept."""

import http.client
import os
import re
import subprocess
import threading
import time

from selenium.webdriver.common.by import By

from mingle_browser import PORT, new_browser, sign_in, url_for, wait_until

SIZE = 200 * 1024 * 1024


def server_pid():
    return int(subprocess.run(["pgrep", "-f", "mingle serve"], capture_output=True, text=True, check=True).stdout.split()[0])


def resident_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+) kB", status.read()).group(1))


def test_a_200_mb_upload_is_streamed_to_disk():
    driver = new_browser()
    try:
        sign_in(driver, "ana")
        driver.get(url_for("acme", "/watch"))
        driver.find_element(By.ID, "title").send_keys("Memory check")
        driver.find_element(By.ID, "pin").send_keys("135790")
        driver.find_element(By.CSS_SELECTOR, ".watch-create button[type=submit]").click()
        wait_until(lambda: "/w/" in driver.current_url, 10, "the room")
        room_path = "/w/" + driver.current_url.split("/w/")[1]
        csrf = driver.find_element(By.ID, "watch").get_attribute("data-csrf")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    finally:
        driver.quit()

    pid = server_pid()
    before = resident_kb(pid)
    peak = [before]
    done = threading.Event()

    def watch_memory():
        while not done.is_set():
            peak[0] = max(peak[0], resident_kb(pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_memory, daemon=True)
    watcher.start()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    chunk = os.urandom(1024 * 1024)
    connection.putrequest("POST", room_path + "/upload?name=big.mp4")
    for name, value in (("Host", f"acme.mingle.localhost:{PORT}"), ("Cookie", cookies), ("X-CSRF-Token", csrf),
                        ("Content-Type", "video/mp4"), ("Content-Length", str(SIZE))):
        connection.putheader(name, value)
    connection.endheaders()
    started = time.time()
    for _ in range(SIZE // len(chunk)):
        connection.send(chunk)
    response = connection.getresponse()
    body = response.read().decode()
    took = time.time() - started
    done.set()
    watcher.join()
    grew = (peak[0] - before) / 1024
    print(f"\n[figures] a 200 MB upload: the server's resident memory grew by {grew:.1f} MB at most "
          f"({before / 1024:.0f} → {peak[0] / 1024:.0f} MB), {took:.1f} s; answered {response.status}")
    assert response.status == 422 and "problem" in body, (response.status, body[:200])
    assert grew < 40, f"the server's memory grew by {grew:.0f} MB: the upload was held in memory"
