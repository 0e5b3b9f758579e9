import Foundation
import PostgresNIO

public struct FooterLink: Sendable, Codable, Equatable {
    public var label: String
    public var url: String
    public init(label: String, url: String) { self.label = label; self.url = url }
}

public struct Branding: Sendable, Equatable {
    public var titleText: String
    public var headerText: String
    public var footerText: String
    public var footerLinks: [FooterLink]
    public var accentColor: String
    public var logoImageID: UUID?

    public init(titleText: String = "", headerText: String = "", footerText: String = "",
                footerLinks: [FooterLink] = [], accentColor: String = "#4f46e5", logoImageID: UUID? = nil) {
        self.titleText = titleText
        self.headerText = headerText
        self.footerText = footerText
        self.footerLinks = footerLinks
        self.accentColor = accentColor
        self.logoImageID = logoImageID
    }
}

public struct Tenant: Sendable, Equatable {
    public enum Status: String, Sendable { case active, suspended }
    public var id: TenantID
    public var slug: String
    public var name: String
    public var status: Status
    public var branding: Branding
    /// The zone anonymous visitors see times in and the scheduling form starts with (IANA name).
    public var timeZone: String

    public init(id: TenantID, slug: String, name: String, status: Status, branding: Branding, timeZone: String = "UTC") {
        self.id = id
        self.slug = slug
        self.name = name
        self.status = status
        self.branding = branding
        self.timeZone = timeZone
    }
}

extension Transaction {
    /// Host resolution: works with no tenant set (SECURITY DEFINER look-up by slug).
    public func tenant(slug: String) async throws -> Tenant? {
        let rows = try await query("""
            SELECT id, slug, name, status, title_text, header_text, footer_text, footer_links::text,
                   accent_color, logo_image_id, time_zone FROM tenant_by_slug(\(slug))
            """)
        return try await rows.first((UUID, String, String, String, String, String, String, String, String, UUID?, String).self)
            .map(Tenant.init(row:))
    }

    /// Every tenant (platform access) or just the current one (tenant set).
    public func visibleTenants() async throws -> [Tenant] {
        let rows = try await query("""
            SELECT id, slug, name, status, title_text, header_text, footer_text, footer_links::text,
                   accent_color, logo_image_id, time_zone FROM tenants ORDER BY slug
            """)
        return try await rows.all((UUID, String, String, String, String, String, String, String, String, UUID?, String).self)
            .map(Tenant.init(row:))
    }

    /// Creating a tenant needs platform access (RLS `tenants_create`).
    public func insertTenant(id: TenantID, slug: String, name: String, branding: Branding) async throws {
        try await execute("""
            INSERT INTO tenants (id, slug, name, title_text, header_text, footer_text, footer_links, accent_color)
            VALUES (\(id), \(slug), \(name), \(branding.titleText), \(branding.headerText), \(branding.footerText),
                    \(try encodeLinks(branding.footerLinks))::jsonb, \(branding.accentColor))
            """)
    }

    public func updateBranding(tenant: TenantID, _ branding: Branding) async throws {
        try await execute("""
            UPDATE tenants SET title_text = \(branding.titleText), header_text = \(branding.headerText),
                footer_text = \(branding.footerText), footer_links = \(try encodeLinks(branding.footerLinks))::jsonb,
                accent_color = \(branding.accentColor), updated_at = now()
            WHERE id = \(tenant)
            """)
    }

    /// The tenant's default zone (an IANA name the caller has checked).
    public func setTenantTimeZone(tenant: TenantID, _ zone: String) async throws {
        try await execute("UPDATE tenants SET time_zone = \(zone), updated_at = now() WHERE id = \(tenant)")
    }

    /// Sets or removes the logo on its own, so saving texts never puts back an older logo; the
    /// logo it replaces is deleted.
    public func setLogo(tenant: TenantID, image: UUID?) async throws {
        let row = try await query("SELECT logo_image_id FROM tenants WHERE id = \(tenant)").first(UUID?.self)
        let previous: UUID? = row ?? nil
        try await execute("UPDATE tenants SET logo_image_id = \(image), updated_at = now() WHERE id = \(tenant)")
        if let previous, previous != image { try await deleteImageIfUnused(previous) }
    }

    public func setTenantStatus(_ tenant: TenantID, _ status: Tenant.Status) async throws {
        try await execute("SELECT set_tenant_status(\(tenant), \(status.rawValue))")
    }

    private func encodeLinks(_ links: [FooterLink]) throws -> String {
        String(decoding: try JSONEncoder().encode(links), as: UTF8.self)
    }
}

extension Tenant {
    init(row: (UUID, String, String, String, String, String, String, String, String, UUID?, String)) {
        let links = (try? JSONDecoder().decode([FooterLink].self, from: Data(row.7.utf8))) ?? []
        self.init(id: row.0, slug: row.1, name: row.2, status: Status(rawValue: row.3) ?? .suspended,
                  branding: Branding(titleText: row.4, headerText: row.5, footerText: row.6,
                                     footerLinks: links, accentColor: row.8, logoImageID: row.9),
                  timeZone: row.10)
    }
}
