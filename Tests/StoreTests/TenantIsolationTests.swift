import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// Tenant A's transactions cannot read, change or delete tenant B's rows, whatever ids they use.
@Suite struct TenantIsolationTests {
    @Test func withNoTenantSetTenantTablesAreEmpty() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            // act
            let (memberships, images) = try await db.app.withoutTenant { tx in
                (try await tx.query("SELECT count(*)::int FROM memberships").first(Int.self),
                 try await tx.query("SELECT count(*)::int FROM images").first(Int.self))
            }
            // check
            let total = try await fixtures.countAcrossTenants("memberships")
            #expect(total == 6)
            #expect(memberships == 0)
            #expect(images == 0)
        }
    }

    @Test func tenantSeesOnlyItsOwnMemberships() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 3)
            _ = try await fixtures.populatedTenant("globex", members: 2)
            // act
            let seen = try await db.app.withTenant(acme.tenant) { tx in
                try await tx.query("SELECT tenant_id FROM memberships").all(UUID.self)
            }
            // check
            #expect(seen.count == 4)
            #expect(Set(seen) == [acme.tenant])
        }
    }

    @Test func forgedIDsCannotReadUpdateOrDeleteAnotherTenantsRows() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let victim = globex.members[0]
            // act: acme's transaction names globex's ids explicitly
            let (read, updated) = try await db.app.withTenant(acme.tenant) { tx in
                let read = try await tx.query("""
                    SELECT count(*)::int FROM memberships WHERE tenant_id = \(globex.tenant) AND user_id = \(victim)
                    """).first(Int.self)
                let updated = try await tx.query("""
                    UPDATE memberships SET status = 'suspended' WHERE tenant_id = \(globex.tenant) RETURNING user_id
                    """).all(UUID.self).count
                return (read, updated)
            }
            // the app role may not delete memberships at all (no grant), whatever the tenant
            await expectRefusal {
                try await db.app.withTenant(acme.tenant) { try await $0.execute("DELETE FROM memberships WHERE user_id = \(victim)") }
            }
            // check
            #expect(read == 0)
            #expect(updated == 0)
            let status = try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("SELECT status FROM memberships WHERE user_id = \(victim)", logger: TestEnvironment.logger).first(String.self)
            }
            #expect(status == "active")
        }
    }

    @Test func insertingARowForAnotherTenantIsRefused() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.tenant("globex")
            let outsider = try await fixtures.user("outsider")
            // act / check
            await expectRefusal {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.insertMembership(tenant: globex, user: outsider, role: .organizer)
                }
            }
            let total = try await fixtures.countAcrossTenants("memberships")
            #expect(total == 3)
        }
    }

    @Test func movingARowToAnotherTenantIsRefused() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.tenant("globex")
            // act / check
            await expectRefusal {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.execute("UPDATE memberships SET tenant_id = \(globex) WHERE user_id = \(acme.members[0])")
                }
            }
        }
    }

    @Test func imagesOfAnotherTenantAreInvisibleByID() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            let globex = try await fixtures.tenant("globex")
            let imageID = try await db.app.withTenant(globex) { tx in
                try await tx.insertImage(tenant: globex, sha256: "abc", mime: "image/png", width: 1, height: 1, bytes: [1, 2, 3])
            }
            // act
            let fromAcme = try await db.app.withTenant(acme) { try await $0.image(imageID) }
            let fromGlobex = try await db.app.withTenant(globex) { try await $0.image(imageID) }
            // check
            #expect(fromAcme == nil)
            #expect(fromGlobex?.bytes == [1, 2, 3])
        }
    }

    @Test func usersOfAnotherTenantAreInvisible() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            // act: an acme member looks for users, by id and in bulk
            let (byID, all) = try await db.app.withTenant(acme.tenant, user: acme.members[0]) { tx in
                (try await tx.user(globex.members[0]),
                 try await tx.query("SELECT username FROM users ORDER BY username").all(String.self))
            }
            // check
            #expect(byID == nil)
            #expect(all == ["acme-member1", "acme-member2", "acme-organizer"])
        }
    }

    @Test func aUserRowIsHiddenFromSomeoneWhoIsNotAnActiveMemberHere() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let stranger = try await fixtures.user("stranger")
            // act: the stranger is signed in, on acme's site, but belongs to no tenant
            let seen = try await db.app.withTenant(acme.tenant, user: stranger) { tx in
                try await tx.query("SELECT username FROM users ORDER BY username").all(String.self)
            }
            // check: only their own row
            #expect(seen == ["stranger"])
        }
    }

    @Test func appRoleCannotChangeATenantsStatusOrAnotherTenantsBranding() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            let globex = try await fixtures.tenant("globex")
            // act / check: no column privilege on status
            await expectRefusal {
                try await db.app.withTenant(acme) { try await $0.execute("UPDATE tenants SET status = 'suspended' WHERE id = \(acme)") }
            }
            // set_tenant_status needs platform access
            await expectRefusal {
                try await db.app.withTenant(acme) { try await $0.setTenantStatus(acme, .suspended) }
            }
            // another tenant's branding: the row is not even visible
            let changed = try await db.app.withTenant(acme) { tx in
                try await tx.query("UPDATE tenants SET header_text = 'pwned' WHERE id = \(globex) RETURNING id").all(UUID.self).count
            }
            #expect(changed == 0)
            let header = try await db.owner.query("SELECT header_text FROM tenants WHERE id = \(globex)").first(String.self)
            #expect(header == "Header of globex")
        }
    }

    @Test func onlyAnActiveOrganizerMayChangeTheTenantsBranding() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            func change(as user: UserID?) async throws -> Int {
                try await db.app.withTenant(acme.tenant, user: user) { tx in
                    try await tx.query("UPDATE tenants SET header_text = 'changed' WHERE id = \(acme.tenant) RETURNING id")
                        .all(UUID.self).count
                }
            }
            // act
            let byNobody = try await change(as: nil)
            let byMember = try await change(as: acme.members[0])
            let byOrganizer = try await change(as: acme.organizer)
            // check
            #expect(byNobody == 0 && byMember == 0)
            #expect(byOrganizer == 1)
        }
    }

    @Test func appRoleCannotCreateAPlatformAdmin() async throws {
        try await withTestDatabase { db in
            await expectRefusal {
                try await db.app.withoutTenant { tx in
                    try await tx.execute("""
                        INSERT INTO users (username, email, is_platform_admin) VALUES ('sneaky', 's@example.test', true)
                        """)
                }
            }
            let users = try await Fixtures(db).count("users")
            #expect(users == 0)
        }
    }
}
