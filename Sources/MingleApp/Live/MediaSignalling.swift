import Foundation
import LiveEngine
import Logging
import Media

/// The media half of one live WebSocket: relays SDP and ICE between the browser and Janus
/// and lets the browser do only what the engine allows at that moment (DESIGN §5). The
/// browser names the room kind ("lobby" or "pair") and the pairing; Mingle decides the room,
/// the feed and whether it may. Messages are in docs/LIVE_PROTOCOL.md (the `media-` ones).
actor MediaSignalling {
    private struct OwnLeg {
        var kind: MediaRoomKind
        var pairing: UUID?
        var publishing: Bool
    }

    private let engine: SessionEngine
    private let user: LiveUser
    private let rooms: MediaRooms
    private let send: @Sendable (JSON) async -> Void
    private let logger: Logger
    private var legs: [UUID: OwnLeg] = [:]
    private var relays: [UUID: Task<Void, Never>] = [:]

    /// A browser may hold a few legs (publish + watch in a pair; watch in the lobby), not more.
    static let maxLegs = 4

    init(engine: SessionEngine, user: LiveUser, rooms: MediaRooms, logger: Logger, send: @escaping @Sendable (JSON) async -> Void) {
        self.engine = engine
        self.user = user
        self.rooms = rooms
        self.logger = logger
        self.send = send
    }

    /// The page's own reference for a request, echoed in the answer (short strings only).
    static func ref(_ message: JSON) -> JSON {
        guard let ref = message["ref"]?.string, ref.count <= 40 else { return .null }
        return .string(ref)
    }

    static func isMediaMessage(_ message: JSON) -> Bool { message["type"]?.string?.hasPrefix("media-") ?? false }

    func handle(_ message: JSON) async {
        let type = message["type"]?.string ?? ""
        do {
            switch type {
            case "media-publish": try await publish(message)
            case "media-watch": try await watch(message)
            case "media-answer": try await answer(message)
            case "media-ice": try await ice(message)
            case "media-hangup": await hangUp(try leg(message))
            default: throw MediaRefusal("bad-message", "Mingle did not understand that media message.")
            }
        } catch let refusal as MediaRefusal {
            await send(["type": "media-error", "code": .string(refusal.code), "message": .string(refusal.message),
                        "request": .string(type), "ref": Self.ref(message)])
        } catch {
            logger.warning("media request \(type) failed: \(String(describing: error))")
            await send(["type": "media-error", "code": "failed", "message": "The video connection could not be set up; retrying may help.",
                        "request": .string(type), "ref": Self.ref(message)])
        }
    }

    private func target(_ message: JSON) throws -> (MediaRoomKind, UUID?) {
        guard let kind = message["room"]?.string.flatMap(MediaRoomKind.init(rawValue:)) else {
            throw MediaRefusal("bad-message", "Which room: lobby or pair?")
        }
        let pairing = message["pairing"]?.string.flatMap(UUID.init(uuidString:))
        if kind == .pair && pairing == nil { throw MediaRefusal("bad-message", "Which pair?") }
        return (kind, pairing)
    }

    private func roomName(_ kind: MediaRoomKind, _ pairing: UUID?) -> String {
        kind == .lobby ? MediaRooms.lobby(engine.sessionID) : MediaRooms.pair(pairing!)
    }

    private func checkCapacity() throws {
        guard legs.count < Self.maxLegs else { throw MediaRefusal("too-many", "Too many video connections from this page.") }
    }

    private func publish(_ message: JSON) async throws {
        let (kind, pairing) = try target(message)
        guard let offer = message["offer"], offer["sdp"]?.string != nil else { throw MediaRefusal("bad-message", "An offer is needed.") }
        guard await engine.mayPublish(user.id, in: kind, pairing: pairing) else {
            throw MediaRefusal("not-allowed", kind == .lobby
                ? "Only the organizer speaks in the lobby; you can watch and listen."
                : "You are not in that conversation (any more).")
        }
        try checkCapacity()
        let room = try await rooms.room(roomName(kind, pairing), description: engine.title, publishers: kind == .lobby ? 3 : 2)
        let (leg, answer, events) = try await rooms.publish(in: room, publisher: user.id, display: user.name, offer: offer)
        legs[leg.id] = OwnLeg(kind: kind, pairing: pairing, publishing: true)
        relay(leg.id, events)
        await send(["type": "media-answer", "leg": .string(leg.id.uuidString), "room": .string(kind.rawValue), "answer": answer,
                    "ref": Self.ref(message)])
    }

    private func watch(_ message: JSON) async throws {
        let (kind, pairing) = try target(message)
        guard let publisher = message["publisher"]?.string.flatMap(UUID.init(uuidString:)) else {
            throw MediaRefusal("bad-message", "Whom to watch?")
        }
        guard await engine.mayWatch(user.id, publisher: publisher, in: kind, pairing: pairing) else {
            throw MediaRefusal("not-allowed", "That video is not for you (or not there any more).")
        }
        try checkCapacity()
        let room = try await rooms.room(roomName(kind, pairing), description: engine.title, publishers: kind == .lobby ? 3 : 2)
        let (leg, offer, events) = try await rooms.watch(in: room, publisher: publisher)
        legs[leg.id] = OwnLeg(kind: kind, pairing: pairing, publishing: false)
        relay(leg.id, events)
        await send(["type": "media-offer", "leg": .string(leg.id.uuidString), "room": .string(kind.rawValue),
                    "publisher": .string(publisher.uuidString), "offer": offer, "ref": Self.ref(message)])
    }

    private func leg(_ message: JSON) throws -> UUID {
        guard let id = message["leg"]?.string.flatMap(UUID.init(uuidString:)), legs[id] != nil else {
            throw MediaRefusal("no-such-leg", "That video connection is not yours or has ended.")
        }
        return id
    }

    private func answer(_ message: JSON) async throws {
        let id = try leg(message)
        guard let answer = message["answer"], answer["sdp"]?.string != nil else { throw MediaRefusal("bad-message", "An answer is needed.") }
        try await rooms.start(id, answer: answer)
    }

    private func ice(_ message: JSON) async throws {
        let id = try leg(message)
        guard let candidate = message["candidate"] else { throw MediaRefusal("bad-message", "A candidate is needed.") }
        try await rooms.trickle(id, candidate: candidate)
    }

    /// Janus's own messages for a leg: its ICE candidates go to the browser; media up or down
    /// tells the engine who is publishing; a hang-up (the room ended) ends the leg.
    private func relay(_ id: UUID, _ events: AsyncStream<JSON>) {
        relays[id] = Task {
            for await event in events {
                switch event["janus"]?.string {
                case "trickle":
                    await send(["type": "media-ice", "leg": .string(id.uuidString), "candidate": event["candidate"] ?? ["completed": true]])
                case "webrtcup":
                    await self.mediaUp(id)
                case "hangup", "detached":
                    await self.ended(id)
                    return
                case "event":
                    let data = event["plugindata"]?["data"]
                    if data?["videoroom"]?.string == "destroyed" || data?["leaving"]?.string == "ok" {
                        await self.ended(id)
                        return
                    }
                default:
                    break
                }
            }
            await self.ended(id)
        }
    }

    private func mediaUp(_ id: UUID) async {
        guard let leg = legs[id], leg.publishing else { return }
        await engine.setPublishing(user.id, in: leg.kind, pairing: leg.pairing, true)
    }

    private func ended(_ id: UUID) async {
        guard let leg = legs.removeValue(forKey: id) else { return }
        relays.removeValue(forKey: id)
        if leg.publishing { await engine.setPublishing(user.id, in: leg.kind, pairing: leg.pairing, false) }
        await rooms.hangUp(id)
        await send(["type": "media-ended", "leg": .string(id.uuidString), "room": .string(leg.kind.rawValue)])
    }

    private func hangUp(_ id: UUID) async {
        guard let leg = legs.removeValue(forKey: id) else { return }
        relays.removeValue(forKey: id)?.cancel()
        if leg.publishing { await engine.setPublishing(user.id, in: leg.kind, pairing: leg.pairing, false) }
        await rooms.hangUp(id)
    }

    /// The socket closed: every leg ends.
    func closeAll() async {
        for id in Array(legs.keys) { await hangUp(id) }
    }
}

struct MediaRefusal: Error {
    var code: String
    var message: String
    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
