import Foundation
import Hummingbird
import Store

/// Connection requests between members, and what organizers may do with them. Every change
/// leaves a notification for the people it concerns.
struct ConnectionsController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.post("/people/:username/connect", use: request)
        members.get("/connections", use: list)
        members.post("/connections/:id/accept", use: accept)
        members.post("/connections/:id/decline", use: decline)
        members.post("/connections/:id/cancel", use: cancel)
        members.post("/connections/:id/remove", use: remove)
        members.get("/notifications", use: notifications)
        let portal = router.group("/organize/connections", context: OrganizerRequestContext.self)
        portal.get("", use: organizerPage)
        portal.post("", use: organizerConnect)
        portal.post("/:id/approve", use: organizerApprove)
    }

    /// The active member with this username, or a clear 404.
    static func activeMember(_ tx: Transaction, _ username: String) async throws -> MemberRecord {
        guard let member = try await tx.member(username: username), member.status == .active else {
            throw HTTPError(.notFound, message: "There is no member \(username) here.")
        }
        return member
    }

    // MARK: members

    @Sendable func request(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let username = try context.parameters.require("username")
        let me = context.visitor, tenant = context.tenant.id
        guard me.membershipStatus == .active else { throw HTTPError(.forbidden, message: "Only members can connect.") }
        // Two people asking each other at the same moment: the second insert meets the pair's
        // unique index; run again and it finds the other's request (and accepts it).
        let attempt: @Sendable () async throws -> String = { try await app.asMember(context, action: "request connection") { tx -> String in
            let other = try await Self.activeMember(tx, username)
            guard other.user.id != me.userID else { throw HTTPError(.badRequest, message: "You cannot connect with yourself.") }
            if let existing = try await tx.connection(between: me.userID, and: other.user.id) {
                if existing.status == .accepted { return "You are already connected with \(other.user.displayName)." }
                if existing.requester == me.userID { return "Your request to \(other.user.displayName) is still waiting for an answer." }
                // They asked first: asking back is saying yes.
                try await tx.acceptConnection(existing.id, by: me.userID)
                let myName = try await Self.name(tx, me)
                try await tx.notify(tenant: tenant, other.user.id, "\(myName) accepted your connection request.", link: "/people/\(me.username)")
                return "You are now connected with \(other.user.displayName)."
            }
            _ = try await tx.insertConnection(tenant: tenant, from: me.userID, to: other.user.id)
            let myName = try await Self.name(tx, me)
            try await tx.notify(tenant: tenant, other.user.id, "\(myName) would like to connect with you.", link: "/connections")
            try await requestEmail(tx, context.tenant, from: myName, to: other.user)
            return "Request sent to \(other.user.displayName)."
        } }
        let flash: String
        do {
            flash = try await attempt()
        } catch where isUniqueViolation(error) {
            flash = try await attempt()
        }
        return app.redirect(to: "/people/\(username)", flash: flash)
    }

    /// Tells the person asked, by email unless they turned such emails off here.
    private func requestEmail(_ tx: Transaction, _ tenant: Tenant, from name: String, to recipient: UserRecord) async throws {
        let base = app.config.baseURL(tenantSlug: tenant.slug)
        let mail = app.mailer.compose("connection_request", to: recipient.email, subject: "\(name) would like to connect with you",
                                      site: .tenant(tenant),
                                      values: ["name": recipient.firstName.isEmpty ? recipient.username : recipient.firstName,
                                               "sender": name, "link": "\(base)/connections",
                                               "settingsLink": NotificationEmails.settingsLink(app.config, tenant)])
        try await NotificationEmails.send(tx, mail, kind: .connections, to: recipient.id, tenant: tenant)
    }

    @Sendable func list(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor.userID
        let all = try await app.asMember(context, action: "list connections") { try await $0.connections(of: me) }
        return try app.views.page("connections", context, title: "Connections", model: ConnectionsModel(all, me: me, zone: context.viewerZone))
    }

    private enum Act { case accept, decline, cancel, remove }

    /// The visitor's name as other members see it (notices and emails name people, as pages do).
    static func name(_ tx: Transaction, _ me: Visitor) async throws -> String {
        try await tx.user(me.userID)?.displayName ?? me.username
    }

    /// Loads the connection, checks that `me` may do `act` to it, does it and tells the other.
    private func act(_ act: Act, _ context: MemberRequestContext) async throws -> Response {
        let gone = "That request or connection no longer exists."
        let id = try context.parameters.rowID(notFound: gone)
        let me = context.visitor, tenant = context.tenant.id
        let flash = try await app.asMember(context, action: "change connection") { tx -> String in
            // Locked and checked in the transaction that changes it; another tenant's is not visible here.
            guard let connection = try await tx.connection(id),
                  [connection.requester, connection.recipient].contains(me.userID) else {
                throw HTTPError(.notFound, message: gone)
            }
            let other = connection.other(than: me.userID)
            // Notices name people as pages do, by name, not by username.
            let myName = try await Self.name(tx, me)
            switch (act, connection.status) {
            case (.accept, .pending) where connection.recipient == me.userID:
                try await tx.acceptConnection(id, by: me.userID)
                try await tx.notify(tenant: tenant, other, "\(myName) accepted your connection request.", link: "/people/\(me.username)")
                return "Connected."
            case (.decline, .pending) where connection.recipient == me.userID:
                try await tx.deleteConnection(id)
                try await tx.notify(tenant: tenant, other, "\(myName) declined your connection request.")
                return "Request declined."
            case (.cancel, .pending) where connection.requester == me.userID:
                try await tx.deleteConnection(id)
                try await tx.notify(tenant: tenant, other, "\(myName) withdrew their connection request.")
                return "Request withdrawn."
            case (.remove, .accepted):
                try await tx.deleteConnection(id)
                try await tx.notify(tenant: tenant, other, "\(myName) removed your connection.")
                return "Connection removed."
            default:
                throw HTTPError(.conflict, message: "That is not possible for this request or connection any more.")
            }
        }
        return app.redirect(to: "/connections", flash: flash)
    }

    @Sendable func accept(_ request: Request, context: MemberRequestContext) async throws -> Response { try await act(.accept, context) }
    @Sendable func decline(_ request: Request, context: MemberRequestContext) async throws -> Response { try await act(.decline, context) }
    @Sendable func cancel(_ request: Request, context: MemberRequestContext) async throws -> Response { try await act(.cancel, context) }
    @Sendable func remove(_ request: Request, context: MemberRequestContext) async throws -> Response { try await act(.remove, context) }

    @Sendable func notifications(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor.userID
        let notices = try await app.asMember(context, action: "read notifications") { tx in
            let notices = try await tx.notices(user: me)
            try await tx.markNoticesRead(user: me)
            return notices
        }
        return try app.views.page("notifications", context, title: "Notifications", model: NotificationsModel(notices, zone: context.viewerZone))
    }

    // MARK: organizers

    @Sendable func organizerPage(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (pending, members) = try await app.asOrganizer(context, action: "view connection requests") { tx in
            (try await tx.pendingConnections(), try await tx.members().filter { $0.status == .active })
        }
        return try app.views.page("organize/connections", context, title: "Connections",
                                  model: OrganizerConnectionsModel(pending: pending, members: members, zone: context.viewerZone))
    }

    /// Connects two members directly (a pending request between them is accepted).
    @Sendable func organizerConnect(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let a = context.form.text("first"), b = context.form.text("second")
        guard !a.isEmpty, !b.isEmpty, a != b else {
            throw HTTPError(.unprocessableContent, message: "Choose two different members to connect.")
        }
        let flash = try await Self.retryingOnRace { try await app.asOrganizer(context, action: "connect members") { tx -> String in
            let first = try await Self.activeMember(tx, a), second = try await Self.activeMember(tx, b)
            return try await Self.connect(tx, tenant: context.tenant.id, by: context.visitor.userID, first.user, second.user)
                ?? "\(first.user.displayName) and \(second.user.displayName) are already connected."
        } }
        // From a report row the organizer goes back to the report.
        let back = AppServices.safeNext(context.form["return_to"])
        return app.redirect(to: back.hasPrefix("/organize/") ? back : "/organize/connections", flash: flash)
    }

    /// Connects two members on the organizer's word (a pending request between them is
    /// accepted) and tells both; nil when they already were connected.
    static func connect(_ tx: Transaction, tenant: TenantID, by organizer: UserID, _ first: UserRecord, _ second: UserRecord) async throws -> String? {
        if let existing = try await tx.connection(between: first.id, and: second.id) {
            guard existing.status == .pending else { return nil }
            try await tx.acceptConnection(existing.id, by: organizer)
        } else {
            _ = try await tx.insertConnection(tenant: tenant, from: first.id, to: second.id, acceptedBy: organizer)
        }
        for (member, other) in [(first, second), (second, first)] {
            try await tx.notify(tenant: tenant, member.id, "The organizer connected you with \(other.displayName).",
                                link: "/people/\(other.username)")
        }
        return "\(first.displayName) and \(second.displayName) are now connected. Both were told."
    }

    /// Two organizers connecting the same pair at once: the loser of the race sees the unique
    /// violation; trying again reads the winner's row.
    static func retryingOnRace<R: Sendable>(_ attempt: () async throws -> R) async throws -> R {
        do { return try await attempt() } catch where isUniqueViolation(error) { return try await attempt() }
    }

    @Sendable func organizerApprove(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let gone = "That request is no longer waiting."
        let id = try context.parameters.rowID(notFound: gone)
        let organizer = context.visitor, tenant = context.tenant.id
        try await app.asOrganizer(context, action: "approve connection request") { tx in
            guard let connection = try await tx.connection(id), connection.status == .pending else {
                throw HTTPError(.notFound, message: gone)
            }
            try await tx.acceptConnection(id, by: organizer.userID)
            try await tx.notify(tenant: tenant, connection.requester, "The organizer approved your connection request.", link: "/connections")
            try await tx.notify(tenant: tenant, connection.recipient, "The organizer approved a connection request to you.", link: "/connections")
        }
        return app.redirect(to: "/organize/connections", flash: "Request approved. Both members were told.")
    }
}
