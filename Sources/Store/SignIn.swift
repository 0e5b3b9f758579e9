import Foundation
import PostgresNIO

/// Sessions, password resets and failed-login counts: all through the narrow functions of
/// migration 0004, since the app role has no access to those tables.
public struct SessionRecord: Sendable, Equatable {
    public var userID: UserID
    public var username: String
    public var isPlatformAdmin: Bool
    /// Set when a platform admin opened this tenant's organizer portal from the console.
    public var actingTenant: TenantID?
    public var emailConfirmed: Bool
    /// The zone the person reads times in (IANA name), once known.
    public var timeZone: String? = nil
}

public struct ResetTarget: Sendable, Equatable {
    public var id: UserID
    public var username: String
    public var email: String
    public var firstName: String
}

/// Who is signed in on a tenant's host, their membership there and, for an active member, the
/// header's unread counts.
public struct TenantVisitorRecord: Sendable, Equatable {
    public var session: SessionRecord
    public var role: String?
    public var status: String?
    public var unreadMessages: Int
    public var unreadNotices: Int
}

/// Every page view on a tenant's site asks this: one prepared statement instead of three.
struct TenantVisitorLookup: PostgresPreparedStatement {
    static let sql = """
        SELECT s.user_id, s.username, s.is_platform_admin, s.acting_tenant, s.email_confirmed, s.time_zone, m.role, m.status,
               CASE WHEN m.status = 'active' THEN
                   (SELECT count(*)::int FROM messages msg JOIN conversation_members me
                        ON me.conversation_id = msg.conversation_id AND me.user_id = s.user_id
                    WHERE msg.id > me.last_read_id AND msg.sender_id <> s.user_id) ELSE 0 END,
               CASE WHEN m.status = 'active' THEN
                   (SELECT count(*)::int FROM notifications n WHERE n.user_id = s.user_id AND n.read_at IS NULL) ELSE 0 END,
               -- Last, after everything above was read with the tenant alone: the visitor becomes
               -- this transaction's user, as the page's own calls would set next (one round trip
               -- less per page view).
               set_config('app.user_id', s.user_id::text, true)
        FROM session_lookup($1, $2) s
        LEFT JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = app_tenant_id()
        """
    typealias Row = TenantVisitorRecord
    var tokenHash: [UInt8]
    var host: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(ByteBuffer(bytes: tokenHash))
        bindings.append(host)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (user, username, admin, acting, confirmed, zone, role, status, messages, notices, _) =
            try row.decode((UUID, String, Bool, UUID?, Bool, String?, String?, String?, Int, Int, String).self)
        return TenantVisitorRecord(
            session: SessionRecord(userID: user, username: username, isPlatformAdmin: admin, actingTenant: acting,
                                   emailConfirmed: confirmed, timeZone: zone),
            role: role, status: status, unreadMessages: messages, unreadNotices: notices)
    }
}

extension Transaction {
    /// The signed-in person behind a session token on this tenant's host (`withTenant`), with
    /// their membership here and their unread counts.
    /// The transaction's user is then the visitor (`app.user_id`), as `withTenant(_:user:)` sets it.
    public func tenantVisitor(tokenHash: [UInt8], host: String) async throws -> TenantVisitorRecord? {
        let found = try await rows(TenantVisitorLookup(tokenHash: tokenHash, host: host)).first
        if let found { shared?.userWasSet(found.session.userID) }
        return found
    }

    public func createSession(tokenHash: [UInt8], user: UserID, host: String, lifetime: Duration,
                              actingTenant: TenantID? = nil) async throws {
        try await execute("""
            SELECT session_create(\(ByteBuffer(bytes: tokenHash)), \(user), \(host), \(lifetime.seconds) * interval '1 second', \(actingTenant))
            """)
    }

    public func session(tokenHash: [UInt8], host: String) async throws -> SessionRecord? {
        try await query("""
            SELECT user_id, username, is_platform_admin, acting_tenant, email_confirmed, time_zone
            FROM session_lookup(\(ByteBuffer(bytes: tokenHash)), \(host))
            """).first((UUID, String, Bool, UUID?, Bool, String?).self).map {
                SessionRecord(userID: $0.0, username: $0.1, isPlatformAdmin: $0.2, actingTenant: $0.3, emailConfirmed: $0.4,
                              timeZone: $0.5)
            }
    }

    public func deleteSession(tokenHash: [UInt8]) async throws {
        try await execute("SELECT session_delete(\(ByteBuffer(bytes: tokenHash)))")
    }

    public func deleteOtherSessions(user: UserID, keeping tokenHash: [UInt8]?) async throws {
        try await execute("SELECT session_delete_others(\(user), \(tokenHash.map { ByteBuffer(bytes: $0) }))")
    }

    public func passwordResetTargets(login: String) async throws -> [ResetTarget] {
        try await query("SELECT id, username, email, first_name FROM password_reset_targets(\(login))")
            .all((UUID, String, String, String).self)
            .map { ResetTarget(id: $0.0, username: $0.1, email: $0.2, firstName: $0.3) }
    }

    public func storePasswordReset(tokenHash: [UInt8], user: UserID, lifetime: Duration) async throws {
        try await execute("""
            SELECT password_reset_store(\(ByteBuffer(bytes: tokenHash)), \(user), \(lifetime.seconds) * interval '1 second')
            """)
    }

    public func passwordResetIsValid(tokenHash: [UInt8]) async throws -> Bool {
        try await query("SELECT password_reset_valid(\(ByteBuffer(bytes: tokenHash)))").first(Bool.self) ?? false
    }

    /// Uses the token once: sets the password and ends every session of that user.
    /// Returns nil for an unknown, used or expired token.
    public func consumePasswordReset(tokenHash: [UInt8], newPasswordHash: String) async throws -> UserID? {
        try await query("SELECT password_reset_consume(\(ByteBuffer(bytes: tokenHash)), \(newPasswordHash))").first(UUID?.self) ?? nil
    }

    /// Records an attempt under each key and returns each key's count within `window`, this
    /// attempt included; requests sharing a key are counted one at a time. Sign-in uses it,
    /// and so does every other "at most N per hour" limit.
    public func recordAttempt(keys: [String], within window: Duration) async throws -> [Int] {
        try await query("""
            SELECT login_attempt_begin(\(keys), \(window.seconds) * interval '1 second')
            """).first([Int].self) ?? keys.map { _ in Int.max }
    }

    /// The attempt succeeded: the account's attempts from that address stop counting.
    public func loginAttemptSucceeded(pair: String, address: String) async throws {
        try await execute("SELECT login_attempt_succeeded(\(pair), \(address))")
    }

    /// A 60-second hand-off for the console's "open organizer portal" (needs platform access).
    public func createHandoff(tokenHash: [UInt8], host: String, tenant: TenantID) async throws {
        try await execute("SELECT handoff_create(\(ByteBuffer(bytes: tokenHash)), \(host), \(tenant))")
    }

    /// Takes a hand-off once: the platform admin it was made for and the tenant, or nil.
    public func takeHandoff(tokenHash: [UInt8], host: String) async throws -> (user: UserID, tenant: TenantID)? {
        try await query("SELECT user_id, acting_tenant FROM handoff_take(\(ByteBuffer(bytes: tokenHash)), \(host))")
            .first((UUID, UUID?).self).flatMap { row in row.1.map { (row.0, $0) } }
    }
}

extension Duration {
    /// Whole seconds, for SQL intervals.
    public var seconds: Int { Int(components.seconds) }
}
