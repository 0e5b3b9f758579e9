import Foundation
import PostgresNIO

/// What joining a tenant costs and how it is paid.
public struct MembershipSettings: Sendable, Equatable {
    public var feeMinor: Int
    public var currency: String
    public var payPalClientID: String
    /// AES-GCM sealed by the app (nonce ‖ ciphertext ‖ tag); nil when never set.
    public var payPalSecretSealed: [UInt8]?
    public var payPalWebhookID: String
    public var welcomeText: String

    public init(feeMinor: Int = 0, currency: String = "EUR", payPalClientID: String = "", payPalSecretSealed: [UInt8]? = nil,
                payPalWebhookID: String = "", welcomeText: String = "") {
        self.feeMinor = feeMinor
        self.currency = currency
        self.payPalClientID = payPalClientID
        self.payPalSecretSealed = payPalSecretSealed
        self.payPalWebhookID = payPalWebhookID
        self.welcomeText = welcomeText
    }

    public var isFree: Bool { feeMinor == 0 }
}

public struct Payment: Sendable, Equatable {
    public enum Status: String, Sendable { case created, cancelled, declined, failed, completed }
    public var id: UUID
    public var userID: UserID
    public var amountMinor: Int
    public var currency: String
    public var payPalOrderID: String?
    public var payPalCaptureID: String?
    public var status: Status
    public var detail: String
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID, userID: UserID, amountMinor: Int, currency: String, payPalOrderID: String?, payPalCaptureID: String?,
                status: Status, detail: String, createdAt: Date, completedAt: Date?) {
        (self.id, self.userID, self.amountMinor, self.currency) = (id, userID, amountMinor, currency)
        (self.payPalOrderID, self.payPalCaptureID, self.status, self.detail) = (payPalOrderID, payPalCaptureID, status, detail)
        (self.createdAt, self.completedAt) = (createdAt, completedAt)
    }
}

extension Transaction {
    /// The current tenant's settings (defaults when never saved: free).
    public func membershipSettings() async throws -> MembershipSettings {
        try await query("""
            SELECT fee_minor, currency, paypal_client_id, paypal_secret_sealed, paypal_webhook_id, welcome_text
            FROM membership_settings WHERE tenant_id = app_tenant_id()
            """).first((Int, String, String, ByteBuffer?, String, String).self).map {
                MembershipSettings(feeMinor: $0.0, currency: $0.1, payPalClientID: $0.2,
                                   payPalSecretSealed: $0.3.map { Array($0.readableBytesView) },
                                   payPalWebhookID: $0.4, welcomeText: $0.5)
            } ?? MembershipSettings()
    }

    public func saveMembershipSettings(tenant: TenantID, _ settings: MembershipSettings) async throws {
        try await execute("""
            INSERT INTO membership_settings (tenant_id, fee_minor, currency, paypal_client_id, paypal_secret_sealed,
                                             paypal_webhook_id, welcome_text, updated_at)
            VALUES (\(tenant), \(settings.feeMinor), \(settings.currency), \(settings.payPalClientID),
                    \(settings.payPalSecretSealed.map { ByteBuffer(bytes: $0) }), \(settings.payPalWebhookID),
                    \(settings.welcomeText), now())
            ON CONFLICT (tenant_id) DO UPDATE SET fee_minor = EXCLUDED.fee_minor, currency = EXCLUDED.currency,
                paypal_client_id = EXCLUDED.paypal_client_id, paypal_secret_sealed = EXCLUDED.paypal_secret_sealed,
                paypal_webhook_id = EXCLUDED.paypal_webhook_id, welcome_text = EXCLUDED.welcome_text, updated_at = now()
            """)
    }

    /// False when the current tenant has no membership of `user`.
    @discardableResult
    public func setMembershipStatus(user: UserID, _ status: MembershipStatus) async throws -> Bool {
        try await query("""
            UPDATE memberships SET status = \(status.rawValue) WHERE user_id = \(user) AND tenant_id = app_tenant_id() RETURNING 1
            """).first(Int.self) != nil
    }

    /// Changes the status only if it still is `from` (a suspension made meanwhile wins);
    /// true if it changed.
    @discardableResult
    public func changeMembershipStatus(user: UserID, from: MembershipStatus, to: MembershipStatus) async throws -> Bool {
        try await query("""
            UPDATE memberships SET status = \(to.rawValue)
            WHERE user_id = \(user) AND tenant_id = app_tenant_id() AND status = \(from.rawValue) RETURNING 1
            """).first(Int.self) != nil
    }

    /// Claims a created payment for one capture attempt (a minute); nil when it is not created,
    /// or another attempt holds it.
    public func claimPaymentForCapture(orderID: String) async throws -> Payment? {
        try await query("""
            UPDATE payments SET capturing_until = now() + interval '60 seconds'
            WHERE paypal_order_id = \(orderID) AND status = 'created'
              AND (capturing_until IS NULL OR capturing_until < now())
            RETURNING id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, detail, created_at, completed_at
            """).first((UUID, UUID, Int, String, String?, String?, String, String, Date, Date?).self).map(Payment.init(row:))
    }

    public func releasePaymentClaim(_ payment: UUID) async throws {
        try await execute("UPDATE payments SET capturing_until = NULL WHERE id = \(payment)")
    }

    /// Whether `user` already has a completed payment here.
    public func hasCompletedPayment(user: UserID) async throws -> Bool {
        try await query("SELECT 1 FROM payments WHERE user_id = \(user) AND status = 'completed' LIMIT 1").first(Int.self) != nil
    }

    public func storeEmailConfirmation(tokenHash: [UInt8], user: UserID, lifetime: Duration) async throws {
        try await execute("""
            SELECT email_confirmation_store(\(ByteBuffer(bytes: tokenHash)), \(user), \(lifetime.seconds) * interval '1 second')
            """)
    }

    /// Confirms the token's address once; the account, or nil for an unknown, used or expired token.
    public func consumeEmailConfirmation(tokenHash: [UInt8]) async throws -> UserID? {
        try await query("SELECT email_confirmation_consume(\(ByteBuffer(bytes: tokenHash)))").first(UUID?.self) ?? nil
    }

    public func emailConfirmed(user: UserID) async throws -> Bool {
        try await query("SELECT email_confirmed_at IS NOT NULL FROM users WHERE id = \(user)").first(Bool.self) ?? false
    }

    // MARK: payments

    public func insertPayment(tenant: TenantID, user: UserID, amountMinor: Int, currency: String) async throws -> UUID {
        let id = UUID()
        try await execute("""
            INSERT INTO payments (tenant_id, id, user_id, amount_minor, currency)
            VALUES (\(tenant), \(id), \(user), \(amountMinor), \(currency))
            """)
        return id
    }

    public func attachOrder(payment: UUID, orderID: String) async throws {
        try await execute("UPDATE payments SET paypal_order_id = \(orderID) WHERE id = \(payment)")
    }

    /// The payment for a PayPal order, locked until this transaction ends so a browser return
    /// and a webhook for the same order are handled one after the other.
    public func paymentForUpdate(orderID: String) async throws -> Payment? {
        try await query("""
            SELECT id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, detail, created_at, completed_at
            FROM payments WHERE paypal_order_id = \(orderID) FOR UPDATE
            """).first((UUID, UUID, Int, String, String?, String?, String, String, Date, Date?).self).map(Payment.init(row:))
    }

    public func setPaymentStatus(_ payment: UUID, _ status: Payment.Status, detail: String = "", captureID: String? = nil) async throws {
        try await execute("""
            UPDATE payments SET status = \(status.rawValue), detail = \(detail), capturing_until = NULL,
                paypal_capture_id = coalesce(\(captureID), paypal_capture_id),
                completed_at = CASE WHEN \(status.rawValue) = 'completed' THEN now() ELSE completed_at END
            WHERE id = \(payment)
            """)
    }

    public func payments(user: UserID) async throws -> [Payment] {
        try await query("""
            SELECT id, user_id, amount_minor, currency, paypal_order_id, paypal_capture_id, status, detail, created_at, completed_at
            FROM payments WHERE user_id = \(user) ORDER BY created_at DESC
            """).all((UUID, UUID, Int, String, String?, String?, String, String, Date, Date?).self).map(Payment.init(row:))
    }
}

extension Payment {
    init(row: (UUID, UUID, Int, String, String?, String?, String, String, Date, Date?)) {
        self.init(id: row.0, userID: row.1, amountMinor: row.2, currency: row.3, payPalOrderID: row.4, payPalCaptureID: row.5,
                  status: Status(rawValue: row.6) ?? .failed, detail: row.7, createdAt: row.8, completedAt: row.9)
    }
}
