import Foundation
import RealTime

// The messages of a call over the real-time socket (docs/LIVE_PROTOCOL.md, "Calls").

/// What a page may ask of a call. Who may do what is the call's to say (`Call`), whatever the
/// page shows.
public enum CallRequest: ActivityRequest, Equatable {
    /// The callee takes the call.
    case accept
    /// The callee says no.
    case decline
    /// The caller gives up while it rings.
    case cancel
    /// Either hangs up an answered call.
    case end
    /// One's own microphone and camera.
    case mic(Bool)
    case camera(Bool)

    private enum Keys: String, CodingKey { case value }

    public init(type: String, data: (any Decoder)?) throws {
        func value() throws -> Bool { try requireData(data, type).container(keyedBy: Keys.self).decode(Bool.self, forKey: .value) }
        switch type {
        case "accept": self = .accept
        case "decline": self = .decline
        case "cancel": self = .cancel
        case "end": self = .end
        case "mic": self = .mic(try value())
        case "camera": self = .camera(try value())
        default: throw unknownRequest(type)
        }
    }
}

/// One of the two as a page shows them.
public struct CallPartyView: Encodable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var mic: Bool
    public var camera: Bool
}

/// The call as one of the two sees it, sent whenever it changes for them.
public struct CallView: Encodable, Sendable, Equatable {
    public var state: CallState
    public var outcome: CallOutcome?
    public var video: Bool
    public var caller: CallPartyView
    public var callee: CallPartyView
    public var startedAt: Date
    /// When it stops ringing unanswered.
    public var ringsUntil: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Who ended, declined or cancelled it, or whose page was gone (`dropped`).
    public var endedBy: UUID?
    /// Which of the two this page's person is.
    public var you: CallRole
    /// The other one's page is gone (the call waits for them for the grace period once answered).
    public var otherAway: Bool
    /// The other one's picture and sound reach the media server: watch them.
    public var otherPublishing: Bool
    /// The media room to publish and watch in.
    public var mediaRoom: String
    /// Bumped when the media server lost the room: set media up again.
    public var mediaEpoch: Int

    /// `call` as seen by `role`.
    public init(_ call: Call, for role: CallRole, mediaRoom: String, mediaEpoch: Int, otherPublishing: Bool = false) {
        func party(_ side: CallSide) -> CallPartyView {
            CallPartyView(id: side.party.id, name: side.party.name, mic: side.mic, camera: side.camera)
        }
        state = call.state
        outcome = call.outcome
        video = call.video
        caller = party(call.caller)
        callee = party(call.callee)
        startedAt = call.startedAt
        ringsUntil = call.ringsUntil
        answeredAt = call.answeredAt
        endedAt = call.endedAt
        endedBy = call.endedBy
        you = role
        otherAway = !call.side(role == .caller ? .callee : .caller).connected
        self.otherPublishing = otherPublishing
        self.mediaRoom = mediaRoom
        self.mediaEpoch = mediaEpoch
    }
}

/// Why a page's time in the call is over (it is closed after this).
public enum CallFarewell: String, Encodable, Sendable {
    /// The call ended; the page saw how (`call`) a moment before.
    case over
    /// The same person opened the call in another window.
    case replaced
}

/// What a call sends to a page.
public enum CallEvent: ActivityEvent, Equatable {
    case call(CallView)
    case farewell(CallFarewell)

    public var type: String {
        switch self {
        case .call: "call"
        case .farewell: "farewell"
        }
    }

    private struct Farewell: Encodable { var reason: CallFarewell }

    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .call(let view): try view.encode(to: encoder)
        case .farewell(let reason): try Farewell(reason: reason).encode(to: encoder)
        }
    }
}
