import Foundation
import Outbound
import Store

/// Tells members about a meeting, through the same `Announcer` as sessions: invited members
/// get a private message from the host who acted and an email with an `.ics` (REQUEST with a
/// stable UID and the meeting's SEQUENCE, CANCEL when withdrawn), and a reminder before the
/// start. `meeting_invitations` records who holds which SEQUENCE; with "every member" the
/// members told are recorded there too, so a cancellation reaches exactly those who hold it.
struct MeetingAnnouncer: Sendable {
    let core: Announcer

    static let productID = "-//Mingle//Meetings//EN"

    /// Whom a meeting invites now: every active person of the site but its host, or the
    /// chosen ones who are still active.
    static func audience(_ tx: Transaction, meeting: MeetingRecord, chosen: [UserID]) async throws -> [UserRecord] {
        let active = try await tx.members().filter { $0.status == .active && $0.user.id != meeting.createdBy }.map(\.user)
        if meeting.inviteAll { return active }
        let picked = Set(chosen)
        return active.filter { picked.contains($0.id) }
    }

    /// A new meeting: the invitation to its audience. Returns how many were told.
    @discardableResult
    func scheduled(_ tx: Transaction, tenant: Tenant, host: UserID, meeting: MeetingRecord, chosen: [UserID]) async throws -> Int {
        let audience = try await Self.audience(tx, meeting: meeting, chosen: chosen)
        return try await core.tell(tx, tenant: tenant, from: host, item: meeting, audience, .invitation)
    }

    /// A changed meeting: those still invited get the update (newcomers the invitation), those
    /// no longer invited get the CANCEL and lose the invitation. Returns (told of the change, withdrawn).
    func updated(_ tx: Transaction, tenant: Tenant, host: UserID, meeting: MeetingRecord, chosen: [UserID]) async throws -> (told: Int, withdrawn: Int) {
        let holders = Set(try await tx.meetingInvitations(meeting.id).map(\.user))
        let audience = try await Self.audience(tx, meeting: meeting, chosen: chosen)
        let keep = Set(audience.map(\.id))
        for member in audience where member.id != host {
            try await core.tell(tx, tenant: tenant, from: host, item: meeting, member: member,
                                holders.contains(member.id) ? .update : .invitation)
        }
        var withdrawn = 0
        for member in try await tx.members() where holders.contains(member.user.id) && !keep.contains(member.user.id) {
            // Whoever makes the change is not told about it (an organizer who unticked themself).
            if member.user.id != host {
                var cancelled = meeting
                cancelled.cancelledAt = cancelled.cancelledAt ?? Date()
                try await core.tell(tx, tenant: tenant, from: host, item: cancelled, member: member.user, .cancellation)
                withdrawn += 1
            }
            try await tx.removeMeetingInvitation(meeting.id, user: member.user.id)
        }
        return (audience.filter { $0.id != host }.count, withdrawn)
    }

    /// A cancelled meeting: everyone who holds an invitation is told, so their calendars drop it.
    @discardableResult
    func cancelled(_ tx: Transaction, tenant: Tenant, host: UserID, meeting: MeetingRecord) async throws -> Int {
        let holders = Set(try await tx.meetingInvitations(meeting.id).map(\.user))
        let audience = try await tx.members().filter { holders.contains($0.user.id) }.map(\.user)
        return try await core.tell(tx, tenant: tenant, from: host, item: meeting, audience, .cancellation)
    }

    /// The reminder: invited members who are still active get an email and a notification.
    @discardableResult
    func remind(_ tx: Transaction, tenant: Tenant, actor: UserID, meeting: MeetingRecord, minutes: Int) async throws -> Int {
        let holders = Set(try await tx.meetingInvitations(meeting.id).map(\.user))
        let audience = try await tx.members().filter { $0.status == .active && holders.contains($0.user.id) }.map(\.user)
        return try await core.tell(tx, tenant: tenant, from: actor, item: meeting, audience, .reminder(minutes: minutes))
    }

    /// A member who just became active is invited to every meeting ahead that invites every
    /// member, in the name of its host. Returns how many.
    @discardableResult
    func inviteToUpcoming(_ tx: Transaction, tenant: Tenant, member: UserRecord, now: Date) async throws -> Int {
        var count = 0
        for meeting in try await tx.meetingsForEveryone(endingAfter: now) where meeting.createdBy != member.id {
            guard try await !tx.isInvitedToMeeting(meeting.id, user: member.id) else { continue }
            try await core.tell(tx, tenant: tenant, from: meeting.createdBy, item: meeting, member: member, .invitation)
            count += 1
        }
        return count
    }

    /// The meeting as a calendar event (downloads and feeds).
    func event(tenant: Tenant, meeting: MeetingRecord) -> CalendarEvent { core.event(tenant: tenant, item: meeting) }
}

/// A meeting's own words and records (`Announced`).
extension MeetingRecord: Announced {
    static var mailTemplate: String { "meeting" }
    static var productID: String { MeetingAnnouncer.productID }
    func calendarLinks(_ link: String) -> String { "Join the meeting: \(roomLink(fromPageLink: link))\nDetails: \(link)" }

    /// The room's address, from the address of the meeting's page.
    private func roomLink(fromPageLink link: String) -> String { String(link.dropLast(path.count)) + roomPath }

    func message(_ kind: AnnouncementKind, link: String, zone: TimeZone) -> String {
        let when = self.when(in: zone)
        return switch kind {
        case .invitation:
            "You are invited to the meeting “\(title)”: \(when). Join it at \(roomLink(fromPageLink: link)) — details: \(link)"
        case .update:
            "“\(title)” has changed. It now takes place \(when). Join it at \(roomLink(fromPageLink: link)) — details: \(link)"
        case .cancellation:
            "“\(title)” (\(when)) is cancelled. Your calendar invitation has been withdrawn."
        case .reminder:
            "“\(title)” starts soon: \(when)."
        }
    }

    func mailWords(_ kind: AnnouncementKind, tenant: Tenant, zone: TimeZone) -> (subject: String, heading: String, intro: String) {
        let start = LocalTime.short(startsAt, in: zone)
        return switch kind {
        case .invitation: ("Invitation: \(title), \(start)", "You are invited", "You are invited to a video meeting of \(tenant.name).")
        case .update: ("Updated: \(title), \(start)", "The meeting has changed",
                       "A meeting of \(tenant.name) you are invited to has changed. The calendar entry is updated.")
        case .cancellation: ("Cancelled: \(title), \(start)", "The meeting is cancelled",
                             "This meeting of \(tenant.name) is cancelled for you. The calendar entry is withdrawn.")
        case .reminder(let minutes): ("Starting in \(SessionsController.count(minutes, "minute", "minutes")): \(title)", "Starting soon",
                                      "Your meeting starts in \(SessionsController.count(minutes, "minute", "minutes")).")
        }
    }

    func mailValues(link: String) -> [String: Any] { ["meetingTitle": title, "roomLink": roomLink(fromPageLink: link)] }

    func recordInvitation(_ tx: Transaction, tenant: Tenant, member: UserID) async throws {
        try await tx.recordMeetingInvitation(tenant: tenant.id, meeting: id, user: member, sequence: sequence)
    }

    func answerPath(_ tx: Transaction, tenant: Tenant, member: UserID) async throws -> String? { nil }
}
