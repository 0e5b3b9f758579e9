import Foundation
import Hummingbird
import NIOCore
import Outbound
import Store

/// The member side of live sessions: the upcoming sessions, one session's page (with the way
/// into its live room once the lobby is open), "Add to calendar" downloads, and each member's
/// private calendar feed, which calendar apps fetch without a cookie.
struct SessionsController {
    let app: AppServices
    /// How far back the feed reaches, so a calendar keeps recent sessions.
    static let feedHistory: TimeInterval = 30 * 86_400

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.get("/sessions", use: list)
        members.get("/sessions/:id", use: show)
        members.get("/sessions/:id/calendar.ics", use: download)
        members.post("/calendar/reset", use: resetFeed)
        router.group(context: TenantRequestContext.self).get("/calendar/:user/:file", use: feed)
    }

    // MARK: pages

    @Sendable func list(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor, tenant = context.tenant
        let now = Date()
        let (sessions, generation) = try await app.asMember(context, action: "list sessions") { tx -> ([SpeedNetworkingSessionRecord], Int?) in
            let generation = me.role == nil ? nil : try await tx.calendarFeedGeneration(user: me.userID)
            return (try await tx.speedNetworkingSessions(endingAfter: now), generation)
        }
        let feed = generation.map { feedURL(tenant: tenant, user: me.userID, generation: $0) }
        return try app.views.page("sessions", context, title: "Live sessions", model: SessionsModel(sessions, now: now, feedURL: feed, zone: context.viewerZone))
    }

    static func count(_ n: Int, _ singular: String, _ plural: String) -> String { "\(n) \(n == 1 ? singular : plural)" }

    func feedURL(tenant: Tenant, user: UserID, generation: Int) -> String {
        let token = app.feedTokens.token(tenant: tenant.id, user: user, generation: generation)
        return "\(app.config.baseURL(tenantSlug: tenant.slug))/calendar/\(user.uuidString.lowercased())/\(token).ics"
    }

    private func session(_ context: MemberRequestContext, action: String) async throws -> SpeedNetworkingSessionRecord {
        guard let id = UUID(uuidString: try context.parameters.require("id")),
              let session = try await app.asMember(context, action: action, { try await $0.speedNetworkingSession(id) }) else {
            throw HTTPError(.notFound, message: "There is no such session here.")
        }
        return session
    }

    @Sendable func show(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor.userID
        guard let id = UUID(uuidString: try context.parameters.require("id")),
              let (session, invitation) = try await app.asMember(context, action: "view session", { tx -> (SpeedNetworkingSessionRecord, InvitationRecord?)? in
                  guard let session = try await tx.speedNetworkingSession(id) else { return nil }
                  return (session, try await tx.invitation(session: id, user: me))
              }) else {
            throw HTTPError(.notFound, message: "There is no such session here.")
        }
        return try app.views.page("session", context, title: session.title,
                                  model: SessionModel.details(session, now: Date(), zone: context.viewerZone, invitation: invitation))
    }

    /// One session as a calendar file (METHOD:PUBLISH), for "Add to calendar".
    @Sendable func download(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let session = try await session(context, action: "download session calendar")
        let event = app.announcer.event(tenant: context.tenant, session: session)
        let text = ICalendar.feed([event], name: "\(context.tenant.name): \(session.title)",
                                  productID: SessionAnnouncer.productID)
        return Self.calendar(text, attachment: "session-\(session.id.uuidString.lowercased().prefix(8)).ics")
    }

    static func calendar(_ text: String, attachment filename: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: ICalendar.contentType, .cacheControl: "no-store"]
        if let filename { headers[.contentDisposition] = "attachment; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: the private feed

    @Sendable func resetFeed(_ request: Request, context: MemberRequestContext) async throws -> Response {
        guard context.visitor.role != nil else {
            throw HTTPError(.forbidden, message: "Calendar feeds are for this site's members.")
        }
        let tenant = context.tenant.id, me = context.visitor.userID
        _ = try await app.asMember(context, action: "reset calendar feed") { try await $0.resetCalendarFeed(tenant: tenant, user: me) }
        return app.redirect(to: "/sessions#calendar-feed",
                            flash: "Your calendar feed has a new address. The old one no longer works: subscribe again with the new one.")
    }

    /// `GET /calendar/<user>/<token>.ics`: no cookie (calendar apps fetch it), so the token is
    /// the only proof. Wrong token, revoked generation, another tenant's host, or a member who
    /// is not active: 404, the same for all.
    @Sendable func feed(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        guard let user = UUID(uuidString: try context.parameters.require("user")), file.hasSuffix(".ics") else {
            throw HTTPError(.notFound)
        }
        let token = String(file.dropLast(4))
        let tenant = context.tenant, tokens = app.feedTokens
        let since = Date().addingTimeInterval(-Self.feedHistory)
        let found = try await app.database.withTenant(tenant.id) { tx -> ([SpeedNetworkingSessionRecord], [MeetingRecord])? in
            guard try await tx.membership(user: user)?.status == .active else { return nil }
            let generation = try await tx.calendarFeedGeneration(user: user)
            guard tokens.verify(token, tenant: tenant.id, user: user, generation: generation) else { return nil }
            // Meetings: those the member hosts or is invited to (organizers' view of all is not their calendar).
            return (try await tx.speedNetworkingSessions(endingAfter: since),
                    Array(try await tx.meetings(visibleTo: user, everything: false, endingAfter: since).reversed()))
        }
        guard let (sessions, meetings) = found else { throw HTTPError(.notFound) }
        let announcer = app.announcer, meetingAnnouncer = app.meetingAnnouncer
        let events = sessions.map { announcer.event(tenant: tenant, session: $0) }
            + meetings.map { meetingAnnouncer.event(tenant: tenant, meeting: $0) }
        return Self.calendar(ICalendar.feed(events, name: "\(tenant.name) sessions", productID: SessionAnnouncer.productID))
    }
}
