import Foundation
import Media
@testable import MingleApp
import NIOWebSocket
import RealTime
import Testing
import TestSupport

/// The real-time layer through a real socket (the app listening on a port; `TestSocket` sends
/// the Host, Origin and cookie of a tenant's page): refused handshakes answer with the status
/// the protocol promises, bad frames close with the right code, presence stays inside the
/// tenant, a second activity plugs in, and one activity runs on one node.
@Suite struct RealTimeSocketTests {
    static let host = "acme.\(TestApp.rootHost)"
    static let origin = "http://\(host)"

    static func cookie(_ web: WebClient, _ username: String, tenant: String = "acme") async throws -> String? {
        var client = WebClient(web.client)
        try await TestApp.signIn(&client, username, tenant: tenant)
        return client.cookieHeader(host: "\(tenant).\(TestApp.rootHost)")
    }

    @Test func refusedHandshakesAnswerWithTheDocumentedStatus() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: a member, a person whose membership is not active, a session of acme.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let waiting = try await fixtures.user("waiting")
            try await fixtures.membership(acme.tenant, waiting, status: .awaitingPayment)
            let now = Date()
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: now + 60, end: now + 3600)
            let member = try await Self.cookie(web, "acme-member1")
            let notActive = try await Self.cookie(web, "waiting")
            func handshake(_ path: String, host: String = Self.host, cookie: String?, origin: String? = Self.origin) async throws -> Int {
                try await TestSocket.handshake(port: port, host: host, path: path, cookie: cookie, origin: origin).status
            }

            // act + check
            #expect(try await handshake("/live/ws", host: "nowhere.\(TestApp.rootHost)", cookie: member) == 404)
            #expect(try await handshake("/live/ws", cookie: member, origin: "http://evil.example") == 403)
            #expect(try await handshake("/live/ws", cookie: member, origin: nil) == 403)
            #expect(try await handshake("/live/ws", cookie: nil) == 401)
            #expect(try await handshake("/live/ws", cookie: notActive) == 403)
            #expect(try await handshake("/live/ws?activity=speed-networking:\(UUID().uuidString)", cookie: member) == 404)
            #expect(try await handshake("/live/ws?activity=bowling:\(session.uuidString)", cookie: member) == 404)
            #expect(try await handshake("/live/ws?activity=nonsense", cookie: member) == 400)
            let refused = try await TestSocket.handshake(port: port, host: Self.host, path: "/live/ws", cookie: nil, origin: Self.origin)
            #expect(refused.body.contains("Sign in first."))
            // admitted: with and without an activity
            #expect(try await handshake("/live/ws", cookie: member) == 101)
            #expect(try await handshake("/live/ws?activity=speed-networking:\(session.uuidString)", cookie: member) == 101)
        }
    }

    @Test func oversizeFramesCloseWith1009AndTextThatIsNotUTF8With1007() async throws {
        try await TestApp.runLive { db, web, port in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            let cookie = try await Self.cookie(web, "acme-member1")
            func open() async throws -> TestSocket {
                let socket = try await TestSocket.connect(port: port, host: Self.host, path: "/live/ws", cookie: cookie, origin: Self.origin)
                _ = try await socket.next(type: "presence")
                return socket
            }
            let limit = RealTimeSocketController.maxMessageBytes
            let whole = try await open(), fragments = try await open(), notUTF8 = try await open(), fine = try await open()

            // act
            whole.sendFrames([(.text, true, Array(repeating: UInt8(ascii: "a"), count: limit + 1))])
            fragments.sendFrames([(.text, false, Array(repeating: UInt8(ascii: "a"), count: limit / 2 + 1)),
                                  (.continuation, true, Array(repeating: UInt8(ascii: "a"), count: limit / 2 + 1))])
            notUTF8.sendFrames([(.text, true, [0x7B, 0xFF, 0xFE, 0x7D])])
            fine.send("ping", ref: "p")
            fine.send("meet", activity: "speed-networking:\(UUID().uuidString)", ref: "nj")
            fine.send(["type": "ping", "ref": "old"])  // no version: refused, the socket stays

            // check
            #expect(try await whole.closed() == 1009)
            #expect(try await fragments.closed() == 1009)
            #expect(try await notUTF8.closed() == 1007)
            #expect(try await fine.next(type: "pong")["ref"]?.string == "p")
            // a page in no activity cannot speak to one; a frame without the version is refused
            #expect(try await fine.error(ref: "nj")["data"]?["code"]?.string == "not-joined")
            #expect(try await fine.error(ref: "old")["data"]?["code"]?.string == "bad-version")
            await fine.close()
        }
    }

    @Test func aPageWhosePersonSignedOutIsToldAndClosed() async throws {
        try await TestApp.runLive(adjust: { $0.liveRecheckInterval = .milliseconds(300) }) { db, web, port in
            // setup: Ana and Ben each have a page open.
            _ = try await Fixtures(db).populatedTenant("acme")
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let anaPage = try await TestSocket.connect(port: port, host: Self.host, path: "/live/ws", cookie: ana.cookieHeader(host: Self.host), origin: Self.origin)
            let benPage = try await LiveSocketMediaTests.socket(web, username: "acme-member2", port: port, session: nil)
            _ = try await anaPage.next(type: "presence")

            // act: Ana signs out in another tab.
            let signedOut = try await ana.post(TestApp.url("acme", "/sign-out"), [], formURL: TestApp.url("acme"))
            #expect(signedOut.status == .seeOther)

            // check: her page is told and closed (policy violation) within a few rechecks; Ben's stays open.
            let error = try await anaPage.next("signed-out", timeout: .seconds(10)) { $0["type"]?.string == "error" }
            #expect(error["data"]?["code"] == .string("signed-out"))
            #expect(try await anaPage.closed() == 1008)
            try await Task.sleep(for: .seconds(1))
            #expect(!benPage.wasClosedByServer)
            await benPage.close()
        }
    }

    @Test func presenceShowsWhoIsOnlineInsideTheTenantOnly() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben of acme has a page open; so does someone of globex.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            let ana = acme.members[0]
            let ben = try await LiveSocketMediaTests.socket(web, username: "acme-member2", port: port, session: nil)
            let outsider = try await LiveSocketMediaTests.socket(web, username: "globex-member1", port: port, session: nil, tenant: "globex")
            _ = try await ben.next(type: "presence")
            _ = try await outsider.next(type: "presence")

            // act: Ana opens a page, then a second tab.
            let first = try await LiveSocketMediaTests.socket(web, username: "acme-member1", port: port, session: nil)
            let second = try await LiveSocketMediaTests.socket(web, username: "acme-member1", port: port, session: nil)

            // check: Ben sees her online (once); the second tab changes nothing; she sees herself and Ben.
            let online = try await ben.next("Ana online") { $0["type"]?.string == "presence" && $0["data"]?["online"]?.array?.contains(.string(ana.uuidString)) == true }
            #expect(online["data"]?["full"] == .bool(false))
            let hers = try await second.next(type: "presence")
            #expect(Set(hers["data"]?["online"]?.array ?? []) == Set([.string(ana.uuidString), .string(acme.members[1].uuidString)]))

            // act: one tab closes, then the other.
            await first.close()
            try await Task.sleep(for: .seconds(1))
            await second.close()

            // check: offline only after the last tab, within seconds; globex never heard of her.
            let offline = try await ben.next("Ana offline", timeout: .seconds(10)) {
                $0["type"]?.string == "presence" && $0["data"]?["offline"]?.array?.contains(.string(ana.uuidString)) == true
            }
            #expect(offline["data"]?["full"] == .bool(false))
            let benSaw = ben.texts.filter { $0.contains(ana.uuidString) && $0.contains("offline\":[\"") }
            #expect(benSaw.count == 1)
            #expect(!outsider.texts.contains { $0.contains(ana.uuidString) || $0.contains(acme.members[1].uuidString) })
            await ben.close()
            await outsider.close()
        }
    }

    @Test func aSecondActivityPlugsInWithoutTouchingSpeedNetworking() async throws {
        let node = try MediaSignallingTests.janus()
        let room = UUID()
        try await TestApp.runLive(adjust: { config in
            config.janusNodes = [node]
            config.extraActivityLoaders = [EchoLoader(open: [room])]
        }) { db, web, port in
            // setup: two members in the echo room; the first in is its only publisher.
            let acme = try await Fixtures(db).populatedTenant("acme")
            let address = "echo:\(room.uuidString.lowercased())"
            func enter(_ username: String) async throws -> TestSocket {
                let cookie = try await Self.cookie(web, username)
                let socket = try await TestSocket.connect(port: port, host: Self.host, path: "/live/ws?activity=\(address)",
                                                          cookie: cookie, origin: Self.origin)
                _ = try await socket.next(type: "stage")
                return socket
            }
            let host = try await enter("acme-member1")
            let guest = try await enter("acme-member2")
            let unknown = try await TestSocket.handshake(port: port, host: Self.host, path: "/live/ws?activity=echo:\(UUID().uuidString)",
                                                         cookie: try await Self.cookie(web, "acme-member1"), origin: Self.origin)

            // act: the guest says something; both try to publish.
            guest.send("say", activity: address, data: ["text": "hello"])
            guest.send("media-publish", activity: address, ref: "g", data: ["room": "stage", "offer": LiveSocketMediaTests.fakeOffer])
            host.send("media-publish", activity: address, ref: "h", data: ["room": "stage", "offer": LiveSocketMediaTests.fakeOffer])
            guest.send("say", activity: address, ref: "e", data: ["text": ""])
            guest.send("say", activity: "echo:\(UUID().uuidString.lowercased())", ref: "o", data: ["text": "elsewhere"])

            // check: the echo reaches both; the activity's rights decide the media layer.
            for socket in [host, guest] {
                let said = try await socket.next(type: "said")
                #expect(said["activity"]?.string == address && said["data"]?["text"]?.string == "hello")
            }
            #expect(try await guest.error(ref: "g")["data"]?["code"]?.string == "not-allowed")
            #expect(try await host.error(ref: "h")["data"]?["code"]?.string == "failed")  // Janus refused the fake offer
            #expect(try await guest.error(ref: "e")["data"]?["code"]?.string == "empty")
            #expect(try await guest.error(ref: "o")["data"]?["code"]?.string == "not-joined")
            let key = ActivityKey(tenant: acme.tenant, kind: EchoLoader.kind, id: room)
            #expect(try await LiveSocketMediaTests.janusHas(MediaRooms.janusName("stage", of: key), on: node))
            #expect(unknown.status == 404)
            await host.close()
            await guest.close()
        }
    }

    @Test func aSecondNodeRefusesToRunASessionTheFirstRuns() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: a session whose lobby is open, entered on the first node.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 1)
            let now = Date()
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: now + 60, end: now + 3600)
            let first = try await LiveSocketMediaTests.socket(web, username: "acme-member1", port: port, session: session)
            _ = try await first.next(type: "state", status: "lobby")
            let cookie = try await Self.cookie(web, "acme-organizer")

            // act: a second node on the same database is asked for the same session.
            let second = try await buildApplication(TestApp.configuration(db), logger: TestEnvironment.logger)
            try await second.test(.live) { client in
                let port2 = try #require(client.port)
                let refused = try await TestSocket.handshake(port: port2, host: Self.host,
                                                             path: "/live/ws?activity=speed-networking:\(session.uuidString)",
                                                             cookie: cookie, origin: Self.origin)
                let plain = try await TestSocket.handshake(port: port2, host: Self.host, path: "/live/ws", cookie: cookie, origin: Self.origin)

                // check: it refuses (the page retries, and reaches the node that runs it), while
                // the rest of the site works there.
                #expect(refused.status == 503)
                #expect(refused.body.contains("another Mingle node"))
                #expect(plain.status == 101)
            }
            // check: the first node still runs it.
            let again = try await TestSocket.handshake(port: port, host: Self.host,
                                                       path: "/live/ws?activity=speed-networking:\(session.uuidString)",
                                                       cookie: cookie, origin: Self.origin)
            #expect(again.status == 101)
            await first.close()
        }
    }
}
