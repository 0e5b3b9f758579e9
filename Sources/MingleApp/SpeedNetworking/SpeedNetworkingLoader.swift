import Foundation
import RealTime
import SpeedNetworking
import Store

/// Speed networking as an activity of the real-time layer: a session of a tenant is loaded from
/// PostgreSQL (row-level security scopes the load, so another tenant's session id finds
/// nothing) into a `SpeedNetworkingEngine`.
struct SpeedNetworkingLoader: ActivityLoader {
    let database: Database
    let clock: any ActivityClock
    let timings: EngineTimings

    var kind: ActivityKind { .speedNetworking }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        let store = PostgresSpeedNetworkingStore(database: database, tenant: key.tenant)
        guard let engine = try await SpeedNetworkingEngine.load(key, store: store, clock: clock, timings: timings) else { return nil }
        // Before the lobby opens the organizer may still move the session: refuse, and keep
        // nothing, so the next look-up reads the new times.
        if engine.times.phase(at: clock.now) == .scheduled { throw ActivityRefusal.notOpenYet(engine.times.lobbyOpens) }
        return engine
    }

    /// Sessions with a pairing not yet ended or someone in the pool: their timers must run even
    /// if nobody reconnects.
    func unfinished() async throws -> [ActivityKey] {
        try await database.withoutTenant { tx in try await tx.speedNetworkingSessionsToResume() }
            .map { ActivityKey(tenant: $0.0, kind: .speedNetworking, id: $0.1) }
    }
}
