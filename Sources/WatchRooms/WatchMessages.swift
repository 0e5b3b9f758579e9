import Foundation
import RealTime

// The messages of a watch room over the real-time socket (docs/LIVE_PROTOCOL.md, "Watch rooms").

/// What a page may ask of a room. Who may do what is the room's to say (`WatchRoom`).
public enum WatchRequest: ActivityRequest, Equatable {
    case play
    case pause
    case seek(Double)
    case rate(Double)
    case next
    /// Play that video of the list from its start.
    case select(UUID)
    /// Take that video off the list.
    case dequeue(UUID)
    /// Add a link (a direct video file or YouTube) to the list, with an optional title.
    case add(link: String, title: String?)
    /// The host: who controls (`host`, `everyone`, or one person).
    case control(WatchControl)
    case waitForEveryone(Bool)
    case remove(UUID)
    case close
    /// The page's video waits for data (or no longer does).
    case stalled(Bool)
    /// The page learnt how long a video of the list is (a link's, unknown before).
    case duration(item: UUID, seconds: Double)
    case chat(String)
    case react(String)

    public static let reactions: Set<String> = ["👍", "😂", "😮", "❤️", "👏", "🔥"]
    public static let maxChatLength = 2000
    public static let maxTitleLength = 120

    private enum Keys: String, CodingKey { case value, item, person, link, title, mode, text, emoji }

    public init(type: String, data: (any Decoder)?) throws {
        func container() throws -> KeyedDecodingContainer<Keys> { try requireData(data, type).container(keyedBy: Keys.self) }
        func number() throws -> Double { try container().decode(Double.self, forKey: .value) }
        func flag() throws -> Bool { try container().decode(Bool.self, forKey: .value) }
        switch type {
        case "play": self = .play
        case "pause": self = .pause
        case "seek": self = .seek(try number())
        case "rate": self = .rate(try number())
        case "next": self = .next
        case "select": self = .select(try container().decode(UUID.self, forKey: .item))
        case "dequeue": self = .dequeue(try container().decode(UUID.self, forKey: .item))
        case "add":
            let keys = try container()
            self = .add(link: try keys.decode(String.self, forKey: .link), title: try keys.decodeIfPresent(String.self, forKey: .title))
        case "control":
            let keys = try container()
            switch try keys.decode(String.self, forKey: .mode) {
            case "host": self = .control(.host)
            case "everyone": self = .control(.everyone)
            case "person": self = .control(.passed(try keys.decode(UUID.self, forKey: .person)))
            default: throw ActivityRefusal("bad-message", "Control goes to the host, to everyone, or to one person.")
            }
        case "wait-for-everyone": self = .waitForEveryone(try flag())
        case "remove": self = .remove(try container().decode(UUID.self, forKey: .person))
        case "close": self = .close
        case "stalled": self = .stalled(try flag())
        case "duration":
            let keys = try container()
            self = .duration(item: try keys.decode(UUID.self, forKey: .item), seconds: try keys.decode(Double.self, forKey: .value))
        case "chat": self = .chat(try container().decode(String.self, forKey: .text))
        case "react": self = .react(try container().decode(String.self, forKey: .emoji))
        default: throw unknownRequest(type)
        }
    }
}

/// The playback as pages apply it: where the video is at the server instant `at`.
public struct PlaybackView: Encodable, Sendable, Equatable {
    public var item: UUID?
    public var paused: Bool
    public var position: Double
    /// The server instant of `position` (ms since 1970, as every date of the socket).
    public var at: Date
    public var rate: Double
    /// Held because someone's video waits for data ("wait for everyone").
    public var held: Bool

    public init(item: UUID?, paused: Bool, position: Double, at: Date, rate: Double, held: Bool) {
        (self.item, self.paused, self.position, self.at, self.rate, self.held) = (item, paused, position, at, rate, held)
    }

    public init(_ room: WatchRoom) {
        self.init(item: room.playback.item, paused: room.playback.paused, position: room.playback.position, at: room.playback.at,
                  rate: room.playback.rate, held: room.held)
    }
}

/// One video of the list as pages show and play it.
public struct WatchItemView: Encodable, Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var kind: String
    /// Where the page loads it (a file of the room, or the direct link); nil for YouTube.
    public var src: String?
    public var youtube: String?
    public var subtitles: String?
    public var duration: Double?
}

/// Someone in the room as pages show them.
public struct WatchPersonView: Encodable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var isGuest: Bool
    public var isHost: Bool
    public var stalled: Bool
    public var mayControl: Bool
}

/// The room as one person sees it, sent whenever it changes for them (the playback goes apart,
/// in `playback`, so a page applies it at once).
public struct WatchRoomView: Encodable, Sendable, Equatable {
    public var you: UUID
    public var isHost: Bool
    public var mayControl: Bool
    /// "host", "everyone", or "person" (then `controller`).
    public var control: String
    public var controller: UUID?
    public var waitForEveryone: Bool
    public var people: [WatchPersonView]
    public var queue: [WatchItemView]
    public var lastChange: WatchChange?

    public init(_ room: WatchRoom, for person: UUID, items: [WatchItemView]) {
        you = person
        isHost = person == room.host
        mayControl = room.mayControl(person)
        switch room.control {
        case .host: (control, controller) = ("host", nil)
        case .everyone: (control, controller) = ("everyone", nil)
        case .passed(let id): (control, controller) = ("person", id)
        }
        waitForEveryone = room.waitForEveryone
        people = room.people.values
            .map { WatchPersonView(id: $0.id, name: $0.name, isGuest: $0.isGuest, isHost: $0.id == room.host, stalled: $0.stalled,
                                   mayControl: room.mayControl($0.id)) }
            .sorted { ($0.isHost ? 0 : 1, $0.name.lowercased(), $0.id.uuidString) < ($1.isHost ? 0 : 1, $1.name.lowercased(), $1.id.uuidString) }
        queue = items
        lastChange = room.lastChange
    }
}

/// A chat line as pages show it.
public struct WatchChatLine: Encodable, Sendable, Equatable {
    public var id: Int
    public var person: UUID
    public var who: String
    public var text: String
    public var at: Date

    public init(id: Int, person: UUID, who: String, text: String, at: Date) {
        (self.id, self.person, self.who, self.text, self.at) = (id, person, who, text, at)
    }
}

/// Why a page's time in the room is over (it is closed after this).
public enum WatchFarewell: String, Encodable, Sendable {
    case closed
    case removed
    /// The same person opened the room in another window.
    case replaced
}

/// What a room sends to a page.
public enum WatchEvent: ActivityEvent, Equatable {
    case room(WatchRoomView)
    case playback(PlaybackView)
    case chatHistory([WatchChatLine])
    case chat(WatchChatLine)
    case reaction(who: String, emoji: String)
    case farewell(WatchFarewell)

    public var type: String {
        switch self {
        case .room: "room"
        case .playback: "playback"
        case .chatHistory: "chat-history"
        case .chat: "chat"
        case .reaction: "reaction"
        case .farewell: "farewell"
        }
    }

    private struct Lines: Encodable { var lines: [WatchChatLine] }
    private struct Reaction: Encodable { var who: String; var emoji: String }
    private struct Farewell: Encodable { var reason: WatchFarewell }

    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .room(let view): try view.encode(to: encoder)
        case .playback(let view): try view.encode(to: encoder)
        case .chatHistory(let lines): try Lines(lines: lines).encode(to: encoder)
        case .chat(let line): try line.encode(to: encoder)
        case .reaction(let who, let emoji): try Reaction(who: who, emoji: emoji).encode(to: encoder)
        case .farewell(let reason): try Farewell(reason: reason).encode(to: encoder)
        }
    }
}
