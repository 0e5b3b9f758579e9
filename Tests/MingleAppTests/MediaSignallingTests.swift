import Foundation
import Logging
import Media
import RealTime
import SpeedNetworking
@testable import MingleApp
import Store
import Synchronization
import Testing
import TestSupport

/// The media half of the live socket without a browser: what each person may publish and
/// watch is decided by the engine, and a room the engine ended is gone from Janus for good.
/// Runs against the real Janus that scripts/test.sh starts.
@Suite struct MediaSignallingTests {
    /// What a socket would have sent to its page.
    final class Outbox: Sendable {
        let messages = Mutex<[JSON]>([])
        func append(_ text: String) { if let json = try? JSON.parse(text) { messages.withLock { $0.append(json) } } }
        var last: JSON? { messages.withLock { $0.last } }
        var lastError: String? { last?["type"]?.string == "error" ? last?["data"]?["code"]?.string : nil }
    }

    static func janus() throws -> JanusNodeSettings {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["MINGLE_TEST_JANUS_URL"], let secret = env["MINGLE_JANUS_API_SECRET"], let key = env["MINGLE_JANUS_ADMIN_KEY"] else {
            throw TestSetupError("MINGLE_TEST_JANUS_URL, MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY must be set (scripts/test.sh starts Janus)")
        }
        return JanusNodeSettings(url: url, apiSecret: secret, roomAdminKey: key)
    }

    static let offer = SessionDescription(type: "offer", sdp: "v=0\r\nnot a real offer\r\n")

    /// An activity that is nothing but rights: one room, "stage"; only `speaker` may publish
    /// there, only `listener` may watch the speaker; "closed" is a room it no longer has.
    actor StageRights: MediaRights {
        nonisolated let key = ActivityKey(tenant: UUID(), kind: ActivityKind("stage"), id: UUID())
        nonisolated let title = "Stage"
        let speaker: UUID
        let listener: UUID
        var publishing: [UUID: Bool] = [:]
        init(speaker: UUID, listener: UUID) {
            self.speaker = speaker
            self.listener = listener
        }
        func mediaRoom(_ room: String) -> MediaRoomSpec? { room == "stage" ? MediaRoomSpec(publishers: 1) : nil }
        func mayPublish(_ user: UUID, in room: String) -> Bool { room == "stage" && user == speaker }
        func mayWatch(_ user: UUID, publisher: UUID, in room: String) -> Bool { room == "stage" && user == listener && publisher == speaker }
        func mayModerate(_ user: UUID, in room: String) -> Bool { false }
        func setPublishing(_ user: UUID, in room: String, _ on: Bool) { publishing[user] = on }
        func mediaLost() {}
    }

    @Test func theMediaLayerDoesWhatTheActivityAllowsAndNothingElse() async throws {
        // setup: a real Janus; an activity that knows nothing of lobbies or pairs.
        let node = try Self.janus()
        let rooms = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
        let speaker = Participant(id: UUID(), name: "Speaker", isOrganizer: false)
        let listener = Participant(id: UUID(), name: "Listener", isOrganizer: false)
        let stage = StageRights(speaker: speaker.id, listener: listener.id)
        let (toListener, toSpeaker) = (Outbox(), Outbox())
        let asListener = MediaSignalling(activity: stage, user: listener, rooms: rooms, logger: TestEnvironment.logger) { toListener.append($0) }
        let asSpeaker = MediaSignalling(activity: stage, user: speaker, rooms: rooms, logger: TestEnvironment.logger) { toSpeaker.append($0) }
        let janusName = MediaRooms.janusName("stage", of: stage.key)

        // act + check: whatever the listener's page sends, publishing is refused and nothing reaches Janus.
        await asListener.handle(.publish(room: "stage", offer: Self.offer), type: "media-publish", ref: "a")
        #expect(toListener.lastError == "not-allowed")
        #expect(toListener.last?["ref"]?.string == "a")
        #expect(toListener.last?["activity"]?.string == stage.key.address)
        await asListener.handle(.publish(room: "closed", offer: Self.offer), type: "media-publish", ref: "b")
        #expect(toListener.lastError == "not-allowed")
        await asListener.handle(.watch(room: "closed", publishers: [speaker.id]), type: "media-watch", ref: "c")
        #expect(toListener.lastError == "not-allowed")
        #expect(toListener.last?["data"]?["request"]?.string == "media-watch")
        // watching someone one may not watch is not an error (the page's state may be behind);
        // it sets nothing up on Janus.
        let before = toSpeaker.messages.withLock { $0.count }
        await asSpeaker.handle(.watch(room: "stage", publishers: [listener.id]), type: "media-watch", ref: "c")
        #expect(toSpeaker.messages.withLock { $0.count } == before)
        await asListener.handle(.ice(leg: UUID(), candidate: ["completed": true]), type: "media-ice", ref: "d")
        #expect(toListener.lastError == "no-such-leg")
        #expect(try await !LiveSocketMediaTests.janusHas(janusName, on: node, expected: false))

        // act + check: what it allows reaches Janus (which refuses the fake SDP): the room exists there now.
        await asSpeaker.handle(.publish(room: "stage", offer: Self.offer), type: "media-publish", ref: "e")
        #expect(toSpeaker.lastError == "failed")
        #expect(try await LiveSocketMediaTests.janusHas(janusName, on: node))

        // act + check: the activity ends its room: gone from Janus, and never created again.
        let running = Task { try await rooms.run() }
        await rooms.endRoom("stage", of: stage.key)
        #expect(try await !LiveSocketMediaTests.janusHas(janusName, on: node, expected: false))
        await asSpeaker.handle(.publish(room: "stage", offer: Self.offer), type: "media-publish", ref: "f")
        #expect(toSpeaker.lastError == "failed")
        #expect(try await !LiveSocketMediaTests.janusHas(janusName, on: node, expected: false))
        running.cancel()
        _ = await running.result
    }

    @Test func aSpeedNetworkingSessionHasOneRoomThatOutlivesItsPairsAndEndsAtTheClose() async throws {
        try await withTestDatabase { db in
            // setup: four members in two pairs, the organizer in the lobby, a real Janus.
            let node = try Self.janus()
            let live = try await EngineOnPostgres(db, members: 4, length: 120)
            let (engine, clock, start, organizer) = (live.engine, live.clock, live.start, live.organizer)
            let rooms = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
            let running = Task { try await rooms.run() }
            await engine.attach(media: rooms)
            try await live.allMeet(organizerToo: true)
            let mine = try #require(await engine.allPairings.first)
            let me = try #require(live.members.first { mine.contains($0.id) })
            let outbox = Outbox()
            let signalling = MediaSignalling(activity: engine, user: me, rooms: rooms, logger: TestEnvironment.logger) { outbox.append($0) }
            let organizerSignalling = MediaSignalling(activity: engine, user: organizer, rooms: rooms, logger: TestEnvironment.logger) { _ in }
            let room = SpeedNetworkingEngine.mediaRoomName
            let janusName = MediaRooms.janusName(room, of: engine.key)
            await signalling.handle(.publish(room: room, offer: Self.offer), type: "media-publish", ref: nil)
            #expect(outbox.lastError == "failed")  // Janus refuses the fake offer: it got that far
            await organizerSignalling.handle(.publish(room: room, offer: Self.offer), type: "media-publish", ref: nil)
            #expect(try await LiveSocketMediaTests.janusHas(janusName, on: node))

            // act: the round ends.
            clock.set(start + 26)
            try await engine.tick()

            // check: the room stays (pages keep their connections for the next round), and the
            // member may still publish into it.
            #expect(try await LiveSocketMediaTests.janusHas(janusName, on: node))
            await signalling.handle(.publish(room: room, offer: Self.offer), type: "media-publish", ref: nil)
            #expect(outbox.lastError == "failed")

            // act + check: at the close the room goes, and nothing can be set up in it again.
            clock.set(start + 131)
            try await engine.tick()
            #expect(try await !LiveSocketMediaTests.janusHas(janusName, on: node, expected: false))
            await signalling.handle(.publish(room: room, offer: Self.offer), type: "media-publish", ref: nil)
            #expect(outbox.lastError == "not-allowed")
            await signalling.closeAll()
            await organizerSignalling.closeAll()
            running.cancel()
            _ = await running.result
        }
    }

    @Test func turnCredentialsFollowCoturnsSharedSecretScheme() {
        // setup
        let turn = TURNSettings(urls: ["turn:turn.example.com:3478"], secret: "0123456789abcdef", lifetime: 3600)
        let user = UUID(uuidString: "00000000-0000-0000-0000-0000000000AB")!
        // act
        let credential = turn.credential(for: user, now: Date(timeIntervalSince1970: 1_800_000_000))
        // check: username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)),
        // computed independently with OpenSSL:
        // printf '1800003600:00000000-0000-0000-0000-0000000000ab' | openssl dgst -sha1 -hmac 0123456789abcdef -binary | base64
        #expect(credential.username == "1800003600:00000000-0000-0000-0000-0000000000ab")
        #expect(credential.password == "0nRH3RMloTphvE5gv4UxEbw2U0U=")
        #expect(credential.expires == Date(timeIntervalSince1970: 1_800_003_600))
    }
}
