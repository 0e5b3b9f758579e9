import Foundation
import Meetings
import RealTime
import Store

/// The meeting's room page (`/m/<link>`): what `meeting.js` needs to join the meeting's activity.
struct MeetingRoomModel: Encodable, Equatable {
    var activity: String
    var title: String
    var link: String
    var when: String
    var isGuest: Bool
    var myName: String
    /// The meeting's page (members only: guests see nothing else of the site).
    var detailsPath: String?
    /// Ended or cancelled: the page says so instead of the room.
    var over: String?
    var reactions: [String]
    /// The pass the page opens its socket with (`LiveTicket`), for members.
    var liveTicket: String?

    static func activity(_ meeting: MeetingRecord, _ tenant: TenantID) -> String {
        ActivityKey(tenant: tenant, kind: .meeting, id: meeting.id).address
    }

    init(_ meeting: MeetingRecord, tenant: TenantID, link: String, isGuest: Bool, myName: String, zone: TimeZone) {
        activity = Self.activity(meeting, tenant)
        (title, self.link, self.isGuest, self.myName) = (meeting.title, link, isGuest, myName)
        detailsPath = isGuest ? nil : "/meetings/\(meeting.id.uuidString.lowercased())"
        when = LocalTime.dateTime(meeting.startsAt, in: zone) + " – " + LocalTime.time(meeting.endsAt, in: zone)
        if meeting.cancelledAt != nil { over = "This meeting was cancelled." }
        else if meeting.endedAt != nil { over = "This meeting has ended." }
        reactions = MeetingRequest.reactions.sorted()
    }
}

/// Someone who is not a member here opens a meeting's link: a name to join as a guest (when the
/// meeting takes guests), or the way to sign in.
struct MeetingGuestModel: Encodable, Equatable {
    var title: String
    var action: String
    var signIn: String
    var guestsAllowed: Bool
    var name: String
    var problems: FormProblems

    static let maxName = 60

    /// The display name a guest typed, or what is wrong with it.
    static func name(_ typed: String?) -> (String, FormProblems) {
        let name = (typed ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = FormProblems()
        if name.isEmpty { problems.add("name", "Enter the name others will see.") }
        // As PostgreSQL counts the stored name (Unicode scalars), so the table's check never refuses it.
        else if name.unicodeScalars.count > maxName { problems.add("name", "Use at most \(maxName) characters.") }
        else if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            problems.add("name", "Use letters, numbers and spaces.")
        }
        return (name, problems)
    }
}
