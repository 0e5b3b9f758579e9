import Foundation
import MingleApp
import Store
import Testing
import TestSupport

/// The operator commands behind `mingle create-admin` and `mingle seed-demo`.
@Suite struct CommandTests {
    @Test func createAdminMakesAnAdminWhoCanOpenTheConsole() async throws {
        try await TestApp.run { db, web in
            // act
            let id = try await AdminTool.createAdmin(config: TestApp.configuration(db), username: "Chief", email: "chief@example.test",
                                                     password: "a long admin password", logger: TestEnvironment.logger)
            let signIn = try await web.post(TestApp.url(nil, "/sign-in"), [("username", "chief"), ("password", "a long admin password")])
            let console = try await web.get(TestApp.url(nil, "/admin"))
            // check
            let row = try await db.owner.query("SELECT username, is_platform_admin, password_hash FROM users WHERE id = \(id)")
                .first((String, Bool, String).self)
            #expect(row?.0 == "chief" && row?.1 == true)
            #expect(row?.2.hasPrefix("$2b$12$") == true || row?.2.hasPrefix("$2y$12$") == true, "bcrypt cost 12")
            #expect(signIn.status == .seeOther && console.status == .ok)
        }
    }

    @Test func createAdminPromotesAnExistingUser() async throws {
        try await withTestDatabase { db in
            let existing = try await Fixtures(db).user("already")
            let id = try await AdminTool.createAdmin(config: TestApp.configuration(db), username: "already", email: "a@example.test",
                                                     password: "another long password", logger: TestEnvironment.logger)
            let isAdmin = try await db.owner.query("SELECT is_platform_admin FROM users WHERE id = \(existing)").first(Bool.self)
            #expect(id == existing && isAdmin == true)
        }
    }

    @Test func seedDemoCreatesBothBrandedTenantsAndIsSafeToRepeat() async throws {
        try await withTestDatabase { db in
            // act
            let seeder = DemoSeeder(config: TestApp.configuration(db), logger: TestEnvironment.logger)
            let first = try await seeder.run()
            _ = try await seeder.run()
            // check
            let fixtures = Fixtures(db)
            let tenants = try await db.owner.query("SELECT slug, logo_image_id IS NOT NULL FROM tenants ORDER BY slug").all((String, Bool).self)
            #expect(tenants.map(\.0) == ["acme", "globex"] && tenants.allSatisfy(\.1))
            #expect(try await fixtures.countAcrossTenants("memberships") == 10)
            #expect(try await fixtures.countAcrossTenants("images") == 2)
            #expect(try await fixtures.count("users WHERE is_platform_admin") == 1)
            #expect(first.count == 11 && first.contains { $0.username == "admin" && $0.role == "platform admin" })
            // acme: two sessions ahead and one held two weeks ago, with its surveys (once).
            #expect(try await fixtures.countAcrossTenants("live_sessions") == 3)
            let pairings = try await fixtures.countAcrossTenants("live_pairings")
            #expect(pairings >= 5)  // five members: two pairs a round, never the same pair twice
            #expect(try await fixtures.countAcrossTenants("live_survey_responses") == 2 * pairings)
        }
    }
}
