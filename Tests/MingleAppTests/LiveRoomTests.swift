import Foundation
import Media
import RealTime
import HTTPTypes
import Hummingbird
import SpeedNetworking
@testable import MingleApp
import Matching
import Store
import Testing
import TestSupport

/// The live room over HTTP (page and WebSocket admission) and the engine on PostgreSQL.
@Suite struct LiveRoomTests {
    static let upgrade: HTTPFields = [
        .init("Upgrade")!: "websocket", .init("Connection")!: "Upgrade",
        .init("Sec-WebSocket-Key")!: "dGhlIHNhbXBsZSBub25jZQ==", .init("Sec-WebSocket-Version")!: "13",
    ]

    static func headers(origin: String?) -> HTTPFields {
        var fields = upgrade
        if let origin { fields[.origin] = origin }
        return fields
    }

    @Test func theSocketAdmitsSignedInMembersOfThisTenantFromThisHostOnly() async throws {
        try await TestApp.run { db, web in
            // setup: a session on acme whose lobby is open, one on globex.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let now = Date()
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: now + 60, end: now + 3600)
            let other = try await fixtures.speedNetworkingSession(globex.tenant, createdBy: globex.organizer, start: now + 60, end: now + 3600)
            let acmeOrigin = "http://acme.\(TestApp.rootHost)"
            let path = { (id: UUID) in TestApp.url("acme", "/live/ws?activity=speed-networking:\(id.uuidString)") }

            // act
            let anonymous = try await web.get(path(session), headers: Self.headers(origin: acmeOrigin))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let admitted = try await web.get(path(session), headers: Self.headers(origin: acmeOrigin))
            let noOrigin = try await web.get(path(session), headers: Self.headers(origin: nil))
            let foreignOrigin = try await web.get(path(session), headers: Self.headers(origin: "http://evil.example"))
            let otherTenantsOrigin = try await web.get(path(session), headers: Self.headers(origin: "http://globex.\(TestApp.rootHost)"))
            let otherTenantsSession = try await web.get(path(other), headers: Self.headers(origin: acmeOrigin))
            let badID = try await web.get(TestApp.url("acme", "/live/ws?activity=speed-networking:nope"), headers: Self.headers(origin: acmeOrigin))
            let unknownKind = try await web.get(TestApp.url("acme", "/live/ws?activity=bowling:\(session.uuidString)"), headers: Self.headers(origin: acmeOrigin))
            let noActivity = try await web.get(TestApp.url("acme", "/live/ws"), headers: Self.headers(origin: acmeOrigin))
            var outsider = WebClient(web.client)
            try await TestApp.signIn(&outsider, "globex-member1", tenant: "globex")
            let fromOtherSite = try await outsider.get(
                TestApp.url("globex", "/live/ws?activity=speed-networking:\(session.uuidString)"), headers: Self.headers(origin: "http://globex.\(TestApp.rootHost)"))

            // check
            #expect(anonymous.status == .unauthorized)
            // Admitted: what is missing is the WebSocket handshake itself (`RealTimeSocketTests` makes one).
            #expect(admitted.status == .upgradeRequired)
            #expect(noOrigin.status == .forbidden)
            #expect(foreignOrigin.status == .forbidden)
            #expect(otherTenantsOrigin.status == .forbidden)
            #expect(otherTenantsSession.status == .notFound)
            #expect(badID.status == .badRequest)
            #expect(unknownKind.status == .notFound)
            #expect(noActivity.status == .upgradeRequired)
            #expect(fromOtherSite.status == .notFound)
        }
    }

    @Test func theLiveRoomPageIsForMembersOfTheSessionsTenant() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            let now = Date()
            let session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, title: "Founders & friends",
                                                         start: now + 60, end: now + 3600)
            let path = "/sessions/\(session.uuidString)/live"

            // act
            let anonymous = try await web.get(TestApp.url("acme", path))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let member = try await web.get(TestApp.url("acme", path))
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let organizerPage = try await organizer.get(TestApp.url("acme", path))
            var outsider = WebClient(web.client)
            try await TestApp.signIn(&outsider, "globex-member1", tenant: "globex")
            let otherSite = try await outsider.get(TestApp.url("globex", path))
            let unknown = try await web.get(TestApp.url("acme", "/sessions/\(UUID().uuidString)/live"))

            // check
            #expect(anonymous.status == .found)
            #expect(member.status == .ok && member.contains("Founders &amp; friends") && member.contains("data-session=\"\(session.uuidString)\""))
            #expect(member.contains("Meet someone") && !member.contains("Available to meet"))
            #expect(organizerPage.contains("Available to meet") && !organizerPage.contains("data-action=\"meet\""))
            #expect(otherSite.status == .notFound)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func theEngineOnPostgresRecordsEverythingAndResumesAfterARestart() async throws {
        try await withTestDatabase { db in
            // setup: four members and the organizer; a session with 20 s rounds and 5 s grace.
            let live = try await EngineOnPostgres(db, members: 4, length: 120, seed: 7)
            let globex = try await Fixtures(db).populatedTenant("globex")
            let (engine, clock, store, start, session, members) = (live.engine, live.clock, live.store, live.start, live.session, live.members)
            let (acme, timings) = (live.acme, EngineOnPostgres.timings)
            let answers = ["conversation-quality": "5", "would-connect": "Yes", "meet-again": "No"]

            // act: everyone enters and meets; round 1; two surveys in.
            try await live.allMeet()
            clock.set(start + 26)
            try await engine.tick()
            var submitted: [UUID] = []
            for member in members.prefix(2) {
                let pairing = try #require(await engine.view(of: member.id).survey?.pairing)
                try await engine.submitSurvey(member.id, pairing: pairing, answers: answers)
                submitted.append(member.id)
            }
            var before: [SpeedNetworkingView.Status] = []
            for member in members { before.append(await engine.view(of: member.id).status) }

            // act: restart.
            await engine.shutdown()
            let restarted = try #require(try await SpeedNetworkingEngine.load(ActivityKey(tenant: acme.tenant, kind: .speedNetworking, id: session), store: store, clock: clock, timings: timings, seed: 8))
            await restarted.serveCommandsForTests()
            var after: [SpeedNetworkingView.Status] = []
            for member in members { after.append(await restarted.view(of: member.id).status) }

            // check: the same state; the rows say what happened.
            #expect(after == before)
            // names come back from the attendance rows before anyone reconnects
            #expect(await restarted.view(of: members[3].id).survey?.partner.name.hasPrefix("Member ") == true)
            #expect(Set(await restarted.waitingUsers) == Set(submitted))
            #expect(await restarted.allPairings == (await engine.allPairings))
            let rows = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("""
                    SELECT (SELECT count(*)::int FROM live_pairings WHERE ended_at = \(start + 26) AND end_reason = 'time'),
                           (SELECT count(*)::int FROM live_survey_responses),
                           (SELECT count(*)::int FROM live_survey_answers),
                           (SELECT count(*)::int FROM live_pool),
                           (SELECT count(*)::int FROM live_attendance)
                    """, logger: TestEnvironment.logger).first((Int, Int, Int, Int, Int).self)
            }
            #expect(rows.map { [$0.0, $0.1, $0.2, $0.3, $0.4] } == [2, 2, 6, 2, 4])

            // act: the others reconnect and answer; round 2.
            for member in members.suffix(2) {
                _ = try await restarted.enter(member)
                let pairing = try #require(await restarted.view(of: member.id).survey?.pairing)
                try await restarted.submitSurvey(member.id, pairing: pairing, answers: answers)
            }
            for member in members.prefix(2) { _ = try await restarted.enter(member) }
            clock.set(start + 28)
            try await restarted.tick()

            // check: four pairings, none repeated, stored as the engine has them.
            let stored = try #require(try await store.load(session: session))
            #expect(stored.pairings.count == 4)
            #expect(Set(stored.pairings.map { Pair($0.memberA, $0.memberB) }).count == 4)
            #expect(Set(stored.pairings) == Set(await restarted.allPairings))

            // check: the database itself refuses a repeated pair, and another tenant sees nothing.
            let repeatPair = stored.pairings[0]
            await #expect(throws: (any Error).self) {
                try await store.startPairings(session: session, [PairingRecord(
                    id: UUID(), memberA: repeatPair.memberB, memberB: repeatPair.memberA, withOrganizer: false, round: 9, startedAt: start + 29)],
                    prioritised: [])
            }
            #expect(try await PostgresSpeedNetworkingStore(database: db.app, tenant: globex.tenant).load(session: session) == nil)
        }
    }

    @Test func aStartingServerResumesUnfinishedSessionsEvenIfNobodyComesBack() async throws {
        try await withTestDatabase { db in
            // setup: a pair talking and a member waiting when the server stops.
            let live = try await EngineOnPostgres(db, members: 3, length: 60)
            let (engine, clock, store, start, session, timings) = (live.engine, live.clock, live.store, live.start, live.session, EngineOnPostgres.timings)
            try await live.allMeet()
            await engine.shutdown()
            let before = try await db.app.withoutTenant { tx in try await tx.speedNetworkingSessionsToResume() }

            // act: a new server starts after the session closed; nobody reconnects.
            clock.set(start + 71)
            let activities = ActivityRegistry(
                loaders: [SpeedNetworkingLoader(database: db.app, clock: clock, timings: timings)],
                leases: DatabaseActivityLeases(store: ActivityLeaseStore(database: db.app)),
                media: MediaRooms(nodes: [], secretKey: TestApp.secretKey, logger: TestEnvironment.logger), logger: TestEnvironment.logger)
            let elsewhere = await activities.resumeUnfinished()

            // check: the pair ended on time, the pool is empty, nothing is left to resume.
            let stored = try #require(try await store.load(session: session))
            #expect(before.map(\.1) == [session])
            #expect(elsewhere.isEmpty)
            #expect(stored.pairings.count == 1)
            #expect(stored.pairings.allSatisfy { $0.endReason == .time && $0.endedAt == start + 26 })
            #expect(stored.pool.isEmpty)
            #expect(try await db.app.withoutTenant { tx in try await tx.speedNetworkingSessionsToResume() }.isEmpty)
        }
    }

    @Test func theOriginMustBeThisHostWithThePublicScheme() {
        #expect(RealTimeSocketController.originAllowed("http://acme.mingle.test", host: "acme.mingle.test", scheme: "http"))
        #expect(RealTimeSocketController.originAllowed("HTTP://ACME.mingle.test", host: "acme.mingle.test", scheme: "http"))
        #expect(!RealTimeSocketController.originAllowed("https://acme.mingle.test", host: "acme.mingle.test", scheme: "http"))
        #expect(!RealTimeSocketController.originAllowed("http://acme.mingle.test.evil", host: "acme.mingle.test", scheme: "http"))
        #expect(!RealTimeSocketController.originAllowed("null", host: "acme.mingle.test", scheme: "http"))
        #expect(!RealTimeSocketController.originAllowed(nil, host: "acme.mingle.test", scheme: "http"))
        #expect(!RealTimeSocketController.originAllowed("http://", host: "", scheme: "http"))
    }

    @Test func theRateLimiterAllowsBurstsRefusesFloodsAndDisconnectsHammering() {
        var limiter = MessageLimiter(capacity: 3, perSecond: 1, patience: 3)
        let t = Date(timeIntervalSince1970: 0)
        var burst: [MessageLimiter.Verdict] = []
        for _ in 0..<3 { burst.append(limiter.admit(at: t)) }
        #expect(burst == [.accept, .accept, .accept])
        #expect(limiter.admit(at: t) == .refuse)
        #expect(limiter.admit(at: t + 1.01) == .accept)  // one token back after a second
        #expect(limiter.admit(at: t + 1.02) == .refuse)
        #expect(limiter.admit(at: t + 1.03) == .refuse)
        #expect(limiter.admit(at: t + 1.04) == .disconnect)
    }

    @Test func speedNetworkingRequestsDecodeAsDocumentedAndRefuseTheRest() {
        typealias Frame = InboundFrame<SiteRequest, SpeedNetworkingRequest>
        func request(_ text: String) -> SpeedNetworkingRequest? {
            if case .activity(let request) = Frame.decode(text).body { request } else { nil }
        }
        let pairing = UUID()
        let activity = "speed-networking:\(UUID().uuidString)"
        #expect(request(#"{"v":1,"type":"meet","activity":"\#(activity)"}"#) == .meet)
        #expect(request(#"{"v":1,"type":"leave-pool","activity":"\#(activity)"}"#) == .leavePool)
        #expect(request(#"{"v":1,"type":"available","activity":"\#(activity)","data":{"value":true}}"#) == .available(true))
        #expect(request(#"{"v":1,"type":"survey","activity":"\#(activity)","data":{"pairing":"\#(pairing.uuidString)","answers":{"a":"1"}}}"#)
            == .survey(pairing: pairing, answers: ["a": "1"]))
        #expect(request(#"{"v":1,"type":"publish","activity":"\#(activity)"}"#) == nil)
        #expect(request(#"{"v":1,"type":"survey","activity":"\#(activity)","data":{"pairing":"x","answers":{}}}"#) == nil)
        #expect(request(#"{"v":1,"type":"meet"}"#) == nil)  // without an activity it is the site's, which has no "meet"
        #expect(Envelope.text(SpeedNetworkingEvent.notice("Hi"), activity: "a:b") == #"{"activity":"a:b","data":{"text":"Hi"},"type":"notice","v":1}"#)
        if case .site(.read(let with, let upTo)) = Frame.decode(#"{"v":1,"type":"read","data":{"with":"ben","upTo":7}}"#).body {
            #expect(with == "ben" && upTo == 7)
        } else {
            Issue.record("read was not decoded")
        }
    }
}
