import Foundation
import PostgresNIO

public struct Connection: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, accepted }
    public var id: UUID
    public var requester: UserID
    public var recipient: UserID
    public var status: Status
    public var acceptedBy: UserID?
    public var createdAt: Date

    public func other(than user: UserID) -> UserID { requester == user ? recipient : requester }
}

/// A connection with the other person's name, for lists.
public struct ConnectionListing: Sendable, Equatable {
    public var connection: Connection
    public var otherUsername: String
    public var otherName: String
}

extension Transaction {
    private static let connectionColumns = "id, requester_id, recipient_id, status, accepted_by, created_at"

    /// The connection or request between two people, whichever asked.
    public func connection(between a: UserID, and b: UserID) async throws -> Connection? {
        try await query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.connectionColumns) FROM connections
            WHERE least(requester_id, recipient_id) = least($1::uuid, $2::uuid)
              AND greatest(requester_id, recipient_id) = greatest($1::uuid, $2::uuid) FOR UPDATE
            """, binds: Self.binds(a, b))).first((UUID, UUID, UUID, String, UUID?, Date).self).map(Connection.init(row:))
    }

    /// Every connection or request between two of `people` (reports show who is connected).
    public func connections(among people: [UserID]) async throws -> [Connection] {
        guard !people.isEmpty else { return [] }
        return try await query("""
            SELECT \(unescaped: Self.connectionColumns) FROM connections
            WHERE requester_id = ANY(\(people)) AND recipient_id = ANY(\(people))
            """).all((UUID, UUID, UUID, String, UUID?, Date).self).map(Connection.init(row:))
    }

    public func connection(_ id: UUID) async throws -> Connection? {
        try await query(PostgresQuery(unsafeSQL: "SELECT \(Self.connectionColumns) FROM connections WHERE id = $1 FOR UPDATE",
                                      binds: Self.binds(id)))
            .first((UUID, UUID, UUID, String, UUID?, Date).self).map(Connection.init(row:))
    }

    public func insertConnection(tenant: TenantID, from requester: UserID, to recipient: UserID,
                                 acceptedBy: UserID? = nil) async throws -> UUID {
        let id = UUID()
        let status = acceptedBy == nil ? "pending" : "accepted"
        try await execute("""
            INSERT INTO connections (tenant_id, id, requester_id, recipient_id, status, accepted_by, accepted_at)
            VALUES (\(tenant), \(id), \(requester), \(recipient), \(status), \(acceptedBy),
                    CASE WHEN \(status) = 'accepted' THEN now() END)
            """)
        return id
    }

    public func acceptConnection(_ id: UUID, by user: UserID) async throws {
        try await execute("""
            UPDATE connections SET status = 'accepted', accepted_by = \(user), accepted_at = now() WHERE id = \(id)
            """)
    }

    public func deleteConnection(_ id: UUID) async throws {
        try await execute("DELETE FROM connections WHERE id = \(id)")
    }

    /// Everything involving `user`: their connections, and requests to and from them. People
    /// who left the community are not listed (their connections come back if they rejoin).
    public func connections(of user: UserID) async throws -> [ConnectionListing] {
        try await query("""
            SELECT c.id, c.requester_id, c.recipient_id, c.status, c.accepted_by, c.created_at, u.username,
                   trim(u.first_name || ' ' || u.last_name)
            FROM connections c JOIN users u ON u.id = CASE WHEN c.requester_id = \(user) THEN c.recipient_id ELSE c.requester_id END
            WHERE \(user) IN (c.requester_id, c.recipient_id)
              AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = c.tenant_id AND m.user_id = u.id AND m.status = 'left')
            ORDER BY c.status, lower(u.last_name), lower(u.first_name)
            """).all((UUID, UUID, UUID, String, UUID?, Date, String, String).self).map { row in
                ConnectionListing(connection: Connection(row: (row.0, row.1, row.2, row.3, row.4, row.5)),
                                  otherUsername: row.6, otherName: row.7.isEmpty ? row.6 : row.7)
            }
    }

    /// The people `user` may write to (and call) in the current tenant, by name: their
    /// connections and the organizers — everyone, for an organizer. Active members only; at most
    /// `limit`. (Who of them is online is the page's presence to tell.)
    public func reachablePeople(of user: UserID, asOrganizer: Bool, limit: Int = 500) async throws -> [(id: UserID, username: String, name: String)] {
        try await query("""
            SELECT u.id, u.username, u.first_name, u.last_name
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = app_tenant_id() AND m.status = 'active' AND m.user_id <> \(user)
              AND (\(asOrganizer) OR m.role = 'organizer' OR EXISTS (
                  SELECT 1 FROM connections c WHERE c.tenant_id = m.tenant_id AND c.status = 'accepted'
                    AND ((c.requester_id = \(user) AND c.recipient_id = m.user_id) OR (c.recipient_id = \(user) AND c.requester_id = m.user_id))))
            ORDER BY lower(u.last_name), lower(u.first_name), u.username
            LIMIT \(limit)
            """).all((UUID, String, String, String).self).map {
                (id: $0.0, username: $0.1, name: UserRecord.displayName(username: $0.1, firstName: $0.2, lastName: $0.3))
            }
    }

    /// Pending requests of the whole tenant, oldest first, with both names (for organizers).
    public func pendingConnections() async throws -> [(connection: Connection, from: String, to: String)] {
        try await query("""
            SELECT c.id, c.requester_id, c.recipient_id, c.status, c.accepted_by, c.created_at, a.username, b.username
            FROM connections c JOIN users a ON a.id = c.requester_id JOIN users b ON b.id = c.recipient_id
            WHERE c.status = 'pending' ORDER BY c.created_at
            """).all((UUID, UUID, UUID, String, UUID?, Date, String, String).self).map {
                (Connection(row: ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5)), $0.6, $0.7)
            }
    }

    static func binds(_ values: UUID...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}

extension Connection {
    init(row: (UUID, UUID, UUID, String, UUID?, Date)) {
        self.init(id: row.0, requester: row.1, recipient: row.2, status: Status(rawValue: row.3) ?? .pending,
                  acceptedBy: row.4, createdAt: row.5)
    }
}

// MARK: notifications

public struct Notice: Sendable, Equatable {
    public var id: UUID
    public var text: String
    public var link: String
    public var createdAt: Date
    public var read: Bool
}

extension Transaction {
    /// Tells `user` (in the current tenant) that something happened; `link` is a path on this site.
    public func notify(tenant: TenantID, _ user: UserID, _ text: String, link: String = "") async throws {
        try await execute("""
            INSERT INTO notifications (tenant_id, user_id, text, link) VALUES (\(tenant), \(user), \(text), \(link))
            """)
    }

    public func notices(user: UserID, limit: Int = 50) async throws -> [Notice] {
        try await query("""
            SELECT id, text, link, created_at, read_at IS NOT NULL FROM notifications WHERE user_id = \(user)
            ORDER BY created_at DESC LIMIT \(limit)
            """).all((UUID, String, String, Date, Bool).self).map { Notice(id: $0.0, text: $0.1, link: $0.2, createdAt: $0.3, read: $0.4) }
    }

    public func markNoticesRead(user: UserID) async throws {
        try await execute("UPDATE notifications SET read_at = now() WHERE user_id = \(user) AND read_at IS NULL")
    }
}
