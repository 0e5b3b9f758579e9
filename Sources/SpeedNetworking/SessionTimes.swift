import Foundation

// The pure timeline of one live session (DESIGN §4). Instants are `Date` (as stored), lengths
// are `Duration`; nothing here reads a clock, so callers pass the time in.

/// The schedule of one live session: start S, end E, round length R, grace G, lobby lead L and
/// teardown T. Phase boundaries are S − L (lobby opens), S, E and E + T (closed).
public struct SessionTimes: Hashable, Sendable {
    public static let productionGrace: Duration = .seconds(60)
    public static let productionLead: Duration = .seconds(15 * 60)
    public static let productionTeardown: Duration = .seconds(15 * 60)

    public let start: Date
    public let end: Date
    public let round: Duration
    public let grace: Duration
    public let lead: Duration
    public let teardown: Duration

    /// Throws `SessionTimesError` listing every problem of `problems(...)`.
    public init(
        start: Date, end: Date, round: Duration,
        grace: Duration = SessionTimes.productionGrace,
        lead: Duration = SessionTimes.productionLead,
        teardown: Duration = SessionTimes.productionTeardown
    ) throws(SessionTimesError) {
        let problems = Self.problems(start: start, end: end, round: round, grace: grace, lead: lead, teardown: teardown)
        guard problems.isEmpty else { throw SessionTimesError(problems: problems) }
        self.start = start
        self.end = end
        self.round = round
        self.grace = grace
        self.lead = lead
        self.teardown = teardown
    }

    /// Human-readable problems with these parameters; empty when they make a valid session.
    public static func problems(
        start: Date, end: Date, round: Duration,
        grace: Duration = SessionTimes.productionGrace,
        lead: Duration = SessionTimes.productionLead,
        teardown: Duration = SessionTimes.productionTeardown
    ) -> [String] {
        var problems: [String] = []
        let timesFinite = start.timeIntervalSinceReferenceDate.isFinite && end.timeIntervalSinceReferenceDate.isFinite
        if !timesFinite { problems.append("The start and end must be real points in time.") }
        if timesFinite && end <= start { problems.append("The session must end after it starts.") }
        if round <= .zero { problems.append("The round length must be positive.") }
        if grace < .zero { problems.append("The grace period must not be negative.") }
        if lead < .zero { problems.append("The lobby lead time must not be negative.") }
        if teardown < .zero { problems.append("The teardown time must not be negative.") }
        if timesFinite && end > start && round > .zero && grace >= .zero
            && start + (round + grace) > end  // in Date space, as the pair clock computes it
        {
            problems.append(
                "One round plus its grace period (\(describe(round + grace))) must fit in the session "
                    + "(\(describe(seconds: end.timeIntervalSince(start)))).")
        }
        return problems
    }

    /// S − L: members may enter the lobby from here.
    public var lobbyOpens: Date { start - lead }
    /// E + T: the session is deallocated from here (its data stays).
    public var closes: Date { end + teardown }

    public func phase(at time: Date) -> SessionPhase {
        if time < lobbyOpens { return .scheduled }
        if time < start { return .lobby }
        if time < end { return .running }
        if time < closes { return .ended }
        return .closed
    }

    /// The phase boundaries in order; equal instants are possible when L or T is zero.
    public var phaseChanges: [(at: Date, phase: SessionPhase)] {
        [(lobbyOpens, .lobby), (start, .running), (end, .ended), (closes, .closed)]
    }

    /// The first phase boundary strictly after `time`, or nil once the session is closed.
    public func nextEvent(after time: Date) -> Date? {
        phaseChanges.first { $0.at > time }?.at
    }

    /// The shortest talk worth starting a pair for: half a round. Shorter leftovers at the end
    /// of a session would only produce a greeting and a goodbye.
    public var minimumTalk: Duration { round / 2 }

    /// The last instant at which a new pair may start: E − (minimumTalk + G).
    public var lastPairStart: Date { end - (minimumTalk + grace) }

    /// Whether a new pair may start at `time`: the session is running and at least
    /// `minimumTalk` plus the grace notice remain before E. True at S since a round fits.
    public func canStartPair(at time: Date) -> Bool {
        phase(at: time) == .running && time <= lastPairStart
    }

    /// The clock of a pair started at `time` in this session.
    public func pair(startedAt time: Date) -> PairClock { PairClock(startedAt: time, session: self) }

    /// The first change strictly after `time` in the session or any of `pairs`, for an engine
    /// that sleeps until something happens.
    public func nextEvent(after time: Date, pairs: some Sequence<PairClock>) -> Date? {
        var next = nextEvent(after: time)
        for pair in pairs {
            if let candidate = pair.nextEvent(after: time), next.map({ candidate < $0 }) ?? true { next = candidate }
        }
        return next
    }
}

public struct SessionTimesError: Error, Hashable, Sendable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: " ") }
}

/// Where a session is in its life; the cases are ordered in time (`Comparable`).
public enum SessionPhase: Int, Comparable, CaseIterable, Hashable, Sendable {
    /// Before S − L: nobody may enter.
    case scheduled
    /// From S − L to S: members gather; nobody is matched yet.
    case lobby
    /// From S to E: members may join the matching pool and meet in private rooms.
    case running
    /// From E to E + T: private rooms are over, everyone is back in the lobby.
    case ended
    /// From E + T: deallocated; nobody can enter, the data stays.
    case closed

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether members (and the organizer) may enter the session, i.e. the lobby exists.
    public var canEnter: Bool { self == .lobby || self == .running || self == .ended }
    /// Whether members may press "Meet someone" and join the matching pool.
    public var canMeet: Bool { self == .running }
    /// Whether private pair rooms may exist; at E they all end.
    public var pairsMayRun: Bool { self == .running }
    /// Only the organizer ever publishes in the lobby, whenever the lobby exists.
    public var organizerMayPublishInLobby: Bool { canEnter }
    public func mayPublishInLobby(isOrganizer: Bool) -> Bool { isOrganizer && organizerMayPublishInLobby }
}

extension Duration {
    /// Seconds as `TimeInterval`, for arithmetic with `Date`.
    public var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) * 1e-18
    }
}

extension Date {
    public static func + (date: Date, duration: Duration) -> Date { date.addingTimeInterval(duration.timeInterval) }
    public static func - (date: Date, duration: Duration) -> Date { date.addingTimeInterval(-duration.timeInterval) }
}

private func describe(_ duration: Duration) -> String { describe(seconds: duration.timeInterval) }

private func describe(seconds: TimeInterval) -> String {
    let whole = seconds.rounded()
    let text = whole == seconds ? String(Int(whole)) : String(format: "%.3f", seconds)
    return "\(text) s"
}
