import Foundation
import PostgresNIO

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
