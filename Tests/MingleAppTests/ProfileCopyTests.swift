import Foundation
import Hummingbird
@testable import MingleApp
import PostgresNIO
import Store
import Testing
import TestSupport

/// Copying one's profile from another community (issue 14): matching sections only, the
/// picture's bytes into this community's images, and only from a community one belongs to.
@Suite struct ProfileCopyTests {
    /// A section written straight into a tenant.
    func section(_ db: TestDatabase, _ tenant: TenantID, _ label: String, _ kind: String, options: [String] = [], position: Int) async throws -> UUID {
        let id = UUID()
        let json = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                INSERT INTO profile_sections (tenant_id, id, label, kind, options, position)
                VALUES (\(tenant), \(id), \(label), \(kind), \(json)::jsonb, \(position))
                """, logger: TestEnvironment.logger)
        }
        return id
    }

    func answer(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID, _ section: UUID, _ value: String) async throws {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("INSERT INTO profile_answers (tenant_id, user_id, section_id, value) VALUES (\(tenant), \(user), \(section), \(value))",
                              logger: TestEnvironment.logger)
        }
    }

    func answers(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> [UUID: String] {
        let rows = try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT section_id, value FROM profile_answers WHERE user_id = \(user)", logger: TestEnvironment.logger)
                .all((UUID, String).self)
        }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    /// The picture of `user` in `tenant`: its image's tenant, hash and bytes.
    func picture(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> (UUID, String, [UInt8])? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                SELECT i.tenant_id, i.sha256, i.bytes FROM profiles p JOIN images i ON i.tenant_id = p.tenant_id AND i.id = p.picture_image_id
                WHERE p.user_id = \(user)
                """, logger: TestEnvironment.logger).first((UUID, String, ByteBuffer).self).map { ($0.0, $0.1, Array($0.2.readableBytesView)) }
        }
    }

    /// A person in acme and globex with a full profile and a picture in globex.
    func twoCommunities(_ db: TestDatabase) async throws -> (acme: TenantID, globex: TenantID, me: UserID, acmeSections: [String: UUID]) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme")
        let globex = try await fixtures.populatedTenant("globex")
        let me = acme.members[0]
        try await fixtures.membership(globex.tenant, me)
        let company = try await section(db, globex.tenant, "Company", "short_text", position: 1)
        let interests = try await section(db, globex.tenant, "Interests", "long_text", position: 2)
        let role = try await section(db, globex.tenant, "Role", "choice", options: ["Founder", "Investor"], position: 3)
        let website = try await section(db, globex.tenant, "Website", "link", position: 4)
        let city = try await section(db, globex.tenant, "City", "short_text", position: 5)
        for (section, value) in [(company, "Initech"), (interests, "Robots\nand tea"), (role, "Investor"),
                                 (website, "https://ada.example"), (city, "Paris")] {
            try await answer(db, globex.tenant, me, section, value)
        }
        let image = UUID()
        try await fixtures.inTenant(globex.tenant) { c in
            try await c.query("""
                INSERT INTO images (tenant_id, id, sha256, mime, width, height, bytes, purpose)
                VALUES (\(globex.tenant), \(image), 'abc123', 'image/jpeg', 400, 400, \(ByteBuffer(bytes: [1, 2, 3, 4])), 'profile')
                """, logger: TestEnvironment.logger)
            try await c.query("INSERT INTO profiles (tenant_id, user_id, picture_image_id) VALUES (\(globex.tenant), \(me), \(image))",
                              logger: TestEnvironment.logger)
        }
        // acme: the same company (other letters), interests as a short text, another role list, a city already answered
        let acmeSections = [
            "company": try await section(db, acme.tenant, " company ", "short_text", position: 1),
            "interests": try await section(db, acme.tenant, "Interests", "short_text", position: 2),
            "role": try await section(db, acme.tenant, "Role", "choice", options: ["Founder", "Employee"], position: 3),
            "city": try await section(db, acme.tenant, "City", "short_text", position: 4),
        ]
        return (acme.tenant, globex.tenant, me, acmeSections)
    }

    @Test func anEmptyProfileIsOfferedACopyFromTheOtherCommunity() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await twoCommunities(db)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var alone = WebClient(web.client)
            try await TestApp.signIn(&alone, "acme-member2", tenant: "acme")
            // act
            let page = try await web.get(TestApp.url("acme", "/profile"))
            let nothingToOffer = try await alone.get(TestApp.url("acme", "/profile"))
            // check
            #expect(page.contains(#"<input type="hidden" name="from" value="globex">"#) && page.contains("Copy my profile from Globex"))
            #expect(!nothingToOffer.contains("Copy my profile"))
        }
    }

    @Test func copyingFillsMatchingSectionsCopiesThePictureAndSaysWhatDidNotMatch() async throws {
        try await TestApp.run { db, web in
            // setup: member1 already answered City in acme
            let (acme, globex, me, sections) = try await twoCommunities(db)
            try await answer(db, acme, me, sections["city"]!, "Lyon")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let page = try await web.post(TestApp.url("acme", "/profile/copy"), [("from", "globex")], formURL: TestApp.url("acme", "/profile"))
            // check: the page says what happened
            #expect(page.status == .ok)
            #expect(page.contains("Copied 1 answer and your picture from Globex."))
            #expect(page.contains("<strong>Interests</strong>: here it asks for a short text, not a longer text"))
            #expect(page.contains("<strong>Role</strong>: “Investor” is not one of the options here"))
            #expect(page.contains("<strong>Website</strong>: no section of that title here"))
            #expect(page.contains("<strong>City</strong>: you have already answered it here"))
            // check: what was written
            #expect(try await answers(db, acme, me) == [sections["company"]!: "Initech", sections["city"]!: "Lyon"])
            let copied = try #require(try await picture(db, acme, me))
            #expect(copied.0 == acme && copied.1 == "abc123" && copied.2 == [1, 2, 3, 4])
            #expect(try await picture(db, globex, me)?.0 == globex, "the original stays where it was")
        }
    }

    @Test func copyingNeverReplacesAPictureAlreadyHere() async throws {
        try await TestApp.run { db, web in
            // setup
            let (acme, _, me, _) = try await twoCommunities(db)
            let own = UUID()
            try await Fixtures(db).inTenant(acme) { c in
                try await c.query("""
                    INSERT INTO images (tenant_id, id, sha256, mime, width, height, bytes, purpose)
                    VALUES (\(acme), \(own), 'mine', 'image/jpeg', 400, 400, \(ByteBuffer(bytes: [9])), 'profile')
                    """, logger: TestEnvironment.logger)
                try await c.query("INSERT INTO profiles (tenant_id, user_id, picture_image_id) VALUES (\(acme), \(me), \(own))",
                                  logger: TestEnvironment.logger)
            }
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let page = try await web.post(TestApp.url("acme", "/profile/copy"), [("from", "globex")], formURL: TestApp.url("acme", "/people"))
            // check
            #expect(page.contains("Your picture here was kept"))
            #expect(try await picture(db, acme, me)?.1 == "mine")
        }
    }

    @Test func nobodyCopiesFromACommunityTheyDoNotBelongTo() async throws {
        try await TestApp.run { db, web in
            // setup: member2 is in acme only; member1 left globex
            let (acme, globex, me, _) = try await twoCommunities(db)
            try await Fixtures(db).inTenant(globex) { c in
                try await c.query("UPDATE memberships SET status = 'left' WHERE user_id = \(me)", logger: TestEnvironment.logger)
            }
            var stranger = WebClient(web.client)
            try await TestApp.signIn(&stranger, "acme-member2", tenant: "acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let byStranger = try await stranger.post(TestApp.url("acme", "/profile/copy"), [("from", "globex")], formURL: TestApp.url("acme", "/profile"))
            let afterLeaving = try await web.post(TestApp.url("acme", "/profile/copy"), [("from", "globex")], formURL: TestApp.url("acme", "/profile"))
            let fromHere = try await web.post(TestApp.url("acme", "/profile/copy"), [("from", "acme")], formURL: TestApp.url("acme", "/profile"))
            // check
            #expect(byStranger.status == .notFound && afterLeaving.status == .notFound && fromHere.status == .notFound)
            #expect(try await answers(db, acme, me).isEmpty)
            #expect(try await picture(db, acme, me) == nil)
        }
    }

    @Test func thePlanMatchesByTitleAndKindAndKeepsThisCommunitysOrder() {
        // setup
        let there = [ProfileSection(label: "B", kind: .shortText), ProfileSection(label: "A", kind: .link)]
        let here = [ProfileSection(label: "a", kind: .link), ProfileSection(label: "b ", kind: .shortText)]
        let answers = [there[0].id: "bee", there[1].id: "not a link"]
        // act
        let plan = ProfileCopyPlan(source: there, answers: answers, target: here, existing: [:])
        // check
        #expect(plan.answers == [here[1].id: "bee"])
        #expect(plan.copied == ["b "])
        #expect(plan.skipped == [.init(label: "A", reason: "the answer does not fit this section here")])
    }
}

/// The account page's model: receipts only for completed payments, times through LocalTime.
@Suite struct AccountModelTests {
    @Test func onlyACompletedPaymentHasAReceiptAndTimesNameTheirZone() {
        // setup
        let user = UserRecord(id: UUID(), username: "ada", email: "ada@example.test", firstName: "Ada", lastName: "L", isPlatformAdmin: false)
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        func payment(_ status: Payment.Status) -> Payment {
            Payment(id: UUID(), userID: user.id, amountMinor: 2500, currency: "EUR", payPalOrderID: "O", payPalCaptureID: status == .completed ? "C" : nil,
                    status: status, detail: "", createdAt: at, completedAt: status == .completed ? at : nil)
        }
        let payments = [payment(.completed), payment(.declined)]
        // act
        let model = AccountModel(user: user, emailConfirmed: true, pending: PendingEmailChange(newEmail: "new@example.test", expiresAt: at),
                                 membership: .member, preferences: EmailPreferences(off: [.sessions]), payments: payments,
                                 zone: LocalTime.zone("Europe/Paris"))
        // check
        #expect(model.receipts.map(\.url) == ["/account/receipts/\(payments[0].id.uuidString.lowercased())", nil])
        #expect(model.receipts.map(\.reference) == ["C", "O"] && model.receipts.map(\.status) == ["paid", "declined"])
        #expect(model.receipts[0].when == LocalTime.shortWithZone(at, in: LocalTime.zone("Europe/Paris")))
        #expect(model.pendingUntil?.hasSuffix("(Europe/Paris, UTC+02:00)") == true)
        #expect(model.notifications.map(\.on) == [true, true, false])
    }
}
