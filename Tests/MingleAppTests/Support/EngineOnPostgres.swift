import Foundation
import RealTime
import SpeedNetworking
@testable import MingleApp
import Store
import TestSupport

/// A session of the tenant "acme" stored in PostgreSQL and run by an engine whose clock the
/// test moves by hand: the lobby opens at t0, the session starts at S = t0 + 10 s, rounds of
/// 20 s with 5 s grace.
struct EngineOnPostgres {
    static let timings = EngineTimings(matchDelay: .seconds(1), reconnectGrace: .seconds(5))

    let acme: (tenant: TenantID, organizer: UserID, members: [UserID])
    let session: UUID
    let start: Date
    let clock: ManualActivityClock
    let store: PostgresSpeedNetworkingStore
    let engine: SpeedNetworkingEngine
    let organizer: Participant
    let members: [Participant]

    init(_ db: TestDatabase, members count: Int, length: TimeInterval, seed: UInt64 = 1) async throws {
        let fixtures = Fixtures(db)
        acme = try await fixtures.populatedTenant("acme", members: count)
        let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
        start = t0 + 10
        session = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: start, end: start + length, lead: 10, teardown: 10)
        clock = ManualActivityClock(t0)
        store = PostgresSpeedNetworkingStore(database: db.app, tenant: acme.tenant)
        guard let engine = try await SpeedNetworkingEngine.load(ActivityKey(tenant: acme.tenant, kind: .speedNetworking, id: session), store: store, clock: clock, timings: Self.timings, seed: seed) else {
            throw TestSetupError("the session just written did not load")
        }
        await engine.serveCommandsForTests()
        self.engine = engine
        organizer = Participant(id: acme.organizer, name: "Olivia", isOrganizer: true)
        members = acme.members.enumerated().map { Participant(id: $1, name: "Member \($0 + 1)", isOrganizer: false) }
    }

    /// Everyone enters, the session starts, every member meets someone and the pairs form.
    func allMeet(organizerToo: Bool = false) async throws {
        for person in (organizerToo ? [organizer] : []) + members { _ = try await engine.enter(person) }
        clock.set(start)
        for member in members { try await engine.meet(member.id) }
        clock.set(start + 1)
        try await engine.tick()
    }
}
