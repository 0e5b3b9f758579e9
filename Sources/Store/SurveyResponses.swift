import Foundation
import PostgresNIO

/// A person as the survey tables name them (display name as `UserRecord.displayName`).
public struct SurveyPerson: Sendable, Hashable {
    public var id: UserID
    public var username: String
    public var displayName: String
}

/// One submitted survey with its answers, as stored.
public struct SurveyResponseRecord: Sendable, Hashable {
    public struct Answer: Sendable, Hashable {
        public var key: String
        public var prompt: String
        /// 'rating', 'single_choice' or 'free_text'
        public var kind: String
        public var value: String
    }

    public var id: UUID
    public var session: UUID
    public var pairing: UUID
    public var round: Int
    public var submitter: SurveyPerson
    public var target: SurveyPerson
    public var submittedAt: Date
    public var answers: [Answer]
}

/// One tenant's figures for platform administrators (`platform_tenant_figures()`).
public struct TenantFigures: Sendable, Hashable {
    public var tenant: TenantID
    public var slug: String
    public var name: String
    public var status: String
    public var activeMembers: Int
    public var sessionsHeld: Int
    /// Seconds of one-to-one conversation, per pair.
    public var pairSeconds: Int
    public var surveys: Int
}

extension Transaction {
    /// The current tenant's sessions (not cancelled) that start in [from, to), earliest first.
    public func speedNetworkingSessions(startingFrom from: Date, before to: Date) async throws -> [SpeedNetworkingSessionRecord] {
        try await speedNetworkingSessions().filter { !$0.isCancelled && $0.startsAt >= from && $0.startsAt < to }  // few per tenant
    }

    /// Every survey submitted in these sessions of the current tenant, with its answers in
    /// the order asked; not those of an organizer standing in for a missing partner (reports
    /// are about members). Row-level security confines it to the tenant.
    public func surveyResponses(sessions: [UUID]) async throws -> [SurveyResponseRecord] {
        guard !sessions.isEmpty else { return [] }
        let rows = try await query("""
            SELECT r.id, r.session_id, r.pairing_id, p.round, r.submitter_id, su.username,
                   coalesce(nullif(trim(su.first_name || ' ' || su.last_name), ''), su.username),
                   r.target_id, tu.username, coalesce(nullif(trim(tu.first_name || ' ' || tu.last_name), ''), tu.username),
                   r.submitted_at
            FROM live_survey_responses r
            JOIN live_pairings p ON p.tenant_id = r.tenant_id AND p.id = r.pairing_id
            JOIN users su ON su.id = r.submitter_id
            JOIN users tu ON tu.id = r.target_id
            WHERE r.session_id = ANY(\(sessions)) AND NOT p.with_organizer
            ORDER BY r.submitted_at, r.id
            """).all((UUID, UUID, UUID, Int, UUID, String, String, UUID, String, String, Date).self)
        let answers = try await query("""
            SELECT a.response_id, a.question_key, a.prompt, a.kind, a.value
            FROM live_survey_answers a
            JOIN live_survey_responses r ON r.tenant_id = a.tenant_id AND r.id = a.response_id
            WHERE r.session_id = ANY(\(sessions))
            ORDER BY a.response_id, a.position
            """).all((UUID, String, String, String, String).self)
        let byResponse = Dictionary(grouping: answers, by: \.0)
        return rows.map { row in
            SurveyResponseRecord(
                id: row.0, session: row.1, pairing: row.2, round: row.3,
                submitter: SurveyPerson(id: row.4, username: row.5, displayName: row.6),
                target: SurveyPerson(id: row.7, username: row.8, displayName: row.9), submittedAt: row.10,
                answers: (byResponse[row.0] ?? []).map { SurveyResponseRecord.Answer(key: $0.1, prompt: $0.2, kind: $0.3, value: $0.4) })
        }
    }

    /// Every tenant's figures; only inside `withPlatformAccess` (the function refuses otherwise).
    public func platformTenantFigures() async throws -> [TenantFigures] {
        try await query("""
            SELECT tenant_id, slug, name, status, active_members, sessions_held, pair_seconds, surveys
            FROM platform_tenant_figures()
            """).all((UUID, String, String, String, Int, Int, Int, Int).self).map {
            TenantFigures(tenant: $0.0, slug: $0.1, name: $0.2, status: $0.3, activeMembers: $0.4, sessionsHeld: $0.5,
                          pairSeconds: $0.6, surveys: $0.7)
        }
    }
}
