import Foundation
import Live
import LiveEngine
import Logging
import Media
@testable import MingleApp
import Store
import Synchronization
import Testing
import TestSupport

/// The media half of the live socket without a browser: what each person may publish and
/// watch is decided by the engine, and a room the engine ended is gone from Janus for good.
/// Runs against the real Janus that scripts/test.sh starts.
@Suite struct MediaSignallingTests {
    /// What a socket would have sent to its browser.
    final class Outbox: Sendable {
        let messages = Mutex<[JSON]>([])
        func append(_ message: JSON) { messages.withLock { $0.append(message) } }
        var last: JSON? { messages.withLock { $0.last } }
    }

    static func janus() throws -> JanusNodeSettings {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["MINGLE_TEST_JANUS_URL"], let secret = env["MINGLE_JANUS_API_SECRET"], let key = env["MINGLE_JANUS_ADMIN_KEY"] else {
            throw TestSetupError("MINGLE_TEST_JANUS_URL, MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY must be set (scripts/test.sh starts Janus)")
        }
        return JanusNodeSettings(url: url, apiSecret: secret, roomAdminKey: key)
    }

    static let offer: JSON = ["type": "offer", "sdp": "v=0\r\nnot a real offer\r\n"]

    @Test func onlyWhatTheEngineAllowsReachesJanusAndEndedRoomsAreGone() async throws {
        try await withTestDatabase { db in
            // setup: four members in two pairs, the organizer in the lobby, a real Janus.
            let node = try Self.janus()
            let live = try await EngineOnPostgres(db, members: 4, length: 120)
            let (engine, clock, start, session, organizer) = (live.engine, live.clock, live.start, live.session, live.organizer)
            let rooms = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
            await engine.setObserver(rooms)
            try await live.allMeet(organizerToo: true)
            let members = live.members
            let pairings = await engine.allPairings
            #expect(pairings.count == 2)
            let (mine, other) = (pairings[0], pairings[1])
            let me = members.first { mine.contains($0.id) }!
            let partner = mine.partner(of: me.id)!
            let outbox = Outbox()
            let signalling = MediaSignalling(engine: engine, user: me, rooms: rooms, logger: TestEnvironment.logger) { outbox.append($0) }
            let organizerSignalling = MediaSignalling(engine: engine, user: organizer, rooms: rooms, logger: TestEnvironment.logger) { _ in }

            // act + check: a member may not publish in the lobby.
            await signalling.handle(["type": "media-publish", "room": "lobby", "offer": Self.offer, "ref": "a"])
            #expect(outbox.last?["code"]?.string == "not-allowed")
            #expect(outbox.last?["ref"]?.string == "a")

            // act + check: nor in another pair's room, nor watch someone of another pair.
            await signalling.handle(["type": "media-publish", "room": "pair", "pairing": .string(other.id.uuidString), "offer": Self.offer])
            #expect(outbox.last?["code"]?.string == "not-allowed")
            await signalling.handle(["type": "media-watch", "room": "pair", "pairing": .string(other.id.uuidString),
                                     "publisher": .string(other.memberA.uuidString)])
            #expect(outbox.last?["code"]?.string == "not-allowed")
            _ = partner
            // nor hang up, answer or trickle a leg that is not theirs
            await signalling.handle(["type": "media-ice", "leg": .string(UUID().uuidString), "candidate": ["completed": true]])
            #expect(outbox.last?["code"]?.string == "no-such-leg")

            // act + check: in one's own pair the request reaches Janus (which refuses the fake SDP),
            // and the pair's room now exists there.
            await signalling.handle(["type": "media-publish", "room": "pair", "pairing": .string(mine.id.uuidString), "offer": Self.offer])
            #expect(outbox.last?["code"]?.string == "failed")
            let roomName = MediaRooms.pair(mine.id)
            let connection = JanusConnection(url: node.url, apiSecret: node.apiSecret, logger: TestEnvironment.logger)
            let janusSession = try await JanusSession.create(on: connection)
            let janus = try await VideoRoom(session: janusSession, adminKey: node.roomAdminKey)
            #expect(try await janus.exists(roomName))
            // the organizer may publish in the lobby: that reaches Janus too
            await organizerSignalling.handle(["type": "media-publish", "room": "lobby", "offer": Self.offer])
            #expect(try await janus.exists(MediaRooms.lobby(session)))

            // act: the round ends.
            clock.set(start + 26)
            try await engine.tick()
            try await Task.sleep(for: .milliseconds(300))  // the observer ends rooms in a task

            // check: the pair's room is gone from Janus, cannot be created again, and the
            // engine refuses media for the ended pair.
            #expect(try await !janus.exists(roomName))
            await #expect(throws: JanusError.self) { _ = try await rooms.room(roomName, description: "", publishers: 2) }
            await signalling.handle(["type": "media-publish", "room": "pair", "pairing": .string(mine.id.uuidString), "offer": Self.offer])
            #expect(outbox.last?["code"]?.string == "not-allowed")

            // act + check: at the close the lobby room goes too.
            clock.set(start + 131)
            try await engine.tick()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await !janus.exists(MediaRooms.lobby(session)))
            await janusSession.destroy()
            await connection.close()
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
