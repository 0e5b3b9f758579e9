import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// A page view's database calls share one transaction (`withRequestTransaction`), and each call
/// still has exactly its own rights: the tenant and user it names, the audited access only inside
/// its own call.
@Suite struct RequestTransactionTests {
    struct Boom: Error {}

    func notices(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> [String] {
        try await db.app.withTenant(tenant, user: user) { try await $0.notices(user: user).map(\.text) }
    }

    @Test func callsShareOneTransactionThatCommitsAtTheEnd() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let ana = acme.members[0]
            let counter = QueryCounter()

            // act
            let seenInside = try await counter.counting {
                try await db.app.withRequestTransaction {
                    try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "one") }
                    return try await db.app.withTenant(acme.tenant, user: ana) { try await $0.notices(user: ana).map(\.text) }
                }
            }

            // check
            #expect(seenInside == ["one"])
            #expect(counter.transactions == 1)
            #expect(try await notices(db, acme.tenant, ana) == ["one"], "committed")
        }
    }

    @Test func aFailedCallUndoesTheRequestAndLaterCallsGetTheirOwn() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let ana = acme.members[0]
            let counter = QueryCounter()

            // act
            try await counter.counting {
                try await db.app.withRequestTransaction {
                    try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "before") }
                    await #expect(throws: Boom.self) {
                        try await db.app.withTenant(acme.tenant) { tx in
                            try await tx.notify(tenant: acme.tenant, ana, "failing")
                            throw Boom()
                        }
                    }
                    try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "after") }
                }
            }

            // check: the shared transaction rolled back; the call after the failure had its own
            #expect(try await notices(db, acme.tenant, ana) == ["after"])
            #expect(counter.transactions == 2)
        }
    }

    @Test func aThrownRequestRollsBack() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let ana = acme.members[0]

            // act
            await #expect(throws: Boom.self) {
                try await db.app.withRequestTransaction {
                    try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "lost") }
                    throw Boom()
                }
            }

            // check
            #expect(try await notices(db, acme.tenant, ana) == [])
        }
    }

    @Test func eachCallSeesOnlyItsOwnTenant() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let ana = acme.members[0]

            // act
            let (inAcme, inGlobex, inNone, backInAcme) = try await db.app.withRequestTransaction {
                try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "acme only") }
                let inAcme = try await db.app.withTenant(acme.tenant, user: ana) { try await $0.notices(user: ana).count }
                let inGlobex = try await db.app.withTenant(globex.tenant, user: ana) { try await $0.notices(user: ana).count }
                let inNone = try await db.app.withoutTenant(user: ana) { try await $0.notices(user: ana).count }
                let backInAcme = try await db.app.withTenant(acme.tenant, user: ana) { try await $0.notices(user: ana).count }
                return (inAcme, inGlobex, inNone, backInAcme)
            }

            // check
            #expect(inAcme == 1 && backInAcme == 1)
            #expect(inGlobex == 0)
            #expect(inNone == 0)
        }
    }

    @Test func auditedAccessEndsWithItsCall() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let admin = try await fixtures.user("root", admin: true)
            let ana = acme.members[0]
            try await db.app.withTenant(acme.tenant) { try await $0.notify(tenant: acme.tenant, ana, "acme only") }

            // act
            let (audited, afterwards, access) = try await db.app.withRequestTransaction {
                let audited = try await db.app.withPlatformAccess(actor: admin, tenant: acme.tenant, action: "test") {
                    try await $0.notices(user: ana).count
                }
                let afterwards = try await db.app.withTenant(globex.tenant, user: admin) { tx in
                    try await tx.query("SELECT count(*)::int FROM notifications").first(Int.self) ?? -1
                }
                let access = try await db.app.withTenant(globex.tenant) { tx in
                    try await tx.query("SELECT coalesce(current_setting('app.platform_access', true), '')").first(String.self) ?? "?"
                }
                return (audited, afterwards, access)
            }

            // check
            #expect(audited == 1)
            #expect(afterwards == 0, "acme's rows are not visible from globex once the audited call is over")
            #expect(access == "")
        }
    }

    @Test func theVisitorsLookUpMakesThemTheTransactionsUser() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let ana = acme.members[0]
            let token = Array(repeating: UInt8(5), count: 32), host = "acme.example.test"
            try await db.app.withTenant(acme.tenant) { tx in
                try await tx.createSession(tokenHash: token, user: ana, host: host, lifetime: .seconds(3600))
            }
            let user: PostgresQuery = "SELECT coalesce(current_setting('app.user_id', true), '')"
            let asAna = QueryCounter()

            // act
            let (visitor, asAnaSetting, withoutUser) = try await db.app.withRequestTransaction {
                let visitor = try await db.app.withTenant(acme.tenant) { try await $0.tenantVisitor(tokenHash: token, host: host) }
                let asAnaSetting = try await asAna.counting {
                    try await db.app.withTenant(acme.tenant, user: ana) { try await $0.query(user).first(String.self) }
                }
                let withoutUser = try await db.app.withTenant(acme.tenant) { try await $0.query(user).first(String.self) }
                return (visitor, asAnaSetting, withoutUser)
            }

            // check: ana's own call needed no settings statement; a call without a user has none
            #expect(visitor?.session.userID == ana)
            #expect(asAnaSetting == ana.uuidString.lowercased())
            #expect(asAna.statements == 1)
            #expect(withoutUser == "")
        }
    }
}
