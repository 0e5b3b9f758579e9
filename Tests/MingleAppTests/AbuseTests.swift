import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

/// What the review of the first version found, kept fixed.
@Suite struct AbuseTests {
    @Test func parallelGuessesCannotOutrunTheLimit() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            let token = try #require(try await web.get(TestApp.url("acme", "/sign-in")).csrf)
            let start = web
            // act: twelve wrong guesses at once from one address
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        var guesser = start
                        return try await guesser.post(TestApp.url("acme", "/sign-in"),
                                                      [("username", "acme-member1"), ("password", "guess guess")], csrf: token).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            // check: at most five were checked against the password, the rest were refused unread
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 7)
        }
    }

    @Test func aPasswordResetLiftsTheSignInLimit() async throws {
        try await TestApp.run { db, web in
            // setup: locked out from this address
            _ = try await Fixtures(db).populatedTenant("acme")
            for _ in 0..<6 { _ = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", "wrong wrong")]) }
            // act: reset
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "acme-member1")])
            let text = try #require(try await db.owner.query("SELECT body_text FROM outbox").first(String.self))
            let token = String(try #require(TestMailbox.link(in: text)).split(separator: "=").last ?? "")
            _ = try await web.post(TestApp.url("acme", "/reset-password"), [("token", token), ("password", "fresh password!"), ("confirmation", "fresh password!")],
                                   formURL: TestApp.url("acme", "/reset-password?token=\(token)"))
            let signIn = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme-member1"), ("password", "fresh password!")])
            // check
            #expect(signIn.status == .seeOther)
        }
    }

    @Test func wrongCurrentPasswordsAreLimitedToo() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var last = try await web.get(TestApp.url("acme"))
            for _ in 0..<6 {
                last = try await web.post(TestApp.url("acme", "/account/password"),
                                          [("current", "not it at all"), ("password", "new password 1"), ("confirmation", "new password 1")])
            }
            #expect(last.status == .tooManyRequests)
        }
    }

    @Test func madeUpResetTokensAreRefusedBeforeAnyHashing() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.post(TestApp.url("acme", "/reset-password"),
                                          [("token", String(repeating: "a", count: 43)), ("password", "whatever 123"), ("confirmation", "whatever 123")],
                                          formURL: TestApp.url("acme", "/forgot-password"))
            #expect(page.status == .gone)
        }
    }

    @Test func aTenantCannotSendItsBrandToSomeoneWhoIsNotItsMember() async throws {
        try await TestApp.run { db, web in
            // setup: a globex member asks on acme's site (acme's organizer could be phishing)
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            // act
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "globex-member1")])
            // check
            let mail = try #require(try await db.owner.query("SELECT tenant_id, from_name, body_text FROM outbox").first((UUID?, String, String).self))
            #expect(mail.0 == nil)
            #expect(mail.1 == "Mingle")
            #expect(mail.2.contains("http://\(TestApp.rootHost)/reset-password?token=") && !mail.2.contains("acme"))
        }
    }

    @Test func aHandOffTokenIsNotASessionCookie() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            _ = try await Fixtures(db).user("root", admin: true)
            try await TestApp.signIn(&web, "root", tenant: nil)
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            let token = String(try #require(open.location).split(separator: "=").last ?? "")
            // act: present the hand-off token as a session cookie instead
            var sneaky = WebClient(web.client)
            sneaky.setCookie("mingle_session", token, host: "acme.\(TestApp.rootHost)")
            let portal = try await sneaky.get(TestApp.url("acme", "/organize"))
            // check
            #expect(portal.status == .found && portal.location?.hasPrefix("/sign-in") == true)
        }
    }

    @Test func textLimitsCountWhatTheDatabaseCounts() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // 80 characters as Swift counts them, 160 code points as PostgreSQL does
            let title = String(repeating: "e\u{301}", count: 80)
            let page = try await web.post(TestApp.url("acme", "/organize/branding"),
                                          [("title", title), ("header", ""), ("footer", ""), ("links", ""), ("accent", "#123456")])
            #expect(page.status == .unprocessableContent && page.contains("at most 80 characters"))
        }
    }

    @Test func controlCharactersInFormsGetA400() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.post(TestApp.url("acme", "/sign-in"), [("username", "acme\u{0}"), ("password", "x")])
            #expect(page.status == .badRequest && page.contains("not allowed"))
        }
    }

    @Test func aNULInAStaticFilesPathIsRefusedNotCutShort() async throws {
        try await TestApp.run { db, web in
            // act
            let cut = try await web.get(TestApp.url(nil, "/css/app.css%00.png"))
            let control = try await web.get(TestApp.url(nil, "/js/realtime.js%0a"))
            let whole = try await web.get(TestApp.url(nil, "/css/app.css"))
            // check
            #expect(cut.status == .badRequest && cut.headers[.contentType]?.hasPrefix("text/css") != true, "not the stylesheet: \(cut.status)")
            #expect(control.status == .badRequest)
            #expect(whole.status == .ok)
        }
    }

    @Test func controlCharactersInASearchAreDroppedNotA500() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let people = try await web.get(TestApp.url("acme", "/people?q=%00acme"))
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let members = try await organizer.get(TestApp.url("acme", "/organize/members?q=%00&status=%01"))
            #expect(people.status == .ok && members.status == .ok)
        }
    }

    @Test func anOversizedWebhookIsRefusedWith413() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            let page = try await web.send(.post, TestApp.url("acme", "/webhooks/paypal"), body: Array(repeating: 0x20, count: 300_000),
                                          contentType: "application/json")
            #expect(page.status == .contentTooLarge)
        }
    }

    @Test func registrationsFromOneAddressAreLimited() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            var last = try await web.get(TestApp.url("acme", "/register"))
            for _ in 0..<21 {
                last = try await web.post(TestApp.url("acme", "/register"), [
                    ("first_name", "A"), ("last_name", "B"), ("email", "a@example.test"), ("username", "acme-member1"),
                    ("password", "long enough pw"), ("confirmation", "long enough pw")])
            }
            #expect(last.status == .tooManyRequests && last.contains("Too many new accounts"))
        }
    }

    @Test func aReplacedOrRemovedPictureIsNoLongerServed() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            func upload() async throws -> String? {
                _ = try await web.postMultipart(TestApp.url("acme", "/profile"), fields: [],
                                                files: [("picture", "p.png", "image/png", SampleImages.make(500, 500, .png))],
                                                formURL: TestApp.url("acme", "/profile"))
                let page = try await web.get(TestApp.url("acme", "/people/acme-member1"))
                guard let range = page.body.range(of: #"/images/[0-9a-f-]{36}"#, options: .regularExpression) else { return nil }
                return String(page.body[range])
            }
            // act
            let first = try #require(try await upload())
            let second = try #require(try await upload())
            let firstAfter = try await web.get(TestApp.url("acme", first))
            _ = try await web.postMultipart(TestApp.url("acme", "/profile"), fields: [("remove_picture", "on")], files: [],
                                            formURL: TestApp.url("acme", "/profile"))
            let secondAfter = try await web.get(TestApp.url("acme", second))
            // check
            #expect(first != second)
            #expect(firstAfter.status == .notFound && secondAfter.status == .notFound)
            #expect(try await Fixtures(db).countAcrossTenants("images") == 0)
        }
    }

    @Test func savingTextsKeepsTheLogo() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let form = TestApp.url("acme", "/organize/branding")
            _ = try await web.postMultipart(form, fields: [("title", "A"), ("header", ""), ("footer", ""), ("links", ""), ("accent", "#123456")],
                                            files: [("logo", "l.png", "image/png", SampleImages.make(200, 100, .png))], formURL: form)
            let logo = try await db.owner.query("SELECT logo_image_id FROM tenants WHERE id = \(acme.tenant)").first(UUID?.self) ?? nil
            _ = try await web.post(form, [("title", "B"), ("header", ""), ("footer", ""), ("links", ""), ("accent", "#123456")])
            let after = try await db.owner.query("SELECT logo_image_id, title_text FROM tenants WHERE id = \(acme.tenant)").first((UUID?, String).self)
            #expect(logo != nil)
            #expect(after?.0 == logo && after?.1 == "B")
        }
    }
}

/// Delivered mail keeps no body; a queued one can be read in the console, audited.
@Suite struct OutboxPrivacyTests {
    @Test func aDeliveredMessageKeepsNoBody() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            try await fixtures.membership(acme, try await fixtures.user("mailme", email: "mailme-\(UUID().uuidString.prefix(6))@example.test"))
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "mailme")])
            let smtp = try #require(TestApp.smtpSettings)
            try await MailWorkerAccess.deliver(db, smtp)
            let row = try await db.owner.query("SELECT status, body_text, body_html IS NULL FROM outbox").first((String, String, Bool).self)
            #expect(row?.0 == "sent" && row?.1 == "" && row?.2 == true)
        }
    }

    @Test func adminsCanReadAQueuedMessageAndTheReadIsAudited() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            _ = try await Fixtures(db).user("root", admin: true)
            _ = try await web.post(TestApp.url("acme", "/forgot-password"), [("login", "acme-member1")])
            let id = try #require(try await db.owner.query("SELECT id FROM outbox").first(UUID.self))
            try await TestApp.signIn(&web, "root", tenant: nil)
            let page = try await web.get(TestApp.url(nil, "/admin/outbox/\(id.uuidString.lowercased())"))
            #expect(page.status == .ok && page.contains("reset-password?token="))
            let audited = try await db.owner.query("SELECT count(*)::int FROM platform_audit WHERE action = 'read queued mail'").first(Int.self)
            #expect(audited == 1)
        }
    }
}

import MingleApp
import Outbound

enum MailWorkerAccess {
    static func deliver(_ db: TestDatabase, _ smtp: SMTPSettings) async throws {
        try await MailWorker(database: db.app, smtp: smtp, logger: TestEnvironment.logger).deliverDue()
    }
}
