import Foundation
import RealTime

/// What a call keeps in the database; the engine's only I/O besides its two pages and the media
/// server. Each change is written before the pages hear of it.
public protocol CallStore: Sendable {
    /// The call as stored; nil when this tenant has no such call.
    func load(call: UUID) async throws -> CallSnapshot?
    func answered(call: UUID, at time: Date) async throws
    /// The call is over (its two lines are freed). For `missed`, the missed-call message and
    /// notice are written in the same transaction.
    func ended(call: UUID, outcome: CallOutcome, endedBy: UUID?, at time: Date) async throws
}

/// A call as loaded.
public struct CallSnapshot: Sendable, Equatable {
    public var id: UUID
    public var caller: CallParty
    public var callee: CallParty
    public var video: Bool
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var outcome: CallOutcome?
    public var endedBy: UUID?

    public init(id: UUID, caller: CallParty, callee: CallParty, video: Bool, startedAt: Date, answeredAt: Date? = nil,
                endedAt: Date? = nil, outcome: CallOutcome? = nil, endedBy: UUID? = nil) {
        (self.id, self.caller, self.callee, self.video, self.startedAt) = (id, caller, callee, video, startedAt)
        (self.answeredAt, self.endedAt, self.outcome, self.endedBy) = (answeredAt, endedAt, outcome, endedBy)
    }
}

extension ActivityKind {
    public static let call = ActivityKind("call")
}

/// One call, an activity of the real-time layer (DESIGN §11): the two people's pages, ringing,
/// answering and ending, the ring and away timers, and who may send and see media in its one
/// media room. Every operation goes through one `OperationLine`; the rules are `Call`'s; each
/// operation ends with `sync()`, which sends each page the call as it now sees it.
///
/// It needs no idle unload of its own: a call nobody answers is missed after `Call.ringTime`, an
/// answered one whose pages are gone is dropped after the grace, and an ended call closes
/// `closeDelay` later whoever is still there (its pages see the final state first).
public actor CallEngine: Activity {
    /// Told each time the call moves on (answered, or ended and how), after it was stored and
    /// before the pages hear of it: the app stops the callee's other pages ringing there.
    public typealias Watcher = @Sendable (Call) async -> Void

    public nonisolated let key: ActivityKey
    public nonisolated let title = "Call"
    private let store: any CallStore
    private let clock: any ActivityClock
    public private(set) var call: Call
    private var media: (any MediaRoomControl)?
    private let line = OperationLine()
    private let watcher: Watcher?
    public private(set) var isClosed = false
    /// Who of the two the media server has publishing now.
    private var publishing: Set<UUID> = []

    private struct Connection {
        var person: UUID
        var outbox: ActivityOutbox<CallEvent>
        var lastView: CallView?
    }
    private var connections: [ConnectionID: Connection] = [:]
    private var nextConnection: ConnectionID = 0
    private var mediaEpoch = 0
    private let timer: ActivityTimer
    /// When the call ended here: the activity closes `closeDelay` later.
    private var overSince: Date?
    /// A timer's write failed: tried again then.
    private var retryAt: Date?

    /// The call's one media room, the two people publishing. A call is never loaded again once over, so the
    /// name needs no suffix (a room its activity ended can never be created again).
    public nonisolated let mediaRoom = "call"
    /// How long pages see the ended call before the activity closes.
    public static let closeDelay: TimeInterval = 5
    /// How soon a timer's failed write is tried again.
    public static let retryDelay: TimeInterval = 2

    /// The call of `key`; nil when there is no such call; refused with `over` once it ended.
    public static func load(_ key: ActivityKey, store: any CallStore, clock: any ActivityClock,
                            grace: TimeInterval = Call.defaultGrace, watcher: Watcher? = nil) async throws -> CallEngine? {
        guard let snapshot = try await store.load(call: key.id) else { return nil }
        if snapshot.endedAt != nil { throw ActivityRefusal.callOver }
        let call = Call(id: snapshot.id, caller: snapshot.caller, callee: snapshot.callee, video: snapshot.video,
                        startedAt: snapshot.startedAt, answeredAt: snapshot.answeredAt, endedAt: nil, outcome: nil, endedBy: nil,
                        loadedAt: clock.now, grace: grace)
        return CallEngine(key: key, call: call, store: store, clock: clock, watcher: watcher)
    }

    init(key: ActivityKey, call: Call, store: any CallStore, clock: any ActivityClock, watcher: Watcher? = nil) {
        self.key = key
        self.call = call
        self.store = store
        self.clock = clock
        self.watcher = watcher
        timer = ActivityTimer(clock: clock)
    }

    // MARK: Activity

    public func enter(_ participant: Participant, outbox: ActivityOutbox<CallEvent>) async throws -> ConnectionID {
        try await line.perform { try await self.enterNow(participant, outbox: outbox) }
    }

    public func leave(_ connection: ConnectionID) async {
        _ = try? await line.perform { await self.leaveNow(connection) }
    }

    public func receive(_ request: CallRequest, from connection: ConnectionID) async throws {
        try await line.perform { try await self.handleNow(request, from: connection) }
    }

    /// A request of one of the two from outside the call's page: declining from the ringing
    /// prompt of another page of theirs (`call-decline`).
    public func respond(_ request: CallRequest, by person: UUID) async throws {
        try await line.perform { try await self.handleNow(request, by: person) }
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.timer.run(idle: 3600, next: { await self.nextDeadline() }) {
                    _ = try? await self.line.perform { await self.expireNow() }
                }
            }
            await line.run()
            group.cancelAll()
        }
    }

    public func shutdown() async { close(farewell: nil) }

    public func attach(media: any MediaRoomControl) { self.media = media }

    // MARK: Operations (on the line)

    private func enterNow(_ participant: Participant, outbox: ActivityOutbox<CallEvent>) throws -> ConnectionID {
        guard !isClosed else { throw ActivityRefusal.callOver }
        let page = nextConnection
        // Only the two get in; an ended call takes nobody new.
        let replaced = try call.arrive(participant.id, page: page)
        nextConnection += 1
        // One page per person: a newer one (another window, a reload) takes over.
        if let replaced, let old = connections.removeValue(forKey: replaced) {
            _ = old.outbox.send(.farewell(.replaced))
            old.outbox.finish()
        }
        connections[page] = Connection(person: participant.id, outbox: outbox)
        wakeTimer()
        sync()
        return page
    }

    private func leaveNow(_ connection: ConnectionID) {
        guard let leaving = connections.removeValue(forKey: connection),
              call.depart(leaving.person, page: connection, at: clock.now) else { return }
        wakeTimer()
        sync()
    }

    private func handleNow(_ request: CallRequest, from connection: ConnectionID) async throws {
        guard !isClosed else { throw ActivityRefusal.callOver }
        guard let me = connections[connection]?.person else { throw ActivityRefusal("not-joined", "This page is not in the call.") }
        try await handleNow(request, by: me)
    }

    private func handleNow(_ request: CallRequest, by me: UUID) async throws {
        guard !isClosed else { throw ActivityRefusal.callOver }
        let before = call
        do {
            try await carryOut(request, by: me)
        } catch let refusal as ActivityRefusal {
            call = before
            throw refusal
        } catch {
            // A store write failed: the call forgets the change.
            call = before
            throw ActivityRefusal.failed
        }
        await moved(from: before)
        sync()
    }

    /// Tells the watcher when the call reached a new state.
    private func moved(from before: Call) async {
        guard before.state != call.state else { return }
        await watcher?(call)
    }

    private func carryOut(_ request: CallRequest, by me: UUID) async throws {
        let now = clock.now
        switch request {
        case .accept:
            try call.accept(by: me, at: now)
            try await store.answered(call: call.id, at: now)
        case .decline:
            try call.decline(by: me, at: now)
            try await persistEnd()
        case .cancel:
            try call.cancel(by: me, at: now)
            try await persistEnd()
        case .end:
            try call.end(by: me, at: now)
            try await persistEnd()
        case .mic(let on): try call.setMic(me, on)
        case .camera(let on): try call.setCamera(me, on)
        }
    }

    /// Writes the end the call just reached, then lets go of its media.
    private func persistEnd() async throws {
        guard let outcome = call.outcome, let endedAt = call.endedAt else { return }
        try await store.ended(call: call.id, outcome: outcome, endedBy: call.endedBy, at: endedAt)
        overSince = clock.now
        wakeTimer()
        // Rights shrank for both: what they publish and watch is cut at once.
        await media?.reviewRights(of: key, users: nil)
    }

    // MARK: Telling pages

    /// Sends each page the call as its person sees it, when that changed.
    private func sync() {
        for (page, connection) in connections {
            guard let role = call.role(of: connection.person) else { continue }
            let other = call.side(role == .caller ? .callee : .caller).party.id
            let view = CallView(call, for: role, mediaRoom: mediaRoom, mediaEpoch: mediaEpoch, otherPublishing: publishing.contains(other))
            guard view != connection.lastView else { continue }
            connections[page]?.lastView = view
            _ = connection.outbox.send(.call(view))
        }
    }

    // MARK: Ending

    /// No more operations; every page is told why (when there is a why) and closed.
    private func close(farewell: CallFarewell?) {
        guard !isClosed else { return }
        isClosed = true
        line.close()
        timer.close()
        let now = clock.now
        for (page, connection) in connections {
            if let farewell { _ = connection.outbox.send(.farewell(farewell)) }
            connection.outbox.finish()
            call.depart(connection.person, page: page, at: now)
        }
        connections = [:]
    }

    // MARK: Timers: the ring time, the grace of a side that went away, closing after the end

    /// The timer's next deadline (`ActivityTimer`; none: it looks again in an hour).
    private func nextDeadline() -> Date? {
        let due = call.nextDeadline().map { deadline in retryAt.map { max($0, deadline) } ?? deadline }
        let closing = overSince.map { $0.addingTimeInterval(Self.closeDelay) }
        return [due, closing].compactMap { $0 }.min()
    }

    private func expireNow() async {
        let now = clock.now
        if let overSince, now >= overSince.addingTimeInterval(Self.closeDelay) {
            close(farewell: .over)
            await media?.endRooms(of: key)
            return
        }
        let before = call
        guard call.expire(at: now) else { return }
        do {
            try await persistEnd()
            retryAt = nil
            await moved(from: before)
        } catch {
            // The database did not take it: the call stays as it was and the timer tries again.
            call = before
            retryAt = now.addingTimeInterval(Self.retryDelay)
        }
        sync()
    }

    private func wakeTimer() { timer.wake() }

    // MARK: The rights seam

    public func mediaRoom(_ name: String) -> MediaRoomSpec? {
        guard !isClosed, !call.isOver, name == mediaRoom else { return nil }
        // Two people; a feed is named by its leg, so a page that reloads publishes its new feed
        // while the old one is still being hung up: room for both of each.
        return MediaRoomSpec(publishers: 4)
    }

    public func mayPublish(_ user: UUID, in name: String) -> Bool {
        !isClosed && name == mediaRoom && call.mayPublish(user)
    }

    public func mayWatch(_ user: UUID, publisher: UUID, in name: String) -> Bool {
        !isClosed && name == mediaRoom && call.mayWatch(user, publisher: publisher)
    }

    /// Nobody moderates a call.
    public func mayModerate(_ user: UUID, in name: String) -> Bool { false }

    public func setPublishing(_ user: UUID, in name: String, _ isPublishing: Bool) {
        guard name == mediaRoom, call.role(of: user) != nil else { return }
        let changed = isPublishing ? publishing.insert(user).inserted : publishing.remove(user) != nil
        if changed { sync() }
    }

    public func mediaLost() {
        mediaEpoch += 1
        publishing = []
        sync()
    }
}
