import Store
import Testing

@Suite struct SQLSplitterTests {
    @Test func splitsOnTopLevelSemicolons() {
        #expect(SQLSplitter.statements("SELECT 1; SELECT 2;\nSELECT 3") == ["SELECT 1", "SELECT 2", "SELECT 3"])
    }

    @Test func keepsSemicolonsInsideStringsAndIdentifiers() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT \"odd;name\" FROM t"
        #expect(SQLSplitter.statements(sql) == ["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT \"odd;name\" FROM t"])
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let body = """
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 2; END $$
            """
        let tagged = "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT 'x;$$;y' $body$"
        #expect(SQLSplitter.statements(body + ";\n" + tagged + ";") == [body, tagged])
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        #expect(SQLSplitter.statements("PREPARE p AS SELECT $1; SELECT 2") == ["PREPARE p AS SELECT $1", "SELECT 2"])
    }

    @Test func ignoresSemicolonsInCommentsAndDropsCommentOnlyPieces() {
        let sql = """
            -- first; still a comment
            SELECT 1; /* block; /* nested; */ still */ SELECT 2;
            -- trailing comment only
            """
        #expect(SQLSplitter.statements(sql) == ["-- first; still a comment\nSELECT 1", "/* block; /* nested; */ still */ SELECT 2"])
    }

    @Test func splitsEveryMigrationOfTheProjectIntoWholeStatements() throws {
        // The real files: every piece must end where a statement can end, e.g. no piece starts inside a body.
        let migrator = try Migrator(directory: URL(fileURLWithPath: TestEnvironmentPaths.migrations))
        for migration in migrator.migrations {
            let pieces = SQLSplitter.statements(migration.sql)
            #expect(!pieces.isEmpty)
            for piece in pieces {
                #expect(piece.components(separatedBy: "$$").count % 2 == 1, "\(migration.name): unbalanced $$ in \(piece.prefix(80))")
            }
        }
    }
}

import Foundation
import TestSupport

enum TestEnvironmentPaths {
    static var migrations: String { TestEnvironment.resourcesPath + "/Migrations" }
}
