import Foundation
import PostgresNIO

/// The emails a member can turn off, per community (the in-app messages and notices stay).
public enum EmailKind: String, Sendable, CaseIterable {
    /// New private messages.
    case messages
    /// Someone asks to connect.
    case connections
    /// Session and meeting invitations, changes, cancellations and reminders.
    case sessions
}

/// Which of the `EmailKind`s a member gets in the current community.
public struct EmailPreferences: Sendable, Equatable {
    public var off: Set<EmailKind>
    public init(off: Set<EmailKind> = []) { self.off = off }
    public func wants(_ kind: EmailKind) -> Bool { !off.contains(kind) }
}

/// How a member is available to others in one community (issue 16).
public struct Availability: Sendable, Equatable {
    /// Nobody there is told they are online.
    public var appearOffline: Bool
    /// Calls to them do not ring: the caller hears they are busy.
    public var doNotDisturb: Bool
    public init(appearOffline: Bool = false, doNotDisturb: Bool = false) {
        (self.appearOffline, self.doNotDisturb) = (appearOffline, doNotDisturb)
    }
}

/// A change of address waiting for its link to be followed.
public struct PendingEmailChange: Sendable, Equatable {
    public var newEmail: String
    public var expiresAt: Date
    public init(newEmail: String, expiresAt: Date) { (self.newEmail, self.expiresAt) = (newEmail, expiresAt) }
}

/// What following an address-change link did.
public enum EmailChangeOutcome: Sendable, Equatable {
    case changed(user: UserID, from: String, to: String)
    /// Another account took the address after the change was asked for.
    case taken(user: UserID, address: String)
    /// Unknown, used or expired.
    case invalid
}

/// A community the signed-in person is an active member of.
public struct Community: Sendable, Equatable {
    public var id: TenantID
    public var slug: String
    public var name: String
    public init(id: TenantID, slug: String, name: String) { (self.id, self.slug, self.name) = (id, slug, name) }
}

extension Transaction {
    // MARK: name and address (the user's own row)

    public func setName(user: UserID, firstName: String, lastName: String) async throws {
        try await execute("UPDATE users SET first_name = \(firstName), last_name = \(lastName) WHERE id = \(user)")
    }

    /// Whether an account other than the transaction's user has this address.
    public func emailInUse(_ address: String) async throws -> Bool {
        try await query("SELECT email_in_use(\(address))").first(Bool.self) ?? true
    }

    /// Records a change of address for the transaction's user; an earlier pending one ends.
    public func storeEmailChange(tokenHash: [UInt8], user: UserID, newEmail: String, lifetime: Duration) async throws {
        try await execute("DELETE FROM email_changes WHERE user_id = \(user) AND used_at IS NULL")
        try await execute("""
            INSERT INTO email_changes (token_hash, user_id, new_email, expires_at)
            VALUES (\(ByteBuffer(bytes: tokenHash)), \(user), \(newEmail), now() + \(lifetime.seconds) * interval '1 second')
            """)
    }

    public func pendingEmailChange(user: UserID) async throws -> PendingEmailChange? {
        try await query("""
            SELECT new_email, expires_at FROM email_changes
            WHERE user_id = \(user) AND used_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 1
            """).first((String, Date).self).map { PendingEmailChange(newEmail: $0.0, expiresAt: $0.1) }
    }

    /// Ends every pending change of `user`; true if there was one.
    @discardableResult
    public func cancelEmailChanges(user: UserID) async throws -> Bool {
        try await query("DELETE FROM email_changes WHERE user_id = \(user) AND used_at IS NULL RETURNING 1").all(Int.self).count > 0
    }

    public func consumeEmailChange(tokenHash: [UInt8]) async throws -> EmailChangeOutcome {
        guard let row = try await query("""
            SELECT owner, old_email, new_email, taken FROM email_change_consume(\(ByteBuffer(bytes: tokenHash)))
            """).first((UUID, String?, String, Bool).self) else { return .invalid }
        if row.3 { return .taken(user: row.0, address: row.2) }
        return .changed(user: row.0, from: row.1 ?? "", to: row.2)
    }

    // MARK: the membership in the current tenant

    public func emailPreferences(user: UserID) async throws -> EmailPreferences {
        guard let row = try await query("""
            SELECT email_messages, email_connections, email_sessions FROM memberships
            WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """).first((Bool, Bool, Bool).self) else { return EmailPreferences() }
        var off: Set<EmailKind> = []
        if !row.0 { off.insert(.messages) }
        if !row.1 { off.insert(.connections) }
        if !row.2 { off.insert(.sessions) }
        return EmailPreferences(off: off)
    }

    public func availability(user: UserID) async throws -> Availability {
        try await query("""
            SELECT appear_offline, do_not_disturb FROM memberships WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """).first((Bool, Bool).self).map { Availability(appearOffline: $0.0, doNotDisturb: $0.1) } ?? Availability()
    }

    public func setAvailability(user: UserID, _ availability: Availability) async throws {
        try await execute("""
            UPDATE memberships SET appear_offline = \(availability.appearOffline), do_not_disturb = \(availability.doNotDisturb)
            WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """)
    }

    /// Who opens a live socket here: the name others see and whether they appear offline
    /// (one look-up for both, as the socket is opened).
    public func livePerson(_ user: UserID) async throws -> (name: String, appearOffline: Bool)? {
        try await query("""
            SELECT u.username, u.first_name, u.last_name, coalesce(m.appear_offline, false)
            FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = app_tenant_id()
            WHERE u.id = \(user)
            """).first((String, String, String, Bool).self).map {
                (UserRecord.displayName(username: $0.0, firstName: $0.1, lastName: $0.2), $0.3)
            }
    }

    public func setEmailPreferences(user: UserID, _ preferences: EmailPreferences) async throws {
        try await execute("""
            UPDATE memberships SET email_messages = \(preferences.wants(.messages)),
                email_connections = \(preferences.wants(.connections)), email_sessions = \(preferences.wants(.sessions))
            WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """)
    }

    /// Whether `user` gets this kind of email in the current community (someone with no
    /// membership here, an acting admin, gets what they are sent).
    public func wantsEmail(_ kind: EmailKind, user: UserID) async throws -> Bool {
        try await query("""
            SELECT CASE \(kind.rawValue) WHEN 'messages' THEN email_messages WHEN 'connections' THEN email_connections
                   ELSE email_sessions END
            FROM memberships WHERE user_id = \(user) AND tenant_id = app_tenant_id()
            """).first(Bool.self) ?? true
    }

    /// The member leaves: the membership ends (kept as 'left'), and requests to connect that
    /// wait on them or were sent by them are withdrawn. False if they were not a member.
    @discardableResult
    public func leaveMembership(user: UserID) async throws -> Bool {
        guard try await query("""
            UPDATE memberships SET status = 'left', left_at = now()
            WHERE user_id = \(user) AND tenant_id = app_tenant_id() AND status <> 'left' RETURNING 1
            """).first(Int.self) != nil else { return false }
        try await execute("DELETE FROM connections WHERE status = 'pending' AND \(user) IN (requester_id, recipient_id)")
        return true
    }

    /// Someone who left joins again: the membership waits (for a confirmation or payment, as
    /// a new one would). False if they had not left.
    public func rejoinMembership(user: UserID) async throws -> Bool {
        try await query("""
            UPDATE memberships SET status = 'awaiting_payment', left_at = NULL
            WHERE user_id = \(user) AND tenant_id = app_tenant_id() AND status = 'left' RETURNING 1
            """).first(Int.self) != nil
    }

    /// The communities the transaction's user is an active member of (all tenants).
    public func accountCommunities() async throws -> [Community] {
        try await query("SELECT tenant_id, slug, name FROM account_communities()").all((UUID, String, String).self)
            .map { Community(id: $0.0, slug: $0.1, name: $0.2) }
    }

    /// One payment of `user` in the current tenant.
    public func payment(_ id: UUID, user: UserID) async throws -> Payment? {
        try await query("""
            SELECT id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, detail, created_at, completed_at
            FROM payments WHERE id = \(id) AND user_id = \(user)
            """).first((UUID, UUID, Int, String, String?, String?, String, String, Date, Date?).self).map(Payment.init(row:))
    }
}
