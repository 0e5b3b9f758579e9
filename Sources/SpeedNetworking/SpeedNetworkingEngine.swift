import Foundation
import RealTime
import Matching

/// The engine's own durations (the session's are in `SessionTimes`).
public struct EngineTimings: Sendable {
    /// How long the pool collects members before a matching round, so that several who press
    /// "Meet someone" together are matched together (maximum matching needs a pool, not a queue).
    public var matchDelay: Duration
    /// How long a disconnected person keeps their place (pair, pool) — long enough to reload
    /// the page or survive a server restart, short enough that a partner is not left waiting.
    public var reconnectGrace: Duration
    /// Changes of the people list go out at most this often: the first at once, those that
    /// follow within the interval together at its end (a crowd arriving costs a few dozen
    /// messages per page, not one per arrival). Zero sends every change at once.
    public var peopleInterval: Duration

    public init(matchDelay: Duration, reconnectGrace: Duration, peopleInterval: Duration = .zero) {
        self.matchDelay = matchDelay
        self.reconnectGrace = reconnectGrace
        self.peopleInterval = peopleInterval
    }

    public static let production = EngineTimings(matchDelay: .seconds(2), reconnectGrace: .seconds(20), peopleInterval: .milliseconds(100))
}

/// One running session (DESIGN §4): the timeline, presence, the pool, the pairs and their
/// timers, surveys. Every change is written to the store before it takes effect in memory, so
/// a new engine loaded from the store after a restart continues where this one stopped.
///
/// Operations are carried out one at a time by a command loop (`run()`): an operation that
/// awaits the store finishes before the next one looks at the state, so actor reentrancy
/// cannot interleave them.
///
/// It is an activity of the real-time layer: pages enter it through their socket, and media
/// code asks it (`MediaRights`) what each person may do in its rooms, "lobby" and "pair-<id>".
public actor SpeedNetworkingEngine: Activity {
    public typealias Request = SpeedNetworkingRequest
    public typealias Event = SpeedNetworkingEvent

    public nonisolated let key: ActivityKey
    public nonisolated var sessionID: UUID { key.id }
    public nonisolated let title: String
    public nonisolated let times: SessionTimes
    public nonisolated let questions: [SurveyQuestion]
    private let store: any SpeedNetworkingStore
    private let clock: any ActivityClock
    private let timings: EngineTimings
    private var rng: SeededGenerator

    // Recorded state (mirrors the store).
    private var pairings: [UUID: PairingRecord] = [:]
    private var activePairing: [UUID: UUID] = [:]  // user → running pairing
    private var pendingSurvey: [UUID: UUID] = [:]  // user → pairing to answer about
    private var responses: Set<ResponseKey> = []
    private var pool: [UUID: PoolEntry] = [:]
    private var met: Set<Pair<UUID>> = []
    private var round = 0
    private var availableOrganizer: UUID?
    private var endHandled = false

    // Live-only state.
    private var names: [UUID: String] = [:]
    private var organizers: Set<UUID> = []
    private var connections: [ConnectionID: (user: UUID, outbox: ActivityOutbox<SpeedNetworkingEvent>)] = [:]
    /// Each connection's visit of the room (attendance: the time people spent here).
    private var visits: [ConnectionID: UUID] = [:]
    private var nextConnection: ConnectionID = 0
    /// People without a connection who keep their place until the grace runs out.
    private var disconnectedSince: [UUID: Date] = [:]
    private var matchDue: Date?
    private var lastView: [ConnectionID: SpeedNetworkingView] = [:]
    /// Open connections per person (several windows count once).
    private var connectionsOf: [UUID: Int] = [:]
    /// The people list as pages last heard it: a change sends only what differs, encoded once.
    private var publishedPeople: [UUID: RoomPresence.Entry] = [:]
    /// Connections that must be sent the whole list (new, or their buffer dropped messages).
    private var needsAllPeople: Set<ConnectionID> = []
    /// The whole list as pages last heard it, encoded once for all who enter until it changes.
    private var wholePeople: SpeedNetworkingEvent?
    /// Changes of the people list go out at most every `timings.peopleInterval`.
    private var peoplePacer: ChangePacer
    /// What organizers' pages last heard of the pairs and the pool, and who has heard it.
    private var publishedRoom: OrganizerRoom?
    private var heardRoom: Set<ConnectionID> = []
    public private(set) var isClosed = false
    /// Who publishes media where right now (kept by the media layer; not persisted).
    /// Camera connections up per person (a person may have a few windows open).
    private var publishing: [UUID: Int] = [:]
    /// Organizers who said they broadcast to the lobby (not persisted: a restart asks again).
    private var broadcasting: Set<UUID> = []
    /// Bumped when the media tier lost rooms (a Janus node died): pages set their media up again.
    private var mediaEpoch = 0
    /// Where pair rooms end (at once, whatever the browsers do) and the lobby room with the session.
    private var media: (any MediaRoomControl)?

    // The command loop's queue, and the timer loop.
    let commands: AsyncStream<Command>
    private let submitter: AsyncStream<Command>.Continuation
    private let timer: ActivityTimer

    /// Loads a session from the store and catches up with the clock (pairs that ended while
    /// nobody ran the session are ended now, with their surveys). Nil when there is no such session.
    public static func load(
        _ key: ActivityKey, store: any SpeedNetworkingStore, clock: any ActivityClock,
        timings: EngineTimings = .production, seed: UInt64 = UInt64.random(in: 0 ... .max)
    ) async throws -> SpeedNetworkingEngine? {
        guard let snapshot = try await store.load(session: key.id) else { return nil }
        let engine = SpeedNetworkingEngine(key: key, snapshot: snapshot, store: store, clock: clock, timings: timings, seed: seed)
        try await engine.catchUp()
        return engine
    }

    init(key: ActivityKey, snapshot: SpeedNetworkingSnapshot, store: any SpeedNetworkingStore, clock: any ActivityClock, timings: EngineTimings, seed: UInt64) {
        self.key = key
        (commands, submitter) = AsyncStream<Command>.makeStream()
        title = snapshot.title
        times = snapshot.times
        questions = snapshot.questions
        self.store = store
        self.clock = clock
        timer = ActivityTimer(clock: clock)
        self.timings = timings
        peoplePacer = ChangePacer(interval: timings.peopleInterval)
        rng = SeededGenerator(seed: seed)
        names = snapshot.names
        responses = snapshot.responses
        availableOrganizer = snapshot.availableOrganizer
        let now = clock.now
        var latestPairing: [UUID: PairingRecord] = [:]
        for pairing in snapshot.pairings {
            pairings[pairing.id] = pairing
            met.insert(Pair(pairing.memberA, pairing.memberB))
            round = max(round, pairing.round)
            if pairing.withOrganizer { organizers.insert(pairing.memberB) }
            for user in [pairing.memberA, pairing.memberB] {
                if pairing.endedAt == nil { activePairing[user] = pairing.id; disconnectedSince[user] = now }
                if latestPairing[user].map({ $0.startedAt < pairing.startedAt }) ?? true { latestPairing[user] = pairing }
            }
        }
        // A survey is pending for the latest pairing that ended by the clock and is unanswered.
        for (user, pairing) in latestPairing where pairing.endedAt != nil && pairing.endReason != .left {
            let key = ResponseKey(pairing: pairing.id, submitter: user)
            if !snapshot.questions.isEmpty && !snapshot.responses.contains(key) { pendingSurvey[user] = pairing.id }
        }
        for entry in snapshot.pool {
            pool[entry.user] = entry
            disconnectedSince[entry.user] = now
        }
        let poolEmpty = snapshot.pool.isEmpty
        if poolEmpty { endHandled = now >= snapshot.times.end }
        if !poolEmpty { matchDue = now + timings.reconnectGrace }
    }

    /// What is due before anyone sees the session (nobody else holds it yet, so no command loop).
    /// Visits still open belong to pages of an engine before this one (a restart): they said no
    /// goodbye, so they end now (or at the room's closing, if that came first).
    private func catchUp() async throws {
        try await store.closeVisits(session: sessionID, at: min(clock.now, times.closes))
        try await processDue()
    }

    deinit { submitter.finish() }

    // MARK: Operations

    /// Enters the room. `outbox` gets everything for this connection; it is finished when the
    /// session closes or `leave(_:)` is called.
    public func enter(_ user: Participant, outbox: ActivityOutbox<SpeedNetworkingEvent>) async throws -> ConnectionID {
        // Attendance is written before the person enters, but outside the command loop: joins
        // write side by side instead of each waiting for the ones before it (nothing of the
        // session's state depends on it). A page that is then refused may leave a row behind.
        let now = clock.now
        let phase = times.phase(at: now)
        if isClosed || phase == .closed { throw ActivityRefusal.closed }
        if phase == .scheduled { throw ActivityRefusal.notOpenYet(times.lobbyOpens) }
        let visit = UUID()
        do { try await store.recordAttendance(session: sessionID, user: user, visit: visit, at: now) } catch { throw ActivityRefusal.failed }
        do {
            return try await submit { .enter(user, outbox, visit, $0) }
        } catch {
            // Refused after all: the visit that was opened for it ends at once.
            try? await store.recordLeaving(session: sessionID, visit: visit, at: clock.now)
            throw error
        }
    }

    private func enterNow(_ user: Participant, outbox: ActivityOutbox<SpeedNetworkingEvent>, visit: UUID) async throws -> ConnectionID {
        let now = clock.now
        let phase = times.phase(at: now)
        if isClosed || phase == .closed { throw ActivityRefusal.closed }
        if phase == .scheduled { throw ActivityRefusal.notOpenYet(times.lobbyOpens) }
        guard connectionsOf[user.id, default: 0] < Self.maxConnectionsPerPerson else {
            throw ActivityRefusal("too-many-windows", "This room is open in too many of your windows; close one and reload.")
        }
        names[user.id] = user.name
        // The role as of this connection: someone made or unmade organizer since keeps no old rights.
        if user.isOrganizer { organizers.insert(user.id) } else { organizers.remove(user.id) }
        disconnectedSince[user.id] = nil
        let id = nextConnection
        nextConnection += 1
        connections[id] = (user.id, outbox)
        visits[id] = visit
        connectionsOf[user.id, default: 0] += 1
        needsAllPeople.insert(id)
        if pool[user.id] != nil { scheduleMatch(at: now + timings.matchDelay) }
        offerOrganizerIfFree(user.id, now: now)
        publish()
        return id
    }

    /// A connection ended (page closed, reloaded, network lost). The person keeps their place
    /// for the reconnect grace.
    public func leave(_ connection: ConnectionID) async {
        let visit: UUID? = await withCheckedContinuation { reply in
            if case .terminated = submitter.yield(.leave(connection, reply)) { reply.resume(returning: nil) }
        }
        // Like entering, outside the command loop: nothing of the session waits on it. If it
        // fails, the visit is ended when the room closes or the next engine loads.
        if let visit { try? await store.recordLeaving(session: sessionID, visit: visit, at: clock.now) }
    }

    /// Returns the connection's visit, to be ended.
    private func leaveNow(_ connection: ConnectionID) -> UUID? {
        guard let (user, outbox) = connections.removeValue(forKey: connection) else { return nil }
        let visit = visits.removeValue(forKey: connection)
        outbox.finish()
        lastView[connection] = nil
        needsAllPeople.remove(connection)
        heardRoom.remove(connection)
        connectionsOf[user]? -= 1
        if connectionsOf[user] == 0 { connectionsOf[user] = nil }
        if !isConnected(user) && !isClosed {
            disconnectedSince[user] = clock.now
            wakeTimer()
        }
        publish()
        return visit
    }

    /// Handles one request from a connection; a refusal is thrown back to that page only.
    public func receive(_ request: SpeedNetworkingRequest, from connection: ConnectionID) async throws {
        guard let user = connections[connection]?.user else { return }
        do {
            try await submit { .request(user, request, $0) }
        } catch let refusal as ActivityRefusal {
            throw refusal
        } catch {
            throw ActivityRefusal.failed
        }
    }

    /// A request of `user`, in the command loop.
    private func handle(_ request: SpeedNetworkingRequest, from user: UUID) async throws {
        switch request {
        case .meet: try await meetNow(user)
        case .leavePool: try await leavePoolNow(user)
        case .survey(let pairing, let answers): try await submitSurveyNow(user, pairing: pairing, answers: answers)
        case .available(let value): try await setAvailableNow(user, value)
        case .broadcast(let value): try await setBroadcastNow(user, value)
        }
    }

    public func meet(_ user: UUID) async throws {
        try await submit { .request(user, .meet, $0) }
    }

    private func meetNow(_ user: UUID) async throws {
        let now = clock.now
        guard times.phase(at: now).canMeet else {
            throw times.phase(at: now) < .running
                ? ActivityRefusal("not-started", "Meeting starts when the session begins.")
                : ActivityRefusal("ended", "The session has ended; no new conversations start.")
        }
        guard !organizers.contains(user) else {
            throw ActivityRefusal("organizer", "Organizers meet left-over members by being available.")
        }
        guard times.canStartPair(at: now) else {
            throw ActivityRefusal("too-late", "No new conversations start this close to the end of the session.")
        }
        guard activePairing[user] == nil, pendingSurvey[user] == nil, pool[user] == nil else {
            throw ActivityRefusal("busy", "You are already waiting or in a conversation.")
        }
        let entry = PoolEntry(user: user, queuedAt: now, priority: false)
        try await store.enterPool(session: sessionID, entry: entry)
        pool[user] = entry
        scheduleMatchForPool(now: now)
        publish()
    }

    public func leavePool(_ user: UUID) async throws {
        try await submit { .request(user, .leavePool, $0) }
    }

    private func leavePoolNow(_ user: UUID) async throws {
        guard pool[user] != nil else { throw ActivityRefusal("not-waiting", "You are not waiting.") }
        try await store.leavePool(session: sessionID, user: user)
        pool[user] = nil
        publish()
    }

    public func submitSurvey(_ user: UUID, pairing: UUID, answers: [String: String]) async throws {
        try await submit { .request(user, .survey(pairing: pairing, answers: answers), $0) }
    }

    private func submitSurveyNow(_ user: UUID, pairing: UUID, answers: [String: String]) async throws {
        guard pendingSurvey[user] == pairing, let record = pairings[pairing], let target = record.partner(of: user) else {
            throw ActivityRefusal("no-survey", "There is no survey to answer about that conversation.")
        }
        let problems = SurveyQuestion.problems(questions, answers: answers)
        guard problems.isEmpty else { throw ActivityRefusal("invalid-survey", problems.joined(separator: " ")) }
        let now = clock.now
        let stored = questions.enumerated().compactMap { position, question -> SurveyResponse.Answer? in
            let value = (answers[question.key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : .init(question: question, position: position, value: value)
        }
        let response = SurveyResponse(pairing: pairing, submitter: user, target: target, submittedAt: now, answers: stored)
        // Back to the pool while new pairs can still start; organizers go back to the lobby.
        let requeue = !organizers.contains(user) && times.canStartPair(at: now)
            ? PoolEntry(user: user, queuedAt: now, priority: false) : nil
        try await store.recordResponse(session: sessionID, response, requeue: requeue)
        responses.insert(ResponseKey(pairing: pairing, submitter: user))
        pendingSurvey[user] = nil
        if let requeue {
            pool[user] = requeue
            scheduleMatchForPool(now: now)
        }
        offerOrganizerIfFree(user, now: now)
        publish()
    }

    public func setBroadcast(_ user: UUID, _ on: Bool) async throws {
        try await submit { .request(user, .broadcast(on), $0) }
    }

    /// An organizer's camera reaches the lobby only while they say so: after a conversation
    /// with a member it is not shown to everyone unless they broadcast again.
    private func setBroadcastNow(_ user: UUID, _ on: Bool) async throws {
        guard organizers.contains(user) else { throw ActivityRefusal("not-organizer", "Only organizers can do that.") }
        if on { broadcasting.insert(user) } else { broadcasting.remove(user) }
        if !on { await media?.reviewRights(of: key, users: nil) }
        publish()
    }

    public func setAvailable(_ user: UUID, _ available: Bool) async throws {
        try await submit { .request(user, .available(available), $0) }
    }

    private func setAvailableNow(_ user: UUID, _ available: Bool) async throws {
        guard organizers.contains(user) else { throw ActivityRefusal("not-organizer", "Only organizers can do that.") }
        let newValue: UUID? = available ? user : (availableOrganizer == user ? nil : availableOrganizer)
        guard newValue != availableOrganizer else { return }
        try await store.setAvailableOrganizer(session: sessionID, user: newValue)
        availableOrganizer = newValue
        if newValue != nil && !pool.isEmpty { scheduleMatch(at: clock.now) }
        publish()
    }

    /// Processes everything due at the clock's time: pair notices and ends, the session end,
    /// expired reconnect graces, a due matching round, the close.
    public func tick() async throws {
        try await submit { .tick($0) }
    }

    /// Runs the session until it closes or is shut down: the command loop, which carries out
    /// every operation one at a time, and the timers, which ask it to process what is due.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runTimers() }
            await serveCommands()
            group.cancelAll()
        }
    }

    /// The command loop. Each command is carried out to its end — including the store write it
    /// awaits — before the next one looks at the state, so actor reentrancy cannot interleave
    /// two operations. Ends when the session closes or is shut down (commands already queued
    /// are refused).
    private func serveCommands() async {
        for await command in commands { await carryOut(command) }
    }

    /// One command, to its end.
    func carryOut(_ command: Command) async {
        switch command {
        case .enter(let user, let outbox, let visit, let reply):
            do { reply.resume(returning: try await enterNow(user, outbox: outbox, visit: visit)) } catch { reply.resume(throwing: error) }
        case .leave(let connection, let reply):
            reply.resume(returning: leaveNow(connection))
        case .request(let user, let request, let reply):
            guard !isClosed else { return reply.resume(throwing: ActivityRefusal.closed) }
            do { reply.resume(returning: try await handle(request, from: user)) } catch { reply.resume(throwing: error) }
        case .tick(let reply):
            do { reply.resume(returning: try await processDue()) } catch { reply.resume(throwing: error) }
        case .sendPeople:
            peoplePacer.dueNow()
            publishPeople(now: clock.now)
        }
    }

    /// Sleeps until the next event (or until woken by a change) and has it processed, until the
    /// session closes. Store failures are retried on the next wake.
    private func runTimers() async {
        let clock = self.clock
        await timer.run(idle: 60, next: { await self.nextWake(after: clock.now) }) {
            do { try await self.tick() } catch { try? await clock.sleep(until: clock.now + .seconds(1)) }
        }
    }

    /// Stops the loops and ends every connection (server shutdown); nothing is written.
    public func shutdown() {
        close()
    }

    /// No more commands or timers; every connection ends.
    private func close() {
        isClosed = true
        submitter.finish()
        timer.close()
        for (_, connection) in connections { connection.outbox.finish() }
        connections = [:]
        visits = [:]
        connectionsOf = [:]
    }

    private func submit<T: Sendable>(_ command: (CheckedContinuation<T, any Error>) -> Command) async throws -> T {
        try await withCheckedThrowingContinuation { reply in
            if case .terminated = submitter.yield(command(reply)) { reply.resume(throwing: ActivityRefusal.closed) }
        }
    }

    /// What the command loop carries out, one at a time.
    enum Command: Sendable {
        case enter(Participant, ActivityOutbox<SpeedNetworkingEvent>, UUID, CheckedContinuation<ConnectionID, any Error>)
        case leave(ConnectionID, CheckedContinuation<UUID?, Never>)
        case request(UUID, SpeedNetworkingRequest, CheckedContinuation<Void, any Error>)
        case tick(CheckedContinuation<Void, any Error>)
        /// The people-list interval ended: send the changes it held back.
        case sendPeople
    }

    // MARK: Media (the socket layer reports; views carry it)

    public func attach(media: any MediaRoomControl) { self.media = media }

    /// The session's one media room: every camera of the session goes there — the organizers'
    /// broadcast and the members' cameras — and who sees whom is decided here, per person, not
    /// by rooms. So a page keeps its two connections from the lobby through every round: a new
    /// partner is a renegotiation of the watching connection, not a new one (docs/MEDIA.md).
    public static let mediaRoomName = "session"
    /// Janus's cap on publishers in the room: everyone in a large session may be in a pair.
    public static let maxPublishers = 5000

    public func mediaRoom(_ room: String) -> MediaRoomSpec? {
        guard !isClosed, room == Self.mediaRoomName, times.phase(at: clock.now).canEnter else { return nil }
        return MediaRoomSpec(publishers: Self.maxPublishers)
    }

    /// What the media layer may let `user` do now, decided by the timeline and the pairs:
    /// organizers publish while they broadcast to the lobby or talk with a member; members
    /// publish from the lobby on for as long as pairs can still start, so their camera
    /// connection is up before they are matched and stays up between rounds (with the camera
    /// off while they are not waiting or talking) — and nobody but a partner may watch it.
    public func mayPublish(_ user: UUID, in room: String) -> Bool {
        guard !isClosed, room == Self.mediaRoomName, isConnected(user) else { return false }
        if activePairing[user] != nil { return true }
        if organizers.contains(user) { return broadcastsToLobby(user) }
        let now = clock.now
        return times.phase(at: now).canEnter && (now < times.start || times.canStartPair(at: now))
    }

    /// Whom `user` may watch: the organizers broadcasting to the lobby, and their partner.
    public func mayWatch(_ user: UUID, publisher: UUID, in room: String) -> Bool {
        guard !isClosed, room == Self.mediaRoomName, isConnected(user) else { return false }
        if isBroadcasting(publisher) && times.phase(at: clock.now).canEnter { return true }
        return activePairing[user].flatMap { pairings[$0]?.partner(of: user) } == publisher
    }

    /// Nobody moderates a speed-networking room: the timeline and the pairs decide.
    public func mayModerate(_ user: UUID, in room: String) -> Bool { false }

    /// An organizer may broadcast to the lobby while it is open, except while talking with a
    /// member: that conversation is private (the page pauses the broadcast and resumes it after).
    private func broadcastsToLobby(_ user: UUID) -> Bool {
        organizers.contains(user) && activePairing[user] == nil && times.phase(at: clock.now).mayPublishInLobby(isOrganizer: true)
    }

    /// Seen in the lobby: an organizer who broadcasts, publishing and not in a pair just now.
    private func isBroadcasting(_ user: UUID) -> Bool {
        organizers.contains(user) && broadcasting.contains(user) && publishing[user] != nil && activePairing[user] == nil
    }

    /// One camera connection of `user` came up or went down.
    public func setPublishing(_ user: UUID, in room: String, _ on: Bool) {
        guard room == Self.mediaRoomName else { return }
        let count = (publishing[user] ?? 0) + (on ? 1 : -1)
        publishing[user] = count > 0 ? count : nil
        publish()
    }

    public func mediaLost() { resetMedia() }

    /// The media tier lost rooms: forget who publishes and tell every page to start again.
    public func resetMedia() {
        publishing = [:]
        mediaEpoch += 1
        publish()
    }

    // MARK: Inspection (tests, organizer tools)

    public func view(of user: UUID) -> SpeedNetworkingView { makeView(for: user, at: clock.now) }
    public var waitingUsers: [UUID] { orderedPool().map(\.user) }
    public var allPairings: [PairingRecord] {
        pairings.values.sorted { ($0.startedAt, $0.round, $0.id) < ($1.startedAt, $1.round, $1.id) }
    }
    public var connectionCount: Int { connections.count }

    /// The earliest instant strictly after `time` at which something is due.
    public func nextWake(after time: Date) -> Date? {
        var candidates: [Date] = []
        if let next = times.nextEvent(after: time) { candidates.append(next) }
        // Overdue work (a write that failed earlier) is due now, not at the next unrelated event.
        if time >= times.end && !endHandled { candidates.append(time) }
        // The pool empties just after the last moment a pair may start.
        if !pool.isEmpty && time < times.end { candidates.append(max(time, times.lastPairStart.addingTimeInterval(0.001))) }
        for pairing in Set(activePairing.values).compactMap({ pairings[$0] }) {
            let pairClock = times.pair(startedAt: pairing.startedAt)
            if pairClock.overAt <= time { candidates.append(time) } else if let next = pairClock.nextEvent(after: time) { candidates.append(next) }
        }
        if let matchDue { candidates.append(max(matchDue, time)) }
        for since in disconnectedSince.values { candidates.append(max(since + timings.reconnectGrace, time)) }
        return candidates.min()
    }

    // MARK: Processing

    private func processDue() async throws {
        guard !isClosed else { return }
        let now = clock.now
        // 1. Pairs whose time is up (the session end cuts them at E).
        for pairingID in Set(activePairing.values) {
            guard let record = pairings[pairingID] else { continue }
            let clockOfPair = times.pair(startedAt: record.startedAt)
            guard clockOfPair.overAt <= now else { continue }
            let reason: PairingEnd = clockOfPair.isCutShort && clockOfPair.overAt >= times.end ? .sessionEnd : .time
            try await endPairing(record, at: clockOfPair.overAt, reason: reason, leftBy: nil, now: now)
        }
        // 2. The session end: the pool empties, everyone is back in the lobby.
        if now >= times.end && !endHandled {
            if !pool.isEmpty { try await store.clearPool(session: sessionID) }
            pool = [:]
            matchDue = nil
            endHandled = true
        }
        // 2b. Past the last moment a pair may start: whoever still waits would wait in vain
        //     ("Finding you someone…" to the end), so they go back to the lobby, told why.
        if now > times.lastPairStart && now < times.end && !pool.isEmpty {
            let waiting = orderedPool().map(\.user)
            try await store.clearPool(session: sessionID)
            pool = [:]
            matchDue = nil
            for user in waiting {
                send(.notice("No new conversations start this close to the end, so you are back in the lobby. Thank you for taking part!"), to: user)
            }
        }
        // 3. People who did not come back in time lose their place.
        for (user, since) in disconnectedSince where since + timings.reconnectGrace <= now {
            if let pairingID = activePairing[user], let record = pairings[pairingID] {
                try await endPairing(record, at: now, reason: .left, leftBy: user, now: now)
            }
            if pool[user] != nil {
                try await store.leavePool(session: sessionID, user: user)
                pool[user] = nil
            }
            disconnectedSince[user] = nil
        }
        // 4. A due matching round.
        if let due = matchDue, due <= now { try await matchRound(at: now) }
        // 5. The close: the room is deallocated; the data stays.
        if times.phase(at: now) == .closed {
            try await store.closeVisits(session: sessionID, at: times.closes)
            await media?.endRooms(of: key)
            for (id, connection) in connections {
                _ = connection.outbox.send(.state(makeView(for: connection.user, at: now)))
                lastView[id] = nil
            }
            close()
            return
        }
        publish()
    }

    private func endPairing(_ record: PairingRecord, at end: Date, reason: PairingEnd, leftBy: UUID?, now: Date) async throws {
        var stayer: UUID?
        var requeue: [PoolEntry] = []
        if reason == .left, let leaver = leftBy, let partner = record.partner(of: leaver) {
            stayer = partner
            if !organizers.contains(partner) && times.canStartPair(at: now) {
                requeue = [PoolEntry(user: partner, queuedAt: record.startedAt, priority: true)]
            }
        } else if questions.isEmpty {
            // No survey: both straight back to the pool while pairs can still start.
            requeue = [record.memberA, record.memberB].filter { !organizers.contains($0) && times.canStartPair(at: now) }
                .map { PoolEntry(user: $0, queuedAt: now, priority: false) }
        }
        try await store.endPairing(session: sessionID, pairing: record.id, at: end, reason: reason, leftBy: leftBy, requeue: requeue)
        var ended = record
        ended.endedAt = end
        ended.endReason = reason
        ended.leftBy = leftBy
        pairings[record.id] = ended
        for user in [record.memberA, record.memberB] {
            activePairing[user] = nil
            if reason != .left && !questions.isEmpty { pendingSurvey[user] = record.id }
        }
        // The two may no longer watch each other: their subscriptions are cut now, whatever
        // their pages do.
        await media?.reviewRights(of: key, users: [record.memberA, record.memberB])
        for entry in requeue {
            pool[entry.user] = entry
            scheduleMatchForPool(now: now)
        }
        if let stayer {
            let name = names[leftBy ?? stayer] ?? "Your partner"
            send(.notice(requeue.isEmpty
                ? "\(name) left the conversation."
                : "\(name) left the conversation. You are first in line for the next one."), to: stayer)
            offerOrganizerIfFree(stayer, now: now)
        }
    }

    /// A matching round. `matchDue` is cleared only once the round is stored, so a failed
    /// write is retried on the next wake.
    private func matchRound(at now: Date) async throws {
        let waiting = orderedPool().filter { isConnected($0.user) }
        guard times.canStartPair(at: now), !waiting.isEmpty else {
            matchDue = nil
            return
        }
        let organizer = availableOrganizer.flatMap { id in isFree(organizer: id) ? id : nil }
        let result = Matcher.match(
            MatchRequest(waiting: waiting.map(\.user), met: met, organizer: organizer), using: &rng)
        var records = result.pairs.map {
            PairingRecord(id: UUID(), memberA: $0.first, memberB: $0.second, withOrganizer: false, round: round + 1, startedAt: now)
        }
        if let member = result.withOrganizer, let organizer {
            records.append(PairingRecord(id: UUID(), memberA: member, memberB: organizer, withOrganizer: true, round: round + 1, startedAt: now))
        }
        let newlyPrioritised = result.leftOver.filter { pool[$0]?.priority == false }
        guard !records.isEmpty || !newlyPrioritised.isEmpty else {
            matchDue = nil
            return
        }
        try await store.startPairings(session: sessionID, records, prioritised: newlyPrioritised)
        matchDue = nil
        if !records.isEmpty { round += 1 }
        for record in records {
            pairings[record.id] = record
            met.insert(Pair(record.memberA, record.memberB))
            for user in [record.memberA, record.memberB] {
                activePairing[user] = record.id
                pool[user] = nil
            }
        }
        for user in newlyPrioritised { pool[user]?.priority = true }
        // An organizer who now talks with a member leaves the lobby's screens.
        if records.contains(where: \.withOrganizer) { await media?.reviewRights(of: key, users: nil) }
    }

    // MARK: Views

    /// Tells every page what changed. A change costs O(N) for N people in the room: each
    /// person's own small view is built once (from facts worked out once for everyone) and sent
    /// only if it changed; the people list goes out as the entries that changed, encoded once,
    /// the same bytes for every page; the organizers' pairs and pool only to organizers.
    private func publish() {
        let now = clock.now
        let facts = ViewFacts(self)
        var views: [UUID: SpeedNetworkingView] = [:]
        for (id, connection) in connections {
            let view = views[connection.user] ?? makeView(for: connection.user, at: now, facts)
            views[connection.user] = view
            if !(lastView[id]?.sameContent(as: view) ?? false) {
                lastView[id] = view
                deliver(.state(view), to: id)
            }
        }
        publishPeople(now: now)
        publishRoom(now: now)
    }

    private func publishPeople(now: Date) {
        let instant = ContinuousClock.now
        switch peoplePacer.changed(at: instant) {
        case .sendAt(let due):
            // Pages that enter meanwhile get the list as everyone last heard it, and these
            // changes with everyone at the end of the interval.
            let submitter = submitter
            Task {
                try? await Task.sleep(until: due, clock: .continuous)
                submitter.yield(.sendPeople)
            }
        case .alreadyArranged:
            break
        case .sendNow:
            let current = peopleEntries(now: now)
            let changed = current.values.filter { publishedPeople[$0.id] != $0 }.sorted { $0.id < $1.id }
            let gone = publishedPeople.keys.filter { current[$0] == nil }.sorted()
            if !changed.isEmpty || !gone.isEmpty {
                publishedPeople = current
                wholePeople = nil
                peoplePacer.sent(at: instant)
                let change = SpeedNetworkingEvent.shared(EncodedEvent(SpeedNetworkingEvent.people(RoomPresence(people: changed, gone: gone, full: false)), activity: key))
                for id in connections.keys where !needsAllPeople.contains(id) { deliver(change, to: id) }
            }
        }
        if !needsAllPeople.isEmpty {
            let all = wholePeople ?? .shared(EncodedEvent(SpeedNetworkingEvent.people(
                RoomPresence(people: Self.inShownOrder(publishedPeople), gone: [], full: true)), activity: key))
            wholePeople = all
            let waiting = needsAllPeople
            needsAllPeople = []
            for id in waiting { deliver(all, to: id) }
        }
    }

    private func publishRoom(now: Date) {
        let organizerConnections = connections.filter { organizers.contains($0.value.user) }.map(\.key)
        guard !organizerConnections.isEmpty else { return }
        let room = organizerRoom(now: now)
        if room != publishedRoom {
            publishedRoom = room
            heardRoom = []
        }
        let event = SpeedNetworkingEvent.room(room)
        for id in organizerConnections where !heardRoom.contains(id) {
            heardRoom.insert(id)
            deliver(event, to: id)
        }
    }

    private func send(_ message: SpeedNetworkingEvent, to user: UUID) {
        guard connectionsOf[user] != nil else { return }
        for (id, connection) in connections where connection.user == user { deliver(message, to: id) }
    }

    /// Hands a message to a connection's buffer. A reader that fell so far behind that the
    /// buffer dropped its oldest message may have lost a state: forget what it was sent, so
    /// the next change sends the whole view again.
    private func deliver(_ message: SpeedNetworkingEvent, to connection: ConnectionID) {
        guard let outbox = connections[connection]?.outbox else { return }
        if !outbox.send(message) {
            lastView[connection] = nil
            needsAllPeople.insert(connection)
            heardRoom.remove(connection)
        }
    }

    private func status(of user: UUID, at now: Date) -> SpeedNetworkingView.Status {
        if isClosed || times.phase(at: now) == .closed { return .closed }
        if activePairing[user] != nil { return .pair }
        if pendingSurvey[user] != nil { return .survey }
        if pool[user] != nil { return .waiting }
        return .lobby
    }

    private func person(_ id: UUID) -> Person { Person(id: id, name: names[id] ?? "Someone") }

    /// What every person's view needs, worked out once per change rather than once per person.
    private struct ViewFacts {
        var lobbyPublishers: [UUID]
        /// Whom each person has met (from the stored pairs).
        var met: [UUID: Set<UUID>]
        /// People waiting whose page is open.
        var waitingConnected: Set<UUID>

        init(_ engine: isolated SpeedNetworkingEngine) {
            lobbyPublishers = engine.publishing.keys.filter(engine.isBroadcasting).sorted()
            var met: [UUID: Set<UUID>] = [:]
            for pair in engine.met {
                met[pair.first, default: []].insert(pair.second)
                met[pair.second, default: []].insert(pair.first)
            }
            self.met = met
            waitingConnected = Set(engine.pool.keys.filter(engine.isConnected))
        }
    }

    private func makeView(for user: UUID, at now: Date) -> SpeedNetworkingView {
        makeView(for: user, at: now, ViewFacts(self))
    }

    private func makeView(for user: UUID, at now: Date, _ facts: ViewFacts) -> SpeedNetworkingView {
        let phase = times.phase(at: now)
        let status = status(of: user, at: now)
        var view = SpeedNetworkingView(
            now: now,
            session: .init(
                id: sessionID, title: title, phase: String(describing: phase),
                lobbyOpensAt: times.lobbyOpens, startsAt: times.start, endsAt: times.end, closesAt: times.closes,
                roundSeconds: Int(times.round.components.seconds),
                canMeet: phase.canMeet && !organizers.contains(user), pairsStarting: times.canStartPair(at: now)),
            you: person(user), role: organizers.contains(user) ? "organizer" : "member", status: status,
            metCount: facts.met[user]?.count ?? 0)
        switch status {
        case .pair:
            if let record = activePairing[user].flatMap({ pairings[$0] }), let partner = record.partner(of: user) {
                let pairClock = times.pair(startedAt: record.startedAt)
                view.pair = .init(
                    id: record.id, partner: person(partner), withOrganizer: record.withOrganizer, round: record.round,
                    startedAt: record.startedAt, noticeAt: pairClock.noticeAt, endsAt: pairClock.overAt,
                    ending: now >= pairClock.noticeAt, partnerConnected: isConnected(partner))
            }
        case .survey:
            if let record = pendingSurvey[user].flatMap({ pairings[$0] }), let partner = record.partner(of: user) {
                view.survey = .init(pairing: record.id, partner: person(partner), questions: questions.map(SurveyQuestionView.init))
            }
        case .waiting:
            if let entry = pool[user] {
                view.waiting = .init(since: entry.queuedAt, firstInLine: entry.priority, reason: waitingReason(user, entry, now: now, facts))
            }
        case .lobby, .closed:
            break
        }
        view.media = .init(
            room: Self.mediaRoomName,
            lobbyPublishers: facts.lobbyPublishers,
            mayPublishInLobby: broadcastsToLobby(user) && status != .closed,
            mayPublish: status != .closed && mayPublish(user, in: Self.mediaRoomName),
            partnerPublishing: view.pair.map { publishing[$0.partner.id] != nil } ?? false,
            epoch: mediaEpoch)
        if organizers.contains(user) {
            view.organizer = .init(
                available: availableOrganizer == user, broadcasting: broadcasting.contains(user),
                availableOrganizer: availableOrganizer.flatMap { $0 == user ? nil : person($0) })
        }
        return view
    }

    private func waitingReason(_ user: UUID, _ entry: PoolEntry, now: Date, _ facts: ViewFacts) -> String {
        if !times.canStartPair(at: now) { return "No new conversations start this close to the end of the session." }
        if matchDue != nil { return "Finding you someone…" }
        let others = facts.waitingConnected.subtracting([user]).count
        if others == 0 {
            return entry.priority
                ? "Everyone else is in a conversation. You are first in line for the next person who is free."
                : "Everyone else is in a conversation. You will meet the next person who is free."
        }
        // (counted from whom they met — a few — not from everyone waiting)
        if (facts.met[user] ?? []).filter(facts.waitingConnected.contains).count == others {
            return "You have already met everyone who is waiting. You are first in line for someone new."
        }
        return "Waiting for the next round."
    }

    /// Everyone in the room (and those briefly away who keep a place), by id.
    private func peopleEntries(now: Date) -> [UUID: RoomPresence.Entry] {
        var entries: [UUID: RoomPresence.Entry] = [:]
        let away = disconnectedSince.keys.filter { names[$0] != nil && (activePairing[$0] != nil || pool[$0] != nil) }
        for id in Array(connectionsOf.keys) + away {
            entries[id] = RoomPresence.Entry(
                id: id, name: names[id] ?? "Someone", role: organizers.contains(id) ? "organizer" : "member",
                status: status(of: id, at: now), reconnecting: !isConnected(id))
        }
        return entries
    }

    /// The whole people list, in the order pages show it.
    public func presence() -> RoomPresence {
        RoomPresence(people: Self.inShownOrder(peopleEntries(now: clock.now)), gone: [], full: true)
    }

    private static func inShownOrder(_ entries: [UUID: RoomPresence.Entry]) -> [RoomPresence.Entry] {
        entries.values.sorted {
            ($0.role == "organizer" ? 0 : 1, $0.name, $0.id) < ($1.role == "organizer" ? 0 : 1, $1.name, $1.id)
        }
    }

    /// What organizers see besides the people: the running pairs, the pool, the counts.
    public func organizerRoom(now: Date) -> OrganizerRoom {
        OrganizerRoom(
            pairs: Set(activePairing.values).compactMap { pairings[$0] }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }.map {
                let pairClock = times.pair(startedAt: $0.startedAt)
                return .init(id: $0.id, a: person($0.memberA), b: person($0.memberB), round: $0.round,
                             startedAt: $0.startedAt, endsAt: pairClock.overAt, withOrganizer: $0.withOrganizer)
            },
            pool: orderedPool().map { person($0.user) },
            pairingsSoFar: pairings.count,
            surveysSoFar: responses.count)
    }

    // MARK: Helpers

    private func orderedPool() -> [PoolEntry] {
        var conversations: [UUID: Int] = [:]
        for pair in met {
            conversations[pair.first, default: 0] += 1
            conversations[pair.second, default: 0] += 1
        }
        return Self.priorityOrder(Array(pool.values), conversations: conversations)
    }

    /// Who is offered to the matcher first (issue 14's fair shares): whoever has had the fewest
    /// conversations in this session, then whoever was left out of the last round, then whoever
    /// has waited longest. So the one left out of a round is the one who has talked most, and
    /// nobody ends two conversations behind anyone else while the not-yet-met graph allows it.
    public static func priorityOrder(_ entries: [PoolEntry], conversations: [UUID: Int]) -> [PoolEntry] {
        entries.sorted { a, b in
            let (talksA, talksB) = (conversations[a.user] ?? 0, conversations[b.user] ?? 0)
            if talksA != talksB { return talksA < talksB }
            if a.priority != b.priority { return a.priority }
            if a.queuedAt != b.queuedAt { return a.queuedAt < b.queuedAt }
            return a.user < b.user
        }
    }

    private func isConnected(_ user: UUID) -> Bool { connectionsOf[user] != nil }

    /// An organizer who could meet a left-over member now.
    private func isFree(organizer id: UUID) -> Bool {
        organizers.contains(id) && isConnected(id) && activePairing[id] == nil && pendingSurvey[id] == nil
    }

    /// The available organizer just became free (back from a pair or a survey, or reconnected):
    /// someone may be waiting for them.
    private func offerOrganizerIfFree(_ user: UUID, now: Date) {
        if availableOrganizer == user && isFree(organizer: user) && !pool.isEmpty { scheduleMatch(at: now) }
    }

    /// One person may have the room open in a few windows (a phone and a laptop), not dozens.
    static let maxConnectionsPerPerson = 3

    /// Someone joined the pool: it collects for the match delay, so that people who press
    /// together are matched together — unless waiting cannot improve the matching because
    /// every member in the room who is not in a pair is already waiting; then it matches now.
    private func scheduleMatchForPool(now: Date) {
        let someoneElseMayJoin = connections.values.contains {
            !organizers.contains($0.user) && activePairing[$0.user] == nil && pool[$0.user] == nil
        }
        scheduleMatch(at: someoneElseMayJoin ? now + timings.matchDelay : now)
    }

    private func scheduleMatch(at time: Date) {
        if matchDue.map({ time < $0 }) ?? true { matchDue = time }
        wakeTimer()
    }

    private func wakeTimer() { timer.wake() }
}
