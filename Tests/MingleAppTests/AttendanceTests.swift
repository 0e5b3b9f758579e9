import Foundation
import Hummingbird
import PostgresNIO
import RealTime
import Reports
import SpeedNetworking
import Store
import Testing
import TestSupport
@testable import MingleApp

/// Attendance (issue 14): invitations recorded when a session is announced, the emailed links
/// that answer them (opening records a read receipt, answering takes a POST), a signed-in
/// member's answer, the time people spent in the live room, and the organizer's page and CSV.
@Suite struct AttendanceTests {
    typealias Scheduling = SessionSchedulingTests

    /// An acme organizer signed in who scheduled "Spring mixer" (two members invited); globex too.
    static func scheduled(_ db: TestDatabase, _ web: inout WebClient) async throws
        -> (acme: (tenant: TenantID, organizer: UserID, members: [UserID]), session: SpeedNetworkingSessionRecord,
            globex: (tenant: TenantID, organizer: UserID, members: [UserID])) {
        let (acme, _, globex) = try await Scheduling.community(db, &web)
        let saved = try await web.post(Scheduling.createURL, Scheduling.form(), formURL: Scheduling.newURL)
        guard saved.status == .seeOther, let session = try await Scheduling.sessions(db, acme.tenant).first else {
            throw TestSetupError("scheduling failed: \(saved.status)")
        }
        return (acme, session, globex)
    }

    /// The invitation link in the email to `to` (its own token), as a path.
    static func link(_ db: TestDatabase, to: String) async throws -> String {
        let mail = try #require(try await Scheduling.outbox(db).first { $0.to == to })
        let pattern = #"http://acme\.mingle\.test(:\d+)?(/sessions/[0-9a-f-]{36}/invitation/[A-Za-z0-9_-]{43})"#
        let match = try #require(mail.text.firstMatch(of: try Regex(pattern)))
        return String(try #require(match.output[2].substring))
    }

    struct Invitation: Sendable, Equatable {
        var opened: Bool
        var answer: String?
        var invitedAt: Date?
    }

    static func invitation(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> Invitation? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT opened_at IS NOT NULL, answer, invited_at FROM live_session_invitations WHERE user_id = \(user)",
                              logger: TestEnvironment.logger).first((Bool, String?, Date?).self)
                .map { Invitation(opened: $0.0, answer: $0.1, invitedAt: $0.2) }
        }
    }

    static func attendanceURL(_ session: SpeedNetworkingSessionRecord, csv: Bool = false) -> String {
        TestApp.url("acme", "/organize/sessions/\(session.id.uuidString.lowercased())/attendance\(csv ? ".csv" : "")")
    }

    // MARK: invitations and their links

    @Test func announcingRecordsAnInvitationPerMemberAndMailsEachTheirOwnAnswerLinks() async throws {
        try await TestApp.run { db, web in
            // setup / act
            let (acme, session, _) = try await Self.scheduled(db, &web)
            // check
            for member in acme.members {
                let invitation = try #require(try await Self.invitation(db, acme.tenant, member))
                #expect(invitation.invitedAt != nil && !invitation.opened && invitation.answer == nil)
            }
            let mails = try await Scheduling.outbox(db)
            let one = try await Self.link(db, to: "acme-member1@example.test"), two = try await Self.link(db, to: "acme-member2@example.test")
            #expect(one != two && one.hasPrefix(session.path + "/invitation/"))
            for mail in mails {
                #expect(mail.text.contains("?answer=yes") && mail.text.contains("?answer=no"))
            }
            // Only hashes are stored: no token of a mail is in the table.
            let stored = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT encode(token_hash, 'escape'), length(token_hash) FROM live_invitation_links", logger: TestEnvironment.logger)
                    .all((String, Int).self)
            }
            #expect(stored.count == 2 && stored.allSatisfy { $0.1 == 32 })
            let token = String(one.split(separator: "/").last!)
            #expect(!stored.contains { $0.0.contains(token) })
        }
    }

    @Test func openingTheLinkRecordsThatItWasOpenedAndAsksBeforeAnswering() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.scheduled(db, &web)
            let link = try await Self.link(db, to: "acme-member1@example.test")
            var stranger = WebClient(web.client)
            // act
            let page = try await stranger.get(TestApp.url("acme", link + "?answer=yes"))
            // check
            #expect(page.status == .ok && page.contains("Spring mixer") && page.contains("Yes, I’ll come"))
            #expect(!page.contains("Can’t come</button>"), "one button only")
            let invitation = try await Self.invitation(db, acme.tenant, acme.members[0])
            #expect(invitation?.opened == true && invitation?.answer == nil)
            #expect(stranger.cookie("mingle_session", host: "acme.mingle.test") == nil, "nobody is signed in by a link")
            #expect(try await Self.invitation(db, acme.tenant, acme.members[1])?.opened == false)
        }
    }

    @Test func answeringByLinkTakesThePostNotTheGet() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, session, _) = try await Self.scheduled(db, &web)
            let link = try await Self.link(db, to: "acme-member1@example.test")
            var stranger = WebClient(web.client)
            // act
            _ = try await stranger.get(TestApp.url("acme", link + "?answer=yes"))
            let afterGet = try await Self.invitation(db, acme.tenant, acme.members[0])?.answer
            let posted = try await stranger.post(TestApp.url("acme", link), [("answer", "yes")], formURL: TestApp.url("acme", link + "?answer=yes"))
            let after = try await stranger.get(TestApp.url("acme", link))
            let attendance = try await web.get(Self.attendanceURL(session))
            let list = try await web.get(Scheduling.createURL)
            // check
            #expect(afterGet == nil)
            #expect(posted.status == .seeOther && posted.location == link)
            #expect(try await Self.invitation(db, acme.tenant, acme.members[0])?.answer == "yes")
            #expect(after.contains("You said you’ll come."))
            #expect(stranger.cookie("mingle_session", host: "acme.mingle.test") == nil)
            #expect(attendance.status == .ok && attendance.contains("Acme-Member1 Tester") && attendance.contains(">Coming</span>"))
            #expect(list.contains("1 coming · 0 can’t come · 2 invited"))
        }
    }

    @Test func aWrongForeignOrMismatchedTokenIsNotFound() async throws {
        try await TestApp.run { db, web in
            // setup
            let (_, session, globex) = try await Self.scheduled(db, &web)
            let link = try await Self.link(db, to: "acme-member1@example.test")
            let token = String(link.split(separator: "/").last!)
            let otherSession = try await Fixtures(db).speedNetworkingSession(
                globex.tenant, createdBy: globex.organizer, start: session.startsAt, end: session.endsAt)
            var stranger = WebClient(web.client)
            let form = TestApp.url("acme", link)
            let csrf = try await stranger.get(form).csrf
            // act
            let answers: [(String, Page)] = [
                ("made-up token", try await stranger.get(TestApp.url("acme", session.path + "/invitation/" + Tokens.random()))),
                ("malformed token", try await stranger.get(TestApp.url("acme", session.path + "/invitation/abc"))),
                ("on globex's host", try await stranger.get(TestApp.url("globex", link))),
                ("another session", try await stranger.get(TestApp.url("acme", "/sessions/\(otherSession.uuidString.lowercased())/invitation/\(token)"))),
                ("post made-up", try await stranger.post(TestApp.url("acme", session.path + "/invitation/" + Tokens.random()), [("answer", "yes")], csrf: csrf)),
            ]
            // check
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
        }
    }

    @Test func aSignedInMemberAnswersOnTheSessionPageAndMayChangeTheirMind() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, session, _) = try await Self.scheduled(db, &web)
            var member = WebClient(web.client)
            try await TestApp.signIn(&member, "acme-member2", tenant: "acme")
            let page = TestApp.url("acme", session.path)
            // act
            let before = try await member.get(page)
            let no = try await member.post(page + "/answer", [("answer", "no")], formURL: page)
            let saysNo = try await member.get(page)
            _ = try await member.post(page + "/answer", [("answer", "yes")], formURL: page)
            let saysYes = try await member.get(page)
            // check
            #expect(before.contains("Will you come?") && before.contains("aria-pressed=\"false\">I’ll come"))
            #expect(no.status == .seeOther)
            #expect(saysNo.contains("You said you can’t come.") && saysNo.contains("you’re down as not coming"))
            #expect(saysYes.contains("You said you’ll come."))
            let invitation = try await Self.invitation(db, acme.tenant, acme.members[1])
            #expect(invitation?.answer == "yes" && invitation?.opened == true)
        }
    }

    @Test func answersCloseWhenTheSessionEnds() async throws {
        try await TestApp.run { db, web in
            // setup: a session that ended an hour ago, with member1 invited
            let (acme, _, _) = try await Scheduling.community(db, &web)
            let end = Date().addingTimeInterval(-3600)
            let past = try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: end - 1800, end: end)
            try await db.app.withTenant(acme.tenant) { try await $0.recordInvitation(tenant: acme.tenant, session: past, user: acme.members[0], sequence: 0) }
            var member = WebClient(web.client)
            try await TestApp.signIn(&member, "acme-member1", tenant: "acme")
            let page = TestApp.url("acme", "/sessions/\(past.uuidString.lowercased())")
            // act
            let shown = try await member.get(page)
            let refused = try await member.post(page + "/answer", [("answer", "yes")], csrf: shown.csrf)
            // check
            #expect(shown.contains("answers are closed") && !shown.contains("name=\"answer\""))
            #expect(refused.status == .seeOther)
            #expect(try await Self.invitation(db, acme.tenant, acme.members[0])?.answer == nil)
        }
    }

    // MARK: the organizer's view

    @Test func theAttendancePageAndCSVShowWhoCameForHowLongAndInHowManyRounds() async throws {
        try await TestApp.run { db, web in
            // setup: a session that ran: member1 came twice (two windows overlapping), talked in round 1; member2 said no
            let (acme, _, _) = try await Scheduling.community(db, &web)
            let start = Date().addingTimeInterval(-7200)
            let id = try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Winter warm-up",
                                                                   start: start, end: start + 3600)
            let store = PostgresSpeedNetworkingStore(database: db.app, tenant: acme.tenant)
            let one = Participant(id: acme.members[0], name: "One", isOrganizer: false)
            let (a, b) = (UUID(), UUID())
            try await store.recordAttendance(session: id, user: one, visit: a, at: start)
            try await store.recordAttendance(session: id, user: one, visit: b, at: start + 600)
            try await store.recordLeaving(session: id, visit: a, at: start + 1200)
            try await store.recordLeaving(session: id, visit: b, at: start + 1500)
            let organizer = Participant(id: acme.organizer, name: "Olivia", isOrganizer: true)
            try await store.recordAttendance(session: id, user: organizer, visit: UUID(), at: start)
            try await db.app.withTenant(acme.tenant) { tx in
                for member in acme.members { try await tx.recordInvitation(tenant: acme.tenant, session: id, user: member, sequence: 0) }
                _ = try await tx.answerInvitation(session: id, user: acme.members[1], .no)
            }
            _ = try await Fixtures(db).pairing(acme.tenant, session: id, acme.members[0], acme.organizer, round: 1, startedAt: start + 60,
                                               withOrganizer: true)
            let url = TestApp.url("acme", "/organize/sessions/\(id.uuidString.lowercased())/attendance")
            // act
            let page = try await web.get(url)
            let csv = try await web.get(url + ".csv")
            // check
            #expect(page.status == .ok && page.contains("Winter warm-up"))
            #expect(page.contains("<dt>Invited</dt><dd>2</dd>") && page.contains("<dt>Came to the room</dt><dd>1</dd>"))
            #expect(page.contains("<dt>Took part in rounds</dt><dd>1</dd>") && page.contains("<dt>Can’t come</dt><dd>1"))
            #expect(page.contains("25 min") && page.body.components(separatedBy: "<th scope=\"row\">").count == 3, "two members, no organizer")
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = String(decoding: csv.bytes.drop(while: { $0 != UInt8(ascii: "N") }), as: UTF8.self)
                .components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "Name,Username,Invited,Opened the invitation,Answer,Answered,Minutes in the room,Rounds,Conversations")
            #expect(lines.count == 3)
            #expect(lines[1].hasPrefix("Acme-Member1 Tester,acme-member1,") && lines[1].hasSuffix(",,,25,1,1"))
            #expect(lines[2].hasPrefix("Acme-Member2 Tester,acme-member2,") && lines[2].contains(",Can’t come,") && lines[2].hasSuffix(",,0,0"))
        }
    }

    @Test func anotherTenantsSessionHasNoAttendanceHere() async throws {
        try await TestApp.run { db, web in
            // setup
            let (_, _, globex) = try await Scheduling.community(db, &web)
            let theirs = try await Fixtures(db).speedNetworkingSession(globex.tenant, createdBy: globex.organizer,
                                                                       start: Date() + 86_400, end: Date() + 90_000)
            let path = "/organize/sessions/\(theirs.uuidString.lowercased())/attendance"
            // act
            let answers = [("page", try await web.get(TestApp.url("acme", path))), ("csv", try await web.get(TestApp.url("acme", path + ".csv"))),
                           ("made-up", try await web.get(TestApp.url("acme", "/organize/sessions/\(UUID())/attendance")))]
            // check
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
        }
    }

    @Test func aSessionNobodyWasInvitedToSaysSo() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Scheduling.community(db, &web)
            let id = try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: Date() + 86_400, end: Date() + 90_000)
            // act
            let page = try await web.get(TestApp.url("acme", "/organize/sessions/\(id.uuidString.lowercased())/attendance"))
            // check
            #expect(page.status == .ok && page.contains("Nobody has been invited to this session yet.") && !page.contains("<table"))
        }
    }

    // MARK: time in the room

    @Test func theEngineOpensAVisitPerPageAndClosesItWhenThePageLeavesOrTheRoomCloses() async throws {
        try await withTestDatabase { db in
            // setup
            let run = try await EngineOnPostgres(db, members: 2, length: 60)
            let (first, _) = try await run.engine.enter(run.members[0])
            run.clock.set(run.start + 5)
            _ = try await run.engine.enter(run.members[0])
            _ = try await run.engine.enter(run.members[1])
            // act
            run.clock.set(run.start + 30)
            await run.engine.leave(first)
            run.clock.set(run.start + 200)  // past the end and the teardown: the room closes
            try await run.engine.tick()
            // check
            let record = try await db.app.withTenant(run.acme.tenant) { try await $0.sessionAttendance(session: run.session) }
            let visits = record.visits.sorted { $0.enteredAt < $1.enteredAt }
            #expect(visits.count == 3 && visits.allSatisfy { $0.leftAt != nil })
            let closes = run.start + 70
            #expect(visits.filter { $0.user == run.members[0].id }.map(\.leftAt) == [run.start + 30, closes])
            #expect(visits.first { $0.user == run.members[1].id }?.leftAt == closes)
            #expect(RoomTime.seconds(visits.filter { $0.user == run.members[0].id }, until: closes) == 80)
        }
    }

    @Test func aRestartedEngineEndsTheVisitsOfPagesThatNeverSaidGoodbye() async throws {
        try await withTestDatabase { db in
            // setup: a page entered, then the server "crashed" (no leave)
            let run = try await EngineOnPostgres(db, members: 2, length: 600)
            _ = try await run.engine.enter(run.members[0])
            run.clock.set(run.start + 40)
            // act
            let again = try #require(try await SpeedNetworkingEngine.load(
                ActivityKey(tenant: run.acme.tenant, kind: .speedNetworking, id: run.session), store: run.store, clock: run.clock,
                timings: EngineOnPostgres.timings))
            // check
            _ = again
            let record = try await db.app.withTenant(run.acme.tenant) { try await $0.sessionAttendance(session: run.session) }
            #expect(record.visits.map(\.leftAt) == [run.start + 40])
        }
    }

    @Test func roomTimeMergesOverlappingVisitsAndCountsAnOpenOneOnlyUntilTheCutOff() {
        // setup
        let t = Date(timeIntervalSince1970: 1_900_000_000), me = UUID()
        let visits = [RoomVisitRecord(user: me, enteredAt: t, leftAt: t + 600),
                      RoomVisitRecord(user: me, enteredAt: t + 300, leftAt: t + 900),   // a second window
                      RoomVisitRecord(user: me, enteredAt: t + 1200, leftAt: t + 1260),
                      RoomVisitRecord(user: me, enteredAt: t + 1800, leftAt: nil)]     // never closed
        // act / check
        #expect(RoomTime.seconds(visits, until: t + 2400) == 900 + 60 + 600)
        #expect(RoomTime.seconds(visits, until: t + 1000) == 900)
        #expect(RoomTime.seconds([], until: t) == 0)
        #expect(RoomTime.minutes(89) == 1 && RoomTime.minutes(29) == 0)
    }

    @Test func membersAreListedCameFirstThenComingThenUnansweredThenNotComing() {
        // setup
        let t = Date(timeIntervalSince1970: 1_900_000_000), session = UUID()
        func person(_ name: String, _ answer: InvitationAnswer?, role: Role = .member) -> AttendeeRecord {
            AttendeeRecord(user: UserRecord(id: UUID(), username: name.lowercased(), email: "", firstName: name, lastName: "", isPlatformAdmin: false),
                           role: role, invitation: InvitationRecord(session: session, user: UUID(), invitedAt: t, openedAt: nil,
                                                                    answer: answer, answeredAt: answer == nil ? nil : t),
                           firstEnteredAt: nil)
        }
        var came = person("Zoe", .no)
        came.firstEnteredAt = t
        let people = [person("Bea", .no), person("Cy", nil), person("Al", .yes), came, person("Olivia", nil, role: .organizer), person("Ann", nil)]
        let record = SessionAttendanceRecord(people: people, visits: [RoomVisitRecord(user: came.user.id, enteredAt: t, leftAt: t + 120)], pairings: [])
        // act
        let entries = AttendanceEntry.list(record, until: t + 3600)
        let model = AttendanceModel(session: SpeedNetworkingSessionRecord(
            id: session, title: "S", description: "", startsAt: t, endsAt: t + 3600, roundSeconds: 300, graceSeconds: 60, leadSeconds: 900,
            teardownSeconds: 900, timeZone: "UTC", questionsJSON: "[]", createdBy: UUID(), sequence: 0, cancelledAt: nil, reminderSentAt: nil,
            availableOrganizer: nil, createdAt: t, updatedAt: t), entries: entries, now: t + 7200, zone: TimeZone(identifier: "UTC")!)
        // check
        #expect(entries.map(\.name) == ["Zoe", "Al", "Ann", "Cy", "Bea"])
        #expect(model.rows.first?.time == "2 min" && model.rows.last?.time == "—")
        #expect(model.figures.map(\.value) == [5, 0, 1, 2, 1, 0])
    }
}
