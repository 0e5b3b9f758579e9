import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Store
import Testing
import TestSupport
@testable import MingleApp

/// Scheduling live sessions in the organizer portal: who is told what (message, email with an
/// iCalendar invitation), updates and cancellations, and forms that are refused whole.
@Suite struct SessionSchedulingTests {
    static let newURL = TestApp.url("acme", "/organize/sessions/new")
    static let createURL = TestApp.url("acme", "/organize/sessions")

    /// `date` as a `datetime-local` value in UTC.
    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }

    /// Whole minutes, two days ahead: a start that is valid whatever the test's timing.
    static let start = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + 2 * 86_400) / 60).rounded(.down) * 60)

    static func form(title: String = "Spring mixer", start: Date = Self.start, minutes: Int = 60, round: String = "5",
                     zone: String = "UTC", questions: [(String, String)] = [("would-connect", "2"), ("conversation-quality", "1")],
                     description: String = "Bring a question.") -> [(String, String)] {
        var fields = [("title", title), ("description", description), ("time_zone", zone),
                      ("starts_at", local(start)), ("ends_at", local(start.addingTimeInterval(TimeInterval(minutes * 60)))),
                      ("round_minutes", round)]
        for (key, position) in questions {
            fields.append(("question", key))
            fields.append(("position-\(key)", position))
        }
        return fields
    }

    struct SentMail: Sendable {
        var to: String
        var subject: String
        var text: String
        var attachmentType: String?
        var attachment: String?
    }

    static func outbox(_ db: TestDatabase) async throws -> [SentMail] {
        try await db.owner.query("""
            SELECT to_address, subject, body_text, attachment_type, attachment_body FROM outbox ORDER BY created_at, to_address
            """).all((String, String, String, String?, String?).self)
            .map { SentMail(to: $0.0, subject: $0.1, text: $0.2, attachmentType: $0.3, attachment: $0.4) }
    }

    static func sessions(_ db: TestDatabase, _ tenant: TenantID) async throws -> [SpeedNetworkingSessionRecord] {
        try await db.app.withTenant(tenant) { try await $0.speedNetworkingSessions() }
    }

    /// The bodies of the messages `user` received, oldest first.
    static func messages(_ db: TestDatabase, _ tenant: TenantID, to user: UserID) async throws -> [String] {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                SELECT m.body FROM messages m JOIN conversation_members cm ON cm.conversation_id = m.conversation_id
                WHERE cm.user_id = \(user) AND m.sender_id <> \(user) ORDER BY m.id
                """, logger: TestEnvironment.logger).all(String.self)
        }
    }

    static func invitations(_ db: TestDatabase, _ tenant: TenantID) async throws -> [UserID: Int] {
        let rows = try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT user_id, sequence FROM live_session_invitations", logger: TestEnvironment.logger)
                .all((UUID, Int).self)
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    /// An acme organizer signed in, two active members, one suspended, and a second tenant.
    static func community(_ db: TestDatabase, _ web: inout WebClient) async throws -> (acme: (tenant: TenantID, organizer: UserID, members: [UserID]), suspended: UserID, globex: (tenant: TenantID, organizer: UserID, members: [UserID])) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme")
        let suspended = try await fixtures.user("acme-suspended")
        try await fixtures.membership(acme.tenant, suspended, status: .suspended)
        let globex = try await fixtures.populatedTenant("globex")
        try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
        return (acme, suspended, globex)
    }

    // MARK: scheduling

    @Test func linksInASessionsDescriptionAreClickableOnItsPageAndInItsEmail() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.community(db, &web)
            // act
            _ = try await web.post(Self.createURL, Self.form(description: "Agenda: https://example.com/agenda (read it) & <b>"), formURL: Self.newURL)
            let session = try #require(try await Self.sessions(db, acme.tenant).first)
            var member = WebClient(web.client)
            try await TestApp.signIn(&member, "acme-member1", tenant: "acme")
            let page = try await member.get(TestApp.url("acme", session.path))
            let html = try await db.owner.query("SELECT body_html FROM outbox WHERE to_address = 'acme-member1@example.test'").first(String.self)
            // check
            let link = #"<a href="https://example.com/agenda" rel="noopener nofollow" target="_blank">https://example.com/agenda</a> (read it) &amp; &lt;b&gt;"#
            #expect(page.contains(link))
            #expect(html?.contains(link) == true, "\(html ?? "no mail")")
        }
    }

    @Test func schedulingInvitesEveryActiveMemberByMessageAndEmailWithAnInvitation() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.community(db, &web)
            // act
            let saved = try await web.post(Self.createURL, Self.form(), formURL: Self.newURL)
            let list = try await web.get(Self.createURL)
            // check
            #expect(saved.status == .seeOther)
            let session = try #require(try await Self.sessions(db, acme.tenant).first)
            let id = session.id.uuidString.lowercased()
            #expect(session.title == "Spring mixer" && session.roundSeconds == 300 && session.sequence == 0)
            #expect(session.startsAt == Self.start && session.endsAt == Self.start.addingTimeInterval(3600))
            #expect(session.survey.map(\.key) == ["conversation-quality", "would-connect"])
            #expect(list.contains("Spring mixer") && list.contains("2 members were invited"))
            let mails = try await Self.outbox(db)
            #expect(mails.map(\.to).sorted() == ["acme-member1@example.test", "acme-member2@example.test"])
            for mail in mails {
                #expect(mail.subject.hasPrefix("Invitation: Spring mixer"))
                #expect(mail.text.contains("/sessions/\(id)"))
                #expect(mail.attachmentType == "text/calendar; method=REQUEST; charset=UTF-8")
                let ics = try #require(mail.attachment)
                #expect(ics.contains("METHOD:REQUEST\r\n") && ics.contains("UID:\(id)@acme.mingle.test\r\n"))
                #expect(ics.contains("SEQUENCE:0\r\n") && ics.contains("STATUS:CONFIRMED"))
                let parsed = try CalendarParser.parse(ics)
                #expect(parsed.method == "REQUEST")
                #expect(parsed.events.first == ["\(id)@acme.mingle.test", "Spring mixer", "0", "CONFIRMED"])
            }
            for member in acme.members {
                let received = try await Self.messages(db, acme.tenant, to: member)
                #expect(received.count == 1 && received[0].contains("“Spring mixer”") && received[0].contains("/sessions/\(id)"))
            }
            #expect(try await Self.invitations(db, acme.tenant) == [acme.members[0]: 0, acme.members[1]: 0])
        }
    }

    @Test func changingASessionBumpsTheSequenceAndSendsTheUpdatedInvitation() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.community(db, &web)
            _ = try await web.post(Self.createURL, Self.form(), formURL: Self.newURL)
            let id = try #require(try await Self.sessions(db, acme.tenant).first?.id.uuidString.lowercased())
            let editURL = TestApp.url("acme", "/organize/sessions/\(id)")
            let later = Self.start.addingTimeInterval(3600)
            // act
            let form = try await web.get(editURL)
            let saved = try await web.post(editURL, Self.form(title: "Spring mixer (moved)", start: later, zone: "Europe/Paris"))
            // check
            #expect(form.status == .ok && form.contains("value=\"Spring mixer\"") && form.contains("Save and send the updated invitation"))
            #expect(saved.status == .seeOther)
            let session = try #require(try await Self.sessions(db, acme.tenant).first)
            #expect(session.sequence == 1 && session.title == "Spring mixer (moved)" && session.timeZone == "Europe/Paris")
            // The form's wall-clock time was read in Paris: an hour or two before the same digits in UTC.
            let offset = TimeInterval(TimeZone(identifier: "Europe/Paris")!.secondsFromGMT(for: later))
            #expect(session.startsAt == later.addingTimeInterval(-offset))
            let updates = try await Self.outbox(db).filter { $0.subject.hasPrefix("Updated:") }
            #expect(updates.count == 2)
            for mail in updates {
                let ics = try #require(mail.attachment)
                #expect(ics.contains("METHOD:REQUEST\r\n") && ics.contains("SEQUENCE:1\r\n") && ics.contains("UID:\(id)@acme.mingle.test"))
                #expect(try CalendarParser.parse(ics).events.first?[2] == "1")
            }
            #expect(try await Self.invitations(db, acme.tenant).values.allSatisfy { $0 == 1 })
            #expect(try await Self.messages(db, acme.tenant, to: acme.members[0]).last?.contains("has changed") == true)
        }
    }

    @Test func cancellingSendsACancellationToEveryoneInvitedAndSaysSoInTheThread() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.community(db, &web)
            _ = try await web.post(Self.createURL, Self.form(), formURL: Self.newURL)
            let id = try #require(try await Self.sessions(db, acme.tenant).first?.id.uuidString.lowercased())
            let editURL = TestApp.url("acme", "/organize/sessions/\(id)")
            // act
            let cancelled = try await web.post(editURL + "/cancel", [], formURL: editURL)
            let again = try await web.post(editURL + "/cancel", [], formURL: editURL)
            let list = try await web.get(Self.createURL)
            // check
            #expect(cancelled.status == .seeOther)
            #expect(again.status == .conflict)
            let session = try #require(try await Self.sessions(db, acme.tenant).first)
            #expect(session.isCancelled && session.sequence == 1)
            #expect(list.contains("cancelled"))
            let cancels = try await Self.outbox(db).filter { $0.subject.hasPrefix("Cancelled:") }
            #expect(cancels.map(\.to).sorted() == ["acme-member1@example.test", "acme-member2@example.test"])
            for mail in cancels {
                #expect(mail.attachmentType == "text/calendar; method=CANCEL; charset=UTF-8")
                let parsed = try CalendarParser.parse(try #require(mail.attachment))
                #expect(parsed.method == "CANCEL" && parsed.events.first == ["\(id)@acme.mingle.test", "Spring mixer", "1", "CANCELLED"])
            }
            #expect(try await Self.messages(db, acme.tenant, to: acme.members[1]).last?.contains("is cancelled") == true)
            // a cancelled session can no longer be changed
            let edit = try await web.post(editURL, Self.form(title: "Back again"))
            let title = try await Self.sessions(db, acme.tenant).first?.title
            #expect(edit.status == .conflict && title == "Spring mixer")
        }
    }

    // MARK: refusals

    @Test(arguments: [
        ("end before start", SessionSchedulingTests.form(minutes: -30), "The session must end after it starts."),
        ("round does not fit", SessionSchedulingTests.form(minutes: 20, round: "30"), "must fit in the session"),
        ("round too long", SessionSchedulingTests.form(round: "61"), "from 1 to 60"),
        ("no questions", SessionSchedulingTests.form(questions: []), "Pick at least one survey question."),
        ("unknown question", SessionSchedulingTests.form(questions: [("made-up", "1")]), "no longer exists"),
        ("start in the past", SessionSchedulingTests.form(start: Date().addingTimeInterval(-7200)), "The start must be in the future."),
        ("unknown zone", SessionSchedulingTests.form(zone: "Mars/Olympus"), "Choose the time zone"),
        ("no title", SessionSchedulingTests.form(title: ""), "Give the session a title"),
    ])
    func aRefusedFormWritesNothingAndKeepsWhatWasTyped(_ label: String, _ fields: [(String, String)], _ message: String) async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Self.community(db, &web)
            let typed = fields.first { $0.0 == "description" }?.1 ?? ""
            // act
            let page = try await web.post(Self.createURL, fields, formURL: Self.newURL)
            // check
            #expect(page.status == .unprocessableContent, "\(label)")
            #expect(page.contains(message), "\(label): \(page.body.prefix(2000))")
            #expect(page.contains(typed), "\(label): the description is kept")
            #expect(try await Fixtures(db).countAcrossTenants("live_sessions") == 0)
            #expect(try await Fixtures(db).countAcrossTenants("live_session_invitations") == 0)
            #expect(try await Fixtures(db).countAcrossTenants("messages") == 0)
            #expect(try await Fixtures(db).count("outbox") == 0)
        }
    }

    @Test func aMemberWhoBecomesActiveLaterIsInvitedToTheSessionsAhead() async throws {
        try await TestApp.run { db, web in
            // setup: a session scheduled (and one cancelled) while a newcomer was still waiting
            // (free site, address confirmed); the suspended member comes back later.
            let (acme, suspended, _) = try await Self.community(db, &web)
            _ = try await web.post(Self.createURL, Self.form(), formURL: Self.newURL)
            _ = try await web.post(Self.createURL, Self.form(title: "Called off"), formURL: Self.newURL)
            let sessions = try await Self.sessions(db, acme.tenant)
            let session = try #require(sessions.first { $0.title == "Spring mixer" })
            let calledOff = try #require(sessions.first { $0.title == "Called off" })
            _ = try await web.post(TestApp.url("acme", "/organize/sessions/\(calledOff.id.uuidString.lowercased())/cancel"), [],
                                   formURL: TestApp.url("acme", "/organize/sessions/\(calledOff.id.uuidString.lowercased())"))
            let fixtures = Fixtures(db)
            let newcomer = try await fixtures.user("acme-newcomer")
            try await fixtures.membership(acme.tenant, newcomer, status: .awaitingPayment)
            let heldBy = { (user: UserID) in
                try await fixtures.inTenant(acme.tenant) { c in
                    try await c.query("SELECT session_id FROM live_session_invitations WHERE user_id = \(user)", logger: TestEnvironment.logger)
                        .all(UUID.self)
                }
            }
            let (before, suspendedBefore) = (try await heldBy(newcomer), try await heldBy(suspended))
            #expect(before.isEmpty && suspendedBefore.isEmpty)

            // act: the newcomer looks at their membership (a free site activates them); the
            // organizer reactivates the suspended member; the newcomer's page is read again.
            var person = WebClient(web.client)
            try await TestApp.signIn(&person, "acme-newcomer", tenant: "acme")
            let status = try await person.get(TestApp.url("acme", "/membership"))
            _ = try await web.post(TestApp.url("acme", "/organize/members/acme-suspended/reactivate"), [],
                                   formURL: TestApp.url("acme", "/organize/members/acme-suspended"))
            _ = try await person.get(TestApp.url("acme", "/membership"))

            // check: both hold an invitation to the session ahead (once), none to the cancelled one,
            // with the message and the email with its .ics.
            #expect(status.status == .ok)
            let (after, suspendedAfter) = (try await heldBy(newcomer), try await heldBy(suspended))
            #expect(after == [session.id] && suspendedAfter == [session.id])
            let mails = try await Self.outbox(db).filter { $0.to == "acme-newcomer@example.test" }
            #expect(mails.count == 1 && mails.first?.subject.hasPrefix("Invitation: Spring mixer") == true)
            #expect(mails.first?.attachment?.contains("UID:\(session.id.uuidString.lowercased())@acme.mingle.test") == true)
            let received = try await Self.messages(db, acme.tenant, to: newcomer)
            #expect(received.count == 1 && received[0].contains("“Spring mixer”"))
            #expect(try await Self.outbox(db).filter { $0.to == "acme-suspended@example.test" }.count == 1)
        }
    }

    @Test func ownQuestionsAreCheckedThenOfferedAndFrozenIntoTheSession() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, _) = try await Self.community(db, &web)
            let questionsURL = TestApp.url("acme", "/organize/questions")
            // act 1: a single choice with one option is refused
            let refused = try await web.post(questionsURL, [("prompt", "Which track?"), ("kind", "single_choice"),
                                                            ("options", "Only one"), ("required", "on")])
            // a rating cannot be a connect question
            let notAChoice = try await web.post(questionsURL, [("prompt", "Connect?"), ("kind", "rating"), ("low", "No"), ("high", "Yes"),
                                                               ("asks_to_connect", "on")])
            let nothing = try await Fixtures(db).countAcrossTenants("survey_questions")
            // act 2: a good one, marked as asking whether they want to connect
            let added = try await web.post(questionsURL, [("prompt", "Which track?"), ("kind", "single_choice"),
                                                          ("options", "Design\nEngineering\nSales"), ("required", "on"),
                                                          ("asks_to_connect", "on")])
            let key = try #require(try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT key FROM survey_questions", logger: TestEnvironment.logger).first(String.self)
            })
            let form = try await web.get(Self.newURL)
            let saved = try await web.post(Self.createURL, Self.form(questions: [("would-connect", "2"), (key, "1")]), formURL: Self.newURL)
            // check
            #expect(refused.status == .unprocessableContent && refused.contains("A single choice needs 2–10 options."))
            #expect(refused.contains("value=\"Which track?\""))
            #expect(nothing == 0)
            #expect(added.status == .seeOther)
            #expect(form.contains("Which track?") && form.contains("value=\"\(key)\""))
            #expect(saved.status == .seeOther)
            let survey = try #require(try await Self.sessions(db, acme.tenant).first?.survey)
            #expect(survey.map(\.key) == [key, "would-connect"])
            #expect(survey.first?.kind == .singleChoice(options: ["Design", "Engineering", "Sales"]))
            #expect(survey.first?.asksToConnect == true && survey.first?.connectAnswers == ["Design"])
            #expect(notAChoice.status == .unprocessableContent && notAChoice.contains("Only a question with one choice from a list"))
            let list = try await web.get(questionsURL)
            #expect(list.contains("asks whether they want to connect"))
        }
    }

    @Test func onceTheLobbyIsOpenASessionCanNoLongerBeChangedOrCancelled() async throws {
        try await TestApp.run { db, web in
            // setup: a session whose lobby opened (it starts in five minutes)
            let acme = try await Fixtures(db).populatedTenant("acme")
            let soon = Date().addingTimeInterval(300)
            let id = try await db.app.withTenant(acme.tenant, user: acme.organizer) { tx in
                try await tx.insertSpeedNetworkingSession(tenant: acme.tenant, SpeedNetworkingSessionDraft(
                    title: "Almost on", description: "", startsAt: soon, endsAt: soon.addingTimeInterval(1800),
                    roundSeconds: 300, timeZone: "UTC", questionsJSON: "[]"), createdBy: acme.organizer)
            }
            let editURL = TestApp.url("acme", "/organize/sessions/\(id.uuidString.lowercased())")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let page = try await web.get(editURL)
            let changed = try await web.post(editURL, Self.form(title: "Moved"), formURL: editURL)
            let cancelled = try await web.post(editURL + "/cancel", [], formURL: editURL)
            let list = try await web.get(Self.createURL)
            // check
            #expect(page.status == .ok && page.contains("can no longer be changed") && !page.contains("Save and send"))
            #expect(page.contains("href=\"/sessions/\(id.uuidString.lowercased())/live\""))
            #expect(changed.status == .conflict && cancelled.status == .conflict)
            #expect(list.contains("Open live room"))
            let session = try #require(try await Self.sessions(db, acme.tenant).first)
            #expect(session.title == "Almost on" && session.sequence == 0 && !session.isCancelled)
            #expect(try await Fixtures(db).count("outbox") == 0)
        }
    }

    // MARK: who may

    @Test func membersCannotUseTheOrganizerRoutes() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            _ = acme
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let token = try #require(try await web.get(TestApp.url("acme", "/sessions")).csrf)
            // act
            let list = try await web.get(Self.createURL)
            let created = try await web.post(Self.createURL, Self.form(), csrf: token)
            let question = try await web.post(TestApp.url("acme", "/organize/questions"),
                                              [("prompt", "Sneaky?"), ("kind", "free_text"), ("max_length", "10")], csrf: token)
            // check
            #expect(list.status == .forbidden && created.status == .forbidden && question.status == .forbidden)
            #expect(try await Fixtures(db).countAcrossTenants("live_sessions") == 0)
            #expect(try await Fixtures(db).countAcrossTenants("survey_questions") == 0)
        }
    }

    @Test func anotherTenantsSessionOrQuestionCannotBeChangedCancelledOrArchived() async throws {
        try await TestApp.run { db, web in
            // setup: globex has a session ahead and a question of its own
            let (acme, _, globex) = try await Self.community(db, &web)
            let fixtures = Fixtures(db)
            let theirs = try await fixtures.speedNetworkingSession(globex.tenant, createdBy: globex.organizer, title: "Globex mixer",
                                                                    start: Self.start, end: Self.start.addingTimeInterval(3600))
            let question = UUID()
            try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("""
                    INSERT INTO survey_questions (tenant_id, id, key, definition) VALUES (\(globex.tenant), \(question), 'own-globex', '{}')
                    """, logger: TestEnvironment.logger)
            }
            let before = try await Self.sessions(db, globex.tenant)
            // act: on acme's portal, each action on globex's rows, an unknown id and a malformed one
            let sessions = [theirs, UUID()].map { $0.uuidString.lowercased() } + ["nope"]
            let questions = [question, UUID()].map { $0.uuidString.lowercased() } + ["nope"]
            var answers: [(String, Page)] = []
            for id in sessions {
                let path = "/organize/sessions/\(id)"
                answers.append(("change \(id)", try await web.post(TestApp.url("acme", path), Self.form(title: "Taken over"), formURL: Self.createURL)))
                answers.append(("change badly \(id)", try await web.post(TestApp.url("acme", path), Self.form(title: ""), formURL: Self.createURL)))
                answers.append(("cancel \(id)", try await web.post(TestApp.url("acme", path + "/cancel"), [], formURL: Self.createURL)))
            }
            for id in questions {
                answers.append(("archive \(id)", try await web.post(TestApp.url("acme", "/organize/questions/\(id)/archive"), [],
                                                                   formURL: TestApp.url("acme", "/organize/questions"))))
            }
            // check: not found, never a flash; globex's session and question as they were, nobody told
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(answers.allSatisfy { $0.1.contains("There is no such") })
            #expect(try await Self.sessions(db, globex.tenant) == before)
            #expect(before.first?.title == "Globex mixer" && before.first?.isCancelled == false)
            let archived = try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("SELECT archived_at IS NOT NULL FROM survey_questions", logger: TestEnvironment.logger).all(Bool.self)
            }
            #expect(archived == [false])
            #expect(try await Self.sessions(db, acme.tenant).isEmpty)
            #expect(try await fixtures.count("outbox") == 0)
            #expect(try await fixtures.countAcrossTenants("messages") == 0)
        }
    }

    @Test func aSessionIsSeenOnlyOnItsOwnTenantsSite() async throws {
        try await TestApp.run { db, web in
            // setup: a session of acme whose lobby is open (it starts in five minutes)
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            let soon = Date().addingTimeInterval(300)
            let id = try await db.app.withTenant(acme.tenant, user: acme.organizer) { tx in
                try await tx.insertSpeedNetworkingSession(tenant: acme.tenant, SpeedNetworkingSessionDraft(
                    title: "Lobby open now", description: "", startsAt: soon, endsAt: soon.addingTimeInterval(1800),
                    roundSeconds: 300, timeZone: "UTC", questionsJSON: "[]"), createdBy: acme.organizer)
            }
            let path = "/sessions/\(id.uuidString.lowercased())"
            var outsider = WebClient(web.client)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            try await TestApp.signIn(&outsider, "globex-member1", tenant: "globex")
            // act
            let own = try await web.get(TestApp.url("acme", path))
            let list = try await web.get(TestApp.url("acme", "/sessions"))
            let foreign = try await outsider.get(TestApp.url("globex", path))
            let foreignList = try await outsider.get(TestApp.url("globex", "/sessions"))
            let download = try await web.get(TestApp.url("acme", path + "/calendar.ics"))
            let foreignDownload = try await outsider.get(TestApp.url("globex", path + "/calendar.ics"))
            // check
            #expect(own.status == .ok && own.contains("Lobby open now") && own.contains("lobby open"))
            #expect(own.contains("href=\"\(path)/live\"") && own.contains("Enter the live room"))
            #expect(list.contains("Lobby open now") && list.contains("Enter the live room"))
            #expect(foreign.status == .notFound && !foreign.contains("Lobby open now"))
            #expect(!foreignList.contains("Lobby open now"))
            #expect(download.status == .ok && download.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(download.contains("METHOD:PUBLISH") && download.contains("UID:\(id.uuidString.lowercased())@acme.mingle.test"))
            #expect(foreignDownload.status == .notFound)
        }
    }
}

/// Reads iCalendar text with Python's `icalendar` (as OutboundTests do): the method, and per
/// event UID, SUMMARY, SEQUENCE and STATUS.
enum CalendarParser {
    struct Parsed: Decodable {
        var method: String
        var events: [[String]]
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func parse(_ text: String) throws -> Parsed {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mingle-ics-\(UUID().uuidString).ics")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import icalendar, json, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            events = [[str(ev["UID"]), str(ev["SUMMARY"]), str(ev["SEQUENCE"]), str(ev["STATUS"])] for ev in cal.walk("VEVENT")]
            print(json.dumps({"method": str(cal["METHOD"]), "events": events}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 with the icalendar package could not parse the calendar:\n\(text)")
        }
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
