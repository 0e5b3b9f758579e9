import Foundation

/// The clock of one pair started at P in a session (DESIGN §4 step 4).
///
/// Normally the notice comes at P + R and the pair is over at P + R + G. The session end E cuts
/// a pair short: it is over at min(P + R + G, E), and its notice comes at min(P + R, E − G), so
/// the "ends in one minute" notice stays truthful whenever the pair started at least G before E.
/// Both instants are clamped to ≥ P, so a pair (re)created at or after E is over at once.
public struct PairClock: Hashable, Sendable {
    public enum Stage: Hashable, Sendable {
        /// Talking; the ending notice comes at `noticeAt`.
        case talking(noticeAt: Date)
        /// The notice is shown; both are disconnected at `overAt`.
        case ending(overAt: Date)
        /// Disconnected; the survey is shown.
        case over
    }

    public let startedAt: Date
    public let noticeAt: Date
    public let overAt: Date
    /// Whether the session end shortened this pair's round or grace.
    public let isCutShort: Bool

    public init(startedAt: Date, session: SessionTimes) {
        let fullNotice = startedAt + session.round
        let fullOver = startedAt + (session.round + session.grace)  // as validated
        self.startedAt = startedAt
        noticeAt = max(startedAt, min(fullNotice, session.end - session.grace))
        overAt = max(startedAt, min(fullOver, session.end))
        isCutShort = fullOver > session.end
    }

    /// Times before P count as talking: the pair's clock starts at P.
    public func stage(at time: Date) -> Stage {
        if time < noticeAt { return .talking(noticeAt: noticeAt) }
        if time < overAt { return .ending(overAt: overAt) }
        return .over
    }

    /// The first stage change strictly after `time`, or nil once the pair is over.
    public func nextEvent(after time: Date) -> Date? {
        [noticeAt, overAt].first { $0 > time }
    }
}
