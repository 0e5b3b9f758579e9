import Calls
import Foundation
import PostgresNIO

/// A call's persistence in PostgreSQL: every write is one transaction in the tenant's
/// row-level-security scope, so a call can only ever touch its own tenant's rows.
public struct PostgresCallStore: CallStore {
    /// Called inside a missed call's transaction, after its message and notice are written: the
    /// app emails the callee there as it does for any message (the Store composes no mail).
    public typealias MissedCallHook = @Sendable (Transaction, MissedCall) async throws -> Void

    let database: Database
    let tenant: TenantID
    let onMissed: MissedCallHook?

    public init(database: Database, tenant: TenantID, onMissed: MissedCallHook? = nil) {
        self.database = database
        self.tenant = tenant
        self.onMissed = onMissed
    }

    /// The call with both people's names; nil for no such call in this tenant.
    public func load(call id: UUID) async throws -> CallSnapshot? {
        guard let call = try await database.withTenant(tenant, { tx in try await tx.call(id) }) else { return nil }
        // Names are read as the caller (users are visible to members of a tenant they share).
        let people = try await database.withTenant(tenant, user: call.caller) { tx in try await tx.callPeople([call.caller, call.callee]) }
        func party(_ id: UserID) -> CallParty { CallParty(id: id, name: people[id]?.name ?? "Someone") }
        return CallSnapshot(id: call.id, caller: party(call.caller), callee: party(call.callee), video: call.video, startedAt: call.createdAt,
                            answeredAt: call.answeredAt, endedAt: call.endedAt, outcome: call.outcome, endedBy: call.endedBy)
    }

    public func answered(call: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in _ = try await tx.markCallAnswered(call, at: time) }
    }

    public func ended(call id: UUID, outcome: CallOutcome, endedBy: UUID?, at time: Date) async throws {
        guard outcome == .missed else {
            try await database.withTenant(tenant) { tx in _ = try await tx.endCall(id, outcome: outcome, endedBy: endedBy, at: time) }
            return
        }
        // The missed-call message is from the caller, and written as them.
        guard let caller = try await database.withTenant(tenant, { tx in try await tx.call(id)?.caller }) else { return }
        let onMissed = self.onMissed
        try await database.withTenant(tenant, user: caller) { tx in
            guard let missed = try await tx.missCall(tenant: tenant, id, at: time) else { return }
            try await onMissed?(tx, missed)
        }
    }
}
