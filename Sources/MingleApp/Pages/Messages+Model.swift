import Foundation
import Store

/// A member's conversations (`/messages`), newest first.
struct MessagesModel: Encodable, Equatable {
    struct Conversation: Encodable, Equatable {
        var username: String
        var name: String
        var preview: String
        var unread: Int
        var hasUnread: Bool
        var when: String
    }

    var conversations: [Conversation]
    var empty: Bool
    var online: OnlineListModel

    init(_ conversations: [ConversationListing], reachable: [(id: UserID, username: String, name: String)] = [], zone: TimeZone) {
        online = OnlineListModel(reachable)
        self.conversations = conversations.map {
            Conversation(username: $0.otherUsername, name: $0.otherName, preview: $0.preview, unread: $0.unread,
                         hasUnread: $0.unread > 0, when: LocalTime.dateTime($0.lastMessageAt, in: zone))
        }
        empty = conversations.isEmpty
    }
}

/// One conversation (`/messages/<username>`) with the other person.
struct ConversationModel: Encodable, Equatable {
    /// A message as the page shows it; new ones reach an open page in the same shape (`Pushes`).
    struct Message: Encodable, Equatable {
        var id: Int
        var body: String
        /// The body with its web links marked (the page and its script make them clickable).
        var text: LinkedText
        var mine: Bool
        var who: String
        var when: String

        /// `otherName` is who wrote it when `me` did not.
        init(_ message: Store.Message, me: UserID, otherName: String, zone: TimeZone) {
            (id, body, mine) = (message.id, message.body, message.sender == me)
            text = LinkedText(message.body)
            who = mine ? "You" : otherName
            when = LocalTime.dateTime(message.createdAt, in: zone)
        }
    }

    var id: String
    var username: String
    var name: String
    var messages: [Message]
    var empty: Bool
    var max = MessagingRules.maxLength
    /// The form as typed, and what is wrong with it, after a refused send.
    var draft = ""
    var problem: String?
    /// The calls between the two, newest first.
    var calls: [CallLogLine] = [] { didSet { (hasCalls, callCount) = (!calls.isEmpty, calls.count) } }
    var hasCalls = false
    var callCount = 0

    init(with other: UserRecord, messages: [Store.Message], me: UserID, zone: TimeZone) {
        (id, username, name) = (other.id.uuidString, other.username, other.displayName)
        self.messages = messages.map { Message($0, me: me, otherName: other.displayName, zone: zone) }
        empty = messages.isEmpty
    }
}

/// The organizer's message to many (`/organize/messages`): whom it can go to.
struct BroadcastModel: Encodable, Equatable {
    struct Member: Encodable, Equatable {
        var username: String
        var name: String
        var ticked: Bool
    }

    /// What a refused send had typed and ticked, and what was wrong.
    struct Typed: Equatable {
        var body: String
        var everyone: Bool
        var chosen: Set<String>
        var bodyProblem: String?
        var audienceProblem: String?
    }

    var members: [Member]
    var empty: Bool
    var max = MessagingRules.maxLength
    var draft: String
    var everyone: Bool
    var bodyProblem: String?
    var audienceProblem: String?

    init(_ members: [MemberRecord], typed: Typed? = nil) {
        self.members = members.map { Member(username: $0.user.username, name: $0.user.displayName,
                                            ticked: typed?.chosen.contains($0.user.username) ?? false) }
        empty = members.isEmpty
        (draft, everyone) = (typed?.body ?? "", typed?.everyone ?? true)
        (bodyProblem, audienceProblem) = (typed?.bodyProblem, typed?.audienceProblem)
    }
}

/// "Online now": the people one may write to and call, each shown while presence says they are
/// online (`data-online-for`, realtime.js); the page says so when nobody is.
struct OnlineListModel: Encodable, Equatable {
    struct Person: Encodable, Equatable {
        var id: String
        var username: String
        var name: String
    }

    var people: [Person]
    var anyone: Bool

    init(_ reachable: [(id: UserID, username: String, name: String)]) {
        // (upper-case ids, as presence messages write them)
        people = reachable.map { Person(id: $0.id.uuidString, username: $0.username, name: $0.name) }
        anyone = !people.isEmpty
    }
}
