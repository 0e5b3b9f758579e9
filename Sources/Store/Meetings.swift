import Foundation
import PostgresNIO

/// One row of `meetings` (DESIGN §10). Times are UTC instants; `timeZone` is the IANA zone the
/// host wrote them in.
public struct MeetingRecord: Sendable, Equatable {
    public var id: UUID
    /// The secret part of the meeting's link, `/m/<linkToken>`.
    public var linkToken: String
    public var title: String
    public var description: String
    public var createdBy: UserID
    public var startsAt: Date
    public var endsAt: Date
    public var timeZone: String
    public var waitingRoom: Bool
    public var guestsAllowed: Bool
    public var participantCap: Int
    public var locked: Bool
    public var inviteAll: Bool
    public var sequence: Int
    public var reminderSentAt: Date?
    public var startedAt: Date?
    public var endedAt: Date?
    public var cancelledAt: Date?
    public var createdAt: Date

    public var isOver: Bool { endedAt != nil || cancelledAt != nil }
}

/// What a host decides when creating or changing a meeting.
public struct MeetingDraft: Sendable, Equatable {
    public var title: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    public var timeZone: String
    public var waitingRoom: Bool
    public var guestsAllowed: Bool
    public var participantCap: Int
    public var inviteAll: Bool

    public init(title: String, description: String, startsAt: Date, endsAt: Date, timeZone: String,
                waitingRoom: Bool = true, guestsAllowed: Bool = false, participantCap: Int = 25, inviteAll: Bool = false) {
        (self.title, self.description, self.startsAt, self.endsAt, self.timeZone) = (title, description, startsAt, endsAt, timeZone)
        (self.waitingRoom, self.guestsAllowed, self.participantCap, self.inviteAll) = (waitingRoom, guestsAllowed, participantCap, inviteAll)
    }
}

/// A guest of one meeting: a name and nothing else.
public struct MeetingGuestRecord: Sendable, Equatable {
    public var id: UUID
    public var meeting: UUID
    public var displayName: String
}

/// What hosts decided about one person of a meeting.
public struct MeetingPersonRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case admitted, refused, removed }
    public var person: UUID
    public var status: Status
    public var coHost: Bool

    public init(person: UUID, status: Status, coHost: Bool) {
        (self.person, self.status, self.coHost) = (person, status, coHost)
    }
}

/// One chat message of a meeting, in order (`seq`).
public struct MeetingChatRecord: Sendable, Equatable {
    public var seq: Int64
    public var author: UUID
    public var authorName: String
    public var body: String
    public var sentAt: Date

    public init(seq: Int64, author: UUID, authorName: String, body: String, sentAt: Date) {
        (self.seq, self.author, self.authorName, self.body, self.sentAt) = (seq, author, authorName, body, sentAt)
    }
}

extension Transaction {
    static let meetingColumns = """
        id, link_token, title, description, created_by, starts_at, ends_at, time_zone, waiting_room, guests_allowed,
        participant_cap, locked, invite_all, sequence, reminder_sent_at, started_at, ended_at, cancelled_at, created_at
        """
    typealias MeetingRow = (UUID, String, String, String, UUID, Date, Date, String, Bool, Bool, Int, Bool, Bool, Int, Date?, Date?, Date?, Date?, Date)

    static func meeting(_ row: MeetingRow) -> MeetingRecord {
        MeetingRecord(id: row.0, linkToken: row.1, title: row.2, description: row.3, createdBy: row.4, startsAt: row.5, endsAt: row.6,
                      timeZone: row.7, waitingRoom: row.8, guestsAllowed: row.9, participantCap: row.10, locked: row.11, inviteAll: row.12,
                      sequence: row.13, reminderSentAt: row.14, startedAt: row.15, endedAt: row.16, cancelledAt: row.17, createdAt: row.18)
    }

    /// A new meeting of `tenant` hosted by `host`, with its link's token.
    public func createMeeting(tenant: TenantID, host: UserID, linkToken: String, _ draft: MeetingDraft) async throws -> MeetingRecord {
        let rows = try await query("""
            INSERT INTO meetings (tenant_id, link_token, title, description, created_by, starts_at, ends_at, time_zone,
                                  waiting_room, guests_allowed, participant_cap, invite_all)
            VALUES (\(tenant), \(linkToken), \(draft.title), \(draft.description), \(host), \(draft.startsAt), \(draft.endsAt),
                    \(draft.timeZone), \(draft.waitingRoom), \(draft.guestsAllowed), \(draft.participantCap), \(draft.inviteAll))
            RETURNING \(unescaped: Self.meetingColumns)
            """)
        guard let row = try await rows.first(MeetingRow.self) else { throw MissingRow() }
        return Self.meeting(row)
    }

    /// A meeting of the current tenant.
    public func meeting(_ id: UUID) async throws -> MeetingRecord? {
        try await query("SELECT \(unescaped: Self.meetingColumns) FROM meetings WHERE id = \(id)").first(MeetingRow.self).map(Self.meeting)
    }

    /// The meeting a link stands for, in the current tenant (another tenant's link finds nothing).
    public func meeting(linkToken: String) async throws -> MeetingRecord? {
        try await query("SELECT \(unescaped: Self.meetingColumns) FROM meetings WHERE link_token = \(linkToken)")
            .first(MeetingRow.self).map(Self.meeting)
    }

    /// Whether members (not only organizers) of the current tenant may host meetings.
    public func membersMayHost(tenant: TenantID) async throws -> Bool {
        try await query("SELECT members_may_host FROM tenants WHERE id = \(tenant)").first(Bool.self) ?? false
    }

    public func setMembersMayHost(tenant: TenantID, _ allowed: Bool) async throws {
        try await execute("UPDATE tenants SET members_may_host = \(allowed) WHERE id = \(tenant)")
    }

    // MARK: The room's decisions (what the meeting engine keeps)

    /// A host came in for the first time.
    public func markMeetingStarted(_ id: UUID, at time: Date) async throws {
        try await execute("UPDATE meetings SET started_at = \(time), updated_at = now() WHERE id = \(id) AND started_at IS NULL")
    }

    /// A host ended it for everyone.
    public func markMeetingEnded(_ id: UUID, at time: Date) async throws {
        try await execute("UPDATE meetings SET ended_at = \(time), updated_at = now() WHERE id = \(id) AND ended_at IS NULL")
    }

    public func setMeetingLocked(_ id: UUID, _ locked: Bool) async throws {
        try await execute("UPDATE meetings SET locked = \(locked), updated_at = now() WHERE id = \(id)")
    }

    public func meetingPeople(_ meeting: UUID) async throws -> [MeetingPersonRecord] {
        try await query("SELECT person_id, status, co_host FROM meeting_people WHERE meeting_id = \(meeting)")
            .all((UUID, String, Bool).self).compactMap { row in
                MeetingPersonRecord.Status(rawValue: row.1).map { MeetingPersonRecord(person: row.0, status: $0, coHost: row.2) }
            }
    }

    /// Records a host's decision about a person (insert or change).
    public func saveMeetingPerson(tenant: TenantID, meeting: UUID, _ person: MeetingPersonRecord) async throws {
        try await execute("""
            INSERT INTO meeting_people (tenant_id, meeting_id, person_id, status, co_host)
            VALUES (\(tenant), \(meeting), \(person.person), \(person.status.rawValue), \(person.coHost))
            ON CONFLICT (tenant_id, meeting_id, person_id)
            DO UPDATE SET status = excluded.status, co_host = excluded.co_host, decided_at = now()
            """)
    }

    // MARK: Chat

    /// Stores a chat message; returns it with its place in the order.
    public func addMeetingChat(tenant: TenantID, meeting: UUID, author: UUID, authorName: String, body: String) async throws -> MeetingChatRecord {
        let rows = try await query("""
            INSERT INTO meeting_chat (tenant_id, meeting_id, author_id, author_name, body)
            VALUES (\(tenant), \(meeting), \(author), \(authorName), \(body))
            RETURNING seq, author_id, author_name, body, sent_at
            """)
        guard let row = try await rows.first((Int64, UUID, String, String, Date).self) else { throw MissingRow() }
        return MeetingChatRecord(seq: row.0, author: row.1, authorName: row.2, body: row.3, sentAt: row.4)
    }

    /// The latest `limit` messages, oldest first.
    public func meetingChat(_ meeting: UUID, limit: Int = 500) async throws -> [MeetingChatRecord] {
        try await query("""
            SELECT seq, author_id, author_name, body, sent_at FROM (
                SELECT * FROM meeting_chat WHERE meeting_id = \(meeting) ORDER BY seq DESC LIMIT \(limit)
            ) latest ORDER BY seq
            """).all((Int64, UUID, String, String, Date).self).map {
                MeetingChatRecord(seq: $0.0, author: $0.1, authorName: $0.2, body: $0.3, sentAt: $0.4)
            }
    }

    // MARK: Guests

    public func addMeetingGuest(tenant: TenantID, meeting: UUID, displayName: String, tokenHash: [UInt8]) async throws -> MeetingGuestRecord {
        let rows = try await query("""
            INSERT INTO meeting_guests (tenant_id, meeting_id, token_hash, display_name)
            VALUES (\(tenant), \(meeting), \(ByteBuffer(bytes: tokenHash)), \(displayName))
            RETURNING id, meeting_id, display_name
            """)
        guard let row = try await rows.first((UUID, UUID, String).self) else { throw MissingRow() }
        return MeetingGuestRecord(id: row.0, meeting: row.1, displayName: row.2)
    }

    /// The guest a cookie's token hash stands for, in the current tenant.
    public func meetingGuest(tokenHash: [UInt8]) async throws -> MeetingGuestRecord? {
        try await query("SELECT id, meeting_id, display_name FROM meeting_guests WHERE token_hash = \(ByteBuffer(bytes: tokenHash))")
            .first((UUID, UUID, String).self).map { MeetingGuestRecord(id: $0.0, meeting: $0.1, displayName: $0.2) }
    }
}

/// A meeting the reminder worker should remind invited members of, and whom it acts as.
public struct DueMeetingReminder: Sendable, Equatable {
    public var tenant: TenantID
    public var meeting: UUID
    public var actor: UserID
}

// MARK: Scheduling, inviting and listing (issue 15, around the room)

extension Transaction {
    /// A meeting of the current tenant, its row locked for a change (edit, cancel).
    public func meetingForUpdate(_ id: UUID) async throws -> MeetingRecord? {
        try await query("SELECT \(unescaped: Self.meetingColumns) FROM meetings WHERE id = \(id) FOR UPDATE")
            .first(MeetingRow.self).map(Self.meeting)
    }

    /// Changes a meeting as its host decided and bumps its SEQUENCE (calendars replace the
    /// event); a start that moved makes the reminder due again.
    public func updateMeeting(_ id: UUID, _ draft: MeetingDraft) async throws -> MeetingRecord? {
        try await query("""
            UPDATE meetings SET title = \(draft.title), description = \(draft.description), starts_at = \(draft.startsAt),
                   ends_at = \(draft.endsAt), time_zone = \(draft.timeZone), waiting_room = \(draft.waitingRoom),
                   guests_allowed = \(draft.guestsAllowed), participant_cap = \(draft.participantCap),
                   invite_all = \(draft.inviteAll), sequence = sequence + 1, updated_at = now(),
                   reminder_sent_at = CASE WHEN starts_at = \(draft.startsAt) THEN reminder_sent_at END
            WHERE id = \(id) AND cancelled_at IS NULL
            RETURNING \(unescaped: Self.meetingColumns)
            """).first(MeetingRow.self).map(Self.meeting)
    }

    /// Cancels a meeting (once) and bumps its SEQUENCE for the CANCEL.
    public func cancelMeeting(_ id: UUID) async throws -> MeetingRecord? {
        try await query("""
            UPDATE meetings SET cancelled_at = now(), sequence = sequence + 1, updated_at = now()
            WHERE id = \(id) AND cancelled_at IS NULL
            RETURNING \(unescaped: Self.meetingColumns)
            """).first(MeetingRow.self).map(Self.meeting)
    }

    /// Records that `user` is invited and holds the calendar message at `sequence`.
    public func recordMeetingInvitation(tenant: TenantID, meeting: UUID, user: UserID, sequence: Int) async throws {
        try await execute("""
            INSERT INTO meeting_invitations (tenant_id, meeting_id, user_id, sequence, sent_at)
            VALUES (\(tenant), \(meeting), \(user), \(sequence), now())
            ON CONFLICT (tenant_id, meeting_id, user_id) DO UPDATE SET sequence = EXCLUDED.sequence, sent_at = now()
            """)
    }

    /// Who holds an invitation to `meeting` (by name, or told under invite-all), with the SEQUENCE last sent.
    public func meetingInvitations(_ meeting: UUID) async throws -> [(user: UserID, sequence: Int)] {
        try await query("""
            SELECT user_id, sequence FROM meeting_invitations WHERE meeting_id = \(meeting) ORDER BY invited_at, user_id
            """).all((UUID, Int).self).map { (user: $0.0, sequence: $0.1) }
    }

    /// `user` is no longer invited (after being sent the CANCEL).
    public func removeMeetingInvitation(_ meeting: UUID, user: UserID) async throws {
        try await execute("DELETE FROM meeting_invitations WHERE meeting_id = \(meeting) AND user_id = \(user)")
    }

    /// The meetings `user` sees, newest start first: with `everything` (the site's organizers,
    /// an acting platform admin) all of the tenant's; otherwise those they host, those for every
    /// member, and those they are invited to by name. Only meetings ending after `since`.
    public func meetings(visibleTo user: UserID, everything: Bool, endingAfter since: Date) async throws -> [MeetingRecord] {
        try await query("""
            SELECT \(unescaped: Self.meetingColumns) FROM meetings mt
            WHERE mt.ends_at > \(since)
              AND (\(everything) OR mt.created_by = \(user) OR mt.invite_all
                   OR EXISTS (SELECT 1 FROM meeting_invitations i WHERE i.meeting_id = mt.id AND i.user_id = \(user)))
            ORDER BY mt.starts_at DESC, mt.id
            LIMIT 500
            """).all(MeetingRow.self).map(Self.meeting)
    }

    /// Whether `user` holds an invitation by name to `meeting`.
    public func isInvitedToMeeting(_ meeting: UUID, user: UserID) async throws -> Bool {
        try await query("SELECT 1 FROM meeting_invitations WHERE meeting_id = \(meeting) AND user_id = \(user)").first(Int.self) != nil
    }

    /// Meetings still ahead or running, not cancelled or ended, that invite every member.
    public func meetingsForEveryone(endingAfter date: Date) async throws -> [MeetingRecord] {
        try await query("""
            SELECT \(unescaped: Self.meetingColumns) FROM meetings
            WHERE invite_all AND ends_at > \(date) AND cancelled_at IS NULL AND ended_at IS NULL ORDER BY starts_at, id
            """).all(MeetingRow.self).map(Self.meeting)
    }

    // MARK: reminders

    /// Meetings of every active tenant due for a reminder. Asked without a tenant (ids only).
    public func meetingRemindersDue(lead: Duration, limit: Int = 50) async throws -> [DueMeetingReminder] {
        try await query("""
            SELECT tenant_id, meeting_id, actor FROM meeting_reminders_due(\(lead.seconds) * interval '1 second', \(limit)::int)
            """).all((UUID, UUID, UUID).self).map { DueMeetingReminder(tenant: $0.0, meeting: $0.1, actor: $0.2) }
    }

    /// Claims one meeting's reminder for this transaction (true for exactly one caller; see `claimReminder`).
    public func claimMeetingReminder(_ id: UUID, lead: Duration) async throws -> MeetingRecord? {
        try await query("""
            UPDATE meetings SET reminder_sent_at = now()
            WHERE id = \(id) AND reminder_sent_at IS NULL AND cancelled_at IS NULL AND ended_at IS NULL
              AND starts_at > now() AND starts_at <= now() + \(lead.seconds) * interval '1 second'
            RETURNING \(unescaped: Self.meetingColumns)
            """).first(MeetingRow.self).map(Self.meeting)
    }
}

/// An INSERT … RETURNING returned nothing (it cannot, short of a broken database).
public struct MissingRow: Error {}
