import PostgresNIO
import Store
import Testing


/// Expects the database to refuse `body` with `state` (default 42501: insufficient privilege,
/// which covers both a missing grant and a row-level-security WITH CHECK violation).
public func expectRefusal(_ state: String = "42501", _ comment: Comment? = nil,
                          sourceLocation: SourceLocation = #_sourceLocation,
                          _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected the database to refuse with \(state), but it succeeded. \(comment?.rawValue ?? "")",
                     sourceLocation: sourceLocation)
    } catch {
        let got = sqlState(of: error)
        #expect(got == state, "expected SQLSTATE \(state), got \(got ?? "none"): \(String(reflecting: error).prefix(400))",
                sourceLocation: sourceLocation)
    }
}
