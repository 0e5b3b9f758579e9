import Calls
import Foundation
import RealTime
import Store

/// Calls as activities of the real-time layer: a call of a tenant is loaded from PostgreSQL
/// (row-level security scopes the load, so another tenant's call id finds nothing) into a
/// `CallEngine`. Live calls are resumed when a node starts, so their ring and away timers run
/// even if nobody reconnects. Not registered in `buildApplication` yet (issue 16's routes and
/// pages come with it); `onMissed` is where the app will email the callee.
struct CallLoader: ActivityLoader {
    let database: Database
    let clock: any ActivityClock
    var onMissed: PostgresCallStore.MissedCallHook?

    var kind: ActivityKind { .call }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        try await CallEngine.load(key, store: PostgresCallStore(database: database, tenant: key.tenant, onMissed: onMissed), clock: clock)
    }

    func unfinished() async throws -> [ActivityKey] {
        try await database.withoutTenant { tx in try await tx.unfinishedCalls() }
            .map { ActivityKey(tenant: $0.tenant, kind: .call, id: $0.call) }
    }
}
