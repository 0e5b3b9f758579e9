import Foundation
import Store

/// The emails a member may turn off in a community (`EmailKind`): every place that queues one
/// goes through `send`, which asks the member's settings first, and each such email ends with
/// a link to the settings.
enum NotificationEmails {
    /// Where a member chooses which emails they get in `tenant`.
    static func settingsLink(_ config: AppConfiguration, _ tenant: Tenant) -> String {
        "\(config.baseURL(tenantSlug: tenant.slug))/account#notifications"
    }

    /// Queues `mail` in `tx` unless `recipient` turned this kind of email off in `tenant`;
    /// true if queued.
    @discardableResult
    static func send(_ tx: Transaction, _ mail: OutgoingMail, kind: EmailKind, to recipient: UserID, tenant: Tenant) async throws -> Bool {
        guard try await tx.wantsEmail(kind, user: recipient) else { return false }
        try await tx.enqueue(mail, tenant: tenant.id)
        return true
    }
}
