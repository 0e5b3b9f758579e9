import Foundation
import PostgresNIO

/// What the data says about a new site's first steps (the organizer's checklist): whether the
/// membership settings were saved as free or with a fee and PayPal, whether members have a
/// profile section to fill in, and whether a session was scheduled.
public struct SiteSetupFacts: Sendable, Equatable {
    public var feeAndPayPalSet: Bool
    public var hasProfileSection: Bool
    public var hasSession: Bool

    public init(feeAndPayPalSet: Bool, hasProfileSection: Bool, hasSession: Bool) {
        (self.feeAndPayPalSet, self.hasProfileSection, self.hasSession) = (feeAndPayPalSet, hasProfileSection, hasSession)
    }
}

extension Transaction {
    /// The current tenant's first-steps facts, in one statement.
    public func siteSetupFacts() async throws -> SiteSetupFacts {
        let row = try await query("""
            SELECT coalesce((SELECT fee_minor = 0 OR (paypal_client_id <> '' AND paypal_secret_sealed IS NOT NULL)
                             FROM membership_settings WHERE tenant_id = app_tenant_id()), false),
                   EXISTS (SELECT 1 FROM profile_sections WHERE tenant_id = app_tenant_id()),
                   EXISTS (SELECT 1 FROM live_sessions WHERE tenant_id = app_tenant_id() AND cancelled_at IS NULL)
            """).first((Bool, Bool, Bool).self)
        return SiteSetupFacts(feeAndPayPalSet: row?.0 ?? false, hasProfileSection: row?.1 ?? false, hasSession: row?.2 ?? false)
    }
}
