import Foundation
import RealTime

// The rules of a meeting's room (DESIGN §10), pure: who gets in and when, who may do what, and
// what each decision changes. The engine (`MeetingEngine`) keeps one `MeetingRoom` value, asks
// it, persists what it says to persist and tells the pages; the rules never do I/O, so every
// one of them is tested without a socket.

/// A meeting's settings as the room applies them.
public struct MeetingSettings: Sendable, Equatable {
    /// Who created the meeting: its host.
    public var owner: UUID
    public var waitingRoom: Bool
    public var guestsAllowed: Bool
    public var cap: Int
    public var locked: Bool
    /// A host has come in (ever): until then nobody is let in but hosts.
    public var started: Bool
    public var ended: Bool

    public init(owner: UUID, waitingRoom: Bool = true, guestsAllowed: Bool = false, cap: Int = 25,
                locked: Bool = false, started: Bool = false, ended: Bool = false) {
        (self.owner, self.waitingRoom, self.guestsAllowed, self.cap) = (owner, waitingRoom, guestsAllowed, cap)
        (self.locked, self.started, self.ended) = (locked, started, ended)
    }
}

/// What a person is in a meeting.
public enum MeetingRole: String, Sendable, Codable, Equatable {
    /// The meeting's creator, or an organizer of the tenant.
    case host
    /// Made co-host by a host: moderates participants.
    case coHost = "co-host"
    case participant
    /// Came by the link with a name only.
    case guest
}

/// Where a person stands with the meeting.
public enum MeetingStanding: String, Sendable, Codable, Equatable {
    /// In the waiting room (or, with no waiting room, waiting for a host to come).
    case waiting
    case admitted
    /// A host did not let them in: they cannot ask again.
    case refused
    /// A host removed them: they cannot come back.
    case removed
}

/// Someone who arrives, as the socket authenticated them.
public struct MeetingArrival: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var isGuest: Bool
    /// An organizer of the tenant (a host of every meeting of it).
    public var isOrganizer: Bool

    public init(id: UUID, name: String, isGuest: Bool, isOrganizer: Bool) {
        (self.id, self.name, self.isGuest, self.isOrganizer) = (id, name, isGuest, isOrganizer)
    }
}

/// One person the room knows of.
public struct MeetingPerson: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var isGuest: Bool
    public var isOrganizer: Bool
    public var standing: MeetingStanding?
    public var coHost: Bool
    /// Their page that is connected now (one per person: a newer one takes over); nil while
    /// they have none. The engine sends to them through it.
    public var page: ConnectionID?
    public var connected: Bool { page != nil }
    /// When their last page went away (they keep their place for the grace period).
    public var awaySince: Date?
    public var waitingSince: Int?
    /// Their microphone is on (as their page says; a host's mute turns it off).
    public var mic = false
    public var camera = false
    public var sharing = false
    /// Their place among raised hands (lower is earlier); nil when the hand is down.
    public var hand: Int?
    /// A host muted them: their audio is blocked on the media server until a host asks them to unmute.
    public var blocked = false
    public var publishing = false

    public init(id: UUID, name: String, isGuest: Bool, isOrganizer: Bool, standing: MeetingStanding?, coHost: Bool) {
        (self.id, self.name, self.isGuest, self.isOrganizer, self.standing, self.coHost) = (id, name, isGuest, isOrganizer, standing, coHost)
    }
}

/// Why someone is held before the room.
public enum WaitingReason: String, Sendable, Codable, Equatable {
    /// A host decides (waiting room on, or a guest).
    case admission
    /// No waiting room, but no host has come yet.
    case host
}

/// The room of one meeting: settings, people, hands, the presenter.
public struct MeetingRoom: Sendable, Equatable {
    public var settings: MeetingSettings
    public private(set) var people: [UUID: MeetingPerson] = [:]
    /// Who shares their screen (one at a time).
    public private(set) var presenter: UUID?
    /// Who spoke last (Janus's talking events).
    public private(set) var speaker: UUID?
    /// Who is talking now, in the order they started.
    private var talkingNow: [UUID] = []
    private var handsSoFar = 0
    private var waitsSoFar = 0
    /// How long someone whose page went away keeps their place, hand and seat.
    public let grace: TimeInterval

    public static let defaultGrace: TimeInterval = 60
    /// The most people a meeting may hold (a page watches at most `MediaRequest.maxWatched`).
    public static let maxCap = 30

    public init(settings: MeetingSettings, decisions: [UUID: (standing: MeetingStanding, coHost: Bool)] = [:],
                names: [UUID: String] = [:], grace: TimeInterval = MeetingRoom.defaultGrace) {
        self.settings = settings
        self.grace = grace
        for (id, decision) in decisions {
            people[id] = MeetingPerson(id: id, name: names[id] ?? "", isGuest: false, isOrganizer: false,
                                       standing: decision.standing, coHost: decision.coHost)
        }
    }

    // MARK: Roles

    public func role(of id: UUID) -> MeetingRole? {
        guard let person = people[id] else { return nil }
        return role(of: person)
    }

    func role(of person: MeetingPerson) -> MeetingRole {
        if !person.isGuest && (person.id == settings.owner || person.isOrganizer) { return .host }
        if person.coHost { return .coHost }
        return person.isGuest ? .guest : .participant
    }

    /// In the room now or lately (their place is kept): admitted, and connected or within the grace.
    public func isSeated(_ person: MeetingPerson, at now: Date) -> Bool {
        guard person.standing == .admitted else { return false }
        if person.connected { return true }
        guard let away = person.awaySince else { return false }
        return now.timeIntervalSince(away) < grace
    }

    public func isPresent(_ id: UUID) -> Bool {
        guard let person = people[id] else { return false }
        return person.standing == .admitted && person.connected
    }

    /// May moderate now: a host or co-host who is in the room.
    public func mayModerate(_ id: UUID) -> Bool {
        guard let person = people[id], person.standing == .admitted, person.connected, !settings.ended else { return false }
        return role(of: person) == .host || role(of: person) == .coHost
    }

    /// Someone is in the room who may let people in.
    public var hostPresent: Bool { people.values.contains { $0.connected && $0.standing == .admitted && [.host, .coHost].contains(role(of: $0)) } }

    func seatedCount(at now: Date, except id: UUID? = nil) -> Int {
        people.values.filter { $0.id != id && isSeated($0, at: now) }.count
    }

    // MARK: Arriving and leaving

    public enum Arrived: Sendable, Equatable {
        /// In the room; `alsoAdmitted`: people who waited for a host and are let in with this one.
        case admitted(alsoAdmitted: [UUID])
        case waiting(WaitingReason)
    }

    /// Someone's page connects (it becomes their page; one they had before is replaced). Hosts
    /// always get in; someone admitted before keeps their place (a network drop, a reload) even
    /// in a locked meeting; everyone else goes through the waiting room when it is on — and
    /// guests always — whether or not a host is there yet.
    public mutating func arrive(_ arrival: MeetingArrival, page: ConnectionID, at now: Date) throws(ActivityRefusal) -> Arrived {
        if settings.ended { throw .meetingEnded }
        var person = people[arrival.id] ?? MeetingPerson(id: arrival.id, name: arrival.name, isGuest: arrival.isGuest,
                                                          isOrganizer: arrival.isOrganizer, standing: nil, coHost: false)
        (person.name, person.isGuest, person.isOrganizer) = (arrival.name, arrival.isGuest, arrival.isOrganizer)
        switch person.standing {
        case .removed?: throw .removedFromMeeting
        case .refused?: throw .refusedEntry
        default: break
        }
        if arrival.isGuest && !settings.guestsAllowed { throw .guestsOff }
        let isHost = role(of: person) == .host
        let wasSeated = isSeated(person, at: now)
        if !isHost && !wasSeated {
            if person.standing != .admitted && person.standing != .waiting && settings.locked { throw .meetingLocked }
            if person.standing != .waiting && seatedCount(at: now, except: person.id) >= settings.cap { throw .meetingFull }
        }
        person.page = page
        person.awaySince = nil
        var outcome: Arrived
        if isHost || person.standing == .admitted {
            person.standing = .admitted
            outcome = .admitted(alsoAdmitted: [])
        } else if settings.waitingRoom || person.isGuest {
            outcome = .waiting(.admission)
        } else if settings.started {
            person.standing = .admitted
            outcome = .admitted(alsoAdmitted: [])
        } else {
            outcome = .waiting(.host)
        }
        if case .waiting = outcome, person.standing != .waiting {
            person.standing = .waiting
            waitsSoFar += 1
            person.waitingSince = waitsSoFar
        }
        if person.standing == .admitted { person.waitingSince = nil }
        people[person.id] = person
        if isHost && !settings.started {
            settings.started = true
            // Without a waiting room, the members who waited for a host come in with the host.
            if !settings.waitingRoom {
                let waited = waitingPeople.filter { !$0.isGuest }.map(\.id)
                for id in waited { people[id]?.standing = .admitted; people[id]?.waitingSince = nil }
                outcome = .admitted(alsoAdmitted: waited)
            }
        }
        return outcome
    }

    /// A page went away; returns whether its person left with it (a page a newer one replaced
    /// takes nobody out). Someone admitted keeps their place for the grace period; someone
    /// waiting leaves the queue.
    @discardableResult
    public mutating func depart(_ id: UUID, page: ConnectionID, at now: Date) -> Bool {
        guard var person = people[id], person.page == page else { return false }
        person.page = nil
        person.awaySince = now
        person.publishing = false
        if person.sharing { person.sharing = false; presenter = nil }
        if person.standing == .waiting { person.standing = nil; person.waitingSince = nil }
        people[id] = person
        return true
    }

    /// Those away beyond the grace period lose their hand; returns whether anything changed.
    public mutating func expire(at now: Date) -> Bool {
        var changed = false
        for (id, person) in people where !person.connected && person.hand != nil && !isSeated(person, at: now) {
            people[id]?.hand = nil
            changed = true
        }
        return changed
    }

    /// When the next person's grace ends, if anyone is away with their place kept.
    public func nextExpiry(after now: Date) -> Date? {
        people.values.compactMap { person -> Date? in
            guard !person.connected, person.standing == .admitted, let away = person.awaySince else { return nil }
            let end = away.addingTimeInterval(grace)
            return end > now ? end : nil
        }.min()
    }

    /// The waiting room, first come first.
    public var waitingPeople: [MeetingPerson] {
        people.values.filter { $0.standing == .waiting && $0.connected }.sorted { ($0.waitingSince ?? 0) < ($1.waitingSince ?? 0) }
    }

    /// Everyone in the room now or lately, hosts first, then by name.
    public func seatedPeople(at now: Date) -> [MeetingPerson] {
        people.values.filter { isSeated($0, at: now) }.sorted { a, b in
            let (ra, rb) = (Self.rank(role(of: a)), Self.rank(role(of: b)))
            if ra != rb { return ra < rb }
            if a.name != b.name { return a.name.localizedCaseInsensitiveCompare(b.name) == .orderedAscending }
            return a.id.uuidString < b.id.uuidString
        }
    }

    private static func rank(_ role: MeetingRole) -> Int {
        switch role { case .host: 0; case .coHost: 1; case .participant: 2; case .guest: 3 }
    }

    /// Raised hands in the order raised.
    public var raisedHands: [UUID] {
        people.values.filter { $0.hand != nil }.sorted { $0.hand! < $1.hand! }.map(\.id)
    }

    // MARK: Host controls (each refused unless `by` may moderate)

    private func moderator(_ by: UUID) throws(ActivityRefusal) {
        guard mayModerate(by) else { throw .hostsOnly }
    }

    /// A person hosts may act on: in the room or waiting, and not a host themselves.
    private func target(_ id: UUID, by: UUID) throws(ActivityRefusal) -> MeetingPerson {
        guard let person = people[id], person.standing == .admitted || person.standing == .waiting else { throw .noSuchPerson }
        guard role(of: person) != .host, id != by else { throw .notHostsToHost }
        // Co-hosts are for hosts to deal with.
        if role(of: person) == .coHost && role(of: people[by]!) != .host { throw .notHostsToHost }
        return person
    }

    /// Lets someone in from the waiting room.
    public mutating func admit(_ id: UUID, by: UUID, at now: Date) throws(ActivityRefusal) {
        try moderator(by)
        guard let person = people[id], person.standing == .waiting, person.connected else { throw .notWaiting }
        guard seatedCount(at: now) < settings.cap else { throw .meetingFull }
        people[id]?.standing = .admitted
        people[id]?.waitingSince = nil
    }

    /// Lets everyone waiting in (as many as the cap allows, first come first); returns them.
    public mutating func admitAll(by: UUID, at now: Date) throws(ActivityRefusal) -> [UUID] {
        try moderator(by)
        var admitted: [UUID] = []
        for person in waitingPeople where seatedCount(at: now) < settings.cap {
            people[person.id]?.standing = .admitted
            people[person.id]?.waitingSince = nil
            admitted.append(person.id)
        }
        if admitted.isEmpty && !waitingPeople.isEmpty { throw .meetingFull }
        return admitted
    }

    /// Turns someone in the waiting room away for good.
    public mutating func refuse(_ id: UUID, by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        guard people[id]?.standing == .waiting else { throw .notWaiting }
        people[id]?.standing = .refused
        people[id]?.waitingSince = nil
    }

    /// Blocks someone's microphone (their page turns it off; the media server drops their audio).
    public mutating func mute(_ id: UUID, by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        let person = try target(id, by: by)
        guard person.standing == .admitted else { throw .noSuchPerson }
        people[id]?.blocked = true
        people[id]?.mic = false
    }

    /// Mutes everyone but hosts and co-hosts; returns who was muted now.
    public mutating func muteAll(by: UUID) throws(ActivityRefusal) -> [UUID] {
        try moderator(by)
        var muted: [UUID] = []
        for person in people.values where person.standing == .admitted && !person.blocked && role(of: person) != .host
            && role(of: person) != .coHost {
            people[person.id]?.blocked = true
            people[person.id]?.mic = false
            muted.append(person.id)
        }
        return muted
    }

    /// Lifts the block and asks them to unmute; they decide (nobody is unmuted by someone else).
    public mutating func askToUnmute(_ id: UUID, by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        let person = try target(id, by: by)
        guard person.standing == .admitted else { throw .noSuchPerson }
        people[id]?.blocked = false
    }

    /// Removes someone (in the room or waiting) for good.
    public mutating func remove(_ id: UUID, by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        _ = try target(id, by: by)
        people[id]?.standing = .removed
        people[id]?.hand = nil
        people[id]?.waitingSince = nil
        if presenter == id { presenter = nil; people[id]?.sharing = false }
    }

    /// Makes someone in the room co-host, or not; hosts only.
    public mutating func setCoHost(_ id: UUID, _ on: Bool, by: UUID) throws(ActivityRefusal) {
        guard mayModerate(by), role(of: by) == .host else { throw .hostsOnly }
        guard let person = people[id], person.standing == .admitted else { throw .noSuchPerson }
        guard role(of: person) != .host else { throw .notHostsToHost }
        people[id]?.coHost = on
        if on { people[id]?.blocked = false }
    }

    public mutating func lock(_ on: Bool, by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        settings.locked = on
    }

    public mutating func end(by: UUID) throws(ActivityRefusal) {
        try moderator(by)
        settings.ended = true
        presenter = nil
    }

    // MARK: One's own things

    private func inRoom(_ id: UUID) throws(ActivityRefusal) {
        guard isPresent(id), !settings.ended else { throw .notAdmitted }
    }

    /// Lowers a hand: one's own, or anyone's for a host.
    public mutating func lowerHand(_ id: UUID, by: UUID) throws(ActivityRefusal) {
        if id != by { try moderator(by) } else { try inRoom(by) }
        guard people[id]?.hand != nil else { return }
        people[id]?.hand = nil
    }

    public mutating func raiseHand(_ id: UUID) throws(ActivityRefusal) {
        try inRoom(id)
        guard people[id]?.hand == nil else { return }
        handsSoFar += 1
        people[id]?.hand = handsSoFar
    }

    /// One's microphone on or off; on is refused while a host's block holds.
    public mutating func setMic(_ id: UUID, _ on: Bool) throws(ActivityRefusal) {
        try inRoom(id)
        if on && people[id]!.blocked { throw .mutedByHost }
        people[id]?.mic = on
    }

    public mutating func setCamera(_ id: UUID, _ on: Bool) throws(ActivityRefusal) {
        try inRoom(id)
        people[id]?.camera = on
    }

    /// Starts or stops sharing one's screen; one presenter at a time.
    public mutating func share(_ id: UUID, _ on: Bool) throws(ActivityRefusal) {
        try inRoom(id)
        if on {
            if let presenter, presenter != id { throw .someoneSharing(people[presenter]?.name ?? "Someone") }
            presenter = id
        } else if presenter == id {
            presenter = nil
        }
        people[id]?.sharing = on
    }

    /// The media layer says whether someone's media is up.
    public mutating func setPublishing(_ id: UUID, _ on: Bool) -> Bool {
        guard people[id] != nil, people[id]!.publishing != on else { return false }
        people[id]?.publishing = on
        return true
    }

    /// The media server says someone started (or stopped) talking; returns whether the speaker
    /// changed. It says so only on a change, so several may be talking at once: the speaker is
    /// the one who started last, and when they stop, whoever else still talks.
    public mutating func talking(_ id: UUID, _ on: Bool) -> Bool {
        var talkers = talkingNow.filter { $0 != id }
        if on && isPresent(id) { talkers.append(id) }
        talkingNow = talkers.filter { isPresent($0) }
        // (The media server does not judge a muted stream, so someone muted while talking stays
        // "talking" there: only those with their microphone on can take over.)
        let audible = talkingNow.last { people[$0]?.mic == true && people[$0]?.blocked == false }
        let next = on && isPresent(id) ? id : (speaker == id ? audible ?? speaker : speaker)
        guard next != speaker else { return false }
        speaker = next
        return true
    }

    // MARK: Rights (the media seam and the chat)

    public func mayPublish(_ id: UUID) -> Bool { isPresent(id) && !settings.ended }

    public func mayWatch(_ viewer: UUID, publisher: UUID) -> Bool {
        isPresent(viewer) && people[publisher]?.standing == .admitted && !settings.ended
    }

    public func mayChat(_ id: UUID) -> Bool { isPresent(id) && !settings.ended }
}

extension ActivityRefusal {
    static let meetingEnded = ActivityRefusal("ended", "This meeting has ended.")
    static let removedFromMeeting = ActivityRefusal("removed", "A host removed you from this meeting; you cannot join it again.")
    static let refusedEntry = ActivityRefusal("refused", "A host did not let you into this meeting.")
    static let guestsOff = ActivityRefusal("guests-off", "This meeting does not take guests. Sign in as a member of this site to join.")
    static let meetingLocked = ActivityRefusal("locked", "The host locked this meeting: nobody new can join now.")
    static let meetingFull = ActivityRefusal("full", "This meeting is full.")
    static let hostsOnly = ActivityRefusal("hosts-only", "Only the meeting's hosts can do that.")
    static let noSuchPerson = ActivityRefusal("no-such-person", "That person is not in this meeting (any more).")
    static let notHostsToHost = ActivityRefusal("not-allowed", "You cannot do that to a host.")
    static let notWaiting = ActivityRefusal("not-waiting", "That person is not in the waiting room (any more).")
    static let notAdmitted = ActivityRefusal("not-admitted", "You are not in the meeting yet.")
    static let mutedByHost = ActivityRefusal("muted-by-host", "A host muted you; you can unmute when a host asks you to.")
    static func someoneSharing(_ name: String) -> ActivityRefusal {
        ActivityRefusal("someone-sharing", "\(name) is sharing their screen; one person shares at a time.")
    }
}
