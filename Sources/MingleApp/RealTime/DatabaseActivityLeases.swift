import Foundation
import RealTime
import Store

/// `ActivityLeases` on PostgreSQL.
struct DatabaseActivityLeases: ActivityLeases {
    let store: ActivityLeaseStore

    func take(_ key: ActivityKey, node: UUID, for duration: Duration) async throws -> Bool {
        try await store.take(kind: key.kind.rawValue, id: key.id, tenant: key.tenant, node: node, seconds: duration.seconds)
    }

    func renew(_ keys: [ActivityKey], node: UUID, for duration: Duration) async throws -> Set<ActivityKey> {
        let renewed = try await store.renew(keys.map { ($0.tenant, $0.kind.rawValue, $0.id) }, node: node, seconds: duration.seconds)
        return Set(keys).subtracting(renewed.map { ActivityKey(tenant: $0.0, kind: ActivityKind($0.1), id: $0.2) })
    }

    func release(_ key: ActivityKey, node: UUID) async throws {
        try await store.release(tenant: key.tenant, kind: key.kind.rawValue, id: key.id, node: node)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
