import Crypto
import Foundation
import LiveEngine
import Logging
import Media

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

/// Mingle's rooms on its Janus nodes (DESIGN §5): one room per session lobby, one per pair,
/// placed on the live node with the fewest rooms; every media leg (a browser publishing, or
/// watching one publisher) is a handle Mingle holds. Browsers never see a node, secret or pin.
/// A room whose pair or session ended is destroyed and can never be created again, so nobody
/// stays in it, whatever their browser does.
///
/// A room's secret and pin are derived from Mingle's secret key and the room's name, so any
/// run of Mingle can remove a room an earlier run (or a dropped connection) left on a node,
/// and create it afresh; they never leave the server.
actor MediaRooms: LiveObserver {
    struct Room: Sendable {
        var name: String
        var node: Int
        var secret: String
        var pin: String
    }

    /// One browser's media connection through Janus.
    struct Leg: Sendable {
        var id: UUID
        var room: String
        var node: Int
        var handle: Int64
        var publisher: UUID?  // set for a publishing leg
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
    /// Told when a node is lost, so pages set their media up again.
    private var onNodeLost: (@Sendable (_ rooms: [String]) async -> Void)?

    /// `secretKey`: Mingle's secret key (the room key is derived from it, for this use only).
    init(nodes: [JanusNodeSettings], secretKey: [UInt8], logger: Logger) {
        self.nodes = nodes.map { Node(settings: $0) }
        self.logger = logger
        roomKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secretKey), info: Data("mingle janus rooms".utf8),
                                         outputByteCount: 32)
    }

    /// The room's secret (to destroy it) and pin (to join it): HMAC of the name under the room key.
    func credentials(_ name: String) -> (secret: String, pin: String) {
        func derive(_ purpose: String) -> String {
            Self.urlSafe(Data(HMAC<SHA256>.authenticationCode(for: Data("\(purpose):\(name)".utf8), using: roomKey)))
        }
        return (derive("secret"), derive("pin"))
    }

    var isConfigured: Bool { !nodes.isEmpty }

    func onNodeLost(_ handler: @escaping @Sendable (_ rooms: [String]) async -> Void) { onNodeLost = handler }

    /// VideoRoom's error code for "room already exists".
    static let roomExists = 427

    static func lobby(_ session: UUID) -> String { "lobby-\(session.uuidString.lowercased())" }
    static func pair(_ pairing: UUID) -> String { "pair-\(pairing.uuidString.lowercased())" }

    // MARK: LiveObserver

    nonisolated func pairEnded(session: UUID, pairing: UUID) {
        Task { await self.end(Self.pair(pairing)) }
    }

    nonisolated func sessionClosed(session: UUID) {
        Task { await self.end(Self.lobby(session)) }
    }

    // MARK: Rooms

    /// The room, created on the least busy live node if it does not exist yet; refused for a
    /// room that has ended.
    func room(_ name: String, description: String, publishers: Int) async throws -> Room {
        if ended.contains(name) { throw JanusError("this room has ended") }
        if let room = rooms[name] { return room }
        if let pending = creating[name] { return try await pending.value }
        let task = Task { try await self.create(name, description: description, publishers: publishers) }
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

    private func create(_ name: String, description: String, publishers: Int) async throws -> Room {
        var lastError: any Error = JanusError("no Janus node is configured")
        for index in placementOrder() {
            do {
                let videoRoom = try await videoRoom(on: index)
                let (secret, pin) = credentials(name)
                let room = Room(name: name, node: index, secret: secret, pin: pin)
                do {
                    try await videoRoom.createRoom(name, description: description, publishers: publishers, secret: secret, pin: pin)
                } catch let error as JanusError where error.code == Self.roomExists {
                    // Left there by an earlier run or a dropped connection to a node that
                    // stayed up: replace it (whoever is still in it is disconnected).
                    try await videoRoom.destroyRoom(name, secret: secret)
                    try await videoRoom.createRoom(name, description: description, publishers: publishers, secret: secret, pin: pin)
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
        let gone = rooms.values.filter { $0.node == index }.map(\.name)
        for name in gone { rooms[name] = nil }
        for (id, leg) in legs where leg.node == index { legs[id] = nil }
        if let onNodeLost, !gone.isEmpty { await onNodeLost(gone) }
    }

    /// Ends a room for good: destroyed on Janus (every participant is kicked) and never again.
    func end(_ name: String) async {
        ended.insert(name)
        for (id, leg) in legs where leg.room == name { legs[id] = nil }
        if let room = rooms.removeValue(forKey: name) { await destroy(room) }
    }

    private func destroy(_ room: Room) async {
        do { try await nodes[room.node].videoRoom?.destroyRoom(room.name, secret: room.secret) } catch {
            logger.warning("could not destroy \(room.name): \(String(describing: error))")
        }
    }

    func exists(_ name: String) -> Bool { rooms[name] != nil }

    /// The server is stopping: end its Janus sessions (their legs with them). The rooms stay;
    /// the next run replaces them when its pages set their media up again.
    func shutdown() async {
        shuttingDown = true
        for index in nodes.indices {
            guard let videoRoom = nodes[index].videoRoom else { continue }
            nodes[index].videoRoom = nil
            await videoRoom.session.destroy()
            await videoRoom.session.connection.close()
        }
    }

    // MARK: Legs

    /// Publishes a browser's media: its offer in, Janus's answer out.
    func publish(in room: Room, publisher: UUID, display: String, offer: JSON) async throws -> (Leg, JSON, AsyncStream<JSON>) {
        try await openLeg(in: room, publisher: publisher) { videoRoom, handle in
            try await videoRoom.publish(handle: handle, room: room.name, pin: room.pin,
                                        participant: publisher.uuidString.lowercased(), display: display, offer: offer)
        }
    }

    /// Subscribes a browser to one publisher: Janus's offer out; `start` takes the answer.
    func watch(in room: Room, publisher: UUID) async throws -> (Leg, JSON, AsyncStream<JSON>) {
        try await openLeg(in: room, publisher: nil) { videoRoom, handle in
            try await videoRoom.subscribe(handle: handle, room: room.name, pin: room.pin, feed: publisher.uuidString.lowercased())
        }
    }

    /// A new handle on the room's node, joined by `join` (which returns the SDP for the
    /// browser); hung up again if joining fails.
    private func openLeg(in room: Room, publisher: UUID?,
                         join: (VideoRoom, Int64) async throws -> JSON) async throws -> (Leg, JSON, AsyncStream<JSON>) {
        guard let videoRoom = nodes[room.node].videoRoom else { throw JanusError("the media server is not available") }
        let (handle, events) = try await videoRoom.attachLeg()
        do {
            let sdp = try await join(videoRoom, handle)
            let leg = Leg(id: UUID(), room: room.name, node: room.node, handle: handle, publisher: publisher)
            legs[leg.id] = leg
            return (leg, sdp, events)
        } catch {
            await videoRoom.hangUp(handle: handle)
            throw error
        }
    }

    func start(_ leg: UUID, answer: JSON) async throws {
        guard let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { throw JanusError("no such media connection") }
        try await videoRoom.start(handle: found.handle, answer: answer)
    }

    func trickle(_ leg: UUID, candidate: JSON) async throws {
        guard let found = legs[leg], let videoRoom = nodes[found.node].videoRoom else { throw JanusError("no such media connection") }
        try await videoRoom.trickle(handle: found.handle, candidate: candidate)
    }

    func hangUp(_ leg: UUID) async {
        guard let found = legs.removeValue(forKey: leg) else { return }
        await nodes[found.node].videoRoom?.hangUp(handle: found.handle)
    }

    func leg(_ id: UUID) -> Leg? { legs[id] }

    static func urlSafe(_ bytes: Data) -> String {
        bytes.base64EncodedString()
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "=", with: "")
    }
}
