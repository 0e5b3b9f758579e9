import Matching
import Foundation
import Testing
@testable import SpeedNetworking

@Suite struct SessionPhaseTests {
    @Test(arguments: Fixture.all)
    func everyBoundaryInstant(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        let boundaries: [(at: Date, before: SessionPhase, from: SessionPhase)] = [
            (t.start - t.lead, .scheduled, .lobby),
            (t.start, .lobby, .running),
            (t.end, .running, .ended),
            (t.end + t.teardown, .ended, .closed),
        ]
        for b in boundaries {
            // act
            let before = t.phase(at: b.at - epsilon), at = t.phase(at: b.at), after = t.phase(at: b.at + epsilon)
            // check
            #expect(before == b.before, "just before \(b.from)")
            #expect(at == b.from, "at \(b.from)")
            #expect(after == b.from, "just after \(b.from)")
        }
    }

    @Test func productionBoundariesAreTheDesignValues() throws {
        // setup
        let start = origin, end = origin + .seconds(3600)
        // act
        let t = try SessionTimes(start: start, end: end, round: .seconds(300))
        // check
        #expect(t.lobbyOpens == start.addingTimeInterval(-15 * 60))
        #expect(t.closes == end.addingTimeInterval(15 * 60))
        #expect(t.grace == .seconds(60))
    }

    @Test func whatEachPhaseAllows() {
        // setup
        let expected: [SessionPhase: (enter: Bool, meet: Bool, organizer: Bool)] = [
            .scheduled: (false, false, false),
            .lobby: (true, false, true),
            .running: (true, true, true),
            .ended: (true, false, true),
            .closed: (false, false, false),
        ]
        for phase in SessionPhase.allCases {
            // act
            let e = expected[phase]!
            // check
            #expect(phase.canEnter == e.enter, "\(phase)")
            #expect(phase.canMeet == e.meet, "\(phase)")
            #expect(phase.pairsMayRun == e.meet, "\(phase)")
            #expect(phase.organizerMayPublishInLobby == e.organizer, "\(phase)")
            #expect(phase.mayPublishInLobby(isOrganizer: true) == e.organizer, "\(phase)")
            #expect(phase.mayPublishInLobby(isOrganizer: false) == false, "\(phase)")
        }
    }

    @Test func zeroLeadAndTeardownSkipLobbyAndEnded() throws {
        // setup
        let t = try SessionTimes(
            start: origin, end: origin + .seconds(10), round: .seconds(2), grace: .zero, lead: .zero, teardown: .zero)
        // act / check
        #expect(t.phase(at: origin - epsilon) == .scheduled)
        #expect(t.phase(at: origin) == .running)
        #expect(t.phase(at: t.end - epsilon) == .running)
        #expect(t.phase(at: t.end) == .closed)
        #expect(t.nextEvent(after: origin - epsilon) == origin)
        #expect(t.nextEvent(after: origin) == t.end)
        #expect(t.nextEvent(after: t.end) == nil)
    }
}

@Suite struct SessionTimesValidationTests {
    @Test func validAtTheEdgeWhereOneRoundExactlyFits() {
        // setup / act
        let problems = SessionTimes.problems(start: origin, end: origin + .seconds(61), round: .seconds(1), grace: .seconds(60))
        // check
        #expect(problems.isEmpty)
    }

    @Test(arguments: [
        (0, 60, 0, 0, 0, "The session must end after it starts."),
        (-5, 60, 0, 0, 0, "The session must end after it starts."),
        (100, 0, 0, 0, 0, "The round length must be positive."),
        (100, -1, 0, 0, 0, "The round length must be positive."),
        (100, 10, -1, 0, 0, "The grace period must not be negative."),
        (100, 10, 0, -1, 0, "The lobby lead time must not be negative."),
        (100, 10, 0, 0, -1, "The teardown time must not be negative."),
        (100, 50, 51, 0, 0, "One round plus its grace period (101 s) must fit in the session (100 s)."),
        (100, 101, 0, 0, 0, "One round plus its grace period (101 s) must fit in the session (100 s)."),
    ] as [(Int64, Int64, Int64, Int64, Int64, String)])
    func eachProblemHasAClearMessage(length: Int64, round: Int64, grace: Int64, lead: Int64, teardown: Int64, message: String) {
        // setup
        let end = origin + .seconds(length)
        // act
        let problems = SessionTimes.problems(
            start: origin, end: end, round: .seconds(round), grace: .seconds(grace), lead: .seconds(lead),
            teardown: .seconds(teardown))
        var thrown: SessionTimesError?
        do {
            _ = try SessionTimes(
                start: origin, end: end, round: .seconds(round), grace: .seconds(grace), lead: .seconds(lead),
                teardown: .seconds(teardown))
        } catch { thrown = error }
        // check
        #expect(problems == [message])
        #expect(thrown?.problems == [message])
    }

    @Test func allProblemsAreListedTogether() {
        // setup / act
        let problems = SessionTimes.problems(
            start: origin, end: origin, round: .zero, grace: .seconds(-1), lead: .seconds(-1), teardown: .seconds(-1))
        // check
        #expect(problems == [
            "The session must end after it starts.",
            "The round length must be positive.",
            "The grace period must not be negative.",
            "The lobby lead time must not be negative.",
            "The teardown time must not be negative.",
        ])
    }

    @Test func subSecondFitIsDescribedInMilliseconds() {
        // setup / act
        let problems = SessionTimes.problems(start: origin, end: origin + .milliseconds(500), round: .milliseconds(400), grace: .milliseconds(250))
        // check
        #expect(problems == ["One round plus its grace period (0.650 s) must fit in the session (0.500 s)."])
    }

    @Test func nonFiniteTimesAreRejected() {
        // setup / act
        let problems = SessionTimes.problems(start: .distantPast, end: Date(timeIntervalSinceReferenceDate: .infinity), round: .seconds(1))
        // check
        #expect(problems == ["The start and end must be real points in time."])
    }
}

@Suite struct SessionNextEventTests {
    @Test(arguments: Fixture.all)
    func walkingFromLobbyOpeningVisitsEachPhaseOnce(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        var now = t.lobbyOpens
        var visited: [SessionPhase] = [t.phase(at: now)]
        // act
        while let next = t.nextEvent(after: now) {
            #expect(next > now)
            now = next
            visited.append(t.phase(at: now))
        }
        // check
        #expect(visited == [.lobby, .running, .ended, .closed])
        #expect(now == t.closes)
    }

    @Test(arguments: Fixture.all)
    func walkingFromBeforeTheLobbyStartsWithIt(_ fixture: Fixture) {
        // setup
        let t = fixture.times
        var now = t.lobbyOpens - .seconds(3600)
        var stops: [Date] = []
        // act
        while let next = t.nextEvent(after: now) { stops.append(next); now = next }
        // check
        #expect(stops == [t.lobbyOpens, t.start, t.end, t.closes])
    }

    @Test func neverAtOrBeforeItsArgument() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            // setup
            let t = randomTimes(using: &rng)
            let span = t.closes.timeIntervalSince(t.lobbyOpens)
            let probes = t.phaseChanges.map(\.at) + [t.lobbyOpens.addingTimeInterval(Double.random(in: -10...span + 10, using: &rng))]
            let pair = t.pair(startedAt: t.start.addingTimeInterval(Double.random(in: 0...span, using: &rng)))
            for probe in probes {
                // act
                let session = t.nextEvent(after: probe), ofPair = pair.nextEvent(after: probe)
                let combined = t.nextEvent(after: probe, pairs: [pair])
                // check
                if let session { #expect(session > probe) }
                if let ofPair { #expect(ofPair > probe) }
                if let combined { #expect(combined > probe) }
                #expect(combined == [session, ofPair].compactMap { $0 }.min())
            }
        }
    }

    @Test func phasesAreMonotoneInTime() {
        var rng = SeededGenerator(seed: 42)
        for seed in 0..<500 {
            // setup
            let t = randomTimes(using: &rng)
            let lo = t.lobbyOpens.timeIntervalSinceReferenceDate - 5, hi = t.closes.timeIntervalSinceReferenceDate + 5
            var instants = (0..<50).map { _ in Date(timeIntervalSinceReferenceDate: Double.random(in: lo...hi, using: &rng)) }
            instants += t.phaseChanges.flatMap { [$0.at - epsilon, $0.at, $0.at + epsilon] }
            instants.sort()
            // act
            let phases = instants.map(t.phase(at:))
            let stages = instants.map { t.pair(startedAt: t.start).stage(at: $0).rank }
            // check
            #expect(zip(phases, phases.dropFirst()).allSatisfy { $0 <= $1 }, "seed \(seed): \(phases)")
            #expect(zip(stages, stages.dropFirst()).allSatisfy { $0 <= $1 }, "seed \(seed): \(stages)")
            #expect(phases.first == .scheduled && phases.last == .closed, "seed \(seed)")
        }
    }
}
