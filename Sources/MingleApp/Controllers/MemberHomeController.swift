import Foundation
import Hummingbird
import Store

/// The home page of a community's site for someone who takes part in it: what is next for
/// them (`MemberHomeModel`). Anyone else gets the site's public welcome (`SiteController`).
struct MemberHomeController {
    let app: AppServices

    func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        let context = try MemberRequestContext(context: context)
        let me = context.visitor.userID
        let now = Date()
        let model = try await app.asMember(context, action: "home") { tx in
            let user = try await tx.user(me)
            return MemberHomeModel(
                firstName: user?.firstName ?? "", sessions: try await tx.speedNetworkingSessions(endingAfter: now),
                connections: try await tx.connections(of: me), me: me, unread: context.visitor.unreadMessages,
                sections: try await tx.profileSections(), answers: try await tx.profileAnswers(user: me),
                hasPicture: try await tx.profilePicture(user: me) != nil, now: now, zone: context.viewerZone)
        }
        return try app.views.page("member_home", context, title: "Home", model: model)
    }
}
