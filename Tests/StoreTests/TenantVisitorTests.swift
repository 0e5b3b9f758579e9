import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// The one prepared statement every tenant page view runs to know its visitor answers what the
/// three separate look-ups answered: the session on this host, the membership here, and the
/// unread counts of an active member only.
@Suite struct TenantVisitorTests {
    @Test func theCombinedLookUpAnswersAsTheSeparateOnes() async throws {
        try await withTestDatabase { db in
            // setup: ana (active, one unread message and one unread notice), wes (awaiting
            // payment, a notice), and ana's session used on globex's host.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let ana = acme.members[0], ben = acme.members[1]
            let wes = try await fixtures.user("wes")
            try await fixtures.membership(acme.tenant, wes, status: .awaitingPayment)
            let acmeHost = "acme.example.test", globexHost = "globex.example.test"
            let tokens: [(String, [UInt8], UserID)] = [("ana", Array(repeating: 1, count: 32), ana), ("wes", Array(repeating: 2, count: 32), wes)]
            try await db.app.withTenant(acme.tenant) { tx in
                for (_, token, user) in tokens {
                    try await tx.createSession(tokenHash: token, user: user, host: acmeHost, lifetime: .seconds(3600))
                }
                let conversation = try await tx.conversation(tenant: acme.tenant, between: ana, and: ben)
                _ = try await tx.addMessage(tenant: acme.tenant, conversation: conversation, sender: ben, body: "hello")
                try await tx.notify(tenant: acme.tenant, ana, "Ben wrote")
                try await tx.notify(tenant: acme.tenant, wes, "Welcome")
            }
            try await db.app.withTenant(globex.tenant) { tx in
                try await tx.createSession(tokenHash: Array(repeating: 3, count: 32), user: ana, host: globexHost, lifetime: .seconds(3600))
            }

            // act
            func lookUp(_ tenant: TenantID, _ token: [UInt8], _ host: String) async throws -> TenantVisitorRecord? {
                try await db.app.withTenant(tenant) { tx in try await tx.tenantVisitor(tokenHash: token, host: host) }
            }
            let anaHere = try await lookUp(acme.tenant, tokens[0].1, acmeHost)
            let wesHere = try await lookUp(acme.tenant, tokens[1].1, acmeHost)
            let anaOnGlobex = try await lookUp(globex.tenant, Array(repeating: 3, count: 32), globexHost)
            let wrongHost = try await lookUp(acme.tenant, tokens[0].1, globexHost)
            let unknown = try await lookUp(acme.tenant, Array(repeating: 9, count: 32), acmeHost)
            let separate = try await db.app.withTenant(acme.tenant) { tx in
                (try await tx.session(tokenHash: tokens[0].1, host: acmeHost), try await tx.membership(user: ana),
                 try await tx.unreadCounts(user: ana))
            }

            // check
            #expect(anaHere?.session == separate.0)
            #expect(anaHere?.role == separate.1?.role.rawValue && anaHere?.status == separate.1?.status.rawValue)
            #expect(anaHere?.unreadMessages == 1 && anaHere?.unreadNotices == 1)
            #expect(separate.2.messages == 1 && separate.2.notices == 1)
            #expect(wesHere?.status == MembershipStatus.awaitingPayment.rawValue)
            #expect(wesHere?.unreadMessages == 0 && wesHere?.unreadNotices == 0)
            #expect(anaOnGlobex?.session.userID == ana && anaOnGlobex?.role == nil && anaOnGlobex?.status == nil)
            #expect(wrongHost == nil)
            #expect(unknown == nil)
        }
    }
}
