import Foundation
import Store

/// The membership settings form (`/organize/membership`). The PayPal secret is never shown:
/// only whether one is saved.
struct MembershipSettingsModel: Encodable, Equatable {
    struct Currency: Encodable, Equatable {
        var code: String
        var selected: Bool
    }

    var problems: FormProblems
    var fee: String
    var clientID: String
    var webhookID: String
    var welcome: String
    var hasSecret: Bool
    var currencies: [Currency]
    /// The meetings setting beside it (its own form).
    var membersMayHost: Bool

    enum CodingKeys: String, CodingKey {
        case problems, fee, clientID = "client_id", webhookID = "webhook_id", welcome, hasSecret, currencies, membersMayHost
    }

    init(_ form: SettingsForm, problems: FormProblems, membersMayHost: Bool) {
        self.problems = problems
        self.membersMayHost = membersMayHost
        (fee, clientID, webhookID, welcome, hasSecret) = (form.fee, form.clientID, form.webhookID, form.welcome, form.hasSecret)
        currencies = Money.currencies.map { Currency(code: $0, selected: $0 == form.currency) }
    }
}

/// The members list (`/organize/members`): everyone, or those matching a search and a status.
struct OrganizerMembersModel: Encodable, Equatable {
    struct Member: Encodable, Equatable {
        var name: String
        var username: String
        var email: String
        var role: String
        var status: String
        var statusClass: String
        var joined: String
    }

    struct Filter: Encodable, Equatable {
        var value: String
        var label: String
        var selected: Bool
    }

    var members: [Member]
    var empty: Bool
    var q: String
    var filters: [Filter]
    var summary: String
    var filtered: Bool

    /// `search` matches a part of the username, name or email, in any case.
    init(all: [MemberRecord], search: String, status: MembershipStatus?, zone: TimeZone) {
        let needle = search.lowercased()
        let shown = all.filter { m in
            (status == nil || m.status == status)
                && (needle.isEmpty || [m.user.username, m.user.displayName, m.user.email].contains { $0.lowercased().contains(needle) })
        }
        members = shown.map { m in
            Member(name: m.user.displayName, username: m.user.username, email: m.user.email, role: m.role.rawValue,
                   status: Self.label(m.status), statusClass: m.status == .active ? "ok" : "warn",
                   joined: LocalTime.day(m.joinedAt, in: zone))
        }
        filters = [("", "All"), ("active", "Active"), ("awaiting_payment", "Awaiting payment"), ("suspended", "Suspended"), ("left", "Left")].map {
            Filter(value: $0.0, label: $0.1, selected: $0.0 == (status?.rawValue ?? ""))
        }
        (empty, q, summary) = (shown.isEmpty, search, "\(shown.count) of \(all.count) people")
        filtered = !search.isEmpty || status != nil
    }

    static func label(_ status: MembershipStatus) -> String {
        switch status {
        case .active: "active"
        case .awaitingPayment: "awaiting payment"
        case .suspended: "suspended"
        case .left: "left"
        }
    }
}

/// One member as the organizer sees them (`/organize/members/:username`): account, profile
/// answers and payments.
struct OrganizerMemberModel: Encodable, Equatable {
    struct Field: Encodable, Equatable {
        var label: String
        var value: String
        var isLink: Bool
    }

    struct PaymentRow: Encodable, Equatable {
        var when: String
        var amount: String
        var status: String
        var order: String
        var detail: String
    }

    var name: String
    var username: String
    var email: String
    var role: String
    var status: String
    var suspended: Bool
    var isOrganizer: Bool
    var joined: String
    var fields: [Field]
    var noFields: Bool
    var pictureURL: String?
    var payments: [PaymentRow]
    var hasPayments: Bool

    /// `answers` by section id; sections without an answer are left out, in the sections' order.
    init(member: MemberRecord, payments: [Payment], sections: [ProfileSection], answers: [UUID: String], picture: UUID?, zone: TimeZone) {
        (name, username, email) = (member.user.displayName, member.user.username, member.user.email)
        (role, status) = (member.role.rawValue, OrganizerMembersModel.label(member.status))
        (suspended, isOrganizer) = (member.status == .suspended, member.role == .organizer)
        joined = LocalTime.day(member.joinedAt, in: zone)
        fields = sections.compactMap { s in answers[s.id].map { Field(label: s.label, value: $0, isLink: s.kind == .link) } }
        noFields = fields.isEmpty
        pictureURL = picture.map(PageLinks.image)
        self.payments = payments.map {
            PaymentRow(when: LocalTime.dateTime($0.createdAt, in: zone), amount: Money.format($0.amountMinor, $0.currency),
                       status: $0.status.rawValue, order: $0.payPalOrderID ?? "—", detail: $0.detail)
        }
        hasPayments = !payments.isEmpty
    }
}
