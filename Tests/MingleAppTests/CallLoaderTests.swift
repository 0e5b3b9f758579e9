import Calls
import Foundation
@testable import MingleApp
import RealTime
import Store
import Testing
import TestSupport

/// Calls as activities, loaded from PostgreSQL: the engine and its store together.
@Suite("Call loader: calls from PostgreSQL as activities, live ones resumed")
struct CallLoaderTests {
    @Test("A live call is found for resuming and loaded; nobody there when its ring time ran out: missed, stored with its message, never loaded again")
    func resumedCallIsMissed() async throws {
        try await withTestDatabase { db in
            // setup: a call that started ringing 40 s ago on a node that stopped.
            let acme = try await Fixtures(db).populatedTenant("acme")
            let (ada, bo) = (acme.members[0], acme.members[1])
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let started = try await db.app.withTenant(acme.tenant, user: ada) { tx in
                try await tx.startCall(tenant: acme.tenant, caller: ada, callee: bo, video: false, at: start)
            }
            guard case .ringing(let call) = started else { Issue.record("expected a ringing call, got \(started)"); return }
            let loader = CallLoader(database: db.app, clock: ManualActivityClock(start.addingTimeInterval(40)))
            func stored() async throws -> CallRecord? { try await db.app.withTenant(acme.tenant) { tx in try await tx.call(call.id) } }
            // act
            let keys = try await loader.unfinished()
            let key = try #require(keys.first)
            let engine = try #require(try await loader.load(key) as? CallEngine)
            let running = Task { await engine.run() }
            for _ in 0..<500 {
                if try await stored()?.outcome != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            await engine.shutdown()
            await running.value
            // check
            #expect(keys == [ActivityKey(tenant: acme.tenant, kind: .call, id: call.id)])
            let record = try await stored()
            #expect(record?.outcome == .missed && record?.endedAt == start.addingTimeInterval(Call.ringTime))
            let unread = try await db.app.withTenant(acme.tenant, user: bo) { tx in try await tx.unreadCounts(user: bo) }
            #expect(unread.messages == 1 && unread.notices == 1)
            #expect(try await loader.unfinished().isEmpty)
            await #expect(throws: ActivityRefusal.callOver) { _ = try await loader.load(key) }
        }
    }
}
