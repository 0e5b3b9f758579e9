import Foundation
import Hummingbird
import Store
import Testing
import TestSupport
@testable import MingleApp

/// Times in the viewer's own zone (issue 14): taken from the browser once, kept in the account,
/// changeable; emails in the recipient's zone; a site default for visitors and the session form.
@Suite struct TimeZoneTests {
    static let host = "acme.mingle.test"

    /// A session on 14 May 2026 at 16:00 UTC, scheduled by acme's organizer.
    static func session(_ db: TestDatabase, _ acme: (tenant: TenantID, organizer: UserID, members: [UserID])) async throws -> UUID {
        let start = Date(timeIntervalSince1970: 1_778_774_400)
        return try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: start,
                                                             end: start.addingTimeInterval(3600))
    }

    static func storedZone(_ db: TestDatabase, _ username: String) async throws -> String? {
        try await db.owner.query("SELECT time_zone FROM users WHERE username = \(username)").first(String?.self) ?? nil
    }

    @Test func theAccountTakesTheBrowsersZoneOnceAndPagesShowTimesInIt() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let id = try await Self.session(db, acme).uuidString.lowercased()
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            web.setCookie("mingle_tz", "Asia%2FTokyo", host: Self.host)
            let first = try await web.get(TestApp.url("acme", "/sessions/\(id)"))
            web.setCookie("mingle_tz", "America%2FNew_York", host: Self.host)   // travelling: the account keeps its zone
            let later = try await web.get(TestApp.url("acme", "/sessions/\(id)"))
            // check
            #expect(try await Self.storedZone(db, "acme-member1") == "Asia/Tokyo")
            for page in [first, later] {
                #expect(page.contains("Friday 15 May 2026, 01:00–02:00 (Asia/Tokyo, UTC+09:00)"), "\(page.body)")
                #expect(page.contains("Times are shown in Asia/Tokyo, UTC+09:00."))
                #expect(page.contains(#"data-zone="Asia/Tokyo""#))
            }
        }
    }

    @Test func aBrowserInUTCIsStoredAndShownAsUTCNotFoundationsGMT() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            web.setCookie("mingle_tz", "UTC", host: Self.host)
            // act
            let page = try await web.get(TestApp.url("acme", "/account/time-zone"))
            // check
            #expect(try await Self.storedZone(db, "acme-member1") == "UTC")
            #expect(page.contains(#"data-zone="UTC""#) && page.contains(#"<option value="UTC" selected>"#))
        }
    }

    @Test func aVisitorWithoutAZoneSeesTheSitesDefaultAndAnUnknownCookieIsIgnored() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let id = try await Self.session(db, acme).uuidString.lowercased()
            try await db.owner.query("UPDATE tenants SET time_zone = 'Europe/Paris' WHERE id = \(acme.tenant)")
            try await TestApp.signIn(&web, "acme-member2", tenant: "acme")
            // act
            web.setCookie("mingle_tz", "Mars%2FOlympus_Mons", host: Self.host)
            let page = try await web.get(TestApp.url("acme", "/sessions/\(id)"))
            // check
            #expect(page.contains("Thursday 14 May 2026, 18:00–19:00 (Europe/Paris, UTC+02:00)"), "\(page.body)")
            #expect(try await Self.storedZone(db, "acme-member2") == nil)
        }
    }

    @Test func aChosenZoneIsKeptAndAnUnknownOneIsRefusedBesideTheField() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let url = TestApp.url("acme", "/account/time-zone")
            // act
            let saved = try await web.post(url, [("time_zone", "America/Sao_Paulo")])
            let refused = try await web.post(url, [("time_zone", "Europe/Atlantis")])
            web.setCookie("mingle_tz", "Asia%2FTokyo", host: Self.host)
            let form = try await web.get(url)
            // check
            #expect(saved.status == .seeOther)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.contains(#"<p class="field-error" id="time_zone-error">Choose a time zone from the list.</p>"#))
            #expect(refused.contains(#"aria-invalid="true" aria-describedby="time_zone-error""#))
            #expect(try await Self.storedZone(db, "acme-member1") == "America/Sao_Paulo")
            #expect(form.contains(#"<option value="America/Sao_Paulo" selected>"#))
        }
    }

    @Test func sessionEmailsAndMessagesUseEachMembersOwnZone() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await db.owner.query("UPDATE users SET time_zone = 'Asia/Kolkata' WHERE username = 'acme-member1'")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act: Thursday 13 May 2027, 16:00 UTC
            let form = SessionSchedulingTests.form(start: Date(timeIntervalSince1970: 1_810_224_000), zone: "UTC")
            _ = try await web.post(TestApp.url("acme", "/organize/sessions"), form,
                                   formURL: TestApp.url("acme", "/organize/sessions/new"))
            let mails = try await SessionSchedulingTests.outbox(db)
            // check: member1 reads Kolkata time; member2 has no zone yet and reads the site's (UTC)
            let kolkata = try #require(mails.first { $0.to == "acme-member1@example.test" })
            let utcMail = try #require(mails.first { $0.to == "acme-member2@example.test" })
            #expect(kolkata.text.contains("Thursday 13 May 2027, 21:30–22:30 (Asia/Kolkata, UTC+05:30)"), "\(kolkata.text)")
            #expect(kolkata.subject == "Invitation: Spring mixer, Thu 13 May 2027, 21:30")
            #expect(utcMail.text.contains("Thursday 13 May 2027, 16:00–17:00 (UTC)"))
            let message = try await SessionSchedulingTests.messages(db, acme.tenant, to: acme.members[0])
            #expect(message.first?.contains("21:30–22:30 (Asia/Kolkata, UTC+05:30)") == true)
        }
    }

    @Test func theSitesZoneIsSetWithItsBrandingAndTheSessionFormStartsInIt() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let url = TestApp.url("acme", "/organize/branding")
            // act
            let bad = try await web.postMultipart(url, fields: [("title", String(repeating: "x", count: 81)), ("accent", "#123456"),
                                                                ("time_zone", "Nowhere/Else")], files: [], formURL: url)
            let saved = try await web.postMultipart(url, fields: [("title", "Acme"), ("accent", "#123456"),
                                                                  ("time_zone", "Europe/Lisbon")], files: [], formURL: url)
            let form = try await web.get(TestApp.url("acme", "/organize/sessions/new"))
            // check: both problems at once, each beside its field, the text kept
            #expect(bad.status == .unprocessableContent)
            #expect(bad.contains(#"id="title-error">The title-bar text can be at most 80 characters; this one has 81."#))
            #expect(bad.contains(#"id="time_zone-error">Choose a time zone for your site from the list."#))
            #expect(bad.contains(String(repeating: "x", count: 81)))
            #expect(saved.status == .seeOther)
            let zone = try await db.owner.query("SELECT time_zone FROM tenants WHERE id = \(acme.tenant)").first(String.self)
            #expect(zone == "Europe/Lisbon")
            #expect(form.contains(#"<option value="Europe/Lisbon" selected>"#))
        }
    }
}

/// The formatting the pages use: by hand, in a given zone.
@Suite struct LocalTimeFormatTests {
    let instant = Date(timeIntervalSince1970: 1_778_774_405)   // Thu 14 May 2026 16:00:05 UTC

    @Test func datesAndStampsAreWrittenInTheGivenZone() {
        let tokyo = LocalTime.zone("Asia/Tokyo")
        #expect(LocalTime.day(instant, in: tokyo) == "15 May 2026")
        #expect(LocalTime.dateTime(instant, in: tokyo) == "15 May 2026, 01:00")
        #expect(LocalTime.dateTime(instant, in: LocalTime.zone("UTC"), seconds: true) == "14 May 2026, 16:00:05")
        #expect(LocalTime.time(instant, in: LocalTime.zone("America/St_Johns")) == "13:30")
    }

    @Test func onlyKnownZoneNamesAreTaken() {
        #expect(LocalTime.known("Europe/Paris")?.identifier == "Europe/Paris")
        #expect(LocalTime.known("UTC") != nil && LocalTime.name(LocalTime.known("UTC")!) == "UTC")
        #expect(LocalTime.known("Asia/Kolkata") != nil)   // not in Foundation's list on Linux
        #expect(LocalTime.choices(selected: "Asia/Kolkata").contains("Asia/Kolkata"))
        for bad in [nil, "", "Mars/Base", "../../etc/passwd", "Europe/Paris\u{0}", "EST", "GMT+5", String(repeating: "A/", count: 40)] {
            #expect(LocalTime.known(bad) == nil, "\(bad ?? "nil")")
        }
        #expect(LocalTime.allZones.contains("America/Argentina/Buenos_Aires") && LocalTime.allZones.first == "Africa/Abidjan")
    }

    @Test func problemsAreKeptByFieldAndJoinedWhenOneFieldHasTwo() throws {
        var problems = FormProblems()
        problems.add("email", "Give a valid email address.")
        problems.add("username", "Taken.")
        problems.add("email", "It is in use.")
        let tree = try #require(try plainTree(problems))
        #expect(tree["any"] as? Bool == true)
        #expect(tree["email"] as? String == "Give a valid email address. It is in use.")
        #expect((tree["list"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["email", "username"])
        #expect(FormProblems().isEmpty && !problems.isEmpty && problems.messages.count == 2)
    }
}

/// A member's home: what is next, from the data (issue 14, "first steps").
@Suite struct MemberHomeTests {
    @Test func theHomeShowsTheNextSessionRequestsWaitingUnreadMessagesAndWhatTheProfileLacks() async throws {
        try await TestApp.run { db, web in
            // setup: a session ahead and one cancelled before it, a request to member1, a message, a section
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let soon = Date().addingTimeInterval(3 * 86_400)
            let cancelled = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Called off",
                                                                      start: soon - 3600, end: soon)
            _ = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Spring mixer",
                                                          start: soon, end: soon + 3600)
            _ = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Summer mixer",
                                                          start: soon + 86_400, end: soon + 90_000)
            try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("UPDATE live_sessions SET cancelled_at = now() WHERE id = \(cancelled)", logger: TestEnvironment.logger)
                try await c.query("""
                    INSERT INTO profile_sections (tenant_id, label, kind, position) VALUES (\(acme.tenant), 'Company', 'short_text', 1)
                    """, logger: TestEnvironment.logger)
            }
            var member2 = WebClient(web.client)
            try await TestApp.signIn(&member2, "acme-member2", tenant: "acme")
            _ = try await member2.post(TestApp.url("acme", "/people/acme-member1/connect"), [],
                                       formURL: TestApp.url("acme", "/people/acme-member1"))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let home = try await web.get(TestApp.url("acme", "/"))
            var guest = WebClient(web.client)
            let public_ = try await guest.get(TestApp.url("acme", "/"))
            // check
            #expect(home.contains("Spring mixer") && !home.contains("Called off"))
            #expect(home.contains("and 1 more session after it"))
            #expect(home.contains("1 person wants to connect with you."))
            #expect(home.contains("0 of 2 parts filled in") && home.contains("Still to add: a picture, Company."))
            #expect(public_.contains("/join") && !public_.contains("next-heading"))
        }
    }
}
