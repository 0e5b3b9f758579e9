import Foundation
import Hummingbird
import NIOCore
import Store

/// Who may write to whom: connected members, and an organizer with anyone of their tenant.
enum MessagingRules {
    static func mayConverse(_ a: Role, _ b: Role, connected: Bool) -> Bool {
        connected || a == .organizer || b == .organizer
    }

    static let maxLength = 5000

    /// What is wrong with a message's text, in plain words, or nil.
    static func problem(_ body: String) -> String? {
        if body.isEmpty { return "Write something before sending." }
        let length = body.unicodeScalars.count  // as PostgreSQL counts text
        if length > maxLength {
            return "A message can be up to \(maxLength.formatted()) characters; this one has \(length.formatted()). Shorten it, or send it in two."
        }
        return nil
    }

    /// The other person, if `me` may write to them (and call them): 404 for no such active
    /// member here, 403 when they may not converse.
    static func partner(_ tx: Transaction, me: Visitor, _ username: String) async throws -> MemberRecord {
        let other = try await ConnectionsController.activeMember(tx, username)
        guard other.user.id != me.userID, let myRole = me.role else {
            throw HTTPError(.forbidden, message: "You can only write to other people of this site.")
        }
        let connected = try await tx.connection(between: me.userID, and: other.user.id)?.status == .accepted
        guard mayConverse(myRole, other.role, connected: connected) else {
            throw HTTPError(.forbidden, message: "You can write to and call people you are connected with, and the organizers. Ask \(other.user.displayName) to connect first.")
        }
        return other
    }
}

/// Private messages between two people of one tenant. New messages reach an open page without
/// a reload (pushed over the page's socket when they are stored, see `Pushes`), and the
/// recipient gets at most one email per conversation per quiet period.
struct MessagesController {
    let app: AppServices
    static let quietPeriod = Duration.seconds(15 * 60)

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.get("/messages", use: inbox)
        members.get("/messages/:username", use: conversation)
        members.post("/messages/:username", use: send)
        let portal = router.group("/organize/messages", context: OrganizerRequestContext.self)
        portal.get("", use: broadcastForm)
        portal.post("", use: broadcast)
    }

    @Sendable func inbox(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor.userID
        let organizer = context.visitor.role == .organizer
        let (conversations, reachable) = try await app.asMember(context, action: "list conversations") { tx in
            (try await tx.conversations(of: me), try await tx.reachablePeople(of: me, asOrganizer: organizer))
        }
        return try app.views.page("messages", context, title: "Messages",
                                  model: MessagesModel(conversations, reachable: reachable, zone: context.viewerZone))
    }

    @Sendable func conversation(_ request: Request, context: MemberRequestContext) async throws -> Response {
        try await conversationPage(context, username: try context.parameters.require("username"))
    }

    /// The conversation, with the form as typed and what is wrong with it when a send was refused.
    private func conversationPage(_ context: MemberRequestContext, username: String, draft: String = "", problem: String? = nil) async throws -> Response {
        let me = context.visitor.userID
        let (other, messages, read, calls) = try await app.asMember(context, action: "read conversation") { tx -> (MemberRecord, [Message], Int, [CallLogEntry]) in
            let other = try await MessagingRules.partner(tx, me: context.visitor, username)
            let calls = try await tx.callLog(between: me, and: other.user.id)
            guard let conversation = try await tx.existingConversation(between: me, and: other.user.id) else { return (other, [], 0, calls) }
            let messages = try await tx.messages(conversation: conversation)
            guard let last = messages.last else { return (other, messages, 0, calls) }
            return (other, messages, try await tx.markRead(conversation: conversation, user: me, upTo: last.id), calls)
        }
        // The badge of the page that shows them does not count the messages it shows.
        var model = ConversationModel(with: other.user, messages: messages, me: me, zone: context.viewerZone)
        model.calls = calls.map { CallLogLine($0, me: me, otherName: other.user.displayName, zone: context.viewerZone) }
        (model.draft, model.problem) = (draft, problem)
        return try app.views.page("conversation", ReadingPage(context, justRead: read), title: "Messages with \(other.user.displayName)",
                                  model: model, status: problem == nil ? .ok : .unprocessableContent)
    }

    @Sendable func send(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let username = try context.parameters.require("username")
        let body = context.form.text("body")
        let problem = try await app.asMember(context, action: "send message") { tx -> String? in
            // The recipient first: a name of no one here is a 404, whatever the text.
            let other = try await MessagingRules.partner(tx, me: context.visitor, username)
            if let problem = MessagingRules.problem(body) { return problem }
            try await deliver(tx, context.tenant, from: context.visitor, to: other.user, body: body)
            return nil
        }
        // A page that stays where it is (the call page's conversation) asks for JSON: 204, or
        // 422 with the problem; the message itself reaches it over its socket.
        if request.headers[.accept]?.contains("application/json") == true {
            guard let problem else { return Response(status: .noContent) }
            let body = try JSONEncoder().encode(["problem": problem])
            return Response(status: .unprocessableContent, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        // Refused: back to the conversation with the text as typed, never a dead end.
        if let problem { return try await conversationPage(context, username: username, draft: body, problem: problem) }
        return app.redirect(to: "/messages/\(username)#latest")
    }

    /// Stores one message and, unless the recipient was emailed about this conversation within
    /// the quiet period (and has not read it since), queues an email saying there is news.
    func deliver(_ tx: Transaction, _ tenant: Tenant, from sender: Visitor, to recipient: UserRecord, body: String) async throws {
        let conversation = try await tx.conversation(tenant: tenant.id, between: sender.userID, and: recipient.id)
        _ = try await tx.addMessage(tenant: tenant.id, conversation: conversation, sender: sender.userID, body: body)
        guard try await tx.claimMessageEmail(conversation: conversation, user: recipient.id, quietPeriod: Self.quietPeriod) else { return }
        let link = "\(app.config.baseURL(tenantSlug: tenant.slug))/messages/\(sender.username)"
        let senderName = try await ConnectionsController.name(tx, sender)
        let mail = app.mailer.compose("new_message", to: recipient.email, subject: "New message from \(senderName)",
                                      site: .tenant(tenant),
                                      values: ["name": recipient.firstName.isEmpty ? recipient.username : recipient.firstName,
                                               "sender": senderName, "link": link,
                                               "settingsLink": NotificationEmails.settingsLink(app.config, tenant)])
        try await NotificationEmails.send(tx, mail, kind: .messages, to: recipient.id, tenant: tenant)
    }

    // MARK: organizer to many

    @Sendable func broadcastForm(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await broadcastPage(context)
    }

    /// The form, as typed and with every problem beside its field when a send was refused.
    private func broadcastPage(_ context: OrganizerRequestContext, _ typed: BroadcastModel.Typed? = nil) async throws -> Response {
        let members = try await app.asOrganizer(context, action: "write to members") { try await $0.members() }
            .filter { $0.status == .active && $0.user.id != context.visitor.userID }
        return try app.views.page("organize/messages", context, title: "Write to members", model: BroadcastModel(members, typed: typed),
                                  status: typed == nil ? .ok : .unprocessableContent)
    }

    /// One message to every active member, or to the ticked ones; each gets it in their own
    /// conversation with the organizer.
    @Sendable func broadcast(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let body = context.form.text("body")
        let everyone = context.form["audience"] != "chosen"
        let chosen = Set(context.form.all("to"))
        guard context.visitor.role == .organizer else {
            throw HTTPError(.forbidden, message: "Messages to members are sent by the site's own organizers.")
        }
        // Every problem at once, each beside its field, with what was typed and ticked kept.
        let typed = BroadcastModel.Typed(body: body, everyone: everyone, chosen: chosen,
                                         bodyProblem: MessagingRules.problem(body),
                                         audienceProblem: everyone || !chosen.isEmpty ? nil : "Tick at least one member, or choose every active member.")
        if typed.bodyProblem != nil || typed.audienceProblem != nil { return try await broadcastPage(context, typed) }
        let tenant = context.tenant, sender = context.visitor
        let count = try await app.asOrganizer(context, action: "write to members") { tx -> Int in
            let recipients = try await tx.members().filter {
                $0.status == .active && $0.user.id != sender.userID && (everyone || chosen.contains($0.user.username))
            }
            for recipient in recipients { try await deliver(tx, tenant, from: sender, to: recipient.user, body: body) }
            return recipients.count
        }
        return app.redirect(to: "/organize/messages", flash: "Sent to \(count) member\(count == 1 ? "" : "s").")
    }
}

/// A page whose messages were just read: its unread badge leaves them out.
private struct ReadingPage: PageContext {
    let context: MemberRequestContext
    let justRead: Int
    init(_ context: MemberRequestContext, justRead: Int) { (self.context, self.justRead) = (context, justRead) }

    var pageSite: Site { context.pageSite }
    var pageVisitor: Visitor? {
        var visitor = context.visitor
        visitor.unreadMessages = max(0, visitor.unreadMessages - justRead)
        return visitor
    }
    var csrfToken: String { context.csrfToken }
    var flash: String? { context.flash }
    var viewerZone: TimeZone { context.viewerZone }
}
