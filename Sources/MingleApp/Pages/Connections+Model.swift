import Foundation
import Store

/// A member's connections (`/connections`): made, asked of them, and asked by them.
struct ConnectionsModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var id: String
        var username: String
        var name: String
        var since: String
    }

    var connected: [Row]
    var incoming: [Row]
    var outgoing: [Row]
    var noConnections: Bool
    var hasIncoming: Bool
    var hasOutgoing: Bool

    /// `all` are the connections and requests of `me`.
    init(_ all: [ConnectionListing], me: UserID, zone: TimeZone) {
        func rows(_ filter: (Connection) -> Bool) -> [Row] {
            all.filter { filter($0.connection) }.map {
                Row(id: $0.connection.id.uuidString.lowercased(), username: $0.otherUsername, name: $0.otherName,
                    since: LocalTime.day($0.connection.createdAt, in: zone))
            }
        }
        connected = rows { $0.status == .accepted }
        incoming = rows { $0.status == .pending && $0.recipient == me }
        outgoing = rows { $0.status == .pending && $0.requester == me }
        (noConnections, hasIncoming, hasOutgoing) = (connected.isEmpty, !incoming.isEmpty, !outgoing.isEmpty)
    }
}

/// A member's notifications (`/notifications`), the unread ones marked new.
struct NotificationsModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var text: String
        var link: String
        var new: Bool
        var when: String
    }

    var notices: [Row]
    var empty: Bool

    init(_ notices: [Notice], zone: TimeZone) {
        self.notices = notices.map {
            Row(text: $0.text, link: $0.link, new: !$0.read, when: LocalTime.dateTime($0.createdAt, in: zone))
        }
        empty = notices.isEmpty
    }
}

/// The organizer's connections page (`/organize/connections`): requests to approve, and the
/// active members to connect.
struct OrganizerConnectionsModel: Encodable, Equatable {
    struct Pending: Encodable, Equatable {
        var id: String
        var from: String
        var to: String
        var since: String
    }

    struct Member: Encodable, Equatable {
        var username: String
        /// "Name (username)".
        var name: String
    }

    var pending: [Pending]
    var noPending: Bool
    var members: [Member]

    init(pending: [(connection: Connection, from: String, to: String)], members: [MemberRecord], zone: TimeZone) {
        self.pending = pending.map {
            Pending(id: $0.connection.id.uuidString.lowercased(), from: $0.from, to: $0.to,
                    since: LocalTime.day($0.connection.createdAt, in: zone))
        }
        noPending = pending.isEmpty
        self.members = members.map { Member(username: $0.user.username, name: "\($0.user.displayName) (\($0.user.username))") }
    }
}
