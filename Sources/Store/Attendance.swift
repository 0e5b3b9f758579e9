import Foundation
import PostgresNIO

/// A member's answer to an invitation.
public enum InvitationAnswer: String, Sendable, Equatable, CaseIterable {
    /// "I'll come".
    case yes
    /// "Can't come".
    case no
}

/// One member's invitation to one session, as the member's page and the emailed links see it.
public struct InvitationRecord: Sendable, Equatable {
    public var session: UUID
    public var user: UserID
    public var invitedAt: Date
    public var openedAt: Date?
    public var answer: InvitationAnswer?
    public var answeredAt: Date?

    public init(session: UUID, user: UserID, invitedAt: Date, openedAt: Date?, answer: InvitationAnswer?, answeredAt: Date?) {
        (self.session, self.user, self.invitedAt, self.openedAt) = (session, user, invitedAt, openedAt)
        (self.answer, self.answeredAt) = (answer, answeredAt)
    }
}

/// What an emailed invitation link stands for: the invitation, and whether its member is still
/// an active member. (Nobody is signed in on that page, so the member's `users` row is not
/// visible there, nor needed: the page does not name whom the link belongs to.)
public struct InvitationLinkRecord: Sendable, Equatable {
    public var invitation: InvitationRecord
    public var memberActive: Bool
}

/// One person of a session's attendance: invited, or came without an invitation on record.
public struct AttendeeRecord: Sendable, Equatable {
    public var user: UserRecord
    public var role: Role
    /// Nil when the person came without holding an invitation (e.g. an organizer).
    public var invitation: InvitationRecord?
    /// First time they entered the live room.
    public var firstEnteredAt: Date?

    public init(user: UserRecord, role: Role, invitation: InvitationRecord?, firstEnteredAt: Date?) {
        (self.user, self.role, self.invitation, self.firstEnteredAt) = (user, role, invitation, firstEnteredAt)
    }
}

/// One page's stay in the live room; `leftAt` nil while it is open (or if it was never closed).
public struct RoomVisitRecord: Sendable, Equatable {
    public var user: UserID
    public var enteredAt: Date
    public var leftAt: Date?

    public init(user: UserID, enteredAt: Date, leftAt: Date?) {
        (self.user, self.enteredAt, self.leftAt) = (user, enteredAt, leftAt)
    }
}

/// One pairing as attendance counts it: who, and in which round.
public struct AttendancePairing: Sendable, Equatable {
    public var memberA: UserID
    public var memberB: UserID
    public var round: Int

    public init(memberA: UserID, memberB: UserID, round: Int) {
        (self.memberA, self.memberB, self.round) = (memberA, memberB, round)
    }
}

/// Everything recorded about who was invited to a session and who came.
public struct SessionAttendanceRecord: Sendable, Equatable {
    public var people: [AttendeeRecord]
    public var visits: [RoomVisitRecord]
    public var pairings: [AttendancePairing]

    public init(people: [AttendeeRecord], visits: [RoomVisitRecord], pairings: [AttendancePairing]) {
        (self.people, self.visits, self.pairings) = (people, visits, pairings)
    }
}

/// How many members answered a session's invitation, each way.
public struct InvitationCounts: Sendable, Equatable {
    public var invited = 0
    public var coming = 0
    public var notComing = 0

    public init(invited: Int = 0, coming: Int = 0, notComing: Int = 0) {
        (self.invited, self.coming, self.notComing) = (invited, coming, notComing)
    }
}

extension Transaction {
    private static let invitationColumns = "i.session_id, i.user_id, coalesce(i.invited_at, i.sent_at), i.opened_at, i.answer, i.answered_at"
    private typealias InvitationRow = (UUID, UUID, Date, Date?, String?, Date?)

    // MARK: links

    /// Stores the hash of one emailed link's token for `user`'s invitation to `session` (the
    /// invitation must be recorded first).
    public func addInvitationLink(tenant: TenantID, session: UUID, user: UserID, tokenHash: [UInt8]) async throws {
        try await execute("""
            INSERT INTO live_invitation_links (tenant_id, token_hash, session_id, user_id)
            VALUES (\(tenant), \(ByteBuffer(bytes: tokenHash)), \(session), \(user))
            """)
    }

    /// The invitation a link's token hash stands for in the current tenant; nil when unknown.
    public func invitationLink(tokenHash: [UInt8]) async throws -> InvitationLinkRecord? {
        try await query("""
            SELECT \(unescaped: Self.invitationColumns), m.status = 'active'
            FROM live_invitation_links l
            JOIN live_session_invitations i ON i.session_id = l.session_id AND i.user_id = l.user_id
            JOIN memberships m ON m.tenant_id = l.tenant_id AND m.user_id = l.user_id
            WHERE l.token_hash = \(ByteBuffer(bytes: tokenHash))
            """).first((UUID, UUID, Date, Date?, String?, Date?, Bool).self).map { row in
                InvitationLinkRecord(invitation: InvitationRecord(row: (row.0, row.1, row.2, row.3, row.4, row.5)), memberActive: row.6)
            }
    }

    // MARK: the invitation

    /// `user`'s invitation to `session`, if they hold one.
    public func invitation(session: UUID, user: UserID) async throws -> InvitationRecord? {
        try await query("""
            SELECT \(unescaped: Self.invitationColumns) FROM live_session_invitations i
            WHERE i.session_id = \(session) AND i.user_id = \(user)
            """).first(InvitationRow.self).map(InvitationRecord.init(row:))
    }

    /// A read receipt: the first time an emailed link of this invitation was opened.
    public func markInvitationOpened(session: UUID, user: UserID) async throws {
        try await execute("""
            UPDATE live_session_invitations SET opened_at = now()
            WHERE session_id = \(session) AND user_id = \(user) AND opened_at IS NULL
            """)
    }

    /// Records the member's answer (an answer implies the invitation was seen); false when
    /// they hold no invitation to that session.
    public func answerInvitation(session: UUID, user: UserID, _ answer: InvitationAnswer) async throws -> Bool {
        try await query("""
            UPDATE live_session_invitations
            SET answer = \(answer.rawValue), answered_at = now(), opened_at = coalesce(opened_at, now())
            WHERE session_id = \(session) AND user_id = \(user)
            RETURNING 1
            """).first(Int.self) != nil
    }

    /// Per session of the current tenant: how many hold an invitation, and the answers.
    public func invitationCounts() async throws -> [UUID: InvitationCounts] {
        let rows = try await query("""
            SELECT session_id, count(*)::int, (count(*) FILTER (WHERE answer = 'yes'))::int,
                   (count(*) FILTER (WHERE answer = 'no'))::int
            FROM live_session_invitations GROUP BY session_id
            """).all((UUID, Int, Int, Int).self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, InvitationCounts(invited: $0.1, coming: $0.2, notComing: $0.3)) })
    }

    // MARK: the organizer's view

    /// Who was invited to `session` or came, their room visits and pairings.
    public func sessionAttendance(session: UUID) async throws -> SessionAttendanceRecord {
        let people = try await query("""
            WITH people AS (
                SELECT user_id FROM live_session_invitations WHERE session_id = \(session)
                UNION SELECT user_id FROM live_attendance WHERE session_id = \(session))
            SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_platform_admin, m.role,
                   i.session_id, i.user_id, coalesce(i.invited_at, i.sent_at), i.opened_at, i.answer, i.answered_at,
                   a.first_entered_at
            FROM people p
            JOIN memberships m ON m.tenant_id = app_tenant_id() AND m.user_id = p.user_id
            JOIN users u ON u.id = p.user_id
            LEFT JOIN live_session_invitations i ON i.session_id = \(session) AND i.user_id = p.user_id
            LEFT JOIN live_attendance a ON a.session_id = \(session) AND a.user_id = p.user_id
            """).all((UUID, String, String, String, String, Bool, String, UUID?, UUID?, Date?, Date?, String?, Date?, Date?).self)
            .map { row in
                let invitation: InvitationRecord? = if let session = row.7, let user = row.8, let invited = row.9 {
                    InvitationRecord(row: (session, user, invited, row.10, row.11, row.12))
                } else { nil }
                return AttendeeRecord(user: UserRecord(row: (row.0, row.1, row.2, row.3, row.4, row.5)),
                                      role: Role(rawValue: row.6) ?? .member, invitation: invitation, firstEnteredAt: row.13)
            }
        let visits = try await query("""
            SELECT user_id, entered_at, left_at FROM live_room_visits WHERE session_id = \(session)
            """).all((UUID, Date, Date?).self).map { RoomVisitRecord(user: $0.0, enteredAt: $0.1, leftAt: $0.2) }
        let pairings = try await query("""
            SELECT member_a, member_b, round FROM live_pairings WHERE session_id = \(session)
            """).all((UUID, UUID, Int).self).map { AttendancePairing(memberA: $0.0, memberB: $0.1, round: $0.2) }
        return SessionAttendanceRecord(people: people, visits: visits, pairings: pairings)
    }
}

extension InvitationRecord {
    fileprivate init(row: (UUID, UUID, Date, Date?, String?, Date?)) {
        self.init(session: row.0, user: row.1, invitedAt: row.2, openedAt: row.3,
                  answer: row.4.flatMap(InvitationAnswer.init(rawValue:)), answeredAt: row.5)
    }
}
