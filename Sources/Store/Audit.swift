import Foundation
import PostgresNIO

public struct AuditEntry: Sendable, Equatable {
    public var actor: String
    public var tenantSlug: String?
    public var action: String
    public var detail: String
    public var at: Date
}

extension Transaction {
    /// The platform-access audit log, newest first (needs platform access).
    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await query("""
            SELECT coalesce(u.username, a.actor_id::text), t.slug, a.action, a.detail, a.at
            FROM platform_audit a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN tenants t ON t.id = a.tenant_id
            ORDER BY a.at DESC LIMIT \(limit)
            """).all((String, String?, String, String, Date).self)
            .map { AuditEntry(actor: $0.0, tenantSlug: $0.1, action: $0.2, detail: $0.3, at: $0.4) }
    }
}
