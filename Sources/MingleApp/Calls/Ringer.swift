import Calls
import Foundation
import RealTime

/// Rings a person's open pages of one site for a call, and stops them (issue 16; the page side
/// is `Public/js/ringing.js`). Every page of the callee rings; when the call is answered on one,
/// declined, cancelled or not answered in time, all of them are told, so none rings on.
struct Ringer: Sendable {
    let sockets: SocketDirectory

    struct Caller: Encodable, Sendable {
        var id: UUID
        var name: String
        var username: String
    }

    struct Ring: Encodable {
        var call: UUID
        var from: Caller
        var video: Bool
        /// When it stops ringing by itself (ms since 1970).
        var until: Int64
    }

    /// Why the pages stopped ringing.
    enum Outcome: String, Encodable, Sendable {
        /// Answered on another page of theirs (the one that answered opens the call).
        case answeredElsewhere = "answered-elsewhere"
        case declined, cancelled, missed
    }

    struct Over: Encodable {
        var call: UUID
        var outcome: Outcome
    }

    func ring(_ call: UUID, from caller: Caller, to callee: UUID, in tenant: UUID, video: Bool, until: Date) async {
        let text = Envelope.text(type: "ring", data: Ring(call: call, from: caller, video: video,
                                                          until: Int64((until.timeIntervalSince1970 * 1000).rounded())))
        await sockets.send(text, to: callee, in: tenant)
    }

    /// The call moved on: if it was ringing, the callee's pages stop (the one that answered has
    /// opened the call already; the others hear it was answered elsewhere).
    func moved(_ call: Call, in tenant: UUID) async {
        let outcome: Outcome
        switch (call.state, call.outcome) {
        case (.answered, _): outcome = .answeredElsewhere
        case (.ended, .declined?) where call.answeredAt == nil: outcome = .declined
        case (.ended, .cancelled?) where call.answeredAt == nil: outcome = .cancelled
        case (.ended, .missed?): outcome = .missed
        default: return
        }
        await stop(call.id, for: call.callee.party.id, in: tenant, outcome)
    }

    func stop(_ call: UUID, for callee: UUID, in tenant: UUID, _ outcome: Outcome) async {
        await sockets.send(Envelope.text(type: "ring-over", data: Over(call: call, outcome: outcome)), to: callee, in: tenant)
    }
}
