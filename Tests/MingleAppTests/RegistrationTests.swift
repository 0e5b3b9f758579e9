import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

/// Registering under an organizer, confirming the address, joining a second organizer.
@Suite struct RegistrationTests {
    static let newcomer: [(String, String)] = [
        ("first_name", "Nora"), ("last_name", "Newcomb"), ("email", "nora@example.test"), ("username", "nora"),
        ("password", "noras password"), ("confirmation", "noras password"),
    ]

    func register(_ web: inout WebClient, tenant: String = "acme", _ changes: [String: String] = [:]) async throws -> Page {
        let fields = Self.newcomer.map { ($0.0, changes[$0.0] ?? $0.1) }
        return try await web.post(TestApp.url(tenant, "/register"), fields)
    }

    func setFee(_ db: TestDatabase, _ tenant: TenantID, minor: Int) async throws {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("INSERT INTO membership_settings (tenant_id, fee_minor, currency) VALUES (\(tenant), \(minor), 'EUR')",
                              logger: TestEnvironment.logger)
        }
    }

    /// Follows the emailed link the way a person does: open the page, press the button.
    func confirmFromOutbox(_ db: TestDatabase, _ web: inout WebClient, tenant: String = "acme") async throws -> Page {
        let text = try #require(try await db.owner.query("SELECT body_text FROM outbox WHERE subject = 'Confirm your email address' ORDER BY created_at DESC LIMIT 1").first(String.self))
        let link = try #require(TestMailbox.link(in: text, containing: "/confirm-email?token="))
        let path = String(link.dropFirst("http://\(tenant).\(TestApp.rootHost)".count))
        let token = String(path.split(separator: "=").last ?? "")
        return try await web.post(TestApp.url(tenant, "/confirm-email"), [("token", token)], formURL: TestApp.url(tenant, path))
    }

    func membership(_ db: TestDatabase, _ tenant: TenantID, _ username: String) async throws -> String? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = \(username)",
                              logger: TestEnvironment.logger).first(String.self)
        }
    }

    @Test func registeringOnAFreeSiteNeedsOnlyTheConfirmedAddress() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).tenant("acme", name: "Acme Circle")
            // act
            let registered = try await register(&web)
            let before = try await membership(db, acme, "nora")
            let waiting = try await web.get(TestApp.url("acme", "/membership"))
            let confirmed = try await confirmFromOutbox(db, &web)
            let after = try await membership(db, acme, "nora")
            let status = try await web.get(TestApp.url("acme", "/membership"))
            // check
            #expect(registered.status == .seeOther && registered.location == "/membership")
            #expect(before == "awaiting_payment" && after == "active")
            #expect(waiting.contains("Confirm your email address") && waiting.contains("We emailed a link to nora@example.test"))
            #expect(confirmed.status == .seeOther)
            #expect(status.contains("Active") && status.contains("your membership is active"))
            let mail = try await db.owner.query("SELECT tenant_id, from_name FROM outbox").first((UUID?, String).self)
            #expect(mail?.0 == acme && mail?.1 == "Acme Circle")
        }
    }

    @Test func onAPaidSiteAConfirmedNewcomerWaitsForPayment() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).tenant("acme")
            try await setFee(db, acme, minor: 2500)
            _ = try await register(&web)
            _ = try await confirmFromOutbox(db, &web)
            let status = try await web.get(TestApp.url("acme", "/membership"))
            #expect(try await membership(db, acme, "nora") == "awaiting_payment")
            #expect(status.contains("25.00 EUR") && status.contains("not finished setting up payments"))
        }
    }

    @Test func openingTheLinkDoesNotConfirmOnlyPressingTheButtonDoes() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).tenant("acme")
            _ = try await register(&web)
            let text = try #require(try await db.owner.query("SELECT body_text FROM outbox").first(String.self))
            let link = try #require(TestMailbox.link(in: text, containing: "/confirm-email?token="))
            _ = try await web.get(link)
            _ = try await web.get(link)
            #expect(try await membership(db, acme, "nora") == "awaiting_payment")
            let confirmed = try await confirmFromOutbox(db, &web)
            let again = try await confirmFromOutbox(db, &web)
            #expect(confirmed.status == .seeOther && again.status == .gone)
        }
    }

    @Test func badInputIsRefusedWithAClearMessageAndNothingIsWritten() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            let before = try await fixtures.count("users")
            let cases: [([String: String], String)] = [
                (["username": "acme-member1"], "already taken on Mingle"),
                (["username": "ACME-MEMBER1"], "already taken on Mingle"),
                (["username": "x"], "A username is 2–32 characters"),
                (["username": "has space"], "A username is 2–32 characters"),
                (["first_name": ""], "Give your first name"),
                (["last_name": String(repeating: "L", count: 81)], "Give your last name"),
                (["email": "not-an-address"], "valid email address"),
                (["password": "short", "confirmation": "short"], "at least 10 characters"),
                (["confirmation": "something else"], "do not match"),
            ]
            for (changes, message) in cases {
                // act
                let page = try await register(&web, changes)
                // check
                #expect(page.status == .unprocessableContent, "\(changes)")
                #expect(page.contains(message), "\(changes): expected “\(message)”")
                #expect(!page.contains("noras password"), "the password is never echoed back")
            }
            #expect(try await fixtures.count("users") == before)
            #expect(try await fixtures.count("outbox") == 0)
        }
    }

    @Test func aTakenUsernameOffersToSignInWithItAndJoin() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            // act
            let page = try await register(&web, ["username": "acme-member1"])
            let signIn = try await web.get(TestApp.url("acme", "/sign-in?next=%2Fjoin&username=acme-member1"))
            // check: a real link, and the sign-in form it opens has the name filled in
            #expect(page.contains(#"<a class="button small" href="/sign-in?next=/join&amp;username=acme-member1">Sign in as acme-member1 and join</a>"#))
            #expect(signIn.contains(#"value="acme-member1""#) && signIn.contains(#"name="next" value="/join""#))
        }
    }

    @Test func anExistingAccountJoinsASecondOrganizerWithTheSameUsername() async throws {
        try await TestApp.run { db, web in
            // setup: a globex member, signed in on acme's site
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            try await TestApp.signIn(&web, "globex-member1", tenant: "acme")
            // act
            let page = try await web.get(TestApp.url("acme", "/join"))
            let joined = try await web.post(TestApp.url("acme", "/join"), [])
            // check
            #expect(page.contains("Join with this account"))
            #expect(joined.status == .seeOther)
            #expect(try await membership(db, acme.tenant, "globex-member1") == "active")
            #expect(try await membership(db, globex.tenant, "globex-member1") == "active")
            let users = try await fixtures.count("users WHERE username = 'globex-member1'")
            #expect(users == 1)
        }
    }

    @Test func anUnconfirmedAccountJoiningAFreeSiteWaitsForConfirmation() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            _ = try await fixtures.user("unsure", confirmed: false)
            try await TestApp.signIn(&web, "unsure", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/join"), [], formURL: TestApp.url("acme", "/join"))
            #expect(try await membership(db, acme, "unsure") == "awaiting_payment")
        }
    }

    @Test func joiningAPaidSiteLeavesTheMembershipWaitingForPayment() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            try await setFee(db, acme, minor: 1000)
            _ = try await fixtures.populatedTenant("globex")
            try await TestApp.signIn(&web, "globex-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/join"), [])
            #expect(try await membership(db, acme, "globex-member1") == "awaiting_payment")
        }
    }

    @Test func whenASiteBecomesFreeWaitingMembersBecomeActive() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            try await setFee(db, acme, minor: 1000)
            let waiting = try await fixtures.user("waiter")
            try await fixtures.membership(acme, waiting, status: .awaitingPayment)
            try await fixtures.inTenant(acme) { c in
                try await c.query("UPDATE membership_settings SET fee_minor = 0", logger: TestEnvironment.logger)
            }
            try await TestApp.signIn(&web, "waiter", tenant: "acme")
            let page = try await web.get(TestApp.url("acme", "/membership"))
            #expect(page.contains("Active"))
            #expect(try await membership(db, acme, "waiter") == "active")
        }
    }

    @Test func resendingTheLinkIsLimited() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).tenant("acme")
            _ = try await register(&web)
            var last = try await web.get(TestApp.url("acme", "/membership"))
            for _ in 0..<7 { last = try await web.post(TestApp.url("acme", "/confirm-email/resend"), [], formURL: TestApp.url("acme", "/membership")) }
            _ = last
            let sent = try await Fixtures(db).count("outbox")
            #expect(sent == 6)   // the first link, then five more
            let page = try await web.get(TestApp.url("acme", "/membership"))
            #expect(page.contains("already sent several links"))
        }
    }
}
