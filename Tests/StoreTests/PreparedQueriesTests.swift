import Foundation
import PostgresNIO
@testable import Store
import Testing
import TestSupport

/// Every statement is prepared per connection under its text's name; a preparation that failed
/// (say, in an aborted transaction) does not leave that statement broken on the connection.
@Suite struct PreparedQueriesTests {
    @Test func oneNamePerText() {
        // act
        let a = PreparedQueries.name(for: "SELECT 'prepared-queries-test-a'", on: -1)
        let again = PreparedQueries.name(for: "SELECT 'prepared-queries-test-a'", on: -2)
        let b = PreparedQueries.name(for: "SELECT 'prepared-queries-test-b'", on: -1)

        // check
        #expect(a != nil && a == again)
        #expect(b != nil && b != a)
    }

    @Test func aStatementFirstPreparedInAnAbortedTransactionWorksAfterwards() async throws {
        try await withTestDatabase { db in
            try await db.app.client.withConnection { connection in
                // setup: a transaction aborted by an error
                let transaction = Transaction(connection: connection, logger: TestEnvironment.logger)
                let fresh: PostgresQuery = "SELECT 40 + \(2) AS answer, 'aborted-transaction-test'"
                try await transaction.control("BEGIN")
                await #expect(throws: (any Error).self) { try await transaction.execute("SELECT 1 / \(0)") }

                // act: the statement's first preparation fails there…
                await #expect(throws: (any Error).self) { try await transaction.query(fresh).drain() }
                try await transaction.control("ROLLBACK")
                // …and it is asked for again on the same connection, twice
                let first = try await transaction.query(fresh).first((Int, String).self)
                let second = try await transaction.query(fresh).first((Int, String).self)

                // check
                #expect(first?.0 == 42 && second?.0 == 42)
            }
        }
    }

    @Test func preparedStatementsKeepRowLevelSecurity() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let count: PostgresQuery = "SELECT count(*)::int FROM memberships"

            // act: the same prepared statement, run for one tenant then the other, several times
            // (PostgreSQL switches to a generic plan after five runs)
            var counts: [Int] = []
            for round in 0..<8 {
                let tenant = round.isMultiple(of: 2) ? acme.tenant : globex.tenant
                counts.append(try await db.app.withTenant(tenant) { try await $0.query(count).first(Int.self) } ?? -1)
            }
            let none = try await db.app.withoutTenant { try await $0.query(count).first(Int.self) }

            // check: each tenant sees its own three memberships only, and no tenant none
            #expect(counts == Array(repeating: 3, count: 8))
            #expect(none == 0)
        }
    }
}
