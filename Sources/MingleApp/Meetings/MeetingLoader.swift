import Foundation
import Meetings
import RealTime
import Store

/// Meetings as activities of the real-time layer: a meeting of a tenant is loaded from
/// PostgreSQL (row-level security scopes the load, so another tenant's meeting id finds nothing)
/// into a `MeetingEngine`. Meetings take guests: a guest's token (the cookie the link's name form
/// set) stands for one guest of one meeting.
struct MeetingLoader: ActivityLoader {
    let database: Database
    let clock: any ActivityClock

    var kind: ActivityKind { .meeting }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        try await MeetingEngine.load(key, store: PostgresMeetingStore(database: database, tenant: key.tenant), clock: clock)
    }

    /// A meeting has no timers that must run with nobody there.
    func unfinished() async throws -> [ActivityKey] { [] }

    func guest(token: String, in key: ActivityKey) async throws -> Participant? {
        guard let guest = try await database.withTenant(key.tenant, { tx in try await tx.meetingGuest(tokenHash: Tokens.hash(token)) }),
              guest.meeting == key.id
        else { return nil }
        return Participant(id: guest.id, name: guest.displayName, isOrganizer: false, isGuest: true)
    }
}
