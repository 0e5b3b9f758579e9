import Foundation
import Meetings
import RealTime
import Synchronization
import Testing

/// The meeting engine with its store in memory and a hand-moved clock: what it keeps, what it
/// tells pages, how it recovers from a failed write, and when it unloads.
@Suite("Meeting engine: persistence, failures, pages, unloading")
struct MeetingEngineTests {
    /// The store in memory; `failing` makes every write throw.
    final class MemoryStore: MeetingStore {
        struct State {
            var snapshot: MeetingSnapshot
            var chatSoFar: Int64 = 0
            var failing = false
        }
        let state: Mutex<State>

        init(_ snapshot: MeetingSnapshot) { state = Mutex(State(snapshot: snapshot)) }

        var failing: Bool {
            get { state.withLock { $0.failing } }
            set { state.withLock { $0.failing = newValue } }
        }
        var decisions: [UUID: (standing: MeetingStanding, coHost: Bool)] { state.withLock { $0.snapshot.decisions } }

        private func write<T>(_ body: (inout State) -> T) throws -> T {
            try state.withLock { state in
                if state.failing { throw CancellationError() }
                return body(&state)
            }
        }

        func load(meeting: UUID) async throws -> MeetingSnapshot? { state.withLock { $0.snapshot } }
        func started(meeting: UUID, at time: Date) async throws { try write { $0.snapshot.settings.started = true } }
        func ended(meeting: UUID, at time: Date) async throws { try write { $0.snapshot.settings.ended = true } }
        func locked(meeting: UUID, _ on: Bool) async throws { try write { $0.snapshot.settings.locked = on } }
        func decided(meeting: UUID, person: UUID, standing: MeetingStanding, coHost: Bool) async throws {
            try write { $0.snapshot.decisions[person] = (standing, coHost) }
        }
        func chat(meeting: UUID, from: UUID, name: String, text: String) async throws -> MeetingChatLine {
            try write { state in
                state.chatSoFar += 1
                let line = MeetingChatLine(seq: state.chatSoFar, from: from, name: name, text: text, at: Date())
                state.snapshot.chat.append(line)
                return line
            }
        }
    }

    /// A page's events as they come.
    final class Page: Sendable {
        final class Log: Sendable { let events = Mutex<[MeetingEvent]>([]) }
        let connection: ConnectionID
        private let log = Log()
        private let task: Task<Void, Never>
        /// What the page was sent so far.
        var events: [MeetingEvent] { log.events.withLock { $0 } }

        init(_ entered: (ConnectionID, AsyncStream<MeetingEvent>)) {
            connection = entered.0
            let log = self.log
            task = Task { for await event in entered.1 { log.events.withLock { $0.append(event) } } }
        }

        /// Waits until an event matches (or fails after 5 s).
        func wait(_ what: String, _ match: @escaping (MeetingEvent) -> Bool) async throws {
            for _ in 0..<500 {
                if events.contains(where: match) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("timed out waiting for \(what)")
        }

        var standing: MeetingStanding? {
            events.compactMap { if case .you(let view) = $0 { view.standing } else { nil } }.last
        }

        /// The reactions the page was shown so far: who, which emoji.
        var reactions: [(from: String, emoji: String)] {
            events.compactMap { event in
                guard case .shared(let encoded) = event, encoded.type == "reaction",
                      let envelope = try? JSONSerialization.jsonObject(with: Data(encoded.text.utf8)) as? [String: Any],
                      let data = envelope["data"] as? [String: Any], let from = data["from"] as? String, let emoji = data["emoji"] as? String
                else { return nil }
                return (from.lowercased(), emoji)
            }
        }

        /// Waits until the page heard that the meeting is locked: everything sent to it before
        /// the lock has come by then.
        func waitForLock() async throws {
            try await wait("the lock") { if case .you(let view) = $0 { view.locked } else { false } }
        }
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let key = ActivityKey(tenant: UUID(), kind: .meeting, id: UUID())
    let owner = Participant(id: UUID(), name: "Hana Host", isOrganizer: false)
    let ana = Participant(id: UUID(), name: "Ana", isOrganizer: false)

    func snapshot(waitingRoom: Bool = true) -> MeetingSnapshot {
        MeetingSnapshot(title: "Board call", settings: MeetingSettings(owner: owner.id, waitingRoom: waitingRoom), decisions: [:], chat: [])
    }

    func running(_ store: MemoryStore, clock: ManualActivityClock) async throws -> MeetingEngine {
        let engine = try #require(try await MeetingEngine.load(key, store: store, clock: clock))
        Task { await engine.run() }
        return engine
    }

    @Test("Admissions and removals are stored: a meeting loaded again lets the admitted in and keeps the removed out")
    func decisionsOutliveTheEngine() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        let ben = Participant(id: UUID(), name: "Ben", isOrganizer: false)
        let host = Page(try await engine.enter(owner))
        let anaPage = Page(try await engine.enter(ana))
        _ = Page(try await engine.enter(ben))
        // act
        try await engine.receive(.admit(ana.id), from: host.connection)
        try await engine.receive(.remove(ben.id), from: host.connection)
        try await anaPage.wait("Ana admitted") { if case .you(let v) = $0 { v.standing == .admitted } else { false } }
        await engine.shutdown()
        let again = try await running(store, clock: clock)
        // check
        #expect(store.decisions[ana.id]?.standing == .admitted && store.decisions[ben.id]?.standing == .removed)
        let anaAgain = Page(try await again.enter(ana))
        try await anaAgain.wait("Ana straight in") { if case .you(let v) = $0 { v.standing == .admitted } else { false } }
        await #expect(throws: ActivityRefusal.self) { _ = try await again.enter(ben) }
        await again.shutdown()
    }

    @Test("A write that fails leaves the room as it was and says so")
    func failedWriteChangesNothing() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        let host = Page(try await engine.enter(owner))
        let anaPage = Page(try await engine.enter(ana))
        store.failing = true
        // act
        var refusal: ActivityRefusal?
        do { try await engine.receive(.admit(ana.id), from: host.connection) } catch let error as ActivityRefusal { refusal = error }
        // check
        #expect(refusal?.code == "failed")
        #expect(anaPage.standing == .waiting)
        #expect(!(await engine.mayPublish(ana.id, in: engine.mediaRoom)))
        // and once the store works again, the same admission goes through.
        store.failing = false
        try await engine.receive(.admit(ana.id), from: host.connection)
        try await anaPage.wait("Ana admitted") { if case .you(let v) = $0 { v.standing == .admitted } else { false } }
        await engine.shutdown()
    }

    @Test("A second page of the same person takes over; the first is told")
    func onePagePerPerson() async throws {
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let first = Page(try await engine.enter(owner))
        _ = Page(try await engine.enter(owner))
        try await first.wait("replaced") { $0 == .farewell(.replaced) }
        await engine.shutdown()
    }

    @Test("Chat reaches those in the room in order; someone admitted later gets what was said")
    func chatInOrder() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let host = Page(try await engine.enter(owner))
        let anaPage = Page(try await engine.enter(ana))
        // act
        for text in ["one", "two", "three"] { try await engine.receive(.chat(text), from: host.connection) }
        try await engine.receive(.admit(ana.id), from: host.connection)
        // check
        try await anaPage.wait("the history") { event in
            if case .chatHistory(let lines) = event { lines.map(\.text) == ["one", "two", "three"] } else { false }
        }
        let heardBefore = anaPage.events.contains { if case .shared(let e) = $0 { e.type == "chat" } else { false } }
        #expect(!heardBefore, "a waiting page must not hear the chat")
        await engine.shutdown()
    }

    @Test("A page a newer one replaced takes nobody out when it goes; the person's own page going does")
    func replacedPageLeaving() async throws {
        // setup: the host on a first page, then a second.
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let first = Page(try await engine.enter(owner))
        let second = Page(try await engine.enter(owner))
        // act
        await engine.leave(first.connection)
        // check: still in, with the rights of someone in; the second page still hears the room.
        #expect(await engine.mayPublish(owner.id, in: engine.mediaRoom))
        #expect(await engine.mayModerate(owner.id, in: engine.mediaRoom))
        try await engine.receive(.chat("still here"), from: second.connection)
        try await second.wait("the chat") { if case .shared(let e) = $0 { e.type == "chat" } else { false } }
        // act / check: the page that is theirs goes: out, and no rights.
        await engine.leave(second.connection)
        #expect(!(await engine.mayPublish(owner.id, in: engine.mediaRoom)))
        #expect(!(await engine.mayModerate(owner.id, in: engine.mediaRoom)))
        await engine.shutdown()
    }

    @Test("A reaction reaches everyone in the room, not those in the waiting room")
    func reactionsStayInTheRoom() async throws {
        // setup: the host and Ana in, Ben waiting.
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let ben = Participant(id: UUID(), name: "Ben", isOrganizer: false)
        let host = Page(try await engine.enter(owner))
        let anaPage = Page(try await engine.enter(ana))
        try await engine.receive(.admit(ana.id), from: host.connection)
        let benPage = Page(try await engine.enter(ben))
        // act
        try await engine.receive(.react("👏"), from: host.connection)
        try await engine.receive(.lock(true), from: host.connection)
        // check
        for page in [host, anaPage, benPage] { try await page.waitForLock() }
        let hostID = owner.id.uuidString.lowercased()
        #expect(host.reactions.map(\.from) == [hostID] && host.reactions.map(\.emoji) == ["👏"])
        #expect(anaPage.reactions.map(\.from) == [hostID] && anaPage.reactions.map(\.emoji) == ["👏"])
        #expect(benPage.standing == .waiting && benPage.reactions.isEmpty)
        await engine.shutdown()
    }

    @Test("One reaction per person per half second: the next is refused as too fast and reaches nobody; others' do not count")
    func reactionsAreRateLimited() async throws {
        // setup: no waiting room; the host and Ana in.
        let clock = ManualActivityClock(t0)
        let engine = try await running(MemoryStore(snapshot(waitingRoom: false)), clock: clock)
        let host = Page(try await engine.enter(owner))
        let anaPage = Page(try await engine.enter(ana))
        func refusal(_ emoji: String, from page: Page) async -> String? {
            do { try await engine.receive(.react(emoji), from: page.connection) } catch { return (error as? ActivityRefusal)?.code ?? "other" }
            return nil
        }
        // act
        let first = await refusal("👍", from: host)
        let atOnce = await refusal("🎉", from: host)
        let anas = await refusal("😂", from: anaPage)
        clock.set(t0.addingTimeInterval(0.4))
        let tooSoon = await refusal("🎉", from: host)
        clock.set(t0.addingTimeInterval(MeetingEngine.reactionInterval))
        let later = await refusal("🎉", from: host)
        try await engine.receive(.lock(true), from: host.connection)
        // check
        #expect(first == nil && anas == nil && later == nil)
        #expect(atOnce == "too-fast" && tooSoon == "too-fast")
        try await anaPage.waitForLock()
        let (hostID, anaID) = (owner.id.uuidString.lowercased(), ana.id.uuidString.lowercased())
        #expect(anaPage.reactions.map(\.from) == [hostID, anaID, hostID])
        #expect(anaPage.reactions.map(\.emoji) == ["👍", "😂", "🎉"])
        await engine.shutdown()
    }

    @Test("A meeting nobody is in unloads after ten minutes, not before; someone there keeps it")
    func idleUnload() async throws {
        // setup
        let clock = ManualActivityClock(t0)
        let engine = try await running(MemoryStore(snapshot()), clock: clock)
        let host = Page(try await engine.enter(owner))
        await engine.leave(host.connection)
        // act / check
        clock.advance(by: MeetingEngine.idleUnload - 5)
        try await Task.sleep(for: .milliseconds(100))
        #expect(!(await engine.isClosed))
        clock.advance(by: 10)
        for _ in 0..<200 where !(await engine.isClosed) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await engine.isClosed)
        // the settings were not ended: the meeting can be loaded again.
        let store = MemoryStore(snapshot())
        let busy = try await running(store, clock: clock)
        _ = Page(try await busy.enter(owner))
        clock.advance(by: MeetingEngine.idleUnload * 2)
        try await Task.sleep(for: .milliseconds(100))
        #expect(!(await busy.isClosed))
        await busy.shutdown()
    }
}
