import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// The migrator on scratch migrations in a fresh database (the project's own are already in it).
@Suite struct MigratorTests {
    func migration(_ version: String, _ sql: String) -> Migrator.Migration {
        Migrator.Migration(version: version, name: "\(version)_test.sql", sql: sql)
    }

    /// A throw-away schema so scratch migrations do not meet the real ones.
    func withScratch<R: Sendable>(_ body: (TestDatabase, PostgresConnection) async throws -> R) async throws -> R {
        try await withTestDatabase { db in
            try await db.owner.withConnection { connection in
                try await connection.query("CREATE SCHEMA scratch", logger: TestEnvironment.logger)
                try await connection.query("SET search_path = scratch", logger: TestEnvironment.logger)
                return try await body(db, connection)
            }
        }
    }

    @Test func appliesInOrderAndRecordsChecksums() async throws {
        try await withScratch { _, connection in
            // setup
            let migrator = try Migrator(migrations: [
                migration("0002", "INSERT INTO scratch.log VALUES ('second')"),
                migration("0001", "CREATE TABLE scratch.log (entry text); INSERT INTO scratch.log VALUES ('first')"),
            ])
            // act
            let applied = try await migrator.migrate(connection, logger: TestEnvironment.logger)
            let again = try await migrator.migrate(connection, logger: TestEnvironment.logger)
            // check
            #expect(applied == ["0001_test.sql", "0002_test.sql"])
            #expect(again.isEmpty)
            let entries = try await connection.query("SELECT entry FROM scratch.log", logger: TestEnvironment.logger).all(String.self)
            #expect(entries == ["first", "second"])
            let checksum = try await connection.query("SELECT checksum FROM scratch.schema_migrations WHERE version = '0001'",
                                                      logger: TestEnvironment.logger).first(String.self)
            #expect(checksum == migrator.migrations[0].checksum)
        }
    }

    @Test func aFailingFileLeavesNothingOfItselfBehind() async throws {
        try await withScratch { _, connection in
            // setup: the second statement of 0002 fails
            let migrator = try Migrator(migrations: [
                migration("0001", "CREATE TABLE scratch.a (x int)"),
                migration("0002", "CREATE TABLE scratch.b (x int); INSERT INTO scratch.nope VALUES (1)"),
            ])
            // act
            await #expect(throws: (any Error).self) { try await migrator.migrate(connection, logger: TestEnvironment.logger) }
            // check
            let tables = try await connection.query("""
                SELECT tablename FROM pg_tables WHERE schemaname = 'scratch' ORDER BY 1
                """, logger: TestEnvironment.logger).all(String.self)
            #expect(tables == ["a", "schema_migrations"])
            let versions = try await connection.query("SELECT version FROM scratch.schema_migrations", logger: TestEnvironment.logger).all(String.self)
            #expect(versions == ["0001"])
        }
    }

    @Test func refusesToRunWhenAnAppliedFileWasEdited() async throws {
        try await withScratch { _, connection in
            // setup
            try await Migrator(migrations: [migration("0001", "CREATE TABLE scratch.a (x int)")])
                .migrate(connection, logger: TestEnvironment.logger)
            let edited = try Migrator(migrations: [
                migration("0001", "CREATE TABLE scratch.a (x int, y int)"),
                migration("0002", "CREATE TABLE scratch.b (x int)"),
            ])
            // act / check
            await #expect(throws: Migrator.Failure.editedAfterApply("0001_test.sql")) {
                try await edited.migrate(connection, logger: TestEnvironment.logger)
            }
            let b = try await connection.query("SELECT to_regclass('scratch.b')::text", logger: TestEnvironment.logger).first(String?.self)
            #expect(b == .some(nil))
        }
    }

    @Test func refusesWhenAnAppliedFileIsMissing() async throws {
        try await withScratch { _, connection in
            try await Migrator(migrations: [migration("0001", "SELECT 1"), migration("0002", "SELECT 2")])
                .migrate(connection, logger: TestEnvironment.logger)
            await #expect(throws: Migrator.Failure.appliedButMissing("0002")) {
                try await Migrator(migrations: [migration("0001", "SELECT 1")]).migrate(connection, logger: TestEnvironment.logger)
            }
        }
    }

    @Test func runsFunctionBodiesWithSemicolons() async throws {
        try await withScratch { _, connection in
            // setup
            let migrator = try Migrator(migrations: [migration("0001", """
                CREATE FUNCTION scratch.twice(x int) RETURNS int LANGUAGE plpgsql AS $$
                DECLARE y int;
                BEGIN y := x * 2; RETURN y; END $$;
                """)])
            // act
            try await migrator.migrate(connection, logger: TestEnvironment.logger)
            // check
            let value = try await connection.query("SELECT scratch.twice(21)", logger: TestEnvironment.logger).first(Int.self)
            #expect(value == 42)
        }
    }

    @Test func refusesDuplicateVersionsAndBadNames() throws {
        #expect(throws: Migrator.Failure.duplicateVersion("0001")) {
            try Migrator(migrations: [migration("0001", "SELECT 1"), migration("0001", "SELECT 2")])
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "SELECT 1".write(to: folder.appendingPathComponent("first.sql"), atomically: true, encoding: .utf8)
        #expect(throws: Migrator.Failure.badFileName("first.sql")) { try Migrator(directory: folder) }
    }
}
