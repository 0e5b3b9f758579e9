import Foundation
import Meetings
@testable import MingleApp
import RealTime
import Testing
import TestSupport

/// Meetings through real sockets (the app on a port, real PostgreSQL): the waiting room, host
/// controls enforced by the server whatever a page sends, and every refusal of the issue —
/// non-participant, another tenant, participant trying host actions, removed person, locked
/// meeting, guest when guests are off, over the cap.
@Suite struct MeetingSocketTests {
    static let host = "acme.\(TestApp.rootHost)"

    static func address(_ meeting: UUID) -> String { "meeting:\(meeting.uuidString.lowercased())" }

    /// A signed-in member's page in the meeting.
    static func page(_ web: WebClient, _ username: String, port: Int, meeting: UUID, tenant: String = "acme") async throws -> TestSocket {
        var client = WebClient(web.client)
        let host = "\(tenant).\(TestApp.rootHost)"
        try await TestApp.signIn(&client, username, tenant: tenant)
        return try await TestSocket.connect(port: port, host: host, path: "/live/ws?activity=\(address(meeting))",
                                            cookie: client.cookieHeader(host: host), origin: "http://\(host)")
    }

    /// A guest's page (their cookie holds `token`).
    static func guestPage(token: String, port: Int, meeting: UUID) async throws -> TestSocket {
        try await TestSocket.connect(port: port, host: host, path: "/live/ws?activity=\(address(meeting))",
                                     cookie: "mingle_guest=\(token)", origin: "http://\(host)")
    }

    /// The page's own state once it says `standing`.
    static func standing(_ socket: TestSocket, _ standing: String) async throws -> JSON {
        try await socket.next("you \(standing)") { $0["type"]?.string == "you" && $0["data"]?["standing"]?.string == standing }
    }

    static func people(_ socket: TestSocket, count: Int) async throws -> JSON {
        try await socket.next("people ×\(count)") { $0["type"]?.string == "people" && $0["data"]?["people"]?.array?.count == count }
    }

    static func refusal(_ socket: TestSocket) async throws -> String? {
        try await socket.next("a refusal") { $0["type"]?.string == "error" }["data"]?["code"]?.string
    }

    static func send(_ socket: TestSocket, _ meeting: UUID, _ type: String, ref: String, _ data: JSON? = nil) {
        socket.send(type, activity: address(meeting), ref: ref, data: data)
    }

    static func person(_ id: UUID) -> JSON { ["person": .string(id.uuidString)] }

    /// A meeting of acme's organizer without a waiting room, with the host in and then the
    /// first `inRoom` members (acme-member1, …), each on their own page.
    struct Room {
        let fixtures: Fixtures
        let acme: (tenant: UUID, organizer: UUID, members: [UUID])
        let meeting: (id: UUID, token: String)
        let host: TestSocket
        let members: [TestSocket]
    }

    /// `Room`, with acme of `tenantMembers` members and the meeting's `cap` and guests.
    static func room(_ db: TestDatabase, _ web: WebClient, port: Int, inRoom: Int, tenantMembers: Int = 2, cap: Int = 25,
                     guests: Bool = false) async throws -> Room {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme", members: tenantMembers)
        let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer, waitingRoom: false, guests: guests, cap: cap)
        let host = try await page(web, "acme-organizer", port: port, meeting: meeting.id)
        _ = try await standing(host, "admitted")
        var members: [TestSocket] = []
        for index in 0..<inRoom {
            let member = try await page(web, "acme-member\(index + 1)", port: port, meeting: meeting.id)
            _ = try await standing(member, "admitted")
            members.append(member)
        }
        return Room(fixtures: fixtures, acme: acme, meeting: meeting, host: host, members: members)
    }

    @Test func theWaitingRoomHoldsMembersUntilAHostAdmitsThemAndTheyThenGetPeopleAndChat() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: a meeting of acme's organizer; Ana arrives before the host.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer)
            let ana = try await Self.page(web, "acme-member1", port: port, meeting: meeting.id)
            let early = try await Self.standing(ana, "waiting")
            #expect(early["data"]?["hostPresent"] == .bool(false))

            // act: the host comes; says something; then admits Ana.
            let host = try await Self.page(web, "acme-organizer", port: port, meeting: meeting.id)
            _ = try await Self.standing(host, "admitted")
            let waiting = try await host.next("waiting list") { $0["type"]?.string == "waiting" && $0["data"]?["people"]?.array?.count == 1 }
            #expect(waiting["data"]?["people"]?.array?.first?["id"]?.string == acme.members[0].uuidString)
            Self.send(host, meeting.id, "chat", ref: "c1", ["text": "Welcome, everyone"])
            _ = try await host.next(type: "chat")
            // Ana, still waiting, may not chat and hears nothing of the room.
            Self.send(ana, meeting.id, "chat", ref: "a1", ["text": "Hello?"])
            #expect(try await ana.error(ref: "a1")["data"]?["code"]?.string == "not-admitted")
            #expect(!ana.texts.contains { $0.contains("Welcome, everyone") })
            Self.send(host, meeting.id, "admit", ref: "ad", Self.person(acme.members[0]))

            // check: Ana is in, gets the people list and then the chat so far.
            _ = try await Self.standing(ana, "admitted")
            _ = try await Self.people(ana, count: 2)
            let history = try await ana.next(type: "chat-history")
            #expect(history["data"]?["lines"]?.array?.first?["text"]?.string == "Welcome, everyone")
            // and the admission is kept: her next page comes straight in.
            await ana.close()
            let again = try await Self.page(web, "acme-member1", port: port, meeting: meeting.id)
            _ = try await Self.standing(again, "admitted")
            await again.close()
            await host.close()
        }
    }

    @Test func everyHostControlIsRefusedToAParticipant() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: no waiting room; the host and two members are in.
            let room = try await Self.room(db, web, port: port, inRoom: 2)
            let (meeting, host, ana, ben) = (room.meeting, room.host, room.members[0], room.members[1])
            let benID = room.acme.members[1]

            // act: Ana tries every host control.
            let attempts: [(String, JSON?)] = [
                ("admit", Self.person(benID)), ("admit-all", nil), ("refuse", Self.person(benID)), ("mute", Self.person(benID)),
                ("mute-all", nil), ("ask-unmute", Self.person(benID)), ("lower-hand", Self.person(benID)), ("remove", Self.person(benID)),
                ("co-host", ["person": .string(benID.uuidString), "value": true]), ("lock", ["value": true]), ("end", nil),
            ]
            for (index, attempt) in attempts.enumerated() { Self.send(ana, meeting.id, attempt.0, ref: "x\(index)", attempt.1) }

            // check: each refused; nothing happened to Ben or the meeting.
            for index in attempts.indices {
                #expect(try await ana.error(ref: "x\(index)")["data"]?["code"]?.string == "hosts-only", "\(attempts[index].0)")
            }
            Self.send(ben, meeting.id, "mic", ref: "m", ["value": true])
            let people = try await ben.next("Ben's mic on") { json in
                json["type"]?.string == "people" && json["data"]?["people"]?.array?.contains { $0["id"]?.string == benID.uuidString && $0["mic"] == .bool(true) } == true
            }
            #expect(people["data"]?["people"]?.array?.count == 3)
            #expect(!ben.wasClosedByServer)
            for page in [host, ana, ben] { await page.close() }
        }
    }

    @Test func aRemovedPersonIsToldClosedAndRefusedWhenTheyComeBack() async throws {
        try await TestApp.runLive { db, web, port in
            // setup
            let room = try await Self.room(db, web, port: port, inRoom: 1)
            let (fixtures, acme, meeting, host, ana) = (room.fixtures, room.acme, room.meeting, room.host, room.members[0])

            // act
            Self.send(host, meeting.id, "remove", ref: "r", Self.person(acme.members[0]))

            // check: told, closed, refused again (also after a restart of the meeting: the decision is stored).
            let farewell = try await ana.next(type: "farewell")
            #expect(farewell["data"]?["reason"]?.string == "removed")
            #expect(try await ana.closed() != nil)
            let again = try await Self.page(web, "acme-member1", port: port, meeting: meeting.id)
            #expect(try await Self.refusal(again) == "removed")
            #expect(try await again.closed() != nil)
            let stored = try await fixtures.inTenant(acme.tenant) { connection in
                try await connection.query("SELECT status FROM meeting_people WHERE person_id = \(acme.members[0])", logger: TestEnvironment.logger).collect()
            }
            #expect(try stored.first?.decode(String.self) == "removed")
            await host.close()
        }
    }

    @Test func aLockedMeetingAndAFullOneRefuseNewcomers() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: a cap of 2; the host and Ana are in.
            let room = try await Self.room(db, web, port: port, inRoom: 1, tenantMembers: 3, cap: 2)
            let (acme, meeting, host, ana) = (room.acme, room.meeting, room.host, room.members[0])

            // act + check: Ben is over the cap.
            let ben = try await Self.page(web, "acme-member2", port: port, meeting: meeting.id)
            #expect(try await Self.refusal(ben) == "full")

            // act: the host locks; Ana reloads (her place is kept); Cyd tries.
            Self.send(host, meeting.id, "lock", ref: "l", ["value": true])
            _ = try await host.next("locked") { $0["type"]?.string == "you" && $0["data"]?["locked"] == .bool(true) }
            await ana.close()
            let anaAgain = try await Self.page(web, "acme-member1", port: port, meeting: meeting.id)
            _ = try await Self.standing(anaAgain, "admitted")
            Self.send(host, meeting.id, "remove", ref: "rm", Self.person(acme.members[0]))
            _ = try await anaAgain.next(type: "farewell")
            let cyd = try await Self.page(web, "acme-member3", port: port, meeting: meeting.id)

            // check
            #expect(try await Self.refusal(cyd) == "locked")
            await host.close()
        }
    }

    @Test func aReactionMingleDoesNotShowAndAnOverlongChatAreRefusedReachNobodyAndAreNotStored() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: no waiting room; the host and Ana are in.
            let room = try await Self.room(db, web, port: port, inRoom: 1)
            let (meeting, host, ana) = (room.meeting, room.host, room.members[0])

            // act: Ana sends a reaction that is not one of the six, a chat one character too long, then a short one.
            Self.send(ana, meeting.id, "react", ref: "r", ["emoji": "🐍"])
            Self.send(ana, meeting.id, "chat", ref: "long", ["text": .string(String(repeating: "a", count: MeetingRequest.maxChatLength + 1))])
            Self.send(ana, meeting.id, "chat", ref: "ok", ["text": "Short and sweet"])

            // check: both refused with their codes; the host hears only the short chat; only it is stored.
            #expect(try await ana.error(ref: "r")["data"]?["code"]?.string == "bad-message")
            #expect(try await ana.error(ref: "long")["data"]?["code"]?.string == "too-long")
            let heard = try await host.next(type: "chat")
            #expect(heard["data"]?["text"]?.string == "Short and sweet")
            #expect(!host.texts.contains { $0.contains(#""type":"reaction""#) || $0.contains("🐍") || $0.contains("aaaa") })
            let stored = try await room.fixtures.inTenant(room.acme.tenant) { connection in
                try await connection.query("SELECT body FROM meeting_chat", logger: TestEnvironment.logger).all(String.self)
            }
            #expect(stored == ["Short and sweet"])
            for page in [host, ana] { await page.close() }
        }
    }

    @Test func guestsGoThroughTheWaitingRoomAndAreRefusedWhenTheMeetingTakesNone() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: one meeting with guests (the host in), one without; a guest pass for each.
            let room = try await Self.room(db, web, port: port, inRoom: 0, guests: true)
            let (fixtures, acme, open, host) = (room.fixtures, room.acme, room.meeting, room.host)
            let closed = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer, guests: false)
            let (openPass, closedPass) = ("g" + String(repeating: "a", count: 42), "g" + String(repeating: "b", count: 42))
            try await fixtures.meetingGuest(acme.tenant, meeting: open.id, name: "Gus Guest", token: openPass)
            try await fixtures.meetingGuest(acme.tenant, meeting: closed.id, name: "Gil Guest", token: closedPass)

            // act
            let gus = try await Self.guestPage(token: openPass, port: port, meeting: open.id)
            let gil = try await Self.guestPage(token: closedPass, port: port, meeting: closed.id)
            // a pass is for its own meeting only, and without one a guest is nobody
            let wrongMeeting = try await TestSocket.handshake(port: port, host: Self.host, path: "/live/ws?activity=\(Self.address(closed.id))",
                                                              cookie: "mingle_guest=\(openPass)", origin: "http://\(Self.host)")
            let noPass = try await TestSocket.handshake(port: port, host: Self.host, path: "/live/ws?activity=\(Self.address(open.id))",
                                                        cookie: nil, origin: "http://\(Self.host)")

            // check: Gus waits even though the meeting has no waiting room; Gil is refused.
            let waiting = try await Self.standing(gus, "waiting")
            #expect(waiting["data"]?["role"]?.string == "guest" && waiting["data"]?["waitingFor"]?.string == "admission")
            #expect(try await Self.refusal(gil) == "guests-off")
            #expect(wrongMeeting.status == 401 && noPass.status == 401)
            // A guest's socket carries nothing of the site: no presence, no messages.
            gus.send("read", ref: "rd", data: ["with": "acme-member1", "upTo": 1])
            #expect(try await gus.error(ref: "rd")["data"]?["code"]?.string == "members-only")
            #expect(!gus.texts.contains { $0.contains("\"presence\"") })
            // admitted by the host, Gus is in with the role "guest".
            Self.send(host, open.id, "admit", ref: "a", Self.person(try #require(waiting["data"]?["you"]?.string.flatMap(UUID.init(uuidString:)))))
            _ = try await Self.standing(gus, "admitted")
            await gus.close()
            await host.close()
        }
    }

    @Test func anotherTenantsMemberAndANonMemberCannotReachTheMeeting() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: acme's meeting; a globex member; someone of acme whose membership is not active.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            let pending = try await fixtures.user("pending")
            try await fixtures.membership(acme.tenant, pending, status: .awaitingPayment)
            let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer)

            // act: the globex member names acme's meeting on globex's site; the pending one on acme's.
            var globex = WebClient(web.client)
            try await TestApp.signIn(&globex, "globex-member1", tenant: "globex")
            let globexHost = "globex.\(TestApp.rootHost)"
            let elsewhere = try await TestSocket.handshake(port: port, host: globexHost, path: "/live/ws?activity=\(Self.address(meeting.id))",
                                                           cookie: globex.cookieHeader(host: globexHost), origin: "http://\(globexHost)")
            var waiting = WebClient(web.client)
            try await TestApp.signIn(&waiting, "pending", tenant: "acme")
            let notActive = try await TestSocket.handshake(port: port, host: Self.host, path: "/live/ws?activity=\(Self.address(meeting.id))",
                                                           cookie: waiting.cookieHeader(host: Self.host), origin: "http://\(Self.host)")
            let page = try await web.get(TestApp.url("globex", "/m/\(meeting.token)"))

            // check
            #expect(elsewhere.status == 404)
            #expect(notActive.status == 403)
            #expect(page.status == .notFound)
        }
    }

    @Test func anActingPlatformAdminEntersOnlyThroughTheAuditedPath() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: acme's meeting; the platform admin, signed in on the console.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer)
            var admin = WebClient(web.client)
            try await SiteRequestTests.signInAdmin(db, &admin)
            let path = "/live/ws?activity=\(Self.address(meeting.id))"
            let notActing = try await TestSocket.handshake(port: port, host: Self.host, path: path,
                                                           cookie: admin.cookieHeader(host: Self.host), origin: "http://\(Self.host)")

            // act: the console's audited hand-off to acme, then the meeting.
            let open = try await admin.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            _ = try await admin.get(try #require(open.location))
            let page = try await TestSocket.connect(port: port, host: Self.host, path: path, cookie: admin.cookieHeader(host: Self.host),
                                                    origin: "http://\(Self.host)")

            // check: in as a host (an organizer's rights), the entry audited; before, no way in.
            #expect(notActing.status == 401)
            let view = try await Self.standing(page, "admitted")
            #expect(view["data"]?["role"]?.string == "host")
            let audited = try await db.owner.query(
                "SELECT count(*)::int FROM platform_audit WHERE action = \("live: entered \(Self.address(meeting.id))")").first(Int.self)
            #expect(audited == 1)
            await page.close()
        }
    }

    @Test func aPageInTheWaitingRoomGetsNoMedia() async throws {
        try await TestApp.runLive { db, web, port in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer)
            let host = try await Self.page(web, "acme-organizer", port: port, meeting: meeting.id)
            let room = try #require(try await Self.standing(host, "admitted")["data"]?["mediaRoom"])
            let ana = try await Self.page(web, "acme-member1", port: port, meeting: meeting.id)
            #expect(try await Self.standing(ana, "waiting")["data"]?["mediaRoom"] == room)

            // act
            ana.send("media-publish", activity: Self.address(meeting.id), ref: "p",
                     data: ["room": room, "offer": ["type": "offer", "sdp": "v=0\r\n"]])
            ana.send("media-watch", activity: Self.address(meeting.id), ref: "w",
                     data: ["room": room, "publishers": [.string(acme.organizer.uuidString)]])

            // check
            #expect(try await ana.error(ref: "p")["data"]?["code"]?.string == "not-allowed")
            try await Task.sleep(for: .milliseconds(300))
            #expect(!ana.texts.contains { $0.contains("media-offer") })
            await ana.close()
            await host.close()
        }
    }
}
