import Foundation
import Logging
import PostgresNIO
import Store

/// `mingle load`'s people (development mode only): N members of a tenant, each signed in with a
/// fresh session, made in a few set-based statements instead of N registrations and N bcrypt
/// sign-ins. They are ordinary users (`load-<slug>-<n>`, no password, so nobody can sign in as
/// them) with an active membership; re-running reuses them and gives them new sessions.
public enum LoadPeople {
    public struct Person: Sendable {
        public var id: UUID
        /// The value of the session cookie.
        public var token: String
    }

    /// How long the load run's sign-in sessions last (expired ones are swept by the next sign-in).
    static let sessionLifetime = 3 * 3600

    public static func username(_ number: Int, tenant slug: String) -> String { "load-\(slug)-\(number)" }

    /// Members 1…`count` of `slug`'s site, created when missing, each with a new sign-in session.
    public static func prepare(config: AppConfiguration, tenantSlug slug: String, count: Int, logger: Logger) async throws -> [Person] {
        guard config.mode == .development else { throw LoadPeopleError("load members are made in development mode only") }
        guard count > 0, count <= 100_000 else { throw LoadPeopleError("the count must be between 1 and 100000") }
        guard username(count, tenant: slug).count <= 32 else { throw LoadPeopleError("the tenant's slug is too long for load usernames") }
        let host = "\(slug).\(config.rootHost)"
        let tokens = (0..<count).map { _ in Tokens.random() }
        // The owner role: users are platform-wide (and only visible to fellow members under the
        // app role's policies); memberships are tenant rows, so the tenant is set for them.
        let owner = PostgresClient(configuration: config.database.ownerClientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await owner.run() }
            defer { group.cancelAll() }
            return try await owner.withTransaction(logger: logger) { db in
                guard let tenant = try await db.query("SELECT id FROM tenants WHERE slug = \(slug)", logger: logger).first(UUID.self) else {
                    throw LoadPeopleError("there is no tenant \(slug)")
                }
                try await db.query("SELECT set_config('app.tenant_id', \(tenant.uuidString), true)", logger: logger).drain()
                let prefix = "load-\(slug)-"
                try await db.query("""
                    INSERT INTO users (username, email, first_name, last_name)
                    SELECT \(prefix) || n, \(prefix) || n || '@load.invalid', 'Load', 'Member ' || lpad(n::text, 5, '0')
                    FROM generate_series(1, \(count)) AS n
                    ON CONFLICT (username) DO NOTHING
                    """, logger: logger).drain()
                let ids = try await db.query("""
                    SELECT u.id FROM generate_series(1, \(count)) AS n JOIN users u ON u.username = \(prefix) || n ORDER BY n
                    """, logger: logger).all(UUID.self)
                guard ids.count == count else { throw LoadPeopleError("only \(ids.count) of \(count) load users exist") }
                try await db.query("""
                    INSERT INTO memberships (tenant_id, user_id, role, status)
                    SELECT \(tenant), id, 'member', 'active' FROM unnest(\(ids)::uuid[]) AS id
                    ON CONFLICT (tenant_id, user_id) DO UPDATE SET status = 'active', role = 'member'
                    """, logger: logger).drain()
                let hashes = tokens.map { ByteBuffer(bytes: Tokens.hash($0)) }
                try await db.query("""
                    INSERT INTO web_sessions (token_hash, user_id, host, expires_at)
                    SELECT h, u, \(host), now() + \(sessionLifetime) * interval '1 second'
                    FROM unnest(\(hashes)::bytea[], \(ids)::uuid[]) AS s (h, u)
                    """, logger: logger).drain()
                return zip(ids, tokens).map { Person(id: $0, token: $1) }
            }
        }
    }

    /// The cookie header a page of these people sends.
    public static func cookie(_ person: Person, config: AppConfiguration) -> String {
        "\(SessionCookies(secure: config.secureCookies).sessionName)=\(person.token)"
    }
}

public struct LoadPeopleError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
