import Foundation
import Logging
import PostgresNIO

public typealias TenantID = UUID
public typealias UserID = UUID

/// One open transaction of the app role. Request code only ever gets one of these from
/// `Database.withTenant`, `withPlatformAccess` or `withoutTenant`, so every query it runs
/// has the tenant (or deliberately none) set for row-level security.
public struct Transaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

    /// Runs a statement and reads its result to the end: PostgreSQL reports an error raised
    /// while a SELECT runs (a refused function call, say) only after its row description,
    /// so an unread result could hide the error until COMMIT quietly rolls back.
    public func execute(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger).drain()
    }

    /// Runs a prepared statement: PostgresNIO prepares it once per connection, and PostgreSQL
    /// keeps its plan (planning the row-level-security checks cost more than running them).
    public func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

/// The settings row-level security reads, for this transaction only.
struct TransactionSettings: PostgresPreparedStatement {
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
    public func withTenant<R: Sendable>(
        _ tenant: TenantID, user: UserID? = nil,
        _ body: (Transaction) async throws -> R
    ) async throws -> R {
        try await unwrapped { try await client.withTransaction(logger: logger) { connection in
            let transaction = Transaction(connection: connection, logger: logger)
            _ = try await transaction.rows(TransactionSettings(tenant: tenant.uuidString, user: user?.uuidString ?? ""))
            return try await body(transaction)
        } }
    }

    /// A transaction with no tenant: tenant tables show nothing. For platform pages and the
    /// narrow look-ups that happen before anyone is known.
    public func withoutTenant<R: Sendable>(
        user: UserID? = nil, _ body: (Transaction) async throws -> R
    ) async throws -> R {
        try await unwrapped { try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT set_config('app.user_id', \(user?.uuidString ?? ""), true)", logger: logger).drain()
            return try await body(Transaction(connection: connection, logger: logger))
        } }
    }

    /// The one audited path across tenants. The database checks that `actor` is a platform
    /// admin and writes the audit row in this same transaction; `tenant` nil means the
    /// platform-wide tables only.
    public func withPlatformAccess<R: Sendable>(
        actor: UserID, tenant: TenantID?, action: String, detail: String = "",
        _ body: (Transaction) async throws -> R
    ) async throws -> R {
        try await unwrapped { try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "SELECT begin_platform_access(\(actor), \(tenant), \(action), \(detail))", logger: logger).drain()
            return try await body(Transaction(connection: connection, logger: logger))
        } }
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

extension PostgresRowSequence {
    /// Reads every row, so that an error raised during execution is thrown here.
    public func drain() async throws {
        for try await _ in self {}
    }

    /// All rows decoded as `T`.
    public func all<each T: PostgresDecodable>(_ type: (repeat each T).Type) async throws -> [(repeat each T)] {
        var out: [(repeat each T)] = []
        for try await row in self.decode(type) { out.append(row) }
        return out
    }

    public func first<each T: PostgresDecodable>(_ type: (repeat each T).Type) async throws -> (repeat each T)? {
        for try await row in self.decode(type) { return row }
        return nil
    }
}
