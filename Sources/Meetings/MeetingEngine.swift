import Foundation
import RealTime

/// What a meeting's room keeps in the database (its decisions and its chat); the engine's only I/O
/// besides its pages and the media server.
public protocol MeetingStore: Sendable {
    func load(meeting: UUID) async throws -> MeetingSnapshot?
    func started(meeting: UUID, at time: Date) async throws
    func ended(meeting: UUID, at time: Date) async throws
    func locked(meeting: UUID, _ on: Bool) async throws
    func decided(meeting: UUID, person: UUID, standing: MeetingStanding, coHost: Bool) async throws
    func chat(meeting: UUID, from: UUID, name: String, text: String) async throws -> MeetingChatLine
}

/// A meeting as loaded: its settings, the decisions hosts made, the latest chat.
public struct MeetingSnapshot: Sendable {
    public var title: String
    public var settings: MeetingSettings
    public var decisions: [UUID: (standing: MeetingStanding, coHost: Bool)]
    public var chat: [MeetingChatLine]

    public init(title: String, settings: MeetingSettings, decisions: [UUID: (standing: MeetingStanding, coHost: Bool)], chat: [MeetingChatLine]) {
        (self.title, self.settings, self.decisions, self.chat) = (title, settings, decisions, chat)
    }
}

extension ActivityKind {
    public static let meeting = ActivityKind("meeting")
}

/// One meeting's room, an activity of the real-time layer (DESIGN §10): the waiting room, who is
/// in, host controls, hands, reactions, chat, and who may send and see media in its one media
/// room. Every operation goes through one `OperationLine`; the rules are `MeetingRoom`'s; each
/// operation ends with `sync()`, which sends every page what changed for it.
public actor MeetingEngine: Activity {
    public nonisolated let key: ActivityKey
    public nonisolated let title: String
    private let store: any MeetingStore
    private let clock: any ActivityClock
    private var room: MeetingRoom
    private var chat: [MeetingChatLine]
    private var media: (any MediaRoomControl)?
    private let line = OperationLine()
    public private(set) var isClosed = false

    /// A page: whose it is and where its events go. Which page is a person's own now (the one
    /// they are sent to) is the room's to say (`MeetingPerson.page`), so who is connected is
    /// kept in one place, which the rights and the rules both read.
    private struct Connection {
        var person: UUID
        var outbox: ActivityOutbox<MeetingEvent>
        var lastSelf: MeetingSelfView?
        var hasHistory = false
    }
    private var connections: [ConnectionID: Connection] = [:]
    private var nextConnection: ConnectionID = 0
    /// The people list and waiting room as pages last heard them, and which pages heard them.
    private var publishedPeople: EncodedEvent?
    private var lastPeople: MeetingPeopleView?
    private var heardPeople: Set<ConnectionID> = []
    private var lastWaiting: [MeetingWaitingView]?
    private var heardWaiting: Set<ConnectionID> = []
    private var mediaEpoch = 0
    private var lastReaction: [UUID: Date] = [:]
    private let timer: ActivityTimer

    /// The meeting's one media room, everyone in it publishing and watching there: named anew
    /// each time the meeting is loaded, because a room whose activity closed is ended for good
    /// on the media tier, and an idle meeting is unloaded without being over.
    public nonisolated let mediaRoom = "meeting-" + String(UInt32.random(in: .min ... .max), radix: 16)
    /// A meeting nobody is in is unloaded after this long (loaded again by the next page).
    public static let idleUnload: TimeInterval = 600
    private var emptySince: Date?
    /// How many chat lines a page admitted later is sent (the whole chat stays in the database).
    public static let chatHistoryLength = 200
    /// Reactions from one person at most this often.
    public static let reactionInterval: TimeInterval = 0.5

    public static func load(_ key: ActivityKey, store: any MeetingStore, clock: any ActivityClock,
                            grace: TimeInterval = MeetingRoom.defaultGrace) async throws -> MeetingEngine? {
        guard let snapshot = try await store.load(meeting: key.id) else { return nil }
        if snapshot.settings.ended { throw ActivityRefusal("ended", "This meeting has ended.") }
        return MeetingEngine(key: key, snapshot: snapshot, store: store, clock: clock, grace: grace)
    }

    init(key: ActivityKey, snapshot: MeetingSnapshot, store: any MeetingStore, clock: any ActivityClock, grace: TimeInterval) {
        self.key = key
        title = snapshot.title
        self.store = store
        self.clock = clock
        timer = ActivityTimer(clock: clock)
        room = MeetingRoom(settings: snapshot.settings, decisions: snapshot.decisions, grace: grace)
        chat = Array(snapshot.chat.suffix(Self.chatHistoryLength))
    }

    // MARK: Activity

    public func enter(_ participant: Participant, outbox: ActivityOutbox<MeetingEvent>) async throws -> ConnectionID {
        try await line.perform { try await self.enterNow(participant, outbox: outbox) }
    }

    public func leave(_ connection: ConnectionID) async {
        _ = try? await line.perform { await self.leaveNow(connection) }
    }

    public func receive(_ request: MeetingRequest, from connection: ConnectionID) async throws {
        try await line.perform { try await self.handleNow(request, from: connection) }
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

    private func enterNow(_ participant: Participant, outbox: ActivityOutbox<MeetingEvent>) async throws -> ConnectionID {
        guard !isClosed else { throw ActivityRefusal("ended", "This meeting has ended.") }
        let now = clock.now
        let before = room
        let page = nextConnection
        nextConnection += 1
        let arrival = MeetingArrival(id: participant.id, name: participant.name, isGuest: participant.isGuest, isOrganizer: participant.isOrganizer)
        let arrived = try room.arrive(arrival, page: page, at: now)
        do {
            if !before.settings.started && room.settings.started { try await store.started(meeting: key.id, at: now) }
            let admitted = (before.people[participant.id]?.standing != .admitted && room.people[participant.id]?.standing == .admitted)
            if case .admitted(let others) = arrived {
                for id in (admitted ? [participant.id] : []) + others { try await persist(id) }
            }
        } catch {
            room = before
            throw ActivityRefusal.failed
        }
        // One page per person: a newer one (another window, a reload) takes over.
        if let old = before.people[participant.id]?.page, let replaced = forget(old) {
            _ = replaced.outbox.send(.farewell(.replaced))
            replaced.outbox.finish()
        }
        connections[page] = Connection(person: participant.id, outbox: outbox)
        emptySince = nil
        sync()
        return page
    }

    private func leaveNow(_ connection: ConnectionID) {
        guard let leaving = forget(connection), room.depart(leaving.person, page: connection, at: clock.now) else { return }
        noteIfEmpty()
        wakeTimer()
        sync()
    }

    /// A page the engine no longer sends to.
    private func forget(_ page: ConnectionID) -> Connection? {
        heardPeople.remove(page)
        heardWaiting.remove(page)
        return connections.removeValue(forKey: page)
    }

    private func handleNow(_ request: MeetingRequest, from connection: ConnectionID) async throws {
        guard !isClosed else { throw ActivityRefusal("ended", "This meeting has ended.") }
        guard let me = connections[connection]?.person else { throw ActivityRefusal("not-joined", "This page is not in the meeting.") }
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
        sync()
    }

    private func carryOut(_ request: MeetingRequest, by me: UUID) async throws {
        let now = clock.now
        let myName = room.people[me]?.name ?? ""
        switch request {
        case .admit(let id):
            try room.admit(id, by: me, at: now)
            try await persist(id)
        case .admitAll:
            for id in try room.admitAll(by: me, at: now) { try await persist(id) }
        case .refuse(let id):
            try room.refuse(id, by: me)
            try await persist(id)
            await dismiss(id, .refused)
        case .mute(let id):
            try room.mute(id, by: me)
            await media?.blockAudio(of: id, in: mediaRoom, of: key, true)
            send(.muted(by: myName), to: id)
        case .muteAll:
            for id in try room.muteAll(by: me) {
                await media?.blockAudio(of: id, in: mediaRoom, of: key, true)
                send(.muted(by: myName), to: id)
            }
        case .askToUnmute(let id):
            try room.askToUnmute(id, by: me)
            await media?.blockAudio(of: id, in: mediaRoom, of: key, false)
            send(.unmuteAsked(by: myName), to: id)
        case .lowerHand(let id):
            try room.lowerHand(id, by: me)
        case .remove(let id):
            try room.remove(id, by: me)
            try await persist(id)
            await dismiss(id, .removed)
            await media?.kick(id, from: mediaRoom, of: key)
        case .coHost(let id, let on):
            try room.setCoHost(id, on, by: me)
            if on { await media?.blockAudio(of: id, in: mediaRoom, of: key, false) }
            try await persist(id)
        case .lock(let on):
            try room.lock(on, by: me)
            try await store.locked(meeting: key.id, on)
        case .end:
            try room.end(by: me)
            try await store.ended(meeting: key.id, at: now)
            close(farewell: .ended)
            await media?.endRooms(of: key)
            return
        case .mic(let on): try room.setMic(me, on)
        case .camera(let on): try room.setCamera(me, on)
        case .share(let on): try room.share(me, on)
        case .hand(let up): if up { try room.raiseHand(me) } else { try room.lowerHand(me, by: me) }
        case .react(let emoji):
            guard room.mayChat(me) else { throw ActivityRefusal("not-admitted", "You are not in the meeting yet.") }
            if let last = lastReaction[me], now.timeIntervalSince(last) < Self.reactionInterval {
                throw ActivityRefusal("too-fast", "One reaction at a time.")
            }
            lastReaction[me] = now
            broadcast(.reaction(from: me, name: myName, emoji: emoji))
        case .chat(let text):
            guard room.mayChat(me) else { throw ActivityRefusal("not-admitted", "Only people in the meeting can chat.") }
            let line = try await store.chat(meeting: key.id, from: me, name: myName, text: text)
            chat.append(line)
            if chat.count > Self.chatHistoryLength { chat.removeFirst(chat.count - Self.chatHistoryLength) }
            broadcast(.chat(line))
        }
    }

    private func persist(_ id: UUID) async throws {
        guard let person = room.people[id], let standing = person.standing, standing != .waiting else { return }
        try await store.decided(meeting: key.id, person: id, standing: standing, coHost: person.coHost)
    }

    // MARK: Telling pages

    private func send(_ event: MeetingEvent, to person: UUID) {
        guard let page = room.people[person]?.page else { return }
        _ = connections[page]?.outbox.send(event)
    }

    /// To everyone in the room, encoded once.
    private func broadcast(_ event: MeetingEvent) {
        let shared = MeetingEvent.shared(EncodedEvent(event, activity: key))
        for (_, connection) in connections where room.isPresent(connection.person) { _ = connection.outbox.send(shared) }
    }

    /// A person's page is told why they are out, and closed.
    private func dismiss(_ person: UUID, _ reason: MeetingFarewell) async {
        guard let page = room.people[person]?.page, let connection = forget(page) else { return }
        _ = connection.outbox.send(.farewell(reason))
        connection.outbox.finish()
        room.depart(person, page: page, at: clock.now)
        noteIfEmpty()
        await media?.reviewRights(of: key, users: [person])
    }

    /// Sends each page what changed for it: its own state, the people list, the waiting room
    /// (hosts), the chat history (once admitted).
    private func sync() {
        let now = clock.now
        let peopleView = peopleView(at: now)
        if peopleView != lastPeople {
            lastPeople = peopleView
            publishedPeople = EncodedEvent(MeetingEvent.people(peopleView), activity: key)
            heardPeople = []
        }
        let waiting = room.waitingPeople.map { MeetingWaitingView(id: $0.id, name: $0.name, guest: $0.isGuest) }
        if waiting != lastWaiting {
            lastWaiting = waiting
            heardWaiting = []
        }
        for (id, connection) in connections {
            let view = selfView(connection.person)
            if let view, view != connection.lastSelf {
                connections[id]?.lastSelf = view
                _ = connection.outbox.send(.you(view))
            }
            guard room.isPresent(connection.person) else { continue }
            // The people first: whom a page watches comes from them, the chat can wait a moment.
            if !heardPeople.contains(id), let publishedPeople {
                heardPeople.insert(id)
                _ = connection.outbox.send(.shared(publishedPeople))
            }
            if !connection.hasHistory {
                connections[id]?.hasHistory = true
                _ = connection.outbox.send(.chatHistory(chat))
            }
            if room.mayModerate(connection.person), !heardWaiting.contains(id) {
                heardWaiting.insert(id)
                _ = connection.outbox.send(.waiting(waiting))
            }
        }
    }

    private func selfView(_ id: UUID) -> MeetingSelfView? {
        guard let person = room.people[id], let standing = person.standing, let role = room.role(of: id) else { return nil }
        let settings = room.settings
        var waitingFor: WaitingReason?
        if standing == .waiting { waitingFor = settings.waitingRoom || person.isGuest ? .admission : .host }
        return MeetingSelfView(you: id, standing: standing, waitingFor: waitingFor, role: role, hostPresent: room.hostPresent,
                               blocked: person.blocked, mic: person.mic, camera: person.camera, hand: person.hand != nil,
                               locked: settings.locked, waitingRoom: settings.waitingRoom, guestsAllowed: settings.guestsAllowed,
                               cap: settings.cap, mediaEpoch: mediaEpoch, mediaRoom: mediaRoom)
    }

    private func peopleView(at now: Date) -> MeetingPeopleView {
        let hands = room.raisedHands
        let people = room.seatedPeople(at: now).map { person in
            MeetingPersonView(id: person.id, name: person.name, role: room.role(of: person.id) ?? .participant, mic: person.mic,
                              camera: person.camera, sharing: person.sharing, hand: hands.firstIndex(of: person.id).map { $0 + 1 },
                              blocked: person.blocked, publishing: person.publishing, away: !person.connected)
        }
        return MeetingPeopleView(people: people, presenter: room.presenter, speaker: room.speaker)
    }

    // MARK: Ending

    /// No more operations; every page is told why (when there is a why) and closed.
    private func close(farewell: MeetingFarewell?) {
        guard !isClosed else { return }
        isClosed = true
        line.close()
        timer.close()
        let now = clock.now
        for (page, connection) in connections {
            if let farewell { _ = connection.outbox.send(.farewell(farewell)) }
            connection.outbox.finish()
            room.depart(connection.person, page: page, at: now)
        }
        connections = [:]
    }

    // MARK: Timers: places kept for people whose page went away run out

    private func noteIfEmpty() {
        if connections.isEmpty && emptySince == nil { emptySince = clock.now }
    }

    /// The timer's next deadline (`ActivityTimer`; none: it looks again in an hour).
    private func nextDeadline() -> Date? {
        let unload = emptySince.map { $0.addingTimeInterval(Self.idleUnload) }
        return [room.nextExpiry(after: clock.now), unload].compactMap { $0 }.min()
    }

    private func expireNow() {
        let now = clock.now
        if let emptySince, connections.isEmpty, now >= emptySince.addingTimeInterval(Self.idleUnload) {
            // Nobody here for a while: unloaded (nothing is lost: decisions and chat are stored).
            close(farewell: nil)
            return
        }
        _ = room.expire(at: now)
        sync()
    }

    private func wakeTimer() { timer.wake() }

    // MARK: The rights seam

    public func mediaRoom(_ name: String) -> MediaRoomSpec? {
        guard !isClosed, name == mediaRoom else { return nil }
        return MediaRoomSpec(publishers: MeetingRoom.maxCap + 5, talkingEvents: true)
    }

    public func mayPublish(_ user: UUID, in name: String) -> Bool {
        !isClosed && name == mediaRoom && room.mayPublish(user)
    }

    public func mayWatch(_ user: UUID, publisher: UUID, in name: String) -> Bool {
        !isClosed && name == mediaRoom && room.mayWatch(user, publisher: publisher)
    }

    public func mayModerate(_ user: UUID, in name: String) -> Bool {
        !isClosed && name == mediaRoom && room.mayModerate(user)
    }

    public func setPublishing(_ user: UUID, in name: String, _ publishing: Bool) {
        guard name == mediaRoom, room.setPublishing(user, publishing) else { return }
        sync()
    }

    public func talking(_ user: UUID, in name: String, _ talking: Bool) {
        guard name == mediaRoom, room.talking(user, talking), let speaker = room.speaker else { return }
        let user = speaker
        broadcast(.speaker(user))
        // Pages that come later hear the speaker with the list; those here just did.
        if var view = lastPeople {
            view.speaker = user
            lastPeople = view
            publishedPeople = EncodedEvent(MeetingEvent.people(view), activity: key)
        }
    }

    public func mediaLost() {
        mediaEpoch += 1
        sync()
    }
}
