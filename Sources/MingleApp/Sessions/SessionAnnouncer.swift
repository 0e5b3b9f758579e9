import Foundation
import Outbound
import Store

/// Tells members about a session (DESIGN §4, step 1): a private message from the organizer,
/// an email with an iCalendar invitation (RFC 5546 REQUEST, or CANCEL), and before the start a
/// reminder. Everything is written in the caller's transaction, so it happens only if the
/// change itself commits; the outbox delivers the mail.
struct SessionAnnouncer: Sendable {
    let config: AppConfiguration
    let mailer: Mailer

    static let productID = "-//Mingle//Live sessions//EN"

    enum Kind: Sendable, Equatable {
        case invitation, update, cancellation
        /// `minutes` before the start.
        case reminder(minutes: Int)
    }

    // MARK: whole audiences

    /// A new session: every active member (not organizers) is invited.
    @discardableResult
    func scheduled(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord) async throws -> Int {
        let audience = try await tx.members(role: .member).filter { $0.status == .active }.map(\.user)
        return try await tell(tx, tenant: tenant, organizer: organizer, session: session, audience, .invitation)
    }

    /// A changed session: the updated invitation goes to every active member, which includes
    /// everyone still taking part who holds the old one and anyone who became active since.
    @discardableResult
    func updated(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord) async throws -> Int {
        let audience = try await tx.members(role: .member).filter { $0.status == .active }.map(\.user)
        return try await tell(tx, tenant: tenant, organizer: organizer, session: session, audience, .update)
    }

    /// A cancelled session: everyone who holds an invitation is told, so their calendars drop it.
    @discardableResult
    func cancelled(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord) async throws -> Int {
        let invited = Set(try await tx.invitations(session: session.id).map(\.user))
        let audience = try await tx.members().filter { invited.contains($0.user.id) }.map(\.user)
        return try await tell(tx, tenant: tenant, organizer: organizer, session: session, audience, .cancellation)
    }

    /// The reminder: invited members who are still active get an email and a notification.
    @discardableResult
    /// Whole minutes from `now` to `start`, rounded to the nearest, at least one.
    static func minutesLeft(until start: Date, now: Date) -> Int {
        max(1, Int((start.timeIntervalSince(now) / 60).rounded()))
    }

    func remind(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord, minutes: Int) async throws -> Int {
        let invited = Set(try await tx.invitations(session: session.id).map(\.user))
        let audience = try await tx.members(role: .member)
            .filter { $0.status == .active && invited.contains($0.user.id) }.map(\.user)
        return try await tell(tx, tenant: tenant, organizer: organizer, session: session, audience, .reminder(minutes: minutes))
    }

    /// A member who just became active (paid, confirmed on a free site, reactivated) is invited
    /// to every session still ahead or running that they hold no invitation for, in the name
    /// of the organizer who scheduled it. Returns how many.
    @discardableResult
    func inviteToUpcoming(_ tx: Transaction, tenant: Tenant, member id: UserID, now: Date = Date()) async throws -> Int {
        guard let member = try await tx.user(id) else { return 0 }
        var count = 0
        for session in try await tx.speedNetworkingSessions(endingAfter: now) where !session.isCancelled {
            guard try await !tx.invitations(session: session.id).contains(where: { $0.user == id }) else { continue }
            try await tell(tx, tenant: tenant, organizer: session.createdBy, session: session, member: member, .invitation)
            count += 1
        }
        return count
    }

    private func tell(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord,
                      _ audience: [UserRecord], _ kind: Kind) async throws -> Int {
        for member in audience where member.id != organizer {
            try await tell(tx, tenant: tenant, organizer: organizer, session: session, member: member, kind)
        }
        return audience.filter { $0.id != organizer }.count
    }

    // MARK: one member

    /// Everything one member is told, in `tx`: the message (or notification for a reminder),
    /// the email with its `.ics`, and the invitation's SEQUENCE on record. Every email but a
    /// cancellation carries links of its own that answer the invitation (`InvitationLinks`).
    func tell(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord, member: UserRecord,
              _ kind: Kind) async throws {
        let link = config.baseURL(tenantSlug: tenant.slug) + session.path
        // Times in the member's own zone, else the site's default.
        let zone = LocalTime.known(try await tx.timeZones(of: [member.id])[member.id]) ?? LocalTime.zone(tenant.timeZone)
        switch kind {
        case .reminder:
            try await tx.notify(tenant: tenant.id, member.id, "“\(session.title)” starts soon: \(session.when(in: zone)).", link: session.path)
        case .invitation, .update, .cancellation:
            let conversation = try await tx.conversation(tenant: tenant.id, between: organizer, and: member.id)
            _ = try await tx.addMessage(tenant: tenant.id, conversation: conversation, sender: organizer,
                                        body: message(kind, session: session, link: link, zone: zone))
            try await tx.recordInvitation(tenant: tenant.id, session: session.id, user: member.id, sequence: session.sequence)
        }
        var answerLink: String?
        if kind != .cancellation {
            let token = Tokens.random()
            try await tx.addInvitationLink(tenant: tenant.id, session: session.id, user: member.id, tokenHash: Tokens.hash(token))
            answerLink = config.baseURL(tenantSlug: tenant.slug) + InvitationLinks.path(session: session.id, token: token)
        }
        try await NotificationEmails.send(tx, mail(kind, tenant: tenant, session: session, member: member, link: link, zone: zone,
                                                   answerLink: answerLink),
                                          kind: .sessions, to: member.id, tenant: tenant)
    }

    func message(_ kind: Kind, session: SpeedNetworkingSessionRecord, link: String, zone: TimeZone) -> String {
        let when = session.when(in: zone)
        return switch kind {
        case .invitation:
            "You are invited to the live session “\(session.title)”: \(when). The lobby opens "
                + "\(SessionsController.count(session.leadSeconds / 60, "minute", "minutes")) before the start. Details and the live room: \(link)"
        case .update:
            "“\(session.title)” has changed. It now takes place \(when). Details and the live room: \(link)"
        case .cancellation:
            "“\(session.title)” (\(when)) is cancelled. Your calendar invitation has been withdrawn."
        case .reminder(let minutes):
            "“\(session.title)” starts in \(SessionsController.count(minutes, "minute", "minutes")): \(link)"
        }
    }

    /// `answerLink` is this email's own link to the invitation (it answers without signing in).
    func mail(_ kind: Kind, tenant: Tenant, session: SpeedNetworkingSessionRecord, member: UserRecord, link: String,
              zone: TimeZone, answerLink: String? = nil) -> OutgoingMail {
        let start = LocalTime.short(session.startsAt, in: zone)
        let (subject, heading, intro): (String, String, String) = switch kind {
        case .invitation: ("Invitation: \(session.title), \(start)", "You are invited",
                           "\(tenant.name) invites you to a live networking session.")
        case .update: ("Updated: \(session.title), \(start)", "The session has changed",
                       "\(tenant.name) changed a session you are invited to. The calendar entry is updated.")
        case .cancellation: ("Cancelled: \(session.title), \(start)", "The session is cancelled",
                             "\(tenant.name) cancelled this session. The calendar entry is withdrawn.")
        case .reminder(let minutes): ("Starting in \(SessionsController.count(minutes, "minute", "minutes")): \(session.title)", "Starting soon",
                                      "Your session starts in \(SessionsController.count(minutes, "minute", "minutes")); the lobby opens "
                                        + "\(SessionsController.count(session.leadSeconds / 60, "minute", "minutes")) before the start.")
        }
        var values: [String: Any] = [
            "name": member.firstName.isEmpty ? member.username : member.firstName,
            "heading": heading, "intro": intro, "sessionTitle": session.title, "when": session.when(in: zone), "link": link,
            "cancelled": kind == .cancellation, "settingsLink": NotificationEmails.settingsLink(config, tenant),
        ]
        if let answerLink {
            values["answerLink"] = answerLink
            values["comingLink"] = answerLink + "?answer=yes"
            values["notComingLink"] = answerLink + "?answer=no"
        }
        if !session.description.isEmpty {
            values["description"] = session.description
            values["descriptionText"] = LinkedText(session.description)
        }
        var mail = mailer.compose("session", to: member.email, subject: subject, site: .tenant(tenant), values: values)
        switch kind {
        case .invitation, .update:
            mail.attachment = invitationFile(.request, tenant: tenant, session: session, attendee: member.email, link: link)
        case .cancellation:
            mail.attachment = invitationFile(.cancel, tenant: tenant, session: session, attendee: member.email, link: link)
        case .reminder:
            break
        }
        return mail
    }

    // MARK: iCalendar

    private func invitationFile(_ method: ICalendar.Method, tenant: Tenant, session: SpeedNetworkingSessionRecord,
                                attendee: String, link: String) -> MailAttachment {
        let text = ICalendar.invitation(event(tenant: tenant, session: session, attendee: attendee, link: link),
                                        method: method, productID: Self.productID)
        return MailAttachment(filename: method == .cancel ? "cancel.ics" : "invite.ics",
                              contentType: "text/calendar; method=\(method.rawValue); charset=UTF-8", content: text)
    }

    /// The session as a calendar event; the UID is the same in every invitation, update,
    /// cancellation, download and feed, so calendars replace the event instead of adding one.
    func event(tenant: Tenant, session: SpeedNetworkingSessionRecord, attendee: String? = nil, link: String? = nil,
               stamp: Date = Date()) -> CalendarEvent {
        let link = link ?? config.baseURL(tenantSlug: tenant.slug) + session.path
        let description = session.description.isEmpty ? "Details and the live room: \(link)"
            : "\(session.description)\n\nDetails and the live room: \(link)"
        return CalendarEvent(uid: Self.uid(session: session.id, tenantHost: tenantHost(tenant)), sequence: session.sequence,
                             start: session.startsAt, end: session.endsAt, summary: session.title,
                             description: description, url: link, organizerName: tenant.name,
                             organizerEmail: config.smtp?.fromAddress ?? "no-reply@\(host(config.rootHost))",
                             attendeeEmail: attendee, cancelled: session.isCancelled, stamp: stamp)
    }

    /// `<session id>@<tenant host>`.
    static func uid(session: UUID, tenantHost: String) -> String { "\(session.uuidString.lowercased())@\(tenantHost)" }

    func tenantHost(_ tenant: Tenant) -> String { "\(tenant.slug).\(host(config.rootHost))" }

    /// A host without its port.
    private func host(_ hostAndPort: String) -> String {
        String(hostAndPort.split(separator: ":").first ?? Substring(hostAndPort))
    }
}
