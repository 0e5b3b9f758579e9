import Foundation

import RealTime

// The messages of speed networking over the real-time socket (docs/LIVE_PROTOCOL.md). The
// engine speaks in these types; the socket only puts them in (and takes them out of) the
// envelope.

/// What a page may ask of a speed-networking session.
public enum SpeedNetworkingRequest: ActivityRequest, Equatable {
    /// Join the matching pool ("Meet someone").
    case meet
    /// Leave the pool and go back to the lobby.
    case leavePool
    /// Answers to the survey about the partner of `pairing`, keyed by question key.
    case survey(pairing: UUID, answers: [String: String])
    /// Organizer only: available (or not) to meet a left-over member.
    case available(Bool)
    /// Organizer only: broadcast (or not) to the lobby; the camera is shown there only while on.
    case broadcast(Bool)

    private enum Keys: String, CodingKey { case pairing, answers, value }

    public init(type: String, data: (any Decoder)?) throws {
        switch type {
        case "meet": self = .meet
        case "leave-pool": self = .leavePool
        case "survey":
            let container = try requireData(data, type).container(keyedBy: Keys.self)
            self = .survey(pairing: try container.decode(UUID.self, forKey: .pairing),
                           answers: try container.decode([String: String].self, forKey: .answers))
        case "available":
            self = .available(try requireData(data, type).container(keyedBy: Keys.self).decode(Bool.self, forKey: .value))
        case "broadcast":
            self = .broadcast(try requireData(data, type).container(keyedBy: Keys.self).decode(Bool.self, forKey: .value))
        default:
            throw unknownRequest(type)
        }
    }
}

/// What a speed-networking session sends to a page.
public enum SpeedNetworkingEvent: ActivityEvent, Equatable {
    /// Everything one person's page shows; sent whenever it changes.
    case state(SpeedNetworkingView)
    /// Who is in the room: the whole list when a page enters, then what changed.
    case people(RoomPresence)
    /// Organizers only: the running pairs, the pool, the counts.
    case room(OrganizerRoom)
    /// A one-off notice, e.g. "Your partner left".
    case notice(String)
    /// An event encoded once for every page (a change of the people list).
    case shared(EncodedEvent)

    public var type: String {
        switch self {
        case .state: "state"
        case .people: "people"
        case .room: "room"
        case .notice: "notice"
        case .shared(let event): event.type
        }
    }

    private struct Text: Encodable { var text: String }

    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .state(let view): try view.encode(to: encoder)
        case .people(let presence): try presence.encode(to: encoder)
        case .room(let room): try room.encode(to: encoder)
        case .notice(let text): try Text(text: text).encode(to: encoder)
        case .shared: break  // written from `encodedEnvelope`, never encoded again
        }
    }

    public var encodedEnvelope: String? {
        if case .shared(let event) = self { return event.text }
        return nil
    }
}

public struct Person: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
}

/// One person's view of the session.
public struct SpeedNetworkingView: Sendable, Equatable, Encodable {
    public enum Status: String, Sendable, Codable {
        /// In the lobby (before S, after E, or not in the pool).
        case lobby
        /// In the pool, waiting to be paired.
        case waiting
        /// In a one-to-one.
        case pair
        /// Answering the survey about the last partner.
        case survey
        /// The session is over and deallocated.
        case closed
    }

    public struct Session: Sendable, Equatable, Encodable {
        public var id: UUID
        public var title: String
        public var phase: String
        public var lobbyOpensAt: Date
        public var startsAt: Date
        public var endsAt: Date
        public var closesAt: Date
        public var roundSeconds: Int
        /// Whether "Meet someone" is possible now.
        public var canMeet: Bool
        /// Whether new pairs still start (false in the last minutes of the session).
        public var pairsStarting: Bool
    }

    public struct Waiting: Sendable, Equatable, Encodable {
        public var since: Date
        /// Left out of a round or partner left: paired first.
        public var firstInLine: Bool
        /// Why they are still waiting, in words.
        public var reason: String
    }

    public struct PairInfo: Sendable, Equatable, Encodable {
        public var id: UUID
        public var partner: Person
        public var withOrganizer: Bool
        public var round: Int
        public var startedAt: Date
        /// When the "ends in one minute" notice comes.
        public var noticeAt: Date
        /// When both are disconnected.
        public var endsAt: Date
        /// The notice has come.
        public var ending: Bool
        public var partnerConnected: Bool
    }

    public struct SurveyInfo: Sendable, Equatable, Encodable {
        public var pairing: UUID
        public var partner: Person
        public var questions: [SurveyQuestionView]
    }

    public struct OrganizerInfo: Sendable, Equatable, Encodable {
        /// This organizer is available to meet a left-over member.
        public var available: Bool
        /// This organizer broadcasts to the lobby (said so; their camera may still be connecting).
        public var broadcasting: Bool
        /// Another organizer is the available one.
        public var availableOrganizer: Person?
    }

    public var now: Date
    public var session: Session
    public var you: Person
    public var role: String
    public var status: Status
    public var waiting: Waiting?
    public var pair: PairInfo?
    public var survey: SurveyInfo?
    public var organizer: OrganizerInfo?
    /// People met so far in this session.
    public var metCount: Int
    public var media = MediaInfo()

    /// What the page's media should do.
    public struct MediaInfo: Sendable, Equatable, Encodable {
        /// The media room every camera of the session goes to.
        public var room = ""
        /// Organizers publishing in the lobby now (the page watches them).
        public var lobbyPublishers: [UUID] = []
        /// This person may broadcast to the lobby (organizers while the lobby exists).
        public var mayPublishInLobby = false
        /// This person may publish now (a member keeps their camera connection between rounds).
        public var mayPublish = false
        /// The partner's camera connection is up.
        public var partnerPublishing = false
        /// Changes when the media tier lost rooms: set everything up again.
        public var epoch = 0
    }

    /// Equality without `now`, which changes every time.
    public func sameContent(as other: SpeedNetworkingView) -> Bool {
        var a = self, b = other
        a.now = .distantPast
        b.now = .distantPast
        return a == b
    }
}

/// A survey question as the page needs it.
public struct SurveyQuestionView: Sendable, Equatable, Encodable {
    public var key: String
    public var prompt: String
    /// "rating", "single_choice" or "free_text".
    public var kind: String
    public var required: Bool
    public var low: String?
    public var high: String?
    public var options: [String]?
    public var maxLength: Int?

    public init(_ question: SurveyQuestion) {
        key = question.key
        prompt = question.prompt
        required = question.required
        switch question.kind {
        case .rating(let low, let high):
            kind = "rating"
            self.low = low
            self.high = high
        case .singleChoice(let options):
            kind = "single_choice"
            self.options = options
        case .freeText(let maxLength):
            kind = "free_text"
            self.maxLength = maxLength
        }
    }
}

/// Who is in the room. Members see names and what people are doing; organizers also see the
/// pairs and the pool in order.
/// The people in the room. With `full`, `people` is everyone (in the order pages show them);
/// otherwise `people` are the entries that changed or came, and `gone` who left.
public struct RoomPresence: Sendable, Equatable, Encodable {
    public struct Entry: Sendable, Equatable, Encodable {
        public var id: UUID
        public var name: String
        public var role: String
        public var status: SpeedNetworkingView.Status
        /// Briefly disconnected (e.g. reloading); their place is kept.
        public var reconnecting: Bool
    }

    public var people: [Entry]
    public var gone: [UUID]
    public var full: Bool
}

/// What organizers see besides the people.
public struct OrganizerRoom: Sendable, Equatable, Encodable {
    public struct PairEntry: Sendable, Equatable, Encodable {
        public var id: UUID
        public var a: Person
        public var b: Person
        public var round: Int
        public var startedAt: Date
        public var endsAt: Date
        public var withOrganizer: Bool
    }

    /// The running pairs.
    public var pairs: [PairEntry]
    /// The pool in priority order.
    public var pool: [Person]
    public var pairingsSoFar: Int
    public var surveysSoFar: Int
}
