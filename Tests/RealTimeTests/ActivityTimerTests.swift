import Foundation
import RealTime
import Synchronization
import Testing

/// The timer loop on a clock that moves only when told: what an activity would name as its next
/// deadline is set by hand, and what it would do when due is recorded.
@Suite struct ActivityTimerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// An activity's side of the timer: its next deadline (gone once it was handled, as an
    /// activity's would be), how often it was asked, when what was due was done, and whether the
    /// loop has ended.
    final class Schedule: Sendable {
        let deadline: Mutex<Date?>
        let asked = Mutex(0)
        let dues = Mutex<[Date]>([])
        let ended = Mutex(false)
        init(_ deadline: Date?) { self.deadline = Mutex(deadline) }

        var askedCount: Int { asked.withLock { $0 } }
        var dueTimes: [Date] { dues.withLock { $0 } }
        var hasEnded: Bool { ended.withLock { $0 } }

        /// Runs `timer` as an engine does, in a task of its own.
        func start(_ timer: ActivityTimer, clock: ManualActivityClock, idle: TimeInterval = 3600) -> Task<Void, Never> {
            Task {
                await timer.run(idle: idle, next: {
                    self.asked.withLock { $0 += 1 }
                    return self.deadline.withLock { $0 }
                }, due: {
                    let now = clock.now
                    self.dues.withLock { $0.append(now) }
                    self.deadline.withLock { if let deadline = $0, deadline <= now { $0 = nil } }
                })
                self.ended.withLock { $0 = true }
            }
        }
    }

    static func eventually(_ what: String, _ condition: () -> Bool) async {
        for _ in 0..<200 {
            if condition() { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("\(what) did not happen within 2 s")
    }

    /// Long enough for a loop that should not move to have moved (the manual clock polls every 5 ms).
    static func aWhile() async { try? await Task.sleep(for: .milliseconds(60)) }

    /// A timer running on a clock at `t0`, once it asked for its first deadline, `deadline`.
    func running(until deadline: Date?, idle: TimeInterval = 3600) async -> (ManualActivityClock, ActivityTimer, Schedule, Task<Void, Never>) {
        let clock = ManualActivityClock(t0)
        let timer = ActivityTimer(clock: clock)
        let activity = Schedule(deadline)
        let task = activity.start(timer, clock: clock, idle: idle)
        await Self.eventually("asking for the deadline") { activity.askedCount == 1 }
        return (clock, timer, activity, task)
    }

    @Test func itSleepsUntilTheNextDeadlineDoesWhatIsDueAndAsksAgain() async {
        // setup
        let (clock, timer, activity, task) = await running(until: t0.addingTimeInterval(10))

        // act: time passes, but not up to the deadline
        clock.advance(by: 9)
        await Self.aWhile()

        // check: still asleep
        #expect(activity.dueTimes.isEmpty)
        #expect(activity.askedCount == 1)

        // act: the deadline comes; the activity's next one is later
        activity.deadline.withLock { $0 = self.t0.addingTimeInterval(20) }
        clock.advance(by: 1)

        // check: done once, at the deadline, and the next deadline asked for
        await Self.eventually("doing what is due") { activity.askedCount == 2 }
        #expect(activity.dueTimes == [t0.addingTimeInterval(10)])

        // act: the next one comes
        clock.set(t0.addingTimeInterval(20))

        // check: done at that one too, and then asleep (nothing is due any more)
        await Self.eventually("doing what is due again") { activity.askedCount == 3 }
        #expect(activity.dueTimes == [t0.addingTimeInterval(10), t0.addingTimeInterval(20)])
        timer.close()
        await task.value
    }

    @Test func withNoDeadlineItLooksAgainAfterTheIdleTime() async {
        // setup
        let (clock, timer, activity, task) = await running(until: nil, idle: 60)

        // act + check: nothing before the idle time, then once
        clock.advance(by: 59)
        await Self.aWhile()
        #expect(activity.dueTimes.isEmpty)
        clock.advance(by: 1)
        await Self.eventually("looking again") { activity.askedCount == 2 }
        #expect(activity.dueTimes == [t0.addingTimeInterval(60)])

        timer.close()
        await task.value
    }

    @Test func aWakeCutsTheSleepShortAndTheDeadlineIsAskedForAgain() async {
        // setup: asleep until a deadline far off
        let (clock, timer, activity, task) = await running(until: t0.addingTimeInterval(100))

        // act: a change brings the deadline forward, and wakes the timer
        activity.deadline.withLock { $0 = self.t0.addingTimeInterval(5) }
        timer.wake()

        // check: woken at once (what is due is done, and checks the time itself), then the new
        // deadline asked for — the clock has not moved
        await Self.eventually("asking again") { activity.askedCount == 2 }
        #expect(activity.dueTimes == [t0])

        // act: the new deadline comes, long before the old one
        clock.advance(by: 5)

        // check
        await Self.eventually("doing what is due at the new deadline") { activity.askedCount == 3 }
        #expect(activity.dueTimes == [t0, t0.addingTimeInterval(5)])
        timer.close()
        await task.value
    }

    @Test func itStopsWhenClosedOrCancelledWithoutWaitingForTheDeadline() async {
        // setup: two timers asleep until a deadline the clock never reaches
        let (clock, closedTimer, closed, _) = await running(until: t0.addingTimeInterval(3600))
        let (_, _, cancelled, cancelledTask) = await running(until: t0.addingTimeInterval(3600))

        // act
        closedTimer.close()
        cancelledTask.cancel()

        // check: both loops end, nothing done as due, nothing asked again
        await Self.eventually("ending the closed one") { closed.hasEnded }
        await Self.eventually("ending the cancelled one") { cancelled.hasEnded }
        #expect(closed.dueTimes.isEmpty && cancelled.dueTimes.isEmpty)
        #expect(closed.askedCount == 1 && cancelled.askedCount == 1)
        // a wake after the end changes nothing
        closedTimer.wake()
        await Self.aWhile()
        #expect(closed.askedCount == 1 && closed.dueTimes.isEmpty)

        // act: a timer closed before it runs
        let early = ActivityTimer(clock: clock)
        early.close()
        let never = Schedule(t0)
        _ = never.start(early, clock: clock)

        // check: it ends without asking
        await Self.eventually("ending the one closed early") { never.hasEnded }
        #expect(never.askedCount == 0)
    }
}
