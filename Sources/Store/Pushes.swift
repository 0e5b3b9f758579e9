import Foundation
import PostgresNIO

/// A message as a push needs it: the message and the two people of its conversation.
public struct PushedMessage: Sendable {
    public var message: Message
    public var people: [UserID]
}

extension Transaction {
    public func messageForPush(_ id: Int) async throws -> PushedMessage? {
        try await query("""
            SELECT m.id, m.sender_id, m.body, m.created_at, c.user_a, c.user_b
            FROM messages m JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
            WHERE m.id = \(id)
            """).first((Int, UUID, String, Date, UUID, UUID).self).map {
            PushedMessage(message: Message(id: $0.0, sender: $0.1, body: $0.2, createdAt: $0.3), people: [$0.4, $0.5])
        }
    }
}

/// `ActivityLeases` on PostgreSQL (migration 0017): the app role reaches the lease table only
/// through its functions.
public struct ActivityLeaseStore: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func take(kind: String, id: UUID, tenant: UUID, node: UUID, seconds: Double) async throws -> Bool {
        try await database.withoutTenant { tx in
            // NULL (another node holds it) or the fencing number.
            let fencing = try await tx.query("SELECT activity_lease_take(\(kind), \(id), \(tenant), \(node), \(seconds))").first(Int64?.self)
            return fencing.flatMap { $0 } != nil
        }
    }

    /// The leases renewed, as (tenant, kind, id).
    public func renew(_ held: [(tenant: UUID, kind: String, id: UUID)], node: UUID, seconds: Double) async throws -> [(UUID, String, UUID)] {
        try await database.withoutTenant { tx in
            try await tx.query("""
                SELECT of_tenant, kind, activity_id
                FROM activity_lease_renew(\(node), \(held.map(\.tenant)), \(held.map(\.kind)), \(held.map(\.id)), \(seconds))
                """).all((UUID, String, UUID).self)
        }
    }

    public func release(tenant: UUID, kind: String, id: UUID, node: UUID) async throws {
        try await database.withoutTenant { tx in
            try await tx.execute("SELECT activity_lease_release(\(tenant), \(kind), \(id), \(node))")
        }
    }
}
