import Foundation
import Logging
import RealTime
import ServiceLifecycle
import Synchronization
import Testing

/// The registry without a database: leases, loaders, activities and media are stand-ins that
/// record what was asked of them.
@Suite struct ActivityRegistryTests {
    static let kind = ActivityKind("test")
    static let timings = ActivityRegistry.Timings(lease: .milliseconds(400), renewEvery: .milliseconds(40), resumeRetry: .milliseconds(60))
    static let logger = Logger(label: "registry-tests")

    /// Leases in memory, with the same rule as the table: free, expired or one's own.
    final class Leases: ActivityLeases {
        struct Lease { var node: UUID; var expires: ContinuousClock.Instant }
        let held = Mutex<[ActivityKey: Lease]>([:])

        func take(_ key: ActivityKey, node: UUID, for duration: Duration) async throws -> Bool {
            held.withLock { held in
                if let lease = held[key], lease.node != node, lease.expires > .now { return false }
                held[key] = Lease(node: node, expires: .now + duration)
                return true
            }
        }
        func renew(_ keys: [ActivityKey], node: UUID, for duration: Duration) async throws -> Set<ActivityKey> {
            held.withLock { held in
                var lost: Set<ActivityKey> = []
                for key in keys {
                    if held[key]?.node == node { held[key]?.expires = .now + duration } else { lost.insert(key) }
                }
                return lost
            }
        }
        func release(_ key: ActivityKey, node: UUID) async throws {
            held.withLock { held in if held[key]?.node == node { held[key] = nil } }
        }
        func holder(_ key: ActivityKey) -> UUID? { held.withLock { $0[key]?.node } }
        /// Another node takes the lease over (as after this node was cut off for too long).
        func steal(_ key: ActivityKey) { held.withLock { $0[key] = Lease(node: UUID(), expires: .now + .seconds(60)) } }
    }

    /// An activity that does nothing but can be closed and counts its shutdowns.
    actor Stub: Activity {
        struct Request: ActivityRequest { init(type: String, data: (any Decoder)?) throws { throw unknownRequest(type) } }
        struct Event: ActivityEvent {
            var type: String { "nothing" }
            func encodeData(to encoder: any Encoder) throws {}
        }
        nonisolated let key: ActivityKey
        nonisolated let title = "Stub"
        private(set) var isClosed = false
        private(set) var shutdowns = 0
        private var wake: AsyncStream<Void>.Continuation?
        init(key: ActivityKey) { self.key = key }

        func enter(_ participant: Participant, outbox: ActivityOutbox<Event>) async throws -> ConnectionID { outbox.finish(); return 0 }
        func leave(_ connection: ConnectionID) async {}
        func receive(_ request: Request, from connection: ConnectionID) async throws {}
        func run() async {
            let (stream, wake) = AsyncStream<Void>.makeStream()
            self.wake = wake
            if isClosed { return }
            for await _ in stream { if isClosed { return } }
        }
        func close() { isClosed = true; wake?.yield() }
        func shutdown() async { shutdowns += 1; close() }
        func attach(media: any MediaRoomControl) {}
        func mediaRoom(_ room: String) -> MediaRoomSpec? { nil }
        func mayPublish(_ user: UUID, in room: String) -> Bool { false }
        func mayWatch(_ user: UUID, publisher: UUID, in room: String) -> Bool { false }
        func mayModerate(_ user: UUID, in room: String) -> Bool { false }
        func setPublishing(_ user: UUID, in room: String, _ publishing: Bool) {}
        func mediaLost() {}
    }

    final class Loader: ActivityLoader {
        let known: Set<UUID>
        let unfinishedKeys: [ActivityKey]
        let loads = Mutex(0)
        let loaded = Mutex<[Stub]>([])
        init(known: Set<UUID>, unfinished: [ActivityKey] = []) {
            self.known = known
            unfinishedKeys = unfinished
        }
        var kind: ActivityKind { ActivityRegistryTests.kind }
        func load(_ key: ActivityKey) async throws -> (any Activity)? {
            loads.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(20))  // as a database would take a moment
            guard known.contains(key.id) else { return nil }
            let stub = Stub(key: key)
            loaded.withLock { $0.append(stub) }
            return stub
        }
        func unfinished() async throws -> [ActivityKey] { unfinishedKeys }
    }

    final class Media: MediaRoomControl {
        let ended = Mutex<[ActivityKey]>([])
        func endRoom(_ room: String, of activity: ActivityKey) async {}
        func endRooms(of activity: ActivityKey) async { ended.withLock { $0.append(activity) } }
        func reviewRights(of activity: ActivityKey, users: Set<UUID>?) async {}
        func blockAudio(of user: UUID, in room: String, of activity: ActivityKey, _ blocked: Bool) async {}
        func kick(_ user: UUID, from room: String, of activity: ActivityKey) async {}
    }

    static func key(_ id: UUID) -> ActivityKey { ActivityKey(tenant: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, kind: kind, id: id) }

    /// Runs the registry as a service for `body`, then shuts it down gracefully.
    static func running(_ registry: ActivityRegistry, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [registry], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func eventually(_ what: String, _ condition: () async -> Bool) async {
        for _ in 0..<200 {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("\(what) did not happen within 2 s")
    }

    @Test func anActivityIsLoadedOnceUnderALeaseAndForgottenWhenItCloses() async throws {
        // setup
        let id = UUID()
        let (leases, loader, media) = (Leases(), Loader(known: [id]), Media())
        let registry = ActivityRegistry(loaders: [loader], leases: leases, media: media, timings: Self.timings, logger: Self.logger)
        try await Self.running(registry) {
            // act: three pages ask at once, one asks for an activity that does not exist.
            async let a = registry.activity(Self.key(id))
            async let b = registry.activity(Self.key(id))
            async let c = registry.activity(Self.key(id))
            let found = try await [a, b, c]
            let missing = try await registry.activity(Self.key(UUID()))

            // check: loaded once, the same actor for all; its lease is this node's.
            #expect(loader.loads.withLock { $0 } == 2)  // the activity, and the missing one
            let first = try #require(found[0] as? Stub)
            #expect(found.allSatisfy { $0 === first })
            #expect(missing == nil)
            #expect(leases.holder(Self.key(id)) == registry.node)

            // act: it closes by itself.
            await first.close()

            // check: forgotten, its rooms ended, its lease released; the next page loads it anew.
            await Self.eventually("forgetting it") { await registry.running.isEmpty }
            #expect(media.ended.withLock { $0 } == [Self.key(id)])
            #expect(leases.holder(Self.key(id)) == nil)
            let again = try await registry.activity(Self.key(id))
            #expect(again !== first)
        }
    }

    @Test func anActivityAnotherNodeHoldsIsRefusedAndResumedOnceItIsFree() async throws {
        // setup: another node holds an unfinished activity for a moment.
        let id = UUID()
        let key = Self.key(id)
        let leases = Leases()
        let other = UUID()
        _ = try await leases.take(key, node: other, for: .milliseconds(300))
        let loader = Loader(known: [id], unfinished: [key])
        let registry = ActivityRegistry(loaders: [loader], leases: leases, media: Media(), timings: Self.timings, logger: Self.logger)

        try await Self.running(registry) {
            // check: refused while the other node holds it; nothing was loaded.
            await #expect(throws: HeldElsewhere.self) { _ = try await registry.activity(key) }
            #expect(loader.loads.withLock { $0 } == 0)

            // act: the other node stops renewing; its lease expires.
            // check: the registry's own retries resume it without anyone asking.
            await Self.eventually("resuming it") { await registry.running == [key] }
            #expect(leases.holder(key) == registry.node)
        }
    }

    @Test func anActivityWhoseLeaseIsLostStopsAndShutdownReleasesEverything() async throws {
        // setup: two activities running.
        let (one, two) = (UUID(), UUID())
        let leases = Leases()
        let loader = Loader(known: [one, two])
        let registry = ActivityRegistry(loaders: [loader], leases: leases, media: Media(), timings: Self.timings, logger: Self.logger)
        var stubs: [Stub] = []
        try await Self.running(registry) {
            for id in [one, two] { stubs.append(try #require(try await registry.activity(Self.key(id)) as? Stub)) }

            // act: another node takes over the first one's lease.
            leases.steal(Self.key(one))

            // check: at the next renewal this node stops it and forgets it; the other runs on.
            await Self.eventually("stopping it") { await stubs[0].isClosed }
            #expect(await registry.running == [Self.key(two)])
            #expect(await !stubs[1].isClosed)
        }
        // check: the node stopped: the other one was shut down and its lease released.
        #expect(await stubs[1].shutdowns == 1)
        #expect(leases.holder(Self.key(two)) == nil)
        #expect(leases.holder(Self.key(one)) != registry.node)
    }
}
