/// An activity's operations carried out one at a time, each to its end — including the store
/// writes it awaits — before the next one looks at the activity's state: actor reentrancy
/// cannot interleave two operations. `run()` serves the line until `close()`; operations
/// submitted after that are refused with `ActivityRefusal.closed`.
public final class OperationLine: Sendable {
    private typealias Operation = @Sendable () async -> Void
    private let operations: AsyncStream<Operation>
    private let submitter: AsyncStream<Operation>.Continuation

    public init() {
        (operations, submitter) = AsyncStream<Operation>.makeStream()
    }

    deinit { submitter.finish() }

    /// Carries out `body` after every operation submitted before it, and returns its result.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { reply in
            let operation: Operation = {
                do { reply.resume(returning: try await body()) } catch { reply.resume(throwing: error) }
            }
            if case .terminated = submitter.yield(operation) { reply.resume(throwing: ActivityRefusal.closed) }
        }
    }

    /// Serves the line until it is closed (operations already queued are still carried out).
    public func run() async {
        for await operation in operations { await operation() }
    }

    public func close() { submitter.finish() }
}
