import Foundation
import RealTime

/// Mingle's use of the Janus VideoRoom plugin on one session: rooms created and destroyed with
/// the admin key, one handle per media leg (a browser publishing, or subscribing to feeds).
/// Room ids are strings (`string_ids` in Mingle's config): `<kind>-<activity>-<room>`.
public actor VideoRoom {
    public static let plugin = "janus.plugin.videoroom"

    public nonisolated let session: JanusSession
    private let adminKey: String
    private let control: Int64

    public init(session: JanusSession, adminKey: String) async throws {
        self.session = session
        self.adminKey = adminKey
        control = try await session.attach(plugin: Self.plugin)
    }

    /// Creates a private room (not listed) that only Mingle can manage: `secret` is needed to
    /// destroy or kick, `pin` to join; both stay inside Mingle.
    public func createRoom(_ room: String, description: String, spec: MediaRoomSpec, secret: String, pin: String) async throws {
        _ = try await session.message(handle: control, [
            "request": "create", "room": .string(room), "admin_key": .string(adminKey),
            "description": .string(String(description.prefix(100))), "publishers": .number(Double(spec.publishers)),
            "is_private": true, "secret": .string(secret), "pin": .string(pin),
            "videocodec": .string(spec.videoCodec), "audiocodec": .string(spec.audioCodec), "record": .bool(spec.record),
            "require_e2ee": .bool(spec.requireE2EE), "notify_joining": false, "permanent": false,
            // Talking events: about a second of audio decides (50 packets of 20 ms); 127 is silence.
            "audiolevel_event": .bool(spec.talkingEvents), "audio_active_packets": 50, "audio_level_average": 40,
        ])
    }

    public func destroyRoom(_ room: String, secret: String) async throws {
        _ = try await session.message(handle: control, ["request": "destroy", "room": .string(room), "secret": .string(secret)])
    }

    public func exists(_ room: String) async throws -> Bool {
        let (data, _) = try await session.message(handle: control, ["request": "exists", "room": .string(room)])
        return data["exists"]?.bool ?? false
    }

    /// The rooms Janus has (private ones included: Mingle holds the admin key).
    public func rooms() async throws -> [String] {
        let (data, _) = try await session.message(handle: control, ["request": "list", "admin_key": .string(adminKey)])
        return data["list"]?.array?.compactMap { $0["room"]?.string } ?? []
    }

    /// Publishers now in a room.
    public func participants(_ room: String) async throws -> [(id: String, display: String, publishing: Bool)] {
        let (data, _) = try await session.message(handle: control, ["request": "listparticipants", "room": .string(room)])
        return data["participants"]?.array?.compactMap { entry in
            guard let id = entry["id"]?.string else { return nil }
            return (id, entry["display"]?.string ?? "", entry["publisher"]?.bool ?? false)
        } ?? []
    }

    /// Removes a participant from a room (their media stops).
    public func kick(_ room: String, participant: String, secret: String) async throws {
        _ = try await session.message(handle: control, [
            "request": "kick", "room": .string(room), "secret": .string(secret), "id": .string(participant),
        ])
    }

    /// Mutes or unmutes one m-line of a publisher at the server: a muted stream's packets are
    /// dropped by Janus; unmuting only lifts that block (the browser decides whether to send).
    public func moderate(_ room: String, participant: String, mid: String, mute: Bool, secret: String) async throws {
        _ = try await session.message(handle: control, [
            "request": "moderate", "room": .string(room), "secret": .string(secret), "id": .string(participant),
            "mid": .string(mid), "mute": .bool(mute),
        ])
    }

    /// A new handle for one media leg, and the stream of Janus's own events for it — taken
    /// before the leg joins, so no early event (ICE candidates, "webrtcup") is missed.
    public func attachLeg() async throws -> (handle: Int64, events: AsyncStream<JSON>) {
        let handle = try await session.attach(plugin: Self.plugin)
        return (handle, await session.connection.events(for: handle))
    }

    /// A browser publishes into a room: its SDP offer in, Janus's answer out.
    public func publish(handle: Int64, room: String, pin: String, participant: String, display: String, offer: JSON,
                        descriptions: [String: String] = [:]) async throws -> JSON {
        var body: [String: JSON] = [
            "request": "joinandconfigure", "ptype": "publisher", "room": .string(room), "pin": .string(pin),
            "id": .string(participant), "display": .string(display), "audio": true, "video": true,
        ]
        if !descriptions.isEmpty {
            body["descriptions"] = .array(descriptions.sorted { $0.key < $1.key }.map { ["mid": .string($0.key), "description": .string($0.value)] })
        }
        let (_, jsep) = try await session.message(handle: handle, .object(body), jsep: offer)
        guard let jsep else { throw JanusError("Janus sent no answer to the offer") }
        return jsep
    }

    /// A browser subscribes to some publishers' feeds over one connection (a multistream
    /// subscription): Janus makes the offer the browser must answer, and lists the streams.
    public func subscribe(handle: Int64, room: String, pin: String, feeds: [String]) async throws -> (data: JSON, offer: JSON) {
        let (data, jsep) = try await session.message(handle: handle, [
            "request": "join", "ptype": "subscriber", "room": .string(room), "pin": .string(pin),
            "streams": .array(feeds.map { ["feed": .string($0)] }),
        ])
        guard let jsep else { throw JanusError("Janus sent no offer for the subscription") }
        return (data, jsep)
    }

    /// Adds and removes feeds of a subscription. Janus answers with the new layout and an offer,
    /// or — while an earlier offer is still unanswered — with "updating" and sends the offer
    /// later as an event of the handle.
    public func update(handle: Int64, subscribe: [String], unsubscribe: [String]) async throws -> (data: JSON, offer: JSON?) {
        var body: [String: JSON] = ["request": "update"]
        if !subscribe.isEmpty { body["subscribe"] = .array(subscribe.map { ["feed": .string($0)] }) }
        if !unsubscribe.isEmpty { body["unsubscribe"] = .array(unsubscribe.map { ["feed": .string($0)] }) }
        let (data, jsep) = try await session.message(handle: handle, .object(body))
        return (data, jsep)
    }

    /// Asks a publisher's browser for a key frame now (Janus sends it a PLI), so a subscriber
    /// that just added its stream can show a picture without waiting for the next one.
    public func requestKeyframe(handle: Int64) async throws {
        _ = try await session.message(handle: handle, ["request": "configure", "keyframe": true])
    }

    /// The browser's answer to a subscription offer: media starts flowing.
    public func start(handle: Int64, answer: JSON) async throws {
        _ = try await session.message(handle: handle, ["request": "start"], jsep: answer)
    }

    public func trickle(handle: Int64, candidate: JSON) async throws {
        try await session.trickle(handle: handle, candidate: candidate)
    }

    /// Ends a media leg.
    public func hangUp(handle: Int64) async {
        await session.detach(handle: handle)
    }
}
