import Calls
import Foundation
import RealTime
import Store

/// Calls as activities of the real-time layer: a call of a tenant is loaded from PostgreSQL
/// (row-level security scopes the load, so another tenant's call id finds nothing) into a
/// `CallEngine`. Live calls are resumed when a node starts, so their ring and away timers run
/// even if nobody reconnects. `onMissed` emails the callee about a missed call; `ringer` stops
/// the callee's pages ringing when the call moves on.
struct CallLoader: ActivityLoader {
    let database: Database
    let clock: any ActivityClock
    var onMissed: PostgresCallStore.MissedCallHook?
    var ringer: Ringer?

    var kind: ActivityKind { .call }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        var watcher: CallEngine.Watcher?
        if let ringer {
            let tenant = key.tenant
            watcher = { call in await ringer.moved(call, in: tenant) }
        }
        return try await CallEngine.load(key, store: PostgresCallStore(database: database, tenant: key.tenant, onMissed: onMissed), clock: clock,
                                         watcher: watcher)
    }

    func unfinished() async throws -> [ActivityKey] {
        try await database.withoutTenant { tx in try await tx.unfinishedCalls() }
            .map { ActivityKey(tenant: $0.tenant, kind: .call, id: $0.call) }
    }
}
