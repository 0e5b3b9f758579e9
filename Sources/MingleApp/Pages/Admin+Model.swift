import Foundation
import Store

/// The console's tenant list (`/admin`).
struct TenantsModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var slug: String
        var name: String
        var suspended: Bool
        var url: String
    }

    var tenants: [Row]
    var empty: Bool

    /// `url` gives a tenant's address from its slug.
    init(_ tenants: [Tenant], url: (String) -> String) {
        self.tenants = tenants.map { Row(slug: $0.slug, name: $0.name, suspended: $0.status == .suspended, url: url($0.slug)) }
        empty = tenants.isEmpty
    }
}

/// The platform figures (`/admin/reports`): per tenant and in total.
struct PlatformFiguresModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var slug: String
        var name: String
        var suspended: Bool
        var members: Int
        var sessions: Int
        var minutes: Int
        var surveys: Int
    }

    struct Total: Encodable, Equatable {
        var tenants: Int
        var members: Int
        var sessions: Int
        var minutes: Int
        var surveys: Int
    }

    var tenants: [Row]
    var total: Total
    var empty: Bool

    init(_ figures: [TenantFigures]) {
        tenants = figures.map {
            Row(slug: $0.slug, name: $0.name, suspended: $0.status == "suspended", members: $0.activeMembers,
                sessions: $0.sessionsHeld, minutes: AdminController.minutes($0.pairSeconds), surveys: $0.surveys)
        }
        total = Total(tenants: figures.count, members: figures.reduce(0) { $0 + $1.activeMembers },
                      sessions: figures.reduce(0) { $0 + $1.sessionsHeld },
                      minutes: AdminController.minutes(figures.reduce(0) { $0 + $1.pairSeconds }),
                      surveys: figures.reduce(0) { $0 + $1.surveys })
        empty = figures.isEmpty
    }
}

/// The console's "new tenant" form, empty or as given with what is wrong.
struct NewTenantModel: Encodable, Equatable {
    var errors: [String]
    var hasErrors: Bool
    var slug, name, username, firstName, lastName, email: String
    /// The platform's host, after the tenant's address.
    var root: String

    enum CodingKeys: String, CodingKey {
        case errors, hasErrors, slug, name, username, firstName = "first_name", lastName = "last_name", email, root
    }

    init(root: String, form: NewTenantForm? = nil, errors: [String] = []) {
        (self.errors, hasErrors, self.root) = (errors, !errors.isEmpty, root)
        (slug, name, username) = (form?.slug ?? "", form?.name ?? "", form?.username ?? "")
        (firstName, lastName, email) = (form?.firstName ?? "", form?.lastName ?? "", form?.email ?? "")
    }
}

/// One tenant in the console (`/admin/tenants/<slug>`): its organizers and members.
struct TenantModel: Encodable, Equatable {
    struct Person: Encodable, Equatable {
        var username: String
        var name: String
        var email: String
        var status: String
        var joined: String
    }

    var slug: String
    var name: String
    var suspended: Bool
    var url: String
    var organizers: [Person]
    var members: [Person]
    var noMembers: Bool
    var noOrganizers: Bool

    init(_ tenant: Tenant, url: String, members: [MemberRecord], zone: TimeZone) {
        func people(_ role: Role) -> [Person] {
            members.filter { $0.role == role }.map {
                Person(username: $0.user.username, name: $0.user.displayName, email: $0.user.email,
                       status: $0.status.rawValue.replacingOccurrences(of: "_", with: " "),
                       joined: LocalTime.day($0.joinedAt, in: zone))
            }
        }
        (slug, name, suspended, self.url) = (tenant.slug, tenant.name, tenant.status == .suspended, url)
        (organizers, self.members) = (people(.organizer), people(.member))
        (noMembers, noOrganizers) = (self.members.isEmpty, organizers.isEmpty)
    }
}

/// The mail outbox (`/admin/outbox`).
struct OutboxModel: Encodable, Equatable {
    struct Entry: Encodable, Equatable {
        var id: String
        var tenant: String
        var to: String
        var subject: String
        var status: String
        var attempts: Int
        var error: String
        var created: String
    }

    var entries: [Entry]
    var empty: Bool
    var smtpConfigured: Bool

    init(_ entries: [OutboxEntry], smtpConfigured: Bool, zone: TimeZone) {
        self.entries = entries.map {
            Entry(id: $0.id.uuidString.lowercased(), tenant: $0.tenantSlug ?? "platform", to: $0.to, subject: $0.subject,
                  status: $0.status, attempts: $0.attempts, error: $0.lastError ?? "",
                  created: LocalTime.dateTime($0.createdAt, in: zone))
        }
        (empty, self.smtpConfigured) = (entries.isEmpty, smtpConfigured)
    }
}

/// One queued message as it will be sent; once delivered its text is gone.
struct OutboxMessageModel: Encodable, Equatable {
    var to: String
    var subject: String
    var status: String
    var tenant: String
    var text: String
    var delivered: Bool
    var created: String

    init(_ entry: OutboxEntry, text: String, zone: TimeZone) {
        (to, subject, status, tenant) = (entry.to, entry.subject, entry.status, entry.tenantSlug ?? "platform")
        (self.text, delivered) = (text, text.isEmpty)
        created = LocalTime.dateTime(entry.createdAt, in: zone)
    }
}

/// The platform-access audit log (`/admin/audit`).
struct AuditModel: Encodable, Equatable {
    struct Entry: Encodable, Equatable {
        var actor: String
        var tenant: String
        var action: String
        var detail: String
        var at: String
    }

    var entries: [Entry]

    init(_ entries: [AuditEntry], zone: TimeZone) {
        self.entries = entries.map {
            Entry(actor: $0.actor, tenant: $0.tenantSlug ?? "—", action: $0.action, detail: $0.detail,
                  at: LocalTime.dateTime($0.at, in: zone, seconds: true))
        }
    }
}
