import Foundation
import Hummingbird
@testable import MingleApp
import PostgresNIO
import Store
import Testing
import TestSupport

/// The account area (issue 14): name, email address changed only through the new address,
/// password form errors, which emails a community sends, receipts, leaving and rejoining.
@Suite struct AccountTests {
    static let account = TestApp.url("acme", "/account")

    func email(_ db: TestDatabase, _ username: String) async throws -> (String, Bool)? {
        try await db.owner.query("SELECT email, email_confirmed_at IS NOT NULL FROM users WHERE username = \(username)")
            .first((String, Bool).self)
    }

    /// Mail in the outbox: (to, subject, text), oldest first.
    func outbox(_ db: TestDatabase) async throws -> [(to: String, subject: String, text: String)] {
        try await db.owner.query("SELECT to_address, subject, body_text FROM outbox ORDER BY created_at, to_address")
            .all((String, String, String).self).map { ($0.0, $0.1, $0.2) }
    }

    /// The token of the latest change-of-address link mailed to `address`.
    func changeToken(_ db: TestDatabase, to address: String) async throws -> String {
        let text = try #require(try await outbox(db).last { $0.to == address && $0.subject == "Confirm your new email address" }?.text)
        let link = try #require(TestMailbox.link(in: text, containing: "/account/email/confirm?token="))
        return String(link.split(separator: "=").last ?? "")
    }

    /// Follows a change link the way a person does: open the page, press its button.
    func confirmChange(_ web: inout WebClient, token: String) async throws -> Page {
        try await web.post(TestApp.url("acme", "/account/email/confirm"), [("token", token)],
                           formURL: TestApp.url("acme", "/account/email/confirm?token=\(token)"))
    }

    func status(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> String? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT status FROM memberships WHERE user_id = \(user)", logger: TestEnvironment.logger).first(String.self)
        }
    }

    // MARK: name

    @Test func badNamesComeBackBesideTheirFieldsWithWhatWasTyped() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let long = String(repeating: "L", count: 81)
            // act
            let page = try await web.post(TestApp.url("acme", "/account/name"), [("first_name", ""), ("last_name", long)], formURL: Self.account)
            // check: both problems at once, each beside its field, the text kept, nothing saved
            #expect(page.status == .unprocessableContent)
            #expect(page.contains(#"<p class="field-error" id="first_name-error">Give your first name.</p>"#))
            #expect(page.contains("Your last name can be up to 80 characters; this one has 81."))
            #expect(page.contains(#"aria-invalid="true" aria-describedby="first_name-error""#))
            #expect(page.contains(#"aria-invalid="true" aria-describedby="last_name-error""#))
            #expect(page.contains(#"value="\#(long)""#))
            let saved = try await db.owner.query("SELECT last_name FROM users WHERE username = 'acme-member1'").first(String.self)
            #expect(saved == "Tester")
        }
    }

    @Test func aGoodNameIsSavedAndShownToOthers() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let saved = try await web.post(TestApp.url("acme", "/account/name"), [("first_name", "Ada"), ("last_name", "Lovelace")],
                                           formURL: Self.account)
            let page = try await web.get(Self.account)
            // check
            #expect(saved.status == .seeOther && saved.location == "/account")
            #expect(page.contains(#"value="Ada""#) && page.contains(#"value="Lovelace""#))
            let row = try await db.owner.query("SELECT first_name, last_name FROM users WHERE username = 'acme-member1'").first((String, String).self)
            #expect(row?.0 == "Ada" && row?.1 == "Lovelace")
        }
    }

    // MARK: email address

    @Test func theAddressChangesOnlyWhenTheLinkMailedToTheNewOneIsFollowed() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act: ask, look, open the link (a GET), then press its button
            let asked = try await web.post(TestApp.url("acme", "/account/email"), [("email", "ada@new.example")], formURL: Self.account)
            let waiting = try await email(db, "acme-member1")
            let page = try await web.get(Self.account)
            let token = try await changeToken(db, to: "ada@new.example")
            let opened = try await web.get(TestApp.url("acme", "/account/email/confirm?token=\(token)"))
            let afterOpening = try await email(db, "acme-member1")
            let confirmed = try await confirmChange(&web, token: token)
            let after = try await email(db, "acme-member1")
            // check
            #expect(asked.status == .seeOther)
            #expect(waiting?.0 == "acme-member1@example.test")
            #expect(page.contains("Waiting for confirmation: <strong>ada@new.example</strong>"))
            #expect(opened.status == .ok && afterOpening?.0 == "acme-member1@example.test")
            #expect(confirmed.status == .seeOther && confirmed.location == "/account#email")
            #expect(after?.0 == "ada@new.example" && after?.1 == true)
            let notice = try await outbox(db).first { $0.subject == "Your email address was changed" }
            #expect(notice?.to == "acme-member1@example.test")
            #expect(notice?.text.contains("from acme-member1@example.test to ada@new.example") == true)
            #expect(!(try await web.get(Self.account).contains("Waiting for confirmation")))
        }
    }

    @Test func aChangeLinkWorksOnceAndNotOnceExpired() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "first@new.example")], formURL: Self.account)
            let first = try await changeToken(db, to: "first@new.example")
            // act: used twice
            let used = try await confirmChange(&web, token: first)
            let reused = try await confirmChange(&web, token: first)
            // act: a second change whose link expires before it is followed
            _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "second@new.example")], formURL: Self.account)
            let second = try await changeToken(db, to: "second@new.example")
            try await db.owner.query("UPDATE email_changes SET expires_at = now() - interval '1 second' WHERE new_email = 'second@new.example'")
            let expired = try await confirmChange(&web, token: second)
            // check
            #expect(used.status == .seeOther)
            #expect(reused.status == .gone && reused.contains("This link no longer works"))
            #expect(expired.status == .gone)
            #expect(try await email(db, "acme-member1")?.0 == "first@new.example")
        }
    }

    @Test func onlyTheLatestChangeCountsAndACancelledOneNever() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "old-ask@new.example")], formURL: Self.account)
            let replaced = try await changeToken(db, to: "old-ask@new.example")
            _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "new-ask@new.example")], formURL: Self.account)
            let cancelledToken = try await changeToken(db, to: "new-ask@new.example")
            // act
            let cancelled = try await web.post(TestApp.url("acme", "/account/email/cancel"), [], formURL: Self.account)
            let byReplaced = try await confirmChange(&web, token: replaced)
            let byCancelled = try await confirmChange(&web, token: cancelledToken)
            // check
            #expect(cancelled.status == .seeOther)
            #expect(byReplaced.status == .gone && byCancelled.status == .gone)
            #expect(try await email(db, "acme-member1")?.0 == "acme-member1@example.test")
        }
    }

    @Test func anAddressInUseIsRefusedWhenAskedAndWhenConfirmed() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act: another account's address (in other letters), a malformed one, one's own
            let inUse = try await web.post(TestApp.url("acme", "/account/email"), [("email", "ACME-member2@example.test")], formURL: Self.account)
            let malformed = try await web.post(TestApp.url("acme", "/account/email"), [("email", "not an address")], formURL: Self.account)
            let own = try await web.post(TestApp.url("acme", "/account/email"), [("email", "acme-member1@example.test")], formURL: Self.account)
            // act: free when asked, taken by another account before the link is followed
            _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "wanted@new.example")], formURL: Self.account)
            let token = try await changeToken(db, to: "wanted@new.example")
            try await db.owner.query("UPDATE users SET email = 'wanted@new.example' WHERE username = 'acme-member2'")
            let confirmed = try await confirmChange(&web, token: token)
            // check
            #expect(inUse.status == .unprocessableContent && inUse.contains("Another account uses that address"))
            #expect(inUse.contains(#"value="ACME-member2@example.test""#) && inUse.contains(#"aria-describedby="new_email-error""#))
            #expect(malformed.status == .unprocessableContent && malformed.contains("not an email address"))
            #expect(own.status == .unprocessableContent && own.contains("already your address"))
            #expect(confirmed.status == .conflict && confirmed.contains("already in use"))
            #expect(try await email(db, "acme-member1")?.0 == "acme-member1@example.test")
            #expect(try await outbox(db).filter { $0.subject == "Confirm your new email address" }.count == 1)
        }
    }

    @Test func whetherAnAddressHasAnAccountCannotBeProbedInBulk() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act: ten tries, then an address that is in use
            for i in 1...EmailChangeRules.requestsPerHour {
                _ = try await web.post(TestApp.url("acme", "/account/email"), [("email", "try\(i)@new.example")], formURL: Self.account)
            }
            let probe = try await web.post(TestApp.url("acme", "/account/email"), [("email", "acme-member2@example.test")], formURL: Self.account)
            // check: refused for the count, saying nothing of the address
            #expect(probe.status == .unprocessableContent && probe.contains("several changes this hour"))
            #expect(!probe.contains("Another account uses that address"))
        }
    }

    // MARK: password

    @Test func thePasswordFormShowsEveryProblemBesideItsField() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let both = try await web.post(TestApp.url("acme", "/account/password"), [("current", ""), ("password", "short"), ("confirmation", "short")])
            let mismatch = try await web.post(TestApp.url("acme", "/account/password"),
                                              [("current", TestPasswords.plain), ("password", "long enough one"), ("confirmation", "long enough two")])
            let wrong = try await web.post(TestApp.url("acme", "/account/password"),
                                           [("current", "not it at all"), ("password", "long enough one"), ("confirmation", "long enough one")])
            // check
            #expect(both.status == .unprocessableContent)
            #expect(both.contains(#"id="current-error">Give your current password."#) && both.contains(#"id="password-error">Choose a password of at least 10"#))
            #expect(mismatch.contains(#"id="confirmation-error">The two passwords do not match."#))
            #expect(wrong.status == .unauthorized && wrong.contains(#"aria-describedby="current-error""#))
            #expect(!both.contains("short\"") && !wrong.contains("long enough one"), "passwords are never sent back")
            #expect(both.contains(#"<a href="/account">← Your account</a>"#))
        }
    }

    // MARK: which emails

    @Test func turningOffAKindOfEmailStopsExactlyThatEmail() async throws {
        try await TestApp.run { db, web in
            // setup: member1 turns off message emails; member2 keeps everything
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let saved = try await web.post(TestApp.url("acme", "/account/notifications"),
                                           [("email_connections", "on"), ("email_sessions", "on")], formURL: Self.account)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            // act: the organizer writes to both; member2 asks member1 to connect; a session is scheduled
            for username in ["acme-member1", "acme-member2"] {
                _ = try await organizer.post(TestApp.url("acme", "/messages/\(username)"), [("body", "Hello!")])
            }
            var member2 = WebClient(web.client)
            try await TestApp.signIn(&member2, "acme-member2", tenant: "acme")
            _ = try await member2.post(TestApp.url("acme", "/people/acme-member1/connect"), [], formURL: TestApp.url("acme", "/people/acme-member1"))
            _ = try await organizer.post(SessionSchedulingTests.createURL, SessionSchedulingTests.form())
            // check: member1 got no message email, but the message itself and every other email
            let sent = try await outbox(db)
            func mails(to user: String, _ subject: String) -> Int { sent.filter { $0.to == "\(user)@example.test" && $0.subject.hasPrefix(subject) }.count }
            #expect(saved.status == .seeOther)
            #expect(mails(to: "acme-member1", "New message") == 0)
            #expect(mails(to: "acme-member2", "New message") == 1)
            #expect(mails(to: "acme-member1", "Acme-Member2 Tester would like to connect") == 1)
            #expect(mails(to: "acme-member1", "Invitation:") == 1)
            #expect(try await SessionSchedulingTests.messages(db, acme.tenant, to: acme.members[0]).contains("Hello!"))
            let invitation = try #require(sent.first { $0.to == "acme-member2@example.test" && $0.subject.hasPrefix("Invitation:") })
            #expect(invitation.text.contains("Choose which emails you get: http://acme.mingle.test/account#notifications"))
        }
    }

    @Test func turningOffSessionAndConnectionEmailsStopsThem() async throws {
        try await TestApp.run { db, web in
            // setup: member1 keeps only message emails
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/notifications"), [("email_messages", "on")], formURL: Self.account)
            let page = try await web.get(Self.account)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            var member2 = WebClient(web.client)
            try await TestApp.signIn(&member2, "acme-member2", tenant: "acme")
            // act
            _ = try await member2.post(TestApp.url("acme", "/people/acme-member1/connect"), [], formURL: TestApp.url("acme", "/people/acme-member1"))
            _ = try await organizer.post(SessionSchedulingTests.createURL, SessionSchedulingTests.form())
            _ = try await organizer.post(TestApp.url("acme", "/messages/acme-member1"), [("body", "Hello!")])
            // check
            let mine = try await outbox(db).filter { $0.to == "acme-member1@example.test" }.map(\.subject)
            #expect(mine.count == 1 && mine.first?.hasPrefix("New message") == true, "\(mine)")
            #expect(try await outbox(db).contains { $0.to == "acme-member2@example.test" && $0.subject.hasPrefix("Invitation:") })
            #expect(page.contains(#"name="email_messages" id="email_messages" checked"#))
            #expect(page.contains(#"name="email_sessions" id="email_sessions" aria-describedby"#))
        }
    }

    // MARK: receipts

    @Test func receiptsShowOnlyOnesOwnPaymentsInThisCommunity() async throws {
        try await TestApp.run { db, web in
            // setup: payments of member1 and member2 in acme, and of member1 in globex
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.tenant("globex")
            try await fixtures.membership(globex, acme.members[0])
            func pay(_ tenant: TenantID, _ user: UserID, _ capture: String, status: String = "completed") async throws -> UUID {
                let id = UUID()
                try await fixtures.inTenant(tenant) { c in
                    try await c.query("""
                        INSERT INTO payments (tenant_id, id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, completed_at)
                        VALUES (\(tenant), \(id), \(user), 2500, 'EUR', \("ORDER-" + capture), \(capture), \(status), now())
                        """, logger: TestEnvironment.logger)
                }
                return id
            }
            let mine = try await pay(acme.tenant, acme.members[0], "CAPTURE-MINE")
            _ = try await pay(acme.tenant, acme.members[0], "CAPTURE-DECLINED", status: "declined")
            let theirs = try await pay(acme.tenant, acme.members[1], "CAPTURE-THEIRS")
            let elsewhere = try await pay(globex, acme.members[0], "CAPTURE-GLOBEX")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let page = try await web.get(Self.account)
            let receipt = try await web.get(TestApp.url("acme", "/account/receipts/\(mine.uuidString.lowercased())"))
            let theirReceipt = try await web.get(TestApp.url("acme", "/account/receipts/\(theirs.uuidString.lowercased())"))
            let globexReceipt = try await web.get(TestApp.url("acme", "/account/receipts/\(elsewhere.uuidString.lowercased())"))
            // check
            #expect(page.contains("CAPTURE-MINE") && page.contains("25.00 EUR") && page.contains("declined"))
            #expect(!page.contains("CAPTURE-THEIRS") && !page.contains("CAPTURE-GLOBEX"))
            #expect(page.contains("/account/receipts/\(mine.uuidString.lowercased())"))
            #expect(receipt.status == .ok && receipt.contains("CAPTURE-MINE") && receipt.contains("ORDER-CAPTURE-MINE"))
            #expect(receipt.contains("Membership of Acme") && receipt.contains("(UTC)"))
            #expect(theirReceipt.status == .notFound && globexReceipt.status == .notFound)
        }
    }

    // MARK: leaving and rejoining

    @Test func leavingHidesTheProfileAndClosesTheMemberArea() async throws {
        try await TestApp.run { db, web in
            // setup: member2 has asked member1 to connect
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            var member2 = WebClient(web.client)
            try await TestApp.signIn(&member2, "acme-member2", tenant: "acme")
            _ = try await member2.post(TestApp.url("acme", "/people/acme-member1/connect"), [], formURL: TestApp.url("acme", "/people/acme-member1"))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let form = try await web.get(TestApp.url("acme", "/account/leave"))
            let left = try await web.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            let people = try await web.get(TestApp.url("acme", "/people"))
            let messages = try await web.get(TestApp.url("acme", "/messages"))
            let seenByOthers = try await member2.get(TestApp.url("acme", "/people"))
            let profile = try await member2.get(TestApp.url("acme", "/people/acme-member1"))
            let home = try await web.get(TestApp.url("acme"))
            // check
            #expect(form.contains(#"data-confirm="Leave Acme now?""#) && form.contains("Your profile is hidden from everyone"))
            #expect(left.status == .seeOther && left.location == "/")
            #expect(try await status(db, acme.tenant, acme.members[0]) == "left")
            #expect(people.status == .found && people.location == "/membership")
            #expect(messages.status == .found)
            #expect(!seenByOthers.contains("acme-member1") && profile.status == .notFound)
            #expect(!home.contains(#"href="/people""#))
            let pending = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT count(*)::int FROM connections", logger: TestEnvironment.logger).first(Int.self)
            }
            #expect(pending == 0, "the request waiting on them is withdrawn")
        }
    }

    @Test func organizersCannotLeaveTheirOwnCommunity() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let form = try await web.get(TestApp.url("acme", "/account/leave"))
            let refused = try await web.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            // check
            #expect(!form.contains("data-confirm") && form.contains("you cannot leave it from here"))
            #expect(refused.status == .conflict)
            #expect(try await status(db, acme.tenant, acme.organizer) == "active")
        }
    }

    @Test func someoneWhoLeftCanJoinAgainAndAPaidFeeStillCounts() async throws {
        try await TestApp.run { db, web in
            // setup: a paid community; member1 paid, member2 did not (made active by the organizer)
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("INSERT INTO membership_settings (tenant_id, fee_minor, currency) VALUES (\(acme.tenant), 2500, 'EUR')",
                                  logger: TestEnvironment.logger)
                try await c.query("""
                    INSERT INTO payments (tenant_id, user_id, amount_minor, currency, paypal_order_id, status, completed_at)
                    VALUES (\(acme.tenant), \(acme.members[0]), 2500, 'EUR', 'ORDER-1', 'completed', now())
                    """, logger: TestEnvironment.logger)
            }
            var member2 = WebClient(web.client)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            try await TestApp.signIn(&member2, "acme-member2", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            _ = try await member2.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            // act
            let joinPage = try await web.get(TestApp.url("acme", "/join"))
            let rejoined = try await web.post(TestApp.url("acme", "/join"), [], formURL: TestApp.url("acme", "/join"))
            let unpaid = try await member2.post(TestApp.url("acme", "/join"), [], formURL: TestApp.url("acme", "/join"))
            // check
            #expect(joinPage.status == .ok)
            #expect(rejoined.status == .seeOther)
            #expect(try await status(db, acme.tenant, acme.members[0]) == "active")
            #expect(try await web.get(TestApp.url("acme", "/people")).status == .ok)
            #expect(unpaid.status == .seeOther)
            #expect(try await status(db, acme.tenant, acme.members[1]) == "awaiting_payment")
        }
    }

    @Test func onAFreeSiteSomeoneWhoLeftIsActiveAgainAtOnceAndInvitedAgain() async throws {
        try await TestApp.run { db, web in
            // setup: a session ahead; member1 leaves
            let acme = try await Fixtures(db).populatedTenant("acme")
            _ = try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer,
                                                              start: Date().addingTimeInterval(86_400), end: Date().addingTimeInterval(90_000))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            // act
            let rejoined = try await web.post(TestApp.url("acme", "/join"), [], formURL: TestApp.url("acme", "/join"))
            // check
            #expect(rejoined.status == .seeOther && rejoined.location == "/membership")
            #expect(try await status(db, acme.tenant, acme.members[0]) == "active")
            #expect(try await outbox(db).contains { $0.to == "acme-member1@example.test" && $0.subject.hasPrefix("Invitation:") })
        }
    }

    @Test func aLeftMemberCannotBeSuspendedOrBroughtBackByTheOrganizer() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/account/leave"), [], formURL: Self.account)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            // act
            let suspended = try await organizer.post(TestApp.url("acme", "/organize/members/acme-member1/suspend"), [],
                                                     formURL: TestApp.url("acme", "/organize/members/acme-member1"))
            let list = try await organizer.get(TestApp.url("acme", "/organize/members?status=left"))
            // check
            #expect(suspended.status == .seeOther)
            #expect(try await status(db, acme.tenant, acme.members[0]) == "left")
            #expect(list.contains("acme-member1") && !list.contains("acme-member2"))
        }
    }
}
