"""axe-core 4.x on every page type (issue 14): a crawl of the links each kind of visitor can
follow — nobody, a member, an organizer, the platform admin — scanning one page of each type
(people's, sessions' and tenants' own pages once each), failing on any serious or critical
violation."""

import re
import urllib.parse

from selenium.webdriver.common.by import By

from mingle_browser import axe_problems, host_for, invitation_link, psql, sign_in, url_for
from test_console import sign_in_admin
from test_site_request import request_site

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
# A segment after one of these names one person, session, tenant…: one page of each kind is enough.
NAMED_BY = {"people", "messages", "members", "tenants", "sessions", "person", "outbox", "meetings", "m"}
SKIP = re.compile(r"\.(csv|ics|css|js|png|jpe?g|webp|svg)$|/live$|/calendar|/sign-out|/feed")


minor = []  # reported, not failed on


def page_type(path):
    parts = path.strip("/").split("/")
    return "/" + "/".join(":x" if UUID.match(p) or (i > 0 and parts[i - 1] in NAMED_BY and p != "new") else p
                          for i, p in enumerate(parts))


def crawl(driver, slug, starts, limit=45):
    """Scans every page type reachable by links from `starts` on one host; returns the problems."""
    host = host_for(slug)
    seen, queue, problems = set(), list(starts), []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if page_type(path) in seen or SKIP.search(path):
            continue
        seen.add(page_type(path))
        driver.get(url_for(slug, path))
        problems += [f"{host}{path}: {p}" for p in axe_problems(driver)]
        minor.extend(f"{host}{path}: {p}" for p in axe_problems(driver, impacts=("moderate", "minor")))
        for link in driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            target = urllib.parse.urlsplit(link.get_attribute("href") or "")
            if target.hostname == host and target.path and page_type(target.path) not in seen:
                queue.append(target.path)
    return seen, problems


def test_no_page_has_serious_or_critical_accessibility_problems(driver):
    # The scan can fail: a page with an unlabelled image and no language is caught.
    driver.get("data:text/html,<html><body><img src='x.png'><a href='/'></a></body></html>")
    caught = axe_problems(driver)
    assert any("image-alt" in p for p in caught) and any("html-has-lang" in p for p in caught), caught

    scanned, problems = set(), []

    # The page an invitation email's own link opens (nobody signed in), and its one-button question.
    invitation = urllib.parse.urlsplit(invitation_link("ana@acme.example") or "").path
    assert "/invitation/" in invitation, "no invitation email with its own link in the outbox"
    # A meeting that takes guests: its link shows nobody the guest's name form, a member the room.
    meeting = "/m/" + "a11y" + "x" * 20
    psql(f"""INSERT INTO meetings (tenant_id, link_token, title, created_by, starts_at, ends_at, time_zone, guests_allowed)
             SELECT current_setting('app.tenant_id')::uuid, '{meeting[3:]}', 'Accessibility check', id, now(),
                    now() + interval '1 hour', 'UTC', true FROM users WHERE username = 'olivia'
             ON CONFLICT DO NOTHING;""")
    for slug, starts in ((None, ["/", "/sign-in", "/nope", "/site-requests/received"]),
                         ("acme", ["/", "/sign-in", "/join", "/forgot-password", invitation, meeting])):
        seen, found = crawl(driver, slug, starts)
        scanned |= {f"{slug or 'root'} {p}" for p in seen}
        problems += found

    # A meeting for every member, so its page is crawled (the list links to it; its host's page to its edit form).
    psql("INSERT INTO meetings (tenant_id, link_token, title, description, created_by, starts_at, ends_at, time_zone, invite_all) "
         "SELECT t.id, 'AxeCrawlMeetingLink00001', 'Axe crawl meeting', 'See https://example.com', u.id, now() + interval '1 day', "
         "now() + interval '25 hours', 'UTC', true FROM tenants t, users u WHERE t.slug = 'acme' AND u.username = 'olivia' "
         "ON CONFLICT DO NOTHING")

    # A call between Ana and the organizer, so the conversation's call log and the call's page are crawled.
    psql("INSERT INTO calls (tenant_id, id, caller_id, callee_id, video, created_at, ended_at, outcome) "
         "SELECT t.id, gen_random_uuid(), a.id, o.id, true, now() - interval '1 hour', now() - interval '1 hour', 'busy' "
         "FROM tenants t, users a, users o WHERE t.slug = 'acme' AND a.username = 'ana' AND o.username = 'olivia'")
    sign_in(driver, "ana", "acme")
    seen, found = crawl(driver, "acme", ["/", "/people", "/connections", "/messages", "/messages/olivia", "/notifications",
                                          "/profile", "/sessions", "/meetings", "/account", "/account/password", "/account/leave",
                                          "/account/time-zone", "/membership", meeting])
    scanned |= {f"member {p}" for p in seen}
    problems += found

    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    sign_in(driver, "olivia", "acme")
    past = psql("SELECT id FROM live_sessions WHERE title = 'Winter warm-up'")
    seen, found = crawl(driver, "acme", ["/organize", "/organize/reports", "/organize/sessions/new", "/meetings", "/meetings/new",
                                         f"/organize/sessions/{past}/attendance"], limit=60)
    scanned |= {f"organizer {p}" for p in seen}
    problems += found

    # A site request waits, so the console's request page is reached too.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    request_site(driver, "axe-scan", "axe-scan@example.test", name="Axe Scan Club")
    sign_in_admin(driver)
    seen, found = crawl(driver, None, ["/admin", "/admin/tenants/new", "/admin/site-requests"])
    scanned |= {f"admin {p}" for p in seen}
    problems += found

    print(f"[figures] axe-core scanned {len(scanned)} page types: " + ", ".join(sorted(scanned)))
    print("[axe] moderate and minor, not failing: " + "; ".join(sorted(set(p.split(" at ")[0].split(": ", 1)[1] for p in minor))))
    assert len(scanned) >= 40, f"the crawl reached too few pages: {sorted(scanned)}"
    assert not problems, "serious or critical accessibility problems:\n" + "\n".join(problems)
