import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport
import WatchRooms

/// Watch rooms in PostgreSQL: codes unique in a tenant and invisible to others, the playback and
/// the list stored and loaded again, chat, visits and who may fetch a room's files.
@Suite("Watch store: codes, isolation, playback round trip, list, chat, visits")
struct WatchStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func room(_ db: TestDatabase, _ tenant: TenantID, host: UserID, codes: [String]) async throws -> WatchRoomRecord? {
        var draws = codes.makeIterator()
        return try await db.app.withTenant(tenant, user: host) { tx in
            try await tx.createWatchRoom(tenant: tenant, host: host, title: "Film night", pinHash: "hash", guestsAllowed: false,
                                         code: { draws.next() ?? "999999999" })
        }
    }

    @Test("A code is drawn again when taken in the tenant; another tenant may have the same code and never sees this room")
    func codes() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            // act
            let first = try await room(db, acme.tenant, host: acme.members[0], codes: ["123456789"])
            let second = try await room(db, acme.tenant, host: acme.members[1], codes: ["123456789", "555000111"])
            let elsewhere = try await room(db, globex.tenant, host: globex.members[0], codes: ["123456789"])
            let seenFromGlobex = try await db.app.withTenant(globex.tenant) { tx in try await tx.watchRoom(code: "123456789") }
            let byIDFromGlobex = try await db.app.withTenant(globex.tenant) { tx in try await tx.watchRoom(try #require(first).id) }
            // check
            #expect(first?.code == "123456789" && second?.code == "555000111" && elsewhere?.code == "123456789")
            #expect(first?.spacedCode == "123 456 789")
            #expect(seenFromGlobex?.id == elsewhere?.id && byIDFromGlobex == nil)
        }
    }

    @Test("The playback, control, removed people and the list are stored and loaded as they were; chat keeps its order")
    func roundTrip() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let host = acme.members[0]
            let room = try #require(try await room(db, acme.tenant, host: host, codes: ["100200300"]))
            let store = PostgresWatchStore(database: db.app, tenant: acme.tenant)
            let link = WatchItem(id: UUID(), title: "Film", source: .link(URL(string: "https://example.com/f.mp4")!), duration: 90)
            let tube = WatchItem(id: UUID(), title: "Clip", source: .youtube("dQw4w9WgXcQ"))
            let state = WatchState(playback: Playback(item: link.id, paused: false, position: 12.25, at: t0, rate: 1.5),
                                   control: .passed(acme.members[1]), waitForEveryone: true, removed: [UUID()], closedAt: nil)
            // act
            try await store.added(link, room: room.id, by: host)
            try await store.added(tube, room: room.id, by: host)
            try await store.save(state, room: room.id)
            _ = try await store.chat(room: room.id, person: host, who: "Ana", text: "first", at: t0)
            _ = try await store.chat(room: room.id, person: host, who: "Ana", text: "second", at: t0 + 1)
            let loaded = try await store.load(room: room.id)
            let chat = try await store.chatHistory(room: room.id, limit: 10)
            let lastOne = try await store.chatHistory(room: room.id, limit: 1)
            try await store.dequeued(tube.id, room: room.id)
            let afterDequeue = try await store.load(room: room.id)
            // check
            #expect(loaded == WatchSnapshot(id: room.id, host: host, queue: [link, tube], state: state))
            #expect(chat.map(\.text) == ["first", "second"] && lastOne.map(\.text) == ["second"])
            #expect(afterDequeue?.queue == [link])
            #expect(try await PostgresWatchStore(database: db.app, tenant: UUID()).load(room: room.id) == nil)
        }
    }

    @Test("Only the host and those who came in may fetch the room's files; nobody once closed or removed")
    func filesRights() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let (host, visitor, stranger) = (acme.members[0], acme.members[1], acme.members[2])
            let room = try #require(try await room(db, acme.tenant, host: host, codes: ["700800900"]))
            let store = PostgresWatchStore(database: db.app, tenant: acme.tenant)
            func may(_ person: UUID) async throws -> Bool {
                try await db.app.withTenant(acme.tenant) { tx in try await tx.mayWatchFiles(of: room.id, person: person) }
            }
            // act / check
            try await store.joined(room: room.id, person: visitor, isGuest: false, at: t0)
            let (hostMay, visitorMay, strangerMay) = (try await may(host), try await may(visitor), try await may(stranger))
            #expect(hostMay && visitorMay && !strangerMay)
            let listed = try await db.app.withTenant(acme.tenant) { tx in try await tx.watchRooms(of: visitor) }
            #expect(listed.map(\.room.id) == [room.id] && listed.first?.hosting == false && listed.first?.lastJoinedAt == t0)
            try await store.save(WatchState(playback: Playback(at: t0), control: .host, waitForEveryone: false, removed: [visitor], closedAt: nil),
                                 room: room.id)
            let removedMay = try await may(visitor)
            #expect(!removedMay, "removed")
            try await store.save(WatchState(playback: Playback(at: t0), control: .host, waitForEveryone: false, removed: [], closedAt: t0),
                                 room: room.id)
            let (hostAfter, visitorAfter) = (try await may(host), try await may(visitor))
            #expect(!hostAfter && !visitorAfter, "closed")
        }
    }
}
