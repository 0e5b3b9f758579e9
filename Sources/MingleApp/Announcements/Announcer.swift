import Foundation
import Outbound
import Store

/// What members are told about: a speed-networking session or a meeting. Each kind says its
/// own words and keeps its own record of who holds which SEQUENCE; `Announcer` does the rest
/// the same way for both (message or notification, email with its `.ics`, calendar event).
protocol Announced: Sendable {
    var id: UUID { get }
    var title: String { get }
    var description: String { get }
    var startsAt: Date { get }
    var endsAt: Date { get }
    /// The iCalendar SEQUENCE of the latest change members are told about.
    var sequence: Int { get }
    var isCancelled: Bool { get }
    /// Its page on the tenant's site.
    var path: String { get }
    /// The mail templates `mail/<name>_text` and `_html`.
    static var mailTemplate: String { get }
    /// PRODID of its invitation files.
    static var productID: String { get }

    /// The private message (invitation, update, cancellation) or the reminder notification.
    func message(_ kind: AnnouncementKind, link: String, zone: TimeZone) -> String
    /// Subject, heading and introduction of the email.
    func mailWords(_ kind: AnnouncementKind, tenant: Tenant, zone: TimeZone) -> (subject: String, heading: String, intro: String)
    /// What its mail template needs beyond the shared values.
    func mailValues(link: String) -> [String: Any]
    /// The calendar event's description after the item's own: where to go, with `link` (its page).
    func calendarLinks(_ link: String) -> String
    /// Records that `member` now holds the message at `sequence`.
    func recordInvitation(_ tx: Transaction, tenant: Tenant, member: UserID) async throws
    /// A link of this email's own that answers the invitation without signing in, if the kind has one.
    func answerPath(_ tx: Transaction, tenant: Tenant, member: UserID) async throws -> String?
}

enum AnnouncementKind: Sendable, Equatable {
    case invitation, update, cancellation
    /// `minutes` before the start.
    case reminder(minutes: Int)
}

/// Tells one member about one `Announced` item, in the caller's transaction, so it happens
/// only if the change itself commits; the outbox delivers the mail.
struct Announcer: Sendable {
    let config: AppConfiguration
    let mailer: Mailer

    /// Whole minutes from `now` to `start`, rounded to the nearest, at least one.
    static func minutesLeft(until start: Date, now: Date) -> Int {
        max(1, Int((start.timeIntervalSince(now) / 60).rounded()))
    }

    /// Tells everyone of `audience` but the sender; returns how many.
    func tell<Item: Announced>(_ tx: Transaction, tenant: Tenant, from sender: UserID, item: Item,
                               _ audience: [UserRecord], _ kind: AnnouncementKind) async throws -> Int {
        let others = audience.filter { $0.id != sender }
        // Everyone's zone in one statement, not one per member.
        let zones = try await tx.timeZones(of: others.map(\.id))
        for member in others {
            try await tell(tx, tenant: tenant, from: sender, item: item, member: member, kind,
                           zone: LocalTime.known(zones[member.id]) ?? LocalTime.zone(tenant.timeZone))
        }
        return others.count
    }

    /// Everything one member is told, in `tx`: the message from `sender` (or a notification for
    /// a reminder), the email with its `.ics`, and the invitation's SEQUENCE on record.
    /// `zone`: the member's, when the caller looked it up already.
    func tell<Item: Announced>(_ tx: Transaction, tenant: Tenant, from sender: UserID, item: Item, member: UserRecord,
                               _ kind: AnnouncementKind, zone known: TimeZone? = nil) async throws {
        let link = config.baseURL(tenantSlug: tenant.slug) + item.path
        // Times in the member's own zone, else the site's default.
        var zone = known ?? LocalTime.zone(tenant.timeZone)
        if known == nil, let own = LocalTime.known(try await tx.timeZones(of: [member.id])[member.id]) { zone = own }
        switch kind {
        case .reminder:
            try await tx.notify(tenant: tenant.id, member.id, item.message(kind, link: link, zone: zone), link: item.path)
        case .invitation, .update, .cancellation:
            let conversation = try await tx.conversation(tenant: tenant.id, between: sender, and: member.id)
            _ = try await tx.addMessage(tenant: tenant.id, conversation: conversation, sender: sender,
                                        body: item.message(kind, link: link, zone: zone))
            try await item.recordInvitation(tx, tenant: tenant, member: member.id)
        }
        var answerLink: String?
        if kind != .cancellation, let path = try await item.answerPath(tx, tenant: tenant, member: member.id) {
            answerLink = config.baseURL(tenantSlug: tenant.slug) + path
        }
        try await NotificationEmails.send(tx, mail(kind, tenant: tenant, item: item, member: member, link: link, zone: zone,
                                                   answerLink: answerLink),
                                          kind: .sessions, to: member.id, tenant: tenant)
    }

    /// `answerLink` is this email's own link to the invitation (it answers without signing in).
    func mail<Item: Announced>(_ kind: AnnouncementKind, tenant: Tenant, item: Item, member: UserRecord, link: String,
                               zone: TimeZone, answerLink: String? = nil) -> OutgoingMail {
        let words = item.mailWords(kind, tenant: tenant, zone: zone)
        var values: [String: Any] = [
            "name": member.firstName.isEmpty ? member.username : member.firstName,
            "heading": words.heading, "intro": words.intro, "when": LocalTime.describe(start: item.startsAt, end: item.endsAt, in: zone),
            "link": link, "cancelled": kind == .cancellation, "settingsLink": NotificationEmails.settingsLink(config, tenant),
        ]
        values.merge(item.mailValues(link: link)) { _, own in own }
        if let answerLink {
            values["answerLink"] = answerLink
            values["comingLink"] = answerLink + "?answer=yes"
            values["notComingLink"] = answerLink + "?answer=no"
        }
        if !item.description.isEmpty {
            values["description"] = item.description
            values["descriptionText"] = LinkedText(item.description)
        }
        var mail = mailer.compose(Item.mailTemplate, to: member.email, subject: words.subject, site: .tenant(tenant), values: values)
        switch kind {
        case .invitation, .update:
            mail.attachment = invitationFile(.request, tenant: tenant, item: item, attendee: member.email, link: link)
        case .cancellation:
            mail.attachment = invitationFile(.cancel, tenant: tenant, item: item, attendee: member.email, link: link)
        case .reminder:
            break
        }
        return mail
    }

    // MARK: iCalendar

    private func invitationFile<Item: Announced>(_ method: ICalendar.Method, tenant: Tenant, item: Item,
                                                 attendee: String, link: String) -> MailAttachment {
        let text = ICalendar.invitation(event(tenant: tenant, item: item, attendee: attendee, link: link),
                                        method: method, productID: Item.productID)
        return MailAttachment(filename: method == .cancel ? "cancel.ics" : "invite.ics",
                              contentType: "text/calendar; method=\(method.rawValue); charset=UTF-8", content: text)
    }

    /// The item as a calendar event; the UID is the same in every invitation, update,
    /// cancellation, download and feed, so calendars replace the event instead of adding one.
    func event<Item: Announced>(tenant: Tenant, item: Item, attendee: String? = nil, link: String? = nil,
                                stamp: Date = Date()) -> CalendarEvent {
        let link = link ?? config.baseURL(tenantSlug: tenant.slug) + item.path
        let description = item.description.isEmpty ? item.calendarLinks(link) : "\(item.description)\n\n\(item.calendarLinks(link))"
        return CalendarEvent(uid: Self.uid(item.id, tenantHost: tenantHost(tenant)), sequence: item.sequence,
                             start: item.startsAt, end: item.endsAt, summary: item.title,
                             description: description, url: link, organizerName: tenant.name,
                             organizerEmail: config.smtp?.fromAddress ?? "no-reply@\(Self.host(config.rootHost))",
                             attendeeEmail: attendee, cancelled: item.isCancelled, stamp: stamp)
    }

    /// `<id>@<tenant host>`.
    static func uid(_ id: UUID, tenantHost: String) -> String { "\(id.uuidString.lowercased())@\(tenantHost)" }

    func tenantHost(_ tenant: Tenant) -> String { "\(tenant.slug).\(Self.host(config.rootHost))" }

    /// A host without its port.
    private static func host(_ hostAndPort: String) -> String {
        String(hostAndPort.split(separator: ":").first ?? Substring(hostAndPort))
    }
}
