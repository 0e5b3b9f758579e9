import Foundation
import RealTime

// The messages of a meeting over the real-time socket (docs/LIVE_PROTOCOL.md, "Meetings").

/// What a page may ask of a meeting. Host controls are refused unless the sender is a host or
/// co-host in the room, whatever the page shows.
public enum MeetingRequest: ActivityRequest, Equatable {
    // Host controls
    case admit(UUID)
    case admitAll
    case refuse(UUID)
    case mute(UUID)
    case muteAll
    case askToUnmute(UUID)
    case lowerHand(UUID)
    case remove(UUID)
    case coHost(UUID, Bool)
    case lock(Bool)
    case end
    // One's own
    case mic(Bool)
    case camera(Bool)
    case share(Bool)
    case hand(Bool)
    case react(String)
    case chat(String)

    /// The reactions a page may send (shown briefly to everyone).
    public static let reactions: Set<String> = ["👍", "👏", "❤️", "😂", "😮", "🎉"]
    public static let maxChatLength = 2000

    private enum Keys: String, CodingKey { case person, value, emoji, text }

    public init(type: String, data: (any Decoder)?) throws {
        func container() throws -> KeyedDecodingContainer<Keys> { try requireData(data, type).container(keyedBy: Keys.self) }
        func person() throws -> UUID { try container().decode(UUID.self, forKey: .person) }
        func value() throws -> Bool { try container().decode(Bool.self, forKey: .value) }
        switch type {
        case "admit": self = .admit(try person())
        case "admit-all": self = .admitAll
        case "refuse": self = .refuse(try person())
        case "mute": self = .mute(try person())
        case "mute-all": self = .muteAll
        case "ask-unmute": self = .askToUnmute(try person())
        case "lower-hand": self = .lowerHand(try person())
        case "remove": self = .remove(try person())
        case "co-host": self = .coHost(try person(), try value())
        case "lock": self = .lock(try value())
        case "end": self = .end
        case "mic": self = .mic(try value())
        case "camera": self = .camera(try value())
        case "share": self = .share(try value())
        case "hand": self = .hand(try value())
        case "react":
            let emoji = try container().decode(String.self, forKey: .emoji)
            guard Self.reactions.contains(emoji) else { throw ActivityRefusal("bad-message", "That reaction is not one Mingle shows.") }
            self = .react(emoji)
        case "chat":
            let text = try container().decode(String.self, forKey: .text).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ActivityRefusal("empty", "Write something first.") }
            // Counted as PostgreSQL counts the stored text (Unicode scalars), so nothing let
            // through here is refused by the table's check.
            guard text.unicodeScalars.count <= Self.maxChatLength else {
                throw ActivityRefusal("too-long", "A chat message can be at most \(Self.maxChatLength) characters.")
            }
            self = .chat(text)
        default:
            throw unknownRequest(type)
        }
    }
}

/// One's own state, sent to each page whenever it changes.
public struct MeetingSelfView: Encodable, Sendable, Equatable {
    public var you: UUID
    public var standing: MeetingStanding
    /// While waiting: for whom.
    public var waitingFor: WaitingReason?
    public var role: MeetingRole
    public var hostPresent: Bool
    /// A host muted this person.
    public var blocked: Bool
    public var mic: Bool
    public var camera: Bool
    public var hand: Bool
    public var locked: Bool
    public var waitingRoom: Bool
    public var guestsAllowed: Bool
    public var cap: Int
    /// Bumped when the media server lost the room: set media up again.
    public var mediaEpoch: Int
    /// The media room to publish and watch in.
    public var mediaRoom: String
}

/// One person of the room's list.
public struct MeetingPersonView: Encodable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var role: MeetingRole
    public var mic: Bool
    public var camera: Bool
    public var sharing: Bool
    /// Place in the queue of raised hands (1 = first), nil when down.
    public var hand: Int?
    public var blocked: Bool
    public var publishing: Bool
    /// Their page went away; their place is kept for a while.
    public var away: Bool
}

/// The room's people, who shares and who spoke last; sent whole (a meeting has at most 30).
public struct MeetingPeopleView: Encodable, Sendable, Equatable {
    public var people: [MeetingPersonView]
    public var presenter: UUID?
    public var speaker: UUID?
}

/// Someone in the waiting room (hosts' pages only).
public struct MeetingWaitingView: Encodable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var guest: Bool
}

public struct MeetingChatLine: Codable, Sendable, Equatable {
    public var seq: Int64
    public var from: UUID
    public var name: String
    public var text: String
    public var at: Date

    public init(seq: Int64, from: UUID, name: String, text: String, at: Date) {
        (self.seq, self.from, self.name, self.text, self.at) = (seq, from, name, text, at)
    }
}

/// Why a page's time in the meeting is over (it is closed after this).
public enum MeetingFarewell: String, Encodable, Sendable {
    case ended, removed, refused
    /// The same person opened the meeting in another window.
    case replaced
}

/// What a meeting sends to a page.
public enum MeetingEvent: ActivityEvent, Equatable {
    case you(MeetingSelfView)
    case people(MeetingPeopleView)
    case waiting([MeetingWaitingView])
    case chat(MeetingChatLine)
    case chatHistory([MeetingChatLine])
    case reaction(from: UUID, name: String, emoji: String)
    case speaker(UUID)
    /// A host muted you / asked you to unmute.
    case muted(by: String)
    case unmuteAsked(by: String)
    case farewell(MeetingFarewell)
    /// An event encoded once for many pages.
    case shared(EncodedEvent)

    public var type: String {
        switch self {
        case .you: "you"
        case .people: "people"
        case .waiting: "waiting"
        case .chat: "chat"
        case .chatHistory: "chat-history"
        case .reaction: "reaction"
        case .speaker: "speaker"
        case .muted: "muted"
        case .unmuteAsked: "unmute-asked"
        case .farewell: "farewell"
        case .shared(let event): event.type
        }
    }

    public var encodedEnvelope: String? {
        if case .shared(let event) = self { return event.text }
        return nil
    }

    private struct Words: Encodable { var by: String }
    private struct Reaction: Encodable { var from: UUID; var name: String; var emoji: String }
    private struct Speaker: Encodable { var id: UUID }
    private struct Farewell: Encodable { var reason: MeetingFarewell }
    private struct Lines: Encodable { var lines: [MeetingChatLine] }
    private struct Waiting: Encodable { var people: [MeetingWaitingView] }

    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .you(let view): try view.encode(to: encoder)
        case .people(let view): try view.encode(to: encoder)
        case .waiting(let people): try Waiting(people: people).encode(to: encoder)
        case .chat(let line): try line.encode(to: encoder)
        case .chatHistory(let lines): try Lines(lines: lines).encode(to: encoder)
        case .reaction(let from, let name, let emoji): try Reaction(from: from, name: name, emoji: emoji).encode(to: encoder)
        case .speaker(let id): try Speaker(id: id).encode(to: encoder)
        case .muted(let by), .unmuteAsked(let by): try Words(by: by).encode(to: encoder)
        case .farewell(let reason): try Farewell(reason: reason).encode(to: encoder)
        case .shared: break
        }
    }
}
