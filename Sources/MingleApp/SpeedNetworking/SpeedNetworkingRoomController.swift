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
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw HTTPError(.notFound, message: "There is no such session here.") }
        let (found, person) = try await app.database.withTenant(context.tenant.id, user: context.visitor.userID) { tx in
            (try await tx.speedNetworkingSession(id), try await tx.livePerson(context.visitor.userID))
        }
        guard let session = found, let times = session.times else { throw HTTPError(.notFound, message: "There is no such session here.") }
        guard !session.isCancelled else { throw HTTPError(.notFound, message: "This session was cancelled.") }
        var model = SpeedNetworkingRoomModel(session, times: times, tenant: context.tenant.id,
                                             isOrganizer: context.visitor.role == .organizer, zone: context.viewerZone)
        model.liveTicket = LiveTicket.issue(for: context.visitor, tenant: context.tenant.id, activity: model.activity,
                                            name: person?.name ?? context.visitor.username, appearOffline: person?.appearOffline ?? false,
                                            signer: app.signer)
        return try app.views.page("speed_networking_room", context, title: session.title, model: model)
    }
}
