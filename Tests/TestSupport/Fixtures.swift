import Crypto
import Foundation
import SpeedNetworking
import PostgresNIO
import Store

/// Rows for tests, written with the owner role (which RLS still confines on tenant tables,
/// so the tenant is set in each transaction exactly as the app does).
public struct Fixtures: Sendable {
    public let db: TestDatabase
    public init(_ db: TestDatabase) { self.db = db }

    @discardableResult
    public func tenant(_ slug: String, name: String? = nil, status: String = "active") async throws -> TenantID {
        let id = UUID()
        try await db.owner.query("""
            INSERT INTO tenants (id, slug, name, status, title_text, header_text, footer_text)
            VALUES (\(id), \(slug), \(name ?? slug.capitalized), \(status), \(name ?? slug.capitalized),
                    \("Header of \(slug)"), \("Footer of \(slug)"))
            """)
        return id
    }

    @discardableResult
    public func user(_ username: String, email: String? = nil, admin: Bool = false, firstName: String = "",
                     lastName: String = "Tester", confirmed: Bool = true) async throws -> UserID {
        let id = UUID()
        try await db.owner.query("""
            INSERT INTO users (id, username, email, password_hash, is_platform_admin, first_name, last_name, email_confirmed_at)
            VALUES (\(id), \(username), \(email ?? "\(username)@example.test"), \(TestPasswords.hash), \(admin),
                    \(firstName.isEmpty ? username.capitalized : firstName), \(lastName), \(confirmed ? Date() : nil))
            """)
        return id
    }

    public func membership(_ tenant: TenantID, _ user: UserID, role: Role = .member, status: MembershipStatus = .active) async throws {
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO memberships (tenant_id, user_id, role, status) VALUES (\(tenant), \(user), \(role.rawValue), \(status.rawValue))
                """, logger: TestEnvironment.logger)
        }
    }

    /// A tenant with an organizer and members, named `<slug>-organizer`, `<slug>-member1`, ….
    public func populatedTenant(_ slug: String, members: Int = 2) async throws -> (tenant: TenantID, organizer: UserID, members: [UserID]) {
        let tenant = try await self.tenant(slug)
        let organizer = try await user("\(slug)-organizer")
        try await membership(tenant, organizer, role: .organizer)
        var ids: [UserID] = []
        for i in 1...max(1, members) {
            let member = try await user("\(slug)-member\(i)")
            try await membership(tenant, member)
            ids.append(member)
        }
        return (tenant, organizer, ids)
    }

    /// A meeting written straight into the table; returns its id and its link's token.
    public func meeting(_ tenant: TenantID, createdBy: UserID, title: String = "Board call", waitingRoom: Bool = true,
                        guests: Bool = false, cap: Int = 25, start: Date = Date(), end: Date = Date() + 3600) async throws -> (id: UUID, token: String) {
        let id = UUID()
        let token = String((UUID().uuidString + UUID().uuidString).filter { $0 != "-" }.prefix(24))
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO meetings (tenant_id, id, link_token, title, created_by, starts_at, ends_at, time_zone,
                                      waiting_room, guests_allowed, participant_cap)
                VALUES (\(tenant), \(id), \(token), \(title), \(createdBy), \(start), \(end), 'UTC', \(waitingRoom), \(guests), \(cap))
                """, logger: TestEnvironment.logger)
        }
        return (id, token)
    }

    /// A guest of a meeting whose cookie holds `token` (stored as its SHA-256, as the app does).
    @discardableResult
    public func meetingGuest(_ tenant: TenantID, meeting: UUID, name: String, token: String) async throws -> UUID {
        let id = UUID()
        let hash = ByteBuffer(bytes: Array(SHA256.hash(data: Data(token.utf8))))
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO meeting_guests (tenant_id, id, meeting_id, token_hash, display_name)
                VALUES (\(tenant), \(id), \(meeting), \(hash), \(name))
                """, logger: TestEnvironment.logger)
        }
        return id
    }

    /// A live session written straight into the table (the scheduling forms are tested on
    /// their own); durations in seconds so a test can run it quickly.
    public func speedNetworkingSession(
        _ tenant: TenantID, createdBy: UserID, title: String = "Speed networking", start: Date, end: Date,
        round: Int = 20, grace: Int = 5, lead: Int = 900, teardown: Int = 900,
        questions: [SurveyQuestion] = Array(SurveyBank.questions.prefix(3))
    ) async throws -> UUID {
        let id = UUID()
        let json = String(decoding: try JSONEncoder().encode(questions), as: UTF8.self)
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO live_sessions (tenant_id, id, title, starts_at, ends_at, round_seconds, grace_seconds,
                                           lead_seconds, teardown_seconds, questions, created_by)
                VALUES (\(tenant), \(id), \(title), \(start), \(end), \(round), \(grace), \(lead), \(teardown),
                        \(json)::jsonb, \(createdBy))
                """, logger: TestEnvironment.logger)
        }
        return id
    }

    /// A pairing of a session that has ended on time.
    public func pairing(_ tenant: TenantID, session: UUID, _ a: UserID, _ b: UserID, round: Int, startedAt: Date,
                        seconds: Int = 300, withOrganizer: Bool = false) async throws -> UUID {
        let id = UUID()
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO live_pairings (tenant_id, id, session_id, member_a, member_b, with_organizer, round, started_at, ended_at, end_reason)
                VALUES (\(tenant), \(id), \(session), \(a), \(b), \(withOrganizer), \(round), \(startedAt), \(startedAt + Double(seconds)), 'time')
                """, logger: TestEnvironment.logger)
        }
        return id
    }

    /// A submitted survey with its answers: (key, prompt, kind, value) in the order asked.
    public func surveyResponse(_ tenant: TenantID, session: UUID, pairing: UUID, from: UserID, about: UserID, at: Date,
                               answers: [(String, String, String, String)]) async throws {
        let id = UUID()
        try await inTenant(tenant) { connection in
            try await connection.query("""
                INSERT INTO live_survey_responses (tenant_id, id, session_id, pairing_id, submitter_id, target_id, submitted_at)
                VALUES (\(tenant), \(id), \(session), \(pairing), \(from), \(about), \(at))
                """, logger: TestEnvironment.logger)
            for (position, answer) in answers.enumerated() {
                try await connection.query("""
                    INSERT INTO live_survey_answers (tenant_id, response_id, position, question_key, prompt, kind, value)
                    VALUES (\(tenant), \(id), \(position), \(answer.0), \(answer.1), \(answer.2), \(answer.3))
                    """, logger: TestEnvironment.logger)
            }
        }
    }

    @discardableResult
    public func inTenant<R: Sendable>(_ tenant: TenantID, _ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await db.owner.withTransaction(logger: TestEnvironment.logger) { connection in
            try await connection.query("SELECT set_config('app.tenant_id', \(tenant.uuidString), true)", logger: TestEnvironment.logger)
            return try await body(connection)
        }
    }

    /// A count as the owner sees it (tables without forced RLS), for "nothing was written" checks.
    public func count(_ sql: String) async throws -> Int {
        try await db.owner.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(sql)")).first(Int.self) ?? -1
    }

    /// A count of a tenant table's rows across every tenant: the owner sets each tenant in turn.
    public func countAcrossTenants(_ table: String) async throws -> Int {
        let tenants = try await db.owner.query("SELECT id FROM tenants").all(UUID.self)
        var total = 0
        for tenant in tenants {
            total += try await inTenant(tenant) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestEnvironment.logger)
                    .first(Int.self) ?? 0
            }
        }
        return total
    }
}
