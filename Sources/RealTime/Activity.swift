import Foundation

/// What sort of live thing an activity is. Each kind has one loader (see `ActivityLoader`).
public struct ActivityKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let speedNetworking = ActivityKind("speed-networking")
}

/// One live thing of a tenant (DESIGN §9): a speed-networking session, later a meeting, a
/// call, a watch room. At most one node runs it at a time (see `ActivityLeases`).
public struct ActivityKey: Hashable, Sendable, CustomStringConvertible {
    public var tenant: UUID
    public var kind: ActivityKind
    public var id: UUID

    public init(tenant: UUID, kind: ActivityKind, id: UUID) {
        self.tenant = tenant
        self.kind = kind
        self.id = id
    }

    /// How pages name it: `<kind>:<id>` (the tenant is the site's own).
    public var address: String { "\(kind.rawValue):\(id.uuidString.lowercased())" }
    public var description: String { "\(address)@\(tenant.uuidString.lowercased())" }

    /// Reads a page's `<kind>:<id>`; nil when malformed.
    public static func parse(address: String, tenant: UUID) -> ActivityKey? {
        guard let colon = address.lastIndex(of: ":"), let id = UUID(uuidString: String(address[address.index(after: colon)...])) else {
            return nil
        }
        let kind = String(address[..<colon])
        guard !kind.isEmpty, kind.count <= 40, kind.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "-") }) else { return nil }
        return ActivityKey(tenant: tenant, kind: ActivityKind(kind), id: id)
    }
}

/// Someone in an activity, as the HTTP layer authenticated them.
public struct Participant: Sendable, Hashable {
    public var id: UUID
    public var name: String
    /// An organizer of the tenant (the role as of this connection).
    public var isOrganizer: Bool
    /// Not a member: someone an activity that takes guests let in by a link, with a name only
    /// (see `ActivityLoader.guest`).
    public var isGuest: Bool

    public init(id: UUID, name: String, isOrganizer: Bool, isGuest: Bool = false) {
        self.id = id
        self.name = name
        self.isOrganizer = isOrganizer
        self.isGuest = isGuest
    }
}

/// A request an activity refuses, with a stable code for the page and words for people.
public struct ActivityRefusal: Error, Equatable, Sendable {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func notOpenYet(_ opensAt: Date) -> ActivityRefusal {
        ActivityRefusal("not-open", "This opens at \(opensAt.formatted(.iso8601)).")
    }
    public static let closed = ActivityRefusal("closed", "This is over; its room is closed.")
    public static let failed = ActivityRefusal("failed", "That did not work; please try again.")
}

/// A page's connection to an activity, numbered by the activity.
public typealias ConnectionID = Int

/// A request a page sends to its activity, decoded from the envelope's `type` and `data`.
public protocol ActivityRequest: Sendable {
    /// `data` is nil when the envelope has none. Throws for an unknown type or a bad payload.
    init(type: String, data: (any Decoder)?) throws
}

/// Something an activity sends to a page; the envelope's `type` and `data`.
public protocol ActivityEvent: Sendable {
    var type: String { get }
    func encodeData(to encoder: any Encoder) throws
    /// The whole envelope, when the activity encoded it once for many pages (`EncodedEvent`).
    var encodedEnvelope: String? { get }
}

extension ActivityEvent {
    public var encodedEnvelope: String? { nil }
}

/// One live thing run by one actor (DESIGN §9). The registry loads it, runs `run()` as a child
/// task of its service until the activity closes, and calls `shutdown()` when the node stops.
/// Pages enter it through the real-time socket; media code reaches it only through `MediaRights`.
public protocol Activity: MediaRights {
    associatedtype Request: ActivityRequest
    associatedtype Event: ActivityEvent

    /// A page enters. Everything for this connection goes to `outbox`, which is finished when
    /// the activity closes or `leave(_:)` is called. Throws `ActivityRefusal`.
    func enter(_ participant: Participant, outbox: ActivityOutbox<Event>) async throws -> ConnectionID
    /// The page's connection ended (closed, reloaded, network lost).
    func leave(_ connection: ConnectionID) async
    /// A request from one of its connections; a refusal goes back to that page only.
    func receive(_ request: Request, from connection: ConnectionID) async throws
    /// The activity's own timers, until it closes or is shut down.
    func run() async
    /// The node is stopping: stop the timers, end every connection; nothing is written.
    func shutdown() async
    var isClosed: Bool { get }
    /// Where it ends its media rooms (given once, before `run()`).
    func attach(media: any MediaRoomControl) async
}

/// Where an activity sends one connection's events: straight into the socket's queue (no task
/// per connection waits on a stream, which at a thousand pages is most of their memory).
public struct ActivityOutbox<Event: ActivityEvent>: Sendable {
    /// Hands an event over; false when the page fell so far behind that older messages were
    /// dropped (the activity then sends it everything again).
    public let send: @Sendable (Event) -> Bool
    /// The activity ended this connection.
    public let finish: @Sendable () -> Void

    public init(send: @escaping @Sendable (Event) -> Bool, finish: @escaping @Sendable () -> Void) {
        self.send = send
        self.finish = finish
    }
}

extension Activity {
    /// Enters with a stream for the events (tests, and pages that read events in a task).
    public func enter(_ participant: Participant, buffering: Int = 256) async throws -> (ConnectionID, AsyncStream<Event>) {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(buffering))
        let outbox = ActivityOutbox<Event>(send: { event in
            if case .dropped = continuation.yield(event) { return false }
            return true
        }, finish: { continuation.finish() })
        do {
            return (try await enter(participant, outbox: outbox), stream)
        } catch {
            continuation.finish()
            throw error
        }
    }
}

// MARK: The rights seam (DESIGN §9)

/// What a media room needs on the media server.
public struct MediaRoomSpec: Sendable, Equatable {
    public var publishers: Int
    public var videoCodec: String
    public var audioCodec: String
    public var record: Bool
    public var requireE2EE: Bool
    /// The media server says who starts and stops talking (`MediaRights.talking`).
    public var talkingEvents: Bool

    public init(publishers: Int, videoCodec: String = "vp8", audioCodec: String = "opus", record: Bool = false, requireE2EE: Bool = false,
                talkingEvents: Bool = false) {
        self.talkingEvents = talkingEvents
        self.publishers = publishers
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.record = record
        self.requireE2EE = requireE2EE
    }
}

/// What media code may ask of an activity: the rooms it has and who may do what in them. Media
/// code knows nothing else of an activity (no lobbies, no pairs): a room is a name the activity
/// gave it (`[a-z0-9-]`, e.g. "session"). A page publishes into one room and watches feeds of
/// one room, each over one connection; several people in one room are what let a page keep its
/// connections while what it may watch changes.
public protocol MediaRights: Actor {
    nonisolated var key: ActivityKey { get }
    /// Shown in the media server's room description.
    nonisolated var title: String { get }
    /// The room's needs; nil when the activity has no such room (now).
    func mediaRoom(_ room: String) -> MediaRoomSpec?
    func mayPublish(_ user: UUID, in room: String) -> Bool
    func mayWatch(_ user: UUID, publisher: UUID, in room: String) -> Bool
    /// Mute or remove others (hosts of meetings); nobody in speed networking.
    func mayModerate(_ user: UUID, in room: String) -> Bool
    /// Media code reports who publishes (media flowing or not); pages are told through the activity.
    func setPublishing(_ user: UUID, in room: String, _ publishing: Bool)
    /// The media server lost this activity's rooms: pages must set their media up again.
    func mediaLost()
    /// Someone publishing in a room started or stopped talking (rooms with `talkingEvents`).
    func talking(_ user: UUID, in room: String, _ talking: Bool)
}

extension MediaRights {
    /// Activities without an active speaker need not listen.
    public func talking(_ user: UUID, in room: String, _ talking: Bool) {}
}

/// Where an activity ends its rooms: a room it ends is gone from the media server at once
/// (everyone in it disconnected) and can never be entered again.
public protocol MediaRoomControl: Sendable {
    func endRoom(_ room: String, of activity: ActivityKey) async
    func endRooms(of activity: ActivityKey) async
    /// Rights shrank for these people (everyone when nil): what they publish and watch is
    /// checked again at once and cut where no longer allowed. Rights that grow need no call:
    /// pages ask for what they now may.
    func reviewRights(of activity: ActivityKey, users: Set<UUID>?) async
    /// Blocks a person's audio in a room on the media server (a host's mute), or lifts the
    /// block; it holds for every connection they publish from until lifted.
    func blockAudio(of user: UUID, in room: String, of activity: ActivityKey, _ blocked: Bool) async
    /// Throws a person out of a room on the media server (their connections there end); their
    /// rights must already say no, so they cannot come back.
    func kick(_ user: UUID, from room: String, of activity: ActivityKey) async
}
