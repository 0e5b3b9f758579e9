#!/usr/bin/env python3
"""The page benchmark's measuring half (scripts/bench-pages.sh starts the server): signs in as a
demo member and the demo organizer, then loads each page with wrk from this second process,
page after page in rounds (interleaved, so a noisy machine slows every page alike), and prints
requests/s, p50/p99 and the CPU per request of the server and of PostgreSQL, read from /proc.

usage: bench_pages.py --port P --server-pid PID --pg-data DIR [--seconds S] [--rounds R] [--connections C]
"""
import argparse
import http.client
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """utime + stime of these processes, in seconds (a process gone meanwhile counts 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / TICKS


def postgres_pids(data_dir):
    """The postmaster and every process it started (backends, writers, …)."""
    with open(os.path.join(data_dir, "postmaster.pid")) as f:
        postmaster = f.readline().strip()
    children = subprocess.run(["pgrep", "-P", postmaster], capture_output=True, text=True).stdout.split()
    return [postmaster] + children


class Site:
    """A signed-in browser for one host: cookies kept, the sign-in form's CSRF token sent back."""

    def __init__(self, port, host):
        self.port, self.host = port, host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None):
        # Connect to loopback whatever the host name says; the Host header names the site.
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     headers={"Host": self.host, "Origin": f"http://{self.host}"})
        return self.opener.open(req)

    def sign_in(self, username, password):
        page = self.request("/sign-in").read().decode()
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"_csrf": token, "username": username, "password": password, "next": "/"}).encode()
        self.request("/sign-in", form)
        if not any("session" in c.name for c in self.jar):
            sys.exit(f"could not sign in as {username} on {self.host}")

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def check_page(port, host, path, cookie):
    """The page answers 200 to this visitor (a redirect to sign-in would measure the wrong thing)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers={"Host": host, **({"Cookie": cookie} if cookie else {})})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}, not 200: {body[:200]!r}")


STATUS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_statuses.lua")


def run_wrk(port, host, path, cookie, seconds, connections):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", STATUS_SCRIPT, "-H", f"Host: {host}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    statuses = re.search(r"statuses: 2xx (\d+), 3xx (\d+), 4xx (\d+), 5xx (\d+), 503 (\d+)", out)
    _, redirects, client, server, busy = (int(n) for n in statuses.groups())
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return requests, (redirects, client, server, busy), latency.get("50", "?"), latency.get("99", "?")


def milliseconds(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root-host", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--pg-data", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pages", default="", help="comma-separated paths to run (default: all); /healthz always runs")
    options = parser.parse_args()

    acme = f"acme.{options.root_host}"
    member, organizer = Site(options.port, acme), Site(options.port, acme)
    member.sign_in("ana", options.password)
    organizer.sign_in("olivia", options.password)
    pages = [
        ("/healthz", None, "health check (no database)"),
        ("/", member, "tenant home, signed in"),
        ("/people", member, "People, signed in"),
        ("/messages/olivia", member, "a conversation"),
        ("/organize/reports", organizer, "report overview (organizer)"),
    ]
    if options.pages:
        chosen = set(options.pages.split(",")) | {"/healthz"}
        pages = [page for page in pages if page[0] in chosen]
    for path, site, _ in pages:
        check_page(options.port, acme, path, site.cookie_header() if site else None)
    results = {path: [] for path, _, _ in pages}
    for round_number in range(options.rounds):
        for path, site, _ in pages:
            pg = postgres_pids(options.pg_data)
            server_before, pg_before = cpu_seconds([options.server_pid]), cpu_seconds(pg)
            requests, bad, p50, p99 = run_wrk(options.port, acme, path, site.cookie_header() if site else None,
                                              options.seconds, options.connections)
            server_cpu = cpu_seconds([options.server_pid]) - server_before
            pg_cpu = cpu_seconds(pg) - pg_before
            results[path].append((requests / options.seconds, milliseconds(p50), milliseconds(p99),
                                  1000 * server_cpu / max(requests, 1), 1000 * pg_cpu / max(requests, 1), bad))
            print(f"[bench] round {round_number + 1} {path}: {requests / options.seconds:.0f} req/s", file=sys.stderr)

    print(f"{options.rounds} rounds × {options.seconds} s per page, {options.connections} connections, "
          f"wrk from a second process; medians over the rounds")
    print(f"{'page':<34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server ms/req':>14} {'PostgreSQL ms/req':>18} {'both':>6}"
          f"  not 2xx: 3xx/4xx/5xx/503")
    for path, _, label in pages:
        rows = results[path]
        med = lambda i: statistics.median(r[i] for r in rows)
        others = "/".join(str(sum(r[5][i] for r in rows)) for i in range(4))
        print(f"{label:<34} {med(0):>7.0f} {med(1):>7.2f} {med(2):>7.2f} {med(3):>14.3f} {med(4):>18.3f} "
              f"{med(3) + med(4):>6.3f}  {others}")


if __name__ == "__main__":
    main()
