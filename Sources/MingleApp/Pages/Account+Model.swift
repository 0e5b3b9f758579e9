import Foundation
import Store

/// The account page (`/account`) on a community's site: name, address, password, which emails
/// come from this community, receipts, leaving. After a refused form, what was typed and what
/// is wrong beside each field.
struct AccountModel: Encodable, Equatable {
    struct Toggle: Encodable, Equatable {
        var kind: String
        var label: String
        var hint: String
        var on: Bool
    }

    struct Receipt: Encodable, Equatable {
        var when: String
        var amount: String
        var status: String
        var reference: String
        /// Only a completed payment has a receipt to print.
        var url: String?
    }

    /// What a refused form had typed, and what was wrong.
    struct Typed: Equatable {
        var name: NameForm?
        var newEmail: String?
        var newEmailProblem: String?
    }

    var firstName: String
    var lastName: String
    var firstNameProblem: String?
    var lastNameProblem: String?
    var email: String
    var emailConfirmed: Bool
    var newEmail: String
    var newEmailProblem: String?
    var pendingEmail: String?
    var pendingUntil: String?
    var isMember: Bool
    var isOrganizer: Bool
    var notifications: [Toggle]
    var appearOffline: Bool
    var doNotDisturb: Bool
    var receipts: [Receipt]
    var hasReceipts: Bool

    static let kinds: [(EmailKind, String, String)] = [
        (.messages, "New messages", "When someone writes to you (at most one email per conversation until you read it)."),
        (.connections, "Connection requests", "When someone asks to connect with you."),
        (.sessions, "Sessions and meetings", "Invitations to live sessions and meetings, changes, cancellations and reminders."),
    ]

    /// `membership` is the person's role here, nil when they have none (an acting admin).
    init(user: UserRecord, emailConfirmed: Bool, pending: PendingEmailChange?, membership: Role?,
         preferences: EmailPreferences, availability: Availability = Availability(), payments: [Payment], zone: TimeZone, typed: Typed = Typed()) {
        let name = typed.name ?? NameForm(firstName: user.firstName, lastName: user.lastName)
        (firstName, lastName) = (name.firstName, name.lastName)
        (firstNameProblem, lastNameProblem) = typed.name.map { ($0.firstNameProblem, $0.lastNameProblem) } ?? (nil, nil)
        (email, self.emailConfirmed) = (user.email, emailConfirmed)
        (newEmail, newEmailProblem) = (typed.newEmail ?? "", typed.newEmailProblem)
        pendingEmail = pending?.newEmail
        pendingUntil = pending.map { LocalTime.shortWithZone($0.expiresAt, in: zone) }
        (isMember, isOrganizer) = (membership != nil, membership == .organizer)
        notifications = Self.kinds.map { Toggle(kind: $0.0.rawValue, label: $0.1, hint: $0.2, on: preferences.wants($0.0)) }
        (appearOffline, doNotDisturb) = (availability.appearOffline, availability.doNotDisturb)
        receipts = payments.map { payment in
            Receipt(when: LocalTime.shortWithZone(payment.completedAt ?? payment.createdAt, in: zone),
                    amount: Money.format(payment.amountMinor, payment.currency), status: ReceiptModel.statusLabel(payment.status),
                    reference: payment.payPalCaptureID ?? payment.payPalOrderID ?? "—",
                    url: payment.status == .completed ? "/account/receipts/\(payment.id.uuidString.lowercased())" : nil)
        }
        hasReceipts = !payments.isEmpty
    }
}

/// One payment's printable receipt (`/account/receipts/<id>`).
struct ReceiptModel: Encodable, Equatable {
    var number: String
    var community: String
    var paidBy: String
    var email: String
    var when: String
    var item: String
    var amount: String
    var currency: String
    var captureID: String
    var orderID: String

    init(payment: Payment, community: String, payer: UserRecord, zone: TimeZone) {
        number = String(payment.id.uuidString.prefix(8)).uppercased()
        self.community = community
        (paidBy, email) = (payer.displayName, payer.email)
        when = LocalTime.shortWithZone(payment.completedAt ?? payment.createdAt, in: zone)
        item = "Membership of \(community)"
        (amount, currency) = (Money.format(payment.amountMinor, payment.currency), payment.currency)
        (captureID, orderID) = (payment.payPalCaptureID ?? "—", payment.payPalOrderID ?? "—")
    }

    static func statusLabel(_ status: Payment.Status) -> String {
        switch status {
        case .created: "not finished"
        case .cancelled: "cancelled"
        case .declined: "declined"
        case .failed: "failed"
        case .completed: "paid"
        }
    }
}

/// The page a change-of-address link opens: its button posts the token.
struct ConfirmEmailChangeModel: Encodable, Equatable {
    var token: String
}

/// Leaving a community (`/account/leave`): what happens, and whether this person may.
struct LeaveModel: Encodable, Equatable {
    var isOrganizer: Bool
    var community: String
}

/// The offer on an empty profile: copy it from another community the person belongs to.
struct ProfileCopyOfferModel: Encodable, Equatable {
    struct Source: Encodable, Equatable {
        var slug: String
        var name: String
    }

    var sources: [Source]

    /// nil when there is nothing to offer.
    init?(_ communities: [Community], here: TenantID) {
        sources = communities.filter { $0.id != here }.map { Source(slug: $0.slug, name: $0.name) }
        if sources.isEmpty { return nil }
    }
}

/// What copying a profile did (`POST /profile/copy`).
struct ProfileCopiedModel: Encodable, Equatable {
    struct Skipped: Encodable, Equatable {
        var label: String
        var reason: String
    }

    var source: String
    var copied: [String]
    var hasCopied: Bool
    var skipped: [Skipped]
    var hasSkipped: Bool
    var picture: String
    var summary: String

    enum Picture: Equatable { case copied, keptOwn, none }

    init(source: String, plan: ProfileCopyPlan, picture: Picture) {
        self.source = source
        (copied, hasCopied) = (plan.copied, !plan.copied.isEmpty)
        skipped = plan.skipped.map { Skipped(label: $0.label, reason: $0.reason) }
        hasSkipped = !plan.skipped.isEmpty
        self.picture = switch picture {
        case .copied: "Your picture was copied."
        case .keptOwn: "Your picture here was kept (it is not replaced)."
        case .none: "You have no picture in \(source) to copy."
        }
        let answers = SessionsController.count(plan.copied.count, "answer", "answers")
        summary = picture == .copied ? "Copied \(answers) and your picture from \(source)." : "Copied \(answers) from \(source)."
    }
}
