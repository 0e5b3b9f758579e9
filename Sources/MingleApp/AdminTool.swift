import Foundation
import Logging
import PostgresNIO
import SpeedNetworking
import Store

/// `mingle create-admin`, callable from tests too.
public enum AdminTool {
    public static func createAdmin(config: AppConfiguration, username: String, email: String, password: String,
                                   logger: Logger) async throws -> UserID {
        let hash = try await Passwords(cost: config.bcryptCost).hash(password)
        let owner = PostgresClient(configuration: config.database.ownerClientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await owner.run() }
            defer { group.cancelAll() }
            return try await owner.withConnection {
                try await AdminAccounts.createOrPromote($0, username: username, email: email, passwordHash: hash, logger: logger)
            }
        }
    }
}

extension AdminTool {
    /// `mingle quick-session`: a session with durations in seconds, for demos of the live room
    /// and the browser tests (the organizer portal schedules in minutes with the production
    /// lobby lead and teardown). Development mode only.
    public static func quickSession(
        config: AppConfiguration, tenantSlug: String, title: String, startsIn: Int, length: Int, round: Int,
        grace: Int, lead: Int, teardown: Int, logger: Logger
    ) async throws -> UUID {
        let client = PostgresClient(configuration: config.database.appClientConfiguration(), backgroundLogger: logger)
        let database = Database(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            guard let tenant = try await database.withoutTenant({ try await $0.tenant(slug: tenantSlug) }) else {
                throw QuickSessionError("there is no tenant \(tenantSlug)")
            }
            let start = Date().addingTimeInterval(TimeInterval(startsIn))
            let problems = SessionTimes.problems(
                start: start, end: start.addingTimeInterval(TimeInterval(length)), round: .seconds(round),
                grace: .seconds(grace), lead: .seconds(lead), teardown: .seconds(teardown))
            guard problems.isEmpty else { throw QuickSessionError(problems.joined(separator: " ")) }
            let questions = ["conversation-quality", "would-connect", "remember"].compactMap(SurveyBank.question(key:))
            return try await database.withTenant(tenant.id) { tx in
                guard let organizer = try await tx.query("""
                    SELECT user_id FROM memberships WHERE role = 'organizer' AND status = 'active' ORDER BY created_at LIMIT 1
                    """).first(UUID.self) else {
                    throw QuickSessionError("\(tenantSlug) has no active organizer")
                }
                return try await tx.insertQuickSession(
                    tenant: tenant.id, createdBy: organizer, title: title, start: start, length: length,
                    round: round, grace: grace, lead: lead, teardown: teardown, questions: questions)
            }
        }
    }

    struct QuickSessionError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
