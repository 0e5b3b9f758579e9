import Foundation
import Synchronization

/// An activity's timer loop: it asks the activity for its next deadline, sleeps on the
/// activity's clock until then, and has what is due done — again and again, until `close()` or
/// until the task running it is cancelled. A change that moves a deadline calls `wake()`, which
/// cuts the sleep short: what is due is done (it checks the time itself) and the deadline is
/// asked again. The activity keeps its own rules — which deadline is next, what to do when it
/// comes; this keeps only the sleeping and the waking.
public final class ActivityTimer: Sendable {
    private struct State {
        /// The sleep under way, so that `wake()` and `close()` can cut it short.
        var sleeper: Task<Void, Never>?
        /// `wake()` came since the deadline was last asked for: the loop does not sleep on a
        /// deadline that may be stale.
        var woken = false
        var isClosed = false
    }

    private let clock: any ActivityClock
    private let state = Mutex(State())

    public init(clock: any ActivityClock) { self.clock = clock }

    /// Serves the timer until `close()` or cancellation. `next` names the next deadline (nil:
    /// none, and `due` is still called `idle` seconds later); `due` does what is due, and a
    /// failure it wants retried shows in the next deadline it names. A `wake()` while `next` runs
    /// counts as one during the sleep; one while `due` runs is not kept (`next` is asked after
    /// `due`, so it sees that change anyway).
    public func run(idle: TimeInterval, next: @Sendable () async -> Date?, due: @Sendable () async -> Void) async {
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                let isOpen = state.withLock { state in
                    state.woken = false
                    return !state.isClosed
                }
                guard isOpen else { return }
                let deadline = await next() ?? clock.now.addingTimeInterval(idle)
                let clock = self.clock
                // A task of its own only so that `wake()` can cut the sleep short. Not started
                // when a wake came while `next` ran (that deadline may be stale), nor once closed
                // or cancelled (the cancellation handler may have looked for a sleep already).
                let sleep: Task<Void, Never>? = state.withLock { state in
                    guard !state.woken, !state.isClosed, !Task.isCancelled else { return nil }
                    let sleep = Task { _ = try? await clock.sleep(until: deadline) }
                    state.sleeper = sleep
                    return sleep
                }
                await sleep?.value
                let stillOpen = state.withLock { state in
                    state.sleeper = nil
                    return !state.isClosed
                }
                guard stillOpen, !Task.isCancelled else { return }
                await due()
            }
        } onCancel: {
            state.withLock { $0.sleeper }?.cancel()
        }
    }

    /// A deadline moved: the sleep ends now and the next deadline is asked again.
    public func wake() {
        state.withLock { state in
            state.woken = true
            return state.sleeper
        }?.cancel()
    }

    /// The activity closed: the loop ends (at once if asleep; after `due` if it is running).
    public func close() {
        state.withLock { state in
            state.isClosed = true
            return state.sleeper
        }?.cancel()
    }
}
