import Foundation
import RealTime

// The rules of a watch-together room (DESIGN §12), pure: what plays, where and how fast, who
// may change it, the queue, who is in the room and when it closes. The engine (`WatchEngine`)
// keeps one `WatchRoom` value, asks it, persists what changed and tells the pages; the rules
// never do I/O. The server owns the playback: pages compute where their video should be from
// `Playback` and the server's clock, and correct themselves.

/// Where a video comes from.
public enum WatchSource: Sendable, Equatable, Codable {
    /// A file uploaded to this room and processed (H.264/AAC MP4), served by the room.
    case file(UUID)
    /// A direct link to a video file elsewhere.
    case link(URL)
    /// A YouTube video, played through the IFrame Player API (its 11-character id).
    case youtube(String)

    public var kind: String {
        switch self {
        case .file: "file"
        case .link: "link"
        case .youtube: "youtube"
        }
    }
}

/// One video of the room's queue.
public struct WatchItem: Sendable, Equatable, Codable, Identifiable {
    public var id: UUID
    public var title: String
    public var source: WatchSource
    /// Seconds, when known (a processed file; a page may report a link's).
    public var duration: Double?
    /// An uploaded file with subtitles (WebVTT) beside it.
    public var hasSubtitles: Bool

    public init(id: UUID, title: String, source: WatchSource, duration: Double? = nil, hasSubtitles: Bool = false) {
        (self.id, self.title, self.source, self.duration, self.hasSubtitles) = (id, title, source, duration, hasSubtitles)
    }
}

/// What plays, as the server owns it: the item, paused or playing, the position at a server
/// instant and the rate. A page's video should be at `position(at:)` of the server's clock.
public struct Playback: Sendable, Equatable, Codable {
    /// The queue item playing (nil: nothing chosen yet).
    public var item: UUID?
    public var paused: Bool
    /// Seconds into the video at `at`.
    public var position: Double
    public var at: Date
    public var rate: Double

    public init(item: UUID? = nil, paused: Bool = true, position: Double = 0, at: Date, rate: Double = 1) {
        (self.item, self.paused, self.position, self.at, self.rate) = (item, paused, position, at, rate)
    }

    /// Where the video is at `now` (never before 0; a known duration caps it).
    public func position(at now: Date, duration: Double? = nil) -> Double {
        let moved = paused ? position : position + now.timeIntervalSince(at) * rate
        return min(max(0, moved), duration ?? .infinity)
    }

    /// The same playback re-anchored at `now` (so a change of rate or pause keeps the position).
    func anchored(at now: Date, duration: Double?) -> Playback {
        var copy = self
        copy.position = position(at: now, duration: duration)
        copy.at = now
        return copy
    }
}

/// Who may change the playback.
public enum WatchControl: Sendable, Equatable, Codable {
    /// The host only.
    case host
    /// The host and one person they passed control to.
    case passed(UUID)
    /// Everyone in the room.
    case everyone
}

/// One person in the room (a member or a guest), while they have a page there.
public struct WatchPerson: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var isGuest: Bool
    /// Their page (one per person: a newer one takes over).
    public var page: ConnectionID
    /// Their page says its video is waiting for data.
    public var stalled = false

    public init(id: UUID, name: String, isGuest: Bool, page: ConnectionID) {
        (self.id, self.name, self.isGuest, self.page) = (id, name, isGuest, page)
    }
}

/// The last change of the playback or the queue, shown to everyone ("Ana paused").
public struct WatchChange: Sendable, Equatable, Codable {
    public var by: String
    public var what: String
    public var at: Date
}

/// A room: its host, its people, its queue and what plays.
public struct WatchRoom: Sendable, Equatable {
    public let id: UUID
    public let host: UUID
    public private(set) var queue: [WatchItem]
    public private(set) var playback: Playback
    public private(set) var control: WatchControl
    /// When someone's video waits for data, everyone waits (held at the position).
    public private(set) var waitForEveryone: Bool
    /// Held because someone is stalled (only with `waitForEveryone`): the playback resumes
    /// when nobody is any more.
    public private(set) var held = false
    public private(set) var people: [UUID: WatchPerson] = [:]
    /// People the host removed: they cannot come back.
    public private(set) var removed: Set<UUID>
    public private(set) var lastChange: WatchChange?
    /// Since when nobody has been in the room (nil while someone is).
    public private(set) var emptySince: Date?
    public private(set) var closedAt: Date?

    /// The rates a room plays at.
    public static let rates: ClosedRange<Double> = 0.25...2
    /// How long an empty room stays open.
    public static let emptyLifetime: TimeInterval = 30 * 60
    public static let maxQueue = 50

    public init(id: UUID, host: UUID, queue: [WatchItem], playback: Playback, control: WatchControl = .host,
                waitForEveryone: Bool = false, removed: Set<UUID> = [], closedAt: Date? = nil, loadedAt now: Date) {
        self.id = id
        self.host = host
        self.queue = queue
        self.playback = playback
        self.control = control
        self.waitForEveryone = waitForEveryone
        self.removed = removed
        self.closedAt = closedAt
        emptySince = now
    }

    public var isClosed: Bool { closedAt != nil }

    public var current: WatchItem? { playback.item.flatMap { item in queue.first { $0.id == item } } }

    /// Where the video is at `now`.
    public func position(at now: Date) -> Double { playback.position(at: now, duration: current?.duration) }

    /// Whether `id` may play, pause, seek, change the rate or the video.
    public func mayControl(_ id: UUID) -> Bool {
        if id == host { return true }
        switch control {
        case .host: return false
        case .passed(let person): return person == id
        case .everyone: return people[id] != nil
        }
    }

    // MARK: Pages

    /// Someone's page arrives; returns the page it takes over from, if any.
    @discardableResult
    public mutating func arrive(_ person: WatchPerson, at now: Date) throws(ActivityRefusal) -> ConnectionID? {
        guard !isClosed else { throw .roomClosed }
        guard !removed.contains(person.id) else { throw .removedFromRoom }
        let replaced = people[person.id]?.page
        people[person.id] = person
        emptySince = nil
        return replaced
    }

    /// A page went away; returns whether its person left with it (a replaced page takes nobody).
    @discardableResult
    public mutating func depart(_ id: UUID, page: ConnectionID, at now: Date) -> Bool {
        guard people[id]?.page == page else { return false }
        people[id] = nil
        if people.isEmpty { emptySince = now }
        // Their stall no longer holds anyone.
        releaseIfNobodyStalls(at: now)
        return true
    }

    // MARK: Playback (those who may control)

    private mutating func controlled(by id: UUID, at now: Date, _ what: String, _ change: (inout WatchRoom) throws(ActivityRefusal) -> Void) throws(ActivityRefusal) {
        guard !isClosed else { throw .roomClosed }
        guard mayControl(id) else { throw .notInControl }
        try change(&self)
        lastChange = WatchChange(by: people[id]?.name ?? "The host", what: what, at: now)
    }

    public mutating func play(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try controlled(by: id, at: now, "played") { room throws(ActivityRefusal) in
            guard room.current != nil else { throw .nothingToPlay }
            room.playback = room.playback.anchored(at: now, duration: room.current?.duration)
            // At the end, play starts it again.
            if let duration = room.current?.duration, room.playback.position >= duration { room.playback.position = 0 }
            room.playback.paused = false
            room.held = false
            room.holdIfSomeoneStalls(at: now)
        }
    }

    public mutating func pause(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try controlled(by: id, at: now, "paused") { room throws(ActivityRefusal) in
            room.playback = room.playback.anchored(at: now, duration: room.current?.duration)
            room.playback.paused = true
            room.held = false
        }
    }

    public mutating func seek(to position: Double, by id: UUID, at now: Date) throws(ActivityRefusal) {
        guard position.isFinite, position >= 0 else { throw .badPosition }
        try controlled(by: id, at: now, "jumped to \(Self.clock(position))") { room throws(ActivityRefusal) in
            guard room.current != nil else { throw .nothingToPlay }
            room.playback.position = min(position, room.current?.duration ?? .infinity)
            room.playback.at = now
        }
    }

    public mutating func setRate(_ rate: Double, by id: UUID, at now: Date) throws(ActivityRefusal) {
        guard rate.isFinite, Self.rates.contains(rate) else { throw .badRate }
        try controlled(by: id, at: now, "set the speed to \(Self.rateText(rate))") { room throws(ActivityRefusal) in
            room.playback = room.playback.anchored(at: now, duration: room.current?.duration)
            room.playback.rate = rate
        }
    }

    // MARK: The queue

    /// Adds a video at the end of the queue; the first one is chosen (paused at its start).
    public mutating func enqueue(_ item: WatchItem, by id: UUID, at now: Date) throws(ActivityRefusal) {
        try controlled(by: id, at: now, "added “\(item.title)”") { room throws(ActivityRefusal) in
            guard room.queue.count < Self.maxQueue else { throw .queueFull }
            guard !room.queue.contains(where: { $0.id == item.id }) else { return }
            room.queue.append(item)
            if room.playback.item == nil { room.start(item.id, at: now, paused: true) }
        }
    }

    /// Plays a video of the queue from its start (what "change source" and "next" do).
    public mutating func select(_ item: UUID, by id: UUID, at now: Date) throws(ActivityRefusal) {
        guard let chosen = queue.first(where: { $0.id == item }) else { throw .noSuchVideo }
        try controlled(by: id, at: now, "chose “\(chosen.title)”") { room throws(ActivityRefusal) in
            room.start(item, at: now, paused: room.playback.paused)
        }
    }

    /// The video after the current one, if any.
    public var nextItem: WatchItem? {
        guard let current = playback.item, let index = queue.firstIndex(where: { $0.id == current }), index + 1 < queue.count else { return nil }
        return queue[index + 1]
    }

    public mutating func next(by id: UUID, at now: Date) throws(ActivityRefusal) {
        guard let next = nextItem else { throw .noNextVideo }
        try controlled(by: id, at: now, "went on to “\(next.title)”") { room throws(ActivityRefusal) in
            room.start(next.id, at: now, paused: room.playback.paused)
        }
    }

    /// Takes a video off the queue (not the one playing).
    public mutating func dequeue(_ item: UUID, by id: UUID, at now: Date) throws(ActivityRefusal) {
        guard let index = queue.firstIndex(where: { $0.id == item }) else { throw .noSuchVideo }
        guard item != playback.item else { throw .playingNow }
        let title = queue[index].title
        try controlled(by: id, at: now, "took “\(title)” off the list") { room throws(ActivityRefusal) in
            room.queue.remove(at: index)
        }
    }

    private mutating func start(_ item: UUID, at now: Date, paused: Bool) {
        playback = Playback(item: item, paused: paused, position: 0, at: now, rate: playback.rate)
        held = false
        if !paused { holdIfSomeoneStalls(at: now) }
    }

    /// A page learnt the length of a video whose length was not known (a link): the end of the
    /// video then comes by itself. A length once known stays.
    public mutating func learnDuration(_ seconds: Double, of item: UUID) throws(ActivityRefusal) {
        guard !isClosed else { throw .roomClosed }
        guard seconds.isFinite, seconds > 0, seconds < 24 * 3600 else { throw .badPosition }
        guard let index = queue.firstIndex(where: { $0.id == item }) else { throw .noSuchVideo }
        guard queue[index].duration == nil else { return }
        queue[index].duration = seconds
    }

    // MARK: The host's

    private func hostOnly(_ id: UUID) throws(ActivityRefusal) {
        guard !isClosed else { throw .roomClosed }
        guard id == host else { throw .hostOnly }
    }

    /// Who controls: the host, one person, or everyone.
    public mutating func setControl(_ control: WatchControl, by id: UUID, at now: Date) throws(ActivityRefusal) {
        try hostOnly(id)
        if case .passed(let person) = control, people[person] == nil || person == host { throw .notInRoom }
        self.control = control
        let what: String = switch control {
        case .host: "took back control"
        case .passed(let person): "passed control to \(people[person]?.name ?? "someone")"
        case .everyone: "let everyone control"
        }
        lastChange = WatchChange(by: people[id]?.name ?? "The host", what: what, at: now)
    }

    public mutating func setWaitForEveryone(_ on: Bool, by id: UUID, at now: Date) throws(ActivityRefusal) {
        try hostOnly(id)
        waitForEveryone = on
        if on { holdIfSomeoneStalls(at: now) } else { releaseHold(at: now) }
    }

    /// The host removes someone: their page is closed and they cannot come back.
    public mutating func remove(_ person: UUID, by id: UUID, at now: Date) throws(ActivityRefusal) {
        try hostOnly(id)
        guard person != host else { throw .hostOnly }
        guard people[person] != nil else { throw .notInRoom }
        removed.insert(person)
        if case .passed(person) = control { control = .host }
        if let page = people[person]?.page { depart(person, page: page, at: now) }
    }

    public mutating func close(by id: UUID, at now: Date) throws(ActivityRefusal) {
        try hostOnly(id)
        closedAt = now
    }

    // MARK: Stalls ("wait for everyone")

    /// A page says its video waits for data (or no longer does).
    public mutating func setStalled(_ id: UUID, _ stalled: Bool, at now: Date) {
        guard people[id] != nil, !isClosed else { return }
        people[id]?.stalled = stalled
        if stalled { holdIfSomeoneStalls(at: now) } else { releaseIfNobodyStalls(at: now) }
    }

    public var stalledPeople: [UUID] { people.values.filter(\.stalled).map(\.id).sorted { $0.uuidString < $1.uuidString } }

    private mutating func holdIfSomeoneStalls(at now: Date) {
        guard waitForEveryone, !playback.paused, !held, people.values.contains(where: \.stalled) else { return }
        playback = playback.anchored(at: now, duration: current?.duration)
        playback.paused = true
        held = true
    }

    private mutating func releaseIfNobodyStalls(at now: Date) {
        guard !people.values.contains(where: \.stalled) else { return }
        releaseHold(at: now)
    }

    private mutating func releaseHold(at now: Date) {
        guard held else { return }
        held = false
        playback.paused = false
        playback.at = now
    }

    // MARK: Time

    /// What is due at `now`: the end of the video (the next one starts, or it stays paused at its
    /// end) and the close of a room empty for `emptyLifetime`. Returns whether anything changed.
    public mutating func expire(at now: Date) -> Bool {
        guard !isClosed else { return false }
        if let emptySince, now.timeIntervalSince(emptySince) >= Self.emptyLifetime {
            closedAt = now
            return true
        }
        guard let end = endOfVideo, now >= end, let current else { return false }
        if let next = nextItem {
            // Playing since the end of the last one (whenever the timer got to it).
            start(next.id, at: end, paused: false)
        } else {
            playback = Playback(item: current.id, paused: true, position: current.duration ?? 0, at: now, rate: playback.rate)
        }
        return true
    }

    /// When the playing video reaches its known end.
    public var endOfVideo: Date? {
        guard !playback.paused, let duration = current?.duration else { return nil }
        return playback.at.addingTimeInterval(max(0, duration - playback.position) / playback.rate)
    }

    /// When `expire` next has something to do.
    public func nextDeadline() -> Date? {
        guard !isClosed else { return nil }
        return [endOfVideo, emptySince?.addingTimeInterval(Self.emptyLifetime)].compactMap { $0 }.min()
    }

    // MARK: Words

    /// "1:05:09", "4:07", "0:09".
    public static func clock(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded(.down))
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    static func rateText(_ rate: Double) -> String {
        (rate == rate.rounded() ? String(Int(rate)) : String(rate)) + "×"
    }
}

extension ActivityRefusal {
    public static let roomClosed = ActivityRefusal("closed", "This room is closed.")
    public static let pinFirst = ActivityRefusal("pin-first", "Enter the room's PIN first.")
    public static let removedFromRoom = ActivityRefusal("removed", "The host removed you from this room.")
    public static let notInControl = ActivityRefusal("not-in-control", "The host controls the video. Ask them to pass you control.")
    public static let hostOnly = ActivityRefusal("host-only", "Only the room's host can do that.")
    public static let nothingToPlay = ActivityRefusal("nothing-to-play", "Add a video first.")
    public static let noSuchVideo = ActivityRefusal("no-such-video", "That video is not in this room's list.")
    public static let noNextVideo = ActivityRefusal("no-next", "There is no next video in the list.")
    public static let playingNow = ActivityRefusal("playing-now", "That video is playing: choose another one first.")
    public static let queueFull = ActivityRefusal("queue-full", "The list is full (\(WatchRoom.maxQueue) videos).")
    public static let notInRoom = ActivityRefusal("not-in-room", "That person is not in the room.")
    public static let badPosition = ActivityRefusal("bad-position", "That is not a place in the video.")
    public static let badRate = ActivityRefusal("bad-rate", "Choose a speed between 0.25× and 2×.")
}
