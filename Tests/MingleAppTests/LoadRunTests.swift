import Foundation
import LoadTesting
@testable import MingleApp
import PostgresNIO
import Store
import Testing
import TestSupport

/// `mingle load` against the real server on a port: its members are made and signed in without
/// passwords, every page enters the lobby, and every page hears each event of the probe.
@Suite struct LoadRunTests {
    @Test func loadMembersAreMadeOnceAndSignedInAfresh() async throws {
        try await withTestDatabase { db in
            // setup
            let config = TestApp.configuration(db)
            _ = try await Fixtures(db).populatedTenant("acme", members: 1)

            // act: twice, as re-running the tool does
            let first = try await LoadPeople.prepare(config: config, tenantSlug: "acme", count: 5, logger: TestEnvironment.logger)
            let second = try await LoadPeople.prepare(config: config, tenantSlug: "acme", count: 5, logger: TestEnvironment.logger)

            // check: the same five members, new tokens, each signed in on acme's host
            #expect(first.map(\.id) == second.map(\.id))
            #expect(Set(first.map(\.token)).isDisjoint(with: second.map(\.token)))
            let counts = try await db.owner.withConnection { connection in
                try await connection.query("""
                    SELECT (SELECT count(*) FROM users WHERE username LIKE 'load-acme-%'),
                           (SELECT count(*) FROM web_sessions s JOIN users u ON u.id = s.user_id
                            WHERE u.username LIKE 'load-acme-%' AND s.host = 'acme.mingle.test'),
                           (SELECT count(*) FROM users WHERE username LIKE 'load-acme-%' AND password_hash IS NOT NULL)
                    """, logger: TestEnvironment.logger).first((Int, Int, Int).self)
            }
            #expect(counts?.0 == 5)
            #expect(counts?.1 == 10)
            #expect(counts?.2 == 0)
        }
    }

    @Test func loadMembersAreRefusedOutsideDevelopment() async throws {
        try await withTestDatabase { db in
            var config = TestApp.configuration(db)
            config.mode = .production
            await #expect(throws: LoadPeopleError.self) {
                _ = try await LoadPeople.prepare(config: config, tenantSlug: "acme", count: 5, logger: TestEnvironment.logger)
            }
        }
    }

    /// A session whose lobby is open, `members` load members and a probe, and a plan to load it.
    static func plan(_ db: TestDatabase, port: Int, members: Int, rate: Double, events: Int, serverPID: Int32?,
                     timeLimit: Duration) async throws -> LoadPlan {
        let acme = try await Fixtures(db).populatedTenant("acme", members: 1)
        let start = Date() + 600
        let session = try await Fixtures(db).speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: start, end: start + 600,
                                                                     lead: 1200, teardown: 60)
        let config = TestApp.configuration(db)
        let people = try await LoadPeople.prepare(config: config, tenantSlug: "acme", count: members + 1, logger: TestEnvironment.logger)
        let target = LoadTarget(address: "127.0.0.1", port: port, host: "acme.\(TestApp.rootHost)",
                                path: "/live/ws?activity=speed-networking:\(session.uuidString.lowercased())")
        return LoadPlan(target: target, members: people.prefix(members).map { LoadPeople.cookie($0, config: config) },
                        probe: .init(id: people[members].id, cookie: LoadPeople.cookie(people[members], config: config)),
                        rate: rate, events: events, serverPID: serverPID, timeLimit: timeLimit)
    }

    @Test func everyPageEntersAndHearsEveryEvent() async throws {
        try await TestApp.runLive { db, _, port in
            // setup: a session whose lobby is open; 30 load members and a probe
            let plan = try await Self.plan(db, port: port, members: 30, rate: 200, events: 3, serverPID: getpid(), timeLimit: .seconds(60))

            // act
            let result = await LoadRun.run(plan)

            // check: all 30 in, each of the 6 events heard by all 30, figures for every part
            #expect(result.stoppedEarly == nil, "\(result.report)")
            #expect(result.joined == 30 && result.failed == 0)
            #expect(result.events == 3 && result.missedEvents == 0)
            #expect(result.leaveMilliseconds?.count == 90)
            #expect(result.enterMilliseconds?.count == 90)
            #expect(result.pingMilliseconds?.count == 3)
            #expect(result.joinMilliseconds?.count == 30)
            #expect(result.serverBytesPerConnection != nil && result.serverCPUPerJoinMilliseconds != nil)
            let ramp = try #require(result.phases.first { $0.name == "ramp" })
            // Each page gets its state and the whole people list, then the changes.
            let peopleMessages = try #require(ramp.types.first { $0.type == "people" }).messages
            #expect(peopleMessages >= 30)
            let stateMessages = ramp.types.first { $0.type == "state" }?.messages ?? 0
            #expect(stateMessages >= 30)
            #expect(result.report.contains("fan-out over 3 events"))
        }
    }

    @Test func pagesInNoActivityEnterWithTheirPresenceList() async throws {
        try await TestApp.runLive { db, _, port in
            // setup: the site's own socket, as every page holds it (no activity)
            var plan = try await Self.plan(db, port: port, members: 20, rate: 200, events: 0, serverPID: getpid(), timeLimit: .seconds(30))
            plan.target.path = "/live/ws"

            // act
            let result = await LoadRun.run(plan)

            // check: all in, told who is online
            #expect(result.stoppedEarly == nil, "\(result.report)")
            #expect(result.joined == 20 && result.enteredBy == "presence")
            #expect(result.report.contains("its first presence"))
        }
    }

    @Test func aRunStopsAtItsTimeLimit() async throws {
        try await TestApp.runLive { db, _, port in
            // setup: 200 pages at 20 per second need 10 s; the limit is 3 s
            let plan = try await Self.plan(db, port: port, members: 200, rate: 20, events: 5, serverPID: nil, timeLimit: .seconds(3))

            // act
            let began = ContinuousClock.now
            let result = await LoadRun.run(plan)

            // check: it stopped, said so, and did not run on
            #expect(result.stoppedEarly != nil)
            #expect(result.joined < 200)
            #expect(ContinuousClock.now - began < .seconds(15))
            #expect(result.report.contains("STOPPED EARLY"))
        }
    }
}
