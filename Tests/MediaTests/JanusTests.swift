import Foundation
import RealTime
import Logging
import Media
import Testing

@Suite("Janus configuration")
struct JanusConfigTests {
    @Test("Only VideoRoom and WebSockets, the API on loopback with its secret, the admin key, bounded RTP ports")
    func configuration() throws {
        // setup
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("janus-\(UUID().uuidString)").path
        let config = JanusConfig(folder: folder, apiPort: 18999, apiSecret: "s3cret\"\nx", roomAdminKey: "key", rtpPorts: 30000...30099)

        // act
        try config.write()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // check
        let main = try String(contentsOfFile: folder + "/janus.jcfg", encoding: .utf8)
        #expect(main.contains(#"api_secret = "s3cret\"x""#))  // quotes escaped, the newline dropped
        #expect(main.contains(#"rtp_port_range = "30000-30099""#))
        #expect(main.contains("ignore_mdns = true"))
        let ws = try String(contentsOfFile: folder + "/janus.transport.websockets.jcfg", encoding: .utf8)
        #expect(ws.contains(#"ws_ip = "127.0.0.1""#) && ws.contains("ws_port = 18999") && ws.contains("admin_ws = false"))
        let room = try String(contentsOfFile: folder + "/janus.plugin.videoroom.jcfg", encoding: .utf8)
        #expect(room.contains(#"admin_key = "key""#) && room.contains("string_ids = true"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/plugins") == ["libjanus_videoroom.so"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/transports") == ["libjanus_websockets.so"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/events").isEmpty)
    }
}

/// Against the real Janus that scripts/test.sh starts (MINGLE_TEST_JANUS_URL and its secrets).
@Suite("Janus API")
struct JanusAPITests {
    static let env = ProcessInfo.processInfo.environment
    static let logger = Logger(label: "janus-test")

    static func node() throws -> (url: String, secret: String, adminKey: String) {
        guard let url = env["MINGLE_TEST_JANUS_URL"], let secret = env["MINGLE_JANUS_API_SECRET"],
              let key = env["MINGLE_JANUS_ADMIN_KEY"] else {
            throw JanusError("MINGLE_TEST_JANUS_URL, MINGLE_JANUS_API_SECRET and MINGLE_JANUS_ADMIN_KEY must be set (scripts/test.sh starts Janus)")
        }
        return (url, secret, key)
    }

    @Test("Rooms are created, listed, checked and destroyed with Mingle's secrets")
    func roomLifecycle() async throws {
        // setup
        let node = try Self.node()
        let connection = JanusConnection(url: node.url, apiSecret: node.secret, logger: Self.logger)
        let session = try await JanusSession.create(on: connection)
        let rooms = try await VideoRoom(session: session, adminKey: node.adminKey)
        let room = "test-\(UUID().uuidString.lowercased())"

        // act
        try await rooms.createRoom(room, description: "A test room", spec: MediaRoomSpec(publishers: 2), secret: "room-secret", pin: "room-pin")
        let existsAfterCreate = try await rooms.exists(room)
        let listed = try await rooms.rooms()
        let participants = try await rooms.participants(room)
        await #expect(throws: JanusError.self) { try await rooms.destroyRoom(room, secret: "wrong") }
        try await rooms.destroyRoom(room, secret: "room-secret")
        let existsAfterDestroy = try await rooms.exists(room)
        await session.destroy()
        await connection.close()

        // check
        #expect(existsAfterCreate)
        #expect(listed.contains(room))
        #expect(participants.isEmpty)
        #expect(!existsAfterDestroy)
    }

    @Test("Without the API secret, or without the admin key, Janus refuses")
    func refusals() async throws {
        let node = try Self.node()
        // a wrong API secret: no session
        let stranger = JanusConnection(url: node.url, apiSecret: "not-the-secret", logger: Self.logger)
        let refused = await #expect(throws: JanusError.self) { _ = try await JanusSession.create(on: stranger) }
        #expect(refused?.code == 403)
        await stranger.close()
        // the right API secret but a wrong room admin key: no room
        let connection = JanusConnection(url: node.url, apiSecret: node.secret, logger: Self.logger)
        let session = try await JanusSession.create(on: connection)
        let rooms = try await VideoRoom(session: session, adminKey: "not-the-key")
        await #expect(throws: JanusError.self) {
            try await rooms.createRoom("test-\(UUID().uuidString.lowercased())", description: "", spec: MediaRoomSpec(publishers: 1), secret: "s", pin: "p")
        }
        await session.destroy()
        await connection.close()
    }
}
