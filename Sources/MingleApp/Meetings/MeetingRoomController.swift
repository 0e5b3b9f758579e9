import Foundation
import Hummingbird
import Meetings
import RealTime
import Store

/// A meeting's link, `/m/<link token>` (DESIGN §10): the room for the tenant's active members;
/// for anyone else, a name to join as a guest when the meeting takes guests (no account is made:
/// a cookie for this host stands for the guest of this one meeting), or the way to sign in. The
/// room itself is `Public/js/meeting.js` on the page's socket, in the meeting's activity.
struct MeetingRoomController {
    let app: AppServices

    /// Guests one address may become per hour (each is a row and a cookie).
    static let guestsPerHour = 20

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let tenant = router.group(context: TenantRequestContext.self)
        tenant.get("/m/:token", use: page)
        tenant.post("/m/:token/guest", use: becomeGuest)
    }

    private func meeting(_ context: TenantRequestContext) async throws -> MeetingRecord {
        guard let token = context.parameters.get("token"), token.count <= 64,
              let meeting = try await app.database.withTenant(context.tenant.id, user: context.visitor?.userID, { tx in
                  try await tx.meeting(linkToken: token)
              })
        else { throw HTTPError(.notFound, message: "There is no such meeting here. Check the link you were given.") }
        return meeting
    }

    private func link(_ meeting: MeetingRecord, _ context: TenantRequestContext) -> String {
        app.config.baseURL(tenantSlug: context.tenant.slug) + "/m/" + meeting.linkToken
    }

    @Sendable func page(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let meeting = try await meeting(context)
        if let visitor = context.visitor, visitor.membershipStatus == .active {
            let person = try await app.database.withTenant(context.tenant.id, user: visitor.userID) { tx in try await tx.livePerson(visitor.userID) }
            let name = person?.name ?? visitor.username
            let ticket = LiveTicket.issue(for: visitor, tenant: context.tenant.id, activity: MeetingRoomModel.activity(meeting, context.tenant.id),
                                          name: name, appearOffline: person?.appearOffline ?? false, signer: app.signer)
            return try room(meeting, context, isGuest: false, name: name, ticket: ticket)
        }
        if let visitor = context.visitor, visitor.takesPart(in: context.tenant.id) {
            // A platform admin acting here: the socket records the entry on the audited path.
            return try room(meeting, context, isGuest: false, name: visitor.username)
        }
        if meeting.guestsAllowed, let token = request.cookies[app.cookies.guestName]?.value, Tokens.looksValid(token),
           let guest = try await app.database.withTenant(context.tenant.id, { tx in try await tx.meetingGuest(tokenHash: Tokens.hash(token)) }),
           guest.meeting == meeting.id {
            return try room(meeting, context, isGuest: true, name: guest.displayName)
        }
        return try guestForm(meeting, context, name: "", problems: FormProblems())
    }

    private func room(_ meeting: MeetingRecord, _ context: TenantRequestContext, isGuest: Bool, name: String, ticket: String? = nil) throws -> Response {
        var model = MeetingRoomModel(meeting, tenant: context.tenant.id, link: link(meeting, context), isGuest: isGuest, myName: name,
                                     zone: context.viewerZone)
        model.liveTicket = ticket
        return try app.views.page("meeting_room", context, title: meeting.title, model: model)
    }

    private func guestForm(_ meeting: MeetingRecord, _ context: TenantRequestContext, name: String, problems: FormProblems,
                           status: HTTPResponse.Status = .ok) throws -> Response {
        let path = "/m/\(meeting.linkToken)"
        let model = MeetingGuestModel(title: meeting.title, action: path + "/guest", signIn: "/sign-in?next=" + path,
                                      guestsAllowed: meeting.guestsAllowed && !meeting.isOver, name: name, problems: problems)
        return try app.views.page("meeting_guest", context, title: meeting.title, model: model, status: status)
    }

    /// A guest's name: a guest row for this meeting and a cookie for it, then the room.
    @Sendable func becomeGuest(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let meeting = try await meeting(context)
        guard meeting.guestsAllowed else {
            throw HTTPError(.forbidden, message: "This meeting does not take guests. Sign in as a member of this site to join.")
        }
        guard !meeting.isOver else { throw HTTPError(.gone, message: meeting.cancelledAt != nil ? "This meeting was cancelled." : "This meeting has ended.") }
        let (name, checked) = MeetingGuestModel.name(context.form["name"])
        var problems = checked
        if problems.isEmpty {
            let recent = try await app.database.withoutTenant {
                try await $0.recordAttempt(keys: ["meeting-guest:\(context.clientAddress)"], within: .seconds(3600))
            }
            if recent[0] > Self.guestsPerHour { problems.add("name", "Too many guests from this network in the last hour. Try again later.") }
        }
        guard problems.isEmpty else { return try guestForm(meeting, context, name: name, problems: problems, status: .unprocessableContent) }
        let token = Tokens.random()
        _ = try await app.database.withTenant(context.tenant.id) { tx in
            try await tx.addMeetingGuest(tenant: context.tenant.id, meeting: meeting.id, displayName: name, tokenHash: Tokens.hash(token))
        }
        var response = app.redirect(to: "/m/\(meeting.linkToken)")
        response.setCookie(app.cookies.guestCookie(token))
        return response
    }
}
