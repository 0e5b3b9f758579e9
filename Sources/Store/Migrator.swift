import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL files of `Migrations/` in order, each in its own transaction,
/// and records a checksum of each. PostgresNIO sends one statement per query, so files
/// are split by `SQLSplitter`, which respects quotes, comments and `$$` bodies.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let version: String
        public let name: String
        public let sql: String

        public init(version: String, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }

        public var checksum: String { SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined() }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case badFileName(String)
        case duplicateVersion(String)
        case editedAfterApply(String)
        case appliedButMissing(String)

        public var description: String {
            switch self {
            case .badFileName(let n): "migration file \(n) must be named NNNN_description.sql"
            case .duplicateVersion(let v): "two migration files share version \(v)"
            case .editedAfterApply(let n): "migration \(n) was edited after it was applied; write a new migration instead"
            case .appliedButMissing(let v): "migration \(v) is recorded as applied but its file is missing"
            }
        }
    }

    public let migrations: [Migration]

    public init(migrations: [Migration]) throws {
        var seen = Set<String>()
        for m in migrations where !seen.insert(m.version).inserted { throw Failure.duplicateVersion(m.version) }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        try self.init(migrations: names.map { name in
            let stem = String(name.dropLast(4))
            guard let underscore = stem.firstIndex(of: "_"),
                  stem[..<underscore].count == 4, stem[..<underscore].allSatisfy(\.isNumber) else {
                throw Failure.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return Migration(version: String(stem[..<underscore]), name: name, sql: sql)
        })
    }

    /// Applies what is pending; returns the names applied. Holds an advisory lock so two
    /// nodes starting at once do not race.
    @discardableResult
    public func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        // Lock first: two nodes starting on an empty database would race on CREATE TABLE too.
        try await connection.query("SELECT pg_advisory_lock(7345001)", logger: logger).drain()
        do {
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = try await appliedChecksums(connection, logger: logger)
            let known = Set(migrations.map(\.version))
            if let missing = applied.keys.sorted().first(where: { !known.contains($0) }) {
                throw Failure.appliedButMissing(missing)
            }
            var done: [String] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else { throw Failure.editedAfterApply(migration.name) }
                    continue
                }
                try await connection.withTransaction(logger: logger) { tx in
                    for statement in SQLSplitter.statements(migration.sql) {
                        try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger).drain()
                    }
                        try await tx.query("""
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """, logger: logger)
                }
                logger.info("applied migration \(migration.name)")
                done.append(migration.name)
            }
            try await connection.query("SELECT pg_advisory_unlock(7345001)", logger: logger).drain()
            return done
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(7345001)", logger: logger)
            throw error
        }
    }

    private func appliedChecksums(_ connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        var result: [String: String] = [:]
        let rows = try await connection.query("SELECT version, checksum FROM schema_migrations", logger: logger)
        for try await (version, checksum) in rows.decode((String, String).self) { result[version] = checksum }
        return result
    }
}
