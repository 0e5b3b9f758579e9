import Calls
import Foundation
import RealTime
import Store

/// How a call's end reads for one of the two: on the call page (said by the server, and by
/// `call.js` from the same words, sent in the page) and in the call log.
enum CallWords {
    /// The sentence the call page shows when it ended.
    static func ended(_ outcome: CallOutcome, role: CallRole, other: String, endedByMe: Bool) -> String {
        switch (outcome, role) {
        case (.answered, _): "The call has ended."
        case (.declined, .caller): "\(other) declined the call."
        case (.declined, .callee): "You declined the call."
        case (.cancelled, .caller): "You hung up before \(other) answered."
        case (.cancelled, .callee): "\(other) hung up before you answered."
        case (.missed, .caller): "\(other) did not answer."
        case (.missed, .callee): "You missed this call."
        case (.busy, .caller): "\(other) is busy in another call, a meeting or a live session. Try again later, or write to them."
        case (.busy, .callee): "\(other) tried to call you while you were busy."
        case (.dropped, _): endedByMe ? "The call was cut off: your connection was lost." : "The call was cut off: \(other)'s connection was lost."
        }
    }

    /// Every ending as the page may meet it, for `call.js` (who ended a dropped call decides
    /// its sentence: `dropped-me`, `dropped-other`).
    static func endings(role: CallRole, other: String) -> [String: String] {
        var words: [String: String] = [:]
        for outcome in CallOutcome.allCases where outcome != .dropped {
            words[outcome.rawValue] = ended(outcome, role: role, other: other, endedByMe: false)
        }
        words["dropped-me"] = ended(.dropped, role: role, other: other, endedByMe: true)
        words["dropped-other"] = ended(.dropped, role: role, other: other, endedByMe: false)
        return words
    }

    /// The log's short word for an outcome; nil outcome: still going.
    static func short(_ outcome: CallOutcome?, role: CallRole) -> String {
        switch (outcome, role) {
        case (nil, _): "In progress"
        case (.answered?, _): "Answered"
        case (.declined?, _): "Declined"
        case (.cancelled?, _): "Cancelled"
        case (.missed?, .caller): "No answer"
        case (.missed?, .callee): "Missed"
        case (.busy?, _): "Busy"
        case (.dropped?, _): "Cut off"
        }
    }

    /// "45 s", "4 min 12 s", "1 h 2 min".
    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60)
        if h > 0 { return m > 0 ? "\(h) h \(m) min" : "\(h) h" }
        if m > 0 { return s > 0 ? "\(m) min \(s) s" : "\(m) min" }
        return "\(s) s"
    }
}

/// One line of the call log on a conversation page.
struct CallLogLine: Encodable, Equatable {
    var when: String
    /// "You called" / "Ana called".
    var who: String
    /// "Video call" / "Audio call".
    var kind: String
    /// "Answered", "Missed"…
    var outcome: String
    /// How long the two talked (answered or cut off).
    var duration: String?
    var missed: Bool
    var link: String

    init(_ entry: CallLogEntry, me: UserID, otherName: String, zone: TimeZone) {
        let role: CallRole = entry.caller == me ? .caller : .callee
        when = LocalTime.dateTime(entry.at, in: zone)
        who = role == .caller ? "You called" : "\(otherName) called"
        kind = entry.video ? "Video call" : "Audio call"
        outcome = CallWords.short(entry.outcome, role: role)
        duration = entry.duration.map(CallWords.duration)
        missed = entry.outcome == .missed && role == .callee
        link = "/calls/\(entry.call.uuidString.lowercased())"
    }
}

/// The call page (`/calls/<id>`): the call for `call.js` while it is live, how it ended once
/// it has, and the conversation with the other person beside it.
struct CallPageModel: Encodable {
    var id: String
    var activity: String
    var title: String
    var role: String
    var video: Bool
    /// The callee came from "Answer": the page accepts as soon as it is in the call.
    var answer: Bool
    var other: Other
    /// The call is over: how it ended, for this person.
    var ended: String?
    var duration: String?
    /// What the page says when the call ends while it is open (`CallWords.endings`), as JSON.
    var endings: String
    var liveTicket: String?
    var conversation: ConversationModel

    struct Other: Encodable {
        var id: String
        var name: String
        var username: String
        /// For the picture shown while there is no video: "AL" for Ada Lovelace.
        var initials: String
    }

    static func activity(_ call: UUID, _ tenant: TenantID) -> String {
        ActivityKey(tenant: tenant, kind: .call, id: call).address
    }

    init(_ call: CallRecord, me: UserID, other: UserRecord, tenant: TenantID, answer: Bool, conversation: ConversationModel) {
        let role: CallRole = call.caller == me ? .caller : .callee
        id = call.id.uuidString.lowercased()
        activity = Self.activity(call.id, tenant)
        title = (call.video ? "Video call with " : "Call with ") + other.displayName
        self.role = role.rawValue
        video = call.video
        self.answer = answer && role == .callee && call.isLive
        let initials = other.displayName.split(separator: " ").prefix(2).compactMap(\.first).map { String($0).uppercased() }.joined()
        self.other = Other(id: other.id.uuidString, name: other.displayName, username: other.username, initials: initials)
        if let outcome = call.outcome {
            ended = CallWords.ended(outcome, role: role, other: other.displayName, endedByMe: call.endedBy == me)
            duration = call.duration.map(CallWords.duration)
        }
        let words = CallWords.endings(role: role, other: other.displayName)
        endings = String(decoding: (try? JSONEncoder().encode(words)) ?? Data("{}".utf8), as: UTF8.self)
        self.conversation = conversation
    }
}
