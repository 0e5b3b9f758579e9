import Calls
import Foundation
import Hummingbird
import RealTime
import Store

/// One-to-one calls (issue 16, DESIGN §11): starting one from a conversation, and the call's
/// page, `/calls/<id>`, with the conversation beside it. Only people who may message each
/// other may call; a call belongs to its two people (anyone else gets a 404, as for a call that
/// does not exist); one live call per person (`call_lines`). The call itself is a `CallEngine`
/// on the page's socket (`Public/js/call.js`).
struct CallsController {
    let app: AppServices
    let activities: ActivityRegistry
    let sockets: SocketDirectory
    let ringer: Ringer
    let missedEmails: MissedCallEmails

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.post("/calls", use: start)
        members.get("/calls/:id", use: page)
    }

    /// What starting a call came to.
    private enum Started: Sendable {
        case ringing(CallRecord, callee: UserID, me: Ringer.Caller)
        case busy(UUID)
        /// The callee has "Do not disturb" on: nothing rings, and they find a missed call.
        case notDisturbed(UUID, name: String)
        case alreadyInCall(UUID)
    }

    /// `to` (a username) and `video` (1 or 0): rings the other person's open pages, and opens the
    /// call's page for the caller, where it rings out.
    @Sendable func start(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let username = context.form.text("to")
        let video = context.form["video"] == "1"
        let me = context.visitor, tenant = context.tenant.id
        let now = Date()
        let started = try await app.asMember(context, action: "start a call") { tx -> Started in
            let other = try await MessagingRules.partner(tx, me: me, username)
            let callee = other.user.id
            // In a meeting or a live session on this site: busy, as in another call.
            let elsewhere = await !sockets.activities(of: callee, in: tenant).isDisjoint(with: [.meeting, .speedNetworking])
            switch try await tx.startCall(tenant: tenant, caller: me.userID, callee: callee, video: video, at: now, calleeElsewhere: elsewhere) {
            case .callerInCall(let call):
                return .alreadyInCall(call)
            case .busy(let call):
                return .busy(call.id)
            case .ringing(let call):
                if try await tx.availability(user: callee).doNotDisturb {
                    if let missed = try await tx.missCall(tenant: tenant, call.id, at: now) { try await missedEmails.send(tx, missed) }
                    return .notDisturbed(call.id, name: other.user.displayName)
                }
                let name = try await ConnectionsController.name(tx, me)
                return .ringing(call, callee: callee, me: Ringer.Caller(id: me.userID, name: name, username: me.username))
            }
        }
        switch started {
        case .alreadyInCall(let call):
            return app.redirect(to: Self.path(call), flash: "You are already in a call. End it before you start another.")
        case .busy(let call):
            return app.redirect(to: Self.path(call))
        case .notDisturbed(let call, let name):
            return app.redirect(to: Self.path(call), flash: "\(name) is not taking calls right now. They will see that you called.")
        case .ringing(let call, let callee, let caller):
            // The call's activity runs from now: it rings out (and is missed) even if no page of
            // the caller's ever opens it.
            do { _ = try await activities.activity(ActivityKey(tenant: tenant, kind: .call, id: call.id)) } catch {
                context.logger.warning("call \(call.id) could not start here: \(String(describing: error))")
            }
            await ringer.ring(call.id, from: caller, to: callee, in: tenant, video: video,
                              until: call.createdAt.addingTimeInterval(Call.ringTime))
            return app.redirect(to: Self.path(call.id))
        }
    }

    static func path(_ call: UUID) -> String { "/calls/\(call.uuidString.lowercased())" }

    /// The call and the conversation beside it; for anyone but its two people, no such call.
    @Sendable func page(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let notFound = "There is no such call. Calls are seen only by the two people in them."
        let id = try context.parameters.rowID(notFound: notFound)
        let me = context.visitor.userID
        let (call, other, messages) = try await app.asMember(context, action: "open a call") { tx -> (CallRecord, UserRecord, [Message]) in
            guard let call = try await tx.call(id), call.caller == me || call.callee == me,
                  let other = try await tx.user(call.caller == me ? call.callee : call.caller)
            else { throw HTTPError(.notFound, message: notFound) }
            guard let conversation = try await tx.existingConversation(between: me, and: other.id) else { return (call, other, []) }
            // The latest part of the conversation; what arrives meanwhile comes over the socket.
            let messages = try await tx.messages(conversation: conversation).suffix(50)
            if let last = messages.last { try await tx.markRead(conversation: conversation, user: me, upTo: last.id) }
            return (call, other, Array(messages))
        }
        let conversation = ConversationModel(with: other, messages: messages, me: me, zone: context.viewerZone)
        var model = CallPageModel(call, me: me, other: other, tenant: context.tenant.id, answer: request.queryValue("answer") == "1",
                                  conversation: conversation)
        if call.isLive {
            let person = try await app.database.withTenant(context.tenant.id, user: me) { tx in try await tx.livePerson(me) }
            model.liveTicket = LiveTicket.issue(for: context.visitor, tenant: context.tenant.id, activity: model.activity,
                                                name: person?.name ?? context.visitor.username, appearOffline: person?.appearOffline ?? false,
                                                signer: app.signer)
        }
        return try app.views.page("call", context, title: model.title, model: model)
    }
}

/// The email about a missed call: batched with the conversation's message emails (at most one
/// per conversation until it is read), and only to those who want message emails.
struct MissedCallEmails: Sendable {
    let app: AppServices

    /// For the call store: called inside the missed call's transaction (as the caller).
    var hook: PostgresCallStore.MissedCallHook { { tx, missed in try await send(tx, missed) } }

    func send(_ tx: Transaction, _ missed: MissedCall) async throws {
        let callee = missed.call.callee
        guard try await tx.claimMessageEmail(conversation: missed.conversation, user: callee, quietPeriod: MessagesController.quietPeriod),
              let tenant = try await tx.visibleTenants().first, let recipient = try await tx.user(callee)
        else { return }
        let link = "\(app.config.baseURL(tenantSlug: tenant.slug))/messages/\(missed.callerUsername)"
        let mail = app.mailer.compose("missed_call", to: recipient.email,
                                      subject: "Missed \(missed.call.video ? "video call" : "call") from \(missed.callerName)",
                                      site: .tenant(tenant),
                                      values: ["name": recipient.firstName.isEmpty ? recipient.username : recipient.firstName,
                                               "caller": missed.callerName, "kind": missed.call.video ? "video call" : "call",
                                               "link": link, "settingsLink": NotificationEmails.settingsLink(app.config, tenant)])
        try await NotificationEmails.send(tx, mail, kind: .messages, to: callee, tenant: tenant)
    }
}
