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
}
