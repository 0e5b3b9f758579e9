import Crypto
import Foundation
import Logging
import RealTime
import ServiceLifecycle

/// A Janus node Mingle may place rooms on.
public struct JanusNodeSettings: Sendable, Equatable {
    public var url: String
    public var apiSecret: String
    public var roomAdminKey: String
    public init(url: String, apiSecret: String, roomAdminKey: String) {
        self.url = url
        self.apiSecret = apiSecret
        self.roomAdminKey = roomAdminKey
    }
}

/// Mingle's rooms on its Janus nodes (DESIGN §5, §9): the rooms activities ask for, each placed
/// on the live node with the fewest rooms; every media leg (a browser publishing, or watching
/// some publishers over one connection) is a handle Mingle holds. A publishing leg is a *feed*
/// on Janus, named by the leg's own random id (not the person's), so a page that reloads can
/// publish again while its old leg is still being hung up. Browsers never see a node, secret or pin. A room its
/// activity ended is destroyed and can never be created again, so nobody stays in it, whatever
/// their browser does. Rooms are named `<kind>-<activity id>-<room>` on Janus.
///
/// A room's secret and pin are derived from Mingle's secret key and the room's name, so any
/// run of Mingle can remove a room an earlier run (or a dropped connection) left on a node,
/// and create it afresh; they never leave the server.
public actor MediaRooms: MediaRoomControl, Service {
    public struct Room: Sendable {
        /// The name on Janus.
        public var name: String
        var activity: ActivityKey
        var node: Int
        var secret: String
        var pin: String
    }

    /// One browser's media connection through Janus.
    public struct Leg: Sendable {
        public var id: UUID
        var room: String
        var node: Int
        var handle: Int64
    }

    /// A publishing leg as Janus knows it: watchable once its media is up.
    struct Feed {
        var user: UUID
        var room: String
        var started = false
        var order: Int
        /// The m-line of its audio (for a host's mute), if it sends audio.
        var audioMid: String?
    }

    /// One stream of a subscription, as a page needs it: which m-line carries whose media.
    public struct WatchedStream: Sendable, Equatable, Encodable {
        public var mid: String
        public var type: String
        public var publisher: UUID
        public var feed: String
        /// What the publisher said the stream is (e.g. "screen"), if anything.
        public var description: String?
        private enum CodingKeys: String, CodingKey { case mid, type, publisher, description }
    }

    /// A page's media signalling, told to look at its rights again.
    private struct Reviewer {
        var user: UUID
        var review: @Sendable () -> Void
    }

    private struct Node {
        var settings: JanusNodeSettings
        var videoRoom: VideoRoom?
        var alive = true
    }

    private let logger: Logger
    private var nodes: [Node]
    private var rooms: [String: Room] = [:]
    private var creating: [String: Task<Room, any Error>] = [:]
    private var ended: Set<String> = []
    private let roomKey: SymmetricKey
    private var shuttingDown = false
    private var legs: [UUID: Leg] = [:]
    private var feeds: [String: Feed] = [:]
    private var feedsSoFar = 0
    private var reviewers: [ActivityKey: [UUID: Reviewer]] = [:]
    /// People whose audio hosts blocked, per Janus room: applied to every feed they publish.
    private var blockedAudio: [String: Set<UUID>] = [:]
    private let toDestroy: AsyncStream<Room>
    private let destroying: AsyncStream<Room>.Continuation
    /// Told when a node is lost, with the activities whose rooms were on it.
    private var onNodeLost: (@Sendable (_ activities: Set<ActivityKey>) async -> Void)?

    /// `secretKey`: Mingle's secret key (the room key is derived from it, for this use only).
    public init(nodes: [JanusNodeSettings], secretKey: [UInt8], logger: Logger) {
        self.nodes = nodes.map { Node(settings: $0) }
        (toDestroy, destroying) = AsyncStream<Room>.makeStream()
        self.logger = logger
        roomKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secretKey), info: Data("mingle janus rooms".utf8),
                                         outputByteCount: 32)
    }

    /// The room's secret (to destroy it) and pin (to join it): HMAC of the name under the room key.
    public func credentials(_ name: String) -> (secret: String, pin: String) {
        func derive(_ purpose: String) -> String {
            Self.urlSafe(Data(HMAC<SHA256>.authenticationCode(for: Data("\(purpose):\(name)".utf8), using: roomKey)))
        }
        return (derive("secret"), derive("pin"))
    }

    public var isConfigured: Bool { !nodes.isEmpty }

    public func onNodeLost(_ handler: @escaping @Sendable (_ activities: Set<ActivityKey>) async -> Void) { onNodeLost = handler }

    /// VideoRoom's error code for "room already exists".
    static let roomExists = 427

    /// The room's name on Janus: unique per activity and room.
    public static func janusName(_ room: String, of activity: ActivityKey) -> String {
        "\(activity.kind.rawValue)-\(activity.id.uuidString.lowercased())-\(room)"
    }

    // MARK: MediaRoomControl

    /// Ends a room for good at once (nobody can join it from now on); it is destroyed on Janus
    /// by `run()`, so an activity ending a room never waits on Janus.
    public func endRoom(_ room: String, of activity: ActivityKey) async {
        end(Self.janusName(room, of: activity))
    }

    /// Every room of an activity that closed.
    public func endRooms(of activity: ActivityKey) async {
        let prefix = Self.janusName("", of: activity)
        for name in rooms.keys where name.hasPrefix(prefix) { end(name) }
    }

    /// The activity's rights changed (a pair ended, a speaker was removed): the pages of these
    /// people (all, when nil) check again what they publish and watch, and drop what they may
    /// no longer. The activity does not wait for it.
    public func reviewRights(of activity: ActivityKey, users: Set<UUID>?) async {
        for reviewer in (reviewers[activity] ?? [:]).values where users?.contains(reviewer.user) ?? true {
            reviewer.review()
        }
    }

    public func blockAudio(of user: UUID, in room: String, of activity: ActivityKey, _ blocked: Bool) async {
        let name = Self.janusName(room, of: activity)
        if blocked { blockedAudio[name, default: []].insert(user) } else { blockedAudio[name]?.remove(user) }
        for (feed, found) in feeds where found.user == user && found.room == name {
            await moderate(feed, audioMuted: blocked)
        }
    }

    /// Mutes (or lets through again) a feed's audio on Janus: its packets stop at the server.
    private func moderate(_ feed: String, audioMuted: Bool) async {
        guard let found = feeds[feed], let mid = found.audioMid, let room = rooms[found.room],
              let videoRoom = nodes[room.node].videoRoom else { return }
        do { try await videoRoom.moderate(room.name, participant: feed, mid: mid, mute: audioMuted, secret: room.secret) } catch {
            logger.warning("could not \(audioMuted ? "mute" : "unmute") \(feed) in \(room.name): \(String(describing: error))")
        }
    }

    public func kick(_ user: UUID, from room: String, of activity: ActivityKey) async {
        let name = Self.janusName(room, of: activity)
        guard let found = rooms[name], let videoRoom = nodes[found.node].videoRoom else { return }
        for (feed, entry) in feeds where entry.user == user && entry.room == name {
            try? await videoRoom.kick(name, participant: feed, secret: found.secret)
            if let leg = UUID(uuidString: feed) { await hangUp(leg) }
        }
    }

    /// A page's signalling, to be told when its activity's rights change.
    public func register(_ id: UUID, of activity: ActivityKey, user: UUID, review: @escaping @Sendable () -> Void) {
        reviewers[activity, default: [:]][id] = Reviewer(user: user, review: review)
    }

    public func unregister(_ id: UUID, of activity: ActivityKey) {
        reviewers[activity]?[id] = nil
        if reviewers[activity]?.isEmpty ?? false { reviewers[activity] = nil }
    }

    // MARK: Rooms

    /// An activity's room, created on the least busy live node if it does not exist yet;
    /// refused for a room that has ended.
    public func room(_ room: String, of activity: ActivityKey, description: String, spec: MediaRoomSpec) async throws -> Room {
        let name = Self.janusName(room, of: activity)
        if ended.contains(name) { throw JanusError("this room has ended") }
        if let room = rooms[name] { return room }
        if let pending = creating[name] { return try await pending.value }
        let task = Task { try await self.create(name, activity: activity, description: description, spec: spec) }
        creating[name] = task
        defer { creating[name] = nil }
        let room = try await task.value
        if ended.contains(name) {
            // It ended while being created: take it down again.
            await destroy(room)
            throw JanusError("this room has ended")
        }
        rooms[name] = room
        return room
    }

    private func create(_ name: String, activity: ActivityKey, description: String, spec: MediaRoomSpec) async throws -> Room {
        var lastError: any Error = JanusError("no Janus node is configured")
        for index in placementOrder() {
            do {
                let videoRoom = try await videoRoom(on: index)
                let (secret, pin) = credentials(name)
                let room = Room(name: name, activity: activity, node: index, secret: secret, pin: pin)
                do {
                    try await videoRoom.createRoom(name, description: description, spec: spec, secret: secret, pin: pin)
                } catch let error as JanusError where error.code == Self.roomExists {
                    // Left there by an earlier run or a dropped connection to a node that
                    // stayed up: replace it (whoever is still in it is disconnected).
                    try await videoRoom.destroyRoom(name, secret: secret)
                    try await videoRoom.createRoom(name, description: description, spec: spec, secret: secret, pin: pin)
                }
                return room
            } catch {
                logger.warning("Janus node \(nodes[index].settings.url) could not create \(name): \(String(describing: error))")
                lastError = error
            }
        }
        throw lastError
    }

    /// Live nodes first, the one with the fewest rooms first.
    private func placementOrder() -> [Int] {
        let load = Dictionary(grouping: rooms.values, by: \.node).mapValues(\.count)
        return nodes.indices.sorted { a, b in
            if nodes[a].alive != nodes[b].alive { return nodes[a].alive }
            return (load[a] ?? 0, a) < (load[b] ?? 0, b)
        }
    }

    private func videoRoom(on index: Int) async throws -> VideoRoom {
        if let existing = nodes[index].videoRoom { return existing }
        let settings = nodes[index].settings
        let connection = JanusConnection(url: settings.url, apiSecret: settings.apiSecret, logger: logger)
        let session = try await JanusSession.create(on: connection)
        let videoRoom = try await VideoRoom(session: session, adminKey: settings.roomAdminKey)
        nodes[index].videoRoom = videoRoom
        nodes[index].alive = true
        await connection.onClose { [weak self] error in
            Task { await self?.lost(node: index, error) }
        }
        return videoRoom
    }

    /// A node's connection dropped: its rooms are gone. Forget them (they are created again
    /// elsewhere on next use) and tell the pages in them.
    private func lost(node index: Int, _ error: any Error) async {
        guard !shuttingDown else { return }
        logger.error("lost Janus node \(nodes[index].settings.url): \(String(describing: error))")
        nodes[index].videoRoom = nil
        nodes[index].alive = false
        let gone = rooms.values.filter { $0.node == index }
        for room in gone { rooms[room.name] = nil }
        for (id, leg) in legs where leg.node == index { forget(id) }
        if let onNodeLost, !gone.isEmpty { await onNodeLost(Set(gone.map(\.activity))) }
    }

    /// Ends a room for good: never created again, destroyed on Janus (every participant is
    /// kicked) by `run()`.
    func end(_ name: String) {
        ended.insert(name)
        for (id, leg) in legs where leg.room == name { forget(id) }
        if let room = rooms.removeValue(forKey: name) { destroying.yield(room) }
    }

    /// Destroys ended rooms on Janus until the server stops, then ends its Janus sessions.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await room in self.toDestroy { await self.destroy(room) }
        }
        await shutdown()
    }

    private func destroy(_ room: Room) async {
        do { try await nodes[room.node].videoRoom?.destroyRoom(room.name, secret: room.secret) } catch {
            logger.warning("could not destroy \(room.name): \(String(describing: error))")
        }
    }

    public func exists(_ name: String) -> Bool { rooms[name] != nil }

    /// The server is stopping: end its Janus sessions (their legs with them). The rooms stay;
    /// the next run replaces them when its pages set their media up again.
    public func shutdown() async {
        shuttingDown = true
        for index in nodes.indices {
            guard let videoRoom = nodes[index].videoRoom else { continue }
            nodes[index].videoRoom = nil
            await videoRoom.session.destroy()
            await videoRoom.session.connection.close()
        }
    }

    // MARK: Legs

    /// Publishes a browser's media: its offer in, Janus's answer out. The leg's id is its feed.
    public func publish(in room: Room, publisher: UUID, display: String, offer: JSON,
                        descriptions: [String: String] = [:]) async throws -> (Leg, JSON, AsyncStream<JSON>) {
        let id = UUID()
        let (leg, joined, events) = try await openLeg(id, in: room) { videoRoom, handle in
            (.null, try await videoRoom.publish(handle: handle, room: room.name, pin: room.pin,
                                                participant: Self.feed(id), display: display, offer: offer, descriptions: descriptions))
        }
        feedsSoFar += 1
        feeds[Self.feed(id)] = Feed(user: publisher, room: room.name, order: feedsSoFar, audioMid: Self.audioMid(in: offer))
        // A host's block holds for every connection the person publishes from.
        if blockedAudio[room.name]?.contains(publisher) ?? false { await moderate(Self.feed(id), audioMuted: true) }
        return (leg, joined.offer, events)  // for a publisher, Janus's "offer" slot holds its answer
    }

    /// A publishing leg's media is up: others may subscribe to it now.
    public func feedStarted(_ leg: UUID) {
        feeds[Self.feed(leg)]?.started = true
    }

    /// The feed to watch for a person in a room: their newest publishing leg whose media is up.
    public func feed(of user: UUID, in room: Room) -> String? {
        feeds.filter { $0.value.user == user && $0.value.room == room.name && $0.value.started }
            .max { $0.value.order < $1.value.order }?.key
    }

    /// Subscribes a browser to some feeds of a room over one connection: Janus's offer out (and
    /// the streams it carries); `start` takes the answer.
    public func watch(in room: Room, feeds wanted: [String]) async throws -> (Leg, offer: JSON, streams: [WatchedStream], AsyncStream<JSON>) {
        let (leg, result, events) = try await openLeg(UUID(), in: room) { videoRoom, handle in
            try await videoRoom.subscribe(handle: handle, room: room.name, pin: room.pin, feeds: wanted)
        }
        return (leg, result.offer, streams(in: result.data), events)
    }

    /// Adds and removes feeds of a subscription. The offer is nil when Janus sends it later
    /// (an earlier one is still unanswered) or when nothing changed.
    public func update(_ leg: UUID, subscribe: [String], unsubscribe: [String]) async throws -> (offer: JSON?, streams: [WatchedStream]?) {
        guard let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { throw JanusError("no such media connection") }
        let (data, offer) = try await videoRoom.update(handle: found.handle, subscribe: subscribe, unsubscribe: unsubscribe)
        return (offer, data["streams"] == nil ? nil : streams(in: data))
    }

    /// The live streams of a subscription, by the person who publishes each.
    public func streams(in data: JSON) -> [WatchedStream] {
        (data["streams"]?.array ?? []).compactMap { stream in
            guard stream["active"]?.bool ?? false, let mid = stream["mid"]?.string, let feed = stream["feed_id"]?.string,
                  let publisher = feeds[feed]?.user else { return nil }
            return WatchedStream(mid: mid, type: stream["type"]?.string ?? "", publisher: publisher, feed: feed,
                                 description: stream["feed_description"]?.string)
        }
    }

    /// A new handle on the room's node, joined by `join` (which returns the SDP for the
    /// browser); hung up again if joining fails.
    private func openLeg(_ id: UUID, in room: Room,
                         join: (VideoRoom, Int64) async throws -> (data: JSON, offer: JSON)) async throws -> (Leg, (data: JSON, offer: JSON), AsyncStream<JSON>) {
        guard let videoRoom = nodes[room.node].videoRoom else { throw JanusError("the media server is not available") }
        let (handle, events) = try await videoRoom.attachLeg()
        do {
            let result = try await join(videoRoom, handle)
            let leg = Leg(id: id, room: room.name, node: room.node, handle: handle)
            legs[leg.id] = leg
            return (leg, result, events)
        } catch {
            await videoRoom.hangUp(handle: handle)
            throw error
        }
    }

    public func start(_ leg: UUID, answer: JSON) async throws {
        guard let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { throw JanusError("no such media connection") }
        try await videoRoom.start(handle: found.handle, answer: answer)
    }

    /// Asks for a key frame from the publisher of each feed (Janus starts a stream added to a
    /// subscription that is already connected without one: the picture would wait for the next).
    public func requestKeyframes(_ wanted: Set<String>) async {
        for feed in wanted {
            guard let leg = UUID(uuidString: feed), let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { continue }
            try? await videoRoom.requestKeyframe(handle: found.handle)
        }
    }

    public func trickle(_ leg: UUID, candidate: JSON) async throws {
        guard let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { throw JanusError("no such media connection") }
        try await videoRoom.trickle(handle: found.handle, candidate: candidate)
    }

    public func hangUp(_ leg: UUID) async {
        guard let found = legs[leg] else { return }
        forget(leg)
        await nodes[found.node].videoRoom?.hangUp(handle: found.handle)
    }

    private func forget(_ leg: UUID) {
        legs[leg] = nil
        feeds[Self.feed(leg)] = nil
    }

    /// The mid of the first audio m-line of an SDP offer.
    static func audioMid(in offer: JSON) -> String? {
        guard let sdp = offer["sdp"]?.string else { return nil }
        var inAudio = false
        for line in sdp.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("m=") { inAudio = line.hasPrefix("m=audio") }
            if inAudio, line.hasPrefix("a=mid:") { return String(line.dropFirst("a=mid:".count)) }
        }
        return nil
    }

    /// A publishing leg's feed id on Janus.
    static func feed(_ leg: UUID) -> String { leg.uuidString.lowercased() }

    static func urlSafe(_ bytes: Data) -> String {
        bytes.base64EncodedString()
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "=", with: "")
    }
}
