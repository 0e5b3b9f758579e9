import Foundation
import PostgresNIO

public enum Role: String, Sendable, Codable { case organizer, member }

public enum MembershipStatus: String, Sendable, Codable {
    case awaitingPayment = "awaiting_payment", active, suspended
    /// The member left (their own choice); joining again makes the membership wait anew.
    case left
}

public struct UserRecord: Sendable, Equatable {
    public var id: UserID
    public var username: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var isPlatformAdmin: Bool
    public var displayName: String { Self.displayName(username: username, firstName: firstName, lastName: lastName) }

    /// The name others see: first and last name, or the username when both are empty.
    public static func displayName(username: String, firstName: String, lastName: String) -> String {
        let full = "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces)
        return full.isEmpty ? username : full
    }

    public init(id: UserID, username: String, email: String, firstName: String, lastName: String, isPlatformAdmin: Bool) {
        (self.id, self.username, self.email, self.firstName, self.lastName) = (id, username, email, firstName, lastName)
        self.isPlatformAdmin = isPlatformAdmin
    }
}

public struct MemberRecord: Sendable, Equatable {
    public var user: UserRecord
    public var role: Role
    public var status: MembershipStatus
    public var joinedAt: Date

    public init(user: UserRecord, role: Role, status: MembershipStatus, joinedAt: Date) {
        (self.user, self.role, self.status, self.joinedAt) = (user, role, status, joinedAt)
    }
}

extension Transaction {
    public func credentials(username: String) async throws -> (id: UserID, passwordHash: String?)? {
        try await query("SELECT id, password_hash FROM credentials_by_username(\(username))")
            .first((UUID, String?).self).map { ($0.0, $0.1) }
    }

    public func usernameTaken(_ username: String) async throws -> Bool {
        try await query("SELECT username_taken(\(username))").first(Bool.self) ?? false
    }

    public func insertUser(id: UserID = UUID(), username: String, email: String, firstName: String,
                           lastName: String, passwordHash: String?) async throws -> UserID {
        try await execute("""
            INSERT INTO users (id, username, email, first_name, last_name, password_hash)
            VALUES (\(id), \(username.lowercased()), \(email), \(firstName), \(lastName), \(passwordHash))
            """)
        return id
    }

    /// The zone a person reads times in: `onlyIfUnset` takes the browser's the first time it is
    /// known, without overriding one chosen in the account. The caller checked the name.
    public func setTimeZone(user: UserID, _ zone: String, onlyIfUnset: Bool = false) async throws {
        if onlyIfUnset {
            try await execute("UPDATE users SET time_zone = \(zone) WHERE id = \(user) AND time_zone IS NULL")
        } else {
            try await execute("UPDATE users SET time_zone = \(zone) WHERE id = \(user)")
        }
    }

    /// The zones people read times in, of those who have one (and whom RLS lets this transaction see).
    public func timeZones(of users: [UserID]) async throws -> [UserID: String] {
        guard !users.isEmpty else { return [:] }
        let rows = try await query("SELECT id, time_zone FROM users WHERE id = ANY(\(users)) AND time_zone IS NOT NULL")
        var zones: [UserID: String] = [:]
        for try await (id, zone) in rows.decode((UUID, String).self) { zones[id] = zone }
        return zones
    }

    /// The users this transaction may see (RLS `users_read`), by id.
    public func user(_ id: UserID) async throws -> UserRecord? {
        try await query("""
            SELECT id, username, email, first_name, last_name, is_platform_admin FROM users WHERE id = \(id)
            """).first((UUID, String, String, String, String, Bool).self).map(UserRecord.init(row:))
    }

    public func setPassword(user: UserID, hash: String) async throws {
        try await execute("UPDATE users SET password_hash = \(hash) WHERE id = \(user)")
    }

    public func insertMembership(tenant: TenantID, user: UserID, role: Role,
                                 status: MembershipStatus = .active) async throws {
        try await execute("""
            INSERT INTO memberships (tenant_id, user_id, role, status)
            VALUES (\(tenant), \(user), \(role.rawValue), \(status.rawValue))
            """)
    }

    /// The user's membership in the current tenant, if any.
    public func membership(user: UserID) async throws -> (role: Role, status: MembershipStatus)? {
        try await query("""
            SELECT role, status FROM memberships WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """).first((String, String).self).flatMap { row in
                guard let role = Role(rawValue: row.0), let status = MembershipStatus(rawValue: row.1) else { return nil }
                return (role, status)
            }
    }

    /// One person of the current tenant, by username.
    public func member(username: String) async throws -> MemberRecord? {
        try await query("""
            SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_platform_admin, m.role, m.status, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = app_tenant_id() AND u.username = \(username.lowercased())
            """).first((UUID, String, String, String, String, Bool, String, String, Date).self).map { row in
                MemberRecord(user: UserRecord(row: (row.0, row.1, row.2, row.3, row.4, row.5)),
                             role: Role(rawValue: row.6) ?? .member,
                             status: MembershipStatus(rawValue: row.7) ?? .suspended, joinedAt: row.8)
            }
    }

    /// Everyone in the current tenant, organizers first.
    public func members(role: Role? = nil) async throws -> [MemberRecord] {
        try await query("""
            SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_platform_admin,
                   m.role, m.status, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = app_tenant_id() AND (\(role?.rawValue)::text IS NULL OR m.role = \(role?.rawValue))
            ORDER BY m.role DESC, lower(u.last_name), lower(u.first_name), u.username
            """).all((UUID, String, String, String, String, Bool, String, String, Date).self).map { row in
                MemberRecord(user: UserRecord(row: (row.0, row.1, row.2, row.3, row.4, row.5)),
                             role: Role(rawValue: row.6) ?? .member,
                             status: MembershipStatus(rawValue: row.7) ?? .suspended, joinedAt: row.8)
            }
    }
}

extension UserRecord {
    init(row: (UUID, String, String, String, String, Bool)) {
        self.init(id: row.0, username: row.1, email: row.2, firstName: row.3, lastName: row.4, isPlatformAdmin: row.5)
    }
}
