import Foundation
import RealTime

// The rules of a one-to-one call (DESIGN §11), pure: how it rings, is answered and ends, who may
// do what, and who may send and see media. The engine (`CallEngine`) keeps one `Call` value, asks
// it, persists what changed and tells the two pages; the rules never do I/O.

/// One of the two people of a call, as they were named when it started.
public struct CallParty: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String

    public init(id: UUID, name: String) { (self.id, self.name) = (id, name) }
}

/// Where a call is.
public enum CallState: String, Codable, Sendable, Equatable {
    /// The callee's pages ring, for `Call.ringTime` from the start.
    case ringing
    /// The callee accepted: the two talk.
    case answered
    case ended
}

/// How a call ended. The raw values are stored (`calls.outcome`) and sent to pages.
public enum CallOutcome: String, Codable, Sendable, Equatable, CaseIterable {
    /// Answered, then ended by one of the two (`Call.endedBy`).
    case answered
    /// The callee said no while it rang.
    case declined
    /// The caller gave up while it rang.
    case cancelled
    /// Nobody answered within `Call.ringTime`.
    case missed
    /// The callee was already in a call, a meeting or a live session: it never rang.
    case busy
    /// Answered, then one side's page was gone longer than the grace (`Call.endedBy` is that side).
    case dropped
}

/// Which side of the call someone is.
public enum CallRole: String, Codable, Sendable, Equatable {
    case caller, callee
}

/// One side of a call as the room knows it now.
public struct CallSide: Sendable, Equatable {
    public var party: CallParty
    /// Their page in the call (one per person: a newer one takes over); nil while they have none.
    public var page: ConnectionID?
    /// When their page went away (or, for a side with no page, when the call was answered or
    /// loaded again): the call waits for them for the grace period.
    public var awaySince: Date?
    /// Their microphone and camera, as their page says.
    public var mic = false
    public var camera = false

    public init(_ party: CallParty) { self.party = party }

    public var connected: Bool { page != nil }
}

/// One call between a caller and a callee: ringing → answered → ended, or ended unanswered.
public struct Call: Sendable, Equatable {
    public let id: UUID
    public private(set) var caller: CallSide
    public private(set) var callee: CallSide
    /// Video, or audio only.
    public let video: Bool
    public let startedAt: Date
    public private(set) var answeredAt: Date?
    public private(set) var endedAt: Date?
    public private(set) var outcome: CallOutcome?
    /// Who ended an answered call (`answered`), who declined or cancelled, or whose page was
    /// gone (`dropped`); nil for `missed` and `busy`.
    public private(set) var endedBy: UUID?
    /// How long the call waits for a side whose page went away once answered.
    public let grace: TimeInterval

    /// How long a call rings before it is missed.
    public static let ringTime: TimeInterval = 30
    public static let defaultGrace: TimeInterval = 60

    /// A new call: it rings from `startedAt`.
    public init(id: UUID, caller: CallParty, callee: CallParty, video: Bool, startedAt: Date, grace: TimeInterval = Call.defaultGrace) {
        self.id = id
        self.caller = CallSide(caller)
        self.callee = CallSide(callee)
        self.video = video
        self.startedAt = startedAt
        self.grace = grace
    }

    /// A call as it was stored, loaded at `now` (after a restart nobody's page is there: an
    /// answered call waits the grace for both).
    public init(id: UUID, caller: CallParty, callee: CallParty, video: Bool, startedAt: Date, answeredAt: Date?, endedAt: Date?,
                outcome: CallOutcome?, endedBy: UUID?, loadedAt now: Date, grace: TimeInterval = Call.defaultGrace) {
        self.init(id: id, caller: caller, callee: callee, video: video, startedAt: startedAt, grace: grace)
        (self.answeredAt, self.endedAt, self.outcome, self.endedBy) = (answeredAt, endedAt, outcome, endedBy)
        if answeredAt != nil && endedAt == nil {
            self.caller.awaySince = now
            self.callee.awaySince = now
        }
    }

    /// A call to someone already in a call, a meeting or a live session: recorded for the log,
    /// over at once, never rings.
    public static func busy(id: UUID, caller: CallParty, callee: CallParty, video: Bool, at now: Date) -> Call {
        var call = Call(id: id, caller: caller, callee: callee, video: video, startedAt: now)
        call.finish(.busy, by: nil, at: now)
        return call
    }

    public var state: CallState {
        if endedAt != nil { return .ended }
        return answeredAt == nil ? .ringing : .answered
    }

    public var isOver: Bool { state == .ended }

    /// When it stops ringing unanswered.
    public var ringsUntil: Date { startedAt.addingTimeInterval(Self.ringTime) }

    /// Ringing at `now`: not answered, not ended, and within the ring time.
    public func isRinging(at now: Date) -> Bool { state == .ringing && now < ringsUntil }

    /// How long the two talked (answered calls that ended).
    public var duration: TimeInterval? {
        guard let answeredAt, let endedAt, outcome == .answered || outcome == .dropped else { return nil }
        return endedAt.timeIntervalSince(answeredAt)
    }

    public func role(of id: UUID) -> CallRole? {
        if id == caller.party.id { return .caller }
        if id == callee.party.id { return .callee }
        return nil
    }

    public func side(_ role: CallRole) -> CallSide { role == .caller ? caller : callee }

    private mutating func update(_ role: CallRole, _ change: (inout CallSide) -> Void) {
        if role == .caller { change(&caller) } else { change(&callee) }
    }

    private func member(_ id: UUID) throws(ActivityRefusal) -> CallRole {
        guard let role = role(of: id) else { throw .notYourCall }
        return role
    }

    private mutating func finish(_ outcome: CallOutcome, by: UUID?, at time: Date) {
        (self.outcome, endedBy, endedAt) = (outcome, by, time)
        caller.mic = false; caller.camera = false
        callee.mic = false; callee.camera = false
    }

    // MARK: Pages

    /// A page of one of the two arrives; returns the page it takes over from, if any.
    @discardableResult
    public mutating func arrive(_ id: UUID, page: ConnectionID) throws(ActivityRefusal) -> ConnectionID? {
        let role = try member(id)
        guard !isOver else { throw .callOver }
        let replaced = side(role).page
        update(role) { side in
            side.page = page
            side.awaySince = nil
        }
        return replaced
    }

    /// A page went away; returns whether its person went with it (a page a newer one replaced
    /// takes nobody away).
    @discardableResult
    public mutating func depart(_ id: UUID, page: ConnectionID, at now: Date) -> Bool {
        guard let role = role(of: id), side(role).page == page else { return false }
        update(role) { side in
            side.page = nil
            side.awaySince = now
        }
        return true
    }

    // MARK: What the two may do

    /// The callee takes the call while it rings.
    public mutating func accept(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try ringingCheck(by: id, must: .callee, at: now)
        answeredAt = now
        // Someone with no page now has the grace from the answer to come back.
        for role in [CallRole.caller, .callee] where !side(role).connected && side(role).awaySince == nil {
            update(role) { $0.awaySince = now }
        }
    }

    /// The callee says no while it rings.
    public mutating func decline(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try ringingCheck(by: id, must: .callee, at: now)
        finish(.declined, by: id, at: now)
    }

    /// The caller gives up while it rings.
    public mutating func cancel(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try ringingCheck(by: id, must: .caller, at: now)
        finish(.cancelled, by: id, at: now)
    }

    /// Either of the two hangs up an answered call.
    public mutating func end(by id: UUID, at now: Date) throws(ActivityRefusal) {
        _ = try member(id)
        switch state {
        case .ended: throw .callOver
        case .ringing: throw isRinging(at: now) ? ActivityRefusal.notAnswered : ActivityRefusal.callOver
        case .answered: finish(.answered, by: id, at: now)
        }
    }

    private func ringingCheck(by id: UUID, must role: CallRole, at now: Date) throws(ActivityRefusal) {
        let mine = try member(id)
        guard mine == role else { throw role == .callee ? ActivityRefusal.calleeOnly : ActivityRefusal.callerOnly }
        switch state {
        case .ended: throw .callOver
        case .answered: throw .notRinging
        case .ringing: guard now < ringsUntil else { throw .callOver }
        }
    }

    public mutating func setMic(_ id: UUID, _ on: Bool) throws(ActivityRefusal) {
        let role = try member(id)
        guard !isOver else { throw .callOver }
        update(role) { $0.mic = on }
    }

    public mutating func setCamera(_ id: UUID, _ on: Bool) throws(ActivityRefusal) {
        let role = try member(id)
        guard !isOver else { throw .callOver }
        update(role) { $0.camera = on }
    }

    // MARK: Time

    /// Ends the call if its time ran out: unanswered at the end of the ring time (`missed`,
    /// ended then), or a side away for the grace once answered (`dropped`, ended when their
    /// page went, by them). Returns whether it ended now.
    public mutating func expire(at now: Date) -> Bool {
        switch state {
        case .ended: return false
        case .ringing:
            guard now >= ringsUntil else { return false }
            finish(.missed, by: nil, at: ringsUntil)
            return true
        case .answered:
            let gone = [caller, callee].filter { !$0.connected }.compactMap { side -> (CallSide, Date)? in
                guard let away = side.awaySince, now.timeIntervalSince(away) >= grace else { return nil }
                return (side, away)
            }.min { $0.1 < $1.1 }
            guard let gone else { return false }
            let (side, away) = gone
            finish(.dropped, by: side.party.id, at: max(away, answeredAt ?? away))
            return true
        }
    }

    /// When `expire` will next have something to do.
    public func nextDeadline() -> Date? {
        switch state {
        case .ended: return nil
        case .ringing: return ringsUntil
        case .answered:
            return [caller, callee].filter { !$0.connected }.compactMap { $0.awaySince?.addingTimeInterval(grace) }.min()
        }
    }

    // MARK: Rights (the media seam)

    /// Each of the two publishes while the call is answered and not over; nobody else ever. The
    /// caller may also publish while it rings (as a phone shows one's own picture while calling):
    /// nobody may watch it before the answer (`mayWatch`), and the callee then sees them at once
    /// instead of after a publish of theirs.
    public func mayPublish(_ id: UUID) -> Bool {
        switch state {
        case .ended: false
        case .ringing: role(of: id) == .caller
        case .answered: role(of: id) != nil
        }
    }

    /// Each of the two watches the other (only) while answered and not over.
    public func mayWatch(_ viewer: UUID, publisher: UUID) -> Bool {
        guard state == .answered, let mine = role(of: viewer), let theirs = role(of: publisher) else { return false }
        return mine != theirs
    }
}

extension ActivityRefusal {
    public static let notYourCall = ActivityRefusal("not-yours", "This call is between two other people.")
    public static let callOver = ActivityRefusal("over", "This call is over.")
    public static let notRinging = ActivityRefusal("not-ringing", "This call is no longer ringing.")
    public static let notAnswered = ActivityRefusal("not-answered", "This call has not been answered: cancel or decline it instead.")
    public static let calleeOnly = ActivityRefusal("callee-only", "Only the person called can answer or decline.")
    public static let callerOnly = ActivityRefusal("caller-only", "Only the caller can cancel the call.")
}
