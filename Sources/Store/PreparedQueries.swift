import Logging
import PostgresNIO
import Synchronization

/// Every statement a `Transaction` runs is prepared once per connection under a name of its own
/// SQL text (issue 13): PostgreSQL then keeps its plan, and planning the row-level-security
/// checks costs more than running them (a conversation's four statements: 1.6 ms of PostgreSQL
/// CPU unnamed, 0.5 ms prepared, in pgbench).
///
/// PostgresNIO prepares a `PostgresPreparedStatement` by the type's static `name` and `sql`,
/// which it reads before its first suspension; `SQLText` gives them from a task-local, so one
/// type serves every SQL text.
struct SQLText: PostgresPreparedStatement {
    struct Current: Sendable {
        var name = ""
        var sql = ""
    }

    @TaskLocal static var current = Current()
    static var name: String { current.name }
    static var sql: String { current.sql }

    typealias Row = PostgresRow
    var bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The names given to SQL texts, process-wide; and the statements a connection must not prepare.
enum PreparedQueries {
    /// More distinct texts than the app has means something builds SQL from data: those run
    /// unnamed rather than fill every connection with statements.
    static let limit = 2_000

    private struct State {
        var names: [String: String] = [:]
        /// (connection id, name): a statement that failed on that connection. PostgresNIO keeps a
        /// failed preparation's error for the connection's life (one prepared in an aborted
        /// transaction would fail there for good), so such a text runs unnamed there from then on.
        var failed: Set<Pair> = []
    }

    private struct Pair: Hashable {
        var connection: Int
        var name: String
    }

    private static let state = Mutex(State())

    /// The name for `sql` on `connection`, or nil to run it unnamed.
    static func name(for sql: String, on connection: Int) -> String? {
        state.withLock { state in
            let name: String
            if let known = state.names[sql] {
                name = known
            } else {
                guard state.names.count < limit else { return nil }
                name = "mingle_\(state.names.count + 1)"
                state.names[sql] = name
            }
            return state.failed.contains(Pair(connection: connection, name: name)) ? nil : name
        }
    }

    static func failed(_ name: String, on connection: Int) {
        _ = state.withLock { $0.failed.insert(Pair(connection: connection, name: name)) }
    }

    /// Runs `query` on `connection`: prepared under its text's name when it may be.
    static func run(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> QueryRows {
        guard let name = name(for: query.sql, on: connection.id) else {
            return try await connection.query(query, logger: logger).map { row throws in row }
        }
        do {
            return try await SQLText.$current.withValue(.init(name: name, sql: query.sql)) {
                try await connection.execute(SQLText(bindings: query.binds), logger: logger)
            }
        } catch {
            failed(name, on: connection.id)
            throw error
        }
    }
}

/// The rows of a statement, read as they arrive.
public typealias QueryRows = AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow>
