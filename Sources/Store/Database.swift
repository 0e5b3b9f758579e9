import Foundation
import Logging
import PostgresNIO
import Synchronization

public typealias TenantID = UUID
public typealias UserID = UUID

/// One open transaction of the app role. Request code only ever gets one of these from
/// `Database.withTenant`, `withPlatformAccess` or `withoutTenant`, so every query it runs
/// has the tenant (or deliberately none) set for row-level security.
public struct Transaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// The page view's transaction this call runs in, if any (it remembers the settings).
    var shared: RequestTransaction? = nil

    /// Runs a statement, prepared on this connection the first time (`PreparedQueries`).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> QueryRows {
        QueryCounter.current?.countStatement()
        return try await PreparedQueries.run(query, on: connection, logger: logger)
    }

    /// Runs a statement and reads its result to the end: PostgreSQL reports an error raised
    /// while a SELECT runs (a refused function call, say) only after its row description,
    /// so an unread result could hide the error until COMMIT quietly rolls back.
    public func execute(_ query: PostgresQuery) async throws {
        try await self.query(query).drain()
    }

    /// BEGIN, COMMIT, ROLLBACK: never prepared.
    func control(_ command: PostgresQuery) async throws {
        QueryCounter.current?.countStatement()
        try await connection.query(command, logger: logger).drain()
    }

    /// Runs a prepared statement: PostgresNIO prepares it once per connection, and PostgreSQL
    /// keeps its plan (planning the row-level-security checks cost more than running them).
    public func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        QueryCounter.current?.countStatement()
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

/// The settings row-level security reads, for this transaction only.
struct TransactionSettings: PostgresPreparedStatement, Equatable {
    static let sql = "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)"
    typealias Row = (String, String)
    var tenant: String
    var user: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(tenant)
        bindings.append(user)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The app role's connection pool and the only ways into it.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The one path from request code to a tenant's data: a transaction in which
    /// `app.tenant_id` (and the signed-in user, if any) are set, so RLS admits that tenant's rows only.
    /// Inside a page view (`RequestTransaction.open`) this is the request's one transaction.
    public func withTenant<R: Sendable>(
        _ tenant: TenantID, user: UserID? = nil,
        _ body: (Transaction) async throws -> R
    ) async throws -> R {
        let settings = TransactionSettings(tenant: tenant.uuidString, user: user?.uuidString ?? "")
        if let shared = RequestTransaction.current, let transaction = shared.enter(logger: logger) {
            return try await shared.run(settings: settings, transaction, body)
        }
        return try await own { transaction in
            _ = try await transaction.rows(settings)
            return try await body(transaction)
        }
    }

    /// A transaction with no tenant: tenant tables show nothing. For platform pages and the
    /// narrow look-ups that happen before anyone is known.
    public func withoutTenant<R: Sendable>(
        user: UserID? = nil, _ body: (Transaction) async throws -> R
    ) async throws -> R {
        let settings = TransactionSettings(tenant: "", user: user?.uuidString ?? "")
        if let shared = RequestTransaction.current, let transaction = shared.enter(logger: logger) {
            return try await shared.run(settings: settings, transaction, body)
        }
        return try await own { transaction in
            _ = try await transaction.rows(settings)
            return try await body(transaction)
        }
    }

    /// The one audited path across tenants. The database checks that `actor` is a platform
    /// admin and writes the audit row in this same transaction; `tenant` nil means the
    /// platform-wide tables only.
    public func withPlatformAccess<R: Sendable>(
        actor: UserID, tenant: TenantID?, action: String, detail: String = "",
        _ body: (Transaction) async throws -> R
    ) async throws -> R {
        let begin: PostgresQuery = "SELECT begin_platform_access(\(actor), \(tenant), \(action), \(detail))"
        if let shared = RequestTransaction.current, let transaction = shared.enter(logger: logger) {
            return try await shared.runAudited(begin: begin, transaction, body)
        }
        return try await own { transaction in
            try await transaction.execute(begin)
            return try await body(transaction)
        }
    }

    /// A transaction of its own on a connection from the pool.
    private func own<R: Sendable>(_ body: (Transaction) async throws -> R) async throws -> R {
        QueryCounter.current?.countTransaction(statements: 2) // BEGIN, COMMIT
        return try await unwrapped { try await client.withTransaction(logger: logger) { connection in
            try await body(Transaction(connection: connection, logger: logger))
        } }
    }

    /// A page view's one transaction (issue 13): `body` handles the request, and every
    /// `withTenant`, `withoutTenant` and `withPlatformAccess` it makes runs in this one
    /// transaction on one connection, which begins with the first of them. It commits when
    /// `body` returns, and rolls back when `body` throws or any of those calls threw (their
    /// work is then undone with the rest of the request's).
    public func withRequestTransaction<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            let shared = RequestTransaction(connection: connection)
            let result: R
            do {
                result = try await RequestTransaction.$current.withValue(shared) { try await body() }
            } catch {
                // The request's own error is the one to report, not a failed rollback's.
                try? await shared.finish(commit: false, logger: logger)
                throw error
            }
            try await shared.finish(commit: true, logger: logger)
            return result
        }
    }

    /// An error of the app's own (say, "not found") thrown inside a transaction that was then
    /// rolled back cleanly comes out as itself, not wrapped in PostgresNIO's transaction error.
    private func unwrapped<R: Sendable>(_ work: () async throws -> R) async throws -> R {
        do {
            return try await work()
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, !(inner is PSQLError), error.rollbackError == nil { throw inner }
            throw error
        }
    }
}

/// The transaction a page view shares among its database calls (`Database.withRequestTransaction`).
/// Used by one call at a time: a call made while another runs (nested, or from a child task) and
/// calls after one failed get transactions of their own, as they would without it.
final class RequestTransaction: Sendable {
    @TaskLocal static var current: RequestTransaction?

    private struct State {
        var begun = false
        var finished = false
        var busy = false
        var failed = false
        /// What `app.tenant_id` / `app.user_id` hold now; nil when unknown (after audited access).
        var settings: TransactionSettings?
    }

    private let connection: PostgresConnection
    private let state = Mutex(State())

    init(connection: PostgresConnection) { self.connection = connection }

    /// The shared transaction for one call, or nil if this call must have its own.
    func enter(logger: Logger) -> Transaction? {
        let free = state.withLock { state -> Bool in
            guard !state.finished, !state.busy, !state.failed else { return false }
            state.busy = true
            return true
        }
        return free ? Transaction(connection: connection, logger: logger, shared: self) : nil
    }

    func run<R: Sendable>(settings: TransactionSettings, _ transaction: Transaction,
                          _ body: (Transaction) async throws -> R) async throws -> R {
        try await guarded(transaction) {
            if state.withLock({ $0.settings != settings }) {
                _ = try await transaction.rows(settings)
                state.withLock { $0.settings = settings }
            }
            return try await body(transaction)
        }
    }

    /// A statement of this transaction set `app.user_id` itself (the visitor's look-up).
    func userWasSet(_ user: UserID) {
        state.withLock { state in
            state.settings = state.settings.map { TransactionSettings(tenant: $0.tenant, user: user.uuidString) }
        }
    }

    /// Audited access sets the tenant, the actor and the access for the rest of the transaction;
    /// afterwards the access is ended, so later calls in this request have only their own rights.
    func runAudited<R: Sendable>(begin: PostgresQuery, _ transaction: Transaction,
                                 _ body: (Transaction) async throws -> R) async throws -> R {
        try await guarded(transaction) {
            state.withLock { $0.settings = nil }
            try await transaction.execute(begin)
            let result = try await body(transaction)
            try await transaction.execute("SELECT set_config('app.platform_access', '', true)")
            return result
        }
    }

    /// Begins the transaction on first use; marks it failed if `work` throws; frees it after.
    private func guarded<R: Sendable>(_ transaction: Transaction, _ work: () async throws -> R) async throws -> R {
        defer { state.withLock { $0.busy = false } }
        do {
            if !state.withLock({ $0.begun }) {
                QueryCounter.current?.countTransaction()
                try await transaction.control("BEGIN")
                state.withLock { $0.begun = true }
            }
            return try await work()
        } catch {
            state.withLock { $0.failed = true }
            throw error
        }
    }

    func finish(commit: Bool, logger: Logger) async throws {
        let (begun, failed) = state.withLock { state in
            state.finished = true
            return (state.begun, state.failed)
        }
        guard begun else { return }
        let transaction = Transaction(connection: connection, logger: logger)
        if commit && !failed {
            try await transaction.control("COMMIT")
        } else {
            try await transaction.control("ROLLBACK")
        }
    }
}

/// Counts transactions and statements of the task it is bound to (tests: how many a page view runs).
public final class QueryCounter: Sendable {
    @TaskLocal public static var current: QueryCounter?
    private let counts = Mutex((transactions: 0, statements: 0))

    public init() {}

    public var transactions: Int { counts.withLock { $0.transactions } }
    public var statements: Int { counts.withLock { $0.statements } }

    func countTransaction(statements: Int = 0) {
        counts.withLock { $0.transactions += 1; $0.statements += statements }
    }
    func countStatement() { counts.withLock { $0.statements += 1 } }

    /// Counts what `body` runs, from zero.
    public func counting<R>(_ body: () async throws -> R) async rethrows -> R {
        counts.withLock { $0 = (0, 0) }
        return try await QueryCounter.$current.withValue(self) { try await body() }
    }
}

extension AsyncSequence where Element == PostgresRow {
    /// Reads every row, so that an error raised during execution is thrown here.
    public func drain() async throws {
        for try await _ in self {}
    }

    /// All rows decoded as `T`.
    public func all<each T: PostgresDecodable>(_ type: (repeat each T).Type) async throws -> [(repeat each T)] {
        var out: [(repeat each T)] = []
        for try await row in self { out.append(try row.decode(type)) }
        return out
    }

    /// The first row decoded as `T`; the rest are read too (an error raised later is thrown).
    public func first<each T: PostgresDecodable>(_ type: (repeat each T).Type) async throws -> (repeat each T)? {
        var first: (repeat each T)?
        for try await row in self where first == nil { first = try row.decode(type) }
        return first
    }
}
