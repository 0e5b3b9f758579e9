import Calls
import Foundation
@testable import MingleApp
import RealTime
import Synchronization
import Testing

/// Ringing (issue 16): every open page of the person called, in that site only, rings, and
/// every one of them is told when it stops.
@Suite struct RingerTests {
    final class Page: Sendable {
        let frames = Mutex<[String]>([])
        var send: @Sendable (String) -> Void { { text in self.frames.withLock { $0.append(text) } } }
        func of(type: String) -> [[String: Any]] {
            frames.withLock { $0 }.compactMap { text in
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                      object["type"] as? String == type else { return nil }
                return object["data"] as? [String: Any]
            }
        }
    }

    @Test func everyPageOfTheCalleeRingsAndIsToldWhenItStops() async {
        // setup: Ben has two pages on acme and one on globex; Ana has one on acme.
        let sockets = SocketDirectory()
        let ringer = Ringer(sockets: sockets)
        let (acme, globex, ana, ben, call) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let (tab1, tab2, elsewhere, anaPage) = (Page(), Page(), Page(), Page())
        _ = await sockets.connect(tenant: acme, user: ben, send: tab1.send)
        _ = await sockets.connect(tenant: acme, user: ben, send: tab2.send)
        _ = await sockets.connect(tenant: globex, user: ben, send: elsewhere.send)
        _ = await sockets.connect(tenant: acme, user: ana, send: anaPage.send)
        let until = Date(timeIntervalSince1970: 1_800_000_030)

        // act: Ana calls Ben with video; he answers on one tab.
        await ringer.ring(call, from: .init(id: ana, name: "Ana Alvarez", username: "ana"), to: ben, in: acme, video: true, until: until)
        await ringer.stop(call, for: ben, in: acme, .answeredElsewhere)

        // check: both acme tabs rang with who calls, video and until; both were told it stopped;
        // his globex page and Ana's heard nothing.
        for tab in [tab1, tab2] {
            let ring = tab.of(type: "ring")
            #expect(ring.count == 1)
            #expect(ring.first?["call"] as? String == call.uuidString)
            #expect((ring.first?["from"] as? [String: Any])?["name"] as? String == "Ana Alvarez")
            #expect(ring.first?["video"] as? Bool == true)
            #expect(ring.first?["until"] as? Int == 1_800_000_030_000)
            #expect(tab.of(type: "ring-over").first?["outcome"] as? String == "answered-elsewhere")
        }
        #expect(elsewhere.of(type: "ring").isEmpty && elsewhere.of(type: "ring-over").isEmpty)
        #expect(anaPage.of(type: "ring").isEmpty)
    }

    @Test func theCallMovingOnStopsTheRingingWithTheRightWordOnlyWhileItRang() async throws {
        // setup: Ben has a page on acme.
        let sockets = SocketDirectory()
        let ringer = Ringer(sockets: sockets)
        let (acme, ana, ben) = (UUID(), UUID(), UUID())
        let page = Page()
        _ = await sockets.connect(tenant: acme, user: ben, send: page.send)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func call() -> Call {
            Call(id: UUID(), caller: CallParty(id: ana, name: "Ana"), callee: CallParty(id: ben, name: "Ben"), video: true, startedAt: t0)
        }
        var answered = call(), declined = call(), cancelled = call(), missed = call(), hungUp = call()
        try answered.accept(by: ben, at: t0 + 1)
        try declined.decline(by: ben, at: t0 + 1)
        try cancelled.cancel(by: ana, at: t0 + 1)
        _ = missed.expire(at: t0 + 30)
        try hungUp.accept(by: ben, at: t0 + 1)
        try hungUp.end(by: ana, at: t0 + 9)

        // act
        for moved in [answered, declined, cancelled, missed, hungUp] { await ringer.moved(moved, in: acme) }

        // check: one ring-over each while it rang, in order; none for the end of an answered call.
        let outcomes = page.of(type: "ring-over").compactMap { $0["outcome"] as? String }
        #expect(outcomes == ["answered-elsewhere", "declined", "cancelled", "missed"])
        let calls = page.of(type: "ring-over").compactMap { $0["call"] as? String }
        #expect(calls == [answered, declined, cancelled, missed].map(\.id.uuidString))
    }
}
