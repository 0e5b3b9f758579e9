import Foundation
import Logging
import RealTime

/// The media half of one page's real-time socket: relays SDP and ICE between the browser and
/// Janus and lets the browser do only what its activity allows at that moment (DESIGN §9). The
/// browser names a room of the activity and a publisher; the activity decides whether it may;
/// `MediaRooms` places the room on a node. Nothing here knows what the rooms are for.
public actor MediaSignalling {
    private struct OwnLeg {
        var room: String
        var publishing: Bool
    }

    private let activity: any MediaRights
    private let user: Participant
    private let rooms: MediaRooms
    private let send: @Sendable (String) async -> Void
    private let logger: Logger
    private var legs: [UUID: OwnLeg] = [:]
    private var relays: [UUID: Task<Void, Never>] = [:]

    /// A page holds a few legs (publish + watch in a pair; watch in the lobby), not more.
    public static let maxLegs = 4

    public init(activity: any MediaRights, user: Participant, rooms: MediaRooms, logger: Logger,
                send: @escaping @Sendable (String) async -> Void) {
        self.activity = activity
        self.user = user
        self.rooms = rooms
        self.logger = logger
        self.send = send
    }

    private var address: String { activity.key.address }

    /// Handles one request; a refusal or failure is answered with an `error` carrying `ref`.
    public func handle(_ request: MediaRequest, type: String, ref: String?) async {
        do {
            switch request {
            case .publish(let room, let offer): try await publish(room, offer: offer, ref: ref)
            case .watch(let room, let publisher): try await watch(room, publisher: publisher, ref: ref)
            case .answer(let leg, let answer): try await rooms.start(try own(leg), answer: answer.json)
            case .ice(let leg, let candidate): try await rooms.trickle(try own(leg), candidate: candidate)
            case .hangup(let leg): await hangUp(try own(leg))
            }
        } catch let refusal as ActivityRefusal {
            await send(Envelope.error(refusal, activity: address, ref: ref, request: type))
        } catch {
            logger.warning("media request \(type) failed: \(String(describing: error))")
            await send(Envelope.error(ActivityRefusal("failed", "The video connection could not be set up; retrying may help."),
                                      activity: address, ref: ref, request: type))
        }
    }

    /// The room, if the activity has it and the page may still open another leg.
    private func room(_ name: String) async throws -> (MediaRooms.Room, MediaRoomSpec) {
        guard let spec = await activity.mediaRoom(name) else {
            throw ActivityRefusal("not-allowed", "There is no such video room (any more).")
        }
        guard legs.count < Self.maxLegs else { throw ActivityRefusal("too-many", "Too many video connections from this page.") }
        return (try await rooms.room(name, of: activity.key, description: activity.title, spec: spec), spec)
    }

    private func publish(_ name: String, offer: SessionDescription, ref: String?) async throws {
        guard await activity.mayPublish(user.id, in: name) else {
            throw ActivityRefusal("not-allowed", "You may not send video in that room (now).")
        }
        let (room, _) = try await room(name)
        let (leg, answer, events) = try await rooms.publish(in: room, publisher: user.id, display: user.name, offer: offer.json)
        legs[leg.id] = OwnLeg(room: name, publishing: true)
        relay(leg.id, events)
        await send(Envelope.text(type: "media-answer", activity: address, ref: ref,
                                 data: LegSDP(leg: leg.id, room: name, publisher: nil, sdp: answer)))
    }

    private func watch(_ name: String, publisher: UUID, ref: String?) async throws {
        guard await activity.mayWatch(user.id, publisher: publisher, in: name) else {
            throw ActivityRefusal("not-allowed", "That video is not for you (or not there any more).")
        }
        let (room, _) = try await room(name)
        let (leg, offer, events) = try await rooms.watch(in: room, publisher: publisher)
        legs[leg.id] = OwnLeg(room: name, publishing: false)
        relay(leg.id, events)
        await send(Envelope.text(type: "media-offer", activity: address, ref: ref,
                                 data: LegSDP(leg: leg.id, room: name, publisher: publisher, sdp: offer)))
    }

    private func own(_ leg: UUID) throws -> UUID {
        guard legs[leg] != nil else { throw ActivityRefusal("no-such-leg", "That video connection is not yours or has ended.") }
        return leg
    }

    /// Janus's own messages for a leg: its ICE candidates go to the browser; media up or down
    /// tells the activity who publishes; a hang-up (the room ended) ends the leg.
    private func relay(_ id: UUID, _ events: AsyncStream<JSON>) {
        relays[id] = Task {
            for await event in events {
                switch event["janus"]?.string {
                case "trickle":
                    await send(Envelope.text(type: "media-ice", activity: address,
                                             data: LegICE(leg: id, candidate: event["candidate"] ?? ["completed": true])))
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
        await activity.setPublishing(user.id, in: leg.room, true)
    }

    private func ended(_ id: UUID) async {
        guard let leg = legs.removeValue(forKey: id) else { return }
        relays.removeValue(forKey: id)
        if leg.publishing { await activity.setPublishing(user.id, in: leg.room, false) }
        await rooms.hangUp(id)
        await send(Envelope.text(type: "media-ended", activity: address, data: LegEnded(leg: id, room: leg.room)))
    }

    private func hangUp(_ id: UUID) async {
        guard let leg = legs.removeValue(forKey: id) else { return }
        relays.removeValue(forKey: id)?.cancel()
        if leg.publishing { await activity.setPublishing(user.id, in: leg.room, false) }
        await rooms.hangUp(id)
    }

    /// The socket closed: every leg ends.
    public func closeAll() async {
        for id in Array(legs.keys) { await hangUp(id) }
    }

    private struct LegSDP: Encodable {
        var leg: UUID
        var room: String
        var publisher: UUID?
        /// Janus's answer (to a publish) or offer (to watch), as Janus wrote it.
        var sdp: JSON
    }

    private struct LegICE: Encodable {
        var leg: UUID
        var candidate: JSON
    }

    private struct LegEnded: Encodable {
        var leg: UUID
        var room: String
    }
}
