import Foundation
import Hummingbird
import PostgresNIO
import Store
import Testing
import TestSupport
@testable import MingleApp

/// Meetings around the room (issue 15): who may host, scheduling with invitations (message,
/// email with .ics), changes and cancellations, reminders, feeds, the list and its 404s.
@Suite struct MeetingTests {
    static let listURL = TestApp.url("acme", "/meetings")
    static let newURL = TestApp.url("acme", "/meetings/new")

    /// Whole minutes, two days ahead.
    static let start = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + 2 * 86_400) / 60).rounded(.down) * 60)

    static func form(title: String = "Board call", start: Date = Self.start, minutes: Int = 60, invite: String = "chosen",
                     invitees: [UserID] = [], cap: String = "25", description: String = "Agenda: https://example.com/agenda") -> [(String, String)] {
        var fields = [("title", title), ("description", description), ("time_zone", "UTC"),
                      ("starts_at", SessionSchedulingTests.local(start)),
                      ("ends_at", SessionSchedulingTests.local(start.addingTimeInterval(TimeInterval(minutes * 60)))),
                      ("waiting_room", "on"), ("participant_cap", cap), ("invite", invite), ("action", "save")]
        fields += invitees.map { ("invitee", $0.uuidString.lowercased()) }
        return fields
    }

    static func meetings(_ db: TestDatabase, _ tenant: TenantID) async throws -> [MeetingRecord] {
        try await db.app.withTenant(tenant) { try await $0.meetings(visibleTo: UUID(), everything: true, endingAfter: .distantPast) }
    }

    /// A meeting of `tenant` hosted by `host`, written directly, from `start` for an hour; `invited` by name.
    @discardableResult
    static func meeting(_ db: TestDatabase, _ tenant: TenantID, host: UserID, _ title: String, start: Date = Self.start,
                        invited: [UserID] = []) async throws -> MeetingRecord {
        try await db.app.withTenant(tenant, user: host) { tx in
            let meeting = try await tx.createMeeting(tenant: tenant, host: host, linkToken: Tokens.meetingLink(),
                                                     MeetingDraft(title: title, description: "", startsAt: start,
                                                                  endsAt: start.addingTimeInterval(3600), timeZone: "UTC"))
            for user in invited { try await tx.recordMeetingInvitation(tenant: tenant, meeting: meeting.id, user: user, sequence: 0) }
            return meeting
        }
    }

    static func invitations(_ db: TestDatabase, _ tenant: TenantID) async throws -> [UserID: Int] {
        let rows = try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT user_id, sequence FROM meeting_invitations", logger: TestEnvironment.logger).all((UUID, Int).self)
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    /// acme with an organizer and three members (the third suspended), globex beside it.
    static func community(_ db: TestDatabase) async throws -> (acme: (tenant: TenantID, organizer: UserID, members: [UserID]),
                                                                globex: (tenant: TenantID, organizer: UserID, members: [UserID])) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme", members: 3)
        try await db.app.withTenant(acme.tenant, user: acme.organizer) { try await $0.setMembershipStatus(user: acme.members[2], .suspended) }
        return (acme, try await fixtures.populatedTenant("globex"))
    }

    static func signedIn(_ web: WebClient, _ username: String, tenant: String = "acme") async throws -> WebClient {
        var client = WebClient(web.client)
        try await TestApp.signIn(&client, username, tenant: tenant)
        return client
    }

    // MARK: who hosts

    @Test func anOrganizerSchedulesAMeetingAndTheChosenAreInvitedByMessageAndEmail() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let saved = try await web.post(Self.listURL, Self.form(invitees: [acme.members[0]]), formURL: Self.newURL)
            // check
            let meeting = try #require(try await Self.meetings(db, acme.tenant).first)
            #expect(saved.status == .seeOther && saved.location == meeting.path)
            #expect(meeting.createdBy == acme.organizer && meeting.title == "Board call" && meeting.sequence == 0)
            #expect(meeting.waitingRoom && !meeting.guestsAllowed && meeting.participantCap == 25 && !meeting.inviteAll)
            #expect(meeting.linkToken.count == 24 && meeting.endsAt.timeIntervalSince(meeting.startsAt) == 3600)
            #expect(try await Self.invitations(db, acme.tenant) == [acme.members[0]: 0])
            let mails = try await SessionSchedulingTests.outbox(db)
            #expect(mails.map(\.to) == ["acme-member1@example.test"])
            let mail = try #require(mails.first)
            #expect(mail.subject.hasPrefix("Invitation: Board call"))
            #expect(mail.text.contains("http://acme.\(TestApp.rootHost)/m/\(meeting.linkToken)"))
            #expect(mail.attachmentType == "text/calendar; method=REQUEST; charset=UTF-8")
            let ics = try CalendarParser.parse(try #require(mail.attachment))
            #expect(ics.method == "REQUEST" && ics.events == [["\(meeting.id.uuidString.lowercased())@acme.mingle.test", "Board call", "0", "CONFIRMED"]])
            let unfolded = (mail.attachment ?? "").replacingOccurrences(of: "\r\n ", with: "")
            #expect(unfolded.contains("Join the meeting: http://acme.\(TestApp.rootHost)/m/\(meeting.linkToken)"))
            let html = try await db.owner.query("SELECT body_html FROM outbox").first(String.self) ?? ""
            #expect(html.contains(#"href="http://acme.\#(TestApp.rootHost)/m/\#(meeting.linkToken)""#) && html.contains("Join the meeting"))
            let messages = try await SessionSchedulingTests.messages(db, acme.tenant, to: acme.members[0])
            #expect(messages.count == 1 && messages[0].contains("/m/\(meeting.linkToken)"))
            #expect(try await SessionSchedulingTests.messages(db, acme.tenant, to: acme.members[1]).isEmpty)
        }
    }

    @Test func aMemberIsRefusedUntilTheOrganizerLetsMembersHost() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            var member = try await Self.signedIn(web, "acme-member1")
            // act
            let formBefore = try await member.get(Self.newURL)
            let listBefore = try await member.get(Self.listURL)
            let postBefore = try await member.post(Self.listURL, Self.form(), formURL: Self.listURL)
            let startBefore = try await member.post(TestApp.url("acme", "/meetings/start"), [], formURL: Self.listURL)
            let countBefore = try await Self.meetings(db, acme.tenant).count
            let allow = try await web.post(TestApp.url("acme", "/organize/membership/meetings"), [("members_may_host", "on")],
                                           formURL: TestApp.url("acme", "/organize/membership"))
            let settings = try await web.get(TestApp.url("acme", "/organize/membership"))
            let listAfter = try await member.get(Self.listURL)
            let postAfter = try await member.post(Self.listURL, Self.form(invitees: [acme.members[1]]), formURL: Self.newURL)
            let forbid = try await web.post(TestApp.url("acme", "/organize/membership/meetings"), [],
                                            formURL: TestApp.url("acme", "/organize/membership"))
            let postForbidden = try await member.post(Self.listURL, Self.form(title: "Again"), formURL: Self.listURL)
            // check
            #expect(formBefore.status == .forbidden && postBefore.status == .forbidden && startBefore.status == .forbidden && countBefore == 0)
            #expect(!listBefore.contains("Schedule a meeting") && listBefore.contains("You are not invited to any meeting yet"))
            #expect(allow.status == .seeOther && settings.contains(#"name="members_may_host" checked"#))
            #expect(listAfter.contains("Schedule a meeting") && listAfter.contains("Start a meeting now"))
            #expect(postAfter.status == .seeOther)
            #expect(forbid.status == .seeOther && postForbidden.status == .forbidden)
            let meetings = try await Self.meetings(db, acme.tenant)
            #expect(meetings.map(\.createdBy) == [acme.members[0]])
            // the member hosts the meeting they made and manages it; the organizer manages it too
            let mine = try await member.get(TestApp.url("acme", meetings[0].path))
            let organizers = try await web.get(TestApp.url("acme", meetings[0].path))
            #expect(mine.contains("Cancel “Board call”") && organizers.contains("Cancel “Board call”"))
        }
    }

    @Test func startNowMakesAMeetingOfAnHourAndGoesToItsRoom() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let before = Date()
            // act
            let started = try await web.post(TestApp.url("acme", "/meetings/start"), [("title", "Quick sync")], formURL: Self.listURL)
            // check
            let meeting = try #require(try await Self.meetings(db, acme.tenant).first)
            #expect(started.status == .seeOther && started.location == "/m/\(meeting.linkToken)")
            #expect(meeting.title == "Quick sync" && abs(meeting.startsAt.timeIntervalSince(before)) < 60)
            #expect(meeting.endsAt.timeIntervalSince(meeting.startsAt) == 3600 && meeting.timeZone == "UTC")
            #expect(try await SessionSchedulingTests.outbox(db).isEmpty)
            let list = try await web.get(Self.listURL)
            #expect(list.contains("Quick sync") && list.contains(#"href="/m/\#(meeting.linkToken)""#))
        }
    }

    // MARK: inviting everyone

    @Test func invitingAllReachesEveryActiveMemberAndThoseWhoBecomeActiveLater() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            _ = try await web.post(Self.listURL, Self.form(invite: "all"), formURL: Self.newURL)
            let first = try await SessionSchedulingTests.outbox(db).map(\.to)
            let reactivated = try await web.post(TestApp.url("acme", "/organize/members/acme-member3/reactivate"), [],
                                                 formURL: TestApp.url("acme", "/organize/members/acme-member3"))
            // check
            #expect(first == ["acme-member1@example.test", "acme-member2@example.test"])
            #expect(reactivated.status == .seeOther)
            let all = try await SessionSchedulingTests.outbox(db)
            #expect(all.map(\.to).last == "acme-member3@example.test" && all.last?.subject.hasPrefix("Invitation: Board call") == true)
            #expect(Set(try await Self.invitations(db, acme.tenant).keys) == Set(acme.members))
            var third = try await Self.signedIn(web, "acme-member3")
            let list = try await third.get(Self.listURL)
            #expect(list.contains("Board call"))
        }
    }

    // MARK: changes

    @Test func anEditKeepsTheUIDBumpsTheSequenceAndCancelsForThoseNoLongerInvited() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            _ = try await web.post(Self.listURL, Self.form(invitees: [acme.members[0], acme.members[1]]), formURL: Self.newURL)
            let meeting = try #require(try await Self.meetings(db, acme.tenant).first)
            let uid = "\(meeting.id.uuidString.lowercased())@acme.mingle.test"
            _ = try await db.owner.query("DELETE FROM outbox")
            let editURL = TestApp.url("acme", meeting.path + "/edit")
            // act: an hour later, member2 no longer invited
            let form = try await web.get(editURL)
            let saved = try await web.post(TestApp.url("acme", meeting.path),
                                           Self.form(title: "Board call (moved)", start: Self.start.addingTimeInterval(3600), invitees: [acme.members[0]]),
                                           formURL: editURL)
            // check
            #expect(form.status == .ok && form.contains(#"value="Board call""#))
            #expect(saved.status == .seeOther && saved.location == meeting.path)
            let changed = try #require(try await Self.meetings(db, acme.tenant).first)
            #expect(changed.sequence == 1 && changed.title == "Board call (moved)" && changed.linkToken == meeting.linkToken)
            let mails = try await SessionSchedulingTests.outbox(db)
            let update = try #require(mails.first { $0.to == "acme-member1@example.test" })
            let cancel = try #require(mails.first { $0.to == "acme-member2@example.test" })
            #expect(update.subject.hasPrefix("Updated: Board call (moved)") && cancel.subject.hasPrefix("Cancelled: Board call (moved)"))
            #expect(try CalendarParser.parse(try #require(update.attachment)).events == [[uid, "Board call (moved)", "1", "CONFIRMED"]])
            let withdrawn = try CalendarParser.parse(try #require(cancel.attachment))
            #expect(withdrawn.method == "CANCEL" && withdrawn.events == [[uid, "Board call (moved)", "1", "CANCELLED"]])
            #expect(try await Self.invitations(db, acme.tenant) == [acme.members[0]: 1])
            var second = try await Self.signedIn(web, "acme-member2")
            #expect(try await second.get(TestApp.url("acme", meeting.path)).status == .notFound)
        }
    }

    @Test func cancellingSendsTheCancelToEveryoneInvited() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            _ = try await web.post(Self.listURL, Self.form(invitees: [acme.members[0], acme.members[1]]), formURL: Self.newURL)
            let meeting = try #require(try await Self.meetings(db, acme.tenant).first)
            _ = try await db.owner.query("DELETE FROM outbox")
            let pageURL = TestApp.url("acme", meeting.path)
            // act
            let page = try await web.get(pageURL)
            let cancelled = try await web.post(TestApp.url("acme", meeting.path + "/cancel"), [], formURL: pageURL)
            let again = try await web.post(TestApp.url("acme", meeting.path + "/cancel"), [], formURL: pageURL)
            let edit = try await web.get(TestApp.url("acme", meeting.path + "/edit"))
            // check
            #expect(page.contains("data-confirm=\"Cancel “Board call”?"))
            #expect(cancelled.status == .seeOther && again.status == .conflict && edit.status == .conflict)
            let stored = try #require(try await Self.meetings(db, acme.tenant).first)
            #expect(stored.cancelledAt != nil && stored.sequence == 1)
            let mails = try await SessionSchedulingTests.outbox(db)
            #expect(mails.map(\.to).sorted() == ["acme-member1@example.test", "acme-member2@example.test"])
            for mail in mails {
                let ics = try CalendarParser.parse(try #require(mail.attachment))
                #expect(ics.method == "CANCEL" && ics.events.first?[2] == "1" && ics.events.first?[3] == "CANCELLED")
            }
            var member = try await Self.signedIn(web, "acme-member1")
            let list = try await member.get(Self.listURL)
            #expect(list.contains("session-item cancelled") && list.contains("cancelled"))
        }
    }

    @Test func aBadFormComesBackWithEveryProblemAndWritesNothing() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, globex) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            var fields = Self.form(title: "", minutes: -30, invitees: [acme.members[0], globex.members[0]], cap: "40",
                                   description: "Kept <b>text</b>")
            fields.removeAll { $0.0 == "waiting_room" }
            // act
            let refused = try await web.post(Self.listURL, fields, formURL: Self.newURL)
            // check
            #expect(refused.status == .unprocessableContent)
            for field in ["title", "ends_at", "participant_cap", "invitees"] {
                #expect(refused.contains(#"id="\#(field)-error""#), "\(field)")
            }
            #expect(refused.contains(#"aria-invalid="true" aria-describedby="title-error""#))
            #expect(refused.contains("Kept &lt;b&gt;text&lt;/b&gt;") && refused.contains(#"value="40""#))
            #expect(!refused.contains(#"name="waiting_room" checked"#))
            #expect(refused.contains(#"value="\#(acme.members[0].uuidString.lowercased())" checked"#))
            #expect(try await Self.meetings(db, acme.tenant).isEmpty)
            #expect(try await SessionSchedulingTests.outbox(db).isEmpty)
        }
    }

    @Test func theFilterButtonNarrowsTheListAndKeepsWhatWasTyped() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            var fields = Self.form(title: "Typed title", invitees: [acme.members[1]])
            fields.removeAll { $0.0 == "action" }
            fields += [("action", "filter"), ("filter", "member1")]
            // act
            let filtered = try await web.post(Self.listURL, fields, formURL: Self.newURL)
            // check: member1 matches, member2 stays because ticked, nothing is written
            #expect(filtered.status == .ok && filtered.contains(#"value="Typed title""#))
            #expect(filtered.contains(acme.members[0].uuidString.lowercased()) && filtered.contains(acme.members[1].uuidString.lowercased()))
            let written = try await Self.meetings(db, acme.tenant)
            #expect(!filtered.contains("@acme-organizer") && written.isEmpty)
        }
    }

    // MARK: reminders and feeds

    @Test func theReminderGoesOutOnceToThoseInvited() async throws {
        try await withTestDatabase { db in
            // setup: a meeting in 30 minutes with member1 invited, another in three hours
            let (acme, _) = try await Self.community(db)
            let soon = try await Self.meeting(db, acme.tenant, host: acme.organizer, "Soon", start: Date().addingTimeInterval(30 * 60),
                                              invited: [acme.members[0]])
            try await Self.meeting(db, acme.tenant, host: acme.organizer, "Later", start: Date().addingTimeInterval(3 * 3600 + 30 * 60),
                                   invited: [acme.members[0]])
            let config = TestApp.configuration(db)
            let first = try await SessionReminderWorker(config: config, database: db.app, logger: TestEnvironment.logger, lead: .seconds(3600))
            let second = try await SessionReminderWorker(config: config, database: db.app, logger: TestEnvironment.logger, lead: .seconds(3600))
            // act
            async let a = first.sendDue()
            async let b = second.sendDue()
            let reminded = try await a + b
            let again = try await first.sendDue()
            // check
            #expect(reminded == 1 && again == 0)
            let mails = try await SessionSchedulingTests.outbox(db)
            #expect(mails.map(\.to) == ["acme-member1@example.test"] && mails[0].subject == "Starting in 30 minutes: Soon")
            let notices = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT user_id, link FROM notifications", logger: TestEnvironment.logger).all((UUID, String).self)
            }
            #expect(notices.count == 1 && notices[0].0 == acme.members[0] && notices[0].1 == soon.path)
        }
    }

    @Test func aChangeBumpsTheSequenceAndOnlyAMovedStartMakesTheReminderDueAgain() async throws {
        try await withTestDatabase { db in
            // setup: a meeting already reminded of
            let (acme, _) = try await Self.community(db)
            let meeting = try await Self.meeting(db, acme.tenant, host: acme.organizer, "Board call")
            func draft(_ start: Date, title: String) -> MeetingDraft {
                MeetingDraft(title: title, description: "", startsAt: start, endsAt: start.addingTimeInterval(3600), timeZone: "UTC")
            }
            // act
            let (retitled, moved, cancelled, again) = try await db.app.withTenant(acme.tenant, user: acme.organizer) { tx in
                try await tx.execute("UPDATE meetings SET reminder_sent_at = now() WHERE id = \(meeting.id)")
                let retitled = try await tx.updateMeeting(meeting.id, draft(meeting.startsAt, title: "Renamed"))
                let moved = try await tx.updateMeeting(meeting.id, draft(meeting.startsAt.addingTimeInterval(600), title: "Renamed"))
                return (retitled, moved, try await tx.cancelMeeting(meeting.id), try await tx.cancelMeeting(meeting.id))
            }
            // check
            #expect(retitled?.sequence == 1 && retitled?.reminderSentAt != nil && retitled?.title == "Renamed")
            #expect(moved?.sequence == 2 && moved?.reminderSentAt == nil)
            #expect(cancelled?.sequence == 3 && cancelled?.cancelledAt != nil && again == nil)
        }
    }

    @Test func theFeedHoldsTheMeetingsOneHostsOrIsInvitedTo() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            _ = try await web.post(Self.listURL, Self.form(title: "Invited one", invitees: [acme.members[0]]), formURL: Self.newURL)
            _ = try await web.post(Self.listURL, Self.form(title: "Not for member1", invitees: [acme.members[1]]), formURL: Self.newURL)
            var member = try await Self.signedIn(web, "acme-member1")
            let path = try #require(SessionFeedAndReminderTests.feedPath(in: try await member.get(TestApp.url("acme", "/sessions"))))
            var calendarApp = WebClient(web.client)
            // act
            let feed = try await calendarApp.get(TestApp.url("acme", path))
            // check
            #expect(feed.status == .ok)
            let parsed = try CalendarParser.parse(feed.body)
            #expect(parsed.method == "PUBLISH" && parsed.events.map { $0[1] } == ["Invited one"])
        }
    }

    // MARK: the list and its pages

    @Test func theListShowsNowUpcomingAndPastOfWhatTheMemberIsInvitedTo() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            let now = Date()
            for (title, offset, invited) in [("Running", -600.0, true), ("Coming", 7200.0, true), ("Done", -7200.0, true), ("Not mine", 7200.0, false)] {
                try await Self.meeting(db, acme.tenant, host: acme.organizer, title, start: now.addingTimeInterval(offset),
                                       invited: invited ? [acme.members[0]] : [])
            }
            var member = try await Self.signedIn(web, "acme-member1")
            // act
            let list = try await member.get(Self.listURL)
            // check: in order Now, Upcoming, Past, each with its own
            let body = list.body
            let order = ["id=\"now-heading\"", "Running", "id=\"upcoming-heading\"", "Coming", "id=\"past-heading\"", "Done"]
                .map { body.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(!list.contains("Not mine") && list.contains(#"<a href="/meetings">Meetings</a>"#))
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let organizerList = try await web.get(Self.listURL)
            #expect(organizerList.contains("Not mine") && organizerList.contains("Running"))
        }
    }

    @Test func anotherTenantsMeetingAndAnUninvitedMembersLookAreNotFound() async throws {
        try await TestApp.run { db, web in
            // setup: globex has a meeting; acme has one for member1 only
            let (acme, globex) = try await Self.community(db)
            let theirs = try await Self.meeting(db, globex.tenant, host: globex.organizer, "Globex only")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            _ = try await web.post(Self.listURL, Self.form(invitees: [acme.members[0]]), formURL: Self.newURL)
            let ours = try #require(try await Self.meetings(db, acme.tenant).first)
            var invited = try await Self.signedIn(web, "acme-member1")
            var uninvited = try await Self.signedIn(web, "acme-member2")
            // act
            let answers: [(String, Page)] = [
                ("organizer: other tenant", try await web.get(TestApp.url("acme", theirs.path))),
                ("organizer: other tenant's file", try await web.get(TestApp.url("acme", theirs.path + "/calendar.ics"))),
                ("uninvited: page", try await uninvited.get(TestApp.url("acme", ours.path))),
                ("uninvited: file", try await uninvited.get(TestApp.url("acme", ours.path + "/calendar.ics"))),
                ("uninvited: edit", try await uninvited.get(TestApp.url("acme", ours.path + "/edit"))),
                ("uninvited: cancel", try await uninvited.post(TestApp.url("acme", ours.path + "/cancel"), [], formURL: Self.listURL)),
            ]
            let page = try await invited.get(TestApp.url("acme", ours.path))
            let file = try await invited.get(TestApp.url("acme", ours.path + "/calendar.ics"))
            let invitedEdit = try await invited.get(TestApp.url("acme", ours.path + "/edit"))
            // check
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(page.status == .ok && page.contains("http://acme.\(TestApp.rootHost)/m/\(ours.linkToken)") && page.contains("readonly"))
            #expect(page.contains(#"href="/m/\#(ours.linkToken)""#) && page.contains("data-copy=\"meeting-link\""))
            #expect(page.contains(#"<a href="https://example.com/agenda""#) && !page.contains("Cancel “Board call”"))
            #expect(file.status == .ok && file.contains("METHOD:PUBLISH") && file.contains("UID:\(ours.id.uuidString.lowercased())@acme.mingle.test"))
            #expect(invitedEdit.status == .forbidden)
            let organizerPage = try await web.get(TestApp.url("acme", ours.path))
            #expect(organizerPage.contains("<li>Acme-Member1 Tester</li>") && organizerPage.contains("1 member told"))
        }
    }

    @Test func anActingPlatformAdminLooksAtMeetingsOnTheAuditedPath() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _) = try await Self.community(db)
            let meeting = try await Self.meeting(db, acme.tenant, host: acme.organizer, "Looked at")
            _ = try await Fixtures(db).user("root", admin: true)
            try await TestApp.signIn(&web, "root", tenant: nil)
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            _ = try await web.get(try #require(open.location))
            // act
            let list = try await web.get(Self.listURL)
            let page = try await web.get(TestApp.url("acme", meeting.path))
            let create = try await web.post(Self.listURL, Self.form(), formURL: Self.listURL)
            // check
            #expect(list.status == .ok && list.contains("Looked at") && page.status == .ok && !page.contains("Cancel “Looked at”"))
            #expect(create.status == .forbidden)
            let audit = try await db.owner.query("SELECT count(*)::int FROM platform_audit WHERE action LIKE 'member area: %meeting%'").first(Int.self)
            #expect((audit ?? 0) >= 2)
        }
    }
}
