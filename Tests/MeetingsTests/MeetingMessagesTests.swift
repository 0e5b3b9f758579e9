import Foundation
import Meetings
import RealTime
import Testing

/// What a page may send a meeting, as its frames are decoded: the reactions Mingle shows and
/// chat within the length the database keeps.
@Suite("Meeting messages: reactions and chat as pages send them")
struct MeetingMessagesTests {
    typealias Frame = InboundFrame<NoActivityRequest, MeetingRequest>

    /// A meeting frame of `type` with `data` (a JSON object's text).
    static func frame(_ type: String, _ data: String) -> Frame {
        Frame.decode(#"{"v":1,"type":"\#(type)","activity":"meeting:\#(UUID().uuidString)","ref":"r","data":\#(data)}"#)
    }

    /// A frame whose data has one text field.
    static func frame(_ type: String, _ field: String, _ text: String) throws -> Frame {
        let value = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
        return frame(type, #"{"\#(field)":\#(value)}"#)
    }

    static func react(_ emoji: String) throws -> Frame { try frame("react", "emoji", emoji) }
    static func chat(_ text: String) throws -> Frame { try frame("chat", "text", text) }

    static func request(_ frame: Frame) -> MeetingRequest? {
        if case .activity(let request) = frame.body { request } else { nil }
    }

    static func refusal(_ frame: Frame) -> String? {
        if case .invalid(let refusal) = frame.body { refusal.code } else { nil }
    }

    @Test("Each of the six reactions is taken; anything else is refused")
    func onlyTheSixReactions() throws {
        // setup
        let six = ["👍", "👏", "❤️", "😂", "😮", "🎉"]
        // act
        let allowed = try six.map(Self.react)
        let others = try ["🐍", "", "👍👍", "👍🏽", "❤", "like", "<b>👍</b>"].map(Self.react)
        let notText = Self.frame("react", #"{"emoji":1}"#)
        // check
        #expect(allowed.map(Self.request) == six.map { .some(.react($0)) })
        #expect(others.map(Self.refusal) == Array(repeating: "bad-message", count: others.count))
        #expect(Self.refusal(notText) == "bad-message")
        #expect(MeetingRequest.reactions.count == 6)
    }

    @Test("A chat message is trimmed and may be up to 2000 characters as the database counts them; longer is refused as too long")
    func chatLength() throws {
        // setup
        let longest = String(repeating: "a", count: MeetingRequest.maxChatLength)
        // 1001 letters with a combining accent each: 1001 characters on the screen, 2002 in the database.
        let accented = String(repeating: "e\u{301}", count: 1001)
        // act
        let fits = try Self.chat("  " + longest + "\n")
        let over = try Self.chat(longest + "a")
        let overInTheDatabase = try Self.chat(accented)
        let blank = try Self.chat(" \n ")
        // check
        #expect(Self.request(fits) == .chat(longest))
        #expect(Self.refusal(over) == "too-long")
        #expect(Self.refusal(overInTheDatabase) == "too-long")
        #expect(Self.refusal(blank) == "empty")
    }
}
