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

    typealias Kind = AnnouncementKind

    /// What sessions and meetings share: telling one member, the email, the calendar event.
    var core: Announcer { Announcer(config: config, mailer: mailer) }

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

    /// Whole minutes from `now` to `start`, rounded to the nearest, at least one.
    static func minutesLeft(until start: Date, now: Date) -> Int { Announcer.minutesLeft(until: start, now: now) }

    /// The reminder: invited members who are still active get an email and a notification.
    @discardableResult
    func remind(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord, minutes: Int) async throws -> Int {
        let invited = Set(try await tx.invitations(session: session.id).map(\.user))
        let audience = try await tx.members(role: .member)
            .filter { $0.status == .active && invited.contains($0.user.id) }.map(\.user)
        return try await tell(tx, tenant: tenant, organizer: organizer, session: session, audience, .reminder(minutes: minutes))
    }

    /// A member who just became active (paid, confirmed on a free site, reactivated) is invited
    /// to every session still ahead or running that they hold no invitation for, in the name
    /// of the organizer who scheduled it, and to the meetings ahead that invite every member
    /// (`MeetingAnnouncer.inviteToUpcoming`). Returns how many sessions and meetings.
    @discardableResult
    func inviteToUpcoming(_ tx: Transaction, tenant: Tenant, member id: UserID, now: Date = Date()) async throws -> Int {
        guard let member = try await tx.user(id) else { return 0 }
        var count = try await MeetingAnnouncer(core: core).inviteToUpcoming(tx, tenant: tenant, member: member, now: now)
        for session in try await tx.speedNetworkingSessions(endingAfter: now) where !session.isCancelled {
            guard try await !tx.invitations(session: session.id).contains(where: { $0.user == id }) else { continue }
            try await tell(tx, tenant: tenant, organizer: session.createdBy, session: session, member: member, .invitation)
            count += 1
        }
        return count
    }

    private func tell(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord,
                      _ audience: [UserRecord], _ kind: Kind) async throws -> Int {
        try await core.tell(tx, tenant: tenant, from: organizer, item: session, audience, kind)
    }

    // MARK: one member

    /// Everything one member is told, in `tx` (`Announcer.tell`). Every email but a
    /// cancellation carries links of its own that answer the invitation (`InvitationLinks`).
    func tell(_ tx: Transaction, tenant: Tenant, organizer: UserID, session: SpeedNetworkingSessionRecord, member: UserRecord,
              _ kind: Kind) async throws {
        try await core.tell(tx, tenant: tenant, from: organizer, item: session, member: member, kind)
    }

    // MARK: iCalendar

    /// The session as a calendar event (`Announcer.event`).
    func event(tenant: Tenant, session: SpeedNetworkingSessionRecord, attendee: String? = nil, link: String? = nil,
               stamp: Date = Date()) -> CalendarEvent {
        core.event(tenant: tenant, item: session, attendee: attendee, link: link, stamp: stamp)
    }
}

/// A session's own words and records (`Announced`).
extension SpeedNetworkingSessionRecord: Announced {
    static var mailTemplate: String { "session" }
    static var productID: String { SessionAnnouncer.productID }
    func calendarLinks(_ link: String) -> String { "Details and the live room: \(link)" }

    func message(_ kind: AnnouncementKind, link: String, zone: TimeZone) -> String {
        let when = self.when(in: zone)
        return switch kind {
        case .invitation:
            "You are invited to the live session “\(title)”: \(when). The lobby opens "
                + "\(SessionsController.count(leadSeconds / 60, "minute", "minutes")) before the start. Details and the live room: \(link)"
        case .update:
            "“\(title)” has changed. It now takes place \(when). Details and the live room: \(link)"
        case .cancellation:
            "“\(title)” (\(when)) is cancelled. Your calendar invitation has been withdrawn."
        case .reminder:
            "“\(title)” starts soon: \(when)."
        }
    }

    func mailWords(_ kind: AnnouncementKind, tenant: Tenant, zone: TimeZone) -> (subject: String, heading: String, intro: String) {
        let start = LocalTime.short(startsAt, in: zone)
        return switch kind {
        case .invitation: ("Invitation: \(title), \(start)", "You are invited",
                           "\(tenant.name) invites you to a live networking session.")
        case .update: ("Updated: \(title), \(start)", "The session has changed",
                       "\(tenant.name) changed a session you are invited to. The calendar entry is updated.")
        case .cancellation: ("Cancelled: \(title), \(start)", "The session is cancelled",
                             "\(tenant.name) cancelled this session. The calendar entry is withdrawn.")
        case .reminder(let minutes): ("Starting in \(SessionsController.count(minutes, "minute", "minutes")): \(title)", "Starting soon",
                                      "Your session starts in \(SessionsController.count(minutes, "minute", "minutes")); the lobby opens "
                                        + "\(SessionsController.count(leadSeconds / 60, "minute", "minutes")) before the start.")
        }
    }

    func mailValues(link: String) -> [String: Any] { ["sessionTitle": title] }

    func recordInvitation(_ tx: Transaction, tenant: Tenant, member: UserID) async throws {
        try await tx.recordInvitation(tenant: tenant.id, session: id, user: member, sequence: sequence)
    }

    func answerPath(_ tx: Transaction, tenant: Tenant, member: UserID) async throws -> String? {
        let token = Tokens.random()
        try await tx.addInvitationLink(tenant: tenant.id, session: id, user: member, tokenHash: Tokens.hash(token))
        return InvitationLinks.path(session: id, token: token)
    }
}
