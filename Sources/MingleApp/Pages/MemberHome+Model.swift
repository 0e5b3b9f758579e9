import Foundation
import Store

/// A member's home on their community's site (`/`): what is next for them — the next session
/// and where it stands, connection requests waiting for their answer, unread messages, and
/// how complete their profile is.
struct MemberHomeModel: Encodable, Equatable {
    struct Requester: Encodable, Equatable {
        var name: String
        var username: String
    }

    var firstName: String
    var next: SessionModel?
    /// Further sessions ahead, after `next`.
    var laterSessions: String?
    var requests: [Requester]
    var requestCount: Int
    var hasRequests: Bool
    var requestsText: String
    var unread: Int
    var hasUnread: Bool
    var unreadText: String
    var profileDone: Int
    var profileTotal: Int
    var profileComplete: Bool
    /// What is still missing from the profile, in words ("a picture", "Company").
    var profileMissing: String?

    /// `sessions` earliest first, not yet ended; `answers` the member's own, by section.
    init(firstName: String, sessions: [SpeedNetworkingSessionRecord], connections: [ConnectionListing], me: UserID,
         unread: Int, sections: [ProfileSection], answers: [UUID: String], hasPicture: Bool, now: Date, zone: TimeZone) {
        self.firstName = firstName
        let ahead = sessions.filter { !$0.isCancelled }
        next = ahead.first.map { SessionModel($0, now: now, zone: zone) }
        laterSessions = ahead.count > 1
            ? "and \(SessionsController.count(ahead.count - 1, "more session", "more sessions")) after it" : nil
        let waiting = connections.filter { $0.connection.status == .pending && $0.connection.recipient == me }
        requests = waiting.prefix(3).map { Requester(name: $0.otherName, username: $0.otherUsername) }
        (requestCount, hasRequests) = (waiting.count, !waiting.isEmpty)
        requestsText = waiting.isEmpty ? "No one is waiting for your answer."
            : "\(SessionsController.count(waiting.count, "person wants", "people want")) to connect with you."
        (self.unread, hasUnread) = (unread, unread > 0)
        unreadText = unread == 0 ? "You have read every message."
            : "\(SessionsController.count(unread, "unread message", "unread messages"))."
        // The picture counts as one part, like each section.
        let missing = sections.filter { (answers[$0.id] ?? "").isEmpty }.map(\.label)
        profileTotal = sections.count + 1
        profileDone = profileTotal - missing.count - (hasPicture ? 0 : 1)
        profileComplete = profileDone == profileTotal
        let parts = (hasPicture ? [] : ["a picture"]) + missing
        profileMissing = parts.isEmpty ? nil : "Still to add: " + parts.joined(separator: ", ") + "."
    }
}
