import Foundation

/// The engine's clock, a dependency so tests can run a whole session in seconds or step it by
/// hand (DESIGN §4).
public protocol LiveClock: Sendable {
    var now: Date { get }
    /// Returns at `deadline` or later; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time for production.
public struct SystemLiveClock: LiveClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
