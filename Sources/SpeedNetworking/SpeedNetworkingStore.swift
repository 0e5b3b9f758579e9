import Foundation
import RealTime

/// Where the engine writes everything as it happens and reads it back after a restart.
/// Each method is one transaction: when it returns, the change is durable; when it throws,
/// nothing of it was written and the engine keeps its previous state.
public protocol SpeedNetworkingStore: Sendable {
    /// The session and everything recorded so far; nil when it does not exist or is cancelled.
    func load(session: UUID) async throws -> SpeedNetworkingSnapshot?
    /// First entry and latest presence (for reports), the name shown in the room, and the
    /// start of this page's visit (`visit`, for the time spent in the room).
    func recordAttendance(session: UUID, user: Participant, visit: UUID, at: Date) async throws
    /// The page's visit ended (it left, or was refused after its attendance was written).
    func recordLeaving(session: UUID, visit: UUID, at: Date) async throws
    /// Ends every visit still open: at the room's closing, and when an engine is loaded after a
    /// restart (the pages of the one before are gone and said no goodbye).
    func closeVisits(session: UUID, at: Date) async throws
    /// Inserts or replaces the member's pool entry.
    func enterPool(session: UUID, entry: PoolEntry) async throws
    func leavePool(session: UUID, user: UUID) async throws
    /// Inserts the new pairings, removes their members from the pool and marks `prioritised`
    /// (left out of this round) as priority.
    func startPairings(session: UUID, _ pairings: [PairingRecord], prioritised: [UUID]) async throws
    /// Ends a pairing; `requeue` puts people back in the pool in the same transaction (the
    /// partner who stayed, or both when the session has no survey).
    func endPairing(session: UUID, pairing: UUID, at: Date, reason: PairingEnd, leftBy: UUID?, requeue: [PoolEntry]) async throws
    /// Stores a submitted survey; `requeue` puts the submitter back in the pool in the same transaction.
    func recordResponse(session: UUID, _ response: SurveyResponse, requeue: PoolEntry?) async throws
    /// Empties the pool (at the session end).
    func clearPool(session: UUID) async throws
    func setAvailableOrganizer(session: UUID, user: UUID?) async throws
}

/// Everything the engine needs to (re)build a running session.
public struct SpeedNetworkingSnapshot: Sendable {
    public var sessionID: UUID
    public var title: String
    public var times: SessionTimes
    public var questions: [SurveyQuestion]
    public var pairings: [PairingRecord]
    /// (pairing, submitter) of every stored survey.
    public var responses: Set<ResponseKey>
    public var pool: [PoolEntry]
    public var availableOrganizer: UUID?
    /// Display names of everyone who entered (recorded with their attendance).
    public var names: [UUID: String]

    public init(
        sessionID: UUID, title: String, times: SessionTimes, questions: [SurveyQuestion],
        pairings: [PairingRecord] = [], responses: Set<ResponseKey> = [], pool: [PoolEntry] = [],
        availableOrganizer: UUID? = nil, names: [UUID: String] = [:]
    ) {
        self.sessionID = sessionID
        self.title = title
        self.times = times
        self.questions = questions
        self.pairings = pairings
        self.responses = responses
        self.pool = pool
        self.availableOrganizer = availableOrganizer
        self.names = names
    }
}

public struct ResponseKey: Hashable, Sendable {
    public var pairing: UUID
    public var submitter: UUID
    public init(pairing: UUID, submitter: UUID) {
        self.pairing = pairing
        self.submitter = submitter
    }
}

/// Why a pairing ended.
public enum PairingEnd: String, Sendable, Codable {
    /// The round and its grace ran out.
    case time
    /// The session end cut it (DESIGN §4 step 5).
    case sessionEnd = "session_end"
    /// One of the two left or lost their connection for good.
    case left
}

/// One one-to-one of a session.
public struct PairingRecord: Hashable, Sendable {
    public var id: UUID
    /// The member with the higher priority when paired.
    public var memberA: UUID
    /// The partner; the organizer when `withOrganizer`.
    public var memberB: UUID
    public var withOrganizer: Bool
    public var round: Int
    public var startedAt: Date
    public var endedAt: Date?
    public var endReason: PairingEnd?
    public var leftBy: UUID?

    public init(
        id: UUID, memberA: UUID, memberB: UUID, withOrganizer: Bool, round: Int, startedAt: Date,
        endedAt: Date? = nil, endReason: PairingEnd? = nil, leftBy: UUID? = nil
    ) {
        self.id = id
        self.memberA = memberA
        self.memberB = memberB
        self.withOrganizer = withOrganizer
        self.round = round
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.leftBy = leftBy
    }

    public func contains(_ user: UUID) -> Bool { memberA == user || memberB == user }
    public func partner(of user: UUID) -> UUID? { memberA == user ? memberB : memberB == user ? memberA : nil }
}

/// A member waiting to be paired. Priority members (left out of a round, or whose partner
/// left) come first, then whoever has waited longest.
public struct PoolEntry: Hashable, Sendable {
    public var user: UUID
    public var queuedAt: Date
    public var priority: Bool

    public init(user: UUID, queuedAt: Date, priority: Bool) {
        self.user = user
        self.queuedAt = queuedAt
        self.priority = priority
    }
}

/// A submitted survey: what `submitter` said about `target` after one pairing.
public struct SurveyResponse: Hashable, Sendable {
    public var pairing: UUID
    public var submitter: UUID
    public var target: UUID
    public var submittedAt: Date
    /// Non-empty answers in question order.
    public var answers: [Answer]

    public struct Answer: Hashable, Sendable {
        public var question: SurveyQuestion
        public var position: Int
        public var value: String
        public init(question: SurveyQuestion, position: Int, value: String) {
            self.question = question
            self.position = position
            self.value = value
        }
    }

    public init(pairing: UUID, submitter: UUID, target: UUID, submittedAt: Date, answers: [Answer]) {
        self.pairing = pairing
        self.submitter = submitter
        self.target = target
        self.submittedAt = submittedAt
        self.answers = answers
    }
}
