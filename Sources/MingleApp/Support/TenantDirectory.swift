import Foundation
import Store

/// Tenants by slug, cached: host resolution runs on every request. An entry is dropped when
/// this node changes the tenant, when another node's change arrives (LISTEN tenant_changed),
/// and at the latest after `lifetime`.
actor TenantDirectory {
    private struct Entry { let tenant: Tenant?; let fetched: ContinuousClock.Instant }
    private var entries: [String: Entry] = [:]
    /// Bumped by every invalidation: a look-up that was under way when it happened read a
    /// row that may already be stale, so its result is used once but not cached.
    private var generation = 0
    private let database: Database
    private let lifetime: Duration
    private let capacity: Int

    init(database: Database, lifetime: Duration = .seconds(30), capacity: Int = 10_000) {
        self.database = database
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func tenant(slug: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = entries[slug], now - entry.fetched < lifetime { return entry.tenant }
        let started = generation
        let tenant = try await database.withoutTenant { try await $0.tenant(slug: slug) }
        guard generation == started else { return tenant }
        if entries.count >= capacity { evict(now: now) }
        entries[slug] = Entry(tenant: tenant, fetched: now)
        return tenant
    }

    /// Expired entries go first; if none, the oldest tenth, so requests for made-up
    /// subdomains cannot flush the whole cache at once.
    private func evict(now: ContinuousClock.Instant) {
        entries = entries.filter { now - $0.value.fetched < lifetime }
        guard entries.count >= capacity else { return }
        let oldest = entries.sorted { $0.value.fetched < $1.value.fetched }.prefix(max(1, capacity / 10))
        for (slug, _) in oldest { entries[slug] = nil }
    }

    func invalidate(slug: String) {
        generation += 1
        entries[slug] = nil
    }

    func invalidateAll() {
        generation += 1
        entries.removeAll()
    }
}
