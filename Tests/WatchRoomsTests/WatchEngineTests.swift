import Foundation
import RealTime
import Synchronization
import Testing
@testable import WatchRooms

@Suite("Watch engine: pages, playback told to everyone, the list, control, chat, timers; each change stored first")
struct WatchEngineTests {
    /// A store in memory that can be told to fail.
    final class MemoryStore: WatchStore {
        struct State {
            var snapshot: WatchSnapshot?
            var saved: [WatchState] = []
            var added: [WatchItem] = []
            var joined: [UUID] = []
            var chat: [WatchChatLine] = []
            var failing = false
            var shut: Set<UUID> = []
        }
        let state: Mutex<State>
        init(_ snapshot: WatchSnapshot?) { state = Mutex(State(snapshot: snapshot)) }

        var saved: [WatchState] { state.withLock { $0.saved } }
        var added: [WatchItem] { state.withLock { $0.added } }
        var joined: [UUID] { state.withLock { $0.joined } }
        func fail(_ on: Bool) { state.withLock { $0.failing = on } }

        private struct Failure: Error {}
        private func write(_ body: (inout State) -> Void) throws {
            try state.withLock { state in
                if state.failing { throw Failure() }
                body(&state)
            }
        }

        func load(room: UUID) async throws -> WatchSnapshot? { state.withLock { $0.snapshot } }
        func save(_ saved: WatchState, room: UUID) async throws { try write { $0.saved.append(saved) } }
        func added(_ item: WatchItem, room: UUID, by person: UUID) async throws { try write { $0.added.append(item) } }
        func dequeued(_ item: UUID, room: UUID) async throws { try write { _ in } }
        func duration(_ seconds: Double, of item: UUID, room: UUID) async throws { try write { _ in } }
        func admits(room: UUID, person: UUID) async throws -> Bool { state.withLock { !$0.shut.contains(person) } }
        func joined(room: UUID, person: UUID, isGuest: Bool, at time: Date) async throws { try write { $0.joined.append(person) } }
        /// Someone who has not given the PIN.
        func shutOut(_ person: UUID) { state.withLock { _ = $0.shut.insert(person) } }
        func chat(room: UUID, person: UUID, who: String, text: String, at time: Date) async throws -> WatchChatLine {
            var line: WatchChatLine?
            try write { state in
                line = WatchChatLine(id: state.chat.count + 1, person: person, who: who, text: text, at: time)
                state.chat.append(line!)
            }
            return line!
        }
        func chatHistory(room: UUID, limit: Int) async throws -> [WatchChatLine] { state.withLock { Array($0.chat.suffix(limit)) } }
    }

    /// A page's events as they come.
    final class Page: Sendable {
        final class Log: Sendable { let events = Mutex<[WatchEvent]>([]); let finished = Mutex(false) }
        let connection: ConnectionID
        private let log = Log()
        var events: [WatchEvent] { log.events.withLock { $0 } }
        var finished: Bool { log.finished.withLock { $0 } }

        init(_ entered: (ConnectionID, AsyncStream<WatchEvent>)) {
            connection = entered.0
            let log = self.log
            Task {
                for await event in entered.1 { log.events.withLock { $0.append(event) } }
                log.finished.withLock { $0 = true }
            }
        }

        var room: WatchRoomView? { events.compactMap { if case .room(let view) = $0 { view } else { nil } }.last }
        var playback: PlaybackView? { events.compactMap { if case .playback(let view) = $0 { view } else { nil } }.last }
        var farewell: WatchFarewell? { events.compactMap { if case .farewell(let reason) = $0 { reason } else { nil } }.last }

        func wait(_ what: String, _ check: @escaping (Page) -> Bool) async throws {
            for _ in 0..<500 {
                if check(self) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("timed out waiting for \(what)")
        }
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let host = Participant(id: UUID(), name: "Hana", isOrganizer: false)
    let ana = Participant(id: UUID(), name: "Ana", isOrganizer: false)
    let guest = Participant(id: UUID(), name: "Gita", isOrganizer: false, isGuest: true)
    let roomID = UUID()
    var key: ActivityKey { ActivityKey(tenant: UUID(), kind: .watch, id: roomID) }
    let file = UUID()
    var talk: WatchItem { WatchItem(id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, title: "The talk", source: .file(file), duration: 60, hasSubtitles: true) }

    func snapshot(closed: Bool = false) -> WatchSnapshot {
        WatchSnapshot(id: roomID, host: host.id, queue: [talk],
                      state: WatchState(playback: Playback(item: talk.id, at: t0), control: .host, waitForEveryone: false, removed: [],
                                        closedAt: closed ? t0 : nil))
    }

    func running(_ store: MemoryStore, clock: ManualActivityClock) async throws -> WatchEngine {
        let engine = try #require(try await WatchEngine.load(key, store: store, clock: clock, files: "/w/room/files"))
        Task { await engine.run() }
        return engine
    }

    func refusal(_ body: () async throws -> Void) async -> String? {
        do { try await body() } catch let refusal as ActivityRefusal { return refusal.code } catch { return "other" }
        return nil
    }

    @Test("No such room loads nothing; a closed one is refused as closed")
    func loading() async throws {
        let clock = ManualActivityClock(t0)
        let none = try await WatchEngine.load(key, store: MemoryStore(nil), clock: clock, files: "/f")
        let code = await refusal { _ = try await WatchEngine.load(key, store: MemoryStore(snapshot(closed: true)), clock: clock, files: "/f") }
        #expect(none == nil && code == "closed")
    }

    @Test("A page entering hears the chat so far, the room as they see it and the playback; their coming is stored; no PIN, no entry")
    func entering() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        store.shutOut(guest.id)
        // act
        let page = Page(try await engine.enter(ana))
        let noPIN = await refusal { _ = try await engine.enter(guest, buffering: 8) }
        #expect(noPIN == "pin-first")
        // check
        try await page.wait("room and playback") { $0.room != nil && $0.playback != nil }
        #expect(page.events.first.map { if case .chatHistory = $0 { true } else { false } } == true)
        let room = try #require(page.room)
        #expect(room.you == ana.id && !room.isHost && !room.mayControl && room.control == "host")
        #expect(room.queue.first?.src == "/w/room/files/\(file.uuidString.lowercased())")
        #expect(room.queue.first?.subtitles == "/w/room/files/\(file.uuidString.lowercased())/subtitles.vtt")
        #expect(page.playback == PlaybackView(item: talk.id, paused: true, position: 0, at: t0, rate: 1, held: false))
        #expect(store.joined == [ana.id])
        await engine.shutdown()
    }

    @Test("The host plays and seeks: every page gets the new playback, stored first, with who did it; someone without control is refused")
    func playbackToEveryone() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        let hostPage = Page(try await engine.enter(host))
        let anaPage = Page(try await engine.enter(ana))
        // act
        clock.set(t0.addingTimeInterval(5))
        try await engine.receive(.play, from: hostPage.connection)
        let refused = await refusal { try await engine.receive(.pause, from: anaPage.connection) }
        clock.set(t0.addingTimeInterval(8))
        try await engine.receive(.seek(30), from: hostPage.connection)
        // check
        try await anaPage.wait("the seek") { $0.playback?.position == 30 }
        #expect(anaPage.playback == PlaybackView(item: talk.id, paused: false, position: 30, at: t0.addingTimeInterval(8), rate: 1, held: false))
        #expect(anaPage.room?.lastChange == WatchChange(by: "Hana", what: "jumped to 0:30", at: t0.addingTimeInterval(8)))
        #expect(refused == "not-in-control")
        #expect(store.saved.count == 2 && store.saved.last?.playback.position == 30)
        await engine.shutdown()
    }

    @Test("A write that fails changes nothing and is refused as failed")
    func failedWrite() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        let hostPage = Page(try await engine.enter(host))
        store.fail(true)
        // act
        let code = await refusal { try await engine.receive(.play, from: hostPage.connection) }
        // check
        #expect(code == "failed")
        #expect(await engine.room.playback.paused)
        await engine.shutdown()
    }

    @Test("Links: YouTube and direct files are added with a title; anything else is refused with a reason")
    func addingLinks() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let engine = try await running(store, clock: ManualActivityClock(t0))
        let hostPage = Page(try await engine.enter(host))
        // act
        try await engine.receive(.add(link: "https://youtu.be/dQw4w9WgXcQ", title: nil), from: hostPage.connection)
        try await engine.receive(.add(link: "https://cdn.example.com/films/big%20buck.mp4", title: "  Bunny  "), from: hostPage.connection)
        let bad = await refusal { try await engine.receive(.add(link: "javascript:alert(1)", title: nil), from: hostPage.connection) }
        let long = await refusal {
            try await engine.receive(.add(link: "https://example.com/a.mp4", title: String(repeating: "x", count: 121)), from: hostPage.connection)
        }
        // check
        try await hostPage.wait("three videos") { $0.room?.queue.count == 3 }
        let queue = try #require(hostPage.room?.queue)
        #expect(queue[1].kind == "youtube" && queue[1].youtube == "dQw4w9WgXcQ" && queue[1].title == "YouTube video" && queue[1].src == nil)
        #expect(queue[2].kind == "link" && queue[2].src == "https://cdn.example.com/films/big%20buck.mp4" && queue[2].title == "Bunny")
        #expect(bad == "bad-link" && long == "too-long")
        #expect(store.added.count == 2)
        await engine.shutdown()
    }

    @Test("Chat reaches everyone and is kept for those who come later; empty and too long are refused; reactions are paced")
    func chatAndReactions() async throws {
        // setup
        let clock = ManualActivityClock(t0)
        let engine = try await running(MemoryStore(snapshot()), clock: clock)
        let hostPage = Page(try await engine.enter(host))
        let anaPage = Page(try await engine.enter(ana))
        // act
        try await engine.receive(.chat("  Hello <b>all</b>  "), from: anaPage.connection)
        let empty = await refusal { try await engine.receive(.chat("   "), from: anaPage.connection) }
        let long = await refusal { try await engine.receive(.chat(String(repeating: "é", count: 2001)), from: anaPage.connection) }
        try await engine.receive(.react("🔥"), from: anaPage.connection)
        let fast = await refusal { try await engine.receive(.react("🔥"), from: anaPage.connection) }
        let odd = await refusal { try await engine.receive(.react("💩"), from: hostPage.connection) }
        let late = Page(try await engine.enter(guest))
        // check
        try await hostPage.wait("chat") { $0.events.contains(.chat(WatchChatLine(id: 1, person: ana.id, who: "Ana", text: "Hello <b>all</b>", at: t0))) }
        #expect(hostPage.events.contains(.reaction(who: "Ana", emoji: "🔥")))
        #expect(empty == "empty" && long == "too-long" && fast == "too-fast" && odd == "bad-reaction")
        try await late.wait("history") { $0.events.first == .chatHistory([WatchChatLine(id: 1, person: ana.id, who: "Ana", text: "Hello <b>all</b>", at: t0)]) }
        await engine.shutdown()
    }

    @Test("The host removes someone: their page is told and closed, they cannot come back; passing control and closing")
    func hostControls() async throws {
        // setup
        let engine = try await running(MemoryStore(snapshot()), clock: ManualActivityClock(t0))
        let hostPage = Page(try await engine.enter(host))
        let anaPage = Page(try await engine.enter(ana))
        let guestPage = Page(try await engine.enter(guest))
        // act
        try await engine.receive(.control(.passed(ana.id)), from: hostPage.connection)
        try await anaPage.wait("control") { $0.room?.mayControl == true }
        try await engine.receive(.play, from: anaPage.connection)
        try await engine.receive(.remove(guest.id), from: hostPage.connection)
        let back = await refusal { _ = try await engine.enter(guest, buffering: 8) }
        try await engine.receive(.close, from: hostPage.connection)
        // check
        try await guestPage.wait("removed") { $0.farewell == .removed && $0.finished }
        #expect(back == "removed")
        try await anaPage.wait("closed") { $0.farewell == .closed && $0.finished }
        let closedAt = await engine.room.closedAt
        #expect(await engine.isClosed)
        #expect(closedAt != nil)
    }

    @Test("At the end of the video the room pauses at its end by itself (stored); an empty room closes after 30 minutes")
    func timers() async throws {
        // setup
        let store = MemoryStore(snapshot())
        let clock = ManualActivityClock(t0)
        let engine = try await running(store, clock: clock)
        let hostPage = Page(try await engine.enter(host))
        try await engine.receive(.play, from: hostPage.connection)
        // act / check
        clock.set(t0.addingTimeInterval(60))
        try await hostPage.wait("the end") { $0.playback?.paused == true && $0.playback?.position == 60 }
        await engine.leave(hostPage.connection)
        clock.set(t0.addingTimeInterval(60 + WatchRoom.emptyLifetime))
        for _ in 0..<500 where !(await engine.isClosed) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await engine.isClosed)
        #expect(store.saved.last?.closedAt == t0.addingTimeInterval(60 + WatchRoom.emptyLifetime))
    }

    @Test("Requests decode from the page's JSON; unknown and malformed ones are refused")
    func decoding() {
        typealias Frame = InboundFrame<NoActivityRequest, WatchRequest>
        func request(_ type: String, _ data: String? = nil) -> WatchRequest? {
            let frame = Frame.decode(#"{"v":1,"type":"\#(type)","activity":"watch:x","ref":"r"\#(data.map { ",\"data\":\($0)" } ?? "")}"#)
            if case .activity(let request) = frame.body { return request } else { return nil }
        }
        let person = UUID()
        #expect(request("play") == .play && request("pause") == .pause && request("next") == .next && request("close") == .close)
        #expect(request("seek", #"{"value":12.5}"#) == .seek(12.5) && request("rate", #"{"value":1.5}"#) == .rate(1.5))
        #expect(request("control", #"{"mode":"person","person":"\#(person)"}"#) == .control(.passed(person)))
        #expect(request("control", #"{"mode":"everyone"}"#) == .control(.everyone))
        #expect(request("control", #"{"mode":"nobody"}"#) == nil)
        #expect(request("add", #"{"link":"https://youtu.be/dQw4w9WgXcQ"}"#) == .add(link: "https://youtu.be/dQw4w9WgXcQ", title: nil))
        #expect(request("stalled", #"{"value":true}"#) == .stalled(true) && request("wait-for-everyone", #"{"value":false}"#) == .waitForEveryone(false))
        #expect(request("seek") == nil && request("seek", #"{"value":"soon"}"#) == nil && request("fly") == nil)
    }
}
