import Foundation
import RealTime
import Testing

/// The socket's one message format: frames decode once into typed values, by who they are for.
@Suite struct EnvelopeTests {
    /// An activity's requests for these tests: "say" with a text.
    enum Echo: ActivityRequest, Equatable {
        case say(String)
        private enum Keys: String, CodingKey { case text }
        init(type: String, data: (any Decoder)?) throws {
            guard type == "say" else { throw unknownRequest(type) }
            self = .say(try requireData(data, type).container(keyedBy: Keys.self).decode(String.self, forKey: .text))
        }
    }

    enum Site: ActivityRequest, Equatable {
        case ping
        init(type: String, data: (any Decoder)?) throws {
            guard type == "ping" else { throw unknownRequest(type) }
            self = .ping
        }
    }

    typealias Frame = InboundFrame<Site, Echo>

    static func refusal(_ frame: Frame) -> String? {
        if case .invalid(let refusal) = frame.body { refusal.code } else { nil }
    }

    @Test func framesGoToTheSiteTheMediaLayerOrTheActivityByTheirFields() throws {
        // act
        let site = Frame.decode(#"{"v":1,"type":"ping","ref":"p1"}"#)
        let activity = Frame.decode(#"{"v":1,"type":"say","activity":"echo:\#(UUID().uuidString)","data":{"text":"hi"}}"#)
        let leg = UUID()
        let media = Frame.decode(#"{"v":1,"type":"media-hangup","activity":"echo:x","data":{"leg":"\#(leg.uuidString)"}}"#)
        // check
        guard case .site(.ping) = site.body, case .activity(.say("hi")) = activity.body, case .media(.hangup(leg)) = media.body else {
            Issue.record("routed wrongly: \(site.body) \(activity.body) \(media.body)")
            return
        }
        #expect(site.ref == "p1")
    }

    @Test func badFramesAreRefusedWithTheirRefWhenItCanBeRead() {
        // act + check
        #expect(Self.refusal(.decode("not json")) == "bad-message")
        #expect(Self.refusal(.decode(#"{"type":"ping"}"#)) == "bad-version")
        #expect(Self.refusal(.decode(#"{"v":2,"type":"ping"}"#)) == "bad-version")
        let unknown = Frame.decode(#"{"v":1,"type":"dance","activity":"echo:x","ref":"r9"}"#)
        #expect(Self.refusal(unknown) == "bad-message" && unknown.ref == "r9")
        #expect(Self.refusal(.decode(#"{"v":1,"type":"say","activity":"echo:x"}"#)) == "bad-message")  // no data
        #expect(Self.refusal(.decode(#"{"v":1,"type":"media-watch","activity":"echo:x","data":{"room":"r"}}"#)) == "bad-message")
        let longRef = Frame.decode(#"{"v":1,"type":"ping","ref":"\#(String(repeating: "x", count: 41))"}"#)
        #expect(longRef.ref == nil)
    }

    @Test func outgoingFramesCarryVersionTypeActivityRefAndData() throws {
        // act
        let text = Envelope.text(type: "unread", activity: "echo:1", ref: "r1", data: ["messages": 2])
        let error = Envelope.error(ActivityRefusal("nope", "No."), ref: "r2", request: "say")
        // check
        #expect(text == #"{"activity":"echo:1","data":{"messages":2},"ref":"r1","type":"unread","v":1}"#)
        #expect(error == #"{"data":{"code":"nope","message":"No.","request":"say"},"ref":"r2","type":"error","v":1}"#)
    }

    @Test func activityAddressesAreKindColonID() {
        let tenant = UUID(), id = UUID()
        let key = ActivityKey.parse(address: "speed-networking:\(id.uuidString)", tenant: tenant)
        #expect(key == ActivityKey(tenant: tenant, kind: .speedNetworking, id: id))
        #expect(key?.address == "speed-networking:\(id.uuidString.lowercased())")
        #expect(ActivityKey.parse(address: "speed-networking", tenant: tenant) == nil)
        #expect(ActivityKey.parse(address: "Speed:\(id.uuidString)", tenant: tenant) == nil)
        #expect(ActivityKey.parse(address: ":\(id.uuidString)", tenant: tenant) == nil)
        #expect(ActivityKey.parse(address: "a b:\(id.uuidString)", tenant: tenant) == nil)
    }
}
