import Foundation
import Hummingbird
import Store

/// Where an emailed invitation link points: the session's own path, then the link's token.
enum InvitationLinks {
    static func path(session: UUID, token: String) -> String {
        "/sessions/\(session.uuidString.lowercased())/invitation/\(token)"
    }
}

/// Attendance of live sessions (issue 14): members answer "I'll come" / "can't come" on the
/// session's page or through the links of their invitation email, and the organizer sees, per
/// session, who was invited, opened the invitation, answered, came to the room (and for how
/// long) and took part in rounds, as a page and a CSV file.
struct AttendanceController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let portal = router.group("/organize", context: OrganizerRequestContext.self)
        portal.get("/sessions/:id/attendance", use: attendance)
        portal.get("/sessions/:id/attendance.csv", use: attendanceCSV)
        router.group(context: MemberRequestContext.self).post("/sessions/:id/answer", use: answerSignedIn)
        let links = router.group(context: TenantRequestContext.self)
        links.get("/sessions/:id/invitation/:token", use: invitationPage)
        links.post("/sessions/:id/invitation/:token", use: answerByLink)
    }

    static let noSession = "There is no such session."

    // MARK: the organizer's view

    private func load(_ context: OrganizerRequestContext) async throws -> (SpeedNetworkingSessionRecord, [AttendanceEntry]) {
        let id = try context.parameters.rowID(notFound: Self.noSession)
        let found = try await app.asOrganizer(context, action: "session attendance") { tx -> (SpeedNetworkingSessionRecord, SessionAttendanceRecord)? in
            guard let session = try await tx.speedNetworkingSession(id) else { return nil }
            return (session, try await tx.sessionAttendance(session: id))
        }
        guard let (session, record) = found else { throw HTTPError(.notFound, message: Self.noSession) }
        return (session, AttendanceEntry.list(record, until: Self.countUntil(session, now: Date())))
    }

    /// Open visits count until now, but never past the room's closing.
    static func countUntil(_ session: SpeedNetworkingSessionRecord, now: Date) -> Date {
        min(now, session.times?.closes ?? session.endsAt)
    }

    @Sendable func attendance(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (session, entries) = try await load(context)
        return try app.views.page("organize/attendance", context, title: "Attendance: \(session.title)",
                                  model: AttendanceModel(session: session, entries: entries, now: Date(), zone: context.viewerZone))
    }

    @Sendable func attendanceCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (session, entries) = try await load(context)
        return AttendanceEntry.table(entries).download(name: "mingle-attendance-\(session.id.uuidString.lowercased().prefix(8))")
    }

    // MARK: a signed-in member's answer

    @Sendable func answerSignedIn(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try context.parameters.rowID(notFound: Self.noSession)
        let me = context.visitor.userID
        let answer = context.form["answer"].flatMap(InvitationAnswer.init(rawValue:))
        let outcome = try await app.asMember(context, action: "answer invitation") { tx -> Outcome? in
            guard let session = try await tx.speedNetworkingSession(id) else { return nil }
            return try await Self.answer(tx, session: session, user: me, answer)
        }
        guard let outcome else { throw HTTPError(.notFound, message: Self.noSession) }
        return app.redirect(to: "/sessions/\(id.uuidString.lowercased())#answer", flash: outcome.flash)
    }

    enum Outcome: Sendable {
        case answered(String, InvitationAnswer)
        case notInvited, closed(String), noAnswer

        var flash: String {
            switch self {
            case .answered(let title, .yes): "Thank you: you’re down as coming to “\(title)”. You can change your answer until the session ends."
            case .answered(let title, .no): "Thank you for letting us know: you’re down as not coming to “\(title)”."
            case .notInvited: "You hold no invitation to this session, so there is nothing to answer."
            case .closed(let why): why
            case .noAnswer: "Choose “I’ll come” or “Can’t come”."
            }
        }
    }

    /// The one rule for answering, by link or signed in: an invitation, an answer, and a session
    /// neither cancelled nor ended.
    static func answer(_ tx: Transaction, session: SpeedNetworkingSessionRecord, user: UserID,
                       _ answer: InvitationAnswer?) async throws -> Outcome {
        guard let answer else { return .noAnswer }
        guard InvitationAnswerModel.answerable(session, now: Date()) else {
            return .closed(session.isCancelled ? "This session is cancelled." : "This session has ended; answers are closed.")
        }
        guard try await tx.answerInvitation(session: session.id, user: user, answer) else { return .notInvited }
        return .answered(session.title, answer)
    }

    // MARK: the emailed link

    /// The invitation a link stands for on this host: a token of this tenant, for this session,
    /// of a member who is still active. Anything else is the same 404.
    private func resolve(_ tx: Transaction, _ context: TenantRequestContext) async throws -> (InvitationLinkRecord, SpeedNetworkingSessionRecord)? {
        let token = try context.parameters.require("token")
        guard Tokens.looksValid(token), let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let link = try await tx.invitationLink(tokenHash: Tokens.hash(token)),
              link.invitation.session == id, link.memberActive,
              let session = try await tx.speedNetworkingSession(id) else { return nil }
        return (link, session)
    }

    static let unknownLink = "This invitation link does not work (any more). Sign in to see the session."

    /// Opening the link changes nothing but a read receipt ("opened"); answering takes the
    /// page's button (a POST), so mail scanners that follow links cannot answer for anyone.
    /// Nobody is signed in by it.
    @Sendable func invitationPage(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let confirm = request.queryValue("answer").flatMap(InvitationAnswer.init(rawValue:))
        let path = request.uri.path
        let found = try await app.database.withTenant(context.tenant.id) { tx -> (InvitationLinkRecord, SpeedNetworkingSessionRecord)? in
            guard let (link, session) = try await resolve(tx, context) else { return nil }
            // A read receipt, not a change of anything the member decided.
            if InvitationAnswerModel.answerable(session, now: Date()) {
                try await tx.markInvitationOpened(session: session.id, user: link.invitation.user)
            }
            return (link, session)
        }
        guard let (link, session) = found else { throw HTTPError(.notFound, message: Self.unknownLink) }
        return try app.views.page("invitation", context, title: session.title,
                                  model: InvitationPageModel(link: link, session: session, path: path, now: Date(), confirm: confirm,
                                                                      zone: context.viewerZone))
    }

    @Sendable func answerByLink(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let answer = context.form["answer"].flatMap(InvitationAnswer.init(rawValue:))
        let outcome = try await app.database.withTenant(context.tenant.id) { tx -> Outcome? in
            guard let (link, session) = try await resolve(tx, context) else { return nil }
            return try await Self.answer(tx, session: session, user: link.invitation.user, answer)
        }
        guard let outcome else { throw HTTPError(.notFound, message: Self.unknownLink) }
        return app.redirect(to: request.uri.path, flash: outcome.flash)
    }
}
