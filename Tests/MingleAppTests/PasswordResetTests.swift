import Foundation
import Hummingbird
import MingleApp
import Outbound
import Store
import Testing
import TestSupport

/// Forgotten passwords, end to end through the outbox, the mail worker and a real SMTP server.
@Suite struct PasswordResetTests {
    func worker(_ db: TestDatabase) throws -> MailWorker {
        let smtp = try #require(TestApp.smtpSettings, "MINGLE_TEST_SMTP_URL is not set: run through scripts/test.sh")
        return MailWorker(database: db.app, smtp: smtp, logger: TestEnvironment.logger)
    }

    func requestReset(_ web: inout WebClient, login: String) async throws -> Page {
        try await web.post(TestApp.url("acme", "/forgot-password"), [("login", login)])
    }

    @Test func resetThroughEmailedLinkSetsANewPassword() async throws {
        try await TestApp.run { db, web in
            // setup
            let email = "reset-\(UUID().uuidString.prefix(8))@example.test"
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme", name: "Acme Circle")
            let user = try await fixtures.user("resetter", email: email, firstName: "Rita")
            try await fixtures.membership(acme, user)
            // act: ask, deliver, follow the link, choose a password
            let asked = try await requestReset(&web, login: "resetter")
            try await worker(db).deliverDue()
            let raw = try await TestMailbox.message(to: email)
            let text = TestMailbox.plainText(raw)
            let link = try #require(TestMailbox.link(in: text))
            let path = String(link.dropFirst("http://acme.\(TestApp.rootHost)".count))
            let form = try await web.get(TestApp.url("acme", path))
            let token = String(path.split(separator: "=").last ?? "")
            let done = try await web.post(TestApp.url("acme", "/reset-password"),
                                          [("token", token), ("password", "my new secret pw"), ("confirmation", "my new secret pw")],
                                          csrf: form.csrf)
            // check
            #expect(asked.status == .seeOther)
            #expect(link.hasPrefix("http://acme.\(TestApp.rootHost)/reset-password?token="))
            #expect(text.contains("Hello Rita") && text.contains("Acme Circle"))
            #expect(raw.contains("From: Acme Circle <no-reply@mingle.test>"))
            #expect(TestMailbox.htmlPart(raw).contains("Footer of acme"), "the email carries the tenant's footer")
            #expect(form.status == .ok)
            #expect(done.status == .seeOther)
            var withOld = WebClient(web.client)
            let oldLogin = try await withOld.post(TestApp.url("acme", "/sign-in"), [("username", "resetter"), ("password", TestPasswords.plain)])
            var withNew = WebClient(web.client)
            let newLogin = try await withNew.post(TestApp.url("acme", "/sign-in"), [("username", "resetter"), ("password", "my new secret pw")])
            #expect(newLogin.status == .seeOther)
            #expect(oldLogin.status == .unauthorized)
            // the link worked once
            let again = try await web.get(TestApp.url("acme", path))
            #expect(again.status == .gone)
        }
    }

    @Test func anExpiredLinkIsRefused() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await requestReset(&web, login: "acme-member1")
            let token = try await resetTokenFromOutbox(db)
            try await db.owner.query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
            // act
            let form = try await web.get(TestApp.url("acme", "/reset-password?token=\(token)"))
            let post = try await web.post(TestApp.url("acme", "/reset-password"),
                                          [("token", token), ("password", "whatever password"), ("confirmation", "whatever password")],
                                          formURL: TestApp.url("acme", "/forgot-password"))
            // check
            #expect(form.status == .gone && post.status == .gone)
            #expect(form.contains("This link no longer works"))
        }
    }

    @Test func aResetLinkLastsOneHour() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            _ = try await requestReset(&web, login: "acme-member1")
            let seconds = try await db.owner.query("SELECT extract(epoch FROM expires_at - created_at)::int FROM password_resets").first(Int.self)
            #expect(seconds == 3600)
        }
    }

    @Test func theTokenIsStoredOnlyAsAHash() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            _ = try await requestReset(&web, login: "acme-member1")
            let token = try await resetTokenFromOutbox(db)
            let stored = try await db.owner.query("SELECT encode(token_hash, 'escape') FROM password_resets").all(String.self)
            #expect(stored.count == 1)
            #expect(!stored[0].contains(token))
        }
    }

    @Test func unknownAccountsGetTheSameAnswerAndNoMail() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            // act
            let known = try await requestReset(&web, login: "acme-member1")
            let unknown = try await requestReset(&web, login: "nobody-here")
            // check
            #expect(known.status == unknown.status)
            #expect(known.location == unknown.location)
            let queued = try await Fixtures(db).count("outbox")
            #expect(queued == 1)
        }
    }

    @Test func mismatchedNewPasswordsLeaveTheTokenUsable() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            _ = try await requestReset(&web, login: "acme-member1")
            let token = try await resetTokenFromOutbox(db)
            let form = TestApp.url("acme", "/reset-password?token=\(token)")
            let bad = try await web.post(TestApp.url("acme", "/reset-password"),
                                         [("token", token), ("password", "first password"), ("confirmation", "second password")], formURL: form)
            let good = try await web.post(TestApp.url("acme", "/reset-password"),
                                          [("token", token), ("password", "first password"), ("confirmation", "first password")], formURL: form)
            #expect(bad.status == .unprocessableContent && bad.contains("do not match"))
            #expect(good.status == .seeOther)
        }
    }

    /// The token from the queued email's link (as the member would read it).
    func resetTokenFromOutbox(_ db: TestDatabase) async throws -> String {
        let text = try #require(try await db.owner.query("SELECT body_text FROM outbox ORDER BY created_at DESC LIMIT 1").first(String.self))
        let link = try #require(TestMailbox.link(in: text))
        return String(link.split(separator: "=").last ?? "")
    }
}

/// The outbox and its worker: mail is kept until an SMTP server takes it.
@Suite struct MailDeliveryTests {
    @Test func mailWaitsWhileSMTPIsDownAndIsDeliveredWhenItIsBack() async throws {
        try await TestApp.run { db, web in
            // setup: a queued message and an SMTP address where nothing listens
            let email = "outage-\(UUID().uuidString.prefix(8))@example.test"
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            try await fixtures.membership(acme, try await fixtures.user("patient", email: email))
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "patient")])
            let down = MailWorker(database: db.app, smtp: SMTPSettings(url: "smtp://127.0.0.1:9", fromAddress: "no-reply@mingle.test"),
                                  logger: TestEnvironment.logger)
            // act 1: the server is down
            let tried = try await down.deliverDue()
            let afterFailure = try await db.owner.query("""
                SELECT status, attempts, last_error IS NOT NULL, next_attempt_at > now() FROM outbox
                """).first((String, Int, Bool, Bool).self)
            // act 2: time passes, the server is back
            try await db.owner.query("UPDATE outbox SET next_attempt_at = now()")
            let up = MailWorker(database: db.app, smtp: try #require(TestApp.smtpSettings), logger: TestEnvironment.logger)
            try await up.deliverDue()
            // check
            #expect(tried == 1)
            let failed = try #require(afterFailure)
            #expect(failed.0 == "pending" && failed.1 == 1 && failed.2 && failed.3)
            let status = try await db.owner.query("SELECT status FROM outbox").first(String.self)
            #expect(status == "sent")
            _ = try await TestMailbox.message(to: email)
        }
    }

    @Test func backoffGrowsAndIsCapped() {
        #expect(MailWorker.backoff(attempt: 1) == 10)
        #expect(MailWorker.backoff(attempt: 2) == 20)
        #expect(MailWorker.backoff(attempt: 5) == 160)
        #expect(MailWorker.backoff(attempt: 30) == 3600)
    }

    @Test func mailQueuedInAFailedActionIsNeverSent() async throws {
        try await withTestDatabase { db in
            // setup / act: the action fails after queueing its mail
            let acme = try await Fixtures(db).tenant("acme")
            await #expect(throws: (any Error).self) {
                try await db.app.withTenant(acme) { tx in
                    try await tx.enqueue(OutgoingMail(to: "x@example.test", fromName: "Acme", subject: "Hi", text: "Hello"), tenant: acme)
                    try await tx.execute("SELECT 1 / 0")
                }
            }
            // check
            let queued = try await Fixtures(db).count("outbox")
            #expect(queued == 0)
        }
    }

    @Test func withoutSMTPMailStaysInTheOutboxForAdmins() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.user("root", admin: true)
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "acme-member1")])
            // act
            try await TestApp.signIn(&web, "root", tenant: nil)
            let outbox = try await web.get(TestApp.url(nil, "/admin/outbox"))
            // check
            #expect(outbox.status == .ok)
            #expect(outbox.contains("No SMTP server is configured"))
            #expect(outbox.contains("acme-member1@example.test") && outbox.contains("Reset your password") && outbox.contains("pending"))
        }
    }
}
