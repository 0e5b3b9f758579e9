import Foundation
import Hummingbird
import RealTime
import SpeedNetworking
import Store

/// The speed-networking room page (`/sessions/<id>/live`): one page for the lobby, waiting, a
/// pair, the survey and the closed room; `Public/js/speed-networking.js` fills it from the
/// page's socket, in the session's activity.
struct SpeedNetworkingRoomController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.group(context: MemberRequestContext.self).get("/sessions/:id/live", use: page)
    }

    @Sendable func page(_ request: Request, context: MemberRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let session = try await app.database.withTenant(context.tenant.id, user: context.visitor.userID, { tx in
                  try await tx.speedNetworkingSession(id)
              }), let times = session.times
        else { throw HTTPError(.notFound, message: "There is no such session here.") }
        guard !session.isCancelled else { throw HTTPError(.notFound, message: "This session was cancelled.") }
        let isOrganizer = context.visitor.role == .organizer
        let model: [String: Any] = [
            "id": id.uuidString,
            "activity": ActivityKey(tenant: context.tenant.id, kind: .speedNetworking, id: id).address,
            "path": session.path,
            "title": session.title,
            "isOrganizer": isOrganizer,
            "startsAt": Self.milliseconds(times.start),
            "endsAt": Self.milliseconds(times.end),
            "lobbyOpensAt": Self.milliseconds(times.lobbyOpens),
            "closesAt": Self.milliseconds(times.closes),
            "when": session.when,
            "roundLength": Self.length(seconds: Int(times.round.components.seconds)),
        ]
        return try app.views.page("speed_networking_room", context, title: session.title, page: model)
    }

    /// "5 min", or seconds for the short rounds of demos and tests.
    static func length(seconds: Int) -> String {
        seconds % 60 == 0 ? "\(seconds / 60) min" : seconds > 60 ? "\(seconds / 60) min \(seconds % 60) s" : "\(seconds) s"
    }

    static func milliseconds(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
}
