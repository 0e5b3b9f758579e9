import Foundation
import PostgresNIO

public struct OutgoingMail: Sendable, Equatable {
    public var to: String
    public var fromName: String
    public var subject: String
    public var text: String
    public var html: String?
    public var attachment: MailAttachment?

    public init(to: String, fromName: String, subject: String, text: String, html: String? = nil,
                attachment: MailAttachment? = nil) {
        self.to = to
        self.fromName = fromName
        self.subject = subject
        self.text = text
        self.html = html
        self.attachment = attachment
    }
}

/// A text attachment, such as an invitation's `.ics`.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    /// The full media type with its parameters, e.g. `text/calendar; method=REQUEST; charset=UTF-8`.
    public var contentType: String
    public var content: String

    public init(filename: String, contentType: String, content: String) {
        self.filename = filename
        self.contentType = contentType
        self.content = content
    }
}

public struct ClaimedMail: Sendable, Equatable {
    public var id: UUID
    public var mail: OutgoingMail
    public var attempts: Int
}

public struct OutboxEntry: Sendable, Equatable {
    public var id: UUID
    public var tenantSlug: String?
    public var to: String
    public var subject: String
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
}

extension Transaction {
    /// Queues mail in this transaction: it is sent only if the action that caused it commits.
    public func enqueue(_ mail: OutgoingMail, tenant: TenantID?) async throws {
        try await execute("""
            INSERT INTO outbox (tenant_id, to_address, from_name, subject, body_text, body_html,
                                attachment_name, attachment_type, attachment_body)
            VALUES (\(tenant), \(mail.to), \(mail.fromName), \(mail.subject), \(mail.text), \(mail.html),
                    \(mail.attachment?.filename), \(mail.attachment?.contentType), \(mail.attachment?.content))
            """)
    }

    public func claimMail(batch: Int, lease: Duration) async throws -> [ClaimedMail] {
        try await query("""
            SELECT id, to_address, from_name, subject, body_text, body_html, attempts,
                   attachment_name, attachment_type, attachment_body
            FROM outbox_claim(\(batch)::int, \(lease.seconds) * interval '1 second')
            """).all((UUID, String, String, String, String, String?, Int, String?, String?, String?).self).map { row in
                var attachment: MailAttachment?
                if let name = row.7, let type = row.8, let content = row.9 {
                    attachment = MailAttachment(filename: name, contentType: type, content: content)
                }
                return ClaimedMail(id: row.0, mail: OutgoingMail(to: row.1, fromName: row.2, subject: row.3, text: row.4,
                                                                 html: row.5, attachment: attachment),
                                   attempts: row.6)
            }
    }

    public func markDelivered(_ id: UUID) async throws {
        try await execute("SELECT outbox_delivered(\(id))")
    }

    /// `retryAt` nil gives up on the message.
    public func markFailed(_ id: UUID, error: String, retryAt: Date?) async throws {
        try await execute("SELECT outbox_attempt_failed(\(id), \(error), \(retryAt))")
    }

    /// One message with its text (needs platform access); the text is empty once delivered.
    public func outboxMessage(_ id: UUID) async throws -> (entry: OutboxEntry, text: String)? {
        try await query("""
            SELECT o.id, t.slug, o.to_address, o.subject, o.status, o.attempts, o.last_error, o.created_at, o.sent_at, o.body_text
            FROM outbox o LEFT JOIN tenants t ON t.id = o.tenant_id WHERE o.id = \(id)
            """).first((UUID, String?, String, String, String, Int, String?, Date, Date?, String).self).map {
                (OutboxEntry(id: $0.0, tenantSlug: $0.1, to: $0.2, subject: $0.3, status: $0.4, attempts: $0.5,
                             lastError: $0.6, createdAt: $0.7, sentAt: $0.8), $0.9)
            }
    }

    /// The outbox as platform admins see it (needs platform access), newest first.
    public func outboxEntries(limit: Int) async throws -> [OutboxEntry] {
        try await query("""
            SELECT o.id, t.slug, o.to_address, o.subject, o.status, o.attempts, o.last_error, o.created_at, o.sent_at
            FROM outbox o LEFT JOIN tenants t ON t.id = o.tenant_id
            ORDER BY o.created_at DESC LIMIT \(limit)
            """).all((UUID, String?, String, String, String, Int, String?, Date, Date?).self).map {
                OutboxEntry(id: $0.0, tenantSlug: $0.1, to: $0.2, subject: $0.3, status: $0.4, attempts: $0.5,
                            lastError: $0.6, createdAt: $0.7, sentAt: $0.8)
            }
    }
}
