import Foundation
import Synchronization

// The one message format of the real-time socket (docs/LIVE_PROTOCOL.md): every frame, in
// either direction, is one JSON envelope
//
//     {"v": 1, "type": "…", "activity": "<kind>:<id>", "ref": "…", "data": {…}}
//
// `activity` names the activity a message belongs to (absent for the site's own messages:
// presence, unread counts, pings); `ref` is the page's own reference for a request, echoed in
// the answer or refusal; `data` is the payload of that type. A frame is decoded once, straight
// into typed values.

public enum Envelope {
    /// The version this server speaks; a frame of another version is refused.
    public static let version = 1
    /// Refs are the page's own short strings.
    public static let maxRefLength = 40

    /// The text of one frame to a page. Instants are milliseconds since 1970 (JavaScript `Date`).
    public static func text(type: String, activity: String? = nil, ref: String? = nil, data: some Encodable) -> String {
        encode(Outgoing(type: type, activity: activity, ref: ref, data: Payload.value(data)))
    }

    /// A frame without payload.
    public static func text(type: String, activity: String? = nil, ref: String? = nil) -> String {
        encode(Outgoing(type: type, activity: activity, ref: ref, data: nil))
    }

    /// An activity's event (one encoded for many pages already is written as it is).
    public static func text(_ event: some ActivityEvent, activity: String, ref: String? = nil) -> String {
        if ref == nil, let text = event.encodedEnvelope { return text }
        return encode(Outgoing(type: event.type, activity: activity, ref: ref, data: Payload.event(event)))
    }

    /// Counts the frames encoded by the current task and the tasks it starts (for tests that
    /// show how much work a change costs).
    @TaskLocal public static var encodings: EncodingCounter?

    /// A refusal of a request: `{"type":"error","data":{"code","message","request"}}`.
    public static func error(_ refusal: ActivityRefusal, activity: String? = nil, ref: String? = nil, request: String? = nil) -> String {
        text(type: "error", activity: activity, ref: ref, data: ErrorData(code: refusal.code, message: refusal.message, request: request))
    }

    struct ErrorData: Encodable {
        var code: String
        var message: String
        var request: String?
    }

    private enum Payload: Encodable {
        case value(any Encodable)
        case event(any ActivityEvent)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .value(let value): try value.encode(to: encoder)
            case .event(let event): try event.encodeData(to: encoder)
            }
        }
    }

    private struct Outgoing: Encodable {
        var type: String
        var activity: String?
        var ref: String?
        var data: Payload?

        enum CodingKeys: String, CodingKey { case v, type, activity, ref, data }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Envelope.version, forKey: .v)
            try container.encode(type, forKey: .type)
            try container.encodeIfPresent(activity, forKey: .activity)
            try container.encodeIfPresent(ref, forKey: .ref)
            if let data { try data.encode(to: container.superEncoder(forKey: .data)) }
        }
    }

    private static func encode(_ outgoing: Outgoing) -> String {
        encodings?.count()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        do { return String(decoding: try encoder.encode(outgoing), as: UTF8.self) } catch {
            return #"{"data":{"code":"failed","message":"The server could not write that message."},"type":"error","v":1}"#
        }
    }
}

/// How many frames were encoded.
public final class EncodingCounter: Sendable {
    private let counted = Mutex(0)
    public init() {}
    public var value: Int { counted.withLock { $0 } }
    func count() { counted.withLock { $0 += 1 } }
}

/// An activity's event encoded into its envelope once, to be sent to many pages: each socket
/// writes the same bytes (a change costs one encoding, not one per page).
public struct EncodedEvent: Sendable, Equatable {
    public let type: String
    public let text: String

    public init(_ event: some ActivityEvent, activity: ActivityKey) {
        type = event.type
        text = Envelope.text(event, activity: activity.address)
    }
}

/// A frame from a page, decoded once: the site's own requests (no `activity`), media requests
/// (`media-…` with an `activity`) and the activity's own requests.
public struct InboundFrame<Site: ActivityRequest, Request: ActivityRequest>: Sendable {
    public enum Body: Sendable {
        case site(Site)
        case media(MediaRequest)
        case activity(Request)
        /// Not understood; the refusal says why (and `ref` lets the page match it).
        case invalid(ActivityRefusal)
    }

    public var type: String
    public var activity: String?
    public var ref: String?
    public var body: Body

    public static func decode(_ text: String) -> InboundFrame {
        do {
            return try JSONDecoder().decode(InboundFrame.self, from: Data(text.utf8))
        } catch {
            return InboundFrame(type: "", activity: nil, ref: nil,
                                body: .invalid(ActivityRefusal("bad-message", "Mingle did not understand that message.")))
        }
    }

    init(type: String, activity: String?, ref: String?, body: Body) {
        self.type = type
        self.activity = activity
        self.ref = ref
        self.body = body
    }
}

extension InboundFrame: Decodable {
    private enum CodingKeys: String, CodingKey { case v, type, activity, ref, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let ref = try? container.decodeIfPresent(String.self, forKey: .ref)
        self.ref = ref.flatMap { $0.count <= Envelope.maxRefLength ? $0 : nil }
        type = (try? container.decode(String.self, forKey: .type)) ?? ""
        activity = try? container.decodeIfPresent(String.self, forKey: .activity)
        let version = try? container.decode(Int.self, forKey: .v)
        guard version == Envelope.version else {
            body = .invalid(ActivityRefusal("bad-version", "This page speaks another version of Mingle's protocol; reload it."))
            return
        }
        let data = container.contains(.data) ? try? container.superDecoder(forKey: .data) : nil
        do {
            if activity == nil {
                body = .site(try Site(type: type, data: data))
            } else if type.hasPrefix("media-") {
                body = .media(try MediaRequest(type: type, data: data))
            } else {
                body = .activity(try Request(type: type, data: data))
            }
        } catch let refusal as ActivityRefusal {
            body = .invalid(refusal)
        } catch {
            body = .invalid(ActivityRefusal("bad-message", "Mingle did not understand that \(type.isEmpty ? "message" : "“\(type)” message")."))
        }
    }
}

/// For sockets without an activity: every activity request is refused.
public struct NoActivityRequest: ActivityRequest {
    public init(type: String, data: (any Decoder)?) throws {
        throw ActivityRefusal("not-joined", "This page is not in that activity.")
    }
}

/// An unknown request type.
public func unknownRequest(_ type: String) -> ActivityRefusal {
    ActivityRefusal("bad-message", "Mingle does not know the request “\(type.prefix(40))”.")
}

/// A request's payload that is required.
public func requireData(_ data: (any Decoder)?, _ type: String) throws -> any Decoder {
    guard let data else { throw ActivityRefusal("bad-message", "“\(type)” needs its data.") }
    return data
}

// MARK: Media requests (the same for every activity)

/// An SDP offer or answer, relayed as is.
public struct SessionDescription: Codable, Sendable, Equatable {
    public var type: String
    public var sdp: String
    public init(type: String, sdp: String) {
        self.type = type
        self.sdp = sdp
    }
    public var json: JSON { ["type": .string(type), "sdp": .string(sdp)] }
}

/// What a page asks of the media layer. Rooms are named by the activity (e.g. "session").
public enum MediaRequest: Sendable, Equatable {
    /// Publish camera/microphone (an offer) into a room; `descriptions` names what some m-lines
    /// carry (mid → e.g. "screen"), so those who watch can tell a screen from a camera.
    case publish(room: String, offer: SessionDescription, descriptions: [String: String] = [:])
    /// Watch exactly these publishers of a room, over the page's one watching connection (the
    /// whole wish, not a change: the server subscribes and unsubscribes to match it and sends an
    /// offer when the connection must change).
    case watch(room: String, publishers: [UUID])
    /// The page's answer to a watch offer.
    case answer(leg: UUID, answer: SessionDescription)
    /// A trickled ICE candidate (`{"completed": true}` at the end).
    case ice(leg: UUID, candidate: JSON)
    case hangup(leg: UUID)

    /// People one page may watch at once (a meeting's grid is 25).
    public static let maxWatched = 30

    private enum Keys: String, CodingKey { case room, offer, descriptions, publishers, leg, answer, candidate }

    init(type: String, data: (any Decoder)?) throws {
        let container = try requireData(data, type).container(keyedBy: Keys.self)
        switch type {
        case "media-publish":
            let descriptions = try container.decodeIfPresent([String: String].self, forKey: .descriptions) ?? [:]
            guard descriptions.count <= 8, descriptions.allSatisfy({ $0.key.count <= 8 && $0.value.count <= 20 }) else {
                throw ActivityRefusal("bad-message", "At most 8 short stream descriptions.")
            }
            self = .publish(room: try container.decode(String.self, forKey: .room), offer: try container.decode(SessionDescription.self, forKey: .offer),
                            descriptions: descriptions)
        case "media-watch":
            let publishers = try container.decode([UUID].self, forKey: .publishers)
            guard publishers.count <= Self.maxWatched else {
                throw ActivityRefusal("too-many", "A page can watch at most \(Self.maxWatched) people at once.")
            }
            self = .watch(room: try container.decode(String.self, forKey: .room), publishers: publishers)
        case "media-answer":
            self = .answer(leg: try container.decode(UUID.self, forKey: .leg), answer: try container.decode(SessionDescription.self, forKey: .answer))
        case "media-ice":
            self = .ice(leg: try container.decode(UUID.self, forKey: .leg), candidate: try container.decode(JSON.self, forKey: .candidate))
        case "media-hangup":
            self = .hangup(leg: try container.decode(UUID.self, forKey: .leg))
        default:
            throw unknownRequest(type)
        }
    }
}
