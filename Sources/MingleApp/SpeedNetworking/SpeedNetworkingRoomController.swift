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
        let model = SpeedNetworkingRoomModel(session, times: times, tenant: context.tenant.id,
                                             isOrganizer: context.visitor.role == .organizer, zone: context.viewerZone)
        return try app.views.page("speed_networking_room", context, title: session.title, model: model)
    }
}
