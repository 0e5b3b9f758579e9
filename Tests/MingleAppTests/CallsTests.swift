import Calls
import Foundation
@testable import MingleApp
import PostgresNIO
import RealTime
import Store
import Testing
import TestSupport

/// One-to-one calls through the app (issue 16): starting one over HTTP, the ringing on every
/// page of the callee, declining from a prompt, answering elsewhere, busy, do not disturb, and
/// the refusals — through real sockets, real PostgreSQL.
@Suite(.serialized) struct CallsTests {
    static func address(_ call: UUID) -> String { "call:\(call.uuidString.lowercased())" }
    static let callsURL = TestApp.url("acme", "/calls")

    /// Ana and Ben (members 1 and 2 of acme) connected; Cy (member 3) connected to nobody.
    static func acme(_ db: TestDatabase) async throws -> (tenant: TenantID, ana: UserID, ben: UserID, cy: UserID, organizer: UserID) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme", members: 3)
        try await fixtures.inTenant(acme.tenant) { c in
            try await c.query("""
                INSERT INTO connections (tenant_id, requester_id, recipient_id, status)
                VALUES (\(acme.tenant), \(acme.members[0]), \(acme.members[1]), 'accepted')
                """, logger: TestEnvironment.logger)
        }
        return (acme.tenant, acme.members[0], acme.members[1], acme.members[2], acme.organizer)
    }

    static func signedIn(_ web: WebClient, _ username: String) async throws -> WebClient {
        var client = WebClient(web.client)
        try await TestApp.signIn(&client, username, tenant: "acme")
        return client
    }

    /// A page of the site (no activity), or the call's own page.
    static func page(_ web: WebClient, _ username: String, port: Int, call: UUID? = nil, tenant: String = "acme") async throws -> TestSocket {
        var client = WebClient(web.client)
        try await TestApp.signIn(&client, username, tenant: tenant)
        let host = "\(tenant).\(TestApp.rootHost)"
        return try await TestSocket.connect(port: port, host: host, path: "/live/ws" + (call.map { "?activity=\(address($0))" } ?? ""),
                                            cookie: client.cookieHeader(host: host), origin: "http://\(host)")
    }

    /// Starts a call as `caller`; the call's id from the redirect.
    static func call(_ web: inout WebClient, to username: String, video: Bool = true) async throws -> (Page, UUID?) {
        let answer = try await web.post(callsURL, [("to", username), ("video", video ? "1" : "0")], formURL: TestApp.url("acme", "/messages/\(username)"))
        let id = answer.location.flatMap { $0.split(separator: "/").last }.flatMap { UUID(uuidString: String($0)) }
        return (answer, id)
    }

    static func stored(_ db: TestDatabase, _ tenant: TenantID, _ call: UUID) async throws -> CallRecord? {
        try await db.app.withTenant(tenant) { tx in try await tx.call(call) }
    }

    static func callCount(_ db: TestDatabase) async throws -> Int { try await Fixtures(db).countAcrossTenants("calls") }

    static func ring(_ socket: TestSocket, _ call: UUID) async throws -> JSON {
        try await socket.next("ring") { $0["type"]?.string == "ring" && $0["data"]?["call"]?.string == call.uuidString }
    }

    static func ringOver(_ socket: TestSocket, _ call: UUID, _ outcome: String) async throws -> JSON {
        try await socket.next("ring-over \(outcome)") {
            $0["type"]?.string == "ring-over" && $0["data"]?["call"]?.string == call.uuidString && $0["data"]?["outcome"]?.string == outcome
        }
    }

    static func view(_ socket: TestSocket, state: String, outcome: String? = nil) async throws -> JSON {
        try await socket.next("call \(state) \(outcome ?? "")") {
            $0["type"]?.string == "call" && $0["data"]?["state"]?.string == state && (outcome == nil || $0["data"]?["outcome"]?.string == outcome)
        }
    }

    /// Ben has two pages open, Ana calls him and her call page is in the call: it rings.
    static func ringing(_ db: TestDatabase, _ web: WebClient, port: Int)
        async throws -> (acme: (tenant: TenantID, ana: UserID, ben: UserID, cy: UserID, organizer: UserID), ben1: TestSocket, ben2: TestSocket,
                         call: UUID, anaCall: TestSocket) {
        let acme = try await acme(db)
        let ben1 = try await page(web, "acme-member2", port: port)
        let ben2 = try await page(web, "acme-member2", port: port)
        var ana = try await signedIn(web, "acme-member1")
        let call = try #require(try await self.call(&ana, to: "acme-member2").1)
        let anaCall = try await page(web, "acme-member1", port: port, call: call)
        _ = try await view(anaCall, state: "ringing")
        return (acme, ben1, ben2, call, anaCall)
    }

    @Test func aCallRingsEveryPageOfTheCalleeAndBelongsToItsTwoPeople() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has two pages open.
            let acme = try await Self.acme(db)
            let ben1 = try await Self.page(web, "acme-member2", port: port)
            let ben2 = try await Self.page(web, "acme-member2", port: port)
            var ana = try await Self.signedIn(web, "acme-member1")
            var organizer = try await Self.signedIn(web, "acme-organizer")

            // act
            let (started, id) = try await Self.call(&ana, to: "acme-member2", video: true)
            let call = try #require(id)
            let rings = [try await Self.ring(ben1, call), try await Self.ring(ben2, call)]
            let anaPage = try await ana.get(TestApp.url("acme", CallsController.path(call)))
            let organizerPage = try await organizer.get(TestApp.url("acme", CallsController.path(call)))
            let stranger = try await Self.page(web, "acme-organizer", port: port, call: call)
            // Another tenant's member, on their own site, does not find it (row-level security):
            // the upgrade is refused.
            _ = try await Fixtures(db).populatedTenant("globex")
            await (try await Self.page(web, "globex-member1", port: port, tenant: "globex")).close()  // (their own site's page opens)
            await #expect(throws: (any Error).self) { _ = try await Self.page(web, "globex-member1", port: port, call: call, tenant: "globex") }

            // check: ringing, stored, both pages rang with who calls and how; only the two see it.
            #expect(started.status == .seeOther)
            let record = try await Self.stored(db, acme.tenant, call)
            #expect(record?.caller == acme.ana && record?.callee == acme.ben && record?.video == true && record?.isLive == true)
            for ring in rings {
                #expect(ring["data"]?["from"]?["username"]?.string == "acme-member1")
                #expect(ring["data"]?["video"]?.bool == true)
                #expect(Double(ring["data"]?["until"]?.int ?? 0) > Date().timeIntervalSince1970 * 1000)
            }
            #expect(anaPage.status == .ok && anaPage.contains(#"data-activity="call:"#) && anaPage.contains("Video call with"))
            #expect(organizerPage.status == .notFound, "a call is seen only by its two people, even by an organizer")
            let refused = try await stranger.next("refusal") { $0["type"]?.string == "error" }
            #expect(refused["data"]?["code"]?.string == "not-yours")
            for socket in [ben1, ben2, stranger] { await socket.close() }
        }
    }

    @Test func declineOnOnePromptStopsEveryPageAndTellsTheCaller() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has two pages; Ana's call page is in the call; Cy (not in it) tries too.
            let (acme, ben1, ben2, call, anaCall) = try await Self.ringing(db, web, port: port)
            _ = try await Self.ring(ben1, call)
            let cy = try await Self.page(web, "acme-member3", port: port)

            // act
            cy.send("call-decline", ref: "c1", data: ["call": .string(call.uuidString)])
            let cyRefused = try await cy.next("Cy refused") { $0["type"]?.string == "error" && $0["ref"]?.string == "c1" }
            ben1.send("call-decline", ref: "d1", data: ["call": .string(call.uuidString)])

            // check: both of Ben's pages stop; Ana's page sees it declined by Ben; stored.
            _ = try await Self.ringOver(ben1, call, "declined")
            _ = try await Self.ringOver(ben2, call, "declined")
            let ended = try await Self.view(anaCall, state: "ended", outcome: "declined")
            #expect(ended["data"]?["endedBy"]?.string == acme.ben.uuidString)
            #expect(cyRefused["data"]?["code"]?.string == "not-yours")
            let record = try await Self.stored(db, acme.tenant, call)
            #expect(record?.outcome == .declined && record?.endedBy == acme.ben)
            for socket in [ben1, ben2, anaCall, cy] { await socket.close() }
        }
    }

    @Test func answeringOnOnePageTellsTheOthersItWasAnsweredElsewhereThenABusySignal() async throws {
        try await TestApp.runLive { db, web, port in
            // setup
            let acme = try await Self.acme(db)
            let benOther = try await Self.page(web, "acme-member2", port: port)
            var ana = try await Self.signedIn(web, "acme-member1")
            let call = try #require(try await Self.call(&ana, to: "acme-member2").1)
            _ = try await Self.ring(benOther, call)

            // act: Ben answers on the call's page; then the organizer calls Ben, and Ana calls again.
            let benCall = try await Self.page(web, "acme-member2", port: port, call: call)
            _ = try await Self.view(benCall, state: "ringing")
            benCall.send("accept", activity: Self.address(call), ref: "a1")
            _ = try await Self.view(benCall, state: "answered")
            var organizer = try await Self.signedIn(web, "acme-organizer")
            let (_, busyID) = try await Self.call(&organizer, to: "acme-member2")
            let (again, againID) = try await Self.call(&ana, to: "acme-member2")

            // check: the other page stopped ringing; the organizer's call is busy at once and
            // never rang; Ana is sent back to the call she is in, nothing new written.
            _ = try await Self.ringOver(benOther, call, "answered-elsewhere")
            let busy = try await Self.stored(db, acme.tenant, try #require(busyID))
            #expect(busy?.outcome == .busy && busy?.callee == acme.ben && busy?.endedAt != nil)
            #expect(!benOther.texts.contains { $0.contains(#""type":"ring""#) && $0.contains(busyID!.uuidString) })
            #expect(againID == call && again.status == .seeOther)
            #expect(try await Self.callCount(db) == 2)
            for socket in [benOther, benCall] { await socket.close() }
        }
    }

    @Test func answeringFromAPromptAnswersTheCallAndStopsTheOtherPages() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has two pages; Ana's call page waits.
            let (acme, ben1, ben2, call, anaCall) = try await Self.ringing(db, web, port: port)
            _ = try await Self.ring(ben2, call)

            // act: Ben answers on his first page's prompt (its call page would open next).
            ben1.send("call-accept", ref: "a1", data: ["call": .string(call.uuidString.lowercased())])

            // check
            _ = try await Self.ringOver(ben2, call, "answered-elsewhere")
            let answered = try await Self.view(anaCall, state: "answered")
            #expect(answered["data"]?["otherAway"]?.bool == true, "his call page is not there yet")
            #expect(try await Self.stored(db, acme.tenant, call)?.answeredAt != nil)
            for socket in [ben1, ben2, anaCall] { await socket.close() }
        }
    }

    @Test func onlyPeopleWhoMayMessageEachOtherMayCallAndNeverAcrossTenants() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Cy is connected to nobody; globex has its own member.
            _ = try await Self.acme(db)
            let globex = try await Fixtures(db).populatedTenant("globex")
            _ = globex
            var cy = try await Self.signedIn(web, "acme-member3")
            var ana = try await Self.signedIn(web, "acme-member1")

            // act
            let notConnected = try await Self.call(&cy, to: "acme-member1").0
            let otherTenant = try await Self.call(&ana, to: "globex-member1").0
            let nobody = try await Self.call(&ana, to: "no-such-person").0
            let herself = try await Self.call(&ana, to: "acme-member1").0

            // check: refused with a reason, nothing written.
            #expect(notConnected.status == .forbidden && notConnected.contains("connected with"))
            #expect(otherTenant.status == .notFound && nobody.status == .notFound)
            #expect(herself.status == .forbidden)
            #expect(try await Self.callCount(db) == 0)
        }
    }

    @Test func someoneInAMeetingIsBusy() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben's page is in a meeting.
            let acme = try await Self.acme(db)
            let meeting = try await Fixtures(db).meeting(acme.tenant, createdBy: acme.organizer, waitingRoom: false).id
            let client = try await Self.signedIn(web, "acme-member2")
            let host = "acme.\(TestApp.rootHost)"
            let inMeeting = try await TestSocket.connect(port: port, host: host, path: "/live/ws?activity=\(MeetingSocketTests.address(meeting))",
                                                         cookie: client.cookieHeader(host: host), origin: "http://\(host)")
            _ = try await inMeeting.next(type: "you")
            var ana = try await Self.signedIn(web, "acme-member1")

            // act
            let call = try #require(try await Self.call(&ana, to: "acme-member2").1)
            let page = try await ana.get(TestApp.url("acme", CallsController.path(call)))

            // check
            #expect(try await Self.stored(db, acme.tenant, call)?.outcome == .busy)
            #expect(page.contains("is busy in another call, a meeting or a live session"))
            #expect(!page.contains(#"data-activity="call:"#), "an ended call's page opens no socket")
            await inMeeting.close()
        }
    }

    @Test func doNotDisturbRingsNothingAndLeavesAMissedCall() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has "Do not disturb" on and a page open.
            let acme = try await Self.acme(db)
            var ben = try await Self.signedIn(web, "acme-member2")
            _ = try await ben.post(TestApp.url("acme", "/account/availability"), [("do_not_disturb", "on")], formURL: TestApp.url("acme", "/account"))
            let benPage = try await Self.page(web, "acme-member2", port: port)
            _ = try await benPage.next(type: "presence")
            var ana = try await Self.signedIn(web, "acme-member1")

            // act
            let (started, id) = try await Self.call(&ana, to: "acme-member2", video: false)
            let call = try #require(id)
            let callPage = try await ana.get(TestApp.url("acme", CallsController.path(call)))
            let notice = try await benPage.next("notification") { $0["type"]?.string == "notification" }

            // check: missed at once, the message and the notice are there, an email is queued,
            // the caller is told, nothing rang.
            #expect(started.status == .seeOther)
            #expect(try await Self.stored(db, acme.tenant, call)?.outcome == .missed)
            #expect(callPage.contains("is not taking calls right now") && callPage.contains("did not answer"))
            #expect(notice["data"]?["text"]?.string?.contains("Missed call from") == true)
            #expect(!benPage.texts.contains { $0.contains(#""type":"ring""#) })
            let mails = try await Fixtures(db).count("outbox WHERE subject LIKE 'Missed call from%'")
            #expect(mails == 1)
            let conversation = try await ben.get(TestApp.url("acme", "/messages/acme-member1"))
            #expect(conversation.contains("Missed call") && conversation.contains("Calls (1)"))
            await benPage.close()
        }
    }

    @Test func theCallLogShowsWhoCalledHowItEndedAndHowLong() async throws {
        try await TestApp.run { db, web in
            // setup: an answered call of 4 min 12 s, a declined one, a missed one.
            let acme = try await Self.acme(db)
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            try await db.app.withTenant(acme.tenant, user: acme.ana) { tx in
                guard case .ringing(let a) = try await tx.startCall(tenant: acme.tenant, caller: acme.ana, callee: acme.ben, video: true, at: t0) else { return }
                try await tx.markCallAnswered(a.id, at: t0 + 5)
                try await tx.endCall(a.id, outcome: .answered, endedBy: acme.ben, at: t0 + 5 + 252)
                guard case .ringing(let b) = try await tx.startCall(tenant: acme.tenant, caller: acme.ana, callee: acme.ben, video: false, at: t0 + 600) else { return }
                try await tx.endCall(b.id, outcome: .declined, endedBy: acme.ben, at: t0 + 603)
                guard case .ringing(let c) = try await tx.startCall(tenant: acme.tenant, caller: acme.ana, callee: acme.ben, video: false, at: t0 + 900) else { return }
                _ = try await tx.missCall(tenant: acme.tenant, c.id, at: t0 + 930)
            }
            try await TestApp.signIn(&web, "acme-member2", tenant: "acme")

            // act
            let page = try await web.get(TestApp.url("acme", "/messages/acme-member1"))

            // check: newest first, from Ben's side.
            #expect(page.contains("Calls (3)"))
            let missed = try #require(page.body.range(of: "<strong>Missed</strong>"))
            let declined = try #require(page.body.range(of: "<strong>Declined</strong>"))
            let answered = try #require(page.body.range(of: #"<strong>Answered</strong> · <span class="duration">4 min 12 s</span>"#))
            #expect(missed.lowerBound < declined.lowerBound && declined.lowerBound < answered.lowerBound)
            #expect(page.contains("Acme-Member1 Tester called · Video call"))
        }
    }

    @Test func aMessageSentBesideTheCallStaysOnThePage() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Self.acme(db)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let form = TestApp.url("acme", "/messages/acme-member2")
            let csrf = try await web.get(form).csrf

            // act
            let sent = try await web.send(.post, form, body: Array("_csrf=\(csrf ?? "")&body=Hello+there".utf8),
                                          contentType: "application/x-www-form-urlencoded", headers: [.accept: "application/json"])
            let empty = try await web.send(.post, form, body: Array("_csrf=\(csrf ?? "")&body=".utf8),
                                           contentType: "application/x-www-form-urlencoded", headers: [.accept: "application/json"])

            // check
            #expect(sent.status == .noContent)
            #expect(empty.status == .unprocessableContent && empty.contains(#""problem":"Write something before sending.""#))
            #expect(try await Fixtures(db).countAcrossTenants("messages") == 1)
        }
    }

    @Test func theWordsForEachEnding() {
        #expect(CallWords.ended(.declined, role: .caller, other: "Ben", endedByMe: false) == "Ben declined the call.")
        #expect(CallWords.ended(.missed, role: .callee, other: "Ana", endedByMe: false) == "You missed this call.")
        #expect(CallWords.ended(.dropped, role: .caller, other: "Ben", endedByMe: true) == "The call was cut off: your connection was lost.")
        #expect(CallWords.endings(role: .callee, other: "Ana").count == CallOutcome.allCases.count + 1)
        #expect(CallWords.short(.missed, role: .caller) == "No answer" && CallWords.short(.missed, role: .callee) == "Missed")
        #expect(CallWords.short(nil, role: .caller) == "In progress")
        #expect([0, 45, 60, 252, 3600, 3720].map { CallWords.duration(TimeInterval($0)) } == ["0 s", "45 s", "1 min", "4 min 12 s", "1 h", "1 h 2 min"])
    }
}
