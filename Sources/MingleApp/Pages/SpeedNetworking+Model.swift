import Foundation
import RealTime
import SpeedNetworking
import Store

/// The live room page (`/sessions/<id>/live`): what `speed-networking.js` needs to join the
/// session's activity and keep its clocks (instants in milliseconds since 1970).
struct SpeedNetworkingRoomModel: Encodable, Equatable {
    var id: String
    var activity: String
    var path: String
    var title: String
    var isOrganizer: Bool
    var startsAt: String
    var endsAt: String
    var lobbyOpensAt: String
    var closesAt: String
    var when: String
    var roundLength: String
    /// The pass the page opens its socket with (`LiveTicket`), for members.
    var liveTicket: String?

    init(_ session: SpeedNetworkingSessionRecord, times: SessionTimes, tenant: TenantID, isOrganizer: Bool, zone: TimeZone) {
        (id, path, title, when) = (session.id.uuidString, session.path, session.title, session.when(in: zone))
        activity = ActivityKey(tenant: tenant, kind: .speedNetworking, id: session.id).address
        self.isOrganizer = isOrganizer
        (startsAt, endsAt) = (Self.milliseconds(times.start), Self.milliseconds(times.end))
        (lobbyOpensAt, closesAt) = (Self.milliseconds(times.lobbyOpens), Self.milliseconds(times.closes))
        // As the countdown runs: the talk, then the notice before the pair ends.
        let grace = Int(times.grace.components.seconds)
        roundLength = Self.length(seconds: Int(times.round.components.seconds))
            + (grace > 0 ? " + \(Self.length(seconds: grace)) to say goodbye" : "")
    }

    /// "5 min", or seconds for the short rounds of demos and tests.
    static func length(seconds: Int) -> String {
        seconds % 60 == 0 ? "\(seconds / 60) min" : seconds > 60 ? "\(seconds / 60) min \(seconds % 60) s" : "\(seconds) s"
    }

    static func milliseconds(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
}
