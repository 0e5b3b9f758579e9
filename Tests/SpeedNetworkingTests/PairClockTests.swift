import Matching
import Foundation
import Testing
@testable import SpeedNetworking

@Suite struct PairClockTests {
    @Test(arguments: Fixture.all)
    func everyBoundaryOfAFullRound(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        let p = t.start + t.round  // the second round: fits whole in every fixture
        let notice = p + t.round, over = p + (t.round + t.grace)
        // act
        let clock = t.pair(startedAt: p)
        // check
        #expect(!clock.isCutShort)
        #expect(clock.noticeAt == notice && clock.overAt == over)
        #expect(clock.stage(at: p) == .talking(noticeAt: notice))
        #expect(clock.stage(at: p + epsilon) == .talking(noticeAt: notice))
        #expect(clock.stage(at: notice - epsilon) == .talking(noticeAt: notice))
        #expect(clock.stage(at: notice) == .ending(overAt: over))
        #expect(clock.stage(at: notice + epsilon) == .ending(overAt: over))
        #expect(clock.stage(at: over - epsilon) == .ending(overAt: over))
        #expect(clock.stage(at: over) == .over)
        #expect(clock.stage(at: over + epsilon) == .over)
    }

    @Test(arguments: Fixture.all)
    func walkingNextEventVisitsNoticeThenOver(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        let clock = t.pair(startedAt: t.start)
        var now = t.start
        var stops: [Date] = []
        // act
        while let next = clock.nextEvent(after: now) { stops.append(next); now = next }
        // check
        #expect(stops == [t.start + t.round, t.start + t.round + t.grace])
    }

    @Test(arguments: Fixture.all)
    func sessionEndCutsTheGraceShort(_ fixture: Fixture) {
        // setup: a full round would end G/2 after E
        let t = fixture.times
        let p = t.end - t.round - t.grace / 2
        // act
        let clock = t.pair(startedAt: p)
        // check: the notice moves forward so it still gives a full G
        #expect(clock.isCutShort)
        #expect(clock.noticeAt == t.end - t.grace)
        #expect(clock.overAt == t.end)
        #expect(clock.stage(at: t.end - t.grace - epsilon) == .talking(noticeAt: t.end - t.grace))
        #expect(clock.stage(at: t.end - t.grace) == .ending(overAt: t.end))
        #expect(clock.stage(at: t.end - epsilon) == .ending(overAt: t.end))
        #expect(clock.stage(at: t.end) == .over)
        #expect(t.phase(at: t.end) == .ended)
    }

    @Test(arguments: Fixture.all)
    func lastPairStartGetsMinimumTalkThenGrace(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        let p = t.lastPairStart
        // act
        let clock = t.pair(startedAt: p)
        // check
        #expect(p == t.end - (t.round / 2 + t.grace))
        #expect(t.canStartPair(at: p))
        #expect(!t.canStartPair(at: p + epsilon))
        #expect(clock.noticeAt == t.end - t.grace)
        #expect(clock.overAt == t.end)
    }

    @Test(arguments: Fixture.all)
    func aPairStartedWithinGraceOfTheEndIsEndingAtOnce(_ fixture: Fixture) {
        // setup: e.g. restored after a restart; the engine would not start it
        let t = fixture.times
        let p = t.end - t.grace / 2
        // act
        let clock = t.pair(startedAt: p)
        // check
        #expect(!t.canStartPair(at: p))
        #expect(clock.noticeAt == p)
        #expect(clock.overAt == t.end)
        #expect(clock.stage(at: p) == .ending(overAt: t.end))
        #expect(clock.nextEvent(after: p) == t.end)
    }

    @Test(arguments: Fixture.all)
    func aPairStartedAtOrAfterTheEndIsOverAtOnce(_ fixture: Fixture) {
        for p in [fixture.times.end, fixture.times.end + epsilon] {
            // setup / act
            let clock = fixture.times.pair(startedAt: p)
            // check
            #expect(clock.noticeAt == p && clock.overAt == p)
            #expect(clock.stage(at: p) == .over)
            #expect(clock.nextEvent(after: p) == nil)
        }
    }

    @Test(arguments: Fixture.all)
    func whenANewPairMayStart(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        let cases: [(Date, Bool)] = [
            (t.lobbyOpens, false), (t.start - epsilon, false), (t.start, true), (t.start + epsilon, true),
            (t.lastPairStart, true), (t.lastPairStart + epsilon, false), (t.end - epsilon, false), (t.end, false),
            (t.closes, false),
        ]
        for (time, allowed) in cases {
            // act / check
            #expect(t.canStartPair(at: time) == allowed, "\(t.phase(at: time)) at \(time.timeIntervalSince(t.start)) s")
        }
    }

    @Test func cutPairsNeverOutliveTheSession() {
        var rng = SeededGenerator(seed: 3)
        for seed in 0..<2000 {
            // setup
            let t = randomTimes(using: &rng)
            let length = t.end.timeIntervalSince(t.start)
            let p = t.start.addingTimeInterval(Double.random(in: 0..<length, using: &rng))
            // act
            let clock = t.pair(startedAt: p)
            // check
            #expect(clock.startedAt <= clock.noticeAt && clock.noticeAt <= clock.overAt, "seed \(seed)")
            #expect(clock.overAt <= t.end, "seed \(seed)")
            #expect(clock.overAt <= p + (t.round + t.grace), "seed \(seed)")
            if t.canStartPair(at: p) {
                // a full grace notice, and at least the minimum talk before it
                #expect(abs(clock.overAt.timeIntervalSince(clock.noticeAt) - t.grace.timeInterval) < 1e-6, "seed \(seed)")
                #expect(clock.noticeAt.timeIntervalSince(p) >= t.minimumTalk.timeInterval - 1e-6, "seed \(seed)")
            }
        }
    }

    @Test func engineWakesForTheEarliestPairOrPhase() {
        // setup
        let t = Fixture.seconds.times
        let early = t.pair(startedAt: t.start), late = t.pair(startedAt: t.start + .seconds(1))
        // act / check
        #expect(t.nextEvent(after: t.start, pairs: [late, early]) == t.start + .seconds(2))
        #expect(t.nextEvent(after: t.start + .seconds(2), pairs: [late, early]) == t.start + .seconds(3))
        #expect(t.nextEvent(after: t.start + .seconds(4), pairs: [late, early]) == t.end)
        #expect(t.nextEvent(after: t.start + .seconds(4), pairs: [PairClock]()) == t.end)
    }
}
