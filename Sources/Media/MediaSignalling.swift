import Foundation
import Logging
import RealTime

/// The media half of one page's real-time socket: relays SDP and ICE between the browser and
/// Janus and lets the browser do only what its activity allows at that moment (DESIGN §9).
///
/// A page has at most two connections to Janus: one **publishing** (its camera and microphone
/// into a room of the activity) and one **watching** (every feed it may and wants to see in one
/// room, a Janus multistream subscription). The page says which people it wants to watch — the
/// whole wish each time — and this actor subscribes and unsubscribes to match it, asking the
/// activity about each person; Janus renegotiates the one connection instead of opening another.
/// When the activity's rights shrink, `review()` cuts what is no longer allowed.
/// Nothing here knows what the rooms are for.
public actor MediaSignalling {
    private struct Publishing {
        var leg: UUID
        var room: String
        /// Its media came up (the activity was told, so it must be told when it goes).
        var up = false
    }

    private struct Watching {
        var leg: UUID
        var room: String
        /// Feeds the subscription carries now (as Janus last described it).
        var feeds: Set<String>
    }

    private let activity: any MediaRights
    private let user: Participant
    private let rooms: MediaRooms
    private let send: @Sendable (String) async -> Void
    private let logger: Logger
    private let id = UUID()
    private var registered = false
    private var publishing: Publishing?
    private var watching: Watching?
    /// What the page last asked to watch, and the `ref` of that request (for errors).
    private var wish: (room: String, publishers: [UUID], ref: String?)?
    private var reconciling = false
    private var reconcileAgain = false
    private var relays: [UUID: Task<Void, Never>] = [:]
    private var closed = false
    /// Feeds added to a connected subscription since the page last answered: once it has, their
    /// publishers are asked for a key frame.
    private var addedFeeds: Set<String> = []

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
        guard !closed else { return }
        do {
            switch request {
            case .publish(let room, let offer, let descriptions): try await publish(room, offer: offer, descriptions: descriptions, ref: ref)
            case .watch(let room, let publishers):
                await registerOnce()
                wish = (room, publishers, ref)
                await reconcile()
            case .answer(let leg, let answer):
                // (answers are for the watching connection's offers; a publisher makes offers)
                guard leg == watching?.leg else { throw ActivityRefusal("no-such-leg", "That video connection is not yours or has ended.") }
                try await rooms.start(leg, answer: answer.json)
                if leg == watching?.leg, !addedFeeds.isEmpty {
                    let added = addedFeeds
                    addedFeeds = []
                    await rooms.requestKeyframes(added)
                }
            case .ice(let leg, let candidate): try await rooms.trickle(try own(leg), candidate: candidate)
            case .hangup(let leg):
                let leg = try own(leg)
                if watching?.leg == leg { wish = nil }
                await hangUp(leg)
            }
        } catch {
            await refuse(error, ref: ref, type: type)
        }
    }

    private func refuse(_ error: any Error, ref: String?, type: String) async {
        if let refusal = error as? ActivityRefusal {
            await send(Envelope.error(refusal, activity: address, ref: ref, request: type))
        } else {
            logger.warning("media request \(type) failed: \(String(describing: error))")
            await send(Envelope.error(ActivityRefusal("failed", "The video connection could not be set up; retrying may help."),
                                      activity: address, ref: ref, request: type))
        }
    }

    /// The activity's rights changed: a review is due (the activity does not wait for it).
    private func registerOnce() async {
        guard !registered else { return }
        registered = true
        await rooms.register(id, of: activity.key, user: user.id) { [weak self] in
            Task { await self?.review() }
        }
    }

    /// The room's needs, if the activity has it (now).
    private func spec(_ name: String) async throws -> MediaRoomSpec {
        guard let spec = await activity.mediaRoom(name) else {
            throw ActivityRefusal("not-allowed", "There is no such video room (any more).")
        }
        return spec
    }

    /// The room on Janus, created there on first use.
    private func room(_ name: String, _ spec: MediaRoomSpec) async throws -> MediaRooms.Room {
        try await rooms.room(name, of: activity.key, description: activity.title, spec: spec)
    }

    // MARK: Publishing

    private func publish(_ name: String, offer: SessionDescription, descriptions: [String: String], ref: String?) async throws {
        guard await activity.mayPublish(user.id, in: name) else {
            throw ActivityRefusal("not-allowed", "You may not send video in that room (now).")
        }
        await registerOnce()
        let room = try await room(name, try await spec(name))
        let (leg, answer, events) = try await rooms.publish(in: room, publisher: user.id, display: user.name, offer: offer.json,
                                                            descriptions: descriptions)
        // Rights may have shrunk while Janus answered (a review then found nothing to cut).
        guard !closed, await activity.mayPublish(user.id, in: name) else {
            await rooms.hangUp(leg.id)
            throw ActivityRefusal("not-allowed", "You may not send video in that room (now).")
        }
        // One publishing connection per page: a new one (another camera) replaces the old.
        if let old = publishing { await hangUp(old.leg) }
        publishing = Publishing(leg: leg.id, room: name)
        // The answer first, then Janus's candidates (the page knows the leg by then).
        await send(Envelope.text(type: "media-answer", activity: address, ref: ref,
                                 data: PublishAnswer(leg: leg.id, room: name, sdp: answer)))
        relay(leg.id, events)
    }

    // MARK: Watching

    /// Brings the watching connection in line with the page's wish and the activity's rights.
    /// One pass at a time; a wish or review arriving meanwhile is handled by another pass.
    private func reconcile() async {
        guard !reconciling else {
            reconcileAgain = true
            return
        }
        reconciling = true
        defer { reconciling = false }
        repeat {
            reconcileAgain = false
            do {
                try await reconcileOnce()
            } catch {
                await refuse(error, ref: wish?.ref, type: "media-watch")
            }
        } while reconcileAgain && !closed
    }

    private func reconcileOnce() async throws {
        guard let wish, !closed else { return }
        if let current = watching, current.room != wish.room {
            // A page watches one room at a time.
            await hangUp(current.leg)
        }
        let spec: MediaRoomSpec
        do { spec = try await self.spec(wish.room) } catch {
            if let current = watching { await ended(current.leg) }
            throw error
        }
        // Rights first: nothing is set up on Janus for people this page may not watch.
        var allowed: [UUID] = []
        for publisher in wish.publishers where publisher != user.id {
            if await activity.mayWatch(user.id, publisher: publisher, in: wish.room) { allowed.append(publisher) }
        }
        if watching == nil && allowed.isEmpty { return }
        let room = try await room(wish.room, spec)
        var target: [String: UUID] = [:]
        for publisher in allowed {
            if let feed = await rooms.feed(of: publisher, in: room) { target[feed] = publisher }
        }
        guard let current = watching else {
            guard !target.isEmpty else { return }
            let (leg, offer, streams, events) = try await rooms.watch(in: room, feeds: Array(target.keys))
            guard !closed else { return await rooms.hangUp(leg.id) }
            watching = Watching(leg: leg.id, room: wish.room, feeds: Set(streams.map(\.feed)))
            await sendOffer(leg: leg.id, room: wish.room, offer: offer, streams: streams, ref: wish.ref)
            relay(leg.id, events)
            // (rights that shrank meanwhile are looked at again by the loop in `reconcile`)
            return
        }
        let subscribe = Set(target.keys).subtracting(current.feeds)
        let unsubscribe = current.feeds.subtracting(target.keys)
        guard !subscribe.isEmpty || !unsubscribe.isEmpty else { return }
        do {
            // Usually one request and one renegotiation: a new partner in, the old one out.
            try await change(current, subscribe: subscribe, unsubscribe: unsubscribe, ref: wish.ref)
        } catch where !unsubscribe.isEmpty {
            // Janus refuses the whole request when a feed to add just went away: cut on its
            // own, and if even that fails end the connection (fail closed), then add.
            do {
                try await change(current, subscribe: [], unsubscribe: unsubscribe, ref: wish.ref)
            } catch {
                logger.warning("could not cut a subscription, ending it: \(String(describing: error))")
                await ended(current.leg)
                return
            }
            guard let now = watching, now.leg == current.leg else { return }
            let rest = subscribe.subtracting(now.feeds)
            if !rest.isEmpty { try await change(now, subscribe: rest, unsubscribe: [], ref: wish.ref) }
        }
    }

    /// One `update` of the subscription; the new layout (and offer, unless Janus postponed it
    /// until the page answers the previous one) goes to the page.
    private func change(_ current: Watching, subscribe: Set<String>, unsubscribe: Set<String>, ref: String?) async throws {
        let (offer, streams) = try await rooms.update(current.leg, subscribe: subscribe.sorted(), unsubscribe: unsubscribe.sorted())
        guard let latest = watching, latest.leg == current.leg else { return }
        addedFeeds.formUnion(subscribe)
        // Without a layout Janus postponed the change; its offer comes as an event.
        watching?.feeds = streams.map { Set($0.map(\.feed)) } ?? latest.feeds.union(subscribe).subtracting(unsubscribe)
        if let offer, let streams {
            await sendOffer(leg: current.leg, room: current.room, offer: offer, streams: streams, ref: ref)
        }
    }

    private func sendOffer(leg: UUID, room: String, offer: JSON, streams: [MediaRooms.WatchedStream], ref: String?) async {
        await send(Envelope.text(type: "media-offer", activity: address, ref: ref,
                                 data: WatchOffer(leg: leg, room: room, sdp: offer, streams: streams)))
    }

    /// The activity's rights shrank: drop what this page may no longer publish or watch.
    public func review() async {
        guard !closed else { return }
        if let current = publishing, !(await activity.mayPublish(user.id, in: current.room)) {
            await ended(current.leg)
        }
        if wish != nil || watching != nil || reconciling { await reconcile() }
    }

    // MARK: Legs

    private func own(_ leg: UUID) throws -> UUID {
        guard publishing?.leg == leg || watching?.leg == leg else {
            throw ActivityRefusal("no-such-leg", "That video connection is not yours or has ended.")
        }
        return leg
    }

    /// Janus's own messages for a leg: its ICE candidates go to the browser; media up tells the
    /// activity who publishes; a new offer (Janus renegotiates a subscription whose publisher
    /// left) goes to the page; a hang-up (the room ended) ends the leg.
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
                    if let said = data?["videoroom"]?.string, said == "talking" || said == "stopped-talking" {
                        // Every publisher in the room hears everyone's; each page reports its own.
                        if let feed = data?["id"]?.string, feed == id.uuidString.lowercased() { await self.talking(id, said == "talking") }
                        continue
                    }
                    if data?["videoroom"]?.string == "destroyed" || data?["leaving"]?.string == "ok" {
                        await self.ended(id)
                        return
                    }
                    if let offer = event["jsep"], let data { await self.renegotiated(id, data: data, offer: offer) }
                default:
                    break
                }
            }
            await self.ended(id)
        }
    }

    private func renegotiated(_ leg: UUID, data: JSON, offer: JSON) async {
        guard let current = watching, current.leg == leg else { return }
        let streams = await rooms.streams(in: data)
        watching?.feeds = Set(streams.map(\.feed))
        await sendOffer(leg: leg, room: current.room, offer: offer, streams: streams, ref: nil)
    }

    private func talking(_ leg: UUID, _ talking: Bool) async {
        guard let current = publishing, current.leg == leg else { return }
        await activity.talking(user.id, in: current.room, talking)
    }

    private func mediaUp(_ id: UUID) async {
        guard let current = publishing, current.leg == id else { return }
        await rooms.feedStarted(id)
        // (hung up meanwhile: its "down" was already reported, so no "up" now)
        guard publishing?.leg == id else { return }
        publishing?.up = true
        await activity.setPublishing(user.id, in: current.room, true)
    }

    /// A leg ended on the server's side: the page is told.
    private func ended(_ id: UUID) async {
        guard let room = await hangUp(id) else { return }
        await send(Envelope.text(type: "media-ended", activity: address, data: LegEnded(leg: id, room: room)))
    }

    /// Ends a leg; returns its room if it was still there.
    @discardableResult
    private func hangUp(_ id: UUID) async -> String? {
        let room: String
        if let current = publishing, current.leg == id {
            publishing = nil
            room = current.room
            if current.up { await activity.setPublishing(user.id, in: current.room, false) }
        } else if let current = watching, current.leg == id {
            watching = nil
            room = current.room
        } else {
            return nil
        }
        relays.removeValue(forKey: id)?.cancel()
        await rooms.hangUp(id)
        return room
    }

    /// The socket closed: every leg ends.
    public func closeAll() async {
        closed = true
        if registered { await rooms.unregister(id, of: activity.key) }
        for leg in [publishing?.leg, watching?.leg].compactMap({ $0 }) { await hangUp(leg) }
    }

    private struct PublishAnswer: Encodable {
        var leg: UUID
        var room: String
        /// Janus's answer, as Janus wrote it.
        var sdp: JSON
    }

    private struct WatchOffer: Encodable {
        var leg: UUID
        var room: String
        /// Janus's offer, as Janus wrote it.
        var sdp: JSON
        /// Which m-line (mid) carries whose audio or video; only live streams.
        var streams: [MediaRooms.WatchedStream]
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
