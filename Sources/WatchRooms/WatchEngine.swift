import Foundation
import RealTime

/// What a room keeps in the database; the engine's only I/O besides its pages. Each change is
/// written before the pages hear of it.
public protocol WatchStore: Sendable {
    /// The room as stored; nil when this tenant has no such room.
    func load(room: UUID) async throws -> WatchSnapshot?
    /// The room's changeable state after a change (playback, control, waiting, removed, closed).
    func save(_ state: WatchState, room: UUID) async throws
    /// A video added at the end of the list.
    func added(_ item: WatchItem, room: UUID, by person: UUID) async throws
    func dequeued(_ item: UUID, room: UUID) async throws
    /// A video's length, learnt by a page.
    func duration(_ seconds: Double, of item: UUID, room: UUID) async throws
    /// Whether `person` may come in: the host, or someone who gave the PIN (a guest did so to
    /// become one), and not removed.
    func admits(room: UUID, person: UUID) async throws -> Bool
    /// Someone came in (for "rooms I recently joined").
    func joined(room: UUID, person: UUID, isGuest: Bool, at time: Date) async throws
    func chat(room: UUID, person: UUID, who: String, text: String, at time: Date) async throws -> WatchChatLine
    func chatHistory(room: UUID, limit: Int) async throws -> [WatchChatLine]
}

/// The state of a room that changes as it is used.
public struct WatchState: Sendable, Equatable {
    public var playback: Playback
    public var control: WatchControl
    public var waitForEveryone: Bool
    public var removed: Set<UUID>
    public var closedAt: Date?

    public init(playback: Playback, control: WatchControl, waitForEveryone: Bool, removed: Set<UUID>, closedAt: Date?) {
        (self.playback, self.control, self.waitForEveryone, self.removed, self.closedAt) = (playback, control, waitForEveryone, removed, closedAt)
    }

    init(_ room: WatchRoom) {
        self.init(playback: room.playback, control: room.control, waitForEveryone: room.waitForEveryone, removed: room.removed,
                  closedAt: room.closedAt)
    }
}

/// A room as loaded.
public struct WatchSnapshot: Sendable, Equatable {
    public var id: UUID
    public var host: UUID
    public var queue: [WatchItem]
    public var state: WatchState

    public init(id: UUID, host: UUID, queue: [WatchItem], state: WatchState) {
        (self.id, self.host, self.queue, self.state) = (id, host, queue, state)
    }
}

extension ActivityKind {
    public static let watch = ActivityKind("watch")
}

/// One watch room, an activity of the real-time layer (DESIGN §12): its people's pages, the
/// playback the server owns, the list, control, chat, the end-of-video and empty-room timers.
/// Every operation goes through one `OperationLine`; the rules are `WatchRoom`'s; each
/// operation ends with `sync()`, which sends each page what changed for it.
public actor WatchEngine: Activity {
    public nonisolated let key: ActivityKey
    public nonisolated let title = "Watch room"
    private let store: any WatchStore
    private let clock: any ActivityClock
    public private(set) var room: WatchRoom
    private var media: (any MediaRoomControl)?
    private let line = OperationLine()
    public private(set) var isClosed = false
    /// Where the room's files are fetched (`<files>/<file id>`), for the pages.
    private let files: String

    private struct Connection {
        var person: UUID
        var name: String
        var outbox: ActivityOutbox<WatchEvent>
        var lastView: WatchRoomView?
        var lastPlayback: PlaybackView?
    }
    private var connections: [ConnectionID: Connection] = [:]
    private var nextConnection: ConnectionID = 0
    private var chat: [WatchChatLine] = []
    private var lastReaction: [UUID: Date] = [:]
    private let timer: ActivityTimer
    /// A timer's write failed: tried again then.
    private var retryAt: Date?

    public static let chatHistoryLength = 200
    public static let retryDelay: TimeInterval = 2
    /// One reaction per person per half second.
    public static let reactionGap: TimeInterval = 0.5

    /// The room of `key`; nil when there is no such room; refused with `closed` once closed.
    public static func load(_ key: ActivityKey, store: any WatchStore, clock: any ActivityClock, files: String) async throws -> WatchEngine? {
        guard let snapshot = try await store.load(room: key.id) else { return nil }
        if snapshot.state.closedAt != nil { throw ActivityRefusal.roomClosed }
        let room = WatchRoom(id: snapshot.id, host: snapshot.host, queue: snapshot.queue, playback: snapshot.state.playback,
                             control: snapshot.state.control, waitForEveryone: snapshot.state.waitForEveryone,
                             removed: snapshot.state.removed, loadedAt: clock.now)
        let engine = WatchEngine(key: key, room: room, store: store, clock: clock, files: files)
        await engine.loadChat(try await store.chatHistory(room: key.id, limit: Self.chatHistoryLength))
        return engine
    }

    init(key: ActivityKey, room: WatchRoom, store: any WatchStore, clock: any ActivityClock, files: String) {
        self.key = key
        self.room = room
        self.store = store
        self.clock = clock
        self.files = files
        timer = ActivityTimer(clock: clock)
    }

    private func loadChat(_ lines: [WatchChatLine]) { chat = lines }

    // MARK: Activity

    public func enter(_ participant: Participant, outbox: ActivityOutbox<WatchEvent>) async throws -> ConnectionID {
        try await line.perform { try await self.enterNow(participant, outbox: outbox) }
    }

    public func leave(_ connection: ConnectionID) async {
        _ = try? await line.perform { await self.leaveNow(connection) }
    }

    public func receive(_ request: WatchRequest, from connection: ConnectionID) async throws {
        try await line.perform { try await self.handleNow(request, from: connection) }
    }

    /// A video added from outside the page's socket (an upload, once processed).
    public func add(_ item: WatchItem, by person: UUID) async throws {
        try await line.perform { try await self.addNow(item, by: person) }
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

    private func enterNow(_ participant: Participant, outbox: ActivityOutbox<WatchEvent>) async throws -> ConnectionID {
        guard !isClosed else { throw ActivityRefusal.roomClosed }
        guard !room.removed.contains(participant.id) else { throw ActivityRefusal.removedFromRoom }
        if participant.id != room.host {
            let admitted: Bool
            do { admitted = try await store.admits(room: key.id, person: participant.id) } catch { throw ActivityRefusal.failed }
            guard admitted else { throw ActivityRefusal.pinFirst }
        }
        let page = nextConnection
        let before = room
        let replaced = try room.arrive(WatchPerson(id: participant.id, name: participant.name, isGuest: participant.isGuest, page: page),
                                       at: clock.now)
        do {
            try await store.joined(room: key.id, person: participant.id, isGuest: participant.isGuest, at: clock.now)
        } catch {
            room = before
            throw ActivityRefusal.failed
        }
        nextConnection += 1
        // One page per person: a newer one (another window, a reload) takes over.
        if let replaced, let old = connections.removeValue(forKey: replaced) {
            _ = old.outbox.send(.farewell(.replaced))
            old.outbox.finish()
        }
        connections[page] = Connection(person: participant.id, name: participant.name, outbox: outbox)
        _ = outbox.send(.chatHistory(chat))
        wakeTimer()
        sync()
        return page
    }

    private func leaveNow(_ connection: ConnectionID) async {
        guard let leaving = connections.removeValue(forKey: connection) else { return }
        let before = room
        guard room.depart(leaving.person, page: connection, at: clock.now) else { return }
        // A hold released by their leaving is stored (the room goes on from there).
        if room.playback != before.playback { try? await store.save(WatchState(room), room: key.id) }
        wakeTimer()
        sync()
    }

    private func handleNow(_ request: WatchRequest, from connection: ConnectionID) async throws {
        guard !isClosed else { throw ActivityRefusal.roomClosed }
        guard let me = connections[connection] else { throw ActivityRefusal("not-joined", "This page is not in the room.") }
        let before = room
        do {
            try await carryOut(request, by: me)
        } catch let refusal as ActivityRefusal {
            room = before
            throw refusal
        } catch {
            // A store write failed: the room forgets the change.
            room = before
            throw ActivityRefusal.failed
        }
        if room.isClosed { close(farewell: .closed); return }
        wakeTimer()
        sync()
    }

    private func carryOut(_ request: WatchRequest, by me: Connection) async throws {
        let now = clock.now
        let id = me.person
        let before = WatchState(room)
        switch request {
        case .play: try room.play(by: id, at: now)
        case .pause: try room.pause(by: id, at: now)
        case .seek(let position): try room.seek(to: position, by: id, at: now)
        case .rate(let rate): try room.setRate(rate, by: id, at: now)
        case .next: try room.next(by: id, at: now)
        case .select(let item): try room.select(item, by: id, at: now)
        case .dequeue(let item):
            try room.dequeue(item, by: id, at: now)
            try await store.dequeued(item, room: key.id)
        case .add(let link, let title):
            guard let source = WatchSource.parse(link), source.kind != "file" else {
                throw ActivityRefusal("bad-link", "Give a link to a video file (https://…/film.mp4) or to a YouTube video.")
            }
            let named = (title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard named.unicodeScalars.count <= WatchRequest.maxTitleLength else {
                throw ActivityRefusal("too-long", "A title can be up to \(WatchRequest.maxTitleLength) characters.")
            }
            try await addNow(WatchItem(id: UUID(), title: named.isEmpty ? source.suggestedTitle : named, source: source), by: id, syncing: false)
            return
        case .control(let control): try room.setControl(control, by: id, at: now)
        case .waitForEveryone(let on): try room.setWaitForEveryone(on, by: id, at: now)
        case .remove(let person):
            try room.remove(person, by: id, at: now)
            try await store.save(WatchState(room), room: key.id)
            for (page, connection) in connections where connection.person == person {
                connections[page] = nil
                _ = connection.outbox.send(.farewell(.removed))
                connection.outbox.finish()
            }
            return
        case .close: try room.close(by: id, at: now)
        case .stalled(let stalled): room.setStalled(id, stalled, at: now)
        case .duration(let item, let seconds):
            let known = room.queue.first { $0.id == item }?.duration
            try room.learnDuration(seconds, of: item)
            if known == nil { try await store.duration(seconds, of: item, room: key.id) }
        case .chat(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ActivityRefusal("empty", "Write something first.") }
            // As PostgreSQL counts the stored text (Unicode scalars).
            guard trimmed.unicodeScalars.count <= WatchRequest.maxChatLength else {
                throw ActivityRefusal("too-long", "A message can be up to \(WatchRequest.maxChatLength) characters.")
            }
            let line = try await store.chat(room: key.id, person: id, who: me.name, text: trimmed, at: now)
            chat.append(line)
            if chat.count > Self.chatHistoryLength { chat.removeFirst(chat.count - Self.chatHistoryLength) }
            broadcast(.chat(line))
            return
        case .react(let emoji):
            guard WatchRequest.reactions.contains(emoji) else { throw ActivityRefusal("bad-reaction", "That reaction is not one of the room's.") }
            if let last = lastReaction[id], now.timeIntervalSince(last) < Self.reactionGap {
                throw ActivityRefusal("too-fast", "One reaction at a time.")
            }
            lastReaction[id] = now
            broadcast(.reaction(who: me.name, emoji: emoji))
            return
        }
        // (a stall report that holds nobody changes nothing stored)
        if WatchState(room) != before { try await store.save(WatchState(room), room: key.id) }
    }

    private func addNow(_ item: WatchItem, by person: UUID, syncing: Bool = true) async throws {
        guard !isClosed else { throw ActivityRefusal.roomClosed }
        let before = room
        try room.enqueue(item, by: person, at: clock.now)
        do {
            try await store.added(item, room: key.id, by: person)
            try await store.save(WatchState(room), room: key.id)
        } catch {
            room = before
            throw ActivityRefusal.failed
        }
        if syncing {
            wakeTimer()
            sync()
        }
    }

    // MARK: Telling pages

    private func itemViews() -> [WatchItemView] {
        room.queue.map { item in
            var view = WatchItemView(id: item.id, title: item.title, kind: item.source.kind, duration: item.duration)
            switch item.source {
            case .file(let file):
                view.src = "\(files)/\(file.uuidString.lowercased())"
                if item.hasSubtitles { view.subtitles = "\(files)/\(file.uuidString.lowercased())/subtitles.vtt" }
            case .link(let url): view.src = url.absoluteString
            case .youtube(let id): view.youtube = id
            }
            return view
        }
    }

    /// Sends each page the room and the playback as it now sees them, when they changed.
    private func sync() {
        let items = itemViews()
        let playback = PlaybackView(room)
        for (page, connection) in connections {
            let view = WatchRoomView(room, for: connection.person, items: items)
            if view != connection.lastView {
                connections[page]?.lastView = view
                _ = connection.outbox.send(.room(view))
            }
            if playback != connection.lastPlayback {
                connections[page]?.lastPlayback = playback
                _ = connection.outbox.send(.playback(playback))
            }
        }
    }

    private func broadcast(_ event: WatchEvent) {
        for connection in connections.values { _ = connection.outbox.send(event) }
    }

    // MARK: Ending

    /// No more operations; every page is told why (when there is a why) and closed.
    private func close(farewell: WatchFarewell?) {
        guard !isClosed else { return }
        isClosed = true
        line.close()
        timer.close()
        for connection in connections.values {
            if let farewell { _ = connection.outbox.send(.farewell(farewell)) }
            connection.outbox.finish()
        }
        connections = [:]
    }

    // MARK: Timers: the end of the video, an empty room closing

    /// The timer's next deadline (`ActivityTimer`; none: it looks again in an hour): the room's,
    /// pushed back after a failed write.
    private func nextDeadline() -> Date? {
        room.nextDeadline().map { deadline in retryAt.map { max($0, deadline) } ?? deadline }
    }

    private func expireNow() async {
        let now = clock.now
        let before = room
        guard room.expire(at: now) else { return }
        do {
            try await store.save(WatchState(room), room: key.id)
            retryAt = nil
        } catch {
            // The database did not take it: the room stays as it was and the timer tries again.
            room = before
            retryAt = now.addingTimeInterval(Self.retryDelay)
            return
        }
        if room.isClosed { close(farewell: .closed); return }
        sync()
    }

    private func wakeTimer() { timer.wake() }

    // MARK: The rights seam (no media room yet: the people's cameras come later)

    public func mediaRoom(_ name: String) -> MediaRoomSpec? { nil }
    public func mayPublish(_ user: UUID, in name: String) -> Bool { false }
    public func mayWatch(_ user: UUID, publisher: UUID, in name: String) -> Bool { false }
    public func mayModerate(_ user: UUID, in name: String) -> Bool { false }
    public func setPublishing(_ user: UUID, in name: String, _ publishing: Bool) {}
    public func mediaLost() {}
}
