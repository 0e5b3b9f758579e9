import Foundation
import PostgresNIO

/// A request for a site of one's own, made on the platform home (migration 0019).
public struct SiteRequestRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, approved, declined }
    public var id: UUID
    public var slug: String
    public var siteName: String
    public var firstName: String
    public var lastName: String
    public var email: String
    /// The username the requester would like; "" leaves it to the admin.
    public var username: String
    public var about: String
    public var status: Status
    public var declineReason: String
    /// The admin who decided, by username.
    public var decidedBy: String?
    public var decidedAt: Date?
    /// The site made on approval.
    public var tenantSlug: String?
    public var createdAt: Date

    public init(id: UUID, slug: String, siteName: String, firstName: String, lastName: String, email: String, username: String,
                about: String, status: Status, declineReason: String = "", decidedBy: String? = nil, decidedAt: Date? = nil,
                tenantSlug: String? = nil, createdAt: Date) {
        (self.id, self.slug, self.siteName, self.firstName, self.lastName) = (id, slug, siteName, firstName, lastName)
        (self.email, self.username, self.about, self.status) = (email, username, about, status)
        (self.declineReason, self.decidedBy, self.decidedAt, self.tenantSlug, self.createdAt) = (declineReason, decidedBy, decidedAt, tenantSlug, createdAt)
    }

    public var contactName: String { "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces) }
}

/// What the requester typed, before it is filed.
public struct SiteRequestDraft: Sendable, Equatable {
    public var slug, siteName, firstName, lastName, email, username, about: String

    public init(slug: String, siteName: String, firstName: String, lastName: String, email: String, username: String, about: String) {
        (self.slug, self.siteName, self.firstName, self.lastName) = (slug, siteName, firstName, lastName)
        (self.email, self.username, self.about) = (email, username, about)
    }
}

/// Why a request was not filed.
public enum SiteRequestRefusal: String, Error, Sendable {
    /// A site or a waiting request has the address.
    case taken
    /// This email address or this client already has as many requests waiting as allowed.
    case tooMany = "too_many"
}

/// A site the signed-in person belongs to, for the platform home.
public struct MySite: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var role: Role
    public var status: MembershipStatus

    public init(slug: String, name: String, role: Role, status: MembershipStatus) {
        (self.slug, self.name, self.role, self.status) = (slug, name, role, status)
    }
}

extension Transaction {
    /// Whether no site has `slug` and no request waits for it (works with no tenant set).
    public func siteSlugFree(_ slug: String) async throws -> Bool {
        try await query("SELECT site_slug_free(\(slug))").first(Bool.self) ?? false
    }

    /// Files a request from anyone (a narrow SECURITY DEFINER function): its id, or why not.
    public func submitSiteRequest(_ draft: SiteRequestDraft, clientAddress: String,
                                  maxPending: Int) async throws -> Result<UUID, SiteRequestRefusal> {
        let row = try await query("""
            SELECT request_id, problem FROM site_request_submit(\(draft.slug), \(draft.siteName), \(draft.firstName),
                \(draft.lastName), \(draft.email), \(draft.username), \(draft.about), \(String(clientAddress.prefix(100))), \(maxPending)::integer)
            """).first((UUID?, String?).self)
        if let id = row?.0 { return .success(id) }
        return .failure(SiteRequestRefusal(rawValue: row?.1 ?? "") ?? .taken)
    }

    private static let siteRequestColumns = """
        r.id, r.slug, r.site_name, r.first_name, r.last_name, r.email, r.username, r.about, r.status, r.decline_reason,
        u.username, r.decided_at, t.slug, r.created_at
        FROM site_requests r LEFT JOIN users u ON u.id = r.decided_by LEFT JOIN tenants t ON t.id = r.tenant_id
        """

    /// Every request, waiting ones first (oldest first), then decided ones (newest first).
    /// Needs platform access.
    public func siteRequests(limit: Int) async throws -> [SiteRequestRecord] {
        try await query("""
            SELECT \(unescaped: Self.siteRequestColumns)
            ORDER BY r.status <> 'pending', CASE WHEN r.status = 'pending' THEN r.created_at END,
                     r.decided_at DESC, r.created_at DESC
            LIMIT \(limit)
            """).all(SiteRequestRow.self).map(SiteRequestRecord.init(row:))
    }

    /// One request; `lock` holds it until the transaction ends, so two admins deciding at once
    /// decide one after the other. Needs platform access.
    public func siteRequest(_ id: UUID, lock: Bool = false) async throws -> SiteRequestRecord? {
        let sql: PostgresQuery = lock
            ? "SELECT \(unescaped: Self.siteRequestColumns) WHERE r.id = \(id) FOR UPDATE OF r"
            : "SELECT \(unescaped: Self.siteRequestColumns) WHERE r.id = \(id)"
        return try await query(sql).first(SiteRequestRow.self).map(SiteRequestRecord.init(row:))
    }

    /// How many requests wait; 0 unless `admin` is a platform admin (works with no tenant set).
    public func siteRequestsWaiting(admin: UserID) async throws -> Int {
        try await query("SELECT site_requests_waiting(\(admin))").first(Int.self) ?? 0
    }

    /// Decides a waiting request; false when it was already decided (nothing changes then).
    public func decideSiteRequest(_ id: UUID, approvedAs tenant: TenantID?, declineReason: String = "",
                                  by admin: UserID) async throws -> Bool {
        try await query("""
            UPDATE site_requests SET status = \(tenant == nil ? "declined" : "approved"), tenant_id = \(tenant),
                decline_reason = \(declineReason), decided_by = \(admin), decided_at = now()
            WHERE id = \(id) AND status = 'pending' RETURNING 1
            """).first(Int.self) != nil
    }

    /// Accounts with this email address (several accounts may share one). Needs platform access.
    public func users(email: String) async throws -> [UserRecord] {
        try await query("""
            SELECT id, username, email, first_name, last_name, is_platform_admin FROM users
            WHERE lower(email) = lower(\(email)) ORDER BY created_at
            """).all((UUID, String, String, String, String, Bool).self).map(UserRecord.init(row:))
    }

    /// The sites the transaction's user belongs to (app.user_id), in active tenants only.
    public func mySites() async throws -> [MySite] {
        try await query("SELECT slug, name, role, status FROM my_sites()").all((String, String, String, String).self).compactMap {
            guard let role = Role(rawValue: $0.2), let status = MembershipStatus(rawValue: $0.3) else { return nil }
            return MySite(slug: $0.0, name: $0.1, role: role, status: status)
        }
    }
}

typealias SiteRequestRow = (UUID, String, String, String, String, String, String, String, String, String, String?, Date?, String?, Date)

extension SiteRequestRecord {
    init(row: SiteRequestRow) {
        self.init(id: row.0, slug: row.1, siteName: row.2, firstName: row.3, lastName: row.4, email: row.5, username: row.6,
                  about: row.7, status: Status(rawValue: row.8) ?? .pending, declineReason: row.9, decidedBy: row.10,
                  decidedAt: row.11, tenantSlug: row.12, createdAt: row.13)
    }
}
