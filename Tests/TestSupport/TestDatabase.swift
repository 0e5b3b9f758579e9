import Foundation
import HummingbirdBcrypt
import Logging
import PostgresNIO
import Store

/// The test PostgreSQL started by `scripts/test.sh`: MINGLE_TEST_DB_HOST/PORT plus the role
/// passwords from `.data/test-pg/credentials.env` (MINGLE_DB_OWNER_PASSWORD, MINGLE_DB_APP_PASSWORD).
public enum TestEnvironment {
    public static let env = ProcessInfo.processInfo.environment

    public static var resourcesPath: String {
        env["MINGLE_RESOURCES"] ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    public static func settings(database: String) throws -> DatabaseSettings {
        guard env["MINGLE_TEST"] == "1" else {
            throw TestSetupError("run the tests through scripts/test.sh (MINGLE_TEST=1 is not set)")
        }
        let host = env["MINGLE_TEST_DB_HOST"] ?? "127.0.0.1"
        // Destructive set-up (CREATE/DROP DATABASE) only ever against a local test cluster.
        guard host == "127.0.0.1" || host == "localhost" else { throw TestSetupError("test database must be on loopback, not \(host)") }
        guard let owner = env["MINGLE_DB_OWNER_PASSWORD"], let app = env["MINGLE_DB_APP_PASSWORD"] else {
            throw TestSetupError("MINGLE_DB_OWNER_PASSWORD / MINGLE_DB_APP_PASSWORD are not set")
        }
        var settings = DatabaseSettings(host: host, port: Int(env["MINGLE_TEST_DB_PORT"] ?? "") ?? 55433, database: database,
                                        ownerPassword: owner, appPassword: app)
        settings.maxConnections = 6
        return settings
    }

    public static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Migrates the template once per process (named by the migrations' checksums, so an edited
/// migration gets a new template) and hands out fresh copies.
actor TemplateDatabase {
    static let shared = TemplateDatabase()
    /// One build shared by every caller: an actor method that awaits can be entered again,
    /// so a plain "already built?" flag would let concurrent tests build twice.
    private var build: Task<String, any Error>?

    func ensure() async throws -> String {
        if build == nil { build = Task { try await Self.buildTemplate() } }
        return try await build!.value
    }

    private static func buildTemplate() async throws -> String {
        let migrator = try Migrator(directory: URL(fileURLWithPath: TestEnvironment.resourcesPath + "/Migrations"))
        let digest = migrator.migrations.map(\.checksum).joined().hashValueStable
        let template = "mingle_template_\(digest)"
        let settings = try TestEnvironment.settings(database: "postgres")
        do {
            try await withOwnerClient(settings) { client in
                let exists = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(template)").first(Int.self) != nil
                guard !exists else { return }
                // Build under a temporary name and rename: a half-migrated template is never used.
                let building = template + "_building_\(UInt32.random(in: 0 ... .max))"
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(building) OWNER mingle_owner"))
                try await withOwnerClient(try TestEnvironment.settings(database: building)) { db in
                    try await db.withConnection { try await migrator.migrate($0, logger: TestEnvironment.logger) }
                }
                do {
                    // The migrating client's pooled connection can outlive the client (seen idle after
                    // the migrator's unlock): it would block the rename (55006), so it is ended first.
                    for attempt in 1... {
                        do {
                            try await client.query("""
                                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                WHERE datname = \(building) AND pid <> pg_backend_pid()
                                """)
                            try await client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(building) RENAME TO \(template)"))
                            break
                        } catch where sqlState(of: error) == "55006" && attempt < 50 {
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                } catch where sqlState(of: error) == "42P04" {
                    // Another test process finished first; its template is the same.
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(building)"))
                }
            }
        } catch {
            throw TestSetupError("building the template database failed: \(String(reflecting: error))")
        }
        return template
    }
}

/// Runs `body` with a PostgresClient that is running, then shuts it down.
public func withOwnerClient<R: Sendable>(_ settings: DatabaseSettings, _ body: (PostgresClient) async throws -> R) async throws -> R {
    let client = PostgresClient(configuration: settings.ownerClientConfiguration(), backgroundLogger: TestEnvironment.logger)
    return try await withRunning(client, body)
}

func withRunning<R: Sendable>(_ client: PostgresClient, _ body: (PostgresClient) async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A fresh database for one test, copied from the migrated template.
public struct TestDatabase: Sendable {
    public let settings: DatabaseSettings
    /// The app role's pool (as the server uses it).
    public let app: Database
    /// The owner role, for set-up and for checks the app role may not make.
    public let owner: PostgresClient
}

/// At most this many test databases at once: Swift Testing runs tests in parallel, and each
/// holds a few connections (app pool, owner pool, the app's NOTIFY listener).
actor TestDatabaseSlots {
    static let shared = TestDatabaseSlots(limit: 8)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

public func withTestDatabase<R: Sendable>(_ body: (TestDatabase) async throws -> R) async throws -> R {
    await TestDatabaseSlots.shared.acquire()
    do {
        let result = try await withOwnDatabase(body)
        await TestDatabaseSlots.shared.release()
        return result
    } catch {
        await TestDatabaseSlots.shared.release()
        throw error
    }
}

private func withOwnDatabase<R: Sendable>(_ body: (TestDatabase) async throws -> R) async throws -> R {
    let template = try await TemplateDatabase.shared.ensure()
    let name = "mingle_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    let admin = try TestEnvironment.settings(database: "postgres")
    do {
        try await withOwnerClient(admin) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template) OWNER mingle_owner"))
        }
    } catch {
        throw TestSetupError("creating the test database failed: \(String(reflecting: error))")
    }
    let settings = try TestEnvironment.settings(database: name)
    let owner = PostgresClient(configuration: settings.ownerClientConfiguration(), backgroundLogger: TestEnvironment.logger)
    let appClient = PostgresClient(configuration: settings.appClientConfiguration(), backgroundLogger: TestEnvironment.logger)
    let result: Result<R, any Error>
    do {
        let value = try await withRunning(owner) { owner in
            try await withRunning(appClient) { appClient in
                try await body(TestDatabase(settings: settings, app: Database(client: appClient, logger: TestEnvironment.logger),
                                            owner: owner))
            }
        }
        result = .success(value)
    } catch {
        // PSQLError hides its details unless reflected; tests want them.
        result = .failure(error is PSQLError ? TestSetupError(String(reflecting: error)) : error)
    }
    _ = try? await withOwnerClient(admin) { client in
        try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }
    return try result.get()
}

extension String {
    /// A short digest that is the same in every process (Swift's hashValue is seeded per run).
    var hashValueStable: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// bcrypt at cost 12 takes a quarter second: hash the shared test password once.
public enum TestPasswords {
    public static let plain = "correct horse battery"
    public static let hash: String = Bcrypt.hash(plain, cost: 12)
}
