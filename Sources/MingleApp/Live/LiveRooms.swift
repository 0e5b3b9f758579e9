import Foundation
import Live
import LiveEngine
import Logging
import ServiceLifecycle
import Store

/// The running sessions of this node: one `SessionEngine` per (tenant, session), loaded from
/// the database on first use (which is also how a restarted server resumes a session) and
/// dropped when the session closes.
actor LiveRooms: Service {
    private struct Key: Hashable { var tenant: TenantID; var session: UUID }

    private let database: Database
    private let clock: any LiveClock
    private let timings: EngineTimings
    private let logger: Logger
    private var engines: [Key: Task<SessionEngine?, any Error>] = [:]
    /// The video rooms of these sessions (told when pairs end and sessions close).
    let media: MediaRooms

    init(database: Database, clock: any LiveClock = SystemLiveClock(), timings: EngineTimings,
         media: MediaRooms, logger: Logger) {
        self.database = database
        self.clock = clock
        self.timings = timings
        self.media = media
        self.logger = logger
    }

    /// A Janus node was lost with rooms on it: every running session's pages set their media up again.
    func mediaLost() async {
        for loading in engines.values {
            if let engine = try? await loading.value { await engine.resetMedia() }
        }
    }

    /// The engine of a session of `tenant`; nil when the tenant has no such (uncancelled) session;
    /// throws `LiveRefusal` before the lobby opens. Row-level security scopes the load, so
    /// another tenant's session id finds nothing.
    func engine(tenant: TenantID, session: UUID) async throws -> SessionEngine? {
        let key = Key(tenant: tenant, session: session)
        if let loading = engines[key], let engine = try? await loading.value, await !engine.isClosed {
            return engine
        }
        let store = LiveSessionStore(database: database, tenant: tenant)
        let (clock, timings) = (self.clock, self.timings)
        let loading = Task { try await SessionEngine.load(session: session, store: store, clock: clock, timings: timings) }
        engines[key] = loading
        do {
            guard let engine = try await loading.value else {
                engines[key] = nil
                return nil
            }
            // Before the lobby opens the organizer may still move the session: refuse, and keep
            // nothing, so the next look-up reads the new times.
            if engine.times.phase(at: clock.now) == .scheduled {
                engines[key] = nil
                throw LiveRefusal.notOpenYet(engine.times.lobbyOpens)
            }
            await engine.setObserver(media)
            Task {
                await engine.run()
                await self.closed(key, engine)
            }
            return engine
        } catch {
            engines[key] = nil
            throw error
        }
    }

    func resumeUnfinished() async {
        do {
            let unfinished = try await database.withoutTenant { tx in try await tx.liveSessionsToResume() }
            for (tenant, session) in unfinished {
                _ = try? await engine(tenant: tenant, session: session)
            }
            if !unfinished.isEmpty { logger.info("resumed \(unfinished.count) live session(s)") }
        } catch {
            logger.error("could not look for live sessions to resume: \(String(describing: error))")
        }
    }

    private func closed(_ key: Key, _ engine: SessionEngine) async {
        if let current = engines[key], let loaded = try? await current.value, loaded === engine { engines[key] = nil }
    }

    /// Resumes the sessions a previous run left unfinished (so their pairs end and their pool
    /// empties on time even if nobody reconnects), then runs until the server shuts down and
    /// ends every connection; the state is in the database.
    func run() async throws {
        await resumeUnfinished()
        try? await gracefulShutdown()
        for loading in engines.values {
            if let engine = try? await loading.value { await engine.shutdown() }
        }
        engines = [:]
        await media.shutdown()
    }
}
