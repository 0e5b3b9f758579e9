import Foundation
import RealTime
import SpeedNetworking
import Synchronization
import TestSupport

/// The engine's persistence kept in memory, with the same one-transaction-per-call contract as
/// the PostgreSQL store (including the unique pair rule), and a switch that makes writes fail.
final class MemorySpeedNetworkingStore: SpeedNetworkingStore {
    struct State: Sendable {
        var session: SpeedNetworkingSnapshot
        var pairings: [UUID: PairingRecord] = [:]
        var responses: [SurveyResponse] = []
        var pool: [UUID: PoolEntry] = [:]
        var attendance: [UUID: (first: Date, last: Date)] = [:]
        var visits: [UUID: (user: UUID, entered: Date, left: Date?)] = [:]
        var available: UUID?
        var failWrites = false
        /// People whose attendance write waits until released (to see who waits for whom).
        var heldAttendance: Set<UUID> = []
    }
    struct WriteFailed: Error {}
    struct RepeatedPair: Error {}

    let state: Mutex<State>
    init(_ session: SpeedNetworkingSnapshot) { state = Mutex(State(session: session)) }

    var failWrites: Bool {
        get { state.withLock { $0.failWrites } }
        set { state.withLock { $0.failWrites = newValue } }
    }
    var pairings: [PairingRecord] { state.withLock { Array($0.pairings.values) } }
    var responses: [SurveyResponse] { state.withLock { $0.responses } }
    var pool: [UUID: PoolEntry] { state.withLock { $0.pool } }
    var attendees: Set<UUID> { state.withLock { Set($0.attendance.keys) } }
    var visits: [(user: UUID, entered: Date, left: Date?)] { state.withLock { Array($0.visits.values) } }

    private func write(_ body: (inout State) throws -> Void) throws {
        try state.withLock { state in
            if state.failWrites { throw WriteFailed() }
            var copy = state
            try body(&copy)
            state = copy
        }
    }

    func load(session: UUID) async throws -> SpeedNetworkingSnapshot? {
        state.withLock { state in
            guard state.session.sessionID == session else { return nil }
            var snapshot = state.session
            snapshot.pairings = Array(state.pairings.values)
            snapshot.responses = Set(state.responses.map { ResponseKey(pairing: $0.pairing, submitter: $0.submitter) })
            snapshot.pool = Array(state.pool.values)
            snapshot.availableOrganizer = state.available
            return snapshot
        }
    }
    func hold(attendanceOf user: UUID) { state.withLock { _ = $0.heldAttendance.insert(user) } }
    func release(attendanceOf user: UUID) { state.withLock { _ = $0.heldAttendance.remove(user) } }

    func recordAttendance(session: UUID, user: Participant, visit: UUID, at: Date) async throws {
        while state.withLock({ $0.heldAttendance.contains(user.id) }) { try await Task.sleep(for: .milliseconds(5)) }
        try write {
            $0.attendance[user.id] = ($0.attendance[user.id]?.first ?? at, at)
            $0.session.names[user.id] = user.name
            $0.visits[visit] = (user.id, at, nil)
        }
    }
    func recordLeaving(session: UUID, visit: UUID, at: Date) async throws {
        try write { state in
            if let open = state.visits[visit], open.left == nil { state.visits[visit]?.left = max(open.entered, at) }
        }
    }
    func closeVisits(session: UUID, at: Date) async throws {
        try write { state in
            for (id, visit) in state.visits where visit.left == nil { state.visits[id]?.left = max(visit.entered, at) }
        }
    }
    func enterPool(session: UUID, entry: PoolEntry) async throws { try write { $0.pool[entry.user] = entry } }
    func leavePool(session: UUID, user: UUID) async throws { try write { $0.pool[user] = nil } }
    func startPairings(session: UUID, _ pairings: [PairingRecord], prioritised: [UUID]) async throws {
        try write { state in
            for record in pairings {
                if state.pairings.values.contains(where: { $0.contains(record.memberA) && $0.contains(record.memberB) }) { throw RepeatedPair() }
                state.pairings[record.id] = record
                state.pool[record.memberA] = nil
                state.pool[record.memberB] = nil
            }
            for user in prioritised { state.pool[user]?.priority = true }
        }
    }
    func endPairing(session: UUID, pairing: UUID, at: Date, reason: PairingEnd, leftBy: UUID?, requeue: [PoolEntry]) async throws {
        try write { state in
            state.pairings[pairing]?.endedAt = at
            state.pairings[pairing]?.endReason = reason
            state.pairings[pairing]?.leftBy = leftBy
            for entry in requeue { state.pool[entry.user] = entry }
        }
    }
    func recordResponse(session: UUID, _ response: SurveyResponse, requeue: PoolEntry?) async throws {
        try write { state in
            state.responses.append(response)
            if let requeue { state.pool[requeue.user] = requeue }
        }
    }
    func clearPool(session: UUID) async throws { try write { $0.pool = [:] } }
    func setAvailableOrganizer(session: UUID, user: UUID?) async throws { try write { $0.available = user } }
}

/// One test session: S = t0 + 10 s, lobby from t0, rounds of 20 s with 5 s grace.
struct SessionFixture {
    static let t0 = Date(timeIntervalSince1970: 1_900_000_000)
    static let tenant = UUID()
    let sessionID = UUID()
    let clock = ManualActivityClock(t0 - 5)
    let store: MemorySpeedNetworkingStore
    let times: SessionTimes
    let organizer = Participant(id: UUID(), name: "Olivia (organizer)", isOrganizer: true)
    let members: [Participant]
    static let timings = EngineTimings(matchDelay: .seconds(1), reconnectGrace: .seconds(3))

    init(members count: Int = 5, sessionSeconds: TimeInterval = 120, round: Int = 20, grace: Int = 5, questions: [SurveyQuestion] = Self.questions) {
        let start = Self.t0 + 10
        times = try! SessionTimes(start: start, end: start + sessionSeconds, round: .seconds(round), grace: .seconds(grace), lead: .seconds(10), teardown: .seconds(10))
        members = (0..<count).map { Participant(id: UUID(), name: "Member \($0 + 1)", isOrganizer: false) }
        store = MemorySpeedNetworkingStore(SpeedNetworkingSnapshot(sessionID: sessionID, title: "Test session", times: times, questions: questions))
    }

    static let questions = [
        SurveyBank.question(key: "conversation-quality")!,
        SurveyBank.question(key: "would-connect")!,
        SurveyBank.question(key: "remember")!,
    ]
    static let goodAnswers = ["conversation-quality": "4", "would-connect": "Yes", "remember": "Builds boats"]

    /// A new engine over the fixture's store. `serving`: its command loop runs (the tests move
    /// the clock and call `tick()` themselves); otherwise the test runs `run()`.
    func engine(seed: UInt64 = 1, serving: Bool = true, timings: EngineTimings = Self.timings) async throws -> SpeedNetworkingEngine {
        let engine = try await SpeedNetworkingEngine.load(ActivityKey(tenant: Self.tenant, kind: .speedNetworking, id: sessionID), store: store,
                                                          clock: clock, timings: timings, seed: seed)!
        if serving { await engine.serveCommandsForTests() }
        return engine
    }

    /// Moves the clock and lets the engine process what is due.
    func at(_ offsetFromStart: TimeInterval, _ engine: SpeedNetworkingEngine) async throws {
        clock.set(times.start + offsetFromStart)
        try await engine.tick()
    }
}

/// Collects everything one connection receives.
final class Inbox: Sendable {
    let connection: ConnectionID
    private let received = Mutex<[SpeedNetworkingEvent]>([])
    private let finished = Mutex(false)

    init(_ entered: (ConnectionID, AsyncStream<SpeedNetworkingEvent>)) {
        connection = entered.0
        let stream = entered.1
        Task {
            for await message in stream { self.received.withLock { $0.append(message) } }
            self.finished.withLock { $0 = true }
        }
    }

    /// Waits until delivery has settled: the stream hands messages over asynchronously, so wait
    /// until nothing new has arrived for a few polls (at most a second).
    func settle() async {
        var last = -1, quiet = 0
        for _ in 0..<200 where quiet < 3 {
            try? await Task.sleep(for: .milliseconds(5))
            let count = messages.count
            quiet = count == last ? quiet + 1 : 0
            last = count
        }
    }
    var messages: [SpeedNetworkingEvent] { received.withLock { $0 } }
    var isFinished: Bool { finished.withLock { $0 } }
    var lastState: SpeedNetworkingView? {
        messages.reversed().lazy.compactMap { if case .state(let view) = $0 { view } else { nil } }.first
    }
    var notices: [String] { messages.compactMap { if case .notice(let text) = $0 { text } else { nil } } }
}
