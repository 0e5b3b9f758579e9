import Foundation
import Hummingbird
import Store
import Testing
import TestSupport
@testable import MingleApp

/// The organizer's membership settings and members list.
@Suite struct OrganizerMembersTests {
    static let settingsURL = TestApp.url("acme", "/organize/membership")

    func settings(fee: String = "12.50", currency: String = "EUR", clientID: String = "client-123", secret: String = "",
                  webhook: String = "WH-1", welcome: String = "Hi!", forget: Bool = false) -> [(String, String)] {
        var fields = [("fee", fee), ("currency", currency), ("paypal_client_id", clientID), ("paypal_secret", secret),
                      ("paypal_webhook_id", webhook), ("welcome", welcome)]
        if forget { fields.append(("forget_secret", "on")) }
        return fields
    }

    func stored(_ db: TestDatabase, _ tenant: TenantID) async throws -> (Int, String, [UInt8]?)? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT fee_minor, currency, paypal_secret_sealed FROM membership_settings", logger: TestEnvironment.logger)
                .first((Int, String, ByteBuffer?).self).map { ($0.0, $0.1, $0.2.map { Array($0.readableBytesView) }) }
        }
    }

    @Test func theSecretIsSealedAtRestAndNeverShownAgain() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let secret = "EJb-very-secret-\(UUID().uuidString)"
            // act
            let saved = try await web.post(Self.settingsURL, settings(secret: secret))
            let page = try await web.get(Self.settingsURL)
            // check
            #expect(saved.status == .seeOther)
            let row = try #require(try await stored(db, acme.tenant))
            #expect(row.0 == 1250 && row.1 == "EUR")
            let sealed = try #require(row.2)
            #expect(!String(decoding: sealed, as: UTF8.self).contains(secret))
            let box = SecretBox(platformSecret: TestApp.configuration(db).secretKey, purpose: "paypal")
            #expect(try box.open(sealed) == secret)
            #expect(!page.contains(secret) && page.contains("saved and hidden"))
            #expect(page.contains("value=\"12.50\"") && page.contains("value=\"client-123\""))
        }
    }

    @Test func savingWithoutANewSecretKeepsTheOldOneAndForgettingRemovesIt() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            _ = try await web.post(Self.settingsURL, settings(secret: "first-secret"))
            let first = try await stored(db, acme.tenant)?.2
            _ = try await web.post(Self.settingsURL, settings(fee: "20"))
            let kept = try await stored(db, acme.tenant)
            _ = try await web.post(Self.settingsURL, settings(forget: true))
            let forgotten = try await stored(db, acme.tenant)
            #expect(first != nil && kept?.2 == first && kept?.0 == 2000)
            #expect(forgotten?.2 == nil)
        }
    }

    @Test func badFeesAreRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            for (fee, currency, message) in [("12.505", "EUR", "at most two decimals"), ("-5", "EUR", "at most two decimals"),
                                             ("ten", "EUR", "at most two decimals"), ("15.5", "JPY", "whole number"),
                                             ("10", "XXX", "Choose a currency")] {
                let page = try await web.post(Self.settingsURL, settings(fee: fee, currency: currency))
                #expect(page.status == .unprocessableContent, "\(fee) \(currency)")
                #expect(page.contains(message), "\(fee) \(currency)")
            }
            #expect(try await stored(db, acme.tenant) == nil)
        }
    }

    @Test func aMemberCannotOpenTheSettings() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            #expect(try await web.get(Self.settingsURL).status == .forbidden)
            let post = try await web.post(Self.settingsURL, settings(), formURL: TestApp.url("acme"))
            #expect(post.status == .forbidden)
        }
    }

    @Test func theMembersListSearchesAndFiltersAndShowsOnlyThisTenant() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 3)
            _ = try await fixtures.populatedTenant("globex")
            let waiting = try await fixtures.user("waiting-will")
            try await fixtures.membership(acme.tenant, waiting, status: .awaitingPayment)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let all = try await web.get(TestApp.url("acme", "/organize/members"))
            let search = try await web.get(TestApp.url("acme", "/organize/members?q=member2"))
            let filtered = try await web.get(TestApp.url("acme", "/organize/members?status=awaiting_payment"))
            let foreign = try await web.get(TestApp.url("acme", "/organize/members/globex-member1"))
            // check
            #expect(all.contains("acme-member3") && all.contains("waiting-will") && !all.contains("globex"))
            #expect(all.contains("5 of 5 people"))
            #expect(search.contains("acme-member2") && !search.contains("acme-member1<"))
            #expect(filtered.contains("waiting-will") && !filtered.contains("acme-member1<") && filtered.contains("awaiting payment"))
            #expect(foreign.status == .notFound)
        }
    }

    @Test func theMemberPageShowsTheirProfileAndPayments() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let section = UUID()
            try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("INSERT INTO profile_sections (tenant_id, id, label, kind, position) VALUES (\(acme.tenant), \(section), 'Headline', 'short_text', 1)",
                                  logger: TestEnvironment.logger)
                try await c.query("INSERT INTO profile_answers (tenant_id, user_id, section_id, value) VALUES (\(acme.tenant), \(acme.members[0]), \(section), 'Builds <robots>')",
                                  logger: TestEnvironment.logger)
                try await c.query("INSERT INTO payments (tenant_id, user_id, amount_minor, currency, status, paypal_order_id) VALUES (\(acme.tenant), \(acme.members[0]), 2500, 'EUR', 'completed', 'ORDER42')",
                                  logger: TestEnvironment.logger)
            }
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let page = try await web.get(TestApp.url("acme", "/organize/members/acme-member1"))
            // check
            #expect(page.contains("Headline") && page.contains("Builds &lt;robots&gt;"))
            #expect(page.contains("25.00 EUR") && page.contains("ORDER42") && page.contains("completed"))
        }
    }

    @Test func reactivatingAMemberWhoNeverPaidDoesNotMakeThemActive() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("INSERT INTO membership_settings (tenant_id, fee_minor) VALUES (\(acme.tenant), 1000)", logger: TestEnvironment.logger)
            }
            let unpaid = try await fixtures.user("unpaid")
            try await fixtures.membership(acme.tenant, unpaid, status: .awaitingPayment)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let detail = TestApp.url("acme", "/organize/members/unpaid")
            _ = try await web.post(TestApp.url("acme", "/organize/members/unpaid/suspend"), [], formURL: detail)
            let back = try await web.post(TestApp.url("acme", "/organize/members/unpaid/reactivate"), [], formURL: detail)
            let status = try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("SELECT status FROM memberships WHERE user_id = \(unpaid)", logger: TestEnvironment.logger).first(String.self)
            }
            #expect(back.status == .seeOther && status == "awaiting_payment")
        }
    }

    @Test func suspendingAMemberAndReactivatingThem() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            var member = WebClient(web.client)
            try await TestApp.signIn(&member, "acme-member1", tenant: "acme")
            let detail = TestApp.url("acme", "/organize/members/acme-member1")
            // act
            let suspended = try await web.post(TestApp.url("acme", "/organize/members/acme-member1/suspend"), [], formURL: detail)
            let seenSuspended = try await member.get(TestApp.url("acme", "/membership"))
            let reactivated = try await web.post(TestApp.url("acme", "/organize/members/acme-member1/reactivate"), [], formURL: detail)
            let organizerSelf = try await web.post(TestApp.url("acme", "/organize/members/acme-organizer/suspend"), [], formURL: detail)
            // check
            #expect(suspended.status == .seeOther && reactivated.status == .seeOther)
            #expect(seenSuspended.contains("Suspended"))
            #expect(organizerSelf.status == .conflict)
            let status = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT status FROM memberships WHERE user_id = \(acme.members[0])", logger: TestEnvironment.logger).first(String.self)
            }
            #expect(status == "active")
        }
    }

    @Test func anotherTenantsMembersCannotBeSuspendedOrReactivated() async throws {
        try await TestApp.run { db, web in
            // setup: globex has an active member, a suspended one and its organizer
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let sleeper = try await fixtures.user("globex-sleeper")
            try await fixtures.membership(globex.tenant, sleeper, status: .suspended)
            func statuses() async throws -> [String] {
                try await fixtures.inTenant(globex.tenant) { c in
                    try await c.query("SELECT u.username, m.status FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY u.username",
                                      logger: TestEnvironment.logger).all((String, String).self)
                }.map { "\($0.0) \($0.1)" }
            }
            let before = try await statuses()
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act: on acme's portal, both actions on each of globex's people and on nobody at all
            var answers: [(String, Page)] = []
            for username in ["globex-member1", "globex-sleeper", "globex-organizer", "nobody"] {
                for action in ["suspend", "reactivate"] {
                    answers.append(("\(action) \(username)", try await web.post(TestApp.url("acme", "/organize/members/\(username)/\(action)"), [],
                                                                              formURL: TestApp.url("acme", "/organize/members"))))
                }
            }
            // check: not found, never a flash; globex's memberships as they were
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(answers.allSatisfy { $0.1.contains("There is no member") })
            #expect(try await statuses() == before)
            #expect(before.contains("globex-member1 active") && before.contains("globex-sleeper suspended"))
        }
    }
}

@Suite struct MoneyTests {
    @Test(arguments: [("12.50", "EUR", 1250), ("12,5", "EUR", 1250), ("0", "EUR", 0), ("7", "USD", 700), ("1500", "JPY", 1500),
                      ("0.01", "GBP", 1)])
    func parses(text: String, currency: String, minor: Int) {
        #expect(Money.parse(text, currency: currency) == minor)
    }

    @Test(arguments: [("12.505", "EUR"), ("1.5", "JPY"), ("-1", "EUR"), ("", "EUR"), ("1e3", "EUR"), ("12.", "EUR"), ("١٢", "EUR")])
    func refuses(text: String, currency: String) {
        #expect(Money.parse(text, currency: currency) == nil)
    }

    @Test func formatsWithTheCurrencysDecimals() {
        #expect(Money.format(1250, "EUR") == "12.50 EUR")
        #expect(Money.format(5, "USD") == "0.05 USD")
        #expect(Money.format(1500, "JPY") == "1500 JPY")
    }
}
