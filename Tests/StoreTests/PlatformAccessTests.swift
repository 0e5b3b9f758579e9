import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// Platform admins cross tenants through one path, which the database checks and audits.
@Suite struct PlatformAccessTests {
    @Test func adminSeesAnyTenantAndTheAccessIsAudited() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let globex = try await fixtures.populatedTenant("globex", members: 3)
            let admin = try await fixtures.user("root", admin: true)
            // act
            let members = try await db.app.withPlatformAccess(actor: admin, tenant: globex.tenant, action: "view members",
                                                              detail: "test") { try await $0.members() }
            // check
            #expect(members.count == 4)
            let audit = try await db.owner.query("SELECT actor_id, tenant_id, action, detail FROM platform_audit")
                .all((UUID, UUID?, String, String).self)
            #expect(audit.count == 1)
            #expect(audit.first?.0 == admin)
            #expect(audit.first?.1 == globex.tenant)
            #expect(audit.first?.2 == "view members")
        }
    }

    @Test func aNonAdminCannotTakeThePlatformPath() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let globex = try await fixtures.populatedTenant("globex")
            // act / check
            await expectRefusal {
                try await db.app.withPlatformAccess(actor: globex.organizer, tenant: globex.tenant, action: "snoop") {
                    _ = try await $0.members()
                }
            }
            let audited = try await db.owner.query("SELECT count(*)::int FROM platform_audit").first(Int.self)
            #expect(audited == 0)
        }
    }

    @Test func settingTheAccessFlagByHandGrantsNothing() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.tenant("acme")
            _ = try await fixtures.tenant("globex")
            let admin = try await fixtures.user("root", admin: true)
            let earlier = try await db.app.withPlatformAccess(actor: admin, tenant: nil, action: "list") { tx in
                try await tx.query("SELECT current_setting('app.platform_access')").first(String.self)
            }
            // act: a later transaction replays the audit id of an earlier one
            let visible = try await db.app.withoutTenant { tx in
                try await tx.execute("SELECT set_config('app.platform_access', \(earlier ?? ""), true)")
                return try await tx.visibleTenants().count
            }
            // check
            #expect(earlier != nil)
            #expect(visible == 0)
        }
    }

    @Test func platformAccessEndsWithItsTransaction() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.tenant("acme")
            _ = try await fixtures.tenant("globex")
            let admin = try await fixtures.user("root", admin: true)
            // act
            let during = try await db.app.withPlatformAccess(actor: admin, tenant: nil, action: "list tenants") {
                try await $0.visibleTenants().count
            }
            let after = try await db.app.withoutTenant { try await $0.visibleTenants().count }
            // check
            #expect(during == 2)
            #expect(after == 0)
        }
    }
}
