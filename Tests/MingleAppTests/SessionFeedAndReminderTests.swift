import Foundation
import Hummingbird
import PostgresNIO
import Store
import Testing
import TestSupport
@testable import MingleApp

/// The members' private calendar feeds, the reminder before a session, and an invitation as
/// it arrives through SMTP.
@Suite struct SessionFeedAndReminderTests {
    /// A session of `tenant` written as its organizer would, starting `after` seconds from now.
    @discardableResult
    static func session(_ db: TestDatabase, _ tenant: TenantID, organizer: UserID, title: String, after: TimeInterval,
                        cancelled: Bool = false) async throws -> UUID {
        let start = Date().addingTimeInterval(after)
        return try await db.app.withTenant(tenant, user: organizer) { tx in
            let id = try await tx.insertSpeedNetworkingSession(tenant: tenant, SpeedNetworkingSessionDraft(
                title: title, description: "", startsAt: start, endsAt: start.addingTimeInterval(3600), roundSeconds: 300,
                timeZone: "UTC", questionsJSON: "[]"), createdBy: organizer)
            if cancelled { _ = try await tx.cancelSpeedNetworkingSession(id) }
            return id
        }
    }

    static func feedPath(in page: Page) -> String? {
        guard let range = page.body.range(of: #"/calendar/[0-9a-f-]{36}/[A-Za-z0-9_-]{43}\.ics"#, options: .regularExpression) else { return nil }
        return String(page.body[range])
    }

    // MARK: feed

    @Test func theFeedAnswersItsOwnTokenOnItsOwnSiteAndNothingElse() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            let id = try await Self.session(db, acme.tenant, organizer: acme.organizer, title: "Feed me", after: 86_400)
            try await Self.session(db, acme.tenant, organizer: acme.organizer, title: "Called off", after: 90_000, cancelled: true)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let path = try #require(Self.feedPath(in: try await web.get(TestApp.url("acme", "/sessions"))))
            let otherMember = acme.members[1].uuidString.lowercased()
            let calendarApp = WebClient(web.client)  // no cookies
            func fetch(_ tenant: String, _ path: String) async throws -> Page {
                var client = calendarApp
                return try await client.get(TestApp.url(tenant, path))
            }
            let token = path.split(separator: "/")[2].dropLast(4)
            let flipped = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
            // act
            let good = try await fetch("acme", path)
            let wrongToken = try await fetch("acme", path.replacingOccurrences(of: String(token), with: flipped))
            let otherUser = try await fetch("acme", path.replacingOccurrences(of: acme.members[0].uuidString.lowercased(), with: otherMember))
            let otherHost = try await fetch("globex", path)
            let reset = try await web.post(TestApp.url("acme", "/calendar/reset"), [], formURL: TestApp.url("acme", "/sessions"))
            let newPath = try #require(Self.feedPath(in: try await web.get(TestApp.url("acme", "/sessions"))))
            let revoked = try await fetch("acme", path)
            let renewed = try await fetch("acme", newPath)
            try await db.app.withTenant(acme.tenant, user: acme.organizer) { try await $0.setMembershipStatus(user: acme.members[0], .suspended) }
            let suspended = try await fetch("acme", newPath)
            // check
            #expect(good.status == .ok && good.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(good.contains("METHOD:PUBLISH") && good.contains("UID:\(id.uuidString.lowercased())@acme.mingle.test"))
            #expect(good.contains("SUMMARY:Feed me") && good.contains("STATUS:CANCELLED"))
            let parsed = try CalendarParser.parse(good.body)
            #expect(parsed.method == "PUBLISH" && parsed.events.map { $0[1] } == ["Feed me", "Called off"])
            #expect(wrongToken.status == .notFound && otherUser.status == .notFound && otherHost.status == .notFound)
            #expect(!otherHost.contains("Feed me"))
            #expect(reset.status == .seeOther && newPath != path)
            #expect(revoked.status == .notFound && renewed.status == .ok)
            #expect(suspended.status == .notFound)
        }
    }

    // MARK: reminders

    @Test func aReminderCountsTheMinutesActuallyLeft() {
        // setup
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // act / check
        #expect(SessionAnnouncer.minutesLeft(until: start, now: start - 11 * 60 - 20) == 11)
        #expect(SessionAnnouncer.minutesLeft(until: start, now: start - 59 * 60 - 40) == 60)
        #expect(SessionAnnouncer.minutesLeft(until: start, now: start - 10) == 1)
        #expect(SessionAnnouncer.minutesLeft(until: start, now: start + 30) == 1)
    }

    @Test func theReminderGoesOutOnceEvenWhenTwoWorkersRunAtOnce() async throws {
        try await withTestDatabase { db in
            // setup: due sessions in two tenants, and three that are not due
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 3)
            let globex = try await fixtures.populatedTenant("globex", members: 1)
            let due = try await Self.session(db, acme.tenant, organizer: acme.organizer, title: "Soon", after: 30 * 60)
            let dueElsewhere = try await Self.session(db, globex.tenant, organizer: globex.organizer, title: "Also soon", after: 50 * 60)
            let later = try await Self.session(db, acme.tenant, organizer: acme.organizer, title: "Later", after: 3 * 3600)
            let off = try await Self.session(db, acme.tenant, organizer: acme.organizer, title: "Off", after: 20 * 60, cancelled: true)
            try await db.app.withTenant(acme.tenant, user: acme.organizer) { tx in
                for session in [due, later, off] {
                    for member in acme.members.prefix(2) { try await tx.recordInvitation(tenant: acme.tenant, session: session, user: member, sequence: 0) }
                }
                // acme-member2 is suspended below (no reminder); acme-member3 is invited to the due one only
                try await tx.recordInvitation(tenant: acme.tenant, session: due, user: acme.members[2], sequence: 0)
            }
            try await db.app.withTenant(acme.tenant, user: acme.organizer) { try await $0.setMembershipStatus(user: acme.members[1], .suspended) }
            try await db.app.withTenant(globex.tenant, user: globex.organizer) {
                try await $0.recordInvitation(tenant: globex.tenant, session: dueElsewhere, user: globex.members[0], sequence: 0)
            }
            let config = TestApp.configuration(db)
            let first = try await SessionReminderWorker(config: config, database: db.app, logger: TestEnvironment.logger, lead: .seconds(3600))
            let second = try await SessionReminderWorker(config: config, database: db.app, logger: TestEnvironment.logger, lead: .seconds(3600))
            // act
            async let a = first.sendDue()
            async let b = second.sendDue()
            let reminded = try await a + b
            let again = try await first.sendDue()
            // check
            #expect(reminded == 2 && again == 0)
            let mails = try await db.owner.query("SELECT to_address, subject FROM outbox ORDER BY to_address").all((String, String).self)
            #expect(mails.map(\.0) == ["acme-member1@example.test", "acme-member3@example.test", "globex-member1@example.test"])
            // the time actually left (30 and 50 minutes), not the hour the reminder was planned for
            #expect(mails.map { $0.1.components(separatedBy: ": ")[0] } == ["Starting in 30 minutes", "Starting in 30 minutes", "Starting in 50 minutes"])
            let notices = try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("SELECT user_id, link FROM notifications ORDER BY user_id", logger: TestEnvironment.logger).all((UUID, String).self)
            }
            #expect(Set(notices.map(\.0)) == [acme.members[0], acme.members[2]] && notices.count == 2)
            #expect(notices.allSatisfy { $0.1 == "/sessions/\(due.uuidString.lowercased())" })
            let sentFlags = try await db.app.withTenant(acme.tenant) { tx in
                try await [due, later, off].asyncMap { try await tx.speedNetworkingSession($0)?.reminderSentAt != nil }
            }
            #expect(sentFlags == [true, false, false])
        }
    }

    // MARK: through SMTP

    @Test func anInvitationArrivesAsMultipartMailWithACalendarPart() async throws {
        let smtp = try #require(TestApp.smtpSettings, "MINGLE_TEST_SMTP_URL is not set")
        try await TestApp.run(smtp: smtp) { db, web in
            // setup: a member with an address no other test writes to
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 1)
            let address = "ics-\(UUID().uuidString.lowercased())@example.test"
            let member = try await fixtures.user("icsreader", email: address)
            try await fixtures.membership(acme.tenant, member)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let saved = try await web.post(SessionSchedulingTests.createURL, SessionSchedulingTests.form(title: "Über-mixer, v2"),
                                           formURL: SessionSchedulingTests.newURL)
            let raw = try await TestMailbox.message(to: address)
            // check
            #expect(saved.status == .seeOther)
            let id = try #require(try await SessionSchedulingTests.sessions(db, acme.tenant).first?.id.uuidString.lowercased())
            #expect(raw.contains("Content-Type: multipart/mixed; boundary="))
            #expect(raw.contains("Content-Type: multipart/alternative; boundary="))
            #expect(raw.contains("Content-Type: text/calendar; method=REQUEST; charset=UTF-8; name=\"invite.ics\""))
            let calendar = try #require(Self.calendarPart(raw))
            let parsed = try CalendarParser.parse(calendar)
            #expect(parsed.method == "REQUEST" && parsed.events == [["\(id)@acme.mingle.test", "Über-mixer, v2", "0", "CONFIRMED"]])
            #expect(TestMailbox.plainText(raw).contains("/sessions/\(id)"))
        }
    }

    /// The decoded text/calendar part of a raw message.
    static func calendarPart(_ raw: String) -> String? {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let header = normalized.range(of: "Content-Type: text/calendar"),
              let blank = normalized.range(of: "\n\n", range: header.upperBound..<normalized.endIndex) else { return nil }
        let encoded = normalized[blank.upperBound...].prefix { $0 != "-" }.split(separator: "\n").prefix { !$0.isEmpty }.joined()
        return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
