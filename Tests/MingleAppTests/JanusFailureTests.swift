import Foundation
import RealTime
import SpeedNetworking
import Media
@testable import MingleApp
import Synchronization
import Testing
import TestSupport

/// Janus and Mingle failing apart. A Janus node that dies: Mingle notices, forgets its rooms,
/// tells the running sessions' pages to set their media up again, and creates the rooms again
/// on a node that answers (a Janus of its own, started and killed with scripts/janus.sh beside
/// the one test.sh runs). A Mingle that restarts: it takes over the rooms it left on Janus.
@Suite(.serialized) struct JanusFailureTests {
    static let folder = TestEnvironment.resourcesPath + "/.data/test-janus-loss"
    static let port = Int(ProcessInfo.processInfo.environment["MINGLE_TEST_JANUS_LOSS_PORT"] ?? "") ?? 18288
    static let rtpPorts = ProcessInfo.processInfo.environment["MINGLE_TEST_JANUS_LOSS_RTP"] ?? "21500-21599"

    /// Runs scripts/janus.sh (with the `mingle` of this build: MINGLE_BIN, which test.sh sets;
    /// without it the script would run `swift build`, which waits for this very test run).
    @discardableResult
    static func janus(_ arguments: [String]) async throws -> Int32 {
        guard ProcessInfo.processInfo.environment["MINGLE_BIN"] != nil else {
            throw TestSetupError("MINGLE_BIN must name the built mingle (scripts/test.sh sets it)")
        }
        return try await runCommand(["bash", "scripts/janus.sh"] + arguments, directory: TestEnvironment.resourcesPath,
                                    log: folder + "-script.log")
    }

    /// This node shares the test Janus's secrets, as Mingle's nodes do (one API secret, one admin key).
    static func startNode() async throws -> JanusNodeSettings {
        let main = try MediaSignallingTests.janus()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "MINGLE_JANUS_API_SECRET=\(main.apiSecret)\nMINGLE_JANUS_ADMIN_KEY=\(main.roomAdminKey)\n"
            .write(toFile: folder + "/credentials.env", atomically: true, encoding: .utf8)
        #expect(try await janus(["start", folder, String(port), rtpPorts]) == 0)
        return JanusNodeSettings(url: "ws://127.0.0.1:\(port)", apiSecret: main.apiSecret, roomAdminKey: main.roomAdminKey)
    }

    static func someActivity() -> ActivityKey { ActivityKey(tenant: UUID(), kind: ActivityKind("test"), id: UUID()) }

    @Test func aDeadNodeIsNoticedItsRoomsForgottenAndCreatedAgainWhenANodeAnswers() async throws {
        // setup: a node of our own with a room on it.
        let node = try await Self.startNode()
        let rooms = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
        let lost = Mutex<[ActivityKey]>([])
        await rooms.onNodeLost { keys in lost.withLock { $0 += keys } }
        let activity = Self.someActivity()
        let name = MediaRooms.janusName("lobby", of: activity)
        _ = try await rooms.room("lobby", of: activity, description: "test", spec: MediaRoomSpec(publishers: 1))
        #expect(await rooms.exists(name))

        // act: the node dies.
        try await Self.janus(["stop", Self.folder])
        for _ in 0..<100 where lost.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }

        // check: noticed, the room forgotten; creating it fails while no node answers.
        #expect(lost.withLock { $0 } == [activity])
        #expect(await !rooms.exists(name))
        await #expect(throws: (any Error).self) {
            _ = try await rooms.room("lobby", of: activity, description: "test", spec: MediaRoomSpec(publishers: 1))
        }

        // act: the node is back (empty, as after a crash); the room is needed again.
        _ = try await Self.startNode()
        _ = try await rooms.room("lobby", of: activity, description: "test", spec: MediaRoomSpec(publishers: 1))

        // check: it exists on Janus again.
        #expect(try await LiveSocketMediaTests.janusHas(name, on: node))
        await rooms.shutdown()
        try await Self.janus(["stop", Self.folder])
    }

    @Test func pagesAreToldWhenANodeDiesAndTheRoomIsCreatedAgainOnAnotherNode() async throws {
        // setup: two nodes — ours first, so the lobby room lands on it — and a session whose
        // lobby is open, with the organizer and a member in it.
        let main = try MediaSignallingTests.janus()
        let doomed = try await Self.startNode()
        try await TestApp.runLive(adjust: { $0.janusNodes = [doomed, main] }) { db, web, port in
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 1)
            let start = Date() + 60
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: start, end: start + 60, lead: 120)
            let organizer = try await LiveSocketMediaTests.socket(web, username: "acme-organizer", port: port, session: session)
            let member = try await LiveSocketMediaTests.socket(web, username: "acme-member1", port: port, session: session)
            let lobby = LiveSocketMediaTests.janusRoom(SpeedNetworkingEngine.mediaRoomName, tenant: acme.tenant, session: session)
            for socket in [organizer, member] { _ = try await socket.next(type: "state", status: "lobby") }
            LiveSocketMediaTests.publish(organizer, session: session, room: SpeedNetworkingEngine.mediaRoomName, ref: "1")
            #expect(try await LiveSocketMediaTests.error(organizer, ref: "1")["code"]?.string == "failed")  // the fake offer
            #expect(try await LiveSocketMediaTests.janusHas(lobby, on: doomed))
            #expect(try await !LiveSocketMediaTests.janusHas(lobby, on: main, expected: false))

            // act: the node dies.
            try await Self.janus(["stop", Self.folder])

            // check: both pages are told to set their media up again (a new epoch)…
            for socket in [organizer, member] {
                let state = try await socket.next("a state with a new media epoch") { $0["data"]?["media"]?["epoch"] == .number(1) }
                #expect(state["data"]?["media"]?["lobbyPublishers"] == .array([]))
            }
            // …and the next publish creates the lobby room on the node that is left.
            LiveSocketMediaTests.publish(organizer, session: session, room: SpeedNetworkingEngine.mediaRoomName, ref: "2")
            #expect(try await LiveSocketMediaTests.error(organizer, ref: "2")["code"]?.string == "failed")
            #expect(try await LiveSocketMediaTests.janusHas(lobby, on: main))
            for socket in [organizer, member] { await socket.close() }
        }
    }

    @Test func aRestartedServerTakesOverTheRoomsItsEarlierRunLeftOnJanus() async throws {
        // setup: a run of Mingle creates a room and stops without ending it.
        let node = try MediaSignallingTests.janus()
        let activity = Self.someActivity()
        let name = MediaRooms.janusName("lobby", of: activity)
        let spec = MediaRoomSpec(publishers: 1)
        let earlier = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
        _ = try await earlier.room("lobby", of: activity, description: "test", spec: spec)
        await earlier.shutdown()
        #expect(try await LiveSocketMediaTests.janusHas(name, on: node))

        // act: the next run (same secret key) needs the room; so does a server with another key.
        let next = MediaRooms(nodes: [node], secretKey: TestApp.secretKey, logger: TestEnvironment.logger)
        let room = try await next.room("lobby", of: activity, description: "test", spec: spec)
        let stranger = MediaRooms(nodes: [node], secretKey: Array(repeating: 9, count: 32), logger: TestEnvironment.logger)
        let taken = await #expect(throws: JanusError.self) {
            _ = try await stranger.room("lobby", of: activity, description: "test", spec: spec)
        }

        // check: the next run has it (it can end it), the stranger could not take it over.
        #expect(room.name == name)
        #expect(taken != nil)
        let running = Task { try await next.run() }  // destroys ended rooms
        await next.endRoom("lobby", of: activity)
        #expect(try await !LiveSocketMediaTests.janusHas(name, on: node, expected: false))
        running.cancel()
        _ = await running.result
        await stranger.shutdown()
    }
}
