import Foundation
import RealTime
import Store
import WatchRooms

/// What a room's form asks, checked: a title, a PIN (typed or drawn), whether guests may come.
enum WatchRoomForm {
    static let maxTitle = 120
    static let pinDigits = 6...12

    /// The title as typed, or what is wrong with it.
    static func title(_ typed: String, into problems: inout FormProblems) -> String {
        let title = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { problems.add("title", "Give the room a title.") }
        else if title.unicodeScalars.count > maxTitle { problems.add("title", "Use at most \(maxTitle) characters.") }
        return title
    }

    /// A PIN as typed (spaces dropped), or what is wrong with it; nil when none was typed.
    static func pin(_ typed: String, into problems: inout FormProblems, field: String = "pin") -> String? {
        let pin = typed.filter { !$0.isWhitespace }
        guard !pin.isEmpty else { return nil }
        if !pin.allSatisfy({ $0.isASCII && $0.isNumber }) || !pinDigits.contains(pin.count) {
            problems.add(field, "A PIN is \(pinDigits.lowerBound) to \(pinDigits.upperBound) digits.")
        }
        return pin
    }

    /// A room ID as typed ("123 456 789", "123-456-789"): its nine digits, or nil.
    static func code(_ typed: String) -> String? {
        let digits = typed.filter { !$0.isWhitespace && $0 != "-" }
        return digits.count == 9 && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? digits : nil
    }

    static func randomDigits(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        // The first digit is not 0, so a code or PIN reads the same wherever it is written.
        return String(Int.random(in: 1...9, using: &generator)) + (1..<count).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
    }
}

/// `/watch`: the rooms I host and joined, joining by ID and PIN, making a room.
struct WatchRoomsModel: Encodable {
    struct Row: Encodable {
        var title: String
        var code: String
        var link: String
        var hosting: Bool
        var closed: Bool
        var when: String
    }

    var rooms: [Row]
    var empty: Bool
    /// The join form as typed, and the create form, with their problems.
    var code = ""
    var title = ""
    var guests = false
    var joinProblems = FormProblems()
    var createProblems = FormProblems()

    init(_ listings: [WatchRoomListing], zone: TimeZone) {
        rooms = listings.map { listing in
            Row(title: listing.room.title, code: listing.room.spacedCode, link: WatchRoomsController.path(listing.room.id),
                hosting: listing.hosting, closed: listing.room.closedAt != nil,
                when: LocalTime.dateTime(listing.lastJoinedAt ?? listing.room.createdAt, in: zone))
        }
        empty = rooms.isEmpty
    }
}

/// A room's door (`/w/<id>` before the PIN): a member types the PIN; a guest their name and the PIN.
struct WatchDoorModel: Encodable {
    var title: String
    var code: String
    var action: String
    var asGuest: Bool
    var guestsAllowed: Bool
    var signIn: String
    var closed: Bool
    var name = ""
    var problems = FormProblems()
}

/// The room's page: what `watch.js` needs to join the room's activity.
struct WatchRoomPageModel: Encodable {
    var activity: String
    var title: String
    var code: String
    var link: String
    /// `/w/<id>`, for the page's uploads.
    var roomPath: String
    var isHost: Bool
    var isGuest: Bool
    var myName: String
    var reactions: [String]
    var rates: [String]
    var liveTicket: String?

    static func activity(_ room: UUID, _ tenant: TenantID) -> String { ActivityKey(tenant: tenant, kind: .watch, id: room).address }

    init(_ room: WatchRoomRecord, tenant: TenantID, link: String, me: UUID, isGuest: Bool, myName: String) {
        activity = Self.activity(room.id, tenant)
        roomPath = WatchRoomsController.path(room.id)
        (title, code, self.link, self.isGuest, self.myName) = (room.title, room.spacedCode, link, isGuest, myName)
        isHost = room.host == me
        reactions = WatchRequest.reactions.sorted()
        rates = ["0.5", "0.75", "1", "1.25", "1.5", "2"]
    }
}
