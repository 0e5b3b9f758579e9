import Foundation
import Synchronization

/// The engine's clock, a dependency so tests can run a whole session in seconds or step it by
/// hand (DESIGN §4).
public protocol ActivityClock: Sendable {
    var now: Date { get }
    /// Returns at `deadline` or later; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time for production.
public struct SystemActivityClock: ActivityClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}

/// A clock that moves only when told: tests run a session by setting the time and calling
/// `SpeedNetworkingEngine.tick()`, or let `SpeedNetworkingEngine.run()` sleep on it.
public final class ManualActivityClock: ActivityClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }
    public func set(_ time: Date) { current.withLock { $0 = time } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    public func sleep(until deadline: Date) async throws {
        while now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }
}
