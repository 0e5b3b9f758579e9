import Foundation
import RealTime
import Store
import WatchRooms

/// Watch rooms as activities of the real-time layer: a room of a tenant is loaded from
/// PostgreSQL (row-level security scopes the load, so another tenant's room id finds nothing)
/// into a `WatchEngine`. Rooms take guests: a guest's token (the cookie the room's guest form
/// set) stands for one guest of one room.
struct WatchLoader: ActivityLoader {
    let database: Database
    let clock: any ActivityClock

    var kind: ActivityKind { .watch }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        try await WatchEngine.load(key, store: PostgresWatchStore(database: database, tenant: key.tenant), clock: clock,
                                   files: WatchRoomsController.filesPath(key.id))
    }

    /// A room's timers (end of video, closing when empty) matter only while someone is there.
    func unfinished() async throws -> [ActivityKey] { [] }

    func guest(token: String, in key: ActivityKey) async throws -> Participant? {
        guard let guest = try await database.withTenant(key.tenant, { tx in try await tx.watchGuest(tokenHash: Tokens.hash(token)) }),
              guest.room == key.id
        else { return nil }
        return Participant(id: guest.id, name: guest.displayName, isOrganizer: false, isGuest: true)
    }
}
