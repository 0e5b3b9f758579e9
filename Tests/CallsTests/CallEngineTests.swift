import Calls
import Foundation
import RealTime
import Synchronization
import Testing

/// The call engine with its store in memory and a hand-moved clock: who gets in, what it keeps,
/// what it tells the two pages, its timers, how it recovers from a failed write, and closing.
@Suite("Call engine: pages, persistence, timers, failures, closing")
struct CallEngineTests {
    /// The store in memory; `failing` makes every write throw.
    final class MemoryStore: CallStore {
        struct State {
            var snapshot: CallSnapshot?
            var failing = false
            /// Every write, in order: "answered", "ended <outcome>".
            var writes: [String] = []
            /// Missed-call notices written (with the end, in one write).
            var missedNotices = 0
        }
        let state: Mutex<State>

        init(_ snapshot: CallSnapshot?) { state = Mutex(State(snapshot: snapshot)) }

        var failing: Bool {
            get { state.withLock { $0.failing } }
            set { state.withLock { $0.failing = newValue } }
        }
        var snapshot: CallSnapshot? { state.withLock { $0.snapshot } }
        var writes: [String] { state.withLock { $0.writes } }
        var missedNotices: Int { state.withLock { $0.missedNotices } }

        private func write(_ body: (inout State) -> Void) throws {
            try state.withLock { state in
                if state.failing { throw CancellationError() }
                body(&state)
            }
        }

        func load(call: UUID) async throws -> CallSnapshot? { state.withLock { $0.snapshot } }
        func answered(call: UUID, at time: Date) async throws {
            try write { state in
                state.snapshot?.answeredAt = time
                state.writes.append("answered")
            }
        }
        func ended(call: UUID, outcome: CallOutcome, endedBy: UUID?, at time: Date) async throws {
            try write { state in
                state.snapshot?.endedAt = time
                state.snapshot?.outcome = outcome
                state.snapshot?.endedBy = endedBy
                state.writes.append("ended \(outcome.rawValue)")
                if outcome == .missed { state.missedNotices += 1 }
            }
        }
    }

    /// The media tier as the engine sees it: what it was asked.
    final class Media: MediaRoomControl {
        let asked = Mutex<[String]>([])
        var log: [String] { asked.withLock { $0 } }
        func endRoom(_ room: String, of activity: ActivityKey) async { asked.withLock { $0.append("end \(room)") } }
        func endRooms(of activity: ActivityKey) async { asked.withLock { $0.append("end rooms") } }
        func reviewRights(of activity: ActivityKey, users: Set<UUID>?) async { asked.withLock { $0.append("review") } }
        func blockAudio(of user: UUID, in room: String, of activity: ActivityKey, _ blocked: Bool) async {}
        func kick(_ user: UUID, from room: String, of activity: ActivityKey) async {}
    }

    /// A page's events as they come.
    final class Page: Sendable {
        final class Log: Sendable { let events = Mutex<[CallEvent]>([]); let finished = Mutex(false) }
        let connection: ConnectionID
        private let log = Log()
        private let task: Task<Void, Never>
        var events: [CallEvent] { log.events.withLock { $0 } }
        var finished: Bool { log.finished.withLock { $0 } }

        init(_ entered: (ConnectionID, AsyncStream<CallEvent>)) {
            connection = entered.0
            let log = self.log
            task = Task {
                for await event in entered.1 { log.events.withLock { $0.append(event) } }
                log.finished.withLock { $0 = true }
            }
        }

        /// The call as the page last heard it.
        var view: CallView? {
            events.compactMap { if case .call(let view) = $0 { view } else { nil } }.last
        }

        /// Waits until `check` holds (or fails after 5 s).
        func wait(_ what: String, _ check: @escaping (Page) -> Bool) async throws {
            for _ in 0..<500 {
                if check(self) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("timed out waiting for \(what)")
        }

        func waitFor(state: CallState, outcome: CallOutcome? = nil) async throws {
            try await wait("\(state) \(outcome?.rawValue ?? "")") { $0.view?.state == state && $0.view?.outcome == outcome }
        }
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let ada = Participant(id: UUID(), name: "Ada", isOrganizer: false)
    let bo = Participant(id: UUID(), name: "Bo", isOrganizer: false)
    let eve = Participant(id: UUID(), name: "Eve", isOrganizer: true)

    let tenant = UUID()
    let callID = UUID()
    var key: ActivityKey { ActivityKey(tenant: tenant, kind: .call, id: callID) }

    func snapshot(video: Bool = true) -> CallSnapshot {
        CallSnapshot(id: callID, caller: CallParty(id: ada.id, name: ada.name), callee: CallParty(id: bo.id, name: bo.name), video: video,
                     startedAt: t0)
    }

    func running(_ store: MemoryStore, clock: ManualActivityClock, media: Media = Media(), grace: TimeInterval = Call.defaultGrace,
                 watcher: CallEngine.Watcher? = nil) async throws -> CallEngine {
        let engine = try #require(try await CallEngine.load(key, store: store, clock: clock, grace: grace, watcher: watcher))
        await engine.attach(media: media)
        Task { await engine.run() }
        return engine
    }

    func refusal(_ body: () async throws -> Void) async -> String? {
        do { try await body() } catch let refusal as ActivityRefusal { return refusal.code } catch { return "other" }
        return nil
    }

    func waitUntilClosed(_ engine: CallEngine) async throws {
        for _ in 0..<500 where !(await engine.isClosed) { try await Task.sleep(for: .milliseconds(10)) }
    }

    // MARK: Loading and entering

    @Test("No such call loads nothing; an ended one is refused as over")
    func loading() async throws {
        // setup
        var over = snapshot()
        (over.endedAt, over.outcome) = (t0, .busy)
        let clock = ManualActivityClock(t0)
        // act
        let none = try await CallEngine.load(key, store: MemoryStore(nil), clock: clock)
        let code = await refusal { _ = try await CallEngine.load(key, store: MemoryStore(over), clock: clock) }
        // check
        #expect(none == nil)
        #expect(code == "over")
    }

    @Test("Only the two get in; anyone else, an organizer too, is refused as not theirs")
    func onlyTheTwo() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        // act
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        let outsider = await refusal { _ = try await engine.enter(eve) }
        // check
        #expect(outsider == "not-yours")
        try await caller.waitFor(state: .ringing)
        try await callee.wait("Bo's view") { $0.view?.you == .callee && $0.view?.otherAway == false }
        #expect(caller.view?.you == .caller && caller.view?.video == true && caller.view?.ringsUntil == t0.addingTimeInterval(30))
        await engine.shutdown()
    }

    @Test("A second page of the same person takes over; the first is told and closed")
    func onePagePerPerson() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let first = Page(try await engine.enter(bo))
        // act
        let second = Page(try await engine.enter(bo))
        try await engine.receive(.accept, from: second.connection)
        // check
        try await first.wait("replaced") { $0.events.contains(.farewell(.replaced)) && $0.finished }
        try await second.waitFor(state: .answered)
        let code = await refusal { try await engine.receive(.decline, from: first.connection) }
        #expect(code == "not-joined")
        await engine.shutdown()
    }

    // MARK: Transitions, persisted

    @Test("Accepted, then ended by the caller: each change written first, both pages told, media reviewed, and the activity closes a little later")
    func answeredThenEnded() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let media = Media()
        let engine = try await running(store, clock: clock, media: media)
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        // act
        clock.set(t0.addingTimeInterval(5))
        try await engine.receive(.accept, from: callee.connection)
        let rightsDuring = [await engine.mayPublish(ada.id, in: "call"), await engine.mayWatch(bo.id, publisher: ada.id, in: "call")]
        clock.set(t0.addingTimeInterval(65))
        try await engine.receive(.end, from: caller.connection)
        // check
        #expect(rightsDuring == [true, true])
        #expect(store.writes == ["answered", "ended answered"])
        #expect(store.snapshot?.answeredAt == t0.addingTimeInterval(5) && store.snapshot?.endedBy == ada.id)
        for page in [caller, callee] { try await page.waitFor(state: .ended, outcome: .answered) }
        #expect(callee.view?.endedAt == t0.addingTimeInterval(65) && callee.view?.endedBy == ada.id)
        let rightsAfter = [await engine.mayPublish(ada.id, in: "call"), await engine.mayWatch(bo.id, publisher: ada.id, in: "call")]
        #expect(rightsAfter == [false, false])
        #expect(media.log == ["review"])
        // act / check: pages see the end; the activity closes closeDelay later and ends its room.
        let late = await refusal { _ = try await engine.enter(bo) }
        #expect(late == "over")
        #expect(!(await engine.isClosed))
        clock.advance(by: CallEngine.closeDelay)
        try await waitUntilClosed(engine)
        #expect(await engine.isClosed)
        for page in [caller, callee] { try await page.wait("the farewell") { $0.events.last == .farewell(.over) && $0.finished } }
        #expect(media.log == ["review", "end rooms"])
    }

    @Test("Declined by the callee, cancelled by the caller: written with who did it", arguments: [CallOutcome.declined, .cancelled])
    func declinedOrCancelled(_ outcome: CallOutcome) async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        // act
        if outcome == .declined {
            try await engine.receive(.decline, from: callee.connection)
        } else {
            try await engine.receive(.cancel, from: caller.connection)
        }
        // check
        #expect(store.writes == ["ended \(outcome.rawValue)"])
        #expect(store.snapshot?.endedBy == (outcome == .declined ? bo.id : ada.id))
        try await caller.waitFor(state: .ended, outcome: outcome)
        try await callee.waitFor(state: .ended, outcome: outcome)
        await engine.shutdown()
    }

    @Test("A refused request reaches nobody and writes nothing")
    func refusalsWriteNothing() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        // act
        let codes = [
            await refusal { try await engine.receive(.accept, from: caller.connection) },
            await refusal { try await engine.receive(.cancel, from: callee.connection) },
            await refusal { try await engine.receive(.end, from: callee.connection) },
        ]
        // check
        #expect(codes == ["callee-only", "caller-only", "not-answered"])
        #expect(store.writes.isEmpty && caller.view?.state == .ringing)
        await engine.shutdown()
    }

    @Test("Microphone and camera reach both pages, each for its own side")
    func switches() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        // act
        try await engine.receive(.mic(true), from: caller.connection)
        try await engine.receive(.camera(true), from: callee.connection)
        // check
        try await caller.wait("both switches") { $0.view?.caller.mic == true && $0.view?.callee.camera == true }
        #expect(caller.view?.caller.camera == false && caller.view?.callee.mic == false)
        await engine.shutdown()
    }

    // MARK: Timers

    @Test("Unanswered for 30 seconds: missed (with its notice), both pages told, then closed; not a moment before")
    func missedAfterThirtySeconds() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let media = Media()
        let engine = try await running(store, clock: clock, media: media)
        let caller = Page(try await engine.enter(ada))
        // act / check
        clock.set(t0.addingTimeInterval(29.9))
        try await Task.sleep(for: .milliseconds(100))
        #expect(store.writes.isEmpty)
        clock.set(t0.addingTimeInterval(30))
        try await caller.waitFor(state: .ended, outcome: .missed)
        #expect(store.writes == ["ended missed"] && store.missedNotices == 1)
        #expect(store.snapshot?.endedAt == t0.addingTimeInterval(30) && store.snapshot?.endedBy == nil)
        clock.advance(by: CallEngine.closeDelay)
        try await waitUntilClosed(engine)
        #expect(await engine.isClosed)
        #expect(media.log.last == "end rooms")
    }

    @Test("Nobody needs to be there: a call no page entered is missed all the same")
    func missedWithNobody() async throws {
        // setup
        let store = MemoryStore(snapshot(video: false))
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        // act
        clock.set(t0.addingTimeInterval(31))
        // check
        for _ in 0..<500 where store.writes.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.writes == ["ended missed"])
        clock.advance(by: CallEngine.closeDelay)
        try await waitUntilClosed(engine)
        #expect(await engine.isClosed)
    }

    @Test("Answered, a page gone less than the grace keeps the call; gone for the grace, the call is dropped by that side")
    func droppedAfterGrace() async throws {
        // setup: answered at 1; Bo's page goes at 10.
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        clock.set(t0.addingTimeInterval(1))
        try await engine.receive(.accept, from: callee.connection)
        clock.set(t0.addingTimeInterval(10))
        await engine.leave(callee.connection)
        try await caller.wait("Bo away") { $0.view?.otherAway == true && $0.view?.state == .answered }
        // act / check: back within the grace, then gone again.
        clock.set(t0.addingTimeInterval(69))
        let back = Page(try await engine.enter(bo))
        try await back.waitFor(state: .answered)
        await engine.leave(back.connection)
        clock.set(t0.addingTimeInterval(69 + 59.9))
        try await Task.sleep(for: .milliseconds(100))
        #expect(store.writes == ["answered"])
        clock.set(t0.addingTimeInterval(69 + 60))
        try await caller.waitFor(state: .ended, outcome: .dropped)
        #expect(store.writes == ["answered", "ended dropped"])
        #expect(store.snapshot?.endedBy == bo.id && store.snapshot?.endedAt == t0.addingTimeInterval(69))
        await engine.shutdown()
    }

    @Test("A failed write changes nothing and says so; a timer's failed write is tried again")
    func failedWrites() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        let callee = Page(try await engine.enter(bo))
        store.failing = true
        // act
        let code = await refusal { try await engine.receive(.accept, from: callee.connection) }
        // check
        #expect(code == "failed")
        let publishes = await engine.mayPublish(bo.id, in: "call")
        #expect(!publishes && callee.view?.state == .ringing)
        // act: the ring time runs out while the database is away, then it comes back.
        clock.set(t0.addingTimeInterval(30))
        try await Task.sleep(for: .milliseconds(100))
        #expect(callee.view?.state == .ringing, "not missed until it is written")
        store.failing = false
        clock.advance(by: CallEngine.retryDelay)
        // check
        try await callee.waitFor(state: .ended, outcome: .missed)
        #expect(store.writes == ["ended missed"])
        await engine.shutdown()
    }

    // MARK: Rights

    @Test("The media room while the call is live (room for the two and a reloading page's new feed each); only the two, only each other, watched only once answered")
    func rights() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let callee = Page(try await engine.enter(bo))
        func all() async -> [Bool] {
            [await engine.mayPublish(ada.id, in: "call"), await engine.mayPublish(bo.id, in: "call"),
             await engine.mayWatch(ada.id, publisher: bo.id, in: "call"), await engine.mayWatch(bo.id, publisher: ada.id, in: "call")]
        }
        func outsider() async -> [Bool] {
            [await engine.mayPublish(eve.id, in: "call"), await engine.mayWatch(eve.id, publisher: ada.id, in: "call"),
             await engine.mayPublish(bo.id, in: "other"), await engine.mayModerate(bo.id, in: "call")]
        }
        // act / check
        #expect(await engine.mediaRoom("call")?.publishers == 4)
        #expect(await engine.mediaRoom("other") == nil)
        #expect(await all() == [true, false, false, false], "while it rings only the caller publishes, and nobody watches")
        try await engine.receive(.accept, from: callee.connection)
        #expect(await all() == [true, true, true, true])
        #expect(await outsider() == [false, false, false, false])
        try await engine.receive(.end, from: callee.connection)
        #expect(await all() == [false, false, false, false])
        #expect(await engine.mediaRoom("call") == nil)
        await engine.shutdown()
    }

    @Test("An answered call loaded again waits the grace for both from the load")
    func resumedAnswered() async throws {
        // setup
        var answered = snapshot()
        answered.answeredAt = t0.addingTimeInterval(2)
        let store = MemoryStore(answered)
        let clock = ManualActivityClock(t0.addingTimeInterval(100))
        // act
        let engine = try await running(store, clock: clock)
        clock.set(t0.addingTimeInterval(100 + Call.defaultGrace))
        // check
        for _ in 0..<500 where store.writes.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.writes == ["ended dropped"])
        await engine.shutdown()
    }

    // MARK: From outside the call's page, the watcher, who publishes

    /// The calls the watcher was told of, as (state, outcome).
    final class Moves: Sendable {
        let seen = Mutex<[String]>([])
        var watcher: CallEngine.Watcher { { call in self.seen.withLock { $0.append("\(call.state.rawValue) \(call.outcome?.rawValue ?? "")") } } }
        var all: [String] { seen.withLock { $0 } }
    }

    @Test("Declining from another page of the callee's ends the call for the caller's page; the watcher hears each move once; others are refused")
    func respondAndWatcher() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let moves = Moves()
        let engine = try await running(store, clock: ManualActivityClock(t0), watcher: moves.watcher)
        let caller = Page(try await engine.enter(ada))
        // act
        let byEve = await refusal { try await engine.respond(.decline, by: eve.id) }
        let byAda = await refusal { try await engine.respond(.decline, by: ada.id) }
        try await engine.respond(.decline, by: bo.id)
        let again = await refusal { try await engine.respond(.decline, by: bo.id) }
        // check
        try await caller.waitFor(state: .ended, outcome: .declined)
        #expect(byEve == "not-yours" && byAda == "callee-only" && again == "over")
        #expect(caller.view?.endedBy == bo.id)
        #expect(store.writes == ["ended declined"])
        #expect(moves.all == ["ended declined"], "refusals move nothing")
        await engine.shutdown()
    }

    @Test("The watcher hears the answer and the end; the missed end by the ring timer too")
    func watcherHearsAnswerAndMissed() async throws {
        // setup: one call answered and ended, another left to ring out.
        let moves = Moves()
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0), watcher: moves.watcher)
        let callee = Page(try await engine.enter(bo))
        let clock = ManualActivityClock(t0)
        let unanswered = Moves()
        let ringing = try await running(MemoryStore(snapshot()), clock: clock, watcher: unanswered.watcher)
        // act
        try await engine.receive(.accept, from: callee.connection)
        try await engine.receive(.mic(true), from: callee.connection)
        try await engine.receive(.end, from: callee.connection)
        clock.set(t0.addingTimeInterval(Call.ringTime))
        for _ in 0..<500 where unanswered.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        // check
        #expect(moves.all == ["answered ", "ended answered"], "a switch is no move")
        #expect(unanswered.all == ["ended missed"])
        await engine.shutdown()
        await ringing.shutdown()
    }

    @Test("Each page hears whether the other one publishes (in the call's room only), and not after the media server lost it")
    func otherPublishing() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let caller = Page(try await engine.enter(ada))
        let callee = Page(try await engine.enter(bo))
        // act / check
        await engine.setPublishing(ada.id, in: "call", true)
        try await callee.wait("Ada publishing") { $0.view?.otherPublishing == true }
        #expect(caller.view?.otherPublishing == false, "one's own publishing is not the other's")
        await engine.setPublishing(bo.id, in: "other", true)
        await engine.setPublishing(eve.id, in: "call", true)
        try await engine.receive(.accept, from: callee.connection)
        try await caller.waitFor(state: .answered)
        #expect(caller.view?.otherPublishing == false, "another room's feed, or a stranger's, is not Bo publishing")
        await engine.setPublishing(bo.id, in: "call", true)
        try await caller.wait("Bo publishing") { $0.view?.otherPublishing == true }
        await engine.mediaLost()
        try await callee.wait("media lost") { $0.view?.otherPublishing == false && $0.view?.mediaEpoch == 1 }
        await engine.shutdown()
    }
}
