import Calls
import Foundation
import RealTime
import Testing

/// What a page may send a call, as its frames are decoded, and what it is sent.
@Suite("Call messages: requests as pages send them, the call as pages see it")
struct CallMessagesTests {
    typealias Frame = InboundFrame<NoActivityRequest, CallRequest>

    static func frame(_ type: String, _ data: String? = nil) -> Frame {
        let data = data.map { #","data":\#($0)"# } ?? ""
        return Frame.decode(#"{"v":1,"type":"\#(type)","activity":"call:\#(UUID().uuidString)","ref":"r"\#(data)}"#)
    }

    static func request(_ frame: Frame) -> CallRequest? {
        if case .activity(let request) = frame.body { request } else { nil }
    }

    static func refusal(_ frame: Frame) -> String? {
        if case .invalid(let refusal) = frame.body { refusal.code } else { nil }
    }

    @Test("Each request decodes, with or without data where it needs none")
    func requestsDecode() {
        // setup / act
        let decoded = [
            Self.frame("accept"), Self.frame("decline", "{}"), Self.frame("cancel"), Self.frame("end"),
            Self.frame("mic", #"{"value":true}"#), Self.frame("camera", #"{"value":false}"#),
        ].map(Self.request)
        // check
        #expect(decoded == [.accept, .decline, .cancel, .end, .mic(true), .camera(false)])
    }

    @Test("A switch without its value, a value that is not true or false, or an unknown request is a bad message")
    func badRequests() {
        // setup / act
        let refused = [
            Self.frame("mic"), Self.frame("mic", "{}"), Self.frame("camera", #"{"value":"on"}"#), Self.frame("camera", #"{"value":1}"#),
            Self.frame("hang-up"), Self.frame("admit", #"{"person":"x"}"#),
        ].map(Self.refusal)
        // check
        #expect(refused == Array(repeating: "bad-message", count: 6))
    }

    @Test("The call event carries the state, both people with their switches, the page's side and the other's absence; instants in milliseconds")
    func callEventShape() throws {
        // setup
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let ada = CallParty(id: UUID(), name: "Ada"), bo = CallParty(id: UUID(), name: "Bo")
        var call = Call(id: UUID(), caller: ada, callee: bo, video: true, startedAt: t0)
        try call.arrive(bo.id, page: 1)
        try call.accept(by: bo.id, at: t0.addingTimeInterval(4))
        try call.setMic(bo.id, true)
        let event = CallEvent.call(CallView(call, for: .callee, mediaRoom: "call", mediaEpoch: 0))
        // act
        let text = Envelope.text(event, activity: "call:\(call.id.uuidString.lowercased())")
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let data = try #require(envelope["data"] as? [String: Any])
        let callee = try #require(data["callee"] as? [String: Any])
        let caller = try #require(data["caller"] as? [String: Any])
        // check
        #expect(envelope["type"] as? String == "call")
        #expect(data["state"] as? String == "answered" && data["you"] as? String == "callee" && data["video"] as? Bool == true)
        #expect(data["otherAway"] as? Bool == true, "Ada has no page in the call")
        #expect((data["startedAt"] as? NSNumber)?.int64Value == 1_800_000_000_000)
        #expect((data["answeredAt"] as? NSNumber)?.int64Value == 1_800_000_004_000)
        #expect(data["outcome"] == nil && data["endedAt"] == nil)
        #expect(callee["name"] as? String == "Bo" && callee["mic"] as? Bool == true && callee["camera"] as? Bool == false)
        #expect((caller["id"] as? String)?.lowercased() == ada.id.uuidString.lowercased() && caller["mic"] as? Bool == false)
        #expect(data["mediaRoom"] as? String == "call")
    }

    @Test("A farewell says why")
    func farewell() throws {
        // setup / act
        let text = Envelope.text(CallEvent.farewell(.replaced), activity: "call:\(UUID().uuidString.lowercased())")
        // check
        #expect(text.contains(#""type":"farewell""#) && text.contains(#""reason":"replaced""#))
    }
}
