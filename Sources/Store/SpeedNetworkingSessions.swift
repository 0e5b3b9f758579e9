import Foundation
import PostgresNIO

/// One row of `live_sessions`. Times are UTC instants; `timeZone` is the IANA zone the
/// organizer wrote them in, for showing them again. The survey is kept as the stored JSON
/// (an array of `Live.SurveyQuestion`, frozen in the chosen order): Store stays free of the
/// engine's types, and callers decode it with `JSONDecoder`.
public struct SpeedNetworkingSessionRecord: Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    public var roundSeconds: Int
    public var graceSeconds: Int
    public var leadSeconds: Int
    public var teardownSeconds: Int
    public var timeZone: String
    public var questionsJSON: String
    public var createdBy: UserID
    /// The iCalendar SEQUENCE of the latest invitation, update or cancellation.
    public var sequence: Int
    public var cancelledAt: Date?
    public var reminderSentAt: Date?
    public var availableOrganizer: UserID?
    public var createdAt: Date
    public var updatedAt: Date

    public var isCancelled: Bool { cancelledAt != nil }

    public init(id: UUID, title: String, description: String, startsAt: Date, endsAt: Date, roundSeconds: Int, graceSeconds: Int,
                leadSeconds: Int, teardownSeconds: Int, timeZone: String, questionsJSON: String, createdBy: UserID, sequence: Int,
                cancelledAt: Date?, reminderSentAt: Date?, availableOrganizer: UserID?, createdAt: Date, updatedAt: Date) {
        (self.id, self.title, self.description, self.startsAt, self.endsAt) = (id, title, description, startsAt, endsAt)
        (self.roundSeconds, self.graceSeconds, self.leadSeconds, self.teardownSeconds) = (roundSeconds, graceSeconds, leadSeconds, teardownSeconds)
        (self.timeZone, self.questionsJSON, self.createdBy, self.sequence) = (timeZone, questionsJSON, createdBy, sequence)
        (self.cancelledAt, self.reminderSentAt, self.availableOrganizer) = (cancelledAt, reminderSentAt, availableOrganizer)
        (self.createdAt, self.updatedAt) = (createdAt, updatedAt)
    }
}

/// What the organizer's form decides about a session; grace, lead and teardown keep the
/// production defaults of the table.
public struct SpeedNetworkingSessionDraft: Sendable, Equatable {
    public var title: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    public var roundSeconds: Int
    public var timeZone: String
    public var questionsJSON: String

    public init(title: String, description: String, startsAt: Date, endsAt: Date, roundSeconds: Int,
                timeZone: String, questionsJSON: String) {
        self.title = title
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.roundSeconds = roundSeconds
        self.timeZone = timeZone
        self.questionsJSON = questionsJSON
    }
}

/// One of the organizer's own survey questions (`definition` is a `Live.SurveyQuestion` as JSON).
public struct OwnSurveyQuestion: Sendable, Equatable {
    public var id: UUID
    public var key: String
    public var definitionJSON: String
    public var createdAt: Date

    public init(id: UUID, key: String, definitionJSON: String, createdAt: Date) {
        (self.id, self.key, self.definitionJSON, self.createdAt) = (id, key, definitionJSON, createdAt)
    }
}

/// A session the reminder worker should remind members of, and the organizer it acts as.
public struct DueReminder: Sendable, Equatable {
    public var tenant: TenantID
    public var session: UUID
    public var actor: UserID
}

extension Transaction {
    private static let sessionColumns = """
        id, title, description, starts_at, ends_at, round_seconds, grace_seconds, lead_seconds, teardown_seconds,
        time_zone, questions::text, created_by, sequence, cancelled_at, reminder_sent_at, available_organizer,
        created_at, updated_at
        """

    private typealias SessionRow = (UUID, String, String, Date, Date, Int, Int, Int, Int, String, String, UUID, Int,
                                    Date?, Date?, UUID?, Date, Date)

    private func sessions(_ query: PostgresQuery) async throws -> [SpeedNetworkingSessionRecord] {
        try await self.query(query).all(SessionRow.self).map(SpeedNetworkingSessionRecord.init(row:))
    }

    // MARK: sessions

    /// Schedules a session in the current tenant; SEQUENCE starts at 0.
    public func insertSpeedNetworkingSession(tenant: TenantID, id: UUID = UUID(), _ draft: SpeedNetworkingSessionDraft,
                                  createdBy: UserID) async throws -> UUID {
        try await execute("""
            INSERT INTO live_sessions (tenant_id, id, title, description, starts_at, ends_at, round_seconds, time_zone,
                                       questions, created_by)
            VALUES (\(tenant), \(id), \(draft.title), \(draft.description), \(draft.startsAt), \(draft.endsAt),
                    \(draft.roundSeconds), \(draft.timeZone), \(draft.questionsJSON)::jsonb, \(createdBy))
            """)
        return id
    }

    /// One session of the current tenant with its survey; `lock` holds the row (FOR UPDATE)
    /// until this transaction ends, for changes that must see the latest state.
    public func speedNetworkingSession(_ id: UUID, lock: Bool = false) async throws -> SpeedNetworkingSessionRecord? {
        try await sessions("""
            SELECT \(unescaped: Self.sessionColumns) FROM live_sessions WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")
            """).first
    }

    /// Every session of the current tenant, soonest first.
    public func speedNetworkingSessions() async throws -> [SpeedNetworkingSessionRecord] {
        try await sessions("SELECT \(unescaped: Self.sessionColumns) FROM live_sessions ORDER BY starts_at, id")
    }

    /// Sessions of the current tenant that end after `date`, soonest first (cancelled included).
    public func speedNetworkingSessions(endingAfter date: Date) async throws -> [SpeedNetworkingSessionRecord] {
        try await sessions("""
            SELECT \(unescaped: Self.sessionColumns) FROM live_sessions WHERE ends_at > \(date) ORDER BY starts_at, id
            """)
    }

    /// Saves a changed session and bumps its SEQUENCE; a moved start re-arms the reminder.
    /// Returns the new SEQUENCE, or nil when the session is unknown or cancelled.
    public func updateSpeedNetworkingSession(_ id: UUID, _ draft: SpeedNetworkingSessionDraft) async throws -> Int? {
        try await query("""
            UPDATE live_sessions SET title = \(draft.title), description = \(draft.description),
                starts_at = \(draft.startsAt), ends_at = \(draft.endsAt), round_seconds = \(draft.roundSeconds),
                time_zone = \(draft.timeZone), questions = \(draft.questionsJSON)::jsonb,
                reminder_sent_at = CASE WHEN starts_at = \(draft.startsAt) THEN reminder_sent_at END,
                sequence = sequence + 1, updated_at = now()
            WHERE id = \(id) AND cancelled_at IS NULL
            RETURNING sequence
            """).first(Int.self)
    }

    /// Cancels a session once and bumps its SEQUENCE; nil when unknown or already cancelled.
    public func cancelSpeedNetworkingSession(_ id: UUID) async throws -> Int? {
        try await query("""
            UPDATE live_sessions SET cancelled_at = now(), sequence = sequence + 1, updated_at = now()
            WHERE id = \(id) AND cancelled_at IS NULL
            RETURNING sequence
            """).first(Int.self)
    }

    // MARK: invitations

    /// Records that `user` holds the invitation at `sequence` (the latest one sent to them).
    public func recordInvitation(tenant: TenantID, session: UUID, user: UserID, sequence: Int) async throws {
        try await execute("""
            INSERT INTO live_session_invitations (tenant_id, session_id, user_id, sequence, invited_at)
            VALUES (\(tenant), \(session), \(user), \(sequence), now())
            ON CONFLICT (tenant_id, session_id, user_id) DO UPDATE SET sequence = EXCLUDED.sequence, sent_at = now()
            """)
    }

    /// Who holds an invitation to `session`, with the SEQUENCE they were last sent.
    public func invitations(session: UUID) async throws -> [(user: UserID, sequence: Int)] {
        try await query("""
            SELECT user_id, sequence FROM live_session_invitations WHERE session_id = \(session) ORDER BY sent_at, user_id
            """).all((UUID, Int).self).map { (user: $0.0, sequence: $0.1) }
    }

    // MARK: reminders

    /// Sessions of every active tenant due for a reminder (start within `lead`, not yet
    /// reminded, not cancelled). Asked without a tenant: a narrow SECURITY DEFINER function.
    public func remindersDue(lead: Duration, limit: Int = 50) async throws -> [DueReminder] {
        try await query("""
            SELECT tenant_id, session_id, actor FROM live_session_reminders_due(\(lead.seconds) * interval '1 second', \(limit)::int)
            """).all((UUID, UUID, UUID).self).map { DueReminder(tenant: $0.0, session: $0.1, actor: $0.2) }
    }

    /// Claims the reminder of one session for this transaction: true for exactly one caller.
    /// The conditional update takes the row lock, so a second node waits and then finds the
    /// reminder already claimed; if this transaction rolls back, the claim goes with it.
    public func claimReminder(session: UUID, lead: Duration) async throws -> SpeedNetworkingSessionRecord? {
        try await sessions("""
            UPDATE live_sessions SET reminder_sent_at = now()
            WHERE id = \(session) AND reminder_sent_at IS NULL AND cancelled_at IS NULL
              AND starts_at > now() AND starts_at <= now() + \(lead.seconds) * interval '1 second'
            RETURNING \(unescaped: Self.sessionColumns)
            """).first
    }

    /// The current tenant's active organizers, longest-standing first.
    public func activeOrganizers() async throws -> [UserID] {
        try await query("""
            SELECT user_id FROM memberships
            WHERE tenant_id = app_tenant_id() AND role = 'organizer' AND status = 'active' ORDER BY created_at, user_id
            """).all(UUID.self)
    }

    // MARK: own survey questions

    /// The current tenant's own survey questions that are not archived, oldest first.
    public func ownSurveyQuestions() async throws -> [OwnSurveyQuestion] {
        try await query("""
            SELECT id, key, definition::text, created_at FROM survey_questions
            WHERE archived_at IS NULL ORDER BY created_at, id
            """).all((UUID, String, String, Date).self).map {
                OwnSurveyQuestion(id: $0.0, key: $0.1, definitionJSON: $0.2, createdAt: $0.3)
            }
    }

    public func insertSurveyQuestion(tenant: TenantID, key: String, definitionJSON: String) async throws {
        try await execute("""
            INSERT INTO survey_questions (tenant_id, key, definition) VALUES (\(tenant), \(key), \(definitionJSON)::jsonb)
            """)
    }

    /// Hides a question from future surveys; sessions keep their frozen copies. False if unknown.
    public func archiveSurveyQuestion(_ id: UUID) async throws -> Bool {
        try await query("""
            UPDATE survey_questions SET archived_at = now() WHERE id = \(id) AND archived_at IS NULL RETURNING 1
            """).first(Int.self) != nil
    }

    // MARK: calendar feeds

    /// The generation of `user`'s feed token (1 until it was first reset).
    public func calendarFeedGeneration(user: UserID) async throws -> Int {
        try await query("SELECT generation FROM calendar_feeds WHERE user_id = \(user)").first(Int.self) ?? 1
    }

    /// Revokes the current feed URL: the next generation; returns it.
    public func resetCalendarFeed(tenant: TenantID, user: UserID) async throws -> Int {
        try await query("""
            INSERT INTO calendar_feeds (tenant_id, user_id, generation) VALUES (\(tenant), \(user), 2)
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET generation = calendar_feeds.generation + 1
            RETURNING generation
            """).first(Int.self) ?? 1
    }
}

extension SpeedNetworkingSessionRecord {
    fileprivate init(row: (UUID, String, String, Date, Date, Int, Int, Int, Int, String, String, UUID, Int,
                           Date?, Date?, UUID?, Date, Date)) {
        self.init(id: row.0, title: row.1, description: row.2, startsAt: row.3, endsAt: row.4, roundSeconds: row.5,
                  graceSeconds: row.6, leadSeconds: row.7, teardownSeconds: row.8, timeZone: row.9,
                  questionsJSON: row.10, createdBy: row.11, sequence: row.12, cancelledAt: row.13,
                  reminderSentAt: row.14, availableOrganizer: row.15, createdAt: row.16, updatedAt: row.17)
    }
}
