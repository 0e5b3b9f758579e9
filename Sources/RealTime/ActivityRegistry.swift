import Foundation
import Logging
import ServiceLifecycle

/// Loads the activities of one kind: from the database, on first use (which is also how a
/// restarted node picks an activity up again).
public protocol ActivityLoader: Sendable {
    var kind: ActivityKind { get }
    /// The activity; nil when this tenant has no such activity. Throws `ActivityRefusal` when it
    /// exists but cannot be entered now (not open yet, over); nothing is kept then.
    func load(_ key: ActivityKey) async throws -> (any Activity)?
    /// Activities that must run even if nobody connects (timers due), resumed at start.
    func unfinished() async throws -> [ActivityKey]
    /// Someone without an account whom this kind lets in by a link (a meeting's guest): who
    /// the page's guest token stands for in this activity; nil when the kind takes no guests or
    /// the token is not one of its guests. The activity still decides whether they may enter.
    func guest(token: String, in key: ActivityKey) async throws -> Participant?
}

extension ActivityLoader {
    /// Most kinds take members only.
    public func guest(token: String, in key: ActivityKey) async throws -> Participant? { nil }
}

/// Per-activity locks in the database, so that one activity runs on one node at a time. A
/// lease is taken before an activity is loaded and renewed while it runs; a lease another node
/// holds (and keeps renewing) is refused.
public protocol ActivityLeases: Sendable {
    /// Takes or renews the lease for `node`; false when another node holds it.
    func take(_ key: ActivityKey, node: UUID, for duration: Duration) async throws -> Bool
    /// Renews every lease `node` holds; returns those it no longer holds.
    func renew(_ keys: [ActivityKey], node: UUID, for duration: Duration) async throws -> Set<ActivityKey>
    func release(_ key: ActivityKey, node: UUID) async throws
}

/// Refused because another node runs the activity.
public struct HeldElsewhere: Error, Sendable {}

/// The activities running on this node (DESIGN §9): one actor per (tenant, kind, id), loaded on
/// first use under a lease, run as a child task of this service's `run()`, and forgotten when
/// it closes. Nothing outlives the service: at shutdown every activity stops and its lease is
/// released.
public actor ActivityRegistry: Service {
    public struct Timings: Sendable {
        /// How long a lease lasts without renewal (a node that dies frees its activities then).
        public var lease: Duration
        /// How often held leases are renewed (well within `lease`).
        public var renewEvery: Duration
        /// How often activities that could not be resumed (held elsewhere) are tried again.
        public var resumeRetry: Duration

        public init(lease: Duration, renewEvery: Duration, resumeRetry: Duration) {
            self.lease = lease
            self.renewEvery = renewEvery
            self.resumeRetry = resumeRetry
        }

        public static let production = Timings(lease: .seconds(30), renewEvery: .seconds(10), resumeRetry: .seconds(15))
    }

    private enum Slot {
        case loading([CheckedContinuation<Void, Never>])
        case running(any Activity)
    }

    /// This node, as the lease table knows it (a new id per start).
    public nonisolated let node = UUID()
    private let loaders: [ActivityKind: any ActivityLoader]
    private let leases: any ActivityLeases
    private let media: any MediaRoomControl
    private let timings: Timings
    private let logger: Logger
    private var slots: [ActivityKey: Slot] = [:]
    private var stopping = false
    private let started: AsyncStream<any Activity>
    private let starting: AsyncStream<any Activity>.Continuation

    public init(loaders: [any ActivityLoader], leases: any ActivityLeases, media: any MediaRoomControl,
                timings: Timings = .production, logger: Logger) {
        self.loaders = Dictionary(loaders.map { ($0.kind, $0) }, uniquingKeysWith: { $1 })
        self.leases = leases
        self.media = media
        self.timings = timings
        self.logger = logger
        (started, starting) = AsyncStream<any Activity>.makeStream()
    }

    public func knows(_ kind: ActivityKind) -> Bool { loaders[kind] != nil }

    /// The guest a page's guest token stands for in an activity (see `ActivityLoader.guest`).
    public func guest(token: String, in key: ActivityKey) async throws -> Participant? {
        guard let loader = loaders[key.kind] else { return nil }
        let guest = try await loader.guest(token: token, in: key)
        return guest.map { Participant(id: $0.id, name: $0.name, isOrganizer: false, isGuest: true) }
    }

    /// The running activity, loaded (under a lease) if need be. Nil when there is no such
    /// activity; throws `ActivityRefusal` (not open, over) or `HeldElsewhere`.
    public func activity(_ key: ActivityKey) async throws -> (any Activity)? {
        while true {
            switch slots[key] {
            case .running(let activity):
                if await !activity.isClosed { return activity }
                slots[key] = nil
            case .loading:
                await withCheckedContinuation { continuation in
                    if case .loading(var waiters) = slots[key] {
                        waiters.append(continuation)
                        slots[key] = .loading(waiters)
                    } else {
                        continuation.resume()
                    }
                }
            case nil:
                return try await load(key)
            }
        }
    }

    private func load(_ key: ActivityKey) async throws -> (any Activity)? {
        guard !stopping, let loader = loaders[key.kind] else { return nil }
        slots[key] = .loading([])
        var loaded: (any Activity)?
        defer {
            if case .loading(let waiters) = slots[key] {
                slots[key] = loaded.map { .running($0) }
                for waiter in waiters { waiter.resume() }
            }
        }
        guard try await leases.take(key, node: node, for: timings.lease) else { throw HeldElsewhere() }
        do {
            guard let activity = try await loader.load(key) else {
                try? await leases.release(key, node: node)
                return nil
            }
            await activity.attach(media: media)
            loaded = activity
            starting.yield(activity)
            return activity
        } catch {
            try? await leases.release(key, node: node)
            throw error
        }
    }

    /// Loads every unfinished activity of every kind; returns those another node holds.
    @discardableResult
    public func resumeUnfinished() async -> [ActivityKey] {
        var elsewhere: [ActivityKey] = []
        for loader in loaders.values {
            do {
                let keys = try await loader.unfinished()
                var resumed = 0
                for key in keys {
                    do {
                        if try await activity(key) != nil { resumed += 1 }
                    } catch is HeldElsewhere {
                        elsewhere.append(key)
                    } catch {
                        logger.warning("could not resume \(key): \(String(describing: error))")
                    }
                }
                if resumed > 0 { logger.info("resumed \(resumed) \(loader.kind) activit\(resumed == 1 ? "y" : "ies")") }
            } catch {
                logger.error("could not look for unfinished \(loader.kind) activities: \(String(describing: error))")
            }
        }
        return elsewhere
    }

    /// The media server lost rooms of these activities: their pages set media up again.
    public func mediaLost(_ keys: Set<ActivityKey>) async {
        for key in keys {
            if case .running(let activity)? = slots[key] { await activity.mediaLost() }
        }
    }

    public var running: [ActivityKey] {
        slots.compactMap { key, slot in if case .running = slot { key } else { nil } }
    }

    /// Runs every activity as a child task; renews leases; resumes unfinished activities (again
    /// later for those another node held). At shutdown stops them all and releases their leases.
    public func run() async throws {
        let starting = self.starting
        await withDiscardingTaskGroup { group in
            group.addTask { await self.keepResuming() }
            group.addTask { await self.keepRenewing() }
            // Until the node stops: every activity loaded from now on runs here, as a child.
            await withGracefulShutdownHandler {
                for await activity in started {
                    group.addTask {
                        await activity.run()
                        await self.finished(activity)
                    }
                }
            } onGracefulShutdown: {
                starting.finish()
            }
            await stop()
            group.cancelAll()
        }
    }

    /// Stops every activity (their `run()` returns) and releases their leases.
    private func stop() async {
        stopping = true
        starting.finish()
        for case .running(let activity) in slots.values { await activity.shutdown() }
        for key in running { try? await leases.release(key, node: node) }
        slots = [:]
    }

    private func finished(_ activity: any Activity) async {
        guard case .running(let current)? = slots[activity.key], current === activity else { return }
        slots[activity.key] = nil
        await media.endRooms(of: activity.key)
        try? await leases.release(activity.key, node: node)
    }

    private func keepResuming() async {
        var pending = await resumeUnfinished()
        while !pending.isEmpty && !stopping {
            do { try await Task.sleep(for: timings.resumeRetry) } catch { return }
            var still: [ActivityKey] = []
            for key in pending {
                do { _ = try await activity(key) } catch is HeldElsewhere { still.append(key) } catch {}
            }
            pending = still
        }
    }

    /// Renews this node's leases; an activity whose lease was lost (this node was cut off long
    /// enough for another to take over) stops at once and its pages are disconnected.
    private func keepRenewing() async {
        while !stopping {
            do { try await Task.sleep(for: timings.renewEvery) } catch { return }
            let held = running
            guard !held.isEmpty else { continue }
            do {
                let lost = try await leases.renew(held, node: node, for: timings.lease)
                for key in lost {
                    guard case .running(let activity)? = slots[key] else { continue }
                    logger.error("lost the lease of \(key): another node runs it now; stopping it here")
                    slots[key] = nil
                    await activity.shutdown()
                }
            } catch {
                logger.warning("could not renew activity leases: \(String(describing: error))")
            }
        }
    }
}
