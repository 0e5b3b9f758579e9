import Foundation
import Media
import RealTime
import SpeedNetworking
@testable import MingleApp
import Testing
import TestSupport

/// The media rules through the real socket, without a browser: the app listens on a port,
/// people connect with their session cookie as their page would, and what they may publish and
/// watch is decided by the activity (here speed networking). Runs against the real Janus
/// test.sh starts.
@Suite struct LiveSocketMediaTests {
    static let host = "acme.\(TestApp.rootHost)"
    static let fakeOffer: JSON = ["type": "offer", "sdp": "v=0\r\nnot a real offer\r\n"]

    static func address(_ session: UUID) -> String { "speed-networking:\(session.uuidString.lowercased())" }

    /// A signed-in person's socket in speed-networking session `session` (nil: a page in no activity).
    static func socket(_ web: WebClient, username: String, port: Int, session: UUID?, tenant: String = "acme") async throws -> TestSocket {
        var client = WebClient(web.client)
        let host = "\(tenant).\(TestApp.rootHost)"
        try await TestApp.signIn(&client, username, tenant: tenant)
        return try await TestSocket.connect(port: port, host: host, path: "/live/ws" + (session.map { "?activity=\(address($0))" } ?? ""),
                                            cookie: client.cookieHeader(host: host), origin: "http://\(host)")
    }

    /// The Janus name of a room of a session.
    static func janusRoom(_ room: String, tenant: UUID, session: UUID) -> String {
        MediaRooms.janusName(room, of: ActivityKey(tenant: tenant, kind: .speedNetworking, id: session))
    }

    static func publish(_ socket: TestSocket, session: UUID, room: String, ref: String) {
        socket.send("media-publish", activity: address(session), ref: ref, data: ["room": .string(room), "offer": fakeOffer])
    }

    /// Waits until Janus on `node` has (or no longer has) `room`.
    static func janusHas(_ room: String, on node: JanusNodeSettings, expected: Bool = true) async throws -> Bool {
        let connection = JanusConnection(url: node.url, apiSecret: node.apiSecret, logger: TestEnvironment.logger)
        let session = try await JanusSession.create(on: connection)
        let videoRoom = try await VideoRoom(session: session, adminKey: node.roomAdminKey)
        var found = try await videoRoom.exists(room)
        for _ in 0..<40 where found != expected {
            try await Task.sleep(for: .milliseconds(50))
            found = try await videoRoom.exists(room)
        }
        await session.destroy()
        await connection.close()
        return found
    }

    static func error(_ socket: TestSocket, ref: String) async throws -> JSON {
        try await socket.error(ref: ref)["data"] ?? .null
    }

    @Test func theSocketRefusesWhatTheEngineDoesNotAllow() async throws {
        let node = try MediaSignallingTests.janus()
        try await TestApp.runLive(adjust: { config in
            config.janusNodes = [node]
            config.speedNetworkingTimings = EngineTimings(matchDelay: .milliseconds(300), reconnectGrace: .seconds(5))
        }) { db, web, port in
            // setup: a session about to start; the organizer and four members in its lobby.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 4)
            let start = Date() + 3
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: start, end: start + 60,
                                                         round: 3, grace: 1, lead: 60, teardown: 5)
            let organizer = try await Self.socket(web, username: "acme-organizer", port: port, session: session)
            var members: [TestSocket] = []
            for i in 1...4 { members.append(try await Self.socket(web, username: "acme-member\(i)", port: port, session: session)) }
            for socket in [organizer] + members {
                let config = try await socket.next(type: "media-config")
                #expect(config["data"]?["enabled"] == .bool(true))
                _ = try await socket.next(type: "state", status: "lobby")
            }
            let room = SpeedNetworkingEngine.mediaRoomName
            let janusName = Self.janusRoom(room, tenant: acme.tenant, session: session)
            let me = members[0]

            // act + check: a member may not publish in a room the session does not have (when
            // members may publish in its own room is the engine's rule, tested there)…
            Self.publish(me, session: session, room: "lobby", ref: "lobby")
            let lobby = try await Self.error(me, ref: "lobby")
            #expect(lobby["code"]?.string == "not-allowed")
            #expect(lobby["request"]?.string == "media-publish")
            // …nor watch in a room the session does not have…
            me.send("media-watch", activity: Self.address(session), ref: "watch",
                    data: ["room": "pair-1", "publishers": [.string(UUID().uuidString)]])
            #expect(try await Self.error(me, ref: "watch")["code"]?.string == "not-allowed")
            // …nor ask to watch more people than a page can…
            me.send("media-watch", activity: Self.address(session), ref: "many",
                    data: ["room": .string(room), "publishers": .array((0...MediaRequest.maxWatched).map { _ in .string(UUID().uuidString) })])
            #expect(try await Self.error(me, ref: "many")["code"]?.string == "too-many")
            // …nor use a leg that is not theirs; and none of it created a room on Janus.
            me.send("media-answer", activity: Self.address(session), ref: "leg",
                    data: ["leg": .string(UUID().uuidString), "answer": ["type": "answer", "sdp": "v=0"]])
            #expect(try await Self.error(me, ref: "leg")["code"]?.string == "no-such-leg")
            #expect(try await !Self.janusHas(janusName, on: node, expected: false))

            // act + check: what is allowed reaches Janus (which refuses the fake offer): the
            // organizer's broadcast; once the session runs, a member's camera.
            Self.publish(organizer, session: session, room: room, ref: "broadcast")
            #expect(try await Self.error(organizer, ref: "broadcast")["code"]?.string == "failed")
            #expect(try await Self.janusHas(janusName, on: node))
            try await Task.sleep(for: .seconds(max(0, start.timeIntervalSinceNow) + 0.1))
            Self.publish(me, session: session, room: room, ref: "own")
            #expect(try await Self.error(me, ref: "own")["code"]?.string == "failed")

            // check: nothing sent to any page carries a Janus secret, key, pin or room secret.
            for socket in [organizer] + members {
                for text in socket.texts {
                    #expect(!text.contains(node.apiSecret) && !text.contains(node.roomAdminKey))
                    #expect(!text.contains("\"pin\"") && !text.contains("\"secret\""))
                }
                await socket.close()
            }
        }
    }
}
