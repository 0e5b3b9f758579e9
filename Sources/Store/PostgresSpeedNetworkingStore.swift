import Foundation
import RealTime
import SpeedNetworking
import PostgresNIO

/// The live engine's persistence in PostgreSQL: every call is one transaction in the tenant's
/// row-level-security scope, so an engine can only ever touch its own tenant's rows.
public struct PostgresSpeedNetworkingStore: SpeedNetworkingStore {
    let database: Database
    let tenant: TenantID

    public init(database: Database, tenant: TenantID) {
        self.database = database
        self.tenant = tenant
    }

    public func load(session: UUID) async throws -> SpeedNetworkingSnapshot? {
        try await database.withTenant(tenant) { tx in
            guard let row = try await tx.query("""
                SELECT title, starts_at, ends_at, round_seconds, grace_seconds, lead_seconds, teardown_seconds,
                       questions::text, available_organizer
                FROM live_sessions WHERE id = \(session) AND cancelled_at IS NULL
                """).first((String, Date, Date, Int, Int, Int, Int, String, UUID?).self) else { return nil }
            let times = try SessionTimes(
                start: row.1, end: row.2, round: .seconds(row.3), grace: .seconds(row.4), lead: .seconds(row.5), teardown: .seconds(row.6))
            let questions = try JSONDecoder().decode([SurveyQuestion].self, from: Data(row.7.utf8))
            let pairings = try await tx.query("""
                SELECT id, member_a, member_b, with_organizer, round, started_at, ended_at, end_reason, left_by
                FROM live_pairings WHERE session_id = \(session)
                """).all((UUID, UUID, UUID, Bool, Int, Date, Date?, String?, UUID?).self).map {
                    PairingRecord(id: $0.0, memberA: $0.1, memberB: $0.2, withOrganizer: $0.3, round: $0.4, startedAt: $0.5,
                                  endedAt: $0.6, endReason: $0.7.flatMap(PairingEnd.init(rawValue:)), leftBy: $0.8)
                }
            let responses = try await tx.query("""
                SELECT pairing_id, submitter_id FROM live_survey_responses WHERE session_id = \(session)
                """).all((UUID, UUID).self).map { ResponseKey(pairing: $0.0, submitter: $0.1) }
            let pool = try await tx.query("""
                SELECT user_id, queued_at, priority FROM live_pool WHERE session_id = \(session)
                """).all((UUID, Date, Bool).self).map { PoolEntry(user: $0.0, queuedAt: $0.1, priority: $0.2) }
            let names = try await tx.query("""
                SELECT user_id, display_name FROM live_attendance WHERE session_id = \(session)
                """).all((UUID, String).self)
            return SpeedNetworkingSnapshot(
                sessionID: session, title: row.0, times: times, questions: questions, pairings: pairings,
                responses: Set(responses), pool: pool, availableOrganizer: row.8,
                names: Dictionary(names, uniquingKeysWith: { first, _ in first }))
        }
    }

    public func recordAttendance(session: UUID, user: Participant, visit: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                INSERT INTO live_attendance (tenant_id, session_id, user_id, display_name, first_entered_at, last_seen_at)
                VALUES (\(tenant), \(session), \(user.id), \(String(user.name.prefix(200))), \(time), \(time))
                ON CONFLICT (tenant_id, session_id, user_id)
                DO UPDATE SET last_seen_at = excluded.last_seen_at, display_name = excluded.display_name
                """)
            try await tx.execute("""
                INSERT INTO live_room_visits (tenant_id, id, session_id, user_id, entered_at)
                VALUES (\(tenant), \(visit), \(session), \(user.id), \(time))
                """)
        }
    }

    public func recordLeaving(session: UUID, visit: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                UPDATE live_room_visits SET left_at = greatest(entered_at, \(time))
                WHERE session_id = \(session) AND id = \(visit) AND left_at IS NULL
                """)
        }
    }

    public func closeVisits(session: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                UPDATE live_room_visits SET left_at = greatest(entered_at, \(time))
                WHERE session_id = \(session) AND left_at IS NULL
                """)
        }
    }

    public func enterPool(session: UUID, entry: PoolEntry) async throws {
        try await database.withTenant(tenant) { tx in try await tx.upsertPool(tenant, session, entry) }
    }

    public func leavePool(session: UUID, user: UUID) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("DELETE FROM live_pool WHERE session_id = \(session) AND user_id = \(user)")
        }
    }

    public func startPairings(session: UUID, _ pairings: [PairingRecord], prioritised: [UUID]) async throws {
        try await database.withTenant(tenant) { tx in
            for pairing in pairings {
                try await tx.execute("""
                    INSERT INTO live_pairings (tenant_id, id, session_id, member_a, member_b, with_organizer, round, started_at)
                    VALUES (\(tenant), \(pairing.id), \(session), \(pairing.memberA), \(pairing.memberB),
                            \(pairing.withOrganizer), \(pairing.round), \(pairing.startedAt))
                    """)
                try await tx.execute("""
                    DELETE FROM live_pool WHERE session_id = \(session) AND user_id IN (\(pairing.memberA), \(pairing.memberB))
                    """)
            }
            if !prioritised.isEmpty {
                try await tx.execute("""
                    UPDATE live_pool SET priority = true WHERE session_id = \(session) AND user_id = ANY(\(prioritised))
                    """)
            }
        }
    }

    public func endPairing(session: UUID, pairing: UUID, at time: Date, reason: PairingEnd, leftBy: UUID?, requeue: [PoolEntry]) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                UPDATE live_pairings SET ended_at = \(time), end_reason = \(reason.rawValue), left_by = \(leftBy)
                WHERE session_id = \(session) AND id = \(pairing) AND ended_at IS NULL
                """)
            for entry in requeue { try await tx.upsertPool(tenant, session, entry) }
        }
    }

    public func recordResponse(session: UUID, _ response: SurveyResponse, requeue: PoolEntry?) async throws {
        try await database.withTenant(tenant) { tx in
            let id = UUID()
            try await tx.execute("""
                INSERT INTO live_survey_responses (tenant_id, id, session_id, pairing_id, submitter_id, target_id, submitted_at)
                VALUES (\(tenant), \(id), \(session), \(response.pairing), \(response.submitter), \(response.target), \(response.submittedAt))
                """)
            for answer in response.answers {
                try await tx.execute("""
                    INSERT INTO live_survey_answers (tenant_id, response_id, position, question_key, prompt, kind, value)
                    VALUES (\(tenant), \(id), \(answer.position), \(answer.question.key), \(answer.question.prompt),
                            \(answer.question.kind.storedName), \(answer.value))
                    """)
            }
            if let requeue { try await tx.upsertPool(tenant, session, requeue) }
        }
    }

    public func clearPool(session: UUID) async throws {
        try await database.withTenant(tenant) { tx in try await tx.execute("DELETE FROM live_pool WHERE session_id = \(session)") }
    }

    public func setAvailableOrganizer(session: UUID, user: UUID?) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("UPDATE live_sessions SET available_organizer = \(user) WHERE id = \(session)")
        }
    }
}

extension SurveyQuestion.Kind {
    /// The name stored with each answer (live_survey_answers.kind).
    public var storedName: String {
        switch self {
        case .rating: "rating"
        case .singleChoice: "single_choice"
        case .freeText: "free_text"
        }
    }
}

extension Transaction {
    fileprivate func upsertPool(_ tenant: TenantID, _ session: UUID, _ entry: PoolEntry) async throws {
        try await execute("""
            INSERT INTO live_pool (tenant_id, session_id, user_id, queued_at, priority)
            VALUES (\(tenant), \(session), \(entry.user), \(entry.queuedAt), \(entry.priority))
            ON CONFLICT (tenant_id, session_id, user_id) DO UPDATE SET queued_at = excluded.queued_at, priority = excluded.priority
            """)
    }
}

extension Transaction {
    /// A session with durations in seconds (see `mingle quick-session`); no invitations are sent.
    public func insertQuickSession(
        tenant: TenantID, createdBy: UserID, title: String, start: Date, length: Int, round: Int, grace: Int,
        lead: Int, teardown: Int, questions: [SurveyQuestion]
    ) async throws -> UUID {
        let id = UUID()
        let json = String(decoding: try JSONEncoder().encode(questions), as: UTF8.self)
        try await execute("""
            INSERT INTO live_sessions (tenant_id, id, title, starts_at, ends_at, round_seconds, grace_seconds,
                                       lead_seconds, teardown_seconds, questions, created_by)
            VALUES (\(tenant), \(id), \(title), \(start), \(start.addingTimeInterval(TimeInterval(length))), \(round), \(grace),
                    \(lead), \(teardown), \(json)::jsonb, \(createdBy))
            """)
        return id
    }
}

extension Transaction {
    /// Sessions of any tenant with a pairing not yet ended or someone in the pool (migration
    /// 0015's definer function; identifiers only).
    public func speedNetworkingSessionsToResume(limit: Int = 1000) async throws -> [(TenantID, UUID)] {
        try await query("SELECT tenant_id, session_id FROM live_sessions_to_resume(\(Int32(limit)))").all((UUID, UUID).self)
    }
}
