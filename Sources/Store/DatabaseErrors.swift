import PostgresNIO

/// The SQLSTATE of a database error, looking through PostgresNIO's transaction wrapper.
public func sqlState(of error: any Error) -> String? {
    if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
    if let error = error as? PostgresTransactionError {
        for inner in [error.closureError, error.beginError, error.commitError].compactMap({ $0 }) {
            if let state = sqlState(of: inner) { return state }
        }
    }
    return nil
}

/// A unique constraint refused the write (SQLSTATE 23505).
public func isUniqueViolation(_ error: any Error) -> Bool { sqlState(of: error) == "23505" }
