import Foundation
import Store

/// Tenants by slug, cached: host resolution runs on every request. An entry is dropped when
/// this node changes the tenant, when another node's change arrives (LISTEN tenant_changed),
/// and at the latest after `lifetime`.
actor TenantDirectory {
    private struct Entry { let tenant: Tenant?; let fetched: ContinuousClock.Instant }
    private var entries: [String: Entry] = [:]
    private let database: Database
    private let lifetime: Duration

    init(database: Database, lifetime: Duration = .seconds(30)) {
        self.database = database
        self.lifetime = lifetime
    }

    func tenant(slug: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = entries[slug], now - entry.fetched < lifetime { return entry.tenant }
        let tenant = try await database.withoutTenant { try await $0.tenant(slug: slug) }
        if entries.count > 10_000 { entries.removeAll() }   // unknown slugs must not grow it without bound
        entries[slug] = Entry(tenant: tenant, fetched: now)
        return tenant
    }

    func invalidate(slug: String) { entries[slug] = nil }

    func invalidateAll() { entries.removeAll() }
}
